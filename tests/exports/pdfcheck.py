"""Reading a rendered SQF PDF back: is every page of Tables 2 and 3 legible?

Used by the tests and by bench/documents.py. Works on the file only (pdfplumber): which
pages hold table rules, whether such a page shows a heading row of column numbers,
whether a caption is the last line of a page, and how many long words of Table 3's names
come out whole (a word hyphenated at a line end counts as whole).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

HYPHENS = "-‐\u00ad"
WORD = re.compile(r"[^\W\d_]+(?:[-‐][^\W\d_]+)*[-‐]?", re.UNICODE)


@dataclass
class PageText:
    number: int
    lines: list[str]
    has_table: bool


@dataclass
class Report:
    pages: list[PageText]
    table_pages: list[int] = field(default_factory=list)
    headless_pages: list[int] = field(default_factory=list)
    caption_last: list[int] = field(default_factory=list)
    words_total: int = 0
    words_whole: int = 0
    broken_words: list[str] = field(default_factory=list)

    @property
    def whole_share(self) -> float:
        return self.words_whole / self.words_total if self.words_total else 1.0


def _lines(page: Any) -> list[str]:
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5)
    rows: dict[int, list[Any]] = {}
    for w in words:
        rows.setdefault(round(w["top"] / 3), []).append(w)
    return [
        " ".join(w["text"] for w in sorted(ws, key=lambda w: w["x0"])).replace("\u00ad", "")
        for _, ws in sorted(rows.items())
    ]


def read(pdf_bytes: bytes) -> list[PageText]:
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            # A table page draws its cell rules: many short lines or thin rectangles.
            rules = len(page.lines) + len(page.rects) + len(page.edges) // 4
            out.append(PageText(i, _lines(page), rules >= 8))
    return out


def _is_number_row(line: str, number_rows: set[tuple[str, ...]]) -> bool:
    return tuple(line.split()) in number_rows


def check(
    pdf_bytes: bytes,
    *,
    first_caption: str,
    captions: list[str],
    number_rows: list[list[str]],
    long_words: set[str],
) -> Report:
    """`first_caption` starts the pages to check (Table 2's caption); `number_rows` are the
    rows of column numbers of every part of Tables 2 and 3 (as printed, e.g. ["1", "13"])."""
    pages = read(pdf_bytes)
    report = Report(pages)
    rows = {tuple(r) for r in number_rows}
    start = next(
        (p.number for p in pages if any(first_caption[:40] in line for line in p.lines)), None
    )
    for p in pages:
        body = p.lines[1:] if p.lines and p.lines[0].strip().isdigit() else p.lines
        if body:
            last = body[-1].strip()
            if len(last) > 6 and any(last in cap for cap in captions):
                report.caption_last.append(p.number)
        if start is None or p.number < start or not p.has_table:
            continue
        report.table_pages.append(p.number)
        if not any(_is_number_row(line, rows) for line in body):
            report.headless_pages.append(p.number)

    tokens: set[str] = set()
    for p in pages:
        for line in p.lines:
            tokens.update(m.group(0).lower() for m in WORD.finditer(line))
    whole = {t.rstrip(HYPHENS) for t in tokens}
    prefixes = {t.rstrip(HYPHENS) for t in tokens if t[-1] in HYPHENS}
    for word in sorted(long_words):
        w = word.lower()
        ok = w in whole or any(w[:k] in prefixes and w[k:] in whole for k in range(2, len(w) - 1))
        report.words_total += 1
        if ok:
            report.words_whole += 1
        else:
            report.broken_words.append(word)
    return report


def table3_long_words(model: Any, min_len: int = 7) -> set[str]:
    """Distinct words of 7+ letters in the names printed in Table 3."""
    words: set[str] = set()
    for part in model.table3:
        for row in part.rows:
            for text in row:
                for m in re.finditer(r"[^\W\d_]+", text):
                    if len(m.group(0)) >= min_len:
                        words.add(m.group(0))
    return words


def expectations(model: Any) -> dict[str, Any]:
    """What `check` needs, from the document model the PDF was rendered from."""
    parts = list(model.table2["parts"]) + list(model.table3)
    c = model.c
    return {
        "first_caption": c["t2"],
        "captions": [
            c["t1"],
            c["t2"],
            c["t3"],
            c["t2_continued"],
            c["t3_continued"],
            c["t2_links"],
        ],
        "number_rows": [[n["text"] for n in part.number_cells()] for part in parts],
        "long_words": table3_long_words(model),
    }
