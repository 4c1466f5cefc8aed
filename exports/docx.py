"""DOCX of one language of a version (python-docx), laid out to Annex §12.

python-docx's built-in template is US Letter with theme fonts (Calibri/Cambria) and
1.15 spacing with 10 pt after paragraphs; every one of those is replaced here: A4,
margins 30/15/20/20 mm, "Times New Roman" named for every script (ascii, hAnsi, cs,
eastAsia) with the theme attributes removed, single spacing, 14 pt text and bold
headings, 12 pt in tables, header rows repeated, a centred PAGE field in the header.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from exports.layout import T3_NUMBERS, Model, Named, document_model

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


def _cell(cell: Any, text: str, *, bold: bool = False, center: bool = False) -> None:
    para = cell.paragraphs[0]
    # By style id: assigning the style by name makes python-docx scan every style twice
    # per cell, 80 % of a large document's time (docs/benchmarks.md).
    para._p.style = TABLE_TEXT_ID
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = (text or "").split("\n")
    for i, line in enumerate(lines):
        run = para.add_run(line)
        if bold:
            run.bold = True
        if i < len(lines) - 1:
            run.add_break()


def _table(doc: Any, widths_mm: list[float], header_rows: int) -> Any:
    cols = len(widths_mm)
    table = doc.add_table(rows=header_rows, cols=cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(widths_mm)
    scaled = [w * TEXT_WIDTH_MM / total for w in widths_mm]
    for row in table.rows:
        _repeat_header(row)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), scaled, strict=True):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    table._sqf_widths = scaled  # type: ignore[attr-defined]
    return table


def _add_row(
    table: Any, values: list[str], *, center: set[int] | frozenset[int] = frozenset()
) -> Any:
    row = table.add_row()
    # Column widths come from the table grid (w:gridCol); a width per cell adds nothing
    # but time on a 7,000-cell table.
    for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
        _cell(cell, value, center=i in center)
    return row


def _names(nodes: list[Named]) -> str:
    return "; ".join(f"{n.code} {n.title}".strip() for n in nodes)


def render_docx(content: dict[str, Any], lang: str) -> bytes:
    model = document_model(content, lang)
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
    doc.add_paragraph(c["t1"]).runs[0].bold = True
    if m.t1_fill:
        # Annex §9: the fill-in line under the caption, filled with the sector.
        doc.add_paragraph().add_run(m.t1_fill).underline = True
    table = _table(doc, [9, 14, 9, 11, 14, 14, 14, 15], 2)
    for i, cell in enumerate(table.rows[0].cells):
        _cell(cell, c[f"t1_c{i + 1}"], bold=True, center=True)
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
                    _names(r["occupations"]),
                    str(r["nqf_level"]),
                    r["stages"],
                    r["role"],
                    r["knowledge"],
                    r["skills"],
                    r["competences"],
                ],
                center={0, 2},
            )


def _write_table2(doc: Any, m: Model) -> None:
    c = m.c
    _heading(doc, c["s10"])
    doc.add_paragraph(c["t2"]).runs[0].bold = True
    groups = m.table2["groups"]
    if not groups:
        return
    table = _table(doc, [12] + [max(10, 88 / len(groups))] * len(groups), 2)
    top = table.rows[0].cells
    _cell(top[0].merge(table.rows[1].cells[0]), c["t2_c1"], bold=True, center=True)
    _cell(top[1].merge(top[-1]), c["t2_groups"], bold=True, center=True)
    for cell, g in zip(table.rows[1].cells[1:], groups, strict=True):
        _cell(cell, f"{g.code} {g.title}", bold=True, center=True)
    for level, cells in m.table2["grid"]:
        _add_row(
            table,
            [level, *["\n".join(f"{n.code} {n.title}" for n in occ) for occ in cells]],
            center={0},
        )
    if m.table2["links"]:
        para = doc.add_paragraph()
        para.add_run(c["t2_links"]).bold = True
        for link in m.table2["links"]:
            doc.add_paragraph(
                f"•\t{link['from']} ({link['from_level']}) → {link['to']} ({link['to_level']}): {link['kind']}"
                + (f"; {link['experience']}" if link["experience"] else "")
            )


def _write_table3(doc: Any, m: Model) -> None:
    c = m.c
    _heading(doc, c["s11"])
    doc.add_paragraph(c["t3"]).runs[0].bold = True
    from exports.layout import T3_WEIGHTS

    table = _table(doc, T3_WEIGHTS, 3)
    r0, r1, r2 = (table.rows[i].cells for i in range(3))
    single = {
        0: "t3_no",
        4: "t3_corr",
        8: "t3_corr",
        13: "t3_main_group",
        14: "t3_occupation",
        15: "t3_skill",
        16: "t3_nqf",
        17: "t3_sqf",
    }
    for index, key in single.items():
        _cell(r0[index].merge(r1[index]), c[key], bold=True, center=True)
    oked = f"{c['t3_g_oked']}: {c['t3_oked_division']}, {c['t3_oked_group']}, {c['t3_oked_class']}, {c['t3_oked_subclass']}"
    _cell(r0[12].merge(r1[12]), oked, bold=True, center=True)
    for start, key in ((1, "t3_g_isco"), (5, "t3_g_unit"), (9, "t3_g_group")):
        _cell(r0[start].merge(r0[start + 2]), c[key], bold=True, center=True)
    subs = {
        1: "t3_isco_code",
        2: "t3_name_en",
        3: "t3_name_kkru",
        5: "t3_nkz_code",
        6: "t3_name_kk",
        7: "t3_name_ru",
        9: "t3_nkz_code",
        10: "t3_name_kk",
        11: "t3_name_ru",
    }
    for index, key in subs.items():
        _cell(r1[index], c[key], bold=True, center=True)
    for cell, number in zip(r2, T3_NUMBERS, strict=True):
        _cell(cell, str(number), center=True)
    for i, r in enumerate(m.table3, start=1):
        oked_lines = [n.code for n in r["oked"] if n.code]
        if oked_lines:
            oked_lines[-1] = f"{oked_lines[-1]} {r['oked'][len(oked_lines) - 1].title}"
        _add_row(
            table,
            [
                str(i),
                r["isco"].code,
                r["isco"].name_en,
                r["nkz_unit"].title,
                r["isco_corr"],
                r["nkz_unit"].code,
                r["nkz_unit"].name_kk,
                r["nkz_unit"].name_ru,
                r["nkz_corr"],
                r["nkz_group"].code,
                r["nkz_group"].name_kk,
                r["nkz_group"].name_ru,
                "\n".join(oked_lines),
                r["main_group"].code,
                f"{r['occupation'].code} {r['occupation'].title}",
                str(r["skill_level"] or "—"),
                str(r["nqf_level"]),
                r["sqf_level"],
            ],
            center={0, 13, 15, 16, 17},
        )
