"""Writes for deadlines: the clocks of the Rules, their due dates from the stored calendar,
and the daily marking of those due soon or overdue.

The calendar data is kept in calendar_data.py, notifications in notifications.py; the
daily check that also e-mails is deadlines.tasks.deadlines_check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from councils.models import Organisation, User
from councils.services import audit_record
from deadlines.calendar import WorkCalendar
from deadlines.models import CalendarException, CalendarYear, Deadline, Notification
from deadlines.notifications import notify_people
from deadlines.rules import CLOCKS, DUE_SOON_WORKING_DAYS
from deadlines.signals import daily_check


def work_calendar() -> WorkCalendar:
    """The calendar as the administrators keep it; disputed dates are not applied."""
    rows = CalendarException.objects.filter(status=CalendarException.Status.CONFIRMED).values_list(
        "date", "kind"
    )
    return WorkCalendar.from_exceptions(
        ((day, kind == CalendarException.Kind.WORKING_WEEKEND) for day, kind in rows),
        covered_years=CalendarYear.objects.values_list("year", flat=True),
    )


# --- deadlines -------------------------------------------------------------------------------


def _due_date(calendar: WorkCalendar, stage: str, start: dt.date) -> tuple[int | None, dt.date]:
    clock = CLOCKS[stage]
    if clock.working_days is None:
        # Rules §6: `start` is any day of the year analysed.
        return None, calendar.grounds_deadline(start.year)
    return clock.working_days, calendar.add_working_days(
        start, clock.working_days, count_event_day=clock.count_event_day
    )


@transaction.atomic
def deadline_open(
    *,
    subject: models.Model,
    stage: str,
    organisation: Organisation,
    start_date: dt.date,
    actor: User | None,
    subject_label: str = "",
    calendar: WorkCalendar | None = None,
) -> Deadline:
    """Start a clock of the Rules; its due date is fixed now from the stored calendar.

    Re-opening the same stage on the same subject while one is active returns it.
    """
    content_type = ContentType.objects.get_for_model(subject)
    active = Deadline.objects.filter(
        content_type=content_type,
        object_id=str(subject.pk),
        stage=stage,
        status__in=Deadline.ACTIVE,
    )
    if CLOCKS[stage].working_days is None:
        # Rules §6 runs once a year: last year's clock (perhaps overdue) and this year's
        # are different clocks; the year analysed is the year of `start_date`.
        active = active.filter(start_date__year=start_date.year)
    active = active.first()
    if active is not None:
        return active
    calendar = calendar or work_calendar()
    working_days, due = _due_date(calendar, stage, start_date)
    today = timezone.localdate()
    deadline = Deadline.objects.create(
        # A clock opened late (a ground filed for a past year) is overdue from the start.
        status=status_for(due, today, due_soon_limit(calendar, today)),
        content_type=content_type,
        object_id=str(subject.pk),
        subject_label=(subject_label or str(subject))[:300],
        stage=stage,
        clause=CLOCKS[stage].clause,
        organisation=organisation,
        start_date=start_date,
        working_days=working_days,
        due_date=due,
    )
    audit_record(
        actor=actor,
        action="deadline.open",
        obj=deadline,
        organisation=organisation,
        changes={"stage": stage, "start_date": str(start_date), "due_date": str(due)},
    )
    return deadline


@transaction.atomic
def deadline_close(*, deadline: Deadline, completed_on: dt.date, actor: User | None) -> Deadline:
    """Stop the clock: met if completed on or before the due date, met late otherwise."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if not deadline.is_active:
        return deadline
    deadline.completed_on = completed_on
    deadline.status = (
        Deadline.Status.MET if completed_on <= deadline.due_date else Deadline.Status.MET_LATE
    )
    deadline.save(update_fields=["completed_on", "status"])
    audit_record(
        actor=actor,
        action="deadline.close",
        obj=deadline,
        organisation=deadline.organisation,
        changes={"completed_on": str(completed_on), "status": deadline.status},
    )
    return deadline


@transaction.atomic
def deadline_mark_returned(*, deadline: Deadline, actor: User | None, reason: str) -> Deadline:
    """Rules §14: the hand-over this clock was met by came back for a technical reason.
    The clock keeps its completion date and shows that it was returned; the re-send runs
    on its own clock."""
    deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
    if deadline.status not in (Deadline.Status.MET, Deadline.Status.MET_LATE):
        return deadline
    before = deadline.status
    deadline.status = Deadline.Status.RETURNED
    deadline.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="deadline.returned",
        obj=deadline,
        organisation=deadline.organisation,
        changes={"before": before, "status": deadline.status, "reason": reason[:200]},
    )
    return deadline


