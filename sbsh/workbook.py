"""Tables 1–3 of a version as an XLSX workbook, and the workbook read back.

The working group fills the tables in a spreadsheet; the workbook goes out with one sheet
per table (Kazakh and Russian side by side, codes and names), lists to pick levels and
correspondences from, the row ids locked, and an instructions sheet. A hidden sheet
remembers which rows went out, at which revision and with which values, so that on the
way back:

- a row nobody touched in the workbook is left alone (even if it changed in the browser);
- a row changed in the workbook *and* in the browser since the export is a conflict,
  reported and never overwritten (the optimistic lock of the editor);
- a row deleted from the workbook is removed, a row without an id is added.

Reading is all-or-nothing: every problem is collected with its sheet, Excel row and
column, in the reader's language, and nothing is written unless there is none. The file
is hostile until proven otherwise: size and row limits, the zip checks of the classifier
importer (zip bombs, unsafe paths), XML through defusedxml, formulas refused (never
evaluated), text neutralised on export with the CSV helper's rules (config/spreadsheet.py).
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from classifiers.files import _check_zip, _column_letter
from classifiers.models import Classifier, CrosswalkLink, Edition, Node
from classifiers.rows import ImportRejected as _ZipRejected
from config import params
from config.spreadsheet import csv_safe, csv_unsafe
from sbsh import selectors
from sbsh.models import NkzCorrespondence, Table1Row, Table3Row, Version

FORMAT = "sqf-tables/1"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 2_000  # per table; a real SQF has 100–300
MAX_CELL = 20_000  # characters in one cell
MAX_PROBLEMS = 200
EXTRA_ROWS = 200  # unlocked empty rows under the data, for new rows

LANGS = ("kk", "ru", "en")
LEVELS = [str(n) for n in range(1, 9)] + [f"{n}.{s}" for n in range(1, 9) for s in range(1, 10)]
_LEVEL = re.compile(r"^[1-8](\.[1-9])?$")
_CODES_SPLIT = re.compile(r"[;,\s]+")
META, LISTS = "sqf-meta", "lists"

SHEET_TITLES = {
    "instructions": gettext_lazy("Instructions"),
    "table1": gettext_lazy("Table 1"),
    "table2": gettext_lazy("Table 2"),
    "table3": gettext_lazy("Table 3"),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: Callable[[], str]
    editable: bool = False
    width: int = 14
    text: bool = False  # long text: wrapped


def _field_label(model: type, name: str) -> Callable[[], str]:
    return lambda: str(model._meta.get_field(name).verbose_name)


def _label(text: Any) -> Callable[[], str]:
    return lambda: str(text)


T1_TEXT = [f"{c}_{lang}" for c in Table1Row.TEXT_COLUMNS for lang in ("kk", "ru")]
T1_COLUMNS = [
    Column("id", _label(gettext_lazy("row id (do not change)")), width=9),
    Column("section", _label(gettext_lazy("process section (1–4)")), True, 10),
    Column("sqf_level", _label(gettext_lazy("SQF level")), True, 9),
    Column("nqf_level", _label(gettext_lazy("NQF level")), True, 9),
    Column("occupations", _label(gettext_lazy("NKZ occupation codes")), True, 16),
    Column("occupation_names", _label(gettext_lazy("NKZ occupations (names)")), width=30),
    *[Column(name, _field_label(Table1Row, name), True, 40, True) for name in T1_TEXT],
]
T3_COLUMNS = [
    Column("id", _label(gettext_lazy("row id (do not change)")), width=9),
    Column("number", _label("№"), width=5),
    Column("isco", _label(gettext_lazy("ISCO-08 code")), True, 10),
    Column("isco_name", _label(gettext_lazy("ISCO-08 name (English)")), width=28),
    Column("isco_correspondence", _label(gettext_lazy("correspondence ISCO-08 ↔ NKZ")), width=14),
    Column("nkz_unit", _label(gettext_lazy("NKZ unit group code")), width=10),
    Column("nkz_unit_kk", _label(gettext_lazy("NKZ unit group (Kazakh)")), width=28),
    Column("nkz_unit_ru", _label(gettext_lazy("NKZ unit group (Russian)")), width=28),
    Column(
        "nkz_correspondence",
        _label(gettext_lazy("correspondence unit group ↔ occupation group")),
        True,
        16,
    ),
    Column("nkz_group", _label(gettext_lazy("NKZ occupation group code")), width=11),
    Column("nkz_group_kk", _label(gettext_lazy("NKZ occupation group (Kazakh)")), width=28),
    Column("nkz_group_ru", _label(gettext_lazy("NKZ occupation group (Russian)")), width=28),
    Column("oked", _label(gettext_lazy("OKED subclass code")), True, 10),
    Column("oked_name", _label(gettext_lazy("OKED subclass (name)")), width=28),
    Column("occupation", _label(gettext_lazy("NKZ occupation code")), True, 13),
    Column("occupation_kk", _label(gettext_lazy("NKZ occupation (Kazakh)")), width=28),
    Column("occupation_ru", _label(gettext_lazy("NKZ occupation (Russian)")), width=28),
    Column("skill_level", _label(gettext_lazy("skill level")), width=8),
    Column("nqf_level", _label(gettext_lazy("NQF level")), True, 9),
    Column("sqf_level", _label(gettext_lazy("SQF level")), True, 9),
]
T2_COLUMNS = [
    Column("sqf_level", _label(gettext_lazy("SQF level")), width=9),
    Column("group", _label(gettext_lazy("NKZ unit group code")), width=10),
    Column("group_name", _label(gettext_lazy("professional group (NKZ)")), width=32),
    Column("occupation", _label(gettext_lazy("NKZ occupation code")), width=13),
    Column("occupation_kk", _label(gettext_lazy("NKZ occupation (Kazakh)")), width=32),
    Column("occupation_ru", _label(gettext_lazy("NKZ occupation (Russian)")), width=32),
]
COLUMNS = {"table1": T1_COLUMNS, "table3": T3_COLUMNS}
T1_FINGERPRINT = ["section", "sqf_level", "nqf_level", "occupations", *T1_TEXT]
T3_FINGERPRINT = ["isco", "nkz_correspondence", "oked", "occupation", "nqf_level", "sqf_level"]
FINGERPRINT = {"table1": T1_FINGERPRINT, "table3": T3_FINGERPRINT}
# Rules §9: every level is described by knowledge, abilities/skills and personal competences.
T1_REQUIRED = [
    f"{c}_{lang}" for c in ("knowledge", "skills", "competences") for lang in ("kk", "ru")
]


def fingerprint(values: dict[str, str], keys: list[str]) -> str:
    joined = "\x1f".join(values.get(k, "") for k in keys)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:20]


def _in_languages(text: Any) -> set[str]:
    """`text` (lazy, or a callable giving it) in every interface language, for matching."""
    out = set()
    for lang in LANGS:
        with translation.override(lang):
            out.add(str(text() if callable(text) else text).strip().casefold())
    return out


def _corr_label(value: str) -> str:
    return str(NkzCorrespondence(value).label) if value in NkzCorrespondence.values else value


def _isco_corr_label(value: str) -> str:
    from classifiers.models import Correspondence

    value = value or Correspondence.NONE
    return str(Correspondence(value).label) if value in Correspondence.values else value


# --- the version's tables as plain values ----------------------------------------------------


def t1_values(row: Table1Row) -> dict[str, str]:
    return {
        "section": str(row.section),
        "sqf_level": row.sqf_level,
        "nqf_level": str(row.nqf_level),
        "occupations": "; ".join(n.code for n in row.occupation_list),
        **{name: getattr(row, name) or "" for name in T1_TEXT},
    }


def t3_values(row: Table3Row) -> dict[str, str]:
    return {
        "isco": row.isco_n.code,
        "nkz_correspondence": row.nkz_correspondence or NkzCorrespondence.FULL,
        "oked": row.oked_n.code,
        "occupation": row.occupation_n.code,
        "nqf_level": str(row.nqf_level),
        "sqf_level": row.sqf_level,
    }


# --- export ----------------------------------------------------------------------------------


def export_workbook(version: Version) -> bytes:
    """The workbook of Tables 1–3 of `version`, labelled in the active language."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    t1 = selectors.table1_rows(version)
    t3 = selectors.table3_rows(version)
    entries, _links = selectors.table2(version)
    wb = Workbook()
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="E8E8E8")
    head_fill = PatternFill("solid", fgColor="D9E2F3")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    unlocked = Protection(locked=False)

    # Instructions first: the sheet a newcomer sees on opening.
    info = wb.active
    info.title = str(SHEET_TITLES["instructions"])[:31]
    lines = [
        (
            _("Tables 1–3 of the SQF: %(name)s, version %(n)s")
            % {
                "name": version.name or version.framework.sector,
                "n": version.number,
            }
        ),
        _(
            "Exported %(at)s. Fill the white cells; grey cells are read from the classifiers and are not imported."
        )
        % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        "",
        _(
            "Table 1 (Annex §9): one row per SQF level or sub-level (Rules §9: 4.1, 4.2 …) in one process section: 1 — continuous and cross-cutting management processes, 2 — sectoral processes, 3 — preparatory cross-sectoral processes, 4 — post-production cross-sectoral processes."
        ),
        _(
            "Knowledge, abilities (skills) and personal competences are required in Kazakh and in Russian (Rules §9). NKZ occupation codes (level 5 or 6) go in one cell, separated by “;”."
        ),
        _(
            "Table 3 (Annex §11): type the ISCO-08 unit group, the NKZ occupation and the OKED subclass codes; the groups, names and the ISCO-08 correspondence are filled from the classifiers on import. Choose the unit group ↔ occupation group correspondence from the list."
        ),
        _(
            "Table 2 is shown for reference; its occupations and progression links are edited in the browser, and this sheet is not imported."
        ),
        _(
            "To add a row, fill an empty row under the table and leave its id empty. To remove a row, delete the whole row. Do not change ids, do not type formulas (only values are accepted)."
        ),
        _(
            "The import takes all or nothing: every problem is listed with its sheet, row and column, and nothing changes until there is none. A row changed in the browser after this export is reported as a conflict, not overwritten: download a fresh workbook and redo that change."
        ),
        _("Codes must come from the classifier editions this SQF uses."),
    ]
    for index, text in enumerate(lines, start=1):
        cell = info.cell(row=index, column=1, value=csv_safe(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 120
    info.protection.sheet = True

    # The lists the validation refers to (hidden).
    lists = wb.create_sheet(LISTS)
    corr_labels = [_corr_label(v) for v in NkzCorrespondence.values]
    for i, level in enumerate(LEVELS, start=1):
        lists.cell(row=i, column=1, value=level)
    for i, label in enumerate(corr_labels, start=1):
        lists.cell(row=i, column=2, value=label)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    def sheet(key: str, columns: list[Column], data: list[dict[str, Any]]) -> Any:
        ws = wb.create_sheet(str(SHEET_TITLES[key])[:31])
        for c, col in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=c, value=col.label())
            cell.font, cell.alignment = bold, Alignment(wrap_text=True, vertical="top")
            cell.fill = head_fill if col.editable else grey
            ws.column_dimensions[_column_letter(c - 1)].width = col.width
        for r, values in enumerate(data, start=2):
            for c, col in enumerate(columns, start=1):
                value = values.get(col.key, "")
                if isinstance(value, str):
                    value = csv_safe(value)
                cell = ws.cell(row=r, column=c, value=value)
                cell.alignment = wrap if col.text else top
                if col.editable:
                    cell.protection = unlocked
                else:
                    cell.fill = grey
        for r in range(len(data) + 2, len(data) + 2 + EXTRA_ROWS):
            for c, col in enumerate(columns, start=1):
                if col.editable:
                    ws.cell(row=r, column=c).protection = unlocked
        ws.freeze_panes = "B2"
        ws.row_dimensions[1].height = 48
        ws.protection.sheet = True
        # Allowed on the protected sheet: resize, filter, insert and delete rows.
        for allowed in ("formatColumns", "formatRows", "insertRows", "deleteRows", "autoFilter"):
            setattr(ws.protection, allowed, False)
        ws.auto_filter.ref = f"A1:{_column_letter(len(columns) - 1)}{max(2, len(data) + 1)}"
        return ws

    def validate(ws: Any, columns: list[Column], key: str, formula: str, last: int) -> None:
        letter = _column_letter(next(i for i, c in enumerate(columns) if c.key == key))
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        dv.errorTitle = _("Not on the list")
        dv.error = _("Choose a value from the list.")
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{last}")

    t1_data = [
        {
            "id": r.pk,
            **t1_values(r),
            "occupation_names": "\n".join(f"{n.code} {n.title}" for n in r.occupation_list),
        }
        for r in t1
    ]
    for d in t1_data:
        d["section"], d["nqf_level"] = int(d["section"]), int(d["nqf_level"])
    ws1 = sheet("table1", T1_COLUMNS, t1_data)
    last1 = len(t1_data) + 1 + EXTRA_ROWS
    validate(ws1, T1_COLUMNS, "section", '"1,2,3,4"', last1)
    validate(ws1, T1_COLUMNS, "sqf_level", f"{LISTS}!$A$1:$A${len(LEVELS)}", last1)
    validate(ws1, T1_COLUMNS, "nqf_level", '"1,2,3,4,5,6,7,8"', last1)

    ws2 = sheet(
        "table2",
        T2_COLUMNS,
        [
            {
                "sqf_level": e.sqf_level,
                "group": e.group.code,
                "group_name": e.group.title,
                "occupation": e.occupation.code,
                "occupation_kk": e.occupation.title_kk,
                "occupation_ru": e.occupation.title_ru,
            }
            for e in entries
        ],
    )
    ws2.protection.insertRows = True
    ws2.protection.deleteRows = True

    t3_data = []
    for number, r in enumerate(t3, start=1):
        values = t3_values(r)
        t3_data.append(
            {
                **values,
                "id": r.pk,
                "number": number,
                "isco_name": r.isco_n.title_en,
                "isco_correspondence": _isco_corr_label(r.isco_correspondence),
                "nkz_unit": r.nkz_unit_n.code,
                "nkz_unit_kk": r.nkz_unit_n.title_kk,
                "nkz_unit_ru": r.nkz_unit_n.title_ru,
                "nkz_correspondence": _corr_label(values["nkz_correspondence"]),
                "nkz_group": r.nkz_group_n.code,
                "nkz_group_kk": r.nkz_group_n.title_kk,
                "nkz_group_ru": r.nkz_group_n.title_ru,
                "oked_name": r.oked_n.title,
                "occupation_kk": r.occupation_n.title_kk,
                "occupation_ru": r.occupation_n.title_ru,
                "skill_level": r.occupation_n.skill_level,
                "nqf_level": r.nqf_level,
            }
        )
    ws3 = sheet("table3", T3_COLUMNS, t3_data)
    last3 = len(t3_data) + 1 + EXTRA_ROWS
    validate(ws3, T3_COLUMNS, "nkz_correspondence", f"{LISTS}!$B$1:$B${len(corr_labels)}", last3)
    validate(ws3, T3_COLUMNS, "nqf_level", '"1,2,3,4,5,6,7,8"', last3)
    validate(ws3, T3_COLUMNS, "sqf_level", f"{LISTS}!$A$1:$A${len(LEVELS)}", last3)

    # What went out: the base the import compares with (very hidden: not in Excel's menu).
    meta = wb.create_sheet(META)
    meta.append(["format", FORMAT])
    meta.append(["version", version.pk])
    meta.append(["exported_at", timezone.now().isoformat()])
    for r in t1:
        meta.append(["table1", r.pk, r.revision, fingerprint(t1_values(r), T1_FINGERPRINT)])
    for r in t3:
        meta.append(["table3", r.pk, r.revision, fingerprint(t3_values(r), T3_FINGERPRINT)])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True

    wb.active = 0
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_filename(version: Version) -> str:
    return f"sqf-{version.framework_id}-v{version.number}-tables.xlsx"


# --- import ----------------------------------------------------------------------------------


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str | None  # Excel letter
    header: str
    message: str

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet “%(sheet)s”") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(
                _("column %(column)s (%(header)s)") % {"column": self.column, "header": self.header}
                if self.header
                else _("column %(column)s") % {"column": self.column}
            )
        return f"{', '.join(where)}: {self.message}" if where else self.message


class WorkbookRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.total = len(problems)
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("; ".join(str(p) for p in self.problems[:5]))


@dataclass
class Change:
    table: str  # "table1" | "table3"
    kind: str  # "added" | "changed" | "removed"
    row: int | None  # Excel row (None for a removed row)
    row_id: int | None
    summary: str
    cells: list[tuple[str, str, str]] = field(default_factory=list)  # (column, before, after)
    values: dict[str, Any] = field(default_factory=dict)
    revision: int | None = None


@dataclass
class Plan:
    version_id: int
    changes: list[Change]
    sha256: str

    def of(self, table: str, kind: str) -> list[Change]:
        return [c for c in self.changes if c.table == table and c.kind == kind]

    @property
    def empty(self) -> bool:
        return not self.changes

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            t: {k: len(self.of(t, k)) for k in ("added", "changed", "removed")}
            for t in ("table1", "table3")
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        return csv_unsafe(value.strip()).strip()
    return str(value).strip()


def version_editions(version: Version) -> dict[str, int]:
    """The classifier edition each classifier's codes of this SQF come from: the one its
    rows cite (Annex §11: one edition throughout), or the current one for a new SQF."""
    editions: dict[str, Counter[int]] = {}
    t3 = Table3Row.objects.filter(version=version)
    for column in ("isco", "occupation", "oked"):
        for classifier, edition_id in t3.values_list(
            f"{column}__edition__classifier", f"{column}__edition_id"
        ).distinct():
            editions.setdefault(classifier, Counter())[edition_id] += 1
    for classifier, edition_id in (
        Table1Row.occupations.through.objects.filter(table1row__version=version)
        .values_list("node__edition__classifier", "node__edition_id")
        .distinct()
    ):
        editions.setdefault(classifier, Counter())[edition_id] += 1
    out = {c: counter.most_common(1)[0][0] for c, counter in editions.items()}
    for classifier, edition_id in Edition.objects.filter(is_current=True).values_list(
        "classifier", "pk"
    ):
        out.setdefault(classifier, edition_id)
    return out


