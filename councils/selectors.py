"""Reads for organisations and people."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from councils import access
from councils.models import AuditEvent, Membership, Organisation, Role, User


@dataclass(frozen=True)
class HomeSection:
    role: str
    role_label: str
    organisation: Organisation


def home_sections(user: User) -> list[HomeSection]:
    """One section per membership, in the order a user's day runs through the Rules."""
    order = list(Role.values)
    memberships = (
        Membership.objects.filter(user=user, organisation__is_active=True)
        .select_related("organisation", "organisation__state_body")
        .order_by("organisation__name_ru")
    )
    sections = [
        HomeSection(role=m.role, role_label=m.get_role_display(), organisation=m.organisation)
        for m in memberships
    ]
    sections.sort(key=lambda s: order.index(s.role))
    return sections


def organisation_list(user: User) -> QuerySet[Organisation]:
    return access.organisations_for_user(user).order_by("kind", "name_ru")


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__full_name", "user__username")
    )


def organisation_councils(organisation: Organisation) -> QuerySet[Organisation]:
    return organisation.councils.filter(is_active=True).order_by("name_ru")


def audit_events(*, limit: int = 200) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor", "organisation").order_by("-at", "-id")[:limit]


def users_with_memberships() -> QuerySet[User]:
    return User.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("organisation"))
    )