def deadlines_recompute(*, actor: User | None, today: dt.date | None = None) -> int:
    """After a calendar change: recompute the due dates of active deadlines not yet passed."""
    today = today or timezone.localdate()
    calendar = work_calendar()
    changed = []
    for deadline in Deadline.objects.filter(status__in=Deadline.ACTIVE, due_date__gte=today):
        _n, due = _due_date(calendar, deadline.stage, deadline.start_date)
        if due != deadline.due_date:
            deadline.due_date = due
            changed.append(deadline)
    Deadline.objects.bulk_update(changed, ["due_date"], batch_size=1000)
    if changed:
        audit_record(
            actor=actor,
            action="deadline.recompute",
            obj=changed[0],
            changes={"deadlines": len(changed), "ids": [d.pk for d in changed[:100]]},
        )
    return len(changed)


def due_soon_limit(calendar: WorkCalendar, today: dt.date) -> dt.date:
    """The last due date that counts as due soon: at most DUE_SOON_WORKING_DAYS working
    days left means due on or before the DUE_SOON_WORKING_DAYS-th working day from today."""
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


def status_for(due: dt.date, today: dt.date, limit: dt.date) -> str:
    if today > due:
        return Deadline.Status.OVERDUE
    if due <= limit:
        return Deadline.Status.DUE_SOON
    return Deadline.Status.OPEN


@dataclass
class CheckReport:
    checked: int
    due_soon: int
    overdue: int
    notifications: int
    emails: int
    opened: int = 0
    # The notifications still to e-mail (deadlines.tasks.deadlines_check sends them).
    to_email: list[int] = field(default_factory=list)


def deadlines_mark(*, today: dt.date | None = None) -> CheckReport:
    """The daily check's writes: mark deadlines due soon and overdue, tell the people
    responsible in the app, and list the notifications to e-mail (`to_email`).

    Idempotent: a deadline's `notified_status` records what was announced, and the
    unique (recipient, deadline, event) constraint stops a double notification even
    if two checks run at once.
    """
    today = today or timezone.localdate()
    # Rules §6: each year's clock of each state body is opened here, by the daily check,
    # so a ministry that files nothing is still reminded and shown overdue. The receivers
    # (sbsh/receivers.py) return the clocks they opened.
    opened = [
        d for _receiver, clocks in daily_check.send(sender=Deadline, today=today) for d in clocks
    ]
    limit = due_soon_limit(work_calendar(), today)
    to_update: list[Deadline] = []
    to_notify: list[Deadline] = []
    with transaction.atomic():
        active = Deadline.objects.select_for_update(skip_locked=True).filter(
            status__in=Deadline.ACTIVE
        )
        checked = 0
        for deadline in active.only(
            "id", "due_date", "status", "notified_status", "organisation_id"
        ):
            checked += 1
            status = status_for(deadline.due_date, today, limit)
            dirty = status != deadline.status
            deadline.status = status
            if (
                status in (Deadline.Status.DUE_SOON, Deadline.Status.OVERDUE)
                and deadline.notified_status != status
            ):
                deadline.notified_status = status
                to_notify.append(deadline)
                dirty = True
            if dirty:
                to_update.append(deadline)
        # A few UPDATEs by outcome: bulk_update's CASE per row is slow on 10,000 rows.
        groups: dict[tuple[str, str], list[int]] = {}
        for deadline in to_update:
            groups.setdefault((deadline.status, deadline.notified_status), []).append(deadline.pk)
        for (status, notified), ids in groups.items():
            for start in range(0, len(ids), 5000):
                Deadline.objects.filter(pk__in=ids[start : start + 5000]).update(
                    status=status, notified_status=notified
                )
        created = notify_people(to_notify)
    unsent = list(
        Notification.objects.filter(emailed_at__isnull=True, deadline__status__in=Deadline.ACTIVE)
        .exclude(pk__in=created)
        .values_list("pk", flat=True)[:5000]
    )
    pending = created + unsent
    emails = len(pending)
    return CheckReport(
        checked=checked,
        due_soon=sum(1 for d in to_update if d.status == Deadline.Status.DUE_SOON),
        overdue=sum(1 for d in to_update if d.status == Deadline.Status.OVERDUE),
        notifications=len(created),
        emails=emails,
        opened=len(opened),
        to_email=pending,
    )
