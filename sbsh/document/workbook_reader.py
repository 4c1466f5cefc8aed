"""Reading a filled-in workbook defensively: size and row limits, cell by cell, each problem
named with its sheet, row and column (nothing is written here)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from classifiers.files import check_zip, column_letter
from classifiers.rows import ImportRejected as _ZipRejected
from config.spreadsheet import csv_unsafe
from sbsh.document.workbook import (
    COLUMNS,
    FORMAT,
    LEVEL_PATTERN,
    MAX_BYTES,
    MAX_CELL,
    MAX_PROBLEMS,
    MAX_ROWS,
    META,
    SHEET_TITLES,
    Column,
    in_languages,
)
from sbsh.models import NkzCorrespondence, Version


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


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        return csv_unsafe(value.strip()).strip()
    return str(value).strip()


class Reader:
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
            Problem(sheet, row, column_letter(col) if col is not None else None, header, message)
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
            check_zip(self.name, self.data)
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
            names = in_languages(SHEET_TITLES[key])
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
                    if cell_text(found).casefold() not in in_languages(col.label):
                        self.problem(
                            title,
                            1,
                            c,
                            _(
                                "Expected the column “%(label)s” here, found “%(found)s”. Do not insert, move or delete columns."
                            )
                            % {"label": col.label(), "found": cell_text(found) or "—"},
                            columns,
                        )
                if self.problems:
                    raise WorkbookRejected(self.problems)
                continue
            values = [cell.value for cell in cells[: len(columns)]]
            values += [None] * (len(columns) - len(values))
            if all(cell_text(v) == "" for v in values):
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


def level_problem(value: str) -> str | None:
    if not LEVEL_PATTERN.match(value):
        return _(
            "“%(value)s” is not an SQF level: use 1–8 or a sub-level such as 4.1 (Rules §9)."
        ) % {"value": value or "—"}
    return None


def nqf_value(value: str) -> int | None:
    return (
        int(value)
        if value.isascii() and value.isdigit() and len(value) <= 2 and 1 <= int(value) <= 8
        else None
    )


def corr_value(text: str) -> str | None:
    key = text.strip().casefold()
    if not key:
        return NkzCorrespondence.FULL
    for value in NkzCorrespondence.values:
        if key == value or key in in_languages(NkzCorrespondence(value).label):
            return value
    return None
