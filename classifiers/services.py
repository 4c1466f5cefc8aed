"""Writes for classifiers: loading editions and keeping the ISCO-08 ↔ NKZ crosswalk."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers import importers
from classifiers.importers import ImportRejected, Problem
from classifiers.models import Classifier, Correspondence, CrosswalkLink, Edition, Node
from config.spreadsheet import csv_safe, csv_unsafe
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


def _diff(previous: Edition | None, rows: list[importers.Row]) -> dict[str, Any]:
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


def _depth_order(rows: list[importers.Row]) -> list[list[importers.Row]]:
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

    layers: dict[int, list[importers.Row]] = {}
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
    progress: importers.Progress = importers._noop,
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
    parsed: importers.Parsed,
    previous: Edition | None,
    actor: User | None,
    diff: dict[str, Any],
    edition_name: str | None,
    effective_date: dt.date | None,
    progress: importers.Progress,
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
            title_kk = importers.display_name(classifier, row.name_kk)
            title_ru = importers.display_name(classifier, row.name_ru)
            title_en = importers.display_name(classifier, row.name_en)
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
                        importers.derived_skill_level(classifier, row.code)
                        if classifier != Classifier.OKED
                        else None
                    ),
                    skill_level_edited=skill is not None,
                    valid_from=row.valid_from,
                    is_leaf=row.code not in parents,
                    search_text=importers.search_text(
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


# --- crosswalk ---------------------------------------------------------------------------


@transaction.atomic
def crosswalk_seed_equal_codes(*, actor: User | None) -> int:
    """Link ISCO-08 and NKZ unit groups with equal codes, marked unverified.

    Equal codes often mean different groups (isco08_vs_nkz2017 PROVENANCE.md): the
    seed is a starting point for an expert, never a finding.
    """
    isco, nkz = current_edition(Classifier.ISCO08), current_edition(Classifier.NKZ)
    if isco is None or nkz is None:
        return 0
    isco_units = dict(Node.objects.filter(edition=isco, level=4).values_list("code", "pk"))
    nkz_units = dict(Node.objects.filter(edition=nkz, level=4).values_list("code", "pk"))
    existing = set(
        CrosswalkLink.objects.filter(isco__edition=isco, nkz__edition=nkz).values_list(
            "isco_id", "nkz_id"
        )
    )
    new = [
        CrosswalkLink(
            isco_id=isco_units[code],
            nkz_id=nkz_units[code],
            correspondence=Correspondence.UNVERIFIED,
            note="Seeded from equal codes; not verified by an expert.",
            updated_by=actor,
        )
        for code in sorted(set(isco_units) & set(nkz_units))
        if (isco_units[code], nkz_units[code]) not in existing
    ]
    CrosswalkLink.objects.bulk_create(new)
    if new:
        audit_record(
            actor=actor, action="crosswalk.seed", obj=isco, changes={"links_created": len(new)}
        )
    return len(new)


CROSSWALK_COLUMNS = [
    "isco_code",
    "isco_title_en",
    "nkz_code",
    "nkz_title_ru",
    "correspondence",
    "note",
]


def crosswalk_export_csv() -> str:
    isco, nkz = current_edition(Classifier.ISCO08), current_edition(Classifier.NKZ)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CROSSWALK_COLUMNS)
    links = CrosswalkLink.objects.filter(isco__edition=isco, nkz__edition=nkz).select_related(
        "isco", "nkz"
    )
    for link in links.order_by("isco__code", "nkz__code"):
        writer.writerow(
            [
                link.isco.code,
                csv_safe(link.isco.title_en),
                link.nkz.code,
                csv_safe(link.nkz.title_ru),
                link.correspondence,
                csv_safe(link.note),
            ]
        )
    return out.getvalue()


@dataclass
class CrosswalkImportReport:
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def crosswalk_import_csv(
    *, data: bytes, actor: User | None, source_name: str = "crosswalk.csv", dry_run: bool = False
) -> CrosswalkImportReport:
    """Create or update links from a CSV (columns as the export); all rows or none."""
    isco, nkz = current_edition(Classifier.ISCO08), current_edition(Classifier.NKZ)
    if isco is None or nkz is None:
        raise ImportRejected(
            [Problem(source_name, None, None, _("Load ISCO-08 and NKZ before the crosswalk."))]
        )
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ImportRejected([Problem(source_name, None, None, _("The file is too large."))])
    isco_units = dict(Node.objects.filter(edition=isco, level=4).values_list("code", "pk"))
    nkz_units = dict(Node.objects.filter(edition=nkz, level=4).values_list("code", "pk"))
    problems: list[Problem] = []
    wanted: dict[tuple[int, int], tuple[str, str]] = {}
    rows = importers.csv_rows(source_name, data)
    first = next(rows, None)
    header = [importers.clean(h) for h in first[1]] if first else []
    missing = [c for c in ("isco_code", "nkz_code", "correspondence") if c not in header]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    source_name,
                    1,
                    None,
                    _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)},
                )
            ]
        )
    valid = set(Correspondence.values)
    for line, values in rows:
        cells = dict(zip(header, values, strict=False))
        isco_code, nkz_code = (
            importers.clean(cells.get("isco_code")),
            importers.clean(cells.get("nkz_code")),
        )
        kind = importers.clean(cells.get("correspondence")).lower()
        note = csv_unsafe(importers.clean(cells.get("note")))
        if isco_code not in isco_units:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "isco_code",
                    _("%(code)s is not an ISCO-08 unit group.") % {"code": isco_code},
                )
            )
        if nkz_code not in nkz_units:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "nkz_code",
                    _("%(code)s is not an NKZ unit group.") % {"code": nkz_code},
                )
            )
        if kind not in valid:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "correspondence",
                    _("‘%(value)s’ is not one of: %(values)s.")
                    % {"value": kind, "values": ", ".join(sorted(valid))},
                )
            )
        if isco_code in isco_units and nkz_code in nkz_units:
            wanted[(isco_units[isco_code], nkz_units[nkz_code])] = (kind, note)
    if problems:
        raise ImportRejected(problems)
    existing = {
        (link.isco_id, link.nkz_id): link
        for link in CrosswalkLink.objects.filter(isco__edition=isco, nkz__edition=nkz)
    }
    created = updated = unchanged = 0
    with transaction.atomic():
        for (isco_id, nkz_id), (kind, note) in wanted.items():
            link = existing.get((isco_id, nkz_id))
            if link is None:
                created += 1
                if not dry_run:
                    CrosswalkLink.objects.create(
                        isco_id=isco_id,
                        nkz_id=nkz_id,
                        correspondence=kind,
                        note=note,
                        updated_by=actor,
                    )
            elif (link.correspondence, link.note) != (kind, note):
                updated += 1
                if not dry_run:
                    link.correspondence, link.note, link.updated_by, link.updated_at = (
                        kind,
                        note,
                        actor,
                        timezone.now(),
                    )
                    link.save()
            else:
                unchanged += 1
        if not dry_run and (created or updated):
            audit_record(
                actor=actor,
                action="crosswalk.import",
                obj=isco,
                changes={"created": created, "updated": updated, "source": source_name},
            )
    return CrosswalkImportReport(created, updated, unchanged, dry_run)


@transaction.atomic
def crosswalk_link_save(*, actor: User, link: CrosswalkLink) -> CrosswalkLink:
    creating = link.pk is None
    before = (
        None
        if creating
        else CrosswalkLink.objects.filter(pk=link.pk).values("correspondence", "note").first()
    )
    link.updated_by, link.updated_at = actor, timezone.now()
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action="crosswalk.create" if creating else "crosswalk.update",
        obj=link,
        changes={"before": before, "correspondence": link.correspondence, "note": link.note},
    )
    return link


# --- ISCO-08 names in Kazakh and Russian (Table 3, column 4) --------------------------------------

ISCO_NAMES_MAX_BYTES = 2 * 1024 * 1024
ISCO_NAMES_COLUMNS = ("code", "name_kk", "name_ru")


@dataclass
class NamesReport:
    edition: Edition
    changed: int
    unchanged: int
    source: str


@transaction.atomic
def isco_names_load(
    *, data: bytes, source_name: str, source: str, actor: User | None, dry_run: bool = False
) -> NamesReport:
    """Kazakh and Russian names of ISCO-08 groups, for Table 3's column 4 (Annex §11).

    ISCO-08 is published by the ILO with English titles only and no official Kazakh or
    Russian list exists as data (Russia's ОК 010-2014 is harmonised with ISCO-08, not a
    translation of it), so an administrator supplies them: a UTF-8 CSV with the columns
    code, name_kk, name_ru (either name may be empty). Every code must exist in the
    current ISCO-08 edition; nothing is written unless the whole file is right. `source`
    (whose translation, of what date) is kept on the edition."""
    name = source_name or "names.csv"
    if len(data) > ISCO_NAMES_MAX_BYTES:
        raise importers.ImportRejected(
            [importers.Problem(name, None, None, _("The file is larger than 2 MB."))]
        )
    if not (source or "").strip():
        raise importers.ImportRejected(
            [
                importers.Problem(
                    name,
                    None,
                    None,
                    _("Say where the names come from (whose translation, of what date)."),
                )
            ]
        )
    edition = Edition.objects.filter(classifier=Classifier.ISCO08, is_current=True).first()
    if edition is None:
        raise importers.ImportRejected(
            [importers.Problem(name, None, None, _("No ISCO-08 edition is loaded yet."))]
        )
    text = importers._decode_csv(name, data)
    reader = csv.reader(io.StringIO(text))
    header = [importers.clean(h).lower() for h in next(reader, [])]
    problems: list[importers.Problem] = []
    missing = [c for c in ISCO_NAMES_COLUMNS if c not in header]
    if missing:
        raise importers.ImportRejected(
            [
                importers.Problem(
                    name,
                    1,
                    ", ".join(missing),
                    _("The first row must name the columns code, name_kk and name_ru."),
                )
            ]
        )
    nodes = {n.code: n for n in Node.objects.filter(edition=edition)}
    updates: dict[str, tuple[str, str]] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, cells, strict=False))
        code = importers.clean(row.get("code"))
        kk = importers.clean(row.get("name_kk"))
        ru = importers.clean(row.get("name_ru"))
        if code not in nodes:
            problems.append(
                importers.Problem(
                    name,
                    line,
                    "code",
                    _("ISCO-08 code “%(code)s” is not in the edition ‘%(edition)s’.")
                    % {"code": code, "edition": edition.name},
                )
            )
        elif code in updates:
            problems.append(
                importers.Problem(
                    name, line, "code", _("Code %(code)s appears twice.") % {"code": code}
                )
            )
        elif any(len(v) > 500 for v in (kk, ru)):
            problems.append(
                importers.Problem(name, line, "name_kk", _("A name is longer than 500 characters."))
            )
        else:
            updates[code] = (kk, ru)
    if problems:
        raise importers.ImportRejected(problems)
    changed = [
        code
        for code, (kk, ru) in updates.items()
        if (nodes[code].title_kk, nodes[code].title_ru) != (kk, ru)
    ]
    if not dry_run and changed:
        for code in changed:
            node = nodes[code]
            node.name_kk, node.name_ru = updates[code]
            node.title_kk, node.title_ru = updates[code]
            node.search_text = importers.search_text(
                node.code, node.name_kk, node.name_ru, node.name_en, node.title_en
            )
        Node.objects.bulk_update(
            [nodes[c] for c in changed],
            ["name_kk", "name_ru", "title_kk", "title_ru", "search_text"],
            batch_size=500,
        )
        edition.names_source = source.strip()[:300]
        edition.save(update_fields=["names_source"])
        nodes_changed(edition.pk)
        audit_record(
            actor=actor,
            action="classifier.isco_names.load",
            obj=edition,
            changes={"file": source_name, "source": source.strip(), "changed": len(changed)},
        )
    return NamesReport(edition, len(changed), len(updates) - len(changed), source.strip())


@transaction.atomic
def node_names_set(*, actor: User, node: Node, title_kk: str, title_ru: str) -> Node:
    """An administrator types an ISCO-08 group's Kazakh or Russian name (Annex §11)."""
    before = Node.objects.filter(pk=node.pk).values_list("title_kk", "title_ru").first()
    title_kk, title_ru = importers.clean(title_kk), importers.clean(title_ru)
    if before == (title_kk, title_ru):
        return node
    node.title_kk, node.title_ru = title_kk, title_ru
    node.name_kk, node.name_ru = title_kk, title_ru
    node.search_text = importers.search_text(
        node.code, node.name_kk, node.name_ru, node.name_en, node.title_en
    )
    node.save(update_fields=["title_kk", "title_ru", "name_kk", "name_ru", "search_text"])
    nodes_changed(node.edition_id)
    audit_record(
        actor=actor,
        action="classifier.node.names",
        obj=node,
        changes={"title_kk": [before[0], title_kk], "title_ru": [before[1], title_ru]},
    )
    return node


