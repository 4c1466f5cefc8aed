"""Dashboard, calendar year view, notifications, iCal feed, calendar import."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from classifiers.rows import ImportRejected
from councils.models import AuditEvent
from deadlines import calendar_data, services, tasks
from deadlines.models import CalendarException, Deadline, FeedToken, Notification
from deadlines.rules import Stage

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
NOW = dt.datetime(2024, 5, 10, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def clocks(personas, kz_calendar) -> dict[str, Deadline]:
    review = services.deadline_open(
        subject=personas.energy_council,
        stage=Stage.REVIEW,
        organisation=personas.energy_council,
        start_date=D("2024-05-03"),
        actor=None,
        subject_label="ОРК Энергетика",
    )
    late = services.deadline_open(
        subject=personas.energy,
        stage=Stage.DRAFTING,
        organisation=personas.energy,
        start_date=D("2024-03-01"),
        actor=None,
        subject_label="ОРК Энергетика",
    )
    other = services.deadline_open(
        subject=personas.agriculture,
        stage=Stage.PREPARATION,
        organisation=personas.agriculture,
        start_date=D("2024-04-01"),
        actor=None,
        subject_label="ОРК АПК",
    )
    with time_machine.travel(NOW):
        tasks.deadlines_check()
    return {"review": review, "late": late, "other": other}


@time_machine.travel(NOW)
def test_the_dashboard_lists_own_sector_overdue_first_with_days_left(
    personas, clocks, django_assert_max_num_queries, grounds_filed_every_year
) -> None:
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    with django_assert_max_num_queries(12):
        response = client.get(reverse("deadlines:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(f'data-testid="deadline-{clocks["late"].pk}"') < body.index(
        f'data-testid="deadline-{clocks["review"].pk}"'
    )
    assert f'data-testid="deadline-{clocks["other"].pk}"' not in body
    assert "badge-overdue" in body and "badge-due_soon" in body
    rows = response.context["rows"]
    assert [r.deadline.pk for r in rows] == [clocks["late"].pk, clocks["review"].pk]
    # Drafting (§11: 20 working days after 2024-03-01; 8 March and Nauryz 21–25 March off)
    # ended on 2024-04-04, 23 working days before 10 May (Saturday 4 May worked, 7–9 May off).
    assert rows[0].deadline.due_date == D("2024-04-04") and rows[0].working_days_left == -23
    assert rows[1].working_days_left == 2


@time_machine.travel(NOW)
def test_the_outsider_sees_only_agriculture(personas, clocks, grounds_filed_every_year) -> None:
    rows = (
        personas.client_for(personas.outsider).get(reverse("deadlines:dashboard")).context["rows"]
    )
    assert [r.deadline.pk for r in rows] == [clocks["other"].pk]
    officer_rows = (
        personas.client_for(personas.officer).get(reverse("deadlines:dashboard")).context["rows"]
    )
    assert len(officer_rows) == 3


def test_the_year_view_marks_holidays_transfers_and_disputes(
    personas, kz_calendar, django_assert_max_num_queries
) -> None:
    client = personas.client_for(personas.member)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("deadlines:year", args=[2024]))
    assert response.status_code == 200
    assert response.context["total"] == 249
    body = response.content.decode()
    assert body.count("workweekend") >= 2  # 4 May 2024 and the legend
    assert (
        personas.client_for(personas.member)
        .get(reverse("deadlines:year", args=[2026]))
        .content.decode()
        .count("disputed")
        >= 2
    )
    assert client.get(reverse("deadlines:year", args=[1900])).status_code == 404
    assert client.get(reverse("deadlines:year-csv", args=[2024])).status_code == 403
    csv_text = (
        personas.client_for(personas.admin)
        .get(reverse("deadlines:year-csv", args=[2024]))
        .content.decode()
    )
    assert "2024-05-04,working_weekend" in csv_text


def test_anonymous_visitors_cannot_see_deadlines_or_the_calendar(client) -> None:
    for url in [
        reverse("deadlines:dashboard"),
        reverse("deadlines:year", args=[2024]),
        reverse("deadlines:notifications"),
    ]:
        assert client.get(url).status_code == 302


@time_machine.travel(NOW)
def test_notifications_are_listed_counted_and_marked_read(personas, clocks) -> None:
    client = personas.client_for(personas.secretary)
    page = client.get(reverse("deadlines:notifications"))
    assert page.context["unread_notifications"] == 1
    assert "ОРК Энергетика" in page.content.decode()
    client.post(reverse("deadlines:notifications-read"))
    assert (
        Notification.objects.filter(recipient=personas.secretary, read_at__isnull=True).count() == 0
    )
    assert Notification.objects.filter(read_at__isnull=True).count() > 0  # others' stay unread


@time_machine.travel(NOW)
def test_the_ical_feed_needs_its_secret_and_lists_own_deadlines(personas, clocks, client) -> None:
    member = personas.client_for(personas.member)
    member.post(reverse("deadlines:feed-regenerate"))
    token = FeedToken.objects.get(user=personas.member).token
    response = client.get(reverse("deadlines:feed", args=[token]))
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20240514" in body
    assert "ОРК АПК" not in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client.get(reverse("deadlines:feed", args=["guess"])).status_code == 404
    member.post(reverse("deadlines:feed-regenerate"))
    assert client.get(reverse("deadlines:feed", args=[token])).status_code == 404
    assert AuditEvent.objects.filter(action="feed.regenerate").count() == 2


def test_calendar_import_rejects_bad_rows_and_changes_nothing(personas, kz_calendar) -> None:
    before = (CalendarException.objects.count(), AuditEvent.objects.count())
    bad = (
        b"date,kind,name_kk,name_ru,name_en\n"
        b"2028-13-01,holiday,a,b,c\n"
        b"2028-01-05,working_weekend,a,b,c\n"
        b"2028-01-08,transferred,a,b,c\n"
        b"2028-01-10,party,a,b,c\n"
    )
    with pytest.raises(ImportRejected) as excinfo:
        calendar_data.calendar_import_csv(data=bad, actor=personas.admin)
    assert {(p.row, p.column) for p in excinfo.value.problems} == {
        (2, "date"),
        (3, "kind"),
        (4, "kind"),
        (5, "kind"),
    }
    assert (CalendarException.objects.count(), AuditEvent.objects.count()) == before


def test_calendar_import_replaces_a_year_and_recomputes(personas, kz_calendar) -> None:
    data = (
        "date,kind,name_kk,name_ru,name_en,legal_basis\n"
        "2028-01-01,holiday,Жаңа жыл,Новый год,New Year,\n"
        "2028-01-03,transferred,Демалыс,Выходной,Day off,Decree 1\n"
    ).encode()
    dry = calendar_data.calendar_import_csv(data=data, actor=personas.admin, dry_run=True)
    assert dry.dry_run and CalendarException.objects.filter(date__year=2028).count() > 2
    report = calendar_data.calendar_import_csv(data=data, actor=personas.admin)
    assert report.years == [2028] and report.removed > 0
    assert list(
        CalendarException.objects.filter(date__year=2028).values_list("date", flat=True)
    ) == [D("2028-01-01"), D("2028-01-03")]
    assert services.work_calendar().add_working_days(D("2027-12-31"), 1) == D("2028-01-04")
    assert AuditEvent.objects.filter(action="calendar.import", actor=personas.admin).exists()


def test_only_administrators_import_or_edit_the_calendar(personas, kz_calendar) -> None:
    for username in ["drafter", "member", "secretary", "officer", "outsider"]:
        client = personas.client_for(getattr(personas, username))
        response = client.get(reverse("admin:deadlines_calendarexception_import"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    admin = personas.client_for(personas.admin)
    assert admin.get(reverse("admin:deadlines_calendarexception_import")).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin.post(
        reverse("admin:deadlines_calendarexception_import"),
        {"file": SimpleUploadedFile("c.csv", b"date,kind\n2028-01-05,working_weekend\n")},
    )
    assert response.status_code == 200 and "2028-01-05" in response.content.decode()
