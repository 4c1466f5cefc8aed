"""The document in one language, laid out from the JSON content (no database).

`document_model(content, lang)` turns the content (exports.content) into what both
renderers need: captions in the document's language, names in that language, Table 1
grouped by process section, and Tables 2 and 3 divided into parts that a person can read.

Tables 2 and 3 are wider than an A4 page in portrait at 12 pt (Annex §12): Table 3 has 18
numbered columns, five of them OKED levels; Table 2 has a column per NKZ unit group. They
are printed as the CIS standard for text documents prints wide tables (ГОСТ 2.105 §4.4,
followed by the Kazakh standards): divided into parts placed one under another, each part
repeating the row-identifying column (№ for Table 3, the SQF level for Table 2), its own
heading and the row of column numbers. Which columns go together is decided here from the
text itself: a column is never narrower than its longest word (measured in the document's
font, `exports.measure`), so no word is split inside a column; the columns of one block
(ISCO-08; the NKZ unit group; the NKZ occupation group; OKED; the occupation and levels)
always stay in one part. The same parts and widths feed the PDF and the DOCX.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from exports.captions import CAPTIONS, PART_CAPTION, PROCESS_PARTS
from exports.measure import longest_word_mm, width_mm
from sbsh.document.hyphen import SHY, soft_hyphens

SECTIONS = (1, 2, 3, 4)
# The width between the margins (Annex §12: A4, left 30 mm, right 15 mm). Landscape pages
# (a per-SQF option, a departure from the Annex's book orientation) keep the binding
# margin at the top, as Word turns the margins with the page: left and right 20 mm.
TEXT_WIDTH_MM = 210 - 30 - 15
LANDSCAPE_TEXT_WIDTH_MM = 297 - 20 - 20
CELL_PADDING_MM = 2 * 2 * 25.4 / 72 + 0.6  # 2 pt either side, the rules, a little air
T3_NUMBERS = list(range(1, 19))


@dataclass
class Named:
    code: str
    title: str
    name_kk: str = ""
    name_ru: str = ""
    name_en: str = ""


@dataclass
class Column:
    """One printed column of a table part."""

    number: str  # as printed in the row of column numbers
    heading: str
    group: str = ""  # a heading spanning the consecutive columns that share it
    lang: str = ""  # the language of the cells, where not the document's (hyphenation)
    center: bool = False
    floor_mm: float = 0.0  # narrower than this the column reads badly
    fixed: bool = False  # the row-identifying column: as narrow as it can be, in every part
    width_mm: float = 0.0

    @property
    def width_pct(self) -> str:
        return f"{self.width_mm * 100 / self._total:.3f}"

    _total: float = 1.0


@dataclass
class TablePart:
    table: int
    caption: str
    continued: bool
    columns: list[Column]
    rows: list[list[str]]
    width_mm: float
    lang: str = "kk"

    def header_rows(self) -> list[list[dict[str, Any]]]:
        """One or two heading rows: a column without a group spans both."""
        grouped = any(col.group for col in self.columns)
        top: list[dict[str, Any]] = []
        sub: list[dict[str, Any]] = []
        for col in self.columns:
            if not col.group:
                top.append({"text": col.heading, "colspan": 1, "rowspan": 2 if grouped else 1})
            elif top and top[-1].get("group") == col.group:
                top[-1]["colspan"] += 1
                sub.append({"text": col.heading, "colspan": 1, "rowspan": 1})
            else:
                top.append({"text": col.group, "group": col.group, "colspan": 1, "rowspan": 1})
                sub.append({"text": col.heading, "colspan": 1, "rowspan": 1})
        for cell in top + sub:
            cell["text"] = soft_hyphens(cell["text"], self.lang)
        return [top, sub] if grouped else [top]

    def number_cells(self) -> list[dict[str, Any]]:
        """The row of column numbers; the five OKED columns share number 13 (Annex §11)."""
        cells: list[dict[str, Any]] = []
        for col in self.columns:
            if cells and cells[-1]["text"] == col.number:
                cells[-1]["colspan"] += 1
            else:
                cells.append({"text": col.number, "colspan": 1})
        return cells

    def body(self) -> list[list[dict[str, Any]]]:
        """The cells as printed: long words carry soft hyphens (exports.hyphen)."""
        return [
            [
                {
                    "text": soft_hyphens(text, col.lang or self.lang),
                    "center": col.center,
                    "lang": col.lang,
                }
                for text, col in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


@dataclass
class Model:
    lang: str
    c: dict[str, str]
    name: str
    approved_on: str | None
    version: dict[str, Any]
    passport: dict[str, Any]
    parts: list[dict[str, Any]]
    standards: list[dict[str, Any]]
    table1: list[dict[str, Any]]
    table2: dict[str, Any]
    table3: list[TablePart]
    landscape: bool = False
    t1_widths: list[str] = field(default_factory=list)
    t1_headings: list[str] = field(default_factory=list)
    show_kind: bool = True
    # Annex §9: the Table 1 form carries a fill-in line under its caption; it is filled
    # with the sector the SQF covers.
    t1_fill: str = ""
    t3_numbers: list[int] = field(default_factory=lambda: list(T3_NUMBERS))


def _named(node: dict[str, Any], lang: str) -> Named:
    names = node.get("name", {})
    order = (lang, "ru" if lang == "kk" else "kk", "en")
    title = next((names.get(code) for code in order if names.get(code)), "")
    return Named(node["code"], title, names.get("kk", ""), names.get("ru", ""), names.get("en", ""))


def _own(node: dict[str, Any], lang: str) -> str:
    """The node's name in exactly this language, or nothing: never another's name."""
    return node.get("name", {}).get(lang, "") or ""


def _code_name(node: dict[str, Any] | None, lang: str) -> str:
    if not node:
        return ""
    return f"{node['code']} {_named(node, lang).title}".strip()


def _level_key(level: str) -> list[int]:
    return [int(p) for p in level.split(".") if p.isdigit()]


# --- widths and parts ----------------------------------------------------------------------------


def _fit_widths(
    columns: list[Column], rows: list[list[str]], available: float, *, syllables: str = ""
) -> None:
    """Give every column at least its longest word (heading in bold) and its floor, then share
    what is left in proportion to how much more text each column holds on average."""
    n = max(1, len(rows))
    mins, extra = [], []
    for i, col in enumerate(columns):
        cells = [r[i] for r in rows]
        need = _need(col, cells, syllables)
        mean = sum(width_mm(t) for t in cells) / n + CELL_PADDING_MM
        mins.append(need)
        grow = mean > need and not col.fixed
        extra.append(math.sqrt(mean) - math.sqrt(need) if grow else 0.0)
    spare = available - sum(mins)
    flexible = [not col.fixed for col in columns]
    total_extra = sum(extra) or float(sum(flexible))
    for col, need, more, flex in zip(columns, mins, extra, flexible, strict=True):
        share = (more if sum(extra) else float(flex)) / total_extra
        col.width_mm = need + max(0.0, spare) * share
    if spare < 0:
        # A word longer than its share of the page (a rare Russian or English one, which
        # hyphenates): the other columns give up width in proportion, the key keeps its own.
        fixed = sum(c.width_mm for c in columns if c.fixed)
        scale = (available - fixed) / sum(c.width_mm for c in columns if not c.fixed)
        for col in columns:
            if not col.fixed:
                col.width_mm *= scale
    for col in columns:
        col._total = available


def _longest(text: str, syllables: str, *, bold: bool = False) -> float:
    """The longest word; with `syllables` (a language), the longest piece between the soft
    hyphens of that language plus the hyphen printed at the break."""
    if not syllables:
        return longest_word_mm(text, bold=bold)
    pieces = soft_hyphens(text, syllables).replace(SHY, "- ")
    return longest_word_mm(pieces, bold=bold)


def _need(col: Column, cells: list[str], syllables: str = "", *, group: bool = True) -> float:
    """The narrowest the column may be: its floor, its heading's longest word (bold), a fifth
    of its group heading's (which spans the group), and its cells' longest word."""
    return max(
        col.floor_mm,
        _longest(col.heading, syllables, bold=True) + CELL_PADDING_MM,
        longest_word_mm(col.group, bold=True) / 5 + CELL_PADDING_MM if group and col.group else 0,
        max((_longest(t, syllables) for t in cells), default=0) + CELL_PADDING_MM,
    )


def _min_width(columns: list[Column], rows: list[list[str]]) -> float:
    return sum(_need(col, [r[i] for r in rows], group=False) for i, col in enumerate(columns))


def _split(
    key: list[Column],
    key_cells: list[list[str]],
    blocks: list[tuple[list[Column], list[list[str]]]],
    available: float,
) -> list[tuple[list[Column], list[list[str]]]]:
    """Consecutive blocks packed into parts; each part starts with the key column(s)."""
    parts: list[tuple[list[Column], list[list[str]]]] = []
    cols, cells = list(key), [list(r) for r in key_cells]
    for used, (block_cols, block_cells) in enumerate(blocks):
        trial_cols = cols + block_cols
        trial_cells = [a + b for a, b in zip(cells, block_cells, strict=True)]
        if used and _min_width(trial_cols, trial_cells) > available:
            parts.append((cols, cells))
            cols = list(key) + block_cols
            cells = [a + b for a, b in zip(key_cells, block_cells, strict=True)]
        else:
            cols, cells = trial_cols, trial_cells
    parts.append((cols, cells))
    return parts


def _parts(
    table: int,
    c: dict[str, str],
    key: list[Column],
    key_cells: list[list[str]],
    blocks: list[tuple[list[Column], list[list[str]]]],
    available: float,
) -> list[TablePart]:
    out = []
    for i, (cols, cells) in enumerate(_split(key, key_cells, blocks, available)):
        # Each part gets its own copy of the columns: widths differ between parts.
        cols = [Column(**{k: getattr(col, k) for k in col.__dataclass_fields__}) for col in cols]
        _fit_widths(cols, cells, available)
        out.append(
            TablePart(
                table=table,
                caption=c[f"t{table}"] if i == 0 else c[f"t{table}_continued"],
                continued=i > 0,
                columns=cols,
                rows=cells,
                width_mm=available,
                lang=c["lang"],
            )
        )
    return out


NAME_FLOOR_MM = 30.0
CODE_FLOOR_MM = 12.0


def table3_parts(content: dict[str, Any], lang: str, available: float) -> list[TablePart]:
    """Annex §11: the 18 columns in blocks that stay together, packed into parts."""
    c = CAPTIONS[lang]
    rows = content["table3"]

    def corr(value: str) -> str:
        return c.get(f"corr_{value}", value)

    def col(number: int, heading: str, group: str = "", **kw: Any) -> Column:
        return Column(str(number), c[heading], c[group] if group else "", **kw)

    key = [col(1, "t3_no", center=True, floor_mm=8, fixed=True)]
    key_cells = [[str(i)] for i in range(1, len(rows) + 1)]
    isco = (
        [
            col(2, "t3_isco_code", "t3_g_isco", floor_mm=CODE_FLOOR_MM),
            col(3, "t3_name_en", "t3_g_isco", lang="en", floor_mm=NAME_FLOOR_MM),
            col(4, "t3_name_kkru", "t3_g_isco", floor_mm=NAME_FLOOR_MM),
            col(5, "t3_corr"),
        ],
        # Column 4: the ISCO-08 group's own name in the document's language, loaded by an
        # administrator (`load_classifier isco08-names`); empty rather than another
        # classifier's name (Rules §10.1; the compliance check warns with the code).
        [
            [
                r["isco"]["code"],
                _own(r["isco"], "en"),
                _own(r["isco"], lang),
                corr(r["isco_correspondence"]),
            ]
            for r in rows
        ],
    )
    unit = (
        [
            col(6, "t3_nkz_code", "t3_g_unit", floor_mm=CODE_FLOOR_MM),
            col(7, "t3_name_kk", "t3_g_unit", lang="kk", floor_mm=NAME_FLOOR_MM),
            col(8, "t3_name_ru", "t3_g_unit", lang="ru", floor_mm=NAME_FLOOR_MM),
            col(9, "t3_corr"),
        ],
        [
            [
                r["nkz_unit"]["code"],
                _own(r["nkz_unit"], "kk"),
                _own(r["nkz_unit"], "ru"),
                corr(r["nkz_correspondence"]),
            ]
            for r in rows
        ],
    )
    group = (
        [
            col(10, "t3_nkz_code", "t3_g_group", floor_mm=CODE_FLOOR_MM),
            col(11, "t3_name_kk", "t3_g_group", lang="kk", floor_mm=NAME_FLOOR_MM),
            col(12, "t3_name_ru", "t3_g_group", lang="ru", floor_mm=NAME_FLOOR_MM),
        ],
        [
            [r["nkz_group"]["code"], _own(r["nkz_group"], "kk"), _own(r["nkz_group"], "ru")]
            for r in rows
        ],
    )
    # Column 13: OKED section, division, group, class and subclass, each with its code and
    # name (the Annex heads them under one OKED heading and one column number).
    oked = (
        [
            col(13, f"t3_oked_{level}", "t3_g_oked", floor_mm=24)
            for level in ("section", "division", "group", "class", "subclass")
        ],
        [[_code_name(_oked_at(r, level), lang) for level in range(1, 6)] for r in rows],
    )
    occupation = (
        [
            col(14, "t3_main_group", floor_mm=NAME_FLOOR_MM - 4),
            col(15, "t3_occupation", floor_mm=NAME_FLOOR_MM),
            col(16, "t3_skill", center=True),
            col(17, "t3_nqf", center=True),
            col(18, "t3_sqf", center=True),
        ],
        [
            [
                _code_name(r["nkz_main_group"], lang),
                _code_name(r["occupation"], lang),
                str(r["skill_level"] or "—"),
                str(r["nqf_level"]),
                r["sqf_level"],
            ]
            for r in rows
        ],
    )
    return _parts(3, c, key, key_cells, [isco, unit, group, oked, occupation], available)


def _oked_at(row: dict[str, Any], level: int) -> dict[str, Any] | None:
    return next((n for n in row["oked"] if n.get("level") == level), None)


def table2_parts(content: dict[str, Any], lang: str, available: float) -> list[TablePart]:
    """Annex §10: SQF levels down, NKZ unit groups across; groups shared out over parts."""
    c = CAPTIONS[lang]
    entries = content["table2"]["entries"]
    groups: dict[str, dict[str, Any]] = {}
    for e in entries:
        groups.setdefault(e["group"]["code"], e["group"])
    codes = sorted(groups)
    levels = sorted({e["sqf_level"] for e in entries}, key=_level_key, reverse=True)
    if not codes:
        return []
    key = [Column("1", c["t2_c1"], center=True, floor_mm=14, fixed=True)]
    key_cells = [[level] for level in levels]
    blocks = []
    for i, code in enumerate(codes, start=2):
        cells = [
            [
                "\n".join(
                    _code_name(e["occupation"], lang)
                    for e in entries
                    if e["sqf_level"] == level and e["group"]["code"] == code
                )
            ]
            for level in levels
        ]
        blocks.append(
            (
                [Column(str(i), _code_name(groups[code], lang), c["t2_groups"], floor_mm=36)],
                cells,
            )
        )
    # As many groups per part as fit, then the groups shared out evenly over that many parts.
    packed = _split(key, key_cells, blocks, available)
    per_part = math.ceil(len(blocks) / len(packed))
    out: list[TablePart] = []
    for start in range(0, len(blocks), per_part):
        out += _parts(2, c, key, key_cells, [_merge(blocks[start : start + per_part])], available)
    for i, part in enumerate(out):
        part.continued = i > 0
        part.caption = c["t2"] if i == 0 else c["t2_continued"]
    return out


def _merge(
    blocks: list[tuple[list[Column], list[list[str]]]],
) -> tuple[list[Column], list[list[str]]]:
    cols = [col for block_cols, _ in blocks for col in block_cols]
    cells = [[v for block in blocks for v in block[1][i]] for i in range(len(blocks[0][1]))]
    return cols, cells


def _experience(link: dict[str, Any], lang: str, c: dict[str, str]) -> str:
    """Rules §8.4: the work experience a career move takes, as the document prints it."""
    if link.get("experience_years") is None:
        return ""
    note = (link.get(f"experience_note_{lang}") or "").strip()
    text = f"{c['t2_experience']}: {link['experience_years']}"
    return f"{text} — {note}" if note else text


def table2_links(content: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    c = CAPTIONS[lang]
    return [
        {**link, "kind": c[link["kind"]], "experience": _experience(link, lang, c)}
        for link in content["table2"]["links"]
    ]


def document_model(content: dict[str, Any], lang: str) -> Model:
    c = CAPTIONS[lang]
    # Rules: Annex §12 prints in book orientation; landscape pages for Tables 2–3 are a
    # per-SQF option of the state body, flagged by the compliance check as a departure.
    landscape = bool(content.get("document", {}).get("tables_landscape"))
    width = LANDSCAPE_TEXT_WIDTH_MM if landscape else TEXT_WIDTH_MM
    parts_in = content["parts"]
    parts = []
    for key in [
        "general",
        "current_state",
        *PROCESS_PARTS,
        "analysis",
        "occupations",
        "conclusions",
    ]:
        entry = {"key": key, "html": parts_in.get(key, {}).get(lang, "")}
        if key in PART_CAPTION:
            entry["heading"] = c[PART_CAPTION[key]]
        else:
            entry["subheading"] = c[key]
        parts.append(entry)

    table1 = []
    for section in SECTIONS:
        rows = [r for r in content["table1"] if r["section"] == section]
        table1.append(
            {
                "caption": c[f"t1_sec{section}"],
                "rows": [
                    {
                        "sqf_level": r["sqf_level"],
                        "nqf_level": r["nqf_level"],
                        "occupations": [_named(n, lang) for n in r["occupations"]],
                        **{
                            col: r[col][lang]
                            for col in ("stages", "role", "knowledge", "skills", "competences")
                        },
                    }
                    for r in rows
                ],
            }
        )

    # Table 1 stays in portrait and in one piece; its columns are at least their longest
    # word wide, so no Kazakh word is split without a hyphen.
    t1_cols = [
        Column(str(i), c[f"t1_c{i}"], floor_mm=floor, center=i in (1, 3))
        for i, floor in zip(range(1, 9), (14, 20, 14, 16, 20, 20, 20, 20), strict=True)
    ]
    for section in table1:
        for r in section["rows"]:
            r["occupations_text"] = "; ".join(f"{n.code} {n.title}" for n in r["occupations"])
    t1_cells = [
        [
            r["sqf_level"],
            r["occupations_text"],
            str(r["nqf_level"]),
            r["stages"],
            r["role"],
            r["knowledge"],
            r["skills"],
            r["competences"],
        ]
        for section in table1
        for r in section["rows"]
    ]
    # Eight columns of running text in 165 mm: here a long word may be split at a syllable
    # (with a hyphen), where the columns of Tables 2 and 3 hold every word whole.
    _fit_widths(t1_cols, t1_cells, TEXT_WIDTH_MM, syllables=lang)
    for section in table1:
        for r in section["rows"]:
            r["occupations_text"] = soft_hyphens(r["occupations_text"], lang)
            for col in ("stages", "role", "knowledge", "skills", "competences"):
                r[col] = soft_hyphens(r[col], lang)
    table2 = {"parts": table2_parts(content, lang, width), "links": table2_links(content, lang)}
    table3 = table3_parts(content, lang, width)
    return Model(
        lang=lang,
        c=c,
        name=content["name"][lang],
        approved_on=content["version"]["approved_on"],
        version=content["version"],
        passport={
            "sector": content["passport"]["sector_description"][lang],
            "oked": [_named(n, lang) for n in content["passport"]["oked"]],
            "nkz": [_named(n, lang) for n in content["passport"]["nkz_groups"]],
        },
        parts=parts,
        standards=[
            {
                "name": s["name"][lang],
                "status": c[s["status"]],
                "nkz": [_named(n, lang) for n in s["nkz"]],
            }
            for s in content["standards"]
        ],
        table1=table1,
        table2=table2,
        table3=table3,
        landscape=landscape,
        t1_widths=[col.width_pct for col in t1_cols],
        t1_headings=[soft_hyphens(col.heading, lang) for col in t1_cols],
        # The title says what the document is once: the SQF's own name usually ends with it.
        show_kind=c["doc_kind"].lower() not in content["name"][lang].lower(),
        t1_fill=(content.get("framework", {}).get("sector", {}) or {}).get(lang, ""),
    )
