"""Writes for SQFs and their content. Every save is atomic, checks the revision it was
started from (no silent overwrite), sanitises rich text and leaves an audit row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers.models import Classifier, CrosswalkLink, Node
from councils.models import Organisation, User
from councils.services import audit_record
from sbsh import access as sqf_access
from sbsh.models import (
    Framework,
    NkzCorrespondence,
    Part,
    ProfessionalStandard,
    ProgressionLink,
    Table1Row,
    Table2Entry,
    Table3Row,
    Version,
)

# What rich text may hold: paragraphs, emphasis, lists, line breaks, simple tables.
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
}


def sanitise(html: str) -> str:
    """Keep only harmless markup (nh3/ammonia): no script, event handler, style or URL survives."""
    cleaned = nh3.clean(
        html or "", tags=ALLOWED_TAGS, attributes={}, url_schemes=set(), strip_comments=True
    )
    return cleaned.strip()


class EditConflict(Exception):
    """Someone saved the same piece after this edit began. Nothing was written."""

    def __init__(self, current: models.Model, submitted: dict[str, Any]) -> None:
        self.current = current
        self.submitted = submitted
        super().__init__("edit conflict")


def _locked(
    model: type[models.Model], pk: int, revision: int | None, submitted: dict[str, Any]
) -> Any:
    obj = model.objects.select_for_update().get(pk=pk)
    if revision is not None and obj.revision != revision:
        raise EditConflict(obj, submitted)
    return obj


def _apply_bilingual(obj: Any, values: dict[str, Any], actor: User) -> dict[str, list[Any]]:
    """Set `values`; track which language changed and flag the other as possibly stale."""
    changes: dict[str, list[Any]] = {}
    changed_langs: set[str] = set()
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [before, value]
            setattr(obj, name, value)
            if name.endswith("_kk"):
                changed_langs.add("kk")
            elif name.endswith("_ru"):
                changed_langs.add("ru")
    now = timezone.now()
    for lang in changed_langs:
        setattr(obj, f"{lang}_changed_at", now)
    if changed_langs == {"kk"}:
        obj.stale_language = "ru" if _has_text(obj, values, "ru") else ""
    elif changed_langs == {"ru"}:
        obj.stale_language = "kk" if _has_text(obj, values, "kk") else ""
    elif changed_langs == {"kk", "ru"}:
        obj.stale_language = ""
    if changes:
        obj.revision += 1
        obj.updated_at = now
        obj.updated_by = actor
    return changes


def _has_text(obj: Any, values: dict[str, Any], lang: str) -> bool:
    return any(getattr(obj, name) for name in values if name.endswith(f"_{lang}"))


def _audit(
    actor: User, action: str, obj: models.Model, version: Version, changes: dict[str, Any]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        organisation=version.framework.state_body,
        changes={
            k: v if not isinstance(v, list) else [_short(x) for x in v] for k, v in changes.items()
        },
        scope=version_scope(version),
    )


def version_scope(version: Version | int) -> str:
    """The audit scope of everything that belongs to one version (its history page)."""
    return f"sbsh.version:{version if isinstance(version, int) else version.pk}"


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 500:
        return value[:500] + "…"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _lock_for_order(version: Version) -> None:
    """Rules of ordering: the next row number is Max + 1, so two requests adding a row at
    once must not both read the same Max. Locking the version serialises them (PostgreSQL;
    SQLite writes one at a time anyway)."""
    list(Version.objects.select_for_update().filter(pk=version.pk).values_list("pk"))


def _touch(version: Version, actor: User) -> None:
    Version.objects.filter(pk=version.pk).update(updated_at=timezone.now(), updated_by=actor)


# --- frameworks and versions -----------------------------------------------------------------


@transaction.atomic
def framework_create(
    *,
    actor: User | None,
    state_body: Organisation,
    council: Organisation,
    sector_kk: str,
    sector_ru: str,
    status: str = Version.Status.DRAFTING,
) -> tuple[Framework, Version]:
    if state_body.kind != Organisation.Kind.STATE_BODY:
        raise ValidationError({"state_body": _("Choose a state body (Rules §4).")})
    if council.state_body_id != state_body.pk:
        raise ValidationError(
            {"council": _("The council must be the one created under this state body (Rules §2).")}
        )
    framework = Framework(
        state_body=state_body, council=council, sector_kk=sector_kk, sector_ru=sector_ru
    )
    framework.full_clean()
    framework.save()
    audit_record(
        actor=actor,
        action="sqf.create",
        obj=framework,
        organisation=state_body,
        changes={"sector_ru": sector_ru},
    )
    return framework, version_create(actor=actor, framework=framework, status=status)


@transaction.atomic
def version_create(
    *,
    actor: User | None,
    framework: Framework,
    updates: Version | None = None,
    status: str = Version.Status.DRAFTING,
    update_ground: str = "",
) -> Version:
    """A new version with every narrative part in place (empty). Rules §16: an update is a
    new version of an existing SQF. A council decision opens it in preparation (Rules §8)."""
    # Two decisions opening a version of one SQF at once: the second waits here.
    list(Framework.objects.select_for_update().filter(pk=framework.pk).values_list("pk"))
    number = (framework.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = Version.objects.create(
        framework=framework,
        number=number,
        updates=updates,
        updated_by=actor,
        status=status,
        update_ground=update_ground,
    )
    Part.objects.bulk_create([Part(version=version, key=key) for key in Part.Key.values])
    audit_record(
        actor=actor,
        action="sqf.version.create",
        obj=version,
        organisation=framework.state_body,
        changes={"number": number, "updates": updates.pk if updates else None},
    )
    return version


def _nodes(ids: list[int], classifier: str, levels: tuple[int, ...], field: str) -> list[Node]:
    # An id beyond 64 bits is no node (and overflows SQLite): refused like a wrong code.
    nodes = list(
        Node.objects.filter(pk__in=[i for i in ids if 0 < i < 10**18]).select_related("edition")
    )
    bad = [n for n in nodes if n.edition.classifier != classifier or n.level not in levels]
    if len(nodes) != len(set(ids)) or bad:
        raise ValidationError(
            {field: _("Pick codes from the list; some of them are not valid here.")}
        )
    return nodes


nodes_check = _nodes  # validation before a write that creates something (sbsh/api.py)


@transaction.atomic
def passport_save(
    *,
    actor: User,
    version: Version,
    revision: int,
    name_kk: str,
    name_ru: str,
    oked_ids: list[int],
    nkz_ids: list[int],
) -> Version:
    """Annex §1–§2: the name in both languages, the OKED activities and NKZ groups."""
    submitted = {"name_kk": name_kk, "name_ru": name_ru}
    locked = _locked(Version, version.pk, revision, submitted)
    oked = _nodes(oked_ids, Classifier.OKED, (1, 2, 3, 4, 5), "oked")
    nkz = _nodes(nkz_ids, Classifier.NKZ, (1, 2, 3, 4, 5), "nkz")
    changes: dict[str, Any] = {}
    emptied = {
        name: [_("The SQF's name cannot be emptied; correct it instead (Annex §1).")]
        for name, value in submitted.items()
        if getattr(locked, name) and not value.strip()
    }
    if emptied:
        raise ValidationError(emptied)
    for name, value in submitted.items():
        value = value.strip()
        if getattr(locked, name) != value:
            changes[name] = [getattr(locked, name), value]
            setattr(locked, name, value)
    before_oked = set(locked.oked_nodes.values_list("pk", flat=True))
    before_nkz = set(locked.nkz_groups.values_list("pk", flat=True))
    if before_oked != {n.pk for n in oked}:
        changes["oked"] = [sorted(before_oked), sorted(n.pk for n in oked)]
        locked.oked_nodes.set(oked)
    if before_nkz != {n.pk for n in nkz}:
        changes["nkz"] = [sorted(before_nkz), sorted(n.pk for n in nkz)]
        locked.nkz_groups.set(nkz)
    if changes:
        locked.revision += 1
        locked.updated_at, locked.updated_by = timezone.now(), actor
        locked.full_clean(exclude=["status"])  # protected FSM field: only transitions set it
        locked.save()
        _audit(actor, "sqf.passport.save", locked, locked, changes)
    return locked


@transaction.atomic
def document_options_save(
    *, actor: User, version: Version, revision: int, tables_landscape: bool
) -> Version:
    """How the document prints Tables 2 and 3: the Annex's portrait (Annex §12), or
    landscape pages, which the compliance check then shows as a departure."""
    locked = _locked(Version, version.pk, revision, {"tables_landscape": tables_landscape})
    if locked.tables_landscape != tables_landscape:
        changes = {"tables_landscape": [locked.tables_landscape, tables_landscape]}
        locked.tables_landscape = tables_landscape
        locked.revision += 1
        locked.updated_at, locked.updated_by = timezone.now(), actor
        locked.save(update_fields=["tables_landscape", "revision", "updated_at", "updated_by"])
        _audit(actor, "sqf.document_options.save", locked, locked, changes)
    return locked


@transaction.atomic
def part_save(*, actor: User, part: Part, revision: int, text_kk: str, text_ru: str) -> Part:
    values = {"text_kk": sanitise(text_kk), "text_ru": sanitise(text_ru)}
    locked = _locked(Part, part.pk, revision, values)
    changes = _apply_bilingual(locked, values, actor)
    if changes:
        locked.save()
        _audit(actor, "sqf.part.save", locked, part.version, {"key": locked.key, **changes})
        _touch(part.version, actor)
    return locked


@transaction.atomic
def bilingual_confirm(
    *, actor: User, obj: Part | Table1Row | ProfessionalStandard, version: Version
) -> None:
    """Someone checked the flagged language against the other: clear the flag."""
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    if not locked.stale_language:
        return
    language = locked.stale_language
    locked.stale_language = ""
    locked.revision += 1
    locked.save(update_fields=["stale_language", "revision"])
    _audit(actor, "sqf.language.confirm", locked, version, {"language": language})


# --- Annex §7: professional standards ---------------------------------------------------------


@transaction.atomic
def standard_save(
    *,
    actor: User,
    version: Version,
    standard: ProfessionalStandard | None,
    revision: int | None,
    name_kk: str,
    name_ru: str,
    status: str,
    nkz_ids: list[int],
) -> ProfessionalStandard:
    values = {"name_kk": name_kk.strip(), "name_ru": name_ru.strip(), "status": status}
    nodes = _nodes(nkz_ids, Classifier.NKZ, (5, 6), "nkz")
    if standard is None:
        _lock_for_order(version)
        order = (version.standards.aggregate(n=Max("order"))["n"] or 0) + 1
        standard = ProfessionalStandard(version=version, order=order, updated_by=actor)
        changes = _apply_bilingual(standard, values, actor)
        standard.full_clean()
        standard.save()
        action = "sqf.standard.create"
    else:
        standard = _locked(ProfessionalStandard, standard.pk, revision, values)
        changes = _apply_bilingual(standard, values, actor)
        standard.full_clean()
        standard.save()
        action = "sqf.standard.save"
    before = set(standard.nkz_nodes.values_list("pk", flat=True))
    if before != {n.pk for n in nodes}:
        standard.nkz_nodes.set(nodes)
        changes["nkz"] = [sorted(before), sorted(n.pk for n in nodes)]
    _audit(actor, action, standard, version, changes)
    _touch(version, actor)
    return standard


# --- Table 1 -------------------------------------------------------------------------------------

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
    _lock_for_order(version)
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
    _audit(actor, "sqf.table1.create", row, version, {"section": section})
    _touch(version, actor)
    return row


@transaction.atomic
def table1_row_save(
    *, actor: User, row: Table1Row, revision: int, values: dict[str, Any], occupation_ids: list[int]
) -> Table1Row:
    """Save one row of Table 1; `values` holds sqf_level, nqf_level and the text columns."""
    submitted = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    locked = _locked(Table1Row, row.pk, revision, submitted)
    nodes = _nodes(occupation_ids, Classifier.NKZ, (5, 6), "occupations")
    changes = _apply_bilingual(locked, submitted, actor)
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
        _audit(actor, "sqf.table1.save", locked, row.version, changes)
        _touch(row.version, actor)
    return locked


@transaction.atomic
def table1_row_delete(*, actor: User, row: Table1Row, revision: int) -> None:
    locked = _locked(Table1Row, row.pk, revision, {})
    _audit(
        actor,
        "sqf.table1.delete",
        locked,
        row.version,
        {"sqf_level": locked.sqf_level, "section": locked.section},
    )
    locked.delete()
    _touch(row.version, actor)


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
    _audit(actor, "sqf.table1.move", row, row.version, {"direction": direction})


# --- Table 2 -------------------------------------------------------------------------------------


@transaction.atomic
def table2_entry_add(
    *, actor: User, version: Version, sqf_level: str, occupation_id: int
) -> Table2Entry:
    """Place an occupation on a level; its professional group is its NKZ unit group."""
    occupation = _nodes([occupation_id], Classifier.NKZ, (6,), "occupation")[0]
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
    _audit(
        actor,
        "sqf.table2.add",
        entry,
        version,
        {"sqf_level": sqf_level, "occupation": occupation.code},
    )
    _touch(version, actor)
    return entry


@transaction.atomic
def table2_entry_delete(*, actor: User, entry: Table2Entry) -> None:
    _audit(actor, "sqf.table2.delete", entry, entry.version, {"occupation": entry.occupation.code})
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
        _audit(actor, "sqf.table2.link", link, version, {"kind": kind, "experience_years": years})
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
    _audit(
        actor,
        "sqf.table2.link.experience",
        locked,
        locked.version,
        {"before": before, "experience_years": years, "note_kk": note_kk[:80]},
    )
    _touch(locked.version, actor)
    return locked


@transaction.atomic
def progression_link_delete(*, actor: User, link: ProgressionLink) -> None:
    _audit(actor, "sqf.table2.unlink", link, link.version, {})
    link.delete()


# --- Table 3 -------------------------------------------------------------------------------------


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
    isco = _nodes([values.isco_id], Classifier.ISCO08, (4,), "isco")[0]
    occupation = _nodes([values.occupation_id], Classifier.NKZ, (6,), "occupation")[0]
    oked = _nodes([values.oked_id], Classifier.OKED, (5,), "oked")[0]
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
        _lock_for_order(version)
        order = (version.table3_rows.aggregate(n=Max("order"))["n"] or 0) + 1
        row = Table3Row(version=version, order=order, updated_by=actor, **fields)
        row.full_clean()
        row.save()
        _audit(
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
        row = _locked(Table3Row, row.pk, revision, submitted)
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
            _audit(actor, "sqf.table3.save", row, version, changes)
    _touch(version, actor)
    return row


@transaction.atomic
def table3_row_delete(*, actor: User, row: Table3Row, revision: int) -> None:
    locked = _locked(Table3Row, row.pk, revision, {})
    _audit(actor, "sqf.table3.delete", locked, row.version, {"occupation_id": locked.occupation_id})
    locked.delete()
    _touch(row.version, actor)


@transaction.atomic
def policy_switch_set(*, actor: User, key: str, enabled: bool) -> None:
    """An administrator switches a local policy on or off (sbsh/policy.py), audited. A
    policy whose absence could lose data cannot be switched off."""
    from sbsh.models import PolicySwitch
    from sbsh.workflow.policy import POLICIES

    if not getattr(actor, "is_superuser", False):
        raise PermissionError("policy")
    policy = POLICIES.get(key)
    if policy is None:
        raise ValidationError({"key": _("Unknown policy.")})
    if not enabled and not policy.switchable:
        raise ValidationError(
            {"enabled": _("This policy cannot be switched off: data would be lost without it.")}
        )
    switch, _created = PolicySwitch.objects.select_for_update().get_or_create(key=key)
    before = switch.enabled
    switch.enabled = enabled
    switch.changed_by = actor
    switch.changed_at = timezone.now()
    switch.save()
    audit_record(
        actor=actor,
        action="sqf.policy.switch",
        obj=switch,
        changes={"key": key, "before": before, "enabled": enabled},
    )


# --- the working group (Rules §7) ----------------------------------------------------------------


@transaction.atomic
def working_group_add(
    *, actor: User, version: Version, user: User, category: str, organisation: str = ""
) -> Any:
    """Rules §7: the state body's staff draw a participant into this version's working
    group, with the §7 category they come from and the organisation they represent."""
    from councils import access
    from councils.models import Role
    from sbsh.models import WorkingGroupMember

    if not sqf_access.can_manage_working_group(actor, version):
        raise PermissionError("working_group")
    if not access.has_role(user, Role.WORKING_GROUP, version.framework.state_body_id):
        raise ValidationError(
            {
                "user": _(
                    "Only a working-group participant of this state body can be added (Rules §7); an administrator grants the role."
                )
            }
        )
    if category not in WorkingGroupMember.Category.values:
        raise ValidationError({"category": _("Choose the category of Rules §7.")})
    if WorkingGroupMember.objects.filter(version=version, user=user).exists():
        raise ValidationError({"user": _("This person is already in the working group.")})
    member = WorkingGroupMember(
        version=version,
        user=user,
        category=category,
        organisation=organisation.strip()[:300],
        added_by=actor,
    )
    member.full_clean()
    member.save()
    _audit(
        actor,
        "sqf.working_group.add",
        member,
        version,
        {"user": user.username, "category": category, "organisation": member.organisation[:80]},
    )
    return member


@transaction.atomic
def working_group_remove(*, actor: User, member: Any) -> None:

    if not sqf_access.can_manage_working_group(actor, member.version):
        raise PermissionError("working_group")
    _audit(
        actor,
        "sqf.working_group.remove",
        member,
        member.version,
        {"user": member.user.username, "category": member.category},
    )
    member.delete()
# --- Tables 1–3 from a workbook (sbsh/workbook.py) -------------------------------------------------


@transaction.atomic
def tables_import(
    *, actor: User, version: Version, data: bytes, name: str, dry_run: bool = False
) -> Any:
    """Read a filled workbook of Tables 1–3 and, unless `dry_run`, apply it as one audited
    change: all rows or none. Raises workbook.WorkbookRejected listing every problem
    (sheet, Excel row, column); an unchanged workbook writes nothing."""
    from sbsh.document import workbook

    # One import of a version at a time; the editor's row locks guard the rest.
    locked_version = Version.objects.select_for_update().get(pk=version.pk)
    plan = workbook.read_plan(locked_version, data, name)
    if dry_run or plan.empty:
        return plan
    nodes: dict[tuple[str, str], Node] = plan.nodes  # type: ignore[attr-defined]
    now = timezone.now()

    def conflict(table: str, row_id: int | None) -> workbook.WorkbookRejected:
        return workbook.WorkbookRejected(
            [
                workbook.Problem(
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
            orders[section] = workbook.next_order(locked_version, section)
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
        changed = _apply_bilingual(row, values, actor)
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
    corr = workbook.crosswalk({(f["isco_id"], f["nkz_unit_id"]) for _c, f in built})
    for change in plan.of("table3", "removed"):
        rows3[change.row_id].delete()
        summary["table3"]["removed"].append(change.row_id)
    next3 = workbook.next_order(locked_version)
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
    _touch(locked_version, actor)
    return plan