# --- NQF level descriptors (Rules §8: levels are matched using the NQF) ----------------------

NQF_COLUMNS = ("level", "descriptor", "text_kk", "text_ru", "source", "source_date")


def nqf_import_csv(
    *, data: bytes, actor: User | None, source_name: str = "nqf.csv", dry_run: bool = False
) -> int:
    """Load the national framework's descriptors from a CSV (docs/classifiers.md): one
    row per level (1–8) and descriptor (knowledge, skills, competences) with its Kazakh
    and Russian text, the source document and its date. All rows or none; the file
    replaces every descriptor loaded before. Returns the number of rows."""
    from classifiers.models import NqfDescriptor

    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ImportRejected([Problem(source_name, None, None, _("The file is too large."))])
    rows = importers.csv_rows(source_name, data)
    first = next(rows, None)
    header = [importers.clean(h).lower() for h in first[1]] if first else []
    missing = [c for c in NQF_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    source_name,
                    1,
                    None,
                    _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)},
                )
            ]
        )
    kinds = set(NqfDescriptor.Kind.values)
    problems: list[Problem] = []
    parsed: dict[tuple[int, str], NqfDescriptor] = {}
    for line, values in rows:
        cells = dict(zip(header, values, strict=False))
        level_text = importers.clean(cells.get("level", ""))
        kind = importers.clean(cells.get("descriptor", "")).lower()
        kk = importers.clean_multiline(csv_unsafe(cells.get("text_kk", "")))
        ru = importers.clean_multiline(csv_unsafe(cells.get("text_ru", "")))
        source = importers.clean(csv_unsafe(cells.get("source", "")))[:500]
        date_text = importers.clean(cells.get("source_date", ""))
        if not level_text.isdigit() or not 1 <= int(level_text) <= 8:
            problems.append(Problem(source_name, line, "level", _("The NQF level must be 1 to 8.")))
            continue
        if kind not in kinds:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "descriptor",
                    _("‘%(value)s’ is not one of: %(values)s.")
                    % {"value": kind[:40], "values": ", ".join(sorted(kinds))},
                )
            )
            continue
        try:
            source_date = dt.date.fromisoformat(date_text)
        except ValueError:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "source_date",
                    _("‘%(value)s’ is not a date (use YYYY-MM-DD).") % {"value": date_text[:20]},
                )
            )
            continue
        for column, value in (("text_kk", kk), ("text_ru", ru), ("source", source)):
            if not value:
                problems.append(
                    Problem(source_name, line, column, _("This cell is empty; fill it in."))
                )
        key = (int(level_text), kind)
        if key in parsed:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "descriptor",
                    _("Level %(level)s, %(kind)s appears twice.") % {"level": key[0], "kind": kind},
                )
            )
        parsed[key] = NqfDescriptor(
            level=key[0], kind=kind, text_kk=kk, text_ru=ru, source=source, source_date=source_date
        )
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected(
            [Problem(source_name, None, None, _("The file has a header but no data rows."))]
        )
    if dry_run:
        return len(parsed)
    with transaction.atomic():
        removed = NqfDescriptor.objects.count()
        NqfDescriptor.objects.all().delete()
        NqfDescriptor.objects.bulk_create(parsed.values())
        first_row = NqfDescriptor.objects.order_by("level", "kind").first()
        audit_record(
            actor=actor,
            action="classifier.nqf.import",
            obj=first_row,
            changes={"source": source_name, "rows": len(parsed), "replaced": removed},
        )
    return len(parsed)
