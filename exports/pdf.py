"""PDF of one language of a version (WeasyPrint), laid out to Annex §12."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from config.text import xml_safe_tree
from exports.layout import document_model

EXPORTS_DIR = Path(__file__).resolve().parent
CSS_PATH = EXPORTS_DIR.parent / "templates" / "exports" / "document.css"


def render_html(content: dict[str, Any], lang: str) -> str:
    # Defensive: no stored control character may stop a render (config/text.py).
    model = document_model(xml_safe_tree(content), lang)
    context = {f.name: getattr(model, f.name) for f in dataclasses.fields(model)}
    context["css"] = CSS_PATH.read_text(encoding="utf-8")
    return render_to_string("exports/document.html", context)


def render_pdf(content: dict[str, Any], lang: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    html = render_html(content, lang)
    # base_url points at exports/, so url(fonts/…) in the stylesheet finds the shipped fonts.
    return HTML(string=html, base_url=str(EXPORTS_DIR) + "/").write_pdf()
