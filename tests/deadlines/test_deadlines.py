"""Deadlines: opened with a due date, closed as met or late, checked daily, notified once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from councils.models import AuditEvent
from deadlines import calendar_data, services, tasks
from deadlines.models import CalendarException, Deadline, Notification
from deadlines.rules import Stage

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def _open(personas, stage: str = Stage.REVIEW, start: str = "2024-05-03", org=None) -> Deadline:
    return services.deadline_open(
        subject=personas.energy_council,
        stage=stage,
        organisation=org or personas.energy_council,
        start_date=D(start),
        actor=personas.drafter,
        subject_label="ОРК Энергетика v1",
    )


def test_opening_a_deadline_fixes_its_due_date_from_the_calendar(
    personas, kz_calendar, time_machine
) -> None:
    time_machine.move_to(dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC), tick=False)
    deadline = _open(personas)
    deadline = Deadline.objects.get(pk=deadline.pk)
    assert (deadline.clause, deadline.working_days, deadline.due_date) == (
        "§12",
        5,
        D("2024-05-14"),
    )
    assert deadline.status == "open"
    event = AuditEvent.objects.get(action="deadline.open")
    assert event.actor == personas.drafter and event.changes["due_date"] == "2024-05-14"
    assert _open(personas).pk == deadline.pk  # the same clock is not started twice


def test_a_clock_opened_after_its_due_date_is_overdue_at_once(personas, kz_calendar) -> None:
    # A ground filed today for 2023: its §6 date (1 April 2024) passed long ago.
    late = _open(personas, stage=Stage.GROUNDS, start="2023-06-01", org=personas.energy)
    assert Deadline.objects.get(pk=late.pk).status == "overdue"


def test_the_grounds_deadline_is_a_calendar_date(personas, kz_calendar) -> None:
    deadline = _open(personas, stage=Stage.GROUNDS, start="2023-06-01", org=personas.energy)
    assert deadline.due_date == D("2024-04-01") and deadline.working_days is None


def test_closing_on_time_is_met_and_after_is_met_late(personas, kz_calendar) -> None:
    on_time = services.deadline_close(
        deadline=_open(personas), completed_on=D("2024-05-14"), actor=personas.secretary
    )
    assert Deadline.objects.get(pk=on_time.pk).status == "met"
    late = _open(personas, stage=Stage.RE_REVIEW)
    services.deadline_close(deadline=late, completed_on=D("2024-05-20"), actor=personas.secretary)
    assert Deadline.objects.get(pk=late.pk).status == "met_late"
    assert AuditEvent.objects.filter(action="deadline.close").count() == 2
    # Closing again changes nothing.
    services.deadline_close(deadline=late, completed_on=D("2024-05-06"), actor=personas.secretary)
    assert Deadline.objects.get(pk=late.pk).status == "met_late"


@time_machine.travel(dt.datetime(2024, 5, 6, 9, 0, tzinfo=dt.UTC))
def test_a_calendar_change_moves_open_deadlines_not_yet_passed(personas, kz_calendar) -> None:
    deadline = _open(personas)
    passed = _open(personas, stage=Stage.HANDOVER, start="2024-04-01", org=personas.energy)
    passed_due = passed.due_date
    calendar_data.calendar_exception_save(
        actor=personas.admin,
        exception=CalendarException(
            date=D("2024-05-13"), kind=CalendarException.Kind.TRANSFERRED, name_en="Extra day off"
        ),
    )
    assert Deadline.objects.get(pk=deadline.pk).due_date == D("2024-05-15")
    assert Deadline.objects.get(pk=passed.pk).due_date == passed_due
    assert AuditEvent.objects.filter(action="deadline.recompute").exists()
    assert AuditEvent.objects.filter(action="calendar.exception.create").exists()


def test_the_daily_check_marks_due_soon_then_overdue_and_notifies_once(
    personas, kz_calendar, grounds_filed_every_year
) -> None:
    deadline = _open(personas)  # due 2024-05-14
    with time_machine.travel(dt.datetime(2024, 5, 8, 3, 0, tzinfo=dt.UTC)):  # 3 working days left
        report = tasks.deadlines_check()
    assert (report.checked, report.notifications) == (1, 0)
    assert Deadline.objects.get(pk=deadline.pk).status == "open"
    with time_machine.travel(dt.datetime(2024, 5, 10, 3, 0, tzinfo=dt.UTC)):  # 2 working days left
        report = tasks.deadlines_check()
        again = tasks.deadlines_check()
    assert Deadline.objects.get(pk=deadline.pk).status == "due_soon"
    # The council's secretary and member are told, once, in the app and by e-mail.
    assert report.notifications == 2 and report.emails == 2
    assert (again.notifications, again.emails) == (0, 0)
    assert set(Notification.objects.values_list("recipient__username", "event")) == {
        ("secretary", "due_soon"),
        ("member", "due_soon"),
    }
    assert len(mail.outbox) == 2
    assert "§12" in mail.outbox[0].subject and "2024-05-14" in mail.outbox[0].subject
    with time_machine.travel(dt.datetime(2024, 5, 15, 3, 0, tzinfo=dt.UTC)):
        report = tasks.deadlines_check()
        tasks.deadlines_check()
    assert Deadline.objects.get(pk=deadline.pk).status == "overdue"
    assert report.overdue == 1 and report.notifications == 2
    assert Notification.objects.count() == 4 and len(mail.outbox) == 4


def test_the_drafter_gets_ministry_deadlines_in_their_own_language(
    personas, kz_calendar, grounds_filed_every_year
) -> None:
    personas.drafter.preferred_language = "ru"
    personas.drafter.save()
    services.deadline_open(
        subject=personas.energy,
        stage=Stage.HANDOVER,
        organisation=personas.energy,
        start_date=D("2024-05-03"),
        actor=None,
        subject_label="ОРК Энергетика",
    )
    with time_machine.travel(dt.datetime(2024, 5, 7, 3, 0, tzinfo=dt.UTC)):
        tasks.deadlines_check()
    assert [m.to for m in mail.outbox] == [["drafter@example.kz"]]
    assert "§14" in mail.outbox[0].subject and "2024-05-10" in mail.outbox[0].subject
    assert mail.outbox[0].body.startswith("Здравствуйте, Асель Нұрланқызы.")


def test_the_management_commands_print_dates_and_counts(kz_calendar, capsys) -> None:
    call_command("workdays", "add", "2024-05-03", "5")
    call_command("workdays", "between", "2024-05-03", "2024-05-14")
    call_command("workdays", "grounds", "2023")
    assert capsys.readouterr().out.split() == ["2024-05-14", "5", "2024-04-01"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("workdays", "add", "03.05.2024", "5")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_daily_task_runs_on_a_real_redis_worker_and_is_idempotent(
    personas, settings, grounds_filed_every_year
) -> None:
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from deadlines.demo import seed_calendar
    from deadlines.tasks import check_deadlines

    seed_calendar()
    _open(personas)
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.conf.result_backend = settings.REDIS_URL
    try:
        with (
            time_machine.travel(dt.datetime(2024, 5, 10, 3, 0, tzinfo=dt.UTC)),
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            first = check_deadlines.delay().get(timeout=30)
            second = check_deadlines.delay().get(timeout=30)
    finally:
        app.conf.task_always_eager = True
    assert first["notifications"] == 2 and first["due_soon"] == 1
    assert second["notifications"] == 0 and second["due_soon"] == 0
    assert Notification.objects.count() == 2
