"""DOCX of one language of a version (python-docx), laid out to Annex §12.

python-docx's built-in template is US Letter with theme fonts (Calibri/Cambria) and
1.15 spacing with 10 pt after paragraphs; every one of those is replaced here: A4,
margins 30/15/20/20 mm, "Times New Roman" named for every script (ascii, hAnsi, cs,
eastAsia) with the theme attributes removed, single spacing, 14 pt text and bold
headings, 12 pt in tables, header rows repeated, a centred PAGE field in the header.
"""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from config.text import xml_safe_tree
from exports.layout import LANDSCAPE_TEXT_WIDTH_MM, Model, Named, TablePart, document_model
from sbsh.document.hyphen import SHY

FONT = "Times New Roman"
TABLE_TEXT_ID = "TableText"  # the id python-docx gives the "Table Text" style added in _prepare
TEXT_WIDTH_MM = 210 - 30 - 15


def _set_fonts(element: Any, size: float | None = None) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(int(size * 2)))


def _prepare(doc: Any) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    fonts.attrib.clear()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")

    for name, size, bold in (
        ("Normal", 14, None),
        ("Heading 1", 14, True),
        ("Heading 2", 14, True),
        ("Title", 14, True),
    ):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        if bold is not None:
            style.font.bold = bold
        _set_fonts(style.element, size)
        pf = style.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.space_before = Pt(6 if name.startswith("Heading") else 0)
        pf.space_after = Pt(6 if name.startswith("Heading") else 0)
        pf.keep_with_next = name != "Normal"
    table_text = styles.add_style("Table Text", 1)  # WD_STYLE_TYPE.PARAGRAPH
    table_text.base_style = styles["Normal"]
    table_text.font.size = Pt(12)
    _set_fonts(table_text.element, 12)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.header_distance = Mm(10)
    page_numbers = OxmlElement("w:pgNumType")
    page_numbers.set(qn("w:fmt"), "decimal")
    section._sectPr.find(qn("w:cols")).addprevious(page_numbers)  # schema order: before w:cols

    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = header.add_run()
        _set_fonts(run._r, 12)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text


class _HtmlToDocx(HTMLParser):
    """The sanitised rich text of a part (p, strong/b, em/i, u, ul/ol/li, br) as paragraphs."""

    def __init__(self, doc: Any) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = doc
        self.paragraph: Any = None
        self.bold = self.italic = self.underline = 0
        self.lists: list[list[Any]] = []  # [kind, counter]

    def _para(self) -> Any:
        if self.paragraph is None:
            self.paragraph = self.doc.add_paragraph()
            self.paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            self.paragraph.paragraph_format.space_after = Pt(6)
        return self.paragraph

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "h3", "h4"):
            self.paragraph = None
            self._para()
            if tag != "p":
                self.bold += 1
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "u":
            self.underline += 1
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            self.paragraph = None
            para = self._para()
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
            para.paragraph_format.left_indent = Mm(8 * max(1, len(self.lists)))
            para.paragraph_format.first_line_indent = Mm(-5)
            if self.lists:
                self.lists[-1][1] += 1
                marker = "•" if self.lists[-1][0] == "ul" else f"{self.lists[-1][1]}."
            else:
                marker = "•"
            para.add_run(marker + "\t")
        elif tag == "br":
            self._para().add_run().add_break()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li"):
            self.paragraph = None
        elif tag in ("h3", "h4"):
            self.paragraph = None
            self.bold = max(0, self.bold - 1)
        elif tag in ("strong", "b"):
            self.bold = max(0, self.bold - 1)
        elif tag in ("em", "i"):
            self.italic = max(0, self.italic - 1)
        elif tag == "u":
            self.underline = max(0, self.underline - 1)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()

    def handle_data(self, data: str) -> None:
        if not data.strip() and self.paragraph is None:
            return
        run = self._para().add_run(data)
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None
        run.underline = bool(self.underline) or None


def _heading(doc: Any, text: str, level: int = 1) -> None:
    para = doc.add_paragraph(text, style="Heading 1" if level == 1 else "Heading 2")
    if level > 1:
        for run in para.runs:
            run.italic = True


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _text_into(run: Any, line: str) -> None:
    """Text with soft hyphens as Word's optional hyphens (w:softHyphen), so Word and
    LibreOffice split a long word only at a syllable, with a hyphen (exports.hyphen)."""
    if SHY not in line:
        run.text = line
        return
    for i, piece in enumerate(line.split(SHY)):
        if i:
            run._r.append(OxmlElement("w:softHyphen"))
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = piece
        run._r.append(t)


