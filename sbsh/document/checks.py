"""What a version lacks: its snapshot for the compliance check (compliance.py), the
completeness of its parts, and the checklist of the preparatory work (Rules §8)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from classifiers.codes import derived_skill_level
from classifiers.models import Edition
from sbsh.document import compliance, compliance_base
from sbsh.document.selectors import (
    NodeLite,
    chain,
    m2m_ids,
    node_index,
    table1_rows,
)
from sbsh.models import (
    Part,
    ProfessionalStandard,
    Table1Row,
    Version,
)


def _ref(node: NodeLite) -> compliance_base.NodeRef:
    return compliance_base.NodeRef(
        id=node.pk,
        code=node.code,
        level=node.level,
        classifier=node.classifier,
        edition_id=node.edition_id,
        title=node.title,
        parent_code=node.parent_code,
        skill_level=node.skill_level,
        derived_skill_level=derived_skill_level(node.classifier, node.code)
        if node.classifier != "oked"
        else None,
    )


def version_snapshot(version: Version) -> compliance_base.Snapshot:
    """Everything the compliance check reads, in about a dozen queries of plain values."""
    part_rows = list(version.parts.values_list("key", "text_kk", "text_ru", "stale_language"))
    t1 = table1_rows(version)
    stds = list(version.standards.values_list("id", "name_kk", "name_ru", "stale_language"))
    std_links = m2m_ids(
        ProfessionalStandard.nkz_nodes.through, "professionalstandard_id", [s[0] for s in stds]
    )
    entries = list(
        version.table2_entries.values_list("id", "sqf_level", "group_id", "occupation_id")
    )
    links = list(version.progression_links.values_list("source_id", "target_id", "kind"))
    t3 = list(
        version.table3_rows.order_by("order", "id").values_list(
            "id",
            "isco_id",
            "nkz_unit_id",
            "nkz_group_id",
            "oked_id",
            "occupation_id",
            "nqf_level",
            "sqf_level",
            "isco_correspondence",
        )
    )
    oked_ids = list(
        Version.oked_nodes.through.objects.filter(version_id=version.pk).values_list(
            "node_id", flat=True
        )
    )
    nkz_ids = list(
        Version.nkz_groups.through.objects.filter(version_id=version.pk).values_list(
            "node_id", flat=True
        )
    )
    ids = {
        *oked_ids,
        *nkz_ids,
        *(n for ns in std_links.values() for n in ns),
        *(n for e in entries for n in e[2:4]),
        *(n for r in t3 for n in r[1:6]),
        *(n.pk for r in t1 for n in r.occupation_list),
    }
    index = node_index(ids, ancestors=True)
    refs = {i: _ref(n) for i, n in index.items()}
    stale = [(key, None, lang) for key, _kk, _ru, lang in part_rows if lang]
    stale += [("table1", r.pk, r.stale_language) for r in t1 if r.stale_language]
    stale += [("standards", sid, lang) for sid, _kk, _ru, lang in stds if lang]
    from sbsh.workflow.policy import switched_off

    return compliance_base.Snapshot(
        policies_off=switched_off(),
        names={"kk": version.name_kk, "ru": version.name_ru},
        parts={key: {"kk": kk, "ru": ru} for key, kk, ru, _lang in part_rows},
        stale=stale,
        oked_nodes=[refs[i] for i in oked_ids],
        nkz_groups=[refs[i] for i in nkz_ids],
        standards=[
            compliance_base.Standard(
                sid, {"kk": kk, "ru": ru}, [refs[i] for i in std_links.get(sid, [])]
            )
            for sid, kk, ru, _lang in stds
        ],
        table1=[
            compliance_base.T1Row(
                id=r.pk,
                section=r.section,
                sqf_level=r.sqf_level,
                nqf_level=r.nqf_level,
                occupations=[refs[n.pk] for n in r.occupation_list],
                texts={
                    c: {"kk": getattr(r, f"{c}_kk"), "ru": getattr(r, f"{c}_ru")}
                    for c in Table1Row.TEXT_COLUMNS
                },
            )
            for r in t1
        ],
        table2=[
            compliance_base.T2Entry(eid, level, refs[group], refs[occ])
            for eid, level, group, occ in entries
        ],
        links=[compliance_base.T2Link(a, b, kind) for a, b, kind in links],
        table3=[
            compliance_base.T3Row(
                id=rid,
                number=i,
                isco=refs[isco],
                nkz_unit=refs[unit],
                nkz_group=refs[group],
                oked=refs[oked],
                occupation=refs[occ],
                nqf_level=nqf,
                sqf_level=sqf,
                isco_correspondence=corr,
                oked_ancestors=tuple(n.code for n in chain(index, index[oked])[:-1]),
            )
            for i, (rid, isco, unit, group, oked, occ, nqf, sqf, corr) in enumerate(t3, start=1)
        ],
        current_editions=dict(
            Edition.objects.filter(is_current=True).values_list("classifier", "pk")
        ),
        isco_names_missing={
            index[r[1]].code: tuple(
                lang for lang in ("kk", "ru") if not getattr(index[r[1]], f"title_{lang}")
            )
            for r in t3
        },
        tables_landscape=version.tables_landscape,
    )


@dataclass(frozen=True)
class Completeness:
    kk: bool
    ru: bool
    stale: str


def part_completeness(part: Part) -> Completeness:
    return Completeness(
        compliance_base.filled(part.text_kk), compliance_base.filled(part.text_ru), part.stale_language
    )


def findings(version: Version) -> list[compliance_base.Finding]:
    return compliance.check(version_snapshot(version))


@dataclass(frozen=True)
class ChecklistItem:
    clause: str
    label: Any
    done: bool
    url_name: str  # the editor page where it is done
    part: str = ""  # for sbsh:part, the part's key


def preparation_checklist(version: Version) -> list[ChecklistItem]:
    """Rules §8: the six results of the preparatory work, read from the document itself."""
    from django.utils.translation import gettext_lazy as _

    texts = {
        key: compliance_base.filled(kk) and compliance_base.filled(ru)
        for key, kk, ru in version.parts.filter(
            key__in=[Part.Key.ANALYSIS, Part.Key.CURRENT_STATE, Part.Key.OCCUPATIONS]
        ).values_list("key", "text_kk", "text_ru")
    }
    t1 = list(
        version.table1_rows.values_list(
            "knowledge_kk",
            "knowledge_ru",
            "skills_kk",
            "skills_ru",
            "competences_kk",
            "competences_ru",
        )
    )
    # Rules §8.4 "жұмыс тәжірибесін ескере отырып": every vertical move says how much
    # work experience it takes.
    counts = version.progression_links.filter(kind="vertical").aggregate(
        vertical=Count("id"), without=Count("id", filter=Q(experience_years__isnull=True))
    )
    vertical, vertical_without_experience = counts["vertical"], counts["without"]
    return [
        ChecklistItem(
            "Rules §8.1",
            _("sector analysis: current state, problems, trends (Annex §4–§5)"),
            texts.get(Part.Key.ANALYSIS, False) and texts.get(Part.Key.CURRENT_STATE, False),
            "sbsh:part",
            Part.Key.ANALYSIS,
        ),
        ChecklistItem(
            "Rules §8.2",
            _("sector boundaries by OKED"),
            version.oked_nodes.exists(),
            "sbsh:passport",
        ),
        ChecklistItem(
            "Rules §8.3",
            _("professional groups and occupations by NKZ"),
            version.nkz_groups.exists() and texts.get(Part.Key.OCCUPATIONS, False),
            "sbsh:passport",
        ),
        ChecklistItem(
            "Rules §8.4",
            _(
                "continuity of qualification trajectories, taking work experience into account (Table 2: vertical moves, each with the years of experience it takes)"
            ),
            vertical > 0 and vertical_without_experience == 0,
            "sbsh:table2",
        ),
        ChecklistItem(
            "Rules §8.5",
            _("qualification descriptors (Table 1: knowledge, abilities, competences)"),
            bool(t1) and all(compliance_base.filled(cell) for row in t1 for cell in row),
            "sbsh:table1",
        ),
        ChecklistItem(
            "Rules §8.6",
            _("professional qualification map (Table 3)"),
            version.table3_rows.exists(),
            "sbsh:table3",
        ),
    ]
