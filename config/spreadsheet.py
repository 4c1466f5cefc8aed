"""Text cells for CSV files that people open in a spreadsheet (ASVS 1.2.10).

A spreadsheet runs a cell that begins with = + - @ (or a tab or carriage return) as a
formula; such text is written with a leading apostrophe, which spreadsheets show as text,
and the apostrophe is removed again when the file is imported back."""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    text = text or ""
    return "'" + text if text.startswith(TRIGGERS) else text


def csv_unsafe(text: str) -> str:
    """The text as it was before `csv_safe`."""
    text = text or ""
    if text.startswith("'") and text[1:].startswith(TRIGGERS):
        return text[1:]
    if text.startswith("' ") and text[1:].lstrip().startswith(TRIGGERS):
        return text[1:].lstrip()  # an importer turned the tab after the apostrophe to a space
    return text