def _cell(cell: Any, text: str, *, bold: bool = False, center: bool = False) -> None:
    para = cell.paragraphs[0]
    # By style id: assigning the style by name makes python-docx scan every style twice
    # per cell, 80 % of a large document's time (docs/benchmarks.md).
    para._p.style = TABLE_TEXT_ID
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = (text or "").split("\n")
    for i, line in enumerate(lines):
        run = para.add_run()
        _text_into(run, line)
        if bold:
            run.bold = True
        if i < len(lines) - 1:
            run.add_break()


def _table(
    doc: Any, widths_mm: list[float], header_rows: int, text_width: float = TEXT_WIDTH_MM
) -> Any:
    cols = len(widths_mm)
    table = doc.add_table(rows=header_rows, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(widths_mm)
    scaled = [w * text_width / total for w in widths_mm]
    for row in table.rows:
        _repeat_header(row)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), scaled, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    table._sqf_widths = scaled  # type: ignore[attr-defined]
    return table


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR): never written.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _runs_xml(text: str) -> str:
    """One run per line of the cell, soft hyphens as w:softHyphen, lines joined by w:br."""
    out = []
    for i, line in enumerate(NOT_XML.sub("", text or "").split("\n")):
        pieces = "<w:softHyphen/>".join(
            f'<w:t xml:space="preserve">{html.escape(piece, quote=False)}</w:t>'
            for piece in line.split(SHY)
        )
        out.append(f"<w:r>{'<w:br/>' if i else ''}{pieces}</w:r>")
    return "".join(out)


def _add_row(
    table: Any,
    values: list[str],
    *,
    center: set[int] | frozenset[int] = frozenset(),
    cant_split: bool = False,
) -> Any:
    """A body row, written as one piece of XML: building it element by element through
    python-docx costs most of a large document's time (bench/documents.py). Column widths
    come from the table grid (w:gridCol); a width per cell would add nothing but time."""
    cells = []
    for i, value in enumerate(values):
        jc = '<w:jc w:val="center"/>' if i in center else ""
        cells.append(
            f'<w:tc><w:tcPr/><w:p><w:pPr><w:pStyle w:val="{TABLE_TEXT_ID}"/>{jc}</w:pPr>'
            f"{_runs_xml(value)}</w:p></w:tc>"
        )
    tr_pr = "<w:trPr><w:cantSplit/></w:trPr>" if cant_split else ""
    row = parse_xml(f'<w:tr xmlns:w="{W_NS}">{tr_pr}{"".join(cells)}</w:tr>')
    table._tbl.append(row)
    return row


def _names(nodes: list[Named]) -> str:
    return "; ".join(f"{n.code} {n.title}".strip() for n in nodes)


def render_docx(content: dict[str, Any], lang: str) -> bytes:
    # Defensive: no stored control character may stop a render (config/text.py).
    model = document_model(xml_safe_tree(content), lang)
    doc = Document()
    _prepare(doc)
    _write_front(doc, model)
    _write_table1(doc, model)
    _write_table2(doc, model)
    _write_table3(doc, model)
    doc.core_properties.title = model.name
    doc.core_properties.language = lang
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _write_front(doc: Any, m: Model) -> None:
    c = m.c
    for text, bold in (
        (c["doc_kind"], True),
        (m.name, True),
        (
            f"{c['approved']}: {m.approved_on or c['not_approved']} · {c['version']} {m.version['number']}",
            False,
        ),
    ):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run(text).bold = bold or None
    _heading(doc, c["s1"])
    doc.add_paragraph(f"{m.name}. {c['approved']}: {m.approved_on or c['not_approved']}.")
    _heading(doc, c["s2"])
    _heading(doc, c["sector"], 2)
    _HtmlToDocx(doc).feed(m.passport["sector"])
    for key, nodes in (("oked", m.passport["oked"]), ("nkz", m.passport["nkz"])):
        _heading(doc, c[key], 2)
        for n in nodes:
            para = doc.add_paragraph(f"•\t{n.code} — {n.title}")
            para.paragraph_format.left_indent = Mm(8)
            para.paragraph_format.first_line_indent = Mm(-5)
    for part in m.parts:
        _heading(doc, part.get("heading") or part["subheading"], 1 if part.get("heading") else 2)
        _HtmlToDocx(doc).feed(part["html"])
        if part["key"] == "occupations":
            _heading(doc, c["s7"])
            table = _table(doc, [8, 44, 18, 30], 1)
            for cell, text in zip(
                table.rows[0].cells,
                ["№", c["std_name"], c["std_status"], c["std_nkz"]],
                strict=True,
            ):
                _cell(cell, text, bold=True, center=True)
            for i, s in enumerate(m.standards, start=1):
                _add_row(table, [str(i), s["name"], s["status"], _names(s["nkz"])], center={0})


