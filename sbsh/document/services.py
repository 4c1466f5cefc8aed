"""Writes for SQFs and their content. Every save is atomic, checks the revision it was
started from (no silent overwrite), sanitises rich text and leaves an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from classifiers.models import Classifier, Node
from councils.models import Organisation, User
from councils.services import audit_record
from sbsh import access as sqf_access
from sbsh.models import (
    Framework,
    Part,
    ProfessionalStandard,
    Table1Row,
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


def locked_for_edit(
    model: type[models.Model], pk: int, revision: int | None, submitted: dict[str, Any]
) -> Any:
    obj = model.objects.select_for_update().get(pk=pk)
    if revision is not None and obj.revision != revision:
        raise EditConflict(obj, submitted)
    return obj


def apply_bilingual(obj: Any, values: dict[str, Any], actor: User) -> dict[str, list[Any]]:
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


def audit_edit(
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


def lock_for_order(version: Version) -> None:
    """Rules of ordering: the next row number is Max + 1, so two requests adding a row at
    once must not both read the same Max. Locking the version serialises them (PostgreSQL;
    SQLite writes one at a time anyway)."""
    list(Version.objects.select_for_update().filter(pk=version.pk).values_list("pk"))


def touch(version: Version, actor: User) -> None:
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


def classifier_nodes(
    ids: list[int], classifier: str, levels: tuple[int, ...], field: str
) -> list[Node]:
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


nodes_check = classifier_nodes  # validation before a write that creates something (sbsh/api.py)


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
    locked = locked_for_edit(Version, version.pk, revision, submitted)
    oked = classifier_nodes(oked_ids, Classifier.OKED, (1, 2, 3, 4, 5), "oked")
    nkz = classifier_nodes(nkz_ids, Classifier.NKZ, (1, 2, 3, 4, 5), "nkz")
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
        audit_edit(actor, "sqf.passport.save", locked, locked, changes)
    return locked


@transaction.atomic
def document_options_save(
    *, actor: User, version: Version, revision: int, tables_landscape: bool
) -> Version:
    """How the document prints Tables 2 and 3: the Annex's portrait (Annex §12), or
    landscape pages, which the compliance check then shows as a departure."""
    locked = locked_for_edit(Version, version.pk, revision, {"tables_landscape": tables_landscape})
    if locked.tables_landscape != tables_landscape:
        changes = {"tables_landscape": [locked.tables_landscape, tables_landscape]}
        locked.tables_landscape = tables_landscape
        locked.revision += 1
        locked.updated_at, locked.updated_by = timezone.now(), actor
        locked.save(update_fields=["tables_landscape", "revision", "updated_at", "updated_by"])
        audit_edit(actor, "sqf.document_options.save", locked, locked, changes)
    return locked


@transaction.atomic
def part_save(*, actor: User, part: Part, revision: int, text_kk: str, text_ru: str) -> Part:
    values = {"text_kk": sanitise(text_kk), "text_ru": sanitise(text_ru)}
    locked = locked_for_edit(Part, part.pk, revision, values)
    changes = apply_bilingual(locked, values, actor)
    if changes:
        locked.save()
        audit_edit(actor, "sqf.part.save", locked, part.version, {"key": locked.key, **changes})
        touch(part.version, actor)
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
    audit_edit(actor, "sqf.language.confirm", locked, version, {"language": language})


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
    nodes = classifier_nodes(nkz_ids, Classifier.NKZ, (5, 6), "nkz")
    if standard is None:
        lock_for_order(version)
        order = (version.standards.aggregate(n=Max("order"))["n"] or 0) + 1
        standard = ProfessionalStandard(version=version, order=order, updated_by=actor)
        changes = apply_bilingual(standard, values, actor)
        standard.full_clean()
        standard.save()
        action = "sqf.standard.create"
    else:
        standard = locked_for_edit(ProfessionalStandard, standard.pk, revision, values)
        changes = apply_bilingual(standard, values, actor)
        standard.full_clean()
        standard.save()
        action = "sqf.standard.save"
    before = set(standard.nkz_nodes.values_list("pk", flat=True))
    if before != {n.pk for n in nodes}:
        standard.nkz_nodes.set(nodes)
        changes["nkz"] = [sorted(before), sorted(n.pk for n in nodes)]
    audit_edit(actor, action, standard, version, changes)
    touch(version, actor)
    return standard


# --- Table 1 -------------------------------------------------------------------------------------


# --- Table 2 -------------------------------------------------------------------------------------


# --- Table 3 -------------------------------------------------------------------------------------


@transaction.atomic
def policy_switch_set(*, actor: User, key: str, enabled: bool) -> None:
    """An administrator switches a local policy on or off (sbsh/workflow/policy.py), audited. A
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
    audit_edit(
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
    audit_edit(
        actor,
        "sqf.working_group.remove",
        member,
        member.version,
        {"user": member.user.username, "category": member.category},
    )
    member.delete()


# --- Tables 1–3 from a workbook (sbsh/document/workbook.py) -------------------------------------------------
