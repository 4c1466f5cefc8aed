"""Writes for organisations and people. Each one is atomic and leaves an audit row."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.utils import timezone

from councils.models import AuditEvent, Membership, Organisation, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    organisation: Organisation | None = None,
    changes: dict[str, Any] | None = None,
    comment: str = "",
    scope: str = "",
) -> AuditEvent:
    """Append one audit row. Call it inside the transaction that makes the change."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        organisation=organisation,
        changes=changes or {},
        comment=comment,
        scope=scope
        or (f"{obj._meta.label_lower}:{obj.pk}" if obj._meta.label_lower == "sbsh.version" else ""),
    )


def _snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(
            obj, f"{name}_id" if isinstance(obj._meta.get_field(name), models.ForeignKey) else name
        )
        out[name] = value if isinstance(value, str | int | bool | type(None)) else str(value)
    return out


ORGANISATION_FIELDS = [
    "kind",
    "name_kk",
    "name_ru",
    "name_en",
    "short_name",
    "state_body",
    "sector_kk",
    "sector_ru",
    "email",
    "bin",
    "is_active",
]


@transaction.atomic
def organisation_save(*, actor: User | None, organisation: Organisation) -> Organisation:
    """Create or update an organisation (its fields already set), with an audit row."""
    creating = organisation.pk is None
    before = (
        {}
        if creating
        else _snapshot(Organisation.objects.get(pk=organisation.pk), ORGANISATION_FIELDS)
    )
    organisation.full_clean()
    organisation.save()
    after = _snapshot(organisation, ORGANISATION_FIELDS)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    audit_record(
        actor=actor,
        action="organisation.create" if creating else "organisation.update",
        obj=organisation,
        organisation=organisation,
        changes=changes,
    )
    return organisation


@transaction.atomic
def membership_grant(
    *,
    actor: User | None,
    user: User,
    organisation: Organisation,
    role: str,
    position: str = "",
) -> Membership:
    existing = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if existing is not None:
        return existing
    membership = Membership(user=user, organisation=organisation, role=role, position=position)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.grant",
        obj=membership,
        organisation=organisation,
        changes={"user": user.username, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    audit_record(
        actor=actor,
        action="membership.revoke",
        obj=membership,
        organisation=membership.organisation,
        changes={"user": membership.user.username, "role": membership.role},
    )
    membership.delete()


USER_FIELDS = [
    "username",
    "full_name",
    "email",
    "iin",
    "is_active",
    "is_staff",
    "is_superuser",
    "preferred_language",
]


@transaction.atomic
def user_save(*, actor: User | None, user: User, password: str | None = None) -> User:
    """Create or update a user; a deactivated user loses every open session at once."""
    creating = user.pk is None
    before = {} if creating else _snapshot(User.objects.get(pk=user.pk), USER_FIELDS)
    if password is not None:
        user.set_password(password)
    user.full_clean(exclude=["password"] if password is None and creating else None)
    user.save()
    after = _snapshot(user, USER_FIELDS)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if password is not None and not creating:
        changes["password"] = ["*", "*"]
    audit_record(
        actor=actor, action="user.create" if creating else "user.update", obj=user, changes=changes
    )
    if before.get("is_active") and not user.is_active:
        user_sessions_end(user=user)
    return user


def user_sessions_end(*, user: User) -> int:
    """End every session of `user` (deactivation, forced logout)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
