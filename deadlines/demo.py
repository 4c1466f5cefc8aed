"""The shipped calendar (deadlines/data/, see PROVENANCE.md) and the demo's §6 clocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from councils.models import Organisation
from deadlines.calendar_data import calendar_import_csv, calendar_year_from_package
from deadlines.models import CalendarYear
from deadlines.rules import Stage
from deadlines.services import deadline_open

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_CSV = DATA / "kz_calendar_exceptions_2023_2027.csv"
# Years after the shipped data: the holidays package's default, marked unchecked.
PACKAGE_YEARS_AHEAD = 2


def seed_calendar(*, say: Callable[[str], None] = lambda _m: None) -> None:
    if not CalendarYear.objects.filter(source=CalendarYear.Source.SHIPPED).exists():
        report = calendar_import_csv(
            data=SHIPPED_CSV.read_bytes(),
            actor=None,
            source_name=SHIPPED_CSV.name,
            source=CalendarYear.Source.SHIPPED,
        )
        CalendarYear.objects.filter(year__in=[2023, 2024, 2025, 2026]).update(reviewed=True)
        say(
            f"Calendar {report.years[0]}–{report.years[-1]}: {report.created} exceptions (shipped data)"
        )
    last = max(CalendarYear.objects.values_list("year", flat=True))
    for year in range(last + 1, timezone.localdate().year + PACKAGE_YEARS_AHEAD + 1):
        n = calendar_year_from_package(year=year, actor=None)
        say(f"Calendar {year}: {n} exceptions from the holidays package (not yet checked)")


def seed_grounds_clocks() -> None:
    """Rules §6: the demo shows each state body's clock for the current year as well (the
    daily check opens the year just ended, sbsh.decisions.grounds_year_clocks_open)."""
    today = timezone.localdate()
    for body in Organisation.objects.filter(kind=Organisation.Kind.STATE_BODY, is_active=True):
        deadline_open(
            subject=body,
            stage=Stage.GROUNDS,
            organisation=body,
            start_date=today,
            actor=None,
            subject_label=f"{body.short_name or body.name_ru}: {today.year}",
        )
