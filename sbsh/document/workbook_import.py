"""Importing a filled-in workbook: the plan of changes it makes to Tables 1 and 3, checked
against the classifiers before anything is applied (Rules §9–§11)."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers.models import Classifier, CrosswalkLink, Edition, Node
from config import params
from sbsh.document import selectors
from sbsh.document.workbook import (
    CODES_SPLIT,
    COLUMNS,
    T1_COLUMNS,
    T1_FINGERPRINT,
    T1_REQUIRED,
    T3_COLUMNS,
    T3_FINGERPRINT,
    corr_label,
    fingerprint,
    t1_values,
    t3_values,
)
from sbsh.document.workbook_reader import (
    Reader,
    WorkbookRejected,
    cell_text,
    corr_value,
    level_problem,
    nqf_value,
)
from sbsh.models import NkzCorrespondence, Table1Row, Table3Row, Version


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


def read_plan(version: Version, data: bytes, name: str) -> Plan:
    """Read the workbook and compare it with the version: the changes it would make.
    Raises WorkbookRejected with every problem found (nothing is written here)."""
    reader = Reader(version, data, name)
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
            cells = {col.key: cell_text(v) for col, v in zip(columns, values, strict=True)}
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
        wanted[Classifier.NKZ] |= {c for c in CODES_SPLIT.split(cells["occupations"]) if c}
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
        if (msg := level_problem(cells["sqf_level"])) is not None:
            reader.problem(*where, col["table1"]["sqf_level"], msg, T1_COLUMNS)
        if nqf_value(cells["nqf_level"]) is None:
            reader.problem(
                *where,
                col["table1"]["nqf_level"],
                _("The NQF has levels 1 to 8 (Rules §8)."),
                T1_COLUMNS,
            )
        codes = [c for c in CODES_SPLIT.split(cells["occupations"]) if c]
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
        corr = corr_value(cells["nkz_correspondence"])
        if corr is None:
            reader.problem(
                *where,
                c3["nkz_correspondence"],
                _("Choose the correspondence from the list: %(choices)s (Annex §11).")
                % {"choices": ", ".join(corr_label(v) for v in NkzCorrespondence.values)},
                T3_COLUMNS,
            )
        else:
            cells["nkz_correspondence"] = corr
        if nqf_value(cells["nqf_level"]) is None:
            reader.problem(
                *where, c3["nqf_level"], _("The NQF has levels 1 to 8 (Rules §8)."), T3_COLUMNS
            )
        if (msg := level_problem(cells["sqf_level"])) is not None:
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
        shown = {"nkz_correspondence": corr_label}
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
