"""PDF of one language of a version (WeasyPrint), laid out to Annex §12.

A large document is laid out in four pieces of about equal work, each starting a page and
holding consecutive runs of the document (front matter and narrative; Table 1, in two
halves, the second continuing with "Продолжение таблицы 1" and the heading; Table 2 with
Table 3's first part; each further part of Table 3). The pieces are laid out in parallel
processes (`exports.pdf_worker`, one per core), joined with pypdf, and the page numbers
(Arabic, top centre, Annex §12) are stamped over the joined pages. A piece's pages are
kept under its content hash (`SQF_DATA_DIR/pdf-pieces/`, setting SQF_PDF_PIECES_DIR), so
rendering again after an edit lays out only the pieces it changed. A small document is laid
out here in one flow, numbered by CSS.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from config.text import xml_safe_tree
from exports.layout import Model, document_model

EXPORTS_DIR = Path(__file__).resolve().parent
CSS_PATH = EXPORTS_DIR.parent / "templates" / "exports" / "document.css"
T1_ROWS_PER_PIECE = 60  # Table 1 is laid out in two halves above this
# Below this many table rows the whole document is laid out here, one piece after another.
PARALLEL_FROM_ROWS = 80
PIECES_KEPT = 400

PREVIEW_CSS = """
body { max-width: 165mm; margin: 0 auto; padding: 20mm 15mm 20mm 30mm; background: #fff; }
html { background: #e8e8e8; }
section.landscape { max-width: 257mm; }
.preview-note { font: 12pt sans-serif; background: #fff3cd; border: 1px solid #d9b64a; padding: 6pt 8pt; margin: 0 0 12pt; }
/* On a phone the page keeps its width: narrow margins, and a table wider than the screen
   scrolls inside itself. */
@media (max-width: 700px) {
  body { padding: 12px 8px; }
  table { display: block; overflow-x: auto; }
}
"""
# Pieces carry no page numbers: they are stamped after joining.
PIECE_CSS = """
@page { @top-center { content: none; } }
@page landscape { @top-center { content: none; } }
section.landscape { break-before: auto; }
"""


def _context(model: Model) -> dict[str, Any]:
    return {f.name: getattr(model, f.name) for f in dataclasses.fields(model)}


def render_html(content: dict[str, Any], lang: str, *, preview: bool = False) -> str:
    """The document's HTML, laid out by WeasyPrint for the PDF; with `preview`, the same
    page for a browser (the draft preview): no page boxes, the system's Times New Roman
    (Liberation Serif, same metrics) instead of the embedded fonts, and a note that this
    is not the official document."""
    # Defensive: no stored control character may stop a render (config/text.py).
    context = _context(document_model(xml_safe_tree(content), lang))
    css = CSS_PATH.read_text(encoding="utf-8")
    if preview:
        css = "\n".join(line for line in css.splitlines() if not line.startswith("@font-face"))
        css += PREVIEW_CSS
    context["css"] = css
    context["preview"] = preview
    return render_to_string("exports/document.html", context)


def _atoms(model: Model) -> list[dict[str, Any]]:
    """The document's independent runs, in order: front matter, Table 1 (in halves when
    long: the second continues with "Продолжение таблицы 1" and the heading), Table 2 with
    Table 3's first part, and each further part of Table 3."""
    c = model.c
    atoms: list[dict[str, Any]] = [{"body_template": "exports/_doc_front.html"}]
    rows = [(section, r) for section in model.table1 for r in section["rows"]]
    halves = 2 if len(rows) > T1_ROWS_PER_PIECE else 1
    cut = math.ceil(len(rows) / halves) if rows else 0
    for i in range(halves):
        sections: list[dict[str, Any]] = []
        for section, r in rows[i * cut : (i + 1) * cut]:
            if not sections or sections[-1]["key"] is not section:
                first = r is section["rows"][0]
                sections.append(
                    {"key": section, "caption": section["caption"] if first else "", "rows": []}
                )
            sections[-1]["rows"].append(r)
        if i == 0 and not rows:
            sections = [{"caption": s["caption"], "rows": []} for s in model.table1]
        atoms.append(
            {
                "body_template": "exports/_doc_table1.html",
                "t1_first": i == 0,
                "t1_caption": c["t1"] if i == 0 else c["t1_continued"],
                "t1_sections": sections,
            }
        )
    t3 = model.table3
    atoms.append(
        {
            "body_template": "exports/_doc_tables23.html",
            "t2": True,
            "t3_parts": t3[:1],
            "t3_first": True,
        }
    )
    atoms += [
        {"body_template": "exports/_doc_tables23.html", "t3_parts": [part], "t3_first": False}
        for part in t3[1:]
    ]
    return atoms


def html_pieces(content: dict[str, Any], lang: str, pieces: int = 4) -> list[str]:
    """The document as `pieces` independent HTML documents of about equal work, each a run
    of consecutive atoms starting a page, in order."""
    model = document_model(xml_safe_tree(content), lang)
    base = _context(model)
    base["css"] = CSS_PATH.read_text(encoding="utf-8") + PIECE_CSS
    bodies = [render_to_string(a["body_template"], {**base, **a}) for a in _atoms(model)]
    # Consecutive runs of about equal length (the length of the HTML tracks the layout work).
    target = sum(len(b) for b in bodies) / pieces
    groups: list[list[str]] = [[]]
    done = 0.0
    for body in bodies:
        if groups[-1] and done + len(body) / 2 > target * len(groups) and len(groups) < pieces:
            groups.append([])
        groups[-1].append(body)
        done += len(body)
    return [
        render_to_string("exports/document.html", {**base, "body_html": "".join(g)}) for g in groups
    ]


def _piece_dir() -> Path:
    path = Path(settings.SQF_PDF_PIECES_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _layout_here(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    # base_url points at exports/, so url(fonts/…) in the stylesheet finds the shipped fonts.
    return HTML(string=html, base_url=str(EXPORTS_DIR) + "/").write_pdf()


def _layout_in_process(html: str) -> bytes:
    # Our own interpreter and module, no shell.
    result = subprocess.run(
        [sys.executable, "-m", "exports.pdf_worker"],
        input=html.encode("utf-8"),
        capture_output=True,
        check=False,
        cwd=str(EXPORTS_DIR.parent),
        timeout=settings.CELERY_TASK_TIME_LIMIT,
    )
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF"):
        raise RuntimeError("PDF layout failed: " + result.stderr.decode("utf-8", "replace")[-2000:])
    return result.stdout


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def render_pieces(pieces: list[str], *, parallel: bool) -> list[bytes]:
    """Each piece's PDF: from the kept pages where the piece is unchanged, else laid out."""
    folder = _piece_dir()
    keys = [hashlib.sha256(h.encode("utf-8")).hexdigest() for h in pieces]
    out: list[bytes | None] = []
    for key in keys:
        path = folder / f"{key}.pdf"
        out.append(path.read_bytes() if path.is_file() else None)
    todo = [i for i, data in enumerate(out) if data is None]
    if parallel and len(todo) > 1:
        # Largest first, so the last piece to start is a small one.
        todo.sort(key=lambda i: -len(pieces[i]))
        with ThreadPoolExecutor(max_workers=_workers()) as pool:
            laid_out = pool.map(lambda i: _layout_in_process(pieces[i]), todo)
            for i, data in zip(todo, laid_out, strict=True):
                out[i] = data
    else:
        for i in todo:
            out[i] = _layout_here(pieces[i])
    for i in todo:
        tmp = folder / f"{keys[i]}.tmp{os.getpid()}"
        tmp.write_bytes(out[i])  # type: ignore[arg-type]
        tmp.replace(folder / f"{keys[i]}.pdf")
    _prune(folder)
    return [data for data in out if data is not None]


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
    for path in files[:-PIECES_KEPT]:
        path.unlink(missing_ok=True)


def _numbers_pdf(sizes: list[tuple[float, float]]) -> bytes:
    """One page per page of the document, of the same size, with only its number at the top
    centre, 12 pt, in the top margin (Annex §12)."""
    from weasyprint import HTML

    pages = []
    for i, (w, h) in enumerate(sizes, start=1):
        landscape = w > h
        pages.append(f'<div class="{"l" if landscape else "p"}">{i}</div>')
    # The number sits where the stylesheet's @top-center box puts it: centred between the
    # side margins, in the middle of the top margin (20 mm portrait, 30 mm landscape).
    css = (
        CSS_PATH.read_text(encoding="utf-8").split("@page", 1)[0]
        + """
@page p { size: A4 portrait; margin: 0; }
@page l { size: A4 landscape; margin: 0; }
html { font-family: "Times New Roman"; font-size: 12pt; line-height: 1.15; }
div { text-align: center; height: 20mm; }
div.p { page: p; margin: 0 15mm 0 30mm; padding-top: 7.6mm; }
div.l { page: l; margin: 0 20mm 0 20mm; padding-top: 12.6mm; }
div + div { break-before: page; }
"""
    )
    html = f"<html><head><style>{css}</style></head><body>{''.join(pages)}</body></html>"
    return HTML(string=html, base_url=str(EXPORTS_DIR) + "/").write_pdf()


def join_and_number(parts: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in parts:
        writer.append(PdfReader(io.BytesIO(data)))
    sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in writer.pages]
    numbers = PdfReader(io.BytesIO(_numbers_pdf(sizes)))
    for page, number in zip(writer.pages, numbers.pages, strict=True):
        page.merge_page(number)
        page.compress_content_streams()
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_pdf(content: dict[str, Any], lang: str) -> bytes:
    """A document of fewer than PARALLEL_FROM_ROWS table rows flows as one (Table 3's parts
    follow one another on the same page); a larger one is laid out in pieces in parallel."""
    rows = len(content["table1"]) + len(content["table3"])
    if rows < PARALLEL_FROM_ROWS:
        return _layout_here(render_html(content, lang))
    pieces = html_pieces(content, lang)
    return join_and_number(render_pieces(pieces, parallel=True))
