"""Writing Tables 1–3 (Rules §9–§11; Annex, Tables 1–3): rows, career links, the
crosswalk to ISCO, and a filled workbook applied as one audited change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers.models import Classifier, CrosswalkLink, Node
from councils.models import User
from councils.services import audit_record
from sbsh.document.services import (
    apply_bilingual,
    audit_edit,
    classifier_nodes,
    lock_for_order,
    locked_for_edit,
    touch,
    version_scope,
)
from sbsh.models import (
    NkzCorrespondence,
    ProgressionLink,
    Table1Row,
    Table2Entry,
    Table3Row,
    Version,
)

T1_FIELDS = [f"{c}_{lang}" for c in Table1Row.TEXT_COLUMNS for lang in ("kk", "ru")]


@transaction.atomic
def table1_row_create(
    *,
    actor: User,
    version: Version,
    section: int,
    sqf_level: str = "",
    nqf_level: int | None = None,
) -> Table1Row:
    lock_for_order(version)
    order = (version.table1_rows.filter(section=section).aggregate(n=Max("order"))["n"] or 0) + 1
    row = Table1Row(
        version=version,
        section=section,
        order=order,
        sqf_level=sqf_level or "1",
        nqf_level=nqf_level or 1,
        updated_by=actor,
    )
    row.full_clean()
    row.save()
    audit_edit(actor, "sqf.table1.create", row, version, {"section": section})
    touch(version, actor)
    return row


@transaction.atomic
def table1_row_save(
    *, actor: User, row: Table1Row, revision: int, values: dict[str, Any], occupation_ids: list[int]
) -> Table1Row:
    """Save one row of Table 1; `values` holds sqf_level, nqf_level and the text columns."""
    submitted = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    locked = locked_for_edit(Table1Row, row.pk, revision, submitted)
    nodes = classifier_nodes(occupation_ids, Classifier.NKZ, (5, 6), "occupations")
    changes = apply_bilingual(locked, submitted, actor)
    before = set(locked.occupations.values_list("pk", flat=True))
    if before != {n.pk for n in nodes}:
        changes["occupations"] = [sorted(before), sorted(n.pk for n in nodes)]
        if not any(k in changes for k in submitted):
            locked.revision += 1
            locked.updated_at, locked.updated_by = timezone.now(), actor
    locked.full_clean()
    locked.save()
    if "occupations" in changes:
        locked.occupations.set(nodes)
    if changes:
        audit_edit(actor, "sqf.table1.save", locked, row.version, changes)
        touch(row.version, actor)
    return locked


@transaction.atomic
def table1_row_delete(*, actor: User, row: Table1Row, revision: int) -> None:
    locked = locked_for_edit(Table1Row, row.pk, revision, {})
    audit_edit(
        actor,
        "sqf.table1.delete",
        locked,
        row.version,
        {"sqf_level": locked.sqf_level, "section": locked.section},
    )
    locked.delete()
    touch(row.version, actor)


@transaction.atomic
def table1_row_move(*, actor: User, row: Table1Row, direction: int) -> None:
    """Swap a row with its neighbour above (-1) or below (+1) within its section."""
    rows = list(
        Table1Row.objects.select_for_update()
        .filter(version=row.version_id, section=row.section)
        .order_by("order", "id")
    )
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index + direction
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for position, r in enumerate(rows, start=1):
        if r.order != position:
            Table1Row.objects.filter(pk=r.pk).update(
                order=position, revision=models.F("revision") + 1
            )
    audit_edit(actor, "sqf.table1.move", row, row.version, {"direction": direction})


@transaction.atomic
def table2_entry_add(
    *, actor: User, version: Version, sqf_level: str, occupation_id: int
) -> Table2Entry:
    """Place an occupation on a level; its professional group is its NKZ unit group."""
    occupation = classifier_nodes([occupation_id], Classifier.NKZ, (6,), "occupation")[0]
    group = Node.objects.filter(
        edition_id=occupation.edition_id, code=occupation.code[:4], level=4
    ).first()
    if group is None:
        raise ValidationError({"occupation": _("This occupation has no unit group in NKZ.")})
    entry = Table2Entry(
        version=version, sqf_level=sqf_level.strip(), group=group, occupation=occupation
    )
    entry.full_clean()
    entry.save()
    audit_edit(
        actor,
        "sqf.table2.add",
        entry,
        version,
        {"sqf_level": sqf_level, "occupation": occupation.code},
    )
    touch(version, actor)
    return entry


@transaction.atomic
def table2_entry_delete(*, actor: User, entry: Table2Entry) -> None:
    audit_edit(
        actor, "sqf.table2.delete", entry, entry.version, {"occupation": entry.occupation.code}
    )
    entry.delete()


def _experience_clean(years: int | None, note_kk: str, note_ru: str) -> tuple[int | None, str, str]:
    if years is not None and not 0 <= years <= 50:
        raise ValidationError(
            {
                "experience_years": _(
                    "Enter the work experience in whole years, from 0 to 50 (Rules §8.4)."
                )
            }
        )
    return years, note_kk.strip()[:300], note_ru.strip()[:300]


@transaction.atomic
def progression_link_add(
    *,
    actor: User,
    version: Version,
    source: Table2Entry,
    target: Table2Entry,
    experience_years: int | None = None,
    experience_note_kk: str = "",
    experience_note_ru: str = "",
) -> ProgressionLink:
    years, note_kk, note_ru = _experience_clean(
        experience_years, experience_note_kk, experience_note_ru
    )
    if source.version_id != version.pk or target.version_id != version.pk:
        raise ValidationError({"target": _("Both occupations must be in this version's Table 2.")})
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose two different occupations.")})
    kind = (
        ProgressionLink.Kind.HORIZONTAL
        if source.sqf_level == target.sqf_level
        else ProgressionLink.Kind.VERTICAL
    )
    link, created = ProgressionLink.objects.get_or_create(
        version=version,
        source=source,
        target=target,
        defaults={
            "kind": kind,
            "experience_years": years,
            "experience_note_kk": note_kk,
            "experience_note_ru": note_ru,
        },
    )
    if created:
        audit_edit(
            actor, "sqf.table2.link", link, version, {"kind": kind, "experience_years": years}
        )
    return link


@transaction.atomic
def progression_link_experience_save(
    *,
    actor: User,
    link: ProgressionLink,
    experience_years: int | None,
    experience_note_kk: str = "",
    experience_note_ru: str = "",
) -> ProgressionLink:
    """Rules §8.4: record the work experience a career move takes."""
    years, note_kk, note_ru = _experience_clean(
        experience_years, experience_note_kk, experience_note_ru
    )
    locked = ProgressionLink.objects.select_for_update().get(pk=link.pk)
    before = locked.experience_years
    locked.experience_years = years
    locked.experience_note_kk = note_kk
    locked.experience_note_ru = note_ru
    locked.full_clean()
    locked.save()
    audit_edit(
        actor,
        "sqf.table2.link.experience",
        locked,
        locked.version,
        {"before": before, "experience_years": years, "note_kk": note_kk[:80]},
    )
    touch(locked.version, actor)
    return locked


@transaction.atomic
def progression_link_delete(*, actor: User, link: ProgressionLink) -> None:
    audit_edit(actor, "sqf.table2.unlink", link, link.version, {})
    link.delete()


def crosswalk_correspondence(isco: Node, nkz_unit: Node) -> str:
    link = CrosswalkLink.objects.filter(isco=isco, nkz=nkz_unit).only("correspondence").first()
    return link.correspondence if link else "none"


@dataclass
class Table3Values:
    isco_id: int
    occupation_id: int
    oked_id: int
    nqf_level: int
    sqf_level: str
    # Annex §11 column 9: the drafter's judgement; "full" unless they say otherwise.
    nkz_correspondence: str = NkzCorrespondence.FULL


def table3_fields(values: Table3Values) -> dict[str, Any]:
    """The stored columns of a Table 3 row from the codes picked: unit and occupation group
    from the occupation's ancestors, column 5 from the crosswalk (Rules §10, Annex §11)."""
    isco = classifier_nodes([values.isco_id], Classifier.ISCO08, (4,), "isco")[0]
    occupation = classifier_nodes([values.occupation_id], Classifier.NKZ, (6,), "occupation")[0]
    oked = classifier_nodes([values.oked_id], Classifier.OKED, (5,), "oked")[0]
    group = Node.objects.select_related("parent").filter(pk=occupation.parent_id, level=5).first()
    if group is None or group.parent is None or group.parent.level != 4:
        raise ValidationError(
            {
                "occupation": _(
                    "This occupation is not under an occupation group and unit group in NKZ."
                )
            }
        )
    if values.nkz_correspondence not in NkzCorrespondence.values:
        raise ValidationError(
            {"nkz_correspondence": _("Choose full, partial, broader or narrower (Annex §11).")}
        )
    return {
        "isco": isco,
        "nkz_unit": group.parent,
        "nkz_group": group,
        "occupation": occupation,
        "oked": oked,
        "nqf_level": values.nqf_level,
        "sqf_level": values.sqf_level.strip(),
        "isco_correspondence": crosswalk_correspondence(isco, group.parent),
        "nkz_correspondence": values.nkz_correspondence,
    }