def _write_table1(doc: Any, m: Model) -> None:
    c = m.c
    _heading(doc, c["s9"])
    caption = doc.add_paragraph(c["t1"])
    caption.runs[0].bold = True
    caption.paragraph_format.keep_with_next = True
    if m.t1_fill:
        # Annex §9: the fill-in line under the caption, filled with the sector.
        fill = doc.add_paragraph()
        fill.add_run(m.t1_fill).underline = True
        fill.paragraph_format.keep_with_next = True
    table = _table(doc, [float(w) for w in m.t1_widths], 2)
    for cell, heading in zip(table.rows[0].cells, m.t1_headings, strict=True):
        _cell(cell, heading, bold=True, center=True)
    for i, cell in enumerate(table.rows[1].cells):
        _cell(cell, str(i + 1), center=True)
    for section in m.table1:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _cell(merged, section["caption"], bold=True)
        for r in section["rows"]:
            _add_row(
                table,
                [
                    r["sqf_level"],
                    r["occupations_text"],
                    str(r["nqf_level"]),
                    r["stages"],
                    r["role"],
                    r["knowledge"],
                    r["skills"],
                    r["competences"],
                ],
                center={0, 2},
            )


def _write_parts(doc: Any, parts: list[TablePart], text_width: float) -> None:
    """Tables 2 and 3 as the PDF prints them: parts one under another, each with its
    caption ("Продолжение таблицы 3"), its heading rows and the row of column numbers,
    repeated on every page (w:tblHeader), the key column first (exports/layout.py)."""
    for part in parts:
        caption = doc.add_paragraph()
        caption.add_run(part.caption).bold = True
        caption.paragraph_format.keep_with_next = True
        caption.paragraph_format.space_before = Pt(6)
        heads = part.header_rows()
        table = _table(doc, [col.width_mm for col in part.columns], len(heads) + 1, text_width)
        for r, hrow in enumerate(heads):
            index = 0
            for h in hrow:
                while _covered(table, r, index):
                    index += 1
                cell = table.rows[r].cells[index]
                last = table.rows[r + h["rowspan"] - 1].cells[index + h["colspan"] - 1]
                if last is not cell:
                    cell = cell.merge(last)
                _cell(cell, h["text"], bold=True, center=True)
                for rr in range(r, r + h["rowspan"]):
                    for cc in range(index, index + h["colspan"]):
                        table._sqf_taken.add((rr, cc))  # type: ignore[attr-defined]
                index += h["colspan"]
        numbers = table.rows[len(heads)].cells
        index = 0
        for n in part.number_cells():
            cell = numbers[index]
            if n["colspan"] > 1:
                cell = cell.merge(numbers[index + n["colspan"] - 1])
            _cell(cell, n["text"], center=True)
            index += n["colspan"]
        for row in part.body():
            # A row is not split over two pages unless it is taller than a page.
            _add_row(
                table,
                [cell["text"] for cell in row],
                center={i for i, cell in enumerate(row) if cell["center"]},
                cant_split=True,
            )


def _covered(table: Any, r: int, c: int) -> bool:
    taken = getattr(table, "_sqf_taken", None)
    if taken is None:
        table._sqf_taken = taken = set()
    return (r, c) in taken


def _landscape_section(doc: Any, on: bool) -> None:
    """Tables 2–3 on landscape pages (the per-SQF option), then back to portrait."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    if on:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(30), Mm(15)
        section.left_margin, section.right_margin = Mm(20), Mm(20)


def _write_table2(doc: Any, m: Model) -> None:
    c = m.c
    width = LANDSCAPE_TEXT_WIDTH_MM if m.landscape else TEXT_WIDTH_MM
    if m.landscape:
        _landscape_section(doc, True)
    _heading(doc, c["s10"])
    _write_parts(doc, m.table2["parts"], width)
    if m.table2["links"]:
        para = doc.add_paragraph()
        para.add_run(c["t2_links"]).bold = True
        para.paragraph_format.keep_with_next = True
        for link in m.table2["links"]:
            doc.add_paragraph(
                f"•\t{link['from']} ({link['from_level']}) → {link['to']} ({link['to_level']}): {link['kind']}"
                + (f"; {link['experience']}" if link["experience"] else "")
            )


def _write_table3(doc: Any, m: Model) -> None:
    c = m.c
    width = LANDSCAPE_TEXT_WIDTH_MM if m.landscape else TEXT_WIDTH_MM
    _heading(doc, c["s11"])
    _write_parts(doc, m.table3, width)
