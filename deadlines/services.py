"""Writes for the calendar, deadlines and notifications."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from classifiers.files import csv_rows
from classifiers.rows import ImportRejected, Problem
from classifiers.text import clean
from config.spreadsheet import csv_safe, csv_unsafe
from councils.models import Membership, Organisation, Role, User
from councils.services import audit_record
from deadlines.calendar import WorkCalendar, package_year
from deadlines.models import CalendarException, CalendarYear, Deadline, Notification
from deadlines.rules import CLOCKS, DUE_SOON_WORKING_DAYS

log = logging.getLogger(__name__)


def work_calendar() -> WorkCalendar:
    """The calendar as the administrators keep it; disputed dates are not applied."""
    rows = CalendarException.objects.filter(status=CalendarException.Status.CONFIRMED).values_list(
        "date", "kind"
    )
    return WorkCalendar.from_exceptions(
        ((day, kind == CalendarException.Kind.WORKING_WEEKEND) for day, kind in rows),
        covered_years=CalendarYear.objects.values_list("year", flat=True),
    )


# --- calendar data ------------------------------------------------------------------------

# Kinds of the shipped file (kz_calendar_exceptions_2023_2027.csv) → ours.
SHIPPED_KINDS = {
    "holiday": CalendarException.Kind.HOLIDAY,
    "religious_holiday_no_carryover": CalendarException.Kind.HOLIDAY,
    "holiday_weekend_moved": CalendarException.Kind.CARRIED_OVER,
    "transfer_day_off": CalendarException.Kind.TRANSFERRED,
    "working_weekend_day": CalendarException.Kind.WORKING_WEEKEND,
}
KIND_VALUES = set(CalendarException.Kind.values) | set(SHIPPED_KINDS)


@dataclass
class CalendarImportReport:
    years: list[int]
    created: int
    updated: int
    removed: int
    recomputed: int
    dry_run: bool


def calendar_import_csv(
    *,
    data: bytes,
    actor: User | None,
    source_name: str = "calendar.csv",
    source: str = CalendarYear.Source.MANUAL,
    dry_run: bool = False,
) -> CalendarImportReport:
    """Replace the exceptions of every year the file covers; all rows or none.

    Columns: `date, kind, name_kk, name_ru, name_en` and optionally `status`
    (confirmed/disputed; the shipped file's `non_working`/`working` mean confirmed),
    `legal_basis` and `note`. The shipped file's kinds are accepted as they are.
    """
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ImportRejected([Problem(source_name, None, None, _("The file is too large."))])
    rows = csv_rows(source_name, data)
    first = next(rows, None)
    header = [clean(h) for h in first[1]] if first else []
    missing = [c for c in ("date", "kind") if c not in header]
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
    problems: list[Problem] = []
    parsed: dict[dt.date, dict[str, Any]] = {}
    for line, values in rows:
        cells = {h: clean(v) for h, v in zip(header, values, strict=False)}
        try:
            day = dt.date.fromisoformat(cells.get("date", ""))
        except ValueError:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "date",
                    _("‘%(value)s’ is not a date (use YYYY-MM-DD).")
                    % {"value": cells.get("date", "")[:20]},
                )
            )
            continue
        kind = cells.get("kind", "")
        if kind not in KIND_VALUES:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "kind",
                    _("‘%(value)s’ is not one of: %(values)s.")
                    % {"value": kind, "values": ", ".join(CalendarException.Kind.values)},
                )
            )
            continue
        kind = SHIPPED_KINDS.get(kind, kind)
        status = cells.get("status", "") or "confirmed"
        status = {"non_working": "confirmed", "working": "confirmed"}.get(status, status)
        if status not in CalendarException.Status.values:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "status",
                    _("‘%(value)s’ is not one of: %(values)s.")
                    % {"value": status, "values": "confirmed, disputed"},
                )
            )
            continue
        is_weekend = day.weekday() >= 5
        if kind == CalendarException.Kind.WORKING_WEEKEND and not is_weekend:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "kind",
                    _("%(date)s is a weekday: only a Saturday or Sunday can be made a working day.")
                    % {"date": day},
                )
            )
        if (
            kind in (CalendarException.Kind.CARRIED_OVER, CalendarException.Kind.TRANSFERRED)
            and is_weekend
        ):
            problems.append(
                Problem(
                    source_name,
                    line,
                    "kind",
                    _(
                        "%(date)s is a weekend day: a day off is carried over or transferred to a weekday."
                    )
                    % {"date": day},
                )
            )
        if day in parsed:
            problems.append(
                Problem(
                    source_name, line, "date", _("The date %(date)s appears twice.") % {"date": day}
                )
            )
        parsed[day] = {
            "kind": kind,
            "status": status,
            "name_kk": csv_unsafe(cells.get("name_kk", ""))[:200],
            "name_ru": csv_unsafe(cells.get("name_ru", ""))[:200],
            "name_en": csv_unsafe(cells.get("name_en", ""))[:200],
            "legal_basis": csv_unsafe(cells.get("legal_basis", "") or cells.get("note", ""))[:300]
            if kind in (CalendarException.Kind.TRANSFERRED, CalendarException.Kind.WORKING_WEEKEND)
            else csv_unsafe(cells.get("legal_basis", ""))[:300],
            "note": csv_unsafe(cells.get("note", "")),
        }
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected(
            [Problem(source_name, None, None, _("The file has a header but no data rows."))]
        )
    years = sorted({d.year for d in parsed})
    existing = {e.date: e for e in CalendarException.objects.filter(date__year__in=years)}
    created = sum(1 for d in parsed if d not in existing)
    updated = sum(
        1
        for d, v in parsed.items()
        if d in existing and any(getattr(existing[d], k) != v[k] for k in v)
    )
    removed = sum(1 for d in existing if d not in parsed)
    report = CalendarImportReport(years, created, updated, removed, 0, dry_run)
    if dry_run:
        return report
    with transaction.atomic():
        CalendarException.objects.filter(date__year__in=years).exclude(
            date__in=list(parsed)
        ).delete()
        for day, values in parsed.items():
            CalendarException.objects.update_or_create(date=day, defaults=values)
        for year in years:
            CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
        audit_record(
            actor=actor,
            action="calendar.import",
            obj=CalendarYear.objects.get(year=years[0]),
            changes={
                "years": years,
                "created": created,
                "updated": updated,
                "removed": removed,
                "source": source_name,
            },
        )
        report.recomputed = deadlines_recompute(actor=actor)
    return report


@transaction.atomic
def calendar_year_from_package(*, year: int, actor: User | None) -> int:
    """Store the `holidays` package's view of `year` so administrators can edit it."""
    if CalendarYear.objects.filter(year=year).exists():
        return 0
    import holidays

    names = {
        lang: holidays.country_holidays("KZ", years=year, language=lang) for lang in ("kk", "en_US")
    }
    exceptions = package_year(year)
    rows = []
    for day in sorted(exceptions.non_working):
        kk, en = names["kk"].get(day, ""), names["en_US"].get(day, "")
        kind = CalendarException.Kind.HOLIDAY
        if "observed" in en.lower() or "қайта белгіленген" in kk:
            kind = CalendarException.Kind.CARRIED_OVER
        elif "substituted" in en.lower():
            kind = CalendarException.Kind.TRANSFERRED
        rows.append(
            CalendarException(
                date=day,
                kind=kind,
                name_kk=kk[:200],
                name_en=en[:200],
                note="holidays package default",
            )
        )
    for day in sorted(exceptions.working):
        rows.append(
            CalendarException(
                date=day,
                kind=CalendarException.Kind.WORKING_WEEKEND,
                name_en="Working day (transfer)",
                note="holidays package default",
            )
        )
    CalendarException.objects.bulk_create(rows, ignore_conflicts=True)
    cy = CalendarYear.objects.create(year=year, source=CalendarYear.Source.PACKAGE)
    audit_record(
        actor=actor, action="calendar.year_from_package", obj=cy, changes={"exceptions": len(rows)}
    )
    return len(rows)


@transaction.atomic
def calendar_exception_save(*, actor: User, exception: CalendarException) -> CalendarException:
    creating = exception.pk is None
    before = (
        None
        if creating
        else CalendarException.objects.filter(pk=exception.pk)
        .values("date", "kind", "status")
        .first()
    )
    exception.full_clean()
    exception.save()
    CalendarYear.objects.get_or_create(
        year=exception.date.year, defaults={"source": CalendarYear.Source.MANUAL}
    )
    audit_record(
        actor=actor,
        action="calendar.exception." + ("create" if creating else "update"),
        obj=exception,
        changes={
            "before": _jsonable(before),
            "date": str(exception.date),
            "kind": exception.kind,
            "status": exception.status,
        },
    )
    deadlines_recompute(actor=actor)
    return exception


@transaction.atomic
def calendar_exception_delete(*, actor: User, exception: CalendarException) -> None:
    audit_record(
        actor=actor,
        action="calendar.exception.delete",
        obj=exception,
        changes={"date": str(exception.date), "kind": exception.kind},
    )
    exception.delete()
    deadlines_recompute(actor=actor)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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


# Who is told about a deadline of an organisation of each kind.
RESPONSIBLE_ROLES = {
    Organisation.Kind.STATE_BODY: [Role.MINISTRY_STAFF],
    Organisation.Kind.COUNCIL: [Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER],
    Organisation.Kind.NATIONAL_BODY: [Role.NATIONAL_OFFICER],
}


EMAIL_BATCH = 200


@dataclass
class CheckReport:
    checked: int
    due_soon: int
    overdue: int
    notifications: int
    emails: int
    opened: int = 0


def deadlines_check(*, today: dt.date | None = None) -> CheckReport:
    """The daily check: mark deadlines due soon and overdue, tell the people responsible.

    Idempotent: a deadline's `notified_status` records what was announced, and the
    unique (recipient, deadline, event) constraint stops a double notification even
    if two checks run at once.
    """
    today = today or timezone.localdate()
    # Rules §6: each year's clock of each state body is opened here, by the daily check,
    # so a ministry that files nothing is still reminded and shown overdue.
    from sbsh.decisions import grounds_year_clocks_open

    opened = grounds_year_clocks_open(today=today)
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
        created = _notify(to_notify)
    unsent = list(
        Notification.objects.filter(emailed_at__isnull=True, deadline__status__in=Deadline.ACTIVE)
        .exclude(pk__in=created)
        .values_list("pk", flat=True)[:5000]
    )
    # E-mail goes out in the background, in batches (in-process on the embedded default).
    from deadlines.tasks import email_notifications

    pending = created + unsent
    for start in range(0, len(pending), EMAIL_BATCH):
        email_notifications.delay(pending[start : start + EMAIL_BATCH])
    emails = len(pending)
    return CheckReport(
        checked=checked,
        due_soon=sum(1 for d in to_update if d.status == Deadline.Status.DUE_SOON),
        overdue=sum(1 for d in to_update if d.status == Deadline.Status.OVERDUE),
        notifications=len(created),
        emails=emails,
        opened=len(opened),
    )


def deadlines_announce_opened(deadlines: list[Deadline]) -> list[int]:
    """Tell the people responsible that a clock started (once per person and clock)."""
    return _notify(deadlines, event=Notification.Event.OPENED)


def _notify(deadlines: list[Deadline], *, event: str | None = None) -> list[int]:
    if not deadlines:
        return []
    org_ids = {d.organisation_id for d in deadlines}
    kinds = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "kind"))
    people: dict[int, list[int]] = {}
    for org_id, user_id, role in Membership.objects.filter(
        organisation_id__in=org_ids, user__is_active=True
    ).values_list("organisation_id", "user_id", "role"):
        if role in RESPONSIBLE_ROLES.get(kinds.get(org_id, ""), []):
            people.setdefault(org_id, []).append(user_id)
    rows = [
        Notification(recipient_id=user_id, deadline_id=d.pk, event=event or d.status)
        for d in deadlines
        for user_id in sorted(set(people.get(d.organisation_id, [])))
    ]
    before = set(
        Notification.objects.filter(deadline_id__in=[d.pk for d in deadlines]).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return list(
        Notification.objects.filter(
            deadline_id__in=[d.pk for d in deadlines], emailed_at__isnull=True
        )
        .exclude(pk__in=before)
        .values_list("pk", flat=True)
    )


def notifications_email(notification_ids: list[int]) -> int:
    """E-mail new notifications over one mail connection, each in its reader's language.

    A failure leaves `emailed_at` empty, so the next check tries those again; the
    in-app notification stands either way.
    """
    messages: list[EmailMessage] = []
    ids: list[int] = []
    for notification in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "deadline", "deadline__organisation"):
        user = notification.recipient
        if not user.email:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = notification_subject(notification)
            body = render_to_string(
                "deadlines/email_notification.txt",
                {"n": notification, "user": user, "site_url": settings.SITE_URL},
            )
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
        ids.append(notification.pk)
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            sent = connection.send_messages(messages) or 0
    except OSError:
        log.exception("could not e-mail %s notifications; the next check retries", len(messages))
        return 0
    Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    return sent