@transaction.atomic
def table3_row_save(
    *,
    actor: User,
    version: Version,
    row: Table3Row | None,
    revision: int | None,
    values: Table3Values,
) -> Table3Row:
    """Save a row of the qualification map from the codes picked; everything else is read
    from the classifiers: unit and occupation group from the occupation's ancestors, the
    correspondence from the crosswalk."""
    fields = table3_fields(values)
    isco, occupation, oked = fields["isco"], fields["occupation"], fields["oked"]
    if row is None:
        lock_for_order(version)
        order = (version.table3_rows.aggregate(n=Max("order"))["n"] or 0) + 1
        row = Table3Row(version=version, order=order, updated_by=actor, **fields)
        row.full_clean()
        row.save()
        audit_edit(
            actor,
            "sqf.table3.create",
            row,
            version,
            {"occupation": occupation.code, "isco": isco.code},
        )
    else:
        submitted = {
            "isco": isco.code,
            "occupation": occupation.code,
            "oked": oked.code,
            "nqf_level": values.nqf_level,
            "sqf_level": values.sqf_level,
            "nkz_correspondence": values.nkz_correspondence,
        }
        row = locked_for_edit(Table3Row, row.pk, revision, submitted)
        changes = {
            k: [
                getattr(row, f"{k}_id") if isinstance(v, Node) else getattr(row, k),
                v.pk if isinstance(v, Node) else v,
            ]
            for k, v in fields.items()
            if (getattr(row, f"{k}_id") if isinstance(v, Node) else getattr(row, k))
            != (v.pk if isinstance(v, Node) else v)
        }
        if changes:
            for k, v in fields.items():
                setattr(row, k, v)
            row.revision += 1
            row.updated_at, row.updated_by = timezone.now(), actor
            row.full_clean()
            row.save()
            audit_edit(actor, "sqf.table3.save", row, version, changes)
    touch(version, actor)
    return row


