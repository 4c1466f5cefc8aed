"""What waits for each person, by role, with the deadline and working days left (home page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from councils.models import Role, User
from councils.selectors import HomeSection
from deadlines.models import Deadline
from deadlines.services import work_calendar
from sbsh import access as sqf_access
from sbsh.models import Ground, Version

S = Version.Status

# Role → the version statuses in which that role has the next move (Rules §8–§14).
WAITING_STATUSES: dict[str, tuple[str, ...]] = {
    Role.MINISTRY_STAFF: (S.PREPARATION, S.DRAFTING, S.REVISION, S.APPROVED),
    Role.WORKING_GROUP: (S.PREPARATION, S.DRAFTING, S.REVISION),
    Role.COUNCIL_MEMBER: (S.COUNCIL_REVIEW, S.RE_REVIEW),
    Role.COUNCIL_SECRETARY: (S.COUNCIL_REVIEW, S.RE_REVIEW),
    Role.NATIONAL_OFFICER: (S.SENT, S.RECEIVED),
}


@dataclass
class Item:
    label: str
    url: str
    status: str
    deadline: Deadline | None = None
    days_left: int | None = None

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


@dataclass
class Panel:
    section: HomeSection
    items: list[Item] = field(default_factory=list)
    grounds: list[Item] = field(default_factory=list)


def _days(deadline: Deadline | None, today: dt.date, calendar: Any) -> int | None:
    if deadline is None:
        return None
    return calendar.working_days_between(today, deadline.due_date)


def panels(user: User, sections: list[HomeSection], *, today: dt.date | None = None) -> list[Panel]:
    """One panel per role: a fixed number of queries, whatever the number of versions."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    version_filters = []
    for s in sections:
        statuses = WAITING_STATUSES.get(s.role)
        if not statuses:
            continue
        version_filters.append((s, statuses))
    # Only the versions of the user's own organisations, chosen by the database.
    scope = Q()
    for s, statuses in version_filters:
        if s.role == Role.MINISTRY_STAFF:
            scope |= Q(status__in=statuses, framework__state_body_id=s.organisation.pk)
        elif s.role == Role.WORKING_GROUP:
            # Rules §7: only the versions whose working group lists the participant.
            scope |= Q(
                status__in=statuses,
                framework__state_body_id=s.organisation.pk,
                pk__in=sqf_access.working_group_version_ids(user),
            )
        elif s.role in (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY):
            scope |= Q(status__in=statuses, framework__council_id=s.organisation.pk)
        else:  # the national body receives from every state body
            scope |= Q(status__in=statuses)
    versions = (
        list(Version.objects.filter(scope).select_related("framework")) if version_filters else []
    )
    deadlines = {
        int(d.object_id): d
        for d in (
            versions
            and Deadline.objects.filter(
                content_type__app_label="sbsh",
                content_type__model="version",
                object_id__in=[str(v.pk) for v in versions],
                status__in=Deadline.ACTIVE,
            )
        )
    }
    council_ids = {s.organisation.pk for s in sections if s.role == Role.COUNCIL_SECRETARY}
    filed = list(
        Ground.objects.filter(
            council_id__in=council_ids, status=Ground.Status.FILED
        ).select_related("framework", "council")
    )
    drafts = list(
        Ground.objects.filter(created_by=user, status=Ground.Status.DRAFT).select_related(
            "framework", "council"
        )
    )
    ground_clocks = {
        int(d.object_id): d
        for d in (
            drafts
            and Deadline.objects.filter(
                content_type__app_label="sbsh",
                content_type__model="ground",
                object_id__in=[str(g.pk) for g in drafts],
                status__in=Deadline.ACTIVE,
            )
        )
    }
    result = []
    for s in sections:
        panel = Panel(s)
        org = s.organisation.pk
        statuses = WAITING_STATUSES.get(s.role, ())
        for v in versions:
            if v.status not in statuses:
                continue
            mine = (
                v.framework.state_body_id == org
                and (s.role != Role.WORKING_GROUP or v.pk in sqf_access.working_group_version_ids(user))
                if s.role in (Role.MINISTRY_STAFF, Role.WORKING_GROUP)
                else v.framework.council_id == org
                if s.role in (Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)
                else True
            )
            if not mine:
                continue
            d = deadlines.get(v.pk)
            panel.items.append(
                Item(
                    f"{v.framework.sector} · v{v.number}",
                    reverse("sbsh:overview", args=[v.pk]),
                    v.get_status_display(),
                    d,
                    _days(d, today, calendar),
                )
            )
        if s.role == Role.COUNCIL_SECRETARY:
            panel.grounds = [
                Item(
                    f"{g.get_kind_display()} {g.year}: {g.target}",
                    reverse("sbsh:ground", args=[g.pk]),
                    g.get_status_display(),
                )
                for g in filed
                if g.council_id == org
            ]
        elif s.role in (Role.MINISTRY_STAFF, Role.COUNCIL_MEMBER):
            panel.grounds = [
                Item(
                    f"{g.get_kind_display()} {g.year}: {g.target}",
                    reverse("sbsh:ground", args=[g.pk]),
                    g.get_status_display(),
                    ground_clocks.get(g.pk),
                    _days(ground_clocks.get(g.pk), today, calendar),
                )
                for g in drafts
                if (
                    g.council.state_body_id == org
                    if s.role == Role.MINISTRY_STAFF
                    else g.council_id == org
                )
            ]
        panel.items.sort(
            key=lambda i: (i.deadline is None, i.deadline.due_date if i.deadline else today)
        )
        result.append(panel)
    return result
