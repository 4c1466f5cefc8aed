"""Tables 2 and 3 legible on every page (Annex §10–§12), read back from the files.

For the demo and for a large SQF (tests/exports/large.py), in Kazakh and Russian: every
page holding Table 2 or 3 shows the row of column numbers of its part; no caption is the
last line of a page; at least 85 % of the distinct long words of Table 3's names come out
whole (a word hyphenated at a line end counts as whole); column 4 never prints the NKZ
name; the DOCX has the same parts with repeated heading rows.
"""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from exports.docx import render_docx
from exports.layout import document_model
from exports.pdf import render_pdf
from sbsh.document.hyphen import SHY, soft_hyphens
from tests.exports.conftest import cached
from tests.exports.large import large_content
from tests.exports.pdfcheck import check, expectations

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["demo", "large"])
def content(request, demo_content) -> tuple[str, dict[str, Any]]:
    if request.param == "demo":
        return "demo", demo_content
    return "large", cached("large-content", lambda: large_content(demo_content))


@pytest.fixture(params=["kk", "ru"])
def lang(request) -> str:
    return request.param


def _pdf(name: str, content: dict[str, Any], lang: str) -> bytes:
    return cached(f"legible-pdf-{name}-{lang}", lambda: render_pdf(content, lang))


def _docx(name: str, content: dict[str, Any], lang: str) -> Any:
    data = cached(f"legible-docx-{name}-{lang}", lambda: render_docx(content, lang))
    return docx.Document(io.BytesIO(data))


def test_every_table_page_has_its_heading_and_no_caption_ends_a_page(content, lang) -> None:
    name, data = content
    model = document_model(data, lang)
    report = check(_pdf(name, data, lang), **expectations(model))
    assert len(report.table_pages) >= (10 if name == "demo" else 100)
    assert report.headless_pages == [], report.headless_pages
    assert report.caption_last == [], report.caption_last


def test_long_words_of_table_3_come_out_whole(content, lang) -> None:
    name, data = content
    model = document_model(data, lang)
    report = check(_pdf(name, data, lang), **expectations(model))
    assert report.words_total > 100
    assert report.whole_share >= 0.85, (report.whole_share, report.broken_words[:20])


def test_column_4_is_the_isco_name_in_the_language_never_the_nkz_name(content, lang) -> None:
    name, data = content
    model = document_model(data, lang)
    first = model.table3[0]
    numbers = [col.number for col in first.columns]
    col4 = numbers.index("4")
    for printed, row in zip(first.rows, data["table3"], strict=True):
        assert printed[col4] == row["isco"]["name"][lang]
        assert printed[col4] != row["nkz_unit"]["name"][lang] or not printed[col4]
    # In the DOCX too: the first Table 3 part is the table after the Table 2 parts.
    document = _docx(name, data, lang)
    t3 = document.tables[2 + len(model.table2["parts"])]
    header_rows = len(first.header_rows()) + 1
    for cells, row in zip(t3.rows[header_rows:], data["table3"], strict=True):
        text = cells.cells[col4].text.replace(SHY, "")
        assert text != row["nkz_unit"]["name"][lang] or not text


def test_the_docx_has_the_same_parts_with_repeated_headings(content, lang) -> None:
    name, data = content
    model = document_model(data, lang)
    document = _docx(name, data, lang)
    parts = [*model.table2["parts"], *model.table3]
    assert len(document.tables) == 2 + len(parts)  # standards, Table 1, then the parts
    assert len(model.table3) >= 2 and len(model.table2["parts"]) >= 2
    for table, part in zip(document.tables[2:], parts, strict=True):
        heads = len(part.header_rows()) + 1
        numbers = [c.text for c in table.rows[heads - 1].cells]
        expected = [n["text"] for n in part.number_cells() for _ in range(n["colspan"])]
        assert numbers == expected
        for row in table.rows[:heads]:
            assert row._tr.trPr.find(qn("w:tblHeader")) is not None
        assert len(table.rows) == heads + len(part.rows)
        body = table.rows[heads]._tr.trPr
        assert body.find(qn("w:tblHeader")) is None and body.find(qn("w:cantSplit")) is not None
    # Each part repeats the row-identifying column: № for Table 3, the level for Table 2.
    assert all(p.columns[0].number == "1" for p in parts)


def test_no_kazakh_column_is_narrower_than_its_longest_word(demo_content, lang) -> None:
    """Kazakh words stay whole in Tables 2 and 3 (Russian and English ones may hyphenate at
    a syllable where five OKED columns share the page)."""
    from exports.layout import CELL_PADDING_MM
    from exports.measure import longest_word_mm

    model = document_model(demo_content, lang)
    checked = 0
    for part in [*model.table2["parts"], *model.table3]:
        assert abs(sum(c.width_mm for c in part.columns) - part.width_mm) < 0.5
        for i, col in enumerate(part.columns):
            if (col.lang or part.lang) != "kk":
                continue
            checked += 1
            longest = max(longest_word_mm(r[i]) for r in part.rows)
            assert col.width_mm >= longest + CELL_PADDING_MM - 0.01, (part.caption, col.number)
    assert checked >= 2  # columns 7 and 11 in the Russian document; all in the Kazakh one


