"""Text widths in the document's font, for choosing table column widths (Annex §12).

The shipped Liberation Serif has the metrics of Times New Roman, so a width measured here
is the width Word, LibreOffice and WeasyPrint give the same text at the same size. Only
advance widths are summed (no kerning): a slight over-estimate, which is the safe side
for deciding whether a word fits a column.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

FONTS = Path(__file__).resolve().parent / "fonts"
PT_TO_MM = 25.4 / 72
WORD = re.compile(r"\S+")


@lru_cache(maxsize=2)
def _advances(bold: bool) -> tuple[dict[int, int], int, int]:
    from fontTools.ttLib import TTFont  # shipped with WeasyPrint

    font = TTFont(FONTS / ("LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"))
    cmap = font.getBestCmap()
    hmtx = font["hmtx"].metrics
    widths = {code: hmtx[glyph][0] for code, glyph in cmap.items()}
    return widths, font["head"].unitsPerEm, hmtx[".notdef"][0]


@lru_cache(maxsize=65536)
def width_mm(text: str, size_pt: float = 12, bold: bool = False) -> float:
    widths, upem, missing = _advances(bold)
    units = sum(widths.get(ord(ch), missing) for ch in text)
    return units / upem * size_pt * PT_TO_MM


def longest_word_mm(text: str, size_pt: float = 12, bold: bool = False) -> float:
    return max((width_mm(w, size_pt, bold) for w in WORD.findall(text or "")), default=0.0)
