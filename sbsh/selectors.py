"""Reads for SQFs: lists, editor pages and the compliance snapshot, each in a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from classifiers.importers import derived_skill_level
from classifiers.models import Edition, Node
from councils import access
from councils.models import User
from sbsh import compliance
from sbsh.models import (
    Framework,
    Part,
    ProfessionalStandard,
    ProgressionLink,
    Table1Row,
    Table2Entry,
    Table3Row,
    Version,
)

NODE = Node.objects.select_related("edition", "parent")
OKED_ANCESTRY = "oked__parent__parent__parent__parent"


def frameworks_for(user: User) -> QuerySet[Framework]:
    return (
        access.frameworks_for_user(user)
        .prefetch_related(Prefetch("versions", queryset=Version.objects.order_by("-number")))
        .order_by("sector_ru")
    )


def parts(version: Version) -> dict[str, Part]:
    return {p.key: p for p in version.parts.all()}


def table1_rows(version: Version) -> list[Table1Row]:
    return list(
        version.table1_rows.prefetch_related(Prefetch("occupations", queryset=NODE)).order_by(
            "section", "order", "id"
        )
    )


def table1_by_section(version: Version) -> list[tuple[int, str, list[Table1Row]]]:
    rows = table1_rows(version)
    return [
        (value, label, [r for r in rows if r.section == value])
        for value, label in Table1Row.Section.choices
    ]


def table2(version: Version) -> tuple[list[Table2Entry], list[ProgressionLink]]:
    entries = list(
        version.table2_entries.select_related(
            "group__parent", "group__edition", "occupation__edition", "occupation__parent"
        )
    )
    links = list(
        version.progression_links.select_related("source__occupation", "target__occupation")
    )
    return entries, links


def table3_rows(version: Version) -> list[Table3Row]:
    return list(
        version.table3_rows.select_related(
            "isco__parent",
            "isco__edition",
            "nkz_unit__parent",
            "nkz_unit__edition",
            "nkz_group__parent",
            "nkz_group__edition",
            "occupation",
            "occupation__parent",
            "occupation__edition",
            "oked__edition",
            OKED_ANCESTRY,
        ).order_by("order", "id")
    )


def standards(version: Version) -> list[ProfessionalStandard]:
    return list(version.standards.prefetch_related(Prefetch("nkz_nodes", queryset=NODE)))


def passport_nodes(version: Version) -> tuple[list[Node], list[Node]]:
    return list(version.oked_nodes.select_related("edition", "parent").order_by("code")), list(
        version.nkz_groups.select_related("edition", "parent").order_by("code")
    )


def oked_chain(node: Node) -> list[Node]:
    """Section, division, group, class and the subclass itself (read without queries)."""
    chain = [node]
    current = node.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


# --- snapshot for the compliance check -------------------------------------------------------------


def _ref(node: Node) -> compliance.NodeRef:
    return compliance.NodeRef(
        id=node.pk,
        code=node.code,
        level=node.level,
        classifier=node.edition.classifier,
        edition_id=node.edition_id,
        title=node.title,
        parent_code=node.parent.code if node.parent_id and node.parent else "",
        skill_level=node.skill_level,
        derived_skill_level=derived_skill_level(node.edition.classifier, node.code)
        if node.edition.classifier != "oked"
        else None,
    )


def version_snapshot(version: Version) -> compliance.Snapshot:
    part_map = parts(version)
    stale: list[tuple[str, int | None, str]] = [
        (p.key, None, p.stale_language) for p in part_map.values() if p.stale_language
    ]
    t1 = table1_rows(version)
    stale += [("table1", r.pk, r.stale_language) for r in t1 if r.stale_language]
    stds = standards(version)
    stale += [("standards", s.pk, s.stale_language) for s in stds if s.stale_language]
    entries, links = table2(version)
    t3 = table3_rows(version)
    oked, nkz = passport_nodes(version)
    return compliance.Snapshot(
        names={"kk": version.name_kk, "ru": version.name_ru},
        parts={key: {"kk": p.text_kk, "ru": p.text_ru} for key, p in part_map.items()},
        stale=stale,
        oked_nodes=[_ref(n) for n in oked],
        nkz_groups=[_ref(n) for n in nkz],
        standards=[
            compliance.Standard(
                s.pk, {"kk": s.name_kk, "ru": s.name_ru}, [_ref(n) for n in s.nkz_nodes.all()]
            )
            for s in stds
        ],
        table1=[
            compliance.T1Row(
                id=r.pk,
                section=r.section,
                sqf_level=r.sqf_level,
                nqf_level=r.nqf_level,
                occupations=[_ref(n) for n in r.occupations.all()],
                texts={
                    c: {"kk": getattr(r, f"{c}_kk"), "ru": getattr(r, f"{c}_ru")}
                    for c in Table1Row.TEXT_COLUMNS
                },
            )
            for r in t1
        ],
        table2=[
            compliance.T2Entry(e.pk, e.sqf_level, _ref(e.group), _ref(e.occupation))
            for e in entries
        ],
        links=[compliance.T2Link(link.source_id, link.target_id, link.kind) for link in links],
        table3=[
            compliance.T3Row(
                id=r.pk,
                number=i,
                isco=_ref(r.isco),
                nkz_unit=_ref(r.nkz_unit),
                nkz_group=_ref(r.nkz_group),
                oked=_ref(r.oked),
                occupation=_ref(r.occupation),
                nqf_level=r.nqf_level,
                sqf_level=r.sqf_level,
                isco_correspondence=r.isco_correspondence,
                oked_ancestors=tuple(n.code for n in oked_chain(r.oked)[:-1]),
            )
            for i, r in enumerate(t3, start=1)
        ],
        current_editions=dict(
            Edition.objects.filter(is_current=True).values_list("classifier", "pk")
        ),
    )


@dataclass(frozen=True)
class Completeness:
    kk: bool
    ru: bool
    stale: str


def part_completeness(part: Part) -> Completeness:
    return Completeness(
        compliance._filled(part.text_kk), compliance._filled(part.text_ru), part.stale_language
    )


def findings(version: Version) -> list[compliance.Finding]:
    return compliance.check(version_snapshot(version))
