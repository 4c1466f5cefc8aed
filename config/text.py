"""One text-normalisation layer for everything people type, paste or upload.

Word and PDF readers paste C0 control characters into text (U+000B, Word's manual line
break, above all). XML 1.0 — hence DOCX — cannot hold them, so a single one stored in
SQF content made the hand-over documents impossible to render (Rules §14). The boundary
(`config.middleware.InputBoundaryMiddleware` for every form, `config.parsers` for the
API's JSON, the spreadsheet and JSON importers) therefore:

- refuses NUL (U+0000) with a message: no database stores it reliably (PostgreSQL
  refuses it) and no person types it on purpose;
- turns a vertical tab or form feed (a manual line or page break) into a line break;
- removes every other C0 control except tab, CR and LF, and the characters XML 1.0
  forbids (U+FFFE, U+FFFF, lone surrogates).

The document writers call `xml_safe`/`xml_safe_tree` as well, defensively, and the data
migration `sbsh/migrations/*_clean_control_characters.py` cleaned what was stored before.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

BREAKS = re.compile("[\x0b\x0c]")
# C0 controls except tab (09), LF (0A), CR (0D); XML's non-characters; lone surrogates.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

NUL_MESSAGE = _(
    "The text contains a NUL character (U+0000), which cannot be stored; remove it and send again."
)


class NulCharacter(ValueError):
    """A value holds U+0000: refused, never silently changed."""


def has_nul(value: str) -> bool:
    return "\x00" in value


def clean_text(value: str) -> str:
    """The text as stored: manual line/page breaks → line breaks, other controls removed.
    NUL is refused (NulCharacter)."""
    if "\x00" in value:
        raise NulCharacter(str(NUL_MESSAGE))
    if not UNSAFE.search(value):
        return value
    return UNSAFE.sub("", BREAKS.sub("\n", value))


def xml_safe(value: str) -> str:
    """For writers (DOCX, PDF) and the data migration: like clean_text, but NUL is
    removed too — a writer must never fail on stored text."""
    if not UNSAFE.search(value):
        return value
    return UNSAFE.sub("", BREAKS.sub("\n", value))


def clean_tree(value: Any, *, safe: bool = False) -> Any:
    """`clean_text` (or `xml_safe` with safe=True) on every string of a JSON-like value,
    keys included."""
    fix = xml_safe if safe else clean_text
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, dict):
        return {clean_tree(k, safe=safe): clean_tree(v, safe=safe) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_tree(v, safe=safe) for v in value]
    return value


def xml_safe_tree(value: Any) -> Any:
    return clean_tree(value, safe=True)


def clean_stored_text(models: list[Any]) -> int:
    """Clean text already stored (the data migration `sbsh/0009_clean_control_characters`
    runs this over the SQF content and the classifiers): every CharField and TextField
    value with a character `xml_safe` removes is rewritten. Returns the number of rows
    changed. Rows are updated by queryset (no save hooks, no `updated_at` touched)."""
    from django.db import models as dj

    changed = 0
    for model in models:
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, dj.CharField | dj.TextField) and f.concrete and not f.primary_key
        ]
        if not fields:
            continue
        for row in model._base_manager.values("pk", *fields).iterator(chunk_size=2000):
            fixed = {
                name: xml_safe(value)
                for name in fields
                if isinstance(value := row[name], str) and UNSAFE.search(value)
            }
            if fixed:
                model._base_manager.filter(pk=row["pk"]).update(**fixed)
                changed += 1
    return changed
