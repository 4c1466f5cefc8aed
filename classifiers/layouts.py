"""The file layouts recognised by their header row, and an adapter per layout that maps
its records to Rows (the formats are listed in classifiers/importers.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from classifiers.codes import ISCO08, NKZ, OKED, level_from_shape
from classifiers.rows import Problem, Row
from classifiers.text import clean, clean_multiline

# --- format adapters ----------------------------------------------------------------------
# Each adapter maps one source layout to Rows. `cells` is the header → value dict.


@dataclass(frozen=True)
class Layout:
    key: str
    classifier: str
    required: tuple[str, ...]

    def matches(self, header: list[str]) -> bool:
        return set(self.required) <= set(header)


LAYOUTS = [
    Layout(
        "esutd-d-position-xlsx", NKZ, ("ID", "PARENT_ID", "CODE", "NAME_RU", "NAME_KZ", "IS_ACTUAL")
    ),
    Layout(
        "nkz-current-csv",
        NKZ,
        ("code", "level", "parent_code", "major_group", "name_ru", "name_kz"),
    ),
    Layout(
        "oked-statgov-csv",
        OKED,
        ("code", "code_dotted", "level", "parent_code", "section", "name_kz", "name_ru"),
    ),
    Layout("ilo-isco08-xlsx", ISCO08, ("Level", "ISCO 08 Code", "Title EN")),
    Layout("isco08-structure-csv", ISCO08, ("code", "level", "parent_code", "title_en")),
    Layout("canonical", "*", ("code", "parent_code", "level")),
]


def _int(value: str, file: str, line: int, column: str, problems: list[Problem]) -> int | None:
    try:
        number = int(float(value)) if value != "" else None
        # 1e400 is infinite (OverflowError); a level or year beyond 10^9 is no level or year.
        if number is not None and abs(number) >= 10**9:
            raise ValueError(value)
        return number
    except (ValueError, OverflowError):
        problems.append(
            Problem(
                file, line, column, _("‘%(value)s’ is not a whole number.") % {"value": value[:40]}
            )
        )
        return None


def _date(value: Any, file: str, line: int, column: str, problems: list[Problem]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(value)
    for fmt in ("%Y-%m-%d", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    problems.append(
        Problem(
            file,
            line,
            column,
            _("‘%(value)s’ is not a date (use YYYY-MM-DD).") % {"value": text[:40]},
        )
    )
    return None


def _adapt(
    layout: Layout,
    classifier: str,
    file: str,
    records: Iterable[tuple[int, dict[str, Any]]],
    problems: list[Problem],
) -> list[Row]:
    out: list[Row] = []
    if layout.key == "esutd-d-position-xlsx":
        current = [(line, cells) for line, cells in records if clean(cells.get("IS_ACTUAL")) == "1"]
        code_by_id = {clean(cells["ID"]): clean(cells["CODE"]) for _line, cells in current}
        for line, cells in current:
            code = clean(cells["CODE"])
            parent_id = clean(cells.get("PARENT_ID"))
            parent_code = code_by_id.get(parent_id, "")
            if parent_id and not parent_code:
                problems.append(
                    Problem(
                        file,
                        line,
                        "PARENT_ID",
                        _("The parent record %(id)s is missing or not current (IS_ACTUAL≠1).")
                        % {"id": parent_id},
                    )
                )
            out.append(
                Row(
                    line,
                    code,
                    level_from_shape(NKZ, code),
                    parent_code,
                    name_kk=clean(cells.get("NAME_KZ")),
                    name_ru=clean(cells.get("NAME_RU")),
                    valid_from=_date(cells.get("ACTUAL_DATE"), file, line, "ACTUAL_DATE", problems),
                )
            )
        return out
    for line, cells in records:
        get = lambda key, cells=cells: clean(cells.get(key))  # noqa: E731
        if layout.key == "ilo-isco08-xlsx":
            code = get("ISCO 08 Code")
            level = _int(get("Level"), file, line, "Level", problems)
            # Two codes (421, 4213) are stored as numbers; others keep leading zeros as text.
            parent = code[:-1] if level and level > 1 else ""
            out.append(
                Row(
                    line,
                    code,
                    level or 0,
                    parent,
                    name_en=get("Title EN"),
                    description_en=clean_multiline(cells.get("Definition")),
                )
            )
            continue
        level = _int(get("level"), file, line, "level", problems)
        row = Row(line, get("code"), level if level is not None else -1, get("parent_code"))
        if layout.key == "nkz-current-csv":
            row.name_ru, row.name_kk = get("name_ru"), get("name_kz")
            row.valid_from = _date(get("actual_date"), file, line, "actual_date", problems)
        elif layout.key == "oked-statgov-csv":
            row.name_ru, row.name_kk, row.name_en = (
                get("name_ru"),
                get("name_kz"),
                get("name_en_nace_rev2"),
            )
            row.valid_from = _date(get("valid_from"), file, line, "valid_from", problems)
        elif layout.key == "isco08-structure-csv":
            row.name_en = get("title_en")
            row.description_en = clean_multiline(cells.get("definition_en"))
        else:  # canonical
            row.name_kk, row.name_ru, row.name_en = get("name_kk"), get("name_ru"), get("name_en")
            row.description_en = clean_multiline(cells.get("description_en"))
            row.skill_level = _int(get("skill_level"), file, line, "skill_level", problems)
            row.valid_from = _date(cells.get("valid_from"), file, line, "valid_from", problems)
        out.append(row)
    return out
