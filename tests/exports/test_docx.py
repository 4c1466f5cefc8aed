"""The DOCX read back with python-docx: Annex §12, every part, the three tables."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from exports.captions import CAPTIONS
from exports.docx import render_docx
from exports.layout import document_model
from sbsh.document.hyphen import SHY
from tests.exports.conftest import cached

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["kk", "ru"])
def document(request, demo_content):
    data = cached(f"docx-{request.param}", lambda: render_docx(demo_content, request.param))
    return request.param, docx.Document(io.BytesIO(data))


def _plain(text: str) -> str:
    return text.replace(SHY, "")


def _fonts(style_element) -> dict[str, str]:
    fonts = style_element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return {k.split("}")[1]: v for k, v in fonts.attrib.items()}


def test_page_is_a4_portrait_with_the_annex_margins(document) -> None:
    _lang, doc = document
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert section.orientation == 0  # portrait
    assert [
        round(x.mm)
        for x in (
            section.left_margin,
            section.right_margin,
            section.top_margin,
            section.bottom_margin,
        )
    ] == [30, 15, 20, 20]


def test_times_new_roman_for_every_script_and_the_right_sizes(document) -> None:
    _lang, doc = document
    expected = {
        "ascii": "Times New Roman",
        "hAnsi": "Times New Roman",
        "cs": "Times New Roman",
        "eastAsia": "Times New Roman",
    }
    for name, size, bold in (
        ("Normal", 14, None),
        ("Heading 1", 14, True),
        ("Table Text", 12, None),
    ):
        style = doc.styles[name]
        assert _fonts(style.element) == expected, name
        assert style.font.size.pt == size, name
        if bold:
            assert style.font.bold
        assert style.paragraph_format.line_spacing_rule in (0, None) or str(
            style.paragraph_format.line_spacing_rule
        ).startswith("SINGLE")
    defaults = (
        doc.styles.element.find(qn("w:docDefaults"))
        .find(qn("w:rPrDefault"))
        .find(qn("w:rPr"))
        .find(qn("w:rFonts"))
    )
    assert not any("Theme" in k for k in defaults.attrib)


def test_header_has_a_centred_page_field_in_arabic_numerals(document) -> None:
    _lang, doc = document
    header = doc.sections[0].header.paragraphs[0]
    assert header.alignment == 1  # centre
    xml = header._p.xml
    assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
    assert doc.sections[0]._sectPr.find(qn("w:pgNumType")).get(qn("w:fmt")) == "decimal"


def test_every_part_and_table_is_there_with_the_annex_captions(document, demo_content) -> None:
    lang, doc = document
    c = CAPTIONS[lang]
    text = "\n".join(p.text for p in doc.paragraphs)
    for key in (
        "s1",
        "s2",
        "s3",
        "s4",
        "s5",
        "s6",
        "s7",
        "s8",
        "s9",
        "s10",
        "s11",
        "t1",
        "t2",
        "t3",
    ):
        assert c[key] in text, key
    assert demo_content["name"][lang] in text
    tables = doc.tables
    model = document_model(demo_content, lang)
    t2_parts, t3_parts = model.table2["parts"], model.table3
    # standards, Table 1, then Tables 2 and 3 in parts (tests/exports/test_tables_legible.py)
    assert len(tables) == 2 + len(t2_parts) + len(t3_parts)
    t1 = tables[1]
    assert [_plain(cell.text) for cell in t1.rows[0].cells] == [c[f"t1_c{i}"] for i in range(1, 9)]
    assert [cell.text for cell in t1.rows[1].cells] == [str(i) for i in range(1, 9)]
    assert c["t1_sec1"] in t1.rows[2].cells[0].text
    numbers = []
    for table, part in zip(tables[2 + len(t2_parts) :], t3_parts, strict=True):
        row = table.rows[len(part.header_rows())]
        numbers += [cell.text for cell in row.cells if cell.text != "1" or not numbers]
        assert len(table.rows) == len(part.header_rows()) + 1 + len(demo_content["table3"])
    assert sorted(set(numbers), key=int) == [str(i) for i in range(1, 19)]


def test_table_header_rows_repeat_on_every_page(document, demo_content) -> None:
    lang, doc = document
    model = document_model(demo_content, lang)
    parts = [*model.table2["parts"], *model.table3]
    heads = (1, 2, *[len(p.header_rows()) + 1 for p in parts])
    for table, header_rows in zip(doc.tables, heads, strict=True):
        for row in table.rows[:header_rows]:
            assert row._tr.trPr.find(qn("w:tblHeader")) is not None
        assert (
            table.rows[-1]._tr.trPr is None
            or table.rows[-1]._tr.trPr.find(qn("w:tblHeader")) is None
        )


def test_tables_fit_between_the_margins(document) -> None:
    _lang, doc = document
    for table in doc.tables:
        widths = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(widths) / 56.692913 <= 165.5  # twips → mm


def test_table_cells_are_12_point_text(document) -> None:
    _lang, doc = document
    cell = doc.tables[1].rows[3].cells[3]
    assert cell.paragraphs[0].style.name == "Table Text"
