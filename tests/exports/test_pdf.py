"""The PDF read back with pdfplumber and pypdf: A4, fonts, margins, page numbers, Kazakh."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest

from exports.pdf import render_pdf
from tests.exports.conftest import KAZAKH_LETTERS, cached

MM = 72 / 25.4


pytestmark = pytest.mark.django_db


@pytest.fixture(params=["kk", "ru"])
def pdf(request, demo_content):
    def make():
        data = render_pdf(demo_content, request.param)
        with pdfplumber.open(io.BytesIO(data)) as document:
            pages = [
                (page.width, page.height, page.extract_words(), page.chars)
                for page in document.pages
            ]
        return data, pages

    data, pages = cached(f"pdf-{request.param}", make)
    return request.param, data, pages


def test_pages_are_a4_portrait(pdf) -> None:
    _lang, _data, pages = pdf
    assert len(pages) > 5
    for width, height, _words, _chars in pages:
        assert abs(width - 210 * MM) < 1 and abs(height - 297 * MM) < 1


def _embedded_fonts(data: bytes) -> dict[str, bool]:
    """Base font name → whether its font program is embedded, over every page."""
    from pdfminer.pdftypes import resolve1

    found: dict[str, bool] = {}
    with pdfplumber.open(io.BytesIO(data)) as document:
        for page in document.pages:
            fonts = resolve1(resolve1(page.page_obj.resources).get("Font", {}))
            for ref in fonts.values():
                font = resolve1(ref)
                descendants = [resolve1(d) for d in resolve1(font.get("DescendantFonts", []))] or [
                    font
                ]
                for f in descendants:
                    descriptor = resolve1(f.get("FontDescriptor", {}))
                    name = resolve1(f.get("BaseFont")).name
                    found[name] = any(
                        k in descriptor for k in ("FontFile", "FontFile2", "FontFile3")
                    )
    return found


def test_only_the_embedded_times_new_roman_is_used(pdf) -> None:
    _lang, data, pages = pdf
    used = {c["fontname"] for _w, _h, _words, chars in pages for c in chars}
    assert used and all(re.search(r"Times-New-Roman", f) for f in used), used
    embedded = _embedded_fonts(data)
    # Every font is the shipped Times New Roman (Liberation Serif 2), embedded: no fallback.
    assert embedded and all(embedded.values()), embedded
    assert all("Times-New-Roman" in name for name in embedded), embedded


def test_every_page_carries_its_number_at_the_top_centre(pdf) -> None:
    _lang, _data, pages = pdf
    centre = (30 + (210 - 15)) / 2 * MM
    for number, (_w, _h, words, _chars) in enumerate(pages, start=1):
        top = [w for w in words if w["top"] < 20 * MM]
        assert [w["text"] for w in top] == [str(number)], number
        mid = (top[0]["x0"] + top[0]["x1"]) / 2
        assert abs(mid - centre) < 2, (number, mid, centre)


def test_text_starts_at_the_left_margin_and_stays_inside_the_right_one(pdf) -> None:
    _lang, _data, pages = pdf
    for _w, _h, words, _chars in pages:
        body = [w for w in words if w["top"] >= 20 * MM]
        assert min(w["x0"] for w in body) >= 30 * MM - 1
        assert max(w["x1"] for w in body) <= (210 - 15) * MM + 1
    first = [w for w in pages[0][2] if w["top"] >= 20 * MM]
    assert abs(min(w["x0"] for w in first[:40]) - 30 * MM) < 1.5 or any(
        abs(w["x0"] - 30 * MM) < 1 for w in first
    )
    assert abs(min(w["top"] for w in first) - 20 * MM) < 3


def test_every_kazakh_letter_of_the_source_is_in_the_extracted_text(pdf, demo_content) -> None:
    lang, _data, pages = pdf
    text = "".join(c["text"] for _w, _h, _words, chars in pages for c in chars)
    source = demo_content["name"][lang] + "".join(p[lang] for p in demo_content["parts"].values())
    wanted = {ch for ch in source if ch in KAZAKH_LETTERS}
    if lang == "kk":
        assert len(wanted) >= 10
    assert wanted <= set(text)
