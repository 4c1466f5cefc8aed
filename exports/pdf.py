"""PDF of one language of a version (WeasyPrint), laid out to Annex §12.

A large document is laid out in pieces, each starting a page: front matter and narrative;
Table 1, in two halves, the second continuing with "Продолжение таблицы 1" and the heading;
Table 2 with Table 3's first part; each further part of Table 3. The pieces are laid out in
parallel processes (`exports.pdf_worker`, one per core, each taking the next piece, largest
first), joined with pypdf, and the page numbers (Arabic, top centre, Annex §12) are
stamped on the joined pages as text in the embedded font. A piece's pages are
kept under its content hash (`SQF_DATA_DIR/pdf-pieces/`, setting SQF_PDF_PIECES_DIR), so
rendering again after an edit lays out only the pieces it changed. A small document is laid
out here in one flow, numbered by CSS.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import math
import os
import subprocess
import sys
import tempfile
import threading
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


# Layout seconds per character of a piece's HTML, relative to Tables 2–3 (measured on the
# large SQF, docs/benchmarks.md): narrative text flows in long lines, Table 1's rows break
# across pages. Only the order of the work depends on it.
COST_PER_CHAR = {
    "exports/_doc_front.html": 0.4,
    "exports/_doc_table1.html": 1.45,
    "exports/_doc_tables23.html": 1.0,
}


@dataclasses.dataclass(frozen=True)
class Piece:
    html: str
    cost: float  # estimated layout work, for scheduling only

    @property
    def key(self) -> str:
        return hashlib.sha256(self.html.encode("utf-8")).hexdigest()


def html_pieces(content: dict[str, Any], lang: str) -> list[Piece]:
    """The document as independent HTML documents, one per run of the document
    (`_atoms`), in order; each starts a page."""
    model = document_model(xml_safe_tree(content), lang)
    base = _context(model)
    base["css"] = CSS_PATH.read_text(encoding="utf-8") + PIECE_CSS
    pieces = []
    for atom in _atoms(model):
        body = render_to_string(atom["body_template"], {**base, **atom})
        html = render_to_string("exports/document.html", {**base, "body_html": body})
        pieces.append(Piece(html, len(body) * COST_PER_CHAR[atom["body_template"]]))
    return pieces


def _piece_dir() -> Path:
    path = Path(settings.SQF_PDF_PIECES_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _layout_here(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment

    # base_url points at exports/, so url(fonts/…) in the stylesheet finds the shipped fonts.
    return HTML(string=html, base_url=str(EXPORTS_DIR) + "/").write_pdf()


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _lay_out_in_workers(pieces: list[Piece], todo: list[int], out: list[bytes | None]) -> None:
    """Lays out pieces `todo` in up to one process per core (`exports.pdf_worker`, our own
    interpreter and module, no shell). Each process takes the next piece as soon as it is
    free, largest first, so the cores finish at about the same time; each loads WeasyPrint
    once."""
    from exports.pdf_worker import read_frame, write_frame

    queue = sorted(todo, key=lambda i: -pieces[i].cost)
    lock = threading.Lock()
    errors: list[str] = []

    def serve() -> None:
        with tempfile.TemporaryFile() as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "exports.pdf_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=str(EXPORTS_DIR.parent),
            )
            stdin, stdout = proc.stdin, proc.stdout
            if stdin is None or stdout is None:  # never: both are pipes
                raise RuntimeError("PDF layout process without pipes")
            try:
                while True:
                    with lock:
                        if not queue or errors:
                            break
                        i = queue.pop(0)
                    write_frame(stdin, pieces[i].html.encode("utf-8"))
                    data = read_frame(stdout)
                    if data is None or not data.startswith(b"%PDF"):
                        log.seek(0)
                        with lock:
                            errors.append(log.read().decode("utf-8", "replace")[-2000:])
                        break
                    out[i] = data
            finally:
                stdin.close()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    threads = [threading.Thread(target=serve) for _ in range(min(_workers(), len(todo)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors or any(out[i] is None for i in todo):
        raise RuntimeError("PDF layout failed: " + (errors[0] if errors else "no output"))


def render_pieces(pieces: list[Piece], *, parallel: bool) -> list[bytes]:
    """Each piece's PDF: from the kept pages where the piece is unchanged, else laid out."""
    folder = _piece_dir()
    keys = [piece.key for piece in pieces]
    out: list[bytes | None] = []
    for key in keys:
        path = folder / f"{key}.pdf"
        out.append(path.read_bytes() if path.is_file() else None)
    todo = [i for i, data in enumerate(out) if data is None]
    if parallel and len(todo) > 1:
        _lay_out_in_workers(pieces, todo, out)
    else:
        for i in todo:
            out[i] = _layout_here(pieces[i].html)
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


