"""Text of classifier names: cleaned cells, names in sentence case, the search text."""

from __future__ import annotations

import re
from typing import Any

from classifiers.codes import ISCO08
from config.text import xml_safe

_SPACES = re.compile(r"\s+")


def clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # The text boundary (config/text.py): no control character reaches a node's name.
    return _SPACES.sub(" ", xml_safe(str(value))).strip()


def clean_multiline(value: Any) -> str:
    if value is None:
        return ""
    text = xml_safe(str(value)).replace("\r\n", "\n")
    return "\n".join(line.strip() for line in text.split("\n")).strip()


# Abbreviations that stay in capitals when an upper-case name is put in sentence case.
ABBREVIATIONS = {
    "АЭС",
    "ГЭС",
    "ГРЭС",
    "ТЭЦ",
    "ЛЭП",
    "ЖКХ",
    "ЭВМ",
    "МЧС",
    "ЧС",
    "ОВД",
    "КНБ",
    "СМИ",
    "ЭКГ",
    "НИИ",
    "ЦОН",
    "ҚР",
    "РК",
    "ТМЦ",
    "АСУ",
    "АТС",
    "СПИД",
    "ВИЧ",
    "ИТ",
    "IT",
    "ICT",
    "ГСМ",
    "КИПиА",
    "ЖЭК",
    "ТВ",
    "УЗИ",
    "ЛОР",
    "ПВО",
    "ЖД",
    "ЕАЭС",
    "ООН",
    "HR",
    "SMM",
    "PR",
    "GR",
}

# Stems of proper names that keep their capital letter.
PROPER_STEMS = ("казахстан", "қазақстан", "астан", "алмат", "шымкент", "байқоңыр", "байконур")

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def sentence_case(text: str) -> str:
    """'ИНЖЕНЕР-ПРОГРАММИСТ' → 'Инженер-программист'; mixed-case text is left alone."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return text
    upper_share = sum(c.isupper() for c in letters) / len(letters)
    if upper_share < 0.8 or len(letters) < 2:
        return text

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ABBREVIATIONS:
            return token
        lowered = token.lower()
        if lowered.startswith(PROPER_STEMS):
            return lowered.capitalize()
        return lowered

    result = _WORD.sub(word, text)
    return result[:1].upper() + result[1:]


def title_to_sentence_case(text: str) -> str:
    """ISCO's 'Software Developers' → 'Software developers' (the ILO's printed style)."""
    words = text.split(" ")
    small = {"and", "or", "of", "the", "in", "for", "to", "with", "a", "an", "on", "by", "not"}
    if len(words) < 2 or not all(
        w[:1].isupper() or not w[:1].isalpha() or w in small for w in words if w
    ):
        return sentence_case(text)
    out = [words[0]]
    for w in words[1:]:
        out.append(w if w.isupper() and len(w) > 1 else w[:1].lower() + w[1:])
    return " ".join(out)


def display_name(classifier: str, text: str) -> str:
    if classifier == ISCO08:
        return title_to_sentence_case(text)
    return sentence_case(text)


def search_text(*parts: str) -> str:
    return " ".join(p for p in parts if p).lower().replace("ё", "е")
