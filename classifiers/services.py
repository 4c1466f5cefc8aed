"""Writes for classifier editions: loading a file as the new current edition, and
editing a node's skill level.

The crosswalk is kept in crosswalk.py, the ISCO-08 names in Kazakh and Russian in
names.py, the NQF descriptors in nqf.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers import importers
from classifiers.codes import derived_skill_level
from classifiers.models import Classifier, CrosswalkLink, Edition, Node
from classifiers.rows import ImportRejected, Parsed, Problem, Progress, Row, no_progress
from classifiers.text import display_name, search_text
from councils.models import User
from councils.services import audit_record

DIFF_EXAMPLES = 50


@dataclass
class ImportReport:
    classifier: str
    source_name: str
    source_format: str
    sha256: str
    counts: dict[str, int]
    diff: dict[str, Any]
    dry_run: bool
    edition: Edition | None = None
    crosswalk_carried: int = 0
    crosswalk_dropped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "classifier": self.classifier,
            "source_name": self.source_name,
            "source_format": self.source_format,
            "sha256": self.sha256,
            "counts": self.counts,
            "diff": self.diff,
            "dry_run": self.dry_run,
            "edition": self.edition.name if self.edition else None,
            "crosswalk_carried": self.crosswalk_carried,
            "crosswalk_dropped": self.crosswalk_dropped,
        }


def _after_load() -> None:
    from django.core.cache import cache
    from django.db import connection

    from classifiers.selectors import CURRENT_CACHE_KEY

    cache.delete(CURRENT_CACHE_KEY)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner picks the search indexes for the new rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE classifiers_node")
            cursor.execute("ANALYZE classifiers_crosswalklink")


def _diff(previous: Edition | None, rows: list[Row]) -> dict[str, Any]:
    if previous is None:
        return {
            "previous": None,
            "added": len(rows),
            "removed": 0,
            "renamed": 0,
            "added_codes": [],
            "removed_codes": [],
            "renamed_codes": [],
        }
    old = {
        code: (kk, ru, en)
        for code, kk, ru, en in Node.objects.filter(edition=previous).values_list(
            "code", "name_kk", "name_ru", "name_en"
        )
    }
    new = {row.code: (row.name_kk, row.name_ru, row.name_en) for row in rows}
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    renamed = sorted(code for code in set(new) & set(old) if new[code] != old[code])
    return {
        "previous": previous.name,
        "added": len(added),
        "removed": len(removed),
        "renamed": len(renamed),
        "added_codes": added[:DIFF_EXAMPLES],
        "removed_codes": removed[:DIFF_EXAMPLES],
        "renamed_codes": [
            {"code": c, "before": old[c][1] or old[c][2], "after": new[c][1] or new[c][2]}
            for c in renamed[:DIFF_EXAMPLES]
        ],
    }


def _depth_order(rows: list[Row]) -> list[list[Row]]:
    """Rows in layers so that every parent is inserted before its children."""
    by_code = {row.code: row for row in rows}
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        if code in depth:
            return depth[code]
        chain, current = [], by_code[code]
        while current.parent_code and current.code not in depth:
            chain.append(current.code)
            current = by_code[current.parent_code]
        base = depth.get(current.code, 0)
        depth.setdefault(current.code, base)
        for i, c in enumerate(reversed(chain), start=1):
            depth[c] = base + i
        return depth[code]

    layers: dict[int, list[Row]] = {}
    for row in rows:
        layers.setdefault(depth_of(row.code), []).append(row)
    return [layers[k] for k in sorted(layers)]


def _unique_edition_name(classifier: str, wanted: str) -> str:
    name, n = wanted, 2
    while Edition.objects.filter(classifier=classifier, name=name).exists():
        name, n = f"{wanted} ({n})", n + 1
    return name


def classifier_import(
    *,
    classifier: str,
    source_name: str,
    data: bytes,
    actor: User | None,
    edition_name: str | None = None,
    effective_date: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress = no_progress,
) -> ImportReport:
    """Load one classifier file as a new, current edition: all rows or none.

    1. Read and check the file (importers.parse); any problem rejects it whole.
    2. Refuse a file already loaded (same sha256) for this classifier.
    3. Compare with the current edition: codes added, removed, renamed.
    4. Unless a dry run: insert the nodes parent-first in one transaction, make the new
       edition current, carry the crosswalk over by code, write the audit row.
    """
    parsed = importers.parse(
        classifier, source_name, data, max_bytes=settings.UPLOAD_MAX_BYTES, progress=progress
    )
    same = Edition.objects.filter(classifier=classifier, source_sha256=parsed.sha256).first()
    if same is not None:
        raise ImportRejected(
            [
                Problem(
                    source_name,
                    None,
                    None,
                    _("This exact file is already loaded as the edition ‘%(edition)s’.")
                    % {"edition": same.name},
                )
            ]
        )
    previous = Edition.objects.filter(classifier=classifier, is_current=True).first()
    report = ImportReport(
        classifier=classifier,
        source_name=source_name,
        source_format=parsed.source_format,
        sha256=parsed.sha256,
        counts=parsed.counts(),
        diff=_diff(previous, parsed.rows),
        dry_run=dry_run,
    )
    if dry_run:
        return report
    with transaction.atomic():
        report.edition = _write_edition(
            parsed=parsed,
            previous=previous,
            actor=actor,
            diff=report.diff,
            edition_name=edition_name,
            effective_date=effective_date,
            progress=progress,
        )
        if previous is not None:
            report.crosswalk_carried, report.crosswalk_dropped = _carry_crosswalk(
                previous, report.edition
            )
        audit_record(
            actor=actor,
            action="classifier.load",
            obj=report.edition,
            changes={
                "counts": report.counts,
                "sha256": parsed.sha256,
                "diff": {k: report.diff[k] for k in ("previous", "added", "removed", "renamed")},
            },
        )
    return report


def _write_edition(
    *,
    parsed: Parsed,
    previous: Edition | None,
    actor: User | None,
    diff: dict[str, Any],
    edition_name: str | None,
    effective_date: dt.date | None,
    progress: Progress,
) -> Edition:
    classifier = parsed.classifier
    default_name = f"{parsed.source_name} · {timezone.localdate():%Y-%m-%d}"
    edition = Edition(
        classifier=classifier,
        name=_unique_edition_name(classifier, (edition_name or default_name)[:120]),
        effective_date=effective_date,
        source_name=parsed.source_name[:255],
        source_sha256=parsed.sha256,
        source_format=parsed.source_format,
        loaded_by=actor if actor is not None and actor.is_authenticated else None,
        counts=parsed.counts(),
        diff=diff,
        previous=previous,
        is_current=False,
    )
    edition.full_clean()
    edition.save()
    parents = {row.parent_code for row in parsed.rows if row.parent_code}
    pk_by_code: dict[str, int] = {}
    done, total = 0, len(parsed.rows)
    for layer in _depth_order(parsed.rows):
        nodes = []
        for row in layer:
            title_kk = display_name(classifier, row.name_kk)
            title_ru = display_name(classifier, row.name_ru)
            title_en = display_name(classifier, row.name_en)
            skill = row.skill_level
            nodes.append(
                Node(
                    edition=edition,
                    code=row.code,
                    level=row.level,
                    parent_id=pk_by_code.get(row.parent_code) if row.parent_code else None,
                    name_kk=row.name_kk,
                    name_ru=row.name_ru,
                    name_en=row.name_en,
                    title_kk=title_kk,
                    title_ru=title_ru,
                    title_en=title_en,
                    description_en=row.description_en,
                    skill_level=skill
                    if skill is not None
                    else (
                        derived_skill_level(classifier, row.code)
                        if classifier != Classifier.OKED
                        else None
                    ),
                    skill_level_edited=skill is not None,
                    valid_from=row.valid_from,
                    is_leaf=row.code not in parents,
                    search_text=search_text(
                        row.code, row.name_kk, row.name_ru, row.name_en, title_en
                    ),
                    source_row=row.line,
                )
            )
        for chunk_start in range(0, len(nodes), 2000):
            chunk = nodes[chunk_start : chunk_start + 2000]
            Node.objects.bulk_create(chunk)
            done += len(chunk)
            progress(_("Saving"), done, total)
        pk_by_code.update({n.code: n.pk for n in nodes})
        if any(
            n.pk is None for n in nodes
        ):  # pragma: no cover - every supported database returns pks
            pk_by_code.update(dict(Node.objects.filter(edition=edition).values_list("code", "pk")))
    if previous is not None:
        Edition.objects.filter(pk=previous.pk).update(is_current=False)
    Edition.objects.filter(pk=edition.pk).update(is_current=True)
    edition.is_current = True
    return edition


def _carry_crosswalk(previous: Edition, edition: Edition) -> tuple[int, list[str]]:
    """Re-point crosswalk links from the previous edition's nodes to the new one's, by code."""
    new_nodes = dict(Node.objects.filter(edition=edition, level=4).values_list("code", "pk"))
    field_name = "nkz" if edition.classifier == Classifier.NKZ else "isco"
    if edition.classifier == Classifier.OKED:
        return 0, []
    links = list(
        CrosswalkLink.objects.filter(**{f"{field_name}__edition": previous}).select_related(
            field_name
        )
    )
    carried, dropped, copies = 0, [], []
    for link in links:
        old_node = getattr(link, field_name)
        new_pk = new_nodes.get(old_node.code)
        if new_pk is None:
            dropped.append(old_node.code)
            continue
        copies.append(
            CrosswalkLink(
                isco_id=new_pk if field_name == "isco" else link.isco_id,
                nkz_id=new_pk if field_name == "nkz" else link.nkz_id,
                correspondence=link.correspondence,
                note=link.note,
                updated_by=link.updated_by,
                updated_at=link.updated_at,
            )
        )
        carried += 1
    CrosswalkLink.objects.bulk_create(copies, ignore_conflicts=True)
    return carried, sorted(set(dropped))


def current_edition(classifier: str) -> Edition | None:
    return Edition.objects.filter(classifier=classifier, is_current=True).first()


def nodes_changed(edition_id: int) -> None:
    """Nodes of the edition changed in place: what was rendered from them is out of date."""
    Edition.objects.filter(pk=edition_id).update(nodes_revision=F("nodes_revision") + 1)


@transaction.atomic
def node_skill_level_set(*, actor: User, node: Node, skill_level: int | None) -> Node:
    if skill_level is not None and not 1 <= skill_level <= 4:
        raise ValueError("skill level must be 1–4")
    before = Node.objects.filter(pk=node.pk).values_list("skill_level", flat=True).first()
    node.skill_level = skill_level
    node.skill_level_edited = True
    node.save(update_fields=["skill_level", "skill_level_edited"])
    nodes_changed(node.edition_id)
    audit_record(
        actor=actor,
        action="classifier.node.skill_level",
        obj=node,
        changes={"skill_level": [before, skill_level]},
    )
    return node
