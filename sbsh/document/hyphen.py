"""Soft hyphens in table text, so that a word split at a line end is split at a syllable
and carries a hyphen, in the PDF and in Word alike (Annex §12 tables at 12 pt).

Kazakh: no hyphenation dictionary exists for pyphen/LibreOffice, so the rule of Kazakh
orthography is applied directly (a word is carried over by syllables; a syllable holds
one vowel; of the consonants between two vowels only the last begins the next syllable;
one letter is never left on a line or carried over): "мамандандырылған" →
"ма-ман-дан-ды-ры-лған" is wrong, "ма-ман-дан-ды-рыл-ған" is right, and that is what the
rule gives. Two vowels side by side are not split (loan words such as "радио"), nor are
words with digits, capitals inside (abbreviations: "ҰКС", "ЭҚЖЖ") or fewer than 6 letters.
Russian and English: pyphen's dictionaries (shipped with WeasyPrint's pyphen).
Soft hyphens (U+00AD) are invisible unless a line breaks there.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise
from typing import Any

SHY = "\u00ad"
KK_VOWELS = set("аәеёиоөуұүыіэюяАӘЕЁИОӨУҰҮЫІЭЮЯ")
SIGNS = set("ьъЬЪ")
WORD = re.compile(r"[^\W\d_]{6,}")
MIN_PIECE = 2


def _kk_breaks(word: str) -> list[int]:
    vowels = [i for i, ch in enumerate(word) if ch in KK_VOWELS]
    breaks = []
    for a, b in pairwise(vowels):
        between = [i for i in range(a + 1, b) if word[i] not in SIGNS]
        if not between:
            continue  # two vowels side by side, or only a sign between them
        at = between[-1]  # the last consonant begins the next syllable
        if at >= MIN_PIECE and len(word) - at >= MIN_PIECE:
            breaks.append(at)
    return breaks


@lru_cache(maxsize=8)
def _pyphen(lang: str) -> Any:
    import pyphen

    return pyphen.Pyphen(lang={"ru": "ru_RU", "en": "en_GB"}[lang], left=2, right=2)


@lru_cache(maxsize=200_000)
def _word(word: str, lang: str) -> str:
    if any(ch.isupper() for ch in word[1:]):
        return word
    if lang == "kk":
        breaks = _kk_breaks(word)
        if not breaks:
            return word
        pieces, last = [], 0
        for at in breaks:
            pieces.append(word[last:at])
            last = at
        pieces.append(word[last:])
        return SHY.join(pieces)
    if lang in ("ru", "en"):
        return _pyphen(lang).inserted(word, hyphen=SHY)
    return word


def soft_hyphens(text: str, lang: str) -> str:
    """The text with soft hyphens at the syllable breaks of its long words."""
    if not text or lang not in ("kk", "ru", "en"):
        return text
    return WORD.sub(lambda m: _word(m.group(0), lang), text)
