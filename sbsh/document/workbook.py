"""Tables 1–3 of a version as an XLSX workbook, and the workbook read back: the columns and
values both directions share (export: workbook_export.py; reading: workbook_reader.py;
the plan of changes: workbook_import.py).

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
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy

from sbsh.models import NkzCorrespondence, Table1Row, Table3Row

FORMAT = "sqf-tables/1"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 2_000  # per table; a real SQF has 100–300
MAX_CELL = 20_000  # characters in one cell
MAX_PROBLEMS = 200
EXTRA_ROWS = 200  # unlocked empty rows under the data, for new rows

LANGS = ("kk", "ru", "en")
LEVELS = [str(n) for n in range(1, 9)] + [f"{n}.{s}" for n in range(1, 9) for s in range(1, 10)]
LEVEL_PATTERN = re.compile(r"^[1-8](\.[1-9])?$")
CODES_SPLIT = re.compile(r"[;,\s]+")
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


def in_languages(text: Any) -> set[str]:
    """`text` (lazy, or a callable giving it) in every interface language, for matching."""
    out = set()
    for lang in LANGS:
        with translation.override(lang):
            out.add(str(text() if callable(text) else text).strip().casefold())
    return out


def corr_label(value: str) -> str:
    return str(NkzCorrespondence(value).label) if value in NkzCorrespondence.values else value


def isco_corr_label(value: str) -> str:
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


# --- import ----------------------------------------------------------------------------------
