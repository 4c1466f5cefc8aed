"""Change impact of a new classifier edition (Rules §15.2: a changed NKZ is a ground for an
update of an SQF).

`edition_impact(edition)` lists every live SQF version (a draft or the published version,
not withdrawn or superseded) that cites a code the new edition removes or renames, with
the table, row and column. `impact_notify` tells each SQF's owners (the state body's staff
and the council's secretary); `update_codes` is what a published SQF's "start an update on
§15.2" prefills; `version_move_to_edition` is the assistant that moves a draft to the new
edition, carrying unchanged codes over and listing the rest for a person.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_noop

from classifiers.models import Edition, Node
from councils.models import Role
from councils.services import audit_record
from sbsh.models import (
    ProfessionalStandard,
    Table1Row,
    Table2Entry,
    Table3Row,
    Version,
)

LIVE_EXCLUDED = (Version.Status.WITHDRAWN, Version.Status.SUPERSEDED)
EDITABLE = (Version.Status.PREPARATION, Version.Status.DRAFTING, Version.Status.REVISION)
CLASSIFIER_LABEL = {"nkz": "NKZ", "oked": "OKED", "isco08": "ISCO-08"}
IMPACT_NOTICE = gettext_noop(
    "A new classifier edition removes or renames codes this SQF cites; see the SQF's edition "
    "check (Rules §15.2)."
)


@dataclass(frozen=True)
class Citation:
    version_id: int
    table: str  # passport | standards | table1 | table2 | table3
    row: str  # human-readable row: "2", "section 2, level 5", ""
    column: str
    node_id: int
    # Where to repoint: (model label, object id, field or m2m name).
    target: tuple[str, int, str]


def _citations(versions: list[int], classifier: str) -> list[Citation]:
    """Every place the versions cite a node of the classifier (of any edition)."""
    found: list[Citation] = []
    node_filter = {"edition__classifier": classifier}
    for field, column in (("oked_nodes", "OKED"), ("nkz_groups", "NKZ groups")):
        through = getattr(Version, field).through
        for vid, nid in through.objects.filter(
            version_id__in=versions, **{f"node__{k}": v for k, v in node_filter.items()}
        ).values_list("version_id", "node_id"):
            found.append(Citation(vid, "passport", "", column, nid, ("version", vid, field)))
    through = ProfessionalStandard.nkz_nodes.through
    for sid, vid, order, nid in through.objects.filter(
        professionalstandard__version_id__in=versions,
        **{f"node__{k}": v for k, v in node_filter.items()},
    ).values_list(
        "professionalstandard_id",
        "professionalstandard__version_id",
        "professionalstandard__order",
        "node_id",
    ):
        found.append(
            Citation(vid, "standards", str(order + 1), "NKZ", nid, ("standard", sid, "nkz_nodes"))
        )
    through = Table1Row.occupations.through
    for rid, vid, section, level, nid in through.objects.filter(
        table1row__version_id__in=versions, **{f"node__{k}": v for k, v in node_filter.items()}
    ).values_list(
        "table1row_id",
        "table1row__version_id",
        "table1row__section",
        "table1row__sqf_level",
        "node_id",
    ):
        found.append(
            Citation(
                vid,
                "table1",
                f"{section} / {level}",
                "occupations",
                nid,
                ("table1", rid, "occupations"),
            )
        )
    for column in ("group", "occupation"):
        for eid, vid, level, nid in Table2Entry.objects.filter(
            version_id__in=versions, **{f"{column}__{k}": v for k, v in node_filter.items()}
        ).values_list("pk", "version_id", "sqf_level", f"{column}_id"):
            found.append(Citation(vid, "table2", level, column, nid, ("table2", eid, column)))
    rows = Table3Row.objects.filter(version_id__in=versions).order_by("version_id", "order", "id")
    numbers: dict[int, int] = {}
    position: dict[int, int] = defaultdict(int)
    for rid, vid in rows.values_list("pk", "version_id"):
        position[vid] += 1
        numbers[rid] = position[vid]
    for column in ("isco", "nkz_unit", "nkz_group", "oked", "occupation"):
        for rid, vid, nid in rows.filter(
            **{f"{column}__{k}": v for k, v in node_filter.items()}
        ).values_list("pk", "version_id", f"{column}_id"):
            found.append(
                Citation(vid, "table3", str(numbers[rid]), column, nid, ("table3", rid, column))
            )
    return found


def _changes(
    citations: list[Citation], edition: Edition
) -> tuple[dict[int, Node], dict[int, tuple[str, Node | None]]]:
    """node id → ("removed", None) | ("renamed", new node) | ("same", new node)."""
    nodes = {
        n.pk: n
        for n in Node.objects.filter(pk__in={c.node_id for c in citations}).select_related(
            "edition"
        )
    }
    codes = {n.code for n in nodes.values()}
    new = {n.code: n for n in Node.objects.filter(edition=edition, code__in=codes)}
    verdict: dict[int, tuple[str, Node | None]] = {}
    for pk, n in nodes.items():
        if n.edition_id == edition.pk:
            continue
        other = new.get(n.code)
        if other is None:
            verdict[pk] = ("removed", None)
        elif (other.name_kk, other.name_ru, other.name_en) != (n.name_kk, n.name_ru, n.name_en):
            verdict[pk] = ("renamed", other)
        else:
            verdict[pk] = ("same", other)
    return nodes, verdict


def edition_impact(edition: Edition) -> list[dict[str, Any]]:
    """Per live version citing a removed or renamed code: the version and each place."""
    versions = list(
        Version.objects.exclude(status__in=LIVE_EXCLUDED)
        .select_related("framework__state_body", "framework__council")
        .order_by("framework_id", "number")
    )
    citations = _citations([v.pk for v in versions], edition.classifier)
    nodes, verdict = _changes(citations, edition)
    by_version: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in citations:
        change, other = verdict.get(c.node_id, ("same", None))
        if change == "same":
            continue
        node = nodes[c.node_id]
        by_version[c.version_id].append(
            {
                "table": c.table,
                "row": c.row,
                "column": c.column,
                "code": node.code,
                "change": change,
                "before": node.name_ru or node.name_en,
                "after": (other.name_ru or other.name_en) if other else "",
            }
        )
    return [
        {
            "version": v,
            "places": sorted(by_version[v.pk], key=lambda p: (p["table"], p["row"], p["column"])),
        }
        for v in versions
        if by_version.get(v.pk)
    ]


def impact_lines(edition: Edition, impact: list[dict[str, Any]]) -> list[str]:
    """The report as plain lines (the load command's output)."""
    if not impact:
        return ["  SQF versions affected: none"]
    lines = [f"  SQF versions affected (Rules §15.2): {len(impact)}"]
    for item in impact:
        v = item["version"]
        lines.append(f"  · {v.framework.sector_ru} v{v.number} ({v.status}), id {v.pk}")
        for p in item["places"]:
            where = ", ".join(
                x for x in (p["table"], p["row"] and f"row {p['row']}", p["column"]) if x
            )
            after = f" → {p['after']}" if p["change"] == "renamed" else ""
            lines.append(f"      {where}: {p['code']} {p['change']} ({p['before']}{after})")
    return lines


def impact_notify(edition: Edition, impact: list[dict[str, Any]]) -> list[int]:
    """Tell each affected SQF's owners: the state body's staff and the council's secretary."""
    from sbsh.workflow.notify import _people, _send

    ids: list[int] = []
    for item in impact:
        v = item["version"]
        people = _people(
            [
                (v.framework.state_body_id, (Role.MINISTRY_STAFF,)),
                (v.framework.council_id, (Role.COUNCIL_SECRETARY,)),
            ]
        )
        ids += _send(
            people,
            message=IMPACT_NOTICE,
            subject=f"{v.framework.sector_ru} · v{v.number} · {edition.name}",
            url=reverse("sbsh:editions", args=[v.pk]),
            actor="",
            deadline=None,
        )
    return ids


def update_codes(version: Version) -> list[str]:
    """The codes of a version that the current editions remove or rename, as CLASSIFIER:code
    (what "start an update on §15.2" prefills)."""
    found: set[str] = set()
    for classifier in CLASSIFIER_LABEL:
        edition = Edition.objects.filter(classifier=classifier, is_current=True).first()
        if edition is None:
            continue
        citations = _citations([version.pk], classifier)
        nodes, verdict = _changes(citations, edition)
        for pk, (change, _other) in verdict.items():
            if change != "same":
                found.add(f"{CLASSIFIER_LABEL[classifier]}:{nodes[pk].code}")
    return sorted(found)


# --- the assistant: a draft to the new editions ---------------------------------------------------


def edition_check(version: Version) -> dict[str, Any]:
    """For each classifier: the places citing an older edition, split into carried-over
    candidates (same code and names in the current edition) and those for a person."""
    result: dict[str, Any] = {}
    for classifier, label in CLASSIFIER_LABEL.items():
        edition = Edition.objects.filter(classifier=classifier, is_current=True).first()
        if edition is None:
            continue
        citations = _citations([version.pk], classifier)
        nodes, verdict = _changes(citations, edition)
        same, other = [], []
        for c in citations:
            if c.node_id not in verdict:
                continue
            change, new = verdict[c.node_id]
            place = {
                "table": c.table,
                "row": c.row,
                "column": c.column,
                "code": nodes[c.node_id].code,
                "edition": nodes[c.node_id].edition.name,
                "change": change,
                "before": nodes[c.node_id].name_ru,
                "after": new.name_ru if new else "",
            }
            (same if change == "same" else other).append(place)
        result[classifier] = {"label": label, "edition": edition, "same": same, "other": other}
    return result


def _repoint(c: Citation, old_id: int, new_id: int) -> None:
    kind, obj_id, name = c.target
    if kind == "version":
        m2m = getattr(Version.objects.get(pk=obj_id), name)
    elif kind == "standard":
        m2m = ProfessionalStandard.objects.get(pk=obj_id).nkz_nodes
    elif kind == "table1":
        m2m = Table1Row.objects.get(pk=obj_id).occupations
    else:
        model = Table2Entry if kind == "table2" else Table3Row
        model.objects.filter(pk=obj_id).update(**{f"{name}_id": new_id})
        return
    m2m.remove(old_id)
    m2m.add(new_id)


@transaction.atomic
def version_move_to_edition(*, actor: Any, version: Version, classifier: str) -> dict[str, int]:
    """Carry every code of the draft that the current edition keeps unchanged (same code,
    same names) over to it; leave removed and renamed codes for a person (they stay on
    their old edition, listed by `edition_check`). Only an editable draft (Rules §8–§13)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    locked = Version.objects.select_for_update().get(pk=version.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("Only a draft being prepared, drafted or revised can be moved to a new edition.")
        )
    edition = Edition.objects.filter(classifier=classifier, is_current=True).first()
    if edition is None:
        raise ValidationError(_("This classifier has not been loaded yet."))
    citations = _citations([locked.pk], classifier)
    _nodes, verdict = _changes(citations, edition)
    carried = 0
    for c in citations:
        change, new = verdict.get(c.node_id, ("current", None))
        if change == "same" and new is not None:
            _repoint(c, c.node_id, new.pk)
            carried += 1
    left = sum(
        1 for c in citations if verdict.get(c.node_id, ("current",))[0] in ("removed", "renamed")
    )
    Version.objects.filter(pk=locked.pk).update(revision=locked.revision + 1)
    audit_record(
        actor=actor,
        action="sqf.version.edition_move",
        obj=locked,
        changes={
            "classifier": classifier,
            "edition": edition.name,
            "carried": carried,
            "left": left,
        },
    )
    return {"carried": carried, "left": left}


def edition_impact_run(edition: Edition) -> list[dict[str, Any]]:
    """After a load: the impact report as plain data (kept on the import's report) and the
    owners told, after commit."""
    impact = edition_impact(edition)
    transaction.on_commit(lambda: impact_notify(edition, impact))
    return [
        {
            "version": item["version"].pk,
            "sqf": item["version"].framework.sector_ru,
            "number": item["version"].number,
            "status": item["version"].status,
            "places": item["places"],
        }
        for item in impact
    ]
