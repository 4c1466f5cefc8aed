"""Compliance findings as the checklist shows them: identical findings grouped with a
count, each place named (part, table, row) and linked (issue 19: four identical "may be
out of date" lines said neither where nor how many)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sbsh.document.compliance_base import Finding
from sbsh.models import Part, Table1Row, Table3Row, Version


@dataclass
class Place:
    label: str
    finding: Finding


@dataclass
class FindingGroup:
    severity: str
    blocking: bool
    clause: str
    message: str
    places: list[Place] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.places)


def group_findings(version: Version, findings: list[Finding]) -> list[FindingGroup]:
    t1_ids = {f.row for f in findings if f.part == "table1" and f.row}
    t3_ids = {f.row for f in findings if f.part == "table3" and f.row}
    t1 = (
        {
            pk: (s, lvl)
            for pk, s, lvl in Table1Row.objects.filter(version=version, pk__in=t1_ids).values_list(
                "pk", "section", "sqf_level"
            )
        }
        if t1_ids
        else {}
    )
    t3_order = (
        list(
            Table3Row.objects.filter(version=version)
            .order_by("order", "pk")
            .values_list("pk", flat=True)
        )
        if t3_ids
        else []
    )
    groups: dict[tuple[str, str, str], FindingGroup] = {}
    for f in findings:
        key = (f.severity, f.clause, f.message)
        group = groups.get(key)
        if group is None:
            group = groups[key] = FindingGroup(f.severity, f.blocking, f.clause, f.message)
        group.places.append(Place(_place_label(f, t1, t3_order), f))
    return list(groups.values())


def _place_label(f: Finding, t1: dict[int, tuple[int, str]], t3_order: list[int]) -> str:
    if f.part == "table1":
        if f.row in t1:
            section, level = t1[f.row]
            return _("Table 1 · section %(section)s · level %(level)s") % {
                "section": section,
                "level": level or "—",
            }
        return _("Table 1 — qualification levels")
    if f.part == "table2":
        return _("Table 2 — functional map")
    if f.part == "table3":
        if f.row in t3_order:
            return _("Table 3, row %(n)s") % {"n": t3_order.index(f.row) + 1}
        return _("Table 3 — qualification map")
    if f.part == "standards":
        return _("Annex §7 — professional standards")
    if f.part == "passport":
        return _("Annex §1–2 — name and passport")
    if f.part == "overview":
        return _("Overview and checklist")
    if f.part in Part.Key.values:
        return str(Part.Key(f.part).label)
    return f.part
