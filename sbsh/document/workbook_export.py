"""The version's Tables 1–3 as an Excel workbook to fill in offline (Rules §9–§11): locked
columns, drop-down lists from the classifiers, a fingerprint per row."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers.files import column_letter
from config.spreadsheet import csv_safe
from sbsh.document import selectors
from sbsh.document.workbook import (
    EXTRA_ROWS,
    FORMAT,
    LEVELS,
    LISTS,
    META,
    SHEET_TITLES,
    T1_COLUMNS,
    T1_FINGERPRINT,
    T2_COLUMNS,
    T3_COLUMNS,
    T3_FINGERPRINT,
    Column,
    corr_label,
    fingerprint,
    isco_corr_label,
    t1_values,
    t3_values,
)
from sbsh.models import NkzCorrespondence, Version


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
    corr_labels = [corr_label(v) for v in NkzCorrespondence.values]
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
            ws.column_dimensions[column_letter(c - 1)].width = col.width
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
        ws.auto_filter.ref = f"A1:{column_letter(len(columns) - 1)}{max(2, len(data) + 1)}"
        return ws

    def validate(ws: Any, columns: list[Column], key: str, formula: str, last: int) -> None:
        letter = column_letter(next(i for i, c in enumerate(columns) if c.key == key))
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
                "isco_correspondence": isco_corr_label(r.isco_correspondence),
                "nkz_unit": r.nkz_unit_n.code,
                "nkz_unit_kk": r.nkz_unit_n.title_kk,
                "nkz_unit_ru": r.nkz_unit_n.title_ru,
                "nkz_correspondence": corr_label(values["nkz_correspondence"]),
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