class _Reader:
    """One pass over the uploaded workbook, collecting problems."""

    def __init__(self, version: Version, data: bytes, name: str) -> None:
        self.version = version
        self.data = data
        self.name = name
        self.problems: list[Problem] = []

    def problem(
        self,
        sheet: str,
        row: int | None,
        col: int | None,
        message: str,
        columns: list[Column] | None = None,
    ) -> None:
        header = columns[col].label() if columns is not None and col is not None else ""
        self.problems.append(
            Problem(sheet, row, _column_letter(col) if col is not None else None, header, message)
        )

    def fail(self, message: str) -> WorkbookRejected:
        return WorkbookRejected([Problem("", None, None, "", message)])

    # -- the container --------------------------------------------------------------------

    def open(self) -> Any:
        if not self.data:
            raise self.fail(_("The file is empty."))
        if len(self.data) > MAX_BYTES:
            raise self.fail(
                _("The file is %(mb).1f MB; a workbook of Tables 1–3 is at most %(max)s MB.")
                % {"mb": len(self.data) / 2**20, "max": MAX_BYTES // 2**20}
            )
        if self.data[:4] != b"PK\x03\x04":
            raise self.fail(
                _(
                    "This is not an XLSX workbook. Download the workbook from the version, fill it and upload it as .xlsx."
                )
            )
        try:
            _check_zip(self.name, self.data)
        except _ZipRejected as exc:
            raise self.fail(exc.problems[0].message) from None
        import openpyxl

        try:
            # data_only=False: a formula arrives as a formula and is refused, never evaluated.
            return openpyxl.load_workbook(io.BytesIO(self.data), read_only=True, data_only=False)
        except Exception as exc:
            raise self.fail(
                _("The workbook cannot be read: %(error)s") % {"error": str(exc)[:200]}
            ) from None

    def meta(self, wb: Any) -> dict[str, Any]:
        if META not in wb.sheetnames:
            raise self.fail(
                _(
                    "This workbook was not downloaded from the workbench (its hidden sheet is missing). Download the workbook of this version and fill that one."
                )
            )
        rows = [tuple(r) for r in wb[META].iter_rows(values_only=True)]
        if not rows or list(rows[0][:2]) != ["format", FORMAT]:
            raise self.fail(_("The workbook's hidden sheet is damaged; download a fresh workbook."))
        head = {r[0]: r[1] for r in rows[:3] if r and len(r) > 1}
        if head.get("version") != self.version.pk:
            raise self.fail(
                _(
                    "This workbook was downloaded from another SQF version (no. %(other)s in the workbench); download the workbook of this version."
                )
                % {"other": head.get("version")}
            )
        exported: dict[str, dict[int, tuple[int, str]]] = {"table1": {}, "table3": {}}
        for r in rows[3:]:
            if r and r[0] in exported and isinstance(r[1], int):
                exported[r[0]][r[1]] = (int(r[2] or 0), str(r[3] or ""))
        return exported

    def sheets(self, wb: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key in ("table1", "table3"):
            names = _in_languages(SHEET_TITLES[key])
            match = next((t for t in wb.sheetnames if t.strip().casefold() in names), None)
            if match is None:
                self.problem(
                    "",
                    None,
                    None,
                    _(
                        "The sheet “%(expected)s” is missing (the workbook has: %(found)s). Do not rename or delete the sheets."
                    )
                    % {
                        "expected": SHEET_TITLES[key],
                        "found": ", ".join(t for t in wb.sheetnames if t != META) or "—",
                    },
                )
            else:
                found[key] = wb[match]
        if self.problems:
            raise WorkbookRejected(self.problems)
        return found

    def rows(self, ws: Any, key: str) -> list[tuple[int, list[Any]]]:
        """The data rows of one sheet as (Excel row, raw values), the header checked."""
        columns = COLUMNS[key]
        title = ws.title
        out: list[tuple[int, list[Any]]] = []
        for index, cells in enumerate(ws.iter_rows(), start=1):
            cells = list(cells)
            if index == 1:
                for c, col in enumerate(columns):
                    found = cells[c].value if c < len(cells) else None
                    if _text(found).casefold() not in _in_languages(col.label):
                        self.problem(
                            title,
                            1,
                            c,
                            _(
                                "Expected the column “%(label)s” here, found “%(found)s”. Do not insert, move or delete columns."
                            )
                            % {"label": col.label(), "found": _text(found) or "—"},
                            columns,
                        )
                if self.problems:
                    raise WorkbookRejected(self.problems)
                continue
            values = [cell.value for cell in cells[: len(columns)]]
            values += [None] * (len(columns) - len(values))
            if all(_text(v) == "" for v in values):
                continue
            if len(out) >= MAX_ROWS:
                self.problem(
                    title,
                    index,
                    None,
                    _(
                        "The sheet has more than %(max)s rows; an SQF table is far smaller. Check that it is the right file."
                    )
                    % {"max": MAX_ROWS},
                )
                raise WorkbookRejected(self.problems)
            for c, cell in enumerate(cells):
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(cell.value, str) and cell.value.startswith("=") and c < len(columns)
                ):
                    self.problem(
                        title,
                        index,
                        c,
                        _("A formula is not accepted; type or paste values only."),
                        columns if c < len(columns) else None,
                    )
                elif isinstance(cell.value, str) and len(cell.value) > MAX_CELL:
                    self.problem(
                        title,
                        index,
                        c,
                        _("The cell holds %(n)s characters; at most %(max)s are accepted.")
                        % {"n": len(cell.value), "max": MAX_CELL},
                        columns if c < len(columns) else None,
                    )
            out.append((index, values))
        return out


def _level_problem(value: str) -> str | None:
    if not _LEVEL.match(value):
        return _(
            "“%(value)s” is not an SQF level: use 1–8 or a sub-level such as 4.1 (Rules §9)."
        ) % {"value": value or "—"}
    return None


def _nqf(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 2 and 1 <= int(value) <= 8 else None


def _corr_value(text: str) -> str | None:
    key = text.strip().casefold()
    if not key:
        return NkzCorrespondence.FULL
    for value in NkzCorrespondence.values:
        if key == value or key in _in_languages(NkzCorrespondence(value).label):
            return value
    return None


def read_plan(version: Version, data: bytes, name: str) -> Plan:
    """Read the workbook and compare it with the version: the changes it would make.
    Raises WorkbookRejected with every problem found (nothing is written here)."""
    reader = _Reader(version, data, name)
    wb = reader.open()
    try:
        exported = reader.meta(wb)
        sheets = reader.sheets(wb)
        raw = {key: reader.rows(ws, key) for key, ws in sheets.items()}
    finally:
        wb.close()
    titles = {key: ws.title for key, ws in sheets.items()}
    editions = version_editions(version)
    current1 = {r.pk: r for r in selectors.table1_rows(version)}
    current3 = {r.pk: r for r in selectors.table3_rows(version)}
    changes: list[Change] = []

    # -- parse the cells and check ids ---------------------------------------------------------
    parsed: dict[str, list[tuple[int, int | None, dict[str, str]]]] = {"table1": [], "table3": []}
    for key in ("table1", "table3"):
        columns = COLUMNS[key]
        seen: dict[int, int] = {}
        for line, values in raw.get(key, []):
            cells = {col.key: _text(v) for col, v in zip(columns, values, strict=True)}
            row_id: int | None = None
            if cells["id"]:
                if not params.is_id(cells["id"]) or int(cells["id"]) not in exported[key]:
                    reader.problem(
                        titles[key],
                        line,
                        0,
                        _(
                            "“%(id)s” is not the id of a row that was exported; leave the id empty for a new row."
                        )
                        % {"id": cells["id"]},
                        columns,
                    )
                    continue
                row_id = int(cells["id"])
                if row_id in seen:
                    reader.problem(
                        titles[key],
                        line,
                        0,
                        _("The row with this id appears twice (also row %(other)s); keep one.")
                        % {"other": seen[row_id]},
                        columns,
                    )
                    continue
                seen[row_id] = line
            parsed[key].append((line, row_id, cells))

    # -- resolve every code in one query per classifier ----------------------------------------
    wanted: dict[str, set[str]] = {
        Classifier.NKZ: set(),
        Classifier.ISCO08: set(),
        Classifier.OKED: set(),
    }
    for _line, _rid, cells in parsed["table1"]:
        wanted[Classifier.NKZ] |= {c for c in _CODES_SPLIT.split(cells["occupations"]) if c}
    for _line, _rid, cells in parsed["table3"]:
        wanted[Classifier.ISCO08].add(cells["isco"])
        wanted[Classifier.NKZ].add(cells["occupation"])
        wanted[Classifier.OKED].add(cells["oked"])
    nodes: dict[tuple[str, str], Node] = {}
    others: dict[tuple[str, str], str] = {}
    for classifier, codes in wanted.items():
        codes.discard("")
        if not codes:
            continue
        for node in Node.objects.filter(
            edition_id=editions.get(classifier), code__in=codes
        ).select_related("parent__parent"):
            nodes[(classifier, node.code)] = node
        missing = {c for c in codes if (classifier, c) not in nodes}
        if missing:
            for code, edition in Node.objects.filter(
                edition__classifier=classifier, code__in=missing
            ).values_list("code", "edition__name"):
                others[(classifier, code)] = edition

    def code_problem(classifier: str, code: str, levels: tuple[int, ...]) -> str | None:
        node = nodes.get((classifier, code))
        name = classifier.upper() if classifier != Classifier.ISCO08 else "ISCO-08"
        if not code:
            return _("Type a %(classifier)s code.") % {"classifier": name}
        if node is None and (classifier, code) in others:
            return _(
                "%(classifier)s code %(code)s is from another edition (%(edition)s), not the one this SQF uses (Annex §11: one edition throughout)."
            ) % {"classifier": name, "code": code, "edition": others[(classifier, code)]}
        if node is None:
            return _("%(classifier)s has no code %(code)s.") % {"classifier": name, "code": code}
        if node.level not in levels:
            return _(
                "%(classifier)s code %(code)s is at level %(level)s; this column takes level %(want)s."
            ) % {
                "classifier": name,
                "code": code,
                "level": node.level,
                "want": " / ".join(str(v) for v in levels),
            }
        return None

    col = {key: {c.key: i for i, c in enumerate(cols)} for key, cols in COLUMNS.items()}

    # -- Table 1 -------------------------------------------------------------------------------
    t1_title = titles.get("table1", "")
    t1_final: dict[int | str, tuple[int, str]] = {}  # row id or "new:line" → (section, level)
    # A duplicate is refused when the workbook makes it; two rows already alike in the
    # version (the editor allows it) and left alone do not block the import.
    t1_keys: dict[tuple[Any, ...], tuple[int, bool]] = {}
    touched_sections: set[int] = set()
    for line, row_id, cells in parsed["table1"]:
        before = len(reader.problems)
        where = (t1_title, line)
        section = cells["section"]
        if section not in ("1", "2", "3", "4"):
            reader.problem(
                *where,
                col["table1"]["section"],
                _("The process section is 1, 2, 3 or 4 (Annex §9)."),
                T1_COLUMNS,
            )
        if (msg := _level_problem(cells["sqf_level"])) is not None:
            reader.problem(*where, col["table1"]["sqf_level"], msg, T1_COLUMNS)
        if _nqf(cells["nqf_level"]) is None:
            reader.problem(
                *where,
                col["table1"]["nqf_level"],
                _("The NQF has levels 1 to 8 (Rules §8)."),
                T1_COLUMNS,
            )
        codes = [c for c in _CODES_SPLIT.split(cells["occupations"]) if c]
        if not codes:
            reader.problem(
                *where,
                col["table1"]["occupations"],
                _("Choose at least one occupation from NKZ (Annex §9)."),
                T1_COLUMNS,
            )
        for code in codes:
            if (msg := code_problem(Classifier.NKZ, code, (5, 6))) is not None:
                reader.problem(*where, col["table1"]["occupations"], msg, T1_COLUMNS)
        cells["occupations"] = "; ".join(sorted(set(codes)))
        exported_fp = exported["table1"].get(row_id, (0, ""))[1] if row_id else ""
        touched = row_id is None or fingerprint(cells, T1_FINGERPRINT) != exported_fp
        if touched:
            for name in T1_REQUIRED:
                if not cells[name]:
                    reader.problem(
                        *where,
                        col["table1"][name],
                        _(
                            "Knowledge, abilities (skills) and personal competences are required in both languages (Rules §9)."
                        ),
                        T1_COLUMNS,
                    )
        if len(reader.problems) > before:
            continue
        dup_key = (cells["section"], cells["sqf_level"], cells["occupations"])
        if dup_key in t1_keys and (touched or t1_keys[dup_key][1]):
            reader.problem(
                *where,
                None,
                _(
                    "The same level with the same occupations in the same section is already in row %(other)s; keep one."
                )
                % {"other": t1_keys[dup_key][0]},
            )
            continue
        t1_keys.setdefault(dup_key, (line, touched))
        t1_final[row_id if row_id else f"new:{line}"] = (int(section), cells["sqf_level"])
        if not touched:
            continue
        touched_sections.add(int(section))
        if row_id is None:
            changes.append(Change("table1", "added", line, None, _summary1(cells), values=cells))
            continue
        current = current1.get(row_id)
        exported_rev = exported["table1"][row_id][0]
        if current is None:
            reader.problem(
                *where,
                None,
                _(
                    "This row was deleted in the browser after the export; your changes to it are not applied. Download a fresh workbook."
                ),
            )
            continue
        if current.revision != exported_rev:
            reader.problem(
                *where,
                None,
                _(
                    "Conflict: this row was changed in the browser after the export (by %(who)s at %(when)s), and in the workbook too. Nothing is overwritten: download a fresh workbook and redo your change there."
                )
                % _who(current),
            )
            continue
        now = t1_values(current)
        touched_sections.add(current.section)
        cells_changed = [
            (T1_COLUMNS[col["table1"][k]].label(), now[k], cells[k])
            for k in T1_FINGERPRINT
            if now[k] != cells[k]
        ]
        if cells_changed:
            changes.append(
                Change(
                    "table1",
                    "changed",
                    line,
                    row_id,
                    _summary1(cells),
                    cells_changed,
                    cells,
                    current.revision,
                )
            )
    # Rows left out of the workbook were deleted there.
    present1 = {rid for _l, rid, _c in parsed["table1"] if rid}
    for row_id, (rev, _fp) in exported["table1"].items():
        if row_id in present1 or row_id not in current1:
            continue
        current = current1[row_id]
        if current.revision != rev:
            reader.problem(
                t1_title,
                None,
                None,
                _(
                    "Conflict: the row of level %(level)s (id %(id)s), removed from the workbook, was changed in the browser after the export; it is not removed."
                )
                % {"level": current.sqf_level, "id": row_id},
            )
            continue
        touched_sections.add(current.section)
        changes.append(
            Change("table1", "removed", None, row_id, _summary1(t1_values(current)), revision=rev)
        )
    # Rows added in the browser since the export stay; they count for the sub-level check.
    for row_id, current in current1.items():
        if row_id not in exported["table1"]:
            t1_final[row_id] = (current.section, current.sqf_level)
    # Rules §9: sub-levels numbered 4.1, 4.2 … without gaps or repeats, in each section changed.
    if "table1" in raw:
        for section in sorted(touched_sections):
            subs: dict[str, list[int]] = {}
            for sec, level in t1_final.values():
                if sec == section and "." in level:
                    whole, sub = level.split(".")
                    subs.setdefault(whole, []).append(int(sub))
            for whole, numbers in sorted(subs.items()):
                if sorted(set(numbers)) != list(range(1, len(set(numbers)) + 1)):
                    reader.problem(
                        t1_title,
                        None,
                        col["table1"]["sqf_level"],
                        _(
                            "Section %(section)s: the sub-levels of level %(level)s must be numbered %(level)s.1, %(level)s.2 … without gaps (Rules §9)."
                        )
                        % {"section": section, "level": whole},
                        T1_COLUMNS,
                    )

    # -- Table 3 -------------------------------------------------------------------------------
    t3_title = titles.get("table3", "")
    t3_keys: dict[tuple[str, str, str], tuple[int, bool]] = {}
    for line, row_id, cells in parsed["table3"]:
        before = len(reader.problems)
        where = (t3_title, line)
        c3 = col["table3"]
        if (msg := code_problem(Classifier.ISCO08, cells["isco"], (4,))) is not None:
            reader.problem(*where, c3["isco"], msg, T3_COLUMNS)
        if (msg := code_problem(Classifier.NKZ, cells["occupation"], (6,))) is not None:
            reader.problem(*where, c3["occupation"], msg, T3_COLUMNS)
        else:
            occ = nodes[(Classifier.NKZ, cells["occupation"])]
            group = occ.parent
            if group is None or group.level != 5 or group.parent is None or group.parent.level != 4:
                reader.problem(
                    *where,
                    c3["occupation"],
                    _("This occupation is not under an occupation group and unit group in NKZ."),
                    T3_COLUMNS,
                )
        if (msg := code_problem(Classifier.OKED, cells["oked"], (5,))) is not None:
            reader.problem(*where, c3["oked"], msg, T3_COLUMNS)
        corr = _corr_value(cells["nkz_correspondence"])
        if corr is None:
            reader.problem(
                *where,
                c3["nkz_correspondence"],
                _("Choose the correspondence from the list: %(choices)s (Annex §11).")
                % {"choices": ", ".join(_corr_label(v) for v in NkzCorrespondence.values)},
                T3_COLUMNS,
            )
        else:
            cells["nkz_correspondence"] = corr
        if _nqf(cells["nqf_level"]) is None:
            reader.problem(
                *where, c3["nqf_level"], _("The NQF has levels 1 to 8 (Rules §8)."), T3_COLUMNS
            )
        if (msg := _level_problem(cells["sqf_level"])) is not None:
            reader.problem(*where, c3["sqf_level"], msg, T3_COLUMNS)
        if len(reader.problems) > before:
            continue
        exported_fp = exported["table3"].get(row_id, (0, ""))[1] if row_id else ""
        touched = row_id is None or fingerprint(cells, T3_FINGERPRINT) != exported_fp
        dup = (cells["isco"], cells["occupation"], cells["oked"])
        if dup in t3_keys and (touched or t3_keys[dup][1]):
            reader.problem(
                *where,
                None,
                _(
                    "The same ISCO-08 group, occupation and OKED subclass are already in row %(other)s; keep one."
                )
                % {"other": t3_keys[dup][0]},
            )
            continue
        t3_keys.setdefault(dup, (line, touched))
        if not touched:
            continue
        if row_id is None:
            changes.append(Change("table3", "added", line, None, _summary3(cells), values=cells))
            continue
        current = current3.get(row_id)
        if current is None:
            reader.problem(
                *where,
                None,
                _(
                    "This row was deleted in the browser after the export; your changes to it are not applied. Download a fresh workbook."
                ),
            )
            continue
        if current.revision != exported["table3"][row_id][0]:
            reader.problem(
                *where,
                None,
                _(
                    "Conflict: this row was changed in the browser after the export (by %(who)s at %(when)s), and in the workbook too. Nothing is overwritten: download a fresh workbook and redo your change there."
                )
                % _who(current),
            )
            continue
        now = t3_values(current)
        shown = {"nkz_correspondence": _corr_label}
        cells_changed = [
            (
                T3_COLUMNS[c3[k]].label(),
                shown.get(k, str)(now[k]),
                shown.get(k, str)(cells[k]),
            )
            for k in T3_FINGERPRINT
            if now[k] != cells[k]
        ]
        if cells_changed:
            changes.append(
                Change(
                    "table3",
                    "changed",
                    line,
                    row_id,
                    _summary3(cells),
                    cells_changed,
                    cells,
                    current.revision,
                )
            )
    present3 = {rid for _l, rid, _c in parsed["table3"] if rid}
    for row_id, (rev, _fp) in exported["table3"].items():
        if row_id in present3 or row_id not in current3:
            continue
        current = current3[row_id]
        if current.revision != rev:
            reader.problem(
                t3_title,
                None,
                None,
                _(
                    "Conflict: the row of occupation %(code)s (id %(id)s), removed from the workbook, was changed in the browser after the export; it is not removed."
                )
                % {"code": current.occupation_n.code, "id": row_id},
            )
            continue
        changes.append(
            Change("table3", "removed", None, row_id, _summary3(t3_values(current)), revision=rev)
        )

    if reader.problems:
        raise WorkbookRejected(reader.problems)
    plan = Plan(version.pk, changes, hashlib.sha256(data).hexdigest())
    plan.nodes = nodes  # type: ignore[attr-defined]
    return plan


def _who(row: Any) -> dict[str, str]:
    return {
        "who": str(row.updated_by) if row.updated_by_id else "—",
        "when": timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M"),
    }


def _summary1(cells: dict[str, str]) -> str:
    return _("section %(section)s, level %(level)s, %(codes)s") % {
        "section": cells.get("section", ""),
        "level": cells.get("sqf_level", ""),
        "codes": cells.get("occupations", "") or "—",
    }


def _summary3(cells: dict[str, str]) -> str:
    return _("occupation %(occ)s, ISCO-08 %(isco)s, OKED %(oked)s, level %(level)s") % {
        "occ": cells.get("occupation", ""),
        "isco": cells.get("isco", ""),
        "oked": cells.get("oked", ""),
        "level": cells.get("sqf_level", ""),
    }


def next_order(version: Version, section: int | None = None) -> int:
    if section is None:
        return (version.table3_rows.aggregate(n=Max("order"))["n"] or 0) + 1
    return (version.table1_rows.filter(section=section).aggregate(n=Max("order"))["n"] or 0) + 1


def crosswalk(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """ISCO-08 ↔ NKZ unit group correspondence (column 5) for many pairs in one query."""
    if not pairs:
        return {}
    isco_ids = {a for a, _b in pairs}
    nkz_ids = {b for _a, b in pairs}
    found = {
        (i, n): c
        for i, n, c in CrosswalkLink.objects.filter(
            isco_id__in=isco_ids, nkz_id__in=nkz_ids
        ).values_list("isco_id", "nkz_id", "correspondence")
    }
    return {pair: found.get(pair, "none") for pair in pairs}
