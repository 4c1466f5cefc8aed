"""Who may see or do what on which object.

Every view and API endpoint asks these helpers; nothing else decides access. The
helpers read the user's memberships once per request (cached on the user object) and
answer without further queries where they can.

Access follows the Rules:
- a state body's staff work on their own ministry's SQFs (§4, §8, §11, §13, §14);
- working-group participants (§7) are invited by a state body and see its work;
- a sectoral council acts only within its own sector (§12, §13), and its state body's
  staff see the council they report to;
- the national body (§14) receives from every state body, so its officers see all
  state bodies and councils;
- administrators see everything and manage organisations, people, classifiers and
  the calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from councils.models import Membership, Organisation, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from councils.models import User

    AnyUser = User | AnonymousUser


class Action(StrEnum):
    VIEW = "view"
    MANAGE = "manage"


@dataclass(frozen=True)
class Grant:
    organisation_id: int
    organisation_kind: str
    state_body_id: int | None
    role: str


def grants(user: AnyUser) -> tuple[Grant, ...]:
    """The user's memberships, read once and cached on the user object."""
    if not user.is_authenticated or not user.is_active:
        return ()
    cached: tuple[Grant, ...] | None = getattr(user, "_sqf_grants", None)
    if cached is None:
        rows = Membership.objects.filter(user=user, organisation__is_active=True).values_list(
            "organisation_id", "organisation__kind", "organisation__state_body_id", "role"
        )
        cached = tuple(Grant(*row) for row in rows)
        user._sqf_grants = cached  # type: ignore[union-attr]
    return cached


def forget_grants(user: AnyUser) -> None:
    """Drop the cache after memberships change within the same request."""
    if hasattr(user, "_sqf_grants"):
        del user._sqf_grants  # type: ignore[union-attr]


def is_administrator(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def roles(user: AnyUser) -> set[str]:
    return {g.role for g in grants(user)}


def has_role(user: AnyUser, role: str, organisation_id: int | None = None) -> bool:
    return any(
        g.role == role and (organisation_id is None or g.organisation_id == organisation_id)
        for g in grants(user)
    )


def organisation_ids(user: AnyUser, *, roles_: Iterable[str] | None = None) -> set[int]:
    wanted = set(roles_) if roles_ is not None else None
    return {g.organisation_id for g in grants(user) if wanted is None or g.role in wanted}


def state_body_ids(user: AnyUser) -> set[int]:
    """State bodies the user works for or whose council the user sits on."""
    ids = set()
    for g in grants(user):
        if g.organisation_kind == Organisation.Kind.STATE_BODY:
            ids.add(g.organisation_id)
        elif g.organisation_kind == Organisation.Kind.COUNCIL and g.state_body_id:
            ids.add(g.state_body_id)
    return ids


def is_national_officer(user: AnyUser) -> bool:
    return any(g.role == Role.NATIONAL_OFFICER for g in grants(user))


def can_view_organisation(user: AnyUser, organisation: Organisation) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_administrator(user) or is_national_officer(user):
        return True
    mine = organisation_ids(user)
    if organisation.pk in mine:
        return True
    if organisation.kind == Organisation.Kind.COUNCIL:
        # Staff of the state body see the council they report to.
        return organisation.state_body_id in state_body_ids(user)
    if organisation.kind == Organisation.Kind.STATE_BODY:
        return organisation.pk in state_body_ids(user)
    # Everyone signed in may see who the national body is.
    return organisation.kind == Organisation.Kind.NATIONAL_BODY


def can_manage_organisation(user: AnyUser, organisation: Organisation) -> bool:
    return is_administrator(user)


def organisations_for_user(user: AnyUser) -> QuerySet[Organisation]:
    """The organisations the user may see, for lists and pickers."""
    qs = Organisation.objects.select_related("state_body")
    if is_administrator(user) or is_national_officer(user):
        return qs
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    bodies = state_body_ids(user)
    return qs.filter(
        Q(pk__in=organisation_ids(user))
        | Q(pk__in=bodies)
        | Q(kind=Organisation.Kind.COUNCIL, state_body_id__in=bodies)
        | Q(kind=Organisation.Kind.NATIONAL_BODY)
    )


def organisation_for_user(user: AnyUser, pk: int, *, action: Action) -> Organisation:
    """The organisation `pk` if `user` may perform `action` on it; 404 or 403 otherwise."""
    organisation = get_object_or_404(Organisation.objects.select_related("state_body"), pk=pk)
    allowed = (
        can_view_organisation(user, organisation)
        if action == Action.VIEW
        else can_manage_organisation(user, organisation)
    )
    if not allowed:
        raise PermissionDenied
    return organisation


def require_administrator(user: AnyUser) -> None:
    if not is_administrator(user):
        raise PermissionDenied
