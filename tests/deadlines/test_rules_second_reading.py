"""Issue 18, items 1–2: the §6 yearly clock opened by the daily check (not by the demo),
and the counting convention chosen per clock in deadlines/rules.py."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from councils.models import AuditEvent, Organisation
from deadlines import rules, services, tasks
from deadlines.models import Deadline, Notification
from deadlines.rules import CLOCKS, Stage
from sbsh.workflow import grounds
from tests.sbsh.conftest import small_classifiers  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def _body_clocks(org: Organisation) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            content_type__model="organisation", object_id=str(org.pk), stage=Stage.GROUNDS
        ).order_by("start_date")
    )


# --- item 1: Rules §6 every year, from the daily check ------------------------------------------


def test_the_daily_check_opens_each_state_bodys_clock_for_the_year_just_ended(
    personas, kz_calendar, time_machine
) -> None:
    """Rules §6: no demo, no ground filed; the first check of 2025 opens the 2024 clock."""
    time_machine.move_to(dt.datetime(2025, 1, 6, 6, tzinfo=dt.UTC), tick=False)
    assert not Deadline.objects.exists()
    report = tasks.deadlines_check()
    assert report.opened == 2  # energy and agriculture, each with its council
    [clock] = _body_clocks(personas.energy)
    assert (clock.clause, clock.start_date, clock.due_date, clock.status) == (
        "§6",
        D("2024-12-31"),
        D("2025-03-31"),
        "open",
    )
    assert clock.organisation == personas.energy and clock.subject_label == "ЭМ: 2024"
    assert AuditEvent.objects.filter(action="deadline.open", object_id=str(clock.pk)).exists()
    # The ministry's staff are told the clock started; nobody of another ministry.
    told = set(Notification.objects.filter(deadline=clock).values_list("recipient", "event"))
    assert told == {(personas.drafter.pk, "opened")}
    # Idempotent: the next day's check opens nothing and tells nobody again.
    time_machine.move_to(dt.datetime(2025, 1, 7, 6, tzinfo=dt.UTC), tick=False)
    again = tasks.deadlines_check()
    assert again.opened == 0 and len(_body_clocks(personas.energy)) == 1
    assert Notification.objects.filter(deadline=clock).count() == 1


def test_a_ministry_that_files_nothing_is_shown_overdue_and_next_year_gets_its_own_clock(
    personas, kz_calendar, time_machine
) -> None:
    time_machine.move_to(dt.datetime(2025, 1, 6, 6, tzinfo=dt.UTC), tick=False)
    tasks.deadlines_check()
    time_machine.move_to(dt.datetime(2025, 4, 1, 6, tzinfo=dt.UTC), tick=False)
    tasks.deadlines_check()
    [clock] = _body_clocks(personas.energy)
    assert clock.status == "overdue"
    assert Notification.objects.filter(
        deadline=clock, recipient=personas.drafter, event="overdue"
    ).exists()
    # The council sees the ministry's clock on its deadlines page.
    page = personas.client_for(personas.secretary).get(reverse("deadlines:dashboard"))
    assert page.status_code == 200 and "ЭМ: 2024" in page.content.decode()
    # A year later the 2025 clock opens beside the overdue 2024 one.
    time_machine.move_to(dt.datetime(2026, 1, 5, 6, tzinfo=dt.UTC), tick=False)
    tasks.deadlines_check()
    clocks = _body_clocks(personas.energy)
    assert [(c.start_date.year, c.status) for c in clocks] == [(2024, "overdue"), (2025, "open")]


def test_filing_the_gap_analysis_meets_that_years_clock(
    personas,
    kz_calendar,
    time_machine,
    small_classifiers,  # noqa: F811
) -> None:
    time_machine.move_to(dt.datetime(2025, 1, 6, 6, tzinfo=dt.UTC), tick=False)
    tasks.deadlines_check()
    ground = grounds.ground_create(
        actor=personas.drafter,
        kind="analysis",
        council=personas.energy_council,
        year=2024,
        justification="Салалар толық қамтылмаған.",
        findings="62011 — ҚБШ жоқ.",
    )
    oked = small_classifiers["oked:62011"]
    grounds.gap_add(actor=personas.drafter, ground=ground, oked=oked, coverage="none", note="")
    grounds.ground_file(actor=personas.drafter, ground=ground, today=D("2025-02-10"))
    [clock] = _body_clocks(personas.energy)
    assert (clock.status, clock.completed_on) == ("met", D("2025-02-10"))


def test_an_analysis_filed_before_the_clock_opens_closes_it_at_once(
    personas,
    kz_calendar,
    time_machine,
    small_classifiers,  # noqa: F811
) -> None:
    time_machine.move_to(dt.datetime(2024, 11, 20, 6, tzinfo=dt.UTC), tick=False)
    ground = grounds.ground_create(
        actor=personas.drafter,
        kind="analysis",
        council=personas.energy_council,
        year=2024,
        justification="Ерте.",
        findings="Талдау.",
    )
    oked = small_classifiers["oked:62011"]
    grounds.gap_add(actor=personas.drafter, ground=ground, oked=oked, coverage="none", note="")
    grounds.ground_file(actor=personas.drafter, ground=ground)
    time_machine.move_to(dt.datetime(2025, 1, 6, 6, tzinfo=dt.UTC), tick=False)
    report = tasks.deadlines_check()
    [clock] = _body_clocks(personas.energy)
    assert (clock.status, clock.completed_on) == ("met", D("2024-11-20"))
    assert report.opened == 1  # agriculture only
    assert not Notification.objects.filter(deadline=clock).exists()


def test_a_state_body_without_a_council_or_inactive_gets_no_clock(
    personas, kz_calendar, time_machine
) -> None:
    Organisation.objects.filter(pk=personas.agriculture_council.pk).update(is_active=False)
    time_machine.move_to(dt.datetime(2025, 1, 6, 6, tzinfo=dt.UTC), tick=False)
    assert tasks.deadlines_check().opened == 1
    assert _body_clocks(personas.agriculture) == []


def test_the_check_deadlines_command_opens_the_yearly_clocks(personas, kz_calendar, capsys) -> None:
    call_command("check_deadlines", "--today", "2025-01-06")
    assert "2 yearly §6 clocks opened" in capsys.readouterr().out
    assert len(_body_clocks(personas.energy)) == 1


# --- item 2: the counting convention per clock ------------------------------------------------


def _due(personas, stage: str, start: str) -> dt.date:
    return services.deadline_open(
        subject=personas.energy_council,
        stage=stage,
        organisation=personas.energy_council,
        start_date=D(start),
        actor=None,
    ).due_date


def test_every_clock_counts_from_the_day_after_the_event_by_default(personas, kz_calendar) -> None:
    # Rules §13 "келіп түскен күнінен бастап": received Mon 2024-06-03, 2 working days.
    assert _due(personas, Stage.RE_REVIEW, "2024-06-03") == D("2024-06-05")
    assert all(
        not c.count_event_day for c in CLOCKS.values()
    )  # the documented reading (README "Counting deadlines")


def test_reading_13_inclusively_moves_only_the_re_review_clock(
    personas, kz_calendar, monkeypatch
) -> None:
    inclusive = dataclasses.replace(CLOCKS[Stage.RE_REVIEW], count_event_day=True)
    monkeypatch.setitem(rules.CLOCKS, Stage.RE_REVIEW, inclusive)
    # Received Mon 2024-06-03: the day of receipt is the first of the two days.
    assert _due(personas, Stage.RE_REVIEW, "2024-06-03") == D("2024-06-04")
    # Received on a Saturday: the first working day counted is Monday.
    Deadline.objects.all().delete()
    assert _due(personas, Stage.RE_REVIEW, "2024-06-01") == D("2024-06-04")
    # Every other clock stays where it was.
    Deadline.objects.all().delete()
    assert _due(personas, Stage.REVIEW, "2024-05-03") == D("2024-05-14")  # §12
    assert _due(personas, Stage.REVISION, "2024-06-03") == D("2024-06-10")  # §13 revision
    assert _due(personas, Stage.HANDOVER, "2024-12-31") == D("2025-01-08")  # §14
    assert _due(personas, Stage.PREPARATION, "2025-01-02") == D("2025-04-03")  # §8
