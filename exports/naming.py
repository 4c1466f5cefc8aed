"""One naming scheme for document files, in the workbench and in the registry alike:
`<short name in the file's language>-v<N>-<lang>.<ext>`, e.g. `Электроэнергетика-v2-kk.pdf`
and `Электроэнергетика-v2-ru.pdf` (the sector's name in that language; letters, digits
and hyphens only, so every system keeps the name)."""

from __future__ import annotations

import re
from typing import Any

UNSAFE = re.compile(r"[^\w]+", re.UNICODE)


def safe(text: str, limit: int = 60) -> str:
    return UNSAFE.sub("-", text or "").replace("_", "-").strip("-")[:limit].strip("-") or "SQF"


def document_filename(framework: Any, number: int, lang: str, ext: str) -> str:
    """`framework` is a Framework or the content's {"sector": {"kk": …, "ru": …}}."""
    if isinstance(framework, dict):
        sector = framework.get("sector", {})
        name = sector.get(lang) or sector.get("ru") or sector.get("kk") or ""
    else:
        name = getattr(framework, f"sector_{lang}", "") or framework.sector_ru
    return f"{safe(name)}-v{number}-{lang}.{ext}"