def test_landscape_option_prints_tables_2_and_3_on_landscape_pages(demo_content, lang) -> None:
    data = {**demo_content, "document": {"tables_landscape": True}}
    portrait = document_model(demo_content, lang)
    model = document_model(data, lang)
    # Wider pages: never more parts; in Kazakh (whole words) fewer. Russian words are long
    # enough that the five blocks still need five parts at 257 mm.
    assert len(model.table3) <= len(portrait.table3)
    assert lang == "ru" or len(model.table3) < len(portrait.table3)
    assert all(p.width_mm == 297 - 40 for p in model.table3)
    pdf = cached(f"landscape-{lang}", lambda: render_pdf(data, lang))
    reader = PdfReader(io.BytesIO(pdf))
    shapes = [float(p.mediabox.width) > float(p.mediabox.height) for p in reader.pages]
    first_landscape = shapes.index(True)
    assert not any(shapes[:first_landscape]) and all(shapes[first_landscape:])
    text = reader.pages[first_landscape].extract_text()
    assert model.c["s10"][:30] in text.replace("\n", " ")
    report = check(pdf, **expectations(model))
    assert report.headless_pages == [] and report.caption_last == []
    document = docx.Document(io.BytesIO(render_docx(data, lang)))
    assert [s.orientation for s in document.sections][-1] == 1  # WD_ORIENT.LANDSCAPE
    assert document.sections[-1].page_width > document.sections[-1].page_height


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("мамандандырылған", "ма-ман-дан-ды-рыл-ған"),
        ("бөлінісіндегі", "бө-лі-ні-сін-де-гі"),
        ("жауапкершілік", "жауап-кер-ші-лік"),
        ("құзыреттер", "құ-зы-рет-тер"),
        ("структура", "струк-ту-ра"),
        ("ЭҚЖЖ", "ЭҚЖЖ"),
        ("тарату", "та-ра-ту"),
    ],
)
def test_kazakh_words_break_only_between_syllables(word: str, expected: str) -> None:
    # Rules: Annex §12 (tables at 12 pt); Kazakh orthography carries words over by syllables.
    assert soft_hyphens(word, "kk").replace(SHY, "-") == expected


def test_the_title_names_the_kind_of_document_once(demo_content, lang) -> None:
    model = document_model(demo_content, lang)
    doc_kind = model.c["doc_kind"].lower()
    title = (doc_kind + " " if model.show_kind else "") + model.name.lower()
    assert title.count(doc_kind) == 1


def test_a_large_document_laid_out_in_pieces_is_numbered_at_the_top_centre(
    demo_content, lang
) -> None:
    """The pieces of a large PDF are laid out apart and joined: every page still carries its
    number, in Arabic numerals, at the top centre (Annex §12), portrait and landscape."""
    import pdfplumber

    mm = 72 / 25.4
    data = cached("large-content", lambda: large_content(demo_content))
    pdf = _pdf("large", data, lang)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) > 150
        for number, page in enumerate(document.pages, start=1):
            landscape = page.width > page.height
            top = [w for w in page.extract_words() if w["top"] < (30 if landscape else 20) * mm]
            assert [w["text"] for w in top] == [str(number)], number
            centre = (page.width / 2) if landscape else (30 + (210 - 15)) / 2 * mm
            assert abs((top[0]["x0"] + top[0]["x1"]) / 2 - centre) < 2, number


def test_stamped_page_numbers_sit_exactly_where_the_single_flow_puts_them(demo_content) -> None:
    """A large PDF's numbers are stamped after joining (exports.pdf.join_and_number); a
    small one's come from the stylesheet's @top-center box. Both must print the same digits
    at the same place: the demo, with landscape Tables 2–3, laid out both ways."""
    import pdfplumber

    from exports import pdf as pdf_module

    data = {**demo_content, "document": {"tables_landscape": True}}
    single = cached("landscape-kk", lambda: render_pdf(data, "kk"))
    pieces = pdf_module.html_pieces(data, "kk")
    joined = pdf_module.join_and_number(pdf_module.render_pieces(pieces, parallel=False))

    def numbers(document: bytes) -> list[tuple[bool, str, float, float]]:
        out = []
        with pdfplumber.open(io.BytesIO(document)) as read:
            for page in read.pages:
                landscape = page.width > page.height
                top = [c for c in page.chars if c["top"] < (30 if landscape else 20) * 72 / 25.4]
                text = "".join(c["text"] for c in top)
                out.append((landscape, text, top[0]["x0"], top[0]["matrix"][5]))
        return out

    flow = {(land, len(text)): (x, y) for land, text, x, y in numbers(single)}
    stamped = numbers(joined)
    assert [text for _land, text, _x, _y in stamped] == [str(n) for n in range(1, len(stamped) + 1)]
    assert {land for land, *_ in stamped} == {True, False}
    compared = 0
    for land, text, x, y in stamped:
        if (land, len(text)) in flow:
            fx, fy = flow[(land, len(text))]
            assert abs(x - fx) < 0.05 and abs(y - fy) < 0.05, (text, land, x, fx, y, fy)
            compared += 1
    assert compared >= len(stamped) // 2
    assert "SQFPGN+Times-New-Roman" in {
        c["fontname"] for c in pdfplumber.open(io.BytesIO(joined)).pages[0].chars
    }