@transaction.atomic
def table3_row_delete(*, actor: User, row: Table3Row, revision: int) -> None:
    locked = locked_for_edit(Table3Row, row.pk, revision, {})
    audit_edit(
        actor, "sqf.table3.delete", locked, row.version, {"occupation_id": locked.occupation_id}
    )
    locked.delete()
    touch(row.version, actor)


@transaction.atomic
def tables_import(
    *, actor: User, version: Version, data: bytes, name: str, dry_run: bool = False
) -> Any:
    """Read a filled workbook of Tables 1–3 and, unless `dry_run`, apply it as one audited
    change: all rows or none. Raises workbook_reader.WorkbookRejected listing every problem
    (sheet, Excel row, column); an unchanged workbook writes nothing."""
    from sbsh.document import workbook, workbook_import, workbook_reader

    # One import of a version at a time; the editor's row locks guard the rest.
    locked_version = Version.objects.select_for_update().get(pk=version.pk)
    plan = workbook_import.read_plan(locked_version, data, name)
    if dry_run or plan.empty:
        return plan
    nodes: dict[tuple[str, str], Node] = plan.nodes  # type: ignore[attr-defined]
    now = timezone.now()

    def conflict(table: str, row_id: int | None) -> workbook_reader.WorkbookRejected:
        return workbook_reader.WorkbookRejected(
            [
                workbook_reader.Problem(
                    str(workbook.SHEET_TITLES[table]),
                    None,
                    None,
                    "",
                    _(
                        "Row id %(id)s changed in the browser while the workbook was being applied; nothing was written. Try again."
                    )
                    % {"id": row_id},
                )
            ]
        )

    ids1 = [c.row_id for c in plan.changes if c.table == "table1" and c.row_id]
    ids3 = [c.row_id for c in plan.changes if c.table == "table3" and c.row_id]
    rows1 = {r.pk: r for r in Table1Row.objects.select_for_update().filter(pk__in=ids1)}
    rows3 = {r.pk: r for r in Table3Row.objects.select_for_update().filter(pk__in=ids3)}
    for change in plan.changes:
        pool = rows1 if change.table == "table1" else rows3
        if change.row_id and (
            change.row_id not in pool or pool[change.row_id].revision != change.revision
        ):
            raise conflict(change.table, change.row_id)

    summary: dict[str, dict[str, Any]] = {
        t: {"added": [], "changed": {}, "removed": []} for t in ("table1", "table3")
    }
    fk_exclude = ["version", "updated_by", "isco", "nkz_unit", "nkz_group", "oked", "occupation"]

    # Table 1 (Annex §9).
    orders: dict[int, int] = {}

    def order_in(section: int) -> int:
        if section not in orders:
            orders[section] = workbook_import.next_order(locked_version, section)
        else:
            orders[section] += 1
        return orders[section]

    for change in plan.of("table1", "removed"):
        rows1[change.row_id].delete()
        summary["table1"]["removed"].append(change.row_id)
    for change in plan.of("table1", "changed") + plan.of("table1", "added"):
        cells = change.values
        occupation_ids = [
            nodes[(Classifier.NKZ, code)].pk for code in cells["occupations"].split("; ") if code
        ]
        values: dict[str, Any] = {
            "section": int(cells["section"]),
            "sqf_level": cells["sqf_level"],
            "nqf_level": int(cells["nqf_level"]),
            **{name: cells[name] for name in T1_FIELDS},
        }
        if change.kind == "added":
            row = Table1Row(
                version=locked_version, order=order_in(values["section"]), updated_by=actor
            )
        else:
            row = rows1[change.row_id]
            if values["section"] != row.section:
                row.order = order_in(values["section"])
        changed = apply_bilingual(row, values, actor)
        if change.kind == "changed" and not changed:  # only the occupations differ
            row.revision += 1
            row.updated_at, row.updated_by = now, actor
        row.full_clean(exclude=fk_exclude)
        row.save()
        row.occupations.set(occupation_ids)
        if change.kind == "added":
            summary["table1"]["added"].append(row.pk)
        else:
            summary["table1"]["changed"][str(row.pk)] = [c[0] for c in change.cells]

    # Table 3 (Annex §11): groups from the occupation, column 5 from the crosswalk.
    built: list[tuple[Any, dict[str, Any]]] = []
    for change in plan.of("table3", "changed") + plan.of("table3", "added"):
        cells = change.values
        occupation = nodes[(Classifier.NKZ, cells["occupation"])]
        built.append(
            (
                change,
                {
                    "isco_id": nodes[(Classifier.ISCO08, cells["isco"])].pk,
                    "occupation_id": occupation.pk,
                    "nkz_group_id": occupation.parent_id,
                    "nkz_unit_id": occupation.parent.parent_id,
                    "oked_id": nodes[(Classifier.OKED, cells["oked"])].pk,
                    "nqf_level": int(cells["nqf_level"]),
                    "sqf_level": cells["sqf_level"],
                    "nkz_correspondence": cells["nkz_correspondence"],
                },
            )
        )
    corr = workbook_import.crosswalk({(f["isco_id"], f["nkz_unit_id"]) for _c, f in built})
    for change in plan.of("table3", "removed"):
        rows3[change.row_id].delete()
        summary["table3"]["removed"].append(change.row_id)
    next3 = workbook_import.next_order(locked_version)
    for change, fields in built:
        fields["isco_correspondence"] = corr[(fields["isco_id"], fields["nkz_unit_id"])]
        if change.kind == "added":
            row3 = Table3Row(version=locked_version, order=next3, updated_by=actor, **fields)
            next3 += 1
        else:
            row3 = rows3[change.row_id]
            for key, value in fields.items():
                setattr(row3, key, value)
            row3.revision += 1
            row3.updated_at, row3.updated_by = now, actor
        row3.full_clean(exclude=fk_exclude)
        row3.save()
        if change.kind == "added":
            summary["table3"]["added"].append(row3.pk)
        else:
            summary["table3"]["changed"][str(row3.pk)] = [c[0] for c in change.cells]

    audit_record(
        actor=actor,
        action="sqf.tables.import",
        obj=locked_version,
        organisation=locked_version.framework.state_body,
        changes={"file": name[:200], "sha256": plan.sha256, **summary},
        scope=version_scope(locked_version),
    )
    touch(locked_version, actor)
    return plan