def notification_subject(notification: Notification) -> str:
    d = notification.deadline
    if notification.event == Notification.Event.MOVED:
        return f"{notification.message} {notification.subject_text}".strip()
    if notification.event == Notification.Event.OVERDUE:
        return _("Overdue (Rules %(clause)s): %(subject)s") % {
            "clause": d.clause,
            "subject": d.subject_label,
        }
    if notification.event == Notification.Event.DUE_SOON:
        return _("Due %(date)s (Rules %(clause)s): %(subject)s") % {
            "date": d.due_date.isoformat(),
            "clause": d.clause,
            "subject": d.subject_label,
        }
    return _("Deadline started (Rules %(clause)s): %(subject)s") % {
        "clause": d.clause,
        "subject": d.subject_label,
    }


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    marked = qs.update(read_at=timezone.now())
    if marked:
        # A bulk update like any other change: one audit row says who and how many.
        audit_record(actor=user, action="notification.read", obj=user, changes={"marked": marked})
    return marked


def export_calendar_csv(year: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["date", "kind", "status", "name_kk", "name_ru", "name_en", "legal_basis", "note"]
    )
    for e in CalendarException.objects.filter(date__year=year).order_by("date"):
        writer.writerow(
            [
                e.date.isoformat(),
                e.kind,
                e.status,
                csv_safe(e.name_kk),
                csv_safe(e.name_ru),
                csv_safe(e.name_en),
                csv_safe(e.legal_basis),
                csv_safe(e.note),
            ]
        )
    return out.getvalue()
