"""Reads for the calendar, deadlines and notifications."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, CharField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from councils import access
from councils.models import User
from deadlines.calendar import WorkCalendar
from deadlines.models import CalendarException, CalendarYear, Deadline, Notification

# (app label, model) of a clock's subject → the subjects `user` may see, for the subjects
# whose clocks are seen only with the subject itself (registered by the owning app).
VISIBLE_SUBJECTS: dict[tuple[str, str], Callable[[User], QuerySet]] = {}


def subject_visibility(app_label: str, model: str, visible_to: Callable[[User], QuerySet]) -> None:
    """Show the clocks of `app_label.model` subjects only to those `visible_to` lists."""
    VISIBLE_SUBJECTS[(app_label, model)] = visible_to


def deadlines_for_user(user: User) -> QuerySet[Deadline]:
    """Active deadlines of the organisations the user works in (all for administrators
    and the national body), overdue first, then by due date."""
    qs = Deadline.objects.filter(status__in=Deadline.ACTIVE).select_related(
        "organisation", "organisation__state_body"
    )
    if not (access.is_administrator(user) or access.is_national_officer(user)):
        # A ministry sees its councils' clocks and a council its ministry's: the same
        # organisations the user may open (councils/access.py).
        qs = qs.filter(organisation__in=access.organisations_for_user(user).values("pk"))
    if not access.is_administrator(user):
        # Some clocks are seen only with their subject: the clock of a ground (Rules §6)
        # only by those who may see the ground (a ministry's draft gap analysis is its
        # own until filed). The app owning the subject says who may (`subject_visibility`).
        for (app_label, model), visible_to in VISIBLE_SUBJECTS.items():
            visible = visible_to(user).annotate(key=Cast("pk", CharField())).values("key")
            qs = qs.exclude(
                Q(content_type__app_label=app_label, content_type__model=model)
                & ~Q(object_id__in=visible)
            )
    return qs.annotate(
        order=Case(
            When(status=Deadline.Status.OVERDUE, then=Value(0)),
            When(status=Deadline.Status.DUE_SOON, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("order", "due_date", "id")


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    working_days_left: int


def with_days_left(
    deadlines: list[Deadline], calendar: WorkCalendar, today: dt.date
) -> list[DeadlineRow]:
    return [DeadlineRow(d, calendar.working_days_between(today, d.due_date)) for d in deadlines]


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user: User, *, limit: int = 100) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related(
        "deadline", "deadline__organisation"
    )[:limit]


@dataclass(frozen=True)
class DayCell:
    day: dt.date | None
    working: bool = True
    weekend: bool = False
    exception: CalendarException | None = None
    disputed: bool = False
    today: bool = False


@dataclass(frozen=True)
class MonthView:
    month: int
    weeks: list[list[DayCell]]
    working_days: int


def year_view(
    year: int, calendar: WorkCalendar, today: dt.date
) -> tuple[list[MonthView], CalendarYear | None, int]:
    exceptions = {e.date: e for e in CalendarException.objects.filter(date__year=year)}
    months = []
    total = 0
    for month in range(1, 13):
        weeks = []
        count = 0
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row = []
            for day in week:
                if day.month != month:
                    row.append(DayCell(None))
                    continue
                working = calendar.is_working_day(day)
                count += working
                exc = exceptions.get(day)
                row.append(
                    DayCell(
                        day,
                        working,
                        day.weekday() >= 5,
                        exc,
                        bool(exc and exc.status == CalendarException.Status.DISPUTED),
                        day == today,
                    )
                )
            weeks.append(row)
        months.append(MonthView(month, weeks, count))
        total += count
    return months, CalendarYear.objects.filter(year=year).first(), total
