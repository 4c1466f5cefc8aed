"""Working-day arithmetic (deadlines/calendar.py), without a database, on the shipped data."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deadlines.calendar import WorkCalendar

DATA = (
    Path(__file__).resolve().parents[2]
    / "deadlines"
    / "data"
    / "kz_calendar_exceptions_2023_2027.csv"
)
ROWS = list(csv.DictReader(DATA.open(encoding="utf-8")))
D = dt.date.fromisoformat


def shipped_calendar() -> WorkCalendar:
    rows = [(D(r["date"]), r["status"] == "working") for r in ROWS if r["status"] != "disputed"]
    return WorkCalendar.from_exceptions(rows, covered_years=range(2023, 2028), fallback=None)


CAL = shipped_calendar()


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # Saturday 2024-05-04 worked (decree G24G0000109); 7 May holiday; 8 May the transferred day off; 9 May Victory Day.
        ("2024-05-03", 5, "2024-05-14"),
        ("2024-05-03", 1, "2024-05-04"),
        ("2024-05-06", 1, "2024-05-10"),
        # The event's own day is never counted, even on a weekend.
        ("2024-05-05", 1, "2024-05-06"),
        # New Year 2025: 3 January off by transfer, Sunday 5 January worked, 7 January Orthodox Christmas.
        ("2024-12-31", 1, "2025-01-05"),
        ("2024-12-31", 2, "2025-01-06"),
        ("2024-12-31", 3, "2025-01-08"),
        # 2023: Saturday 1 July worked, 6 July Capital Day, 7 July the transferred day off.
        ("2023-06-30", 1, "2023-07-01"),
        ("2023-07-05", 1, "2023-07-10"),
        # Nauryz 21–23 March 2026 (Sat–Mon) with 24 and 25 March carried over.
        ("2026-03-20", 1, "2026-03-26"),
        # Rules §12: 5 working days after receipt on a Thursday before Nauryz 2025 (21–25 March off).
        ("2025-03-20", 5, "2025-04-01"),
        # Rules §8: 60 working days after a decision on 2025-01-02.
        ("2025-01-02", 60, "2025-04-03"),
        # Kurban Ait 2026 (27 May, Wednesday) without carry-over.
        ("2026-05-26", 1, "2026-05-28"),
        # Independence Day 16 December 2025 (Tuesday).
        ("2025-12-15", 1, "2025-12-17"),
    ],
)
def test_add_working_days_around_holidays_and_transfers(start: str, n: int, due: str) -> None:
    assert CAL.add_working_days(D(start), n) == D(due)
    assert CAL.working_days_between(D(start), D(due)) == n


@pytest.mark.parametrize(
    "row",
    [r for r in ROWS if r["date"] < "2027" and r["status"] != "disputed"],
    ids=lambda r: f"{r['date']}-{r['kind']}",
)
def test_every_exception_of_2023_to_2026_is_applied(row: dict[str, str]) -> None:
    day = D(row["date"])
    working = row["status"] == "working"
    assert CAL.is_working_day(day) is working
    # The day before never lands on a non-working exception.
    landed = CAL.add_working_days(day - dt.timedelta(days=1), 1)
    assert (landed == day) is working
    assert CAL.is_working_day(landed)


def test_the_disputed_2026_constitution_day_is_not_applied() -> None:
    assert CAL.is_working_day(D("2026-08-31"))


@pytest.mark.parametrize(
    ("year", "expected"), [(2023, 246), (2024, 249), (2025, 246), (2026, 247), (2027, 247)]
)
def test_working_days_per_year_match_the_published_totals(year: int, expected: int) -> None:
    assert CAL.working_days_in_year(year) == expected


@pytest.mark.parametrize(
    ("year", "deadline"),
    [
        (2022, "2023-03-31"),
        (2023, "2024-04-01"),
        (2024, "2025-03-31"),
        (2025, "2026-03-31"),
        (2026, "2027-03-31"),
    ],
)
def test_rules_6_deadline_is_31_march_or_the_next_working_day(year: int, deadline: str) -> None:
    # 31 March 2024 is a Sunday → Monday 1 April.
    assert CAL.grounds_deadline(year) == D(deadline)


def test_years_without_data_fall_back_to_the_holidays_package() -> None:
    default = WorkCalendar()
    assert not default.is_working_day(D("2030-01-01"))
    assert not default.is_working_day(D("2030-03-21"))
    assert default.is_working_day(D("2030-03-26"))


def test_n_must_be_positive() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(D("2025-01-01"), 0)


dates = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 10, 31))


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=80))
def test_add_working_days_always_lands_on_a_working_day(start: dt.date, n: int) -> None:
    assert CAL.is_working_day(CAL.add_working_days(start, n))


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=79))
def test_add_working_days_is_strictly_monotonic_in_n(start: dt.date, n: int) -> None:
    assert CAL.add_working_days(start, n) < CAL.add_working_days(start, n + 1)


@settings(max_examples=300, deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=80))
def test_add_and_between_agree(start: dt.date, n: int) -> None:
    due = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, due) == n
    assert CAL.working_days_between(start, due - dt.timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(a=dates, b=dates)
def test_between_is_antisymmetric(a: dt.date, b: dt.date) -> None:
    assert CAL.working_days_between(a, b) == -CAL.working_days_between(b, a)
