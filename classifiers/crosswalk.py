"""Writes for the ISCO-08 ↔ NKZ crosswalk: seeding, CSV export and import, editing a link."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers.files import csv_rows
from classifiers.models import Classifier, Correspondence, CrosswalkLink, Node
from classifiers.rows import ImportRejected, Problem
from classifiers.services import current_edition
from classifiers.text import clean
from config.spreadsheet import csv_safe, csv_unsafe
from councils.models import User
from councils.services import audit_record


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
    rows = csv_rows(source_name, data)
    first = next(rows, None)
    header = [clean(h) for h in first[1]] if first else []
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
            clean(cells.get("isco_code")),
            clean(cells.get("nkz_code")),
        )
        kind = clean(cells.get("correspondence")).lower()
        note = csv_unsafe(clean(cells.get("note")))
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