# The page number (Annex §12: Arabic numerals, top centre, 12 pt) is stamped as text in
# the shipped Times New Roman, reduced to its ten digits and embedded once for the whole
# document, at the place the stylesheet's @top-center box puts it in a single-flow
# document: centred between the side margins, its line (12 pt × 1.15) in the middle of the
# top margin (20 mm portrait, 30 mm landscape). The baseline offset was read off WeasyPrint's
# own @top-center output with the same font (see tests: every page numbered, centred).
NUMBER_FONT = "/SQFPageNumber"
NUMBER_SIZE = 12
MM = 72 / 25.4
BASELINE_BELOW_MARGIN_MIDDLE = 4.049  # pt
TO_UNICODE = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /SQF-Digits-UCS def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfrange <30> <39> <0030> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


@functools.lru_cache(maxsize=1)
def _digits_font() -> tuple[bytes, list[int], dict[str, int]]:
    """The regular face reduced to the digits 0-9 (a TrueType program), their advance
    widths in thousandths of an em, and the font descriptor's numbers."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(EXPORTS_DIR / "fonts" / "LiberationSerif-Regular.ttf")
    upem = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    widths = [round(font["hmtx"][cmap[c]][0] * 1000 / upem) for c in range(0x30, 0x3A)]
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    descriptor = {
        "ascent": round(hhea.ascent * 1000 / upem),
        "descent": round(hhea.descent * 1000 / upem),
        "cap": round(os2.sCapHeight * 1000 / upem),
        "bbox": [round(v * 1000 / upem) for v in (head.xMin, head.yMin, head.xMax, head.yMax)],
    }
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing to subset
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=range(0x30, 0x3A))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), widths, descriptor


def _number_font(writer: Any) -> Any:
    """The digits font as objects of `writer`; returns the font dictionary's reference."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
    )

    program, widths, d = _digits_font()
    name = NameObject("/SQFPGN+Times-New-Roman")
    file = DecodedStreamObject()
    file.set_data(program)
    file[NameObject("/Length1")] = NumberObject(len(program))
    file = file.flate_encode()
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): name,
            NameObject("/Flags"): NumberObject(34),  # serif, non-symbolic
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in d["bbox"]),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(d["ascent"]),
            NameObject("/Descent"): NumberObject(d["descent"]),
            NameObject("/CapHeight"): NumberObject(d["cap"]),
            NameObject("/StemV"): NumberObject(80),
            NameObject("/FontFile2"): writer._add_object(file),
        }
    )
    # Text extraction and screen readers map the codes to digits through this (PDF §9.10).
    to_unicode = DecodedStreamObject()
    to_unicode.set_data(TO_UNICODE)
    font = DictionaryObject(
        {
            NameObject("/ToUnicode"): writer._add_object(to_unicode),
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/TrueType"),
            NameObject("/BaseFont"): name,
            NameObject("/FirstChar"): NumberObject(0x30),
            NameObject("/LastChar"): NumberObject(0x39),
            NameObject("/Widths"): ArrayObject(FloatObject(w) for w in widths),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            NameObject("/FontDescriptor"): writer._add_object(descriptor),
        }
    )
    return writer._add_object(font)


def _number_ops(number: int, width: float, height: float) -> bytes:
    """The content-stream operators that print `number` on a page of this size."""
    _program, widths, _d = _digits_font()
    text = str(number)
    text_width = sum(widths[ord(ch) - 0x30] for ch in text) * NUMBER_SIZE / 1000
    if width > height:  # landscape: margins 30 top, 20 left and right
        top, left, right = 30 * MM, 20 * MM, 20 * MM
    else:  # portrait: 20 top, 30 left, 15 right
        top, left, right = 20 * MM, 30 * MM, 15 * MM
    x = left + (width - left - right - text_width) / 2
    y = height - (top / 2 + BASELINE_BELOW_MARGIN_MIDDLE)
    return (
        f"Q q 0 g BT {NUMBER_FONT} {NUMBER_SIZE} Tf 1 0 0 1 {x:.4f} {y:.4f} Tm ({text}) Tj ET Q"
    ).encode("ascii")


def join_and_number(parts: list[bytes]) -> bytes:
    """The pieces one after another, each page numbered (Annex §12). Each page's own
    drawing is wrapped in q … Q, so whatever graphics state it leaves cannot move the
    number; the font is one object shared by every page."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    for data in parts:
        writer.append(PdfReader(io.BytesIO(data)))
    font = _number_font(writer)
    save = DecodedStreamObject()
    save.set_data(b"q")
    save_ref = writer._add_object(save)
    for number, page in enumerate(writer.pages, start=1):
        box = page.mediabox
        stamp = DecodedStreamObject()
        stamp.set_data(_number_ops(number, float(box.width), float(box.height)))
        contents = page.get("/Contents")
        if contents is None:
            own: list[Any] = []
        else:
            resolved = contents.get_object()
            own = list(resolved) if isinstance(resolved, list) else [contents]
        page[NameObject("/Contents")] = ArrayObject([save_ref, *own, writer._add_object(stamp)])
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()
        page[NameObject("/Resources")] = resources
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        fonts[NameObject(NUMBER_FONT)] = font
        resources[NameObject("/Font")] = fonts
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
