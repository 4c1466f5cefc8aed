"""Working-day arithmetic for Kazakhstan's 5-day week. No ORM here.

A day is a working day when it is Monday–Friday and not a non-working exception
(holiday, holiday carried over from a weekend, day off moved by a Government transfer
decree), or when it is a Saturday/Sunday made working by such a decree.

The default counting convention (Rules, "Counting deadlines"): a period of N working days
"after the day of" an event ends at the close of the N-th working day **after** the date
of the event; the event's own day is never counted, whatever weekday it is. Rules §8,
§11, §12 and §14 say so in words ("…күннен кейін"). Which convention each clock uses is
decided per clock in `deadlines/rules.py` (`Clock.count_event_day`), not here: §13's
re-review, worded "from the day of receipt", can be read differently without moving the
others.

The §6 deadline is a calendar date: 31 March of the year after the year analysed, moved
to the next working day when it is not one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class YearExceptions:
    non_working: frozenset[dt.date]
    working: frozenset[dt.date]


YearSource = Callable[[int], YearExceptions]


def package_year(year: int) -> YearExceptions:
    """Kazakhstan's calendar for `year` by the `holidays` package (holidays, weekend
    carry-overs, and the transfer decrees it knows). The default for years that the
    administrators have not loaded or reviewed."""
    import holidays

    calendar = holidays.country_holidays("KZ", years=year)
    non_working = frozenset(d for d in calendar if d.year == year)
    # The package accumulates weekend workdays across years: keep this year's only.
    working = frozenset(d for d in getattr(calendar, "weekend_workdays", set()) if d.year == year)
    return YearExceptions(non_working=non_working, working=working)


@dataclass
class WorkCalendar:
    """Working days from stored exceptions (per year) with a default for other years.

    `years` holds the exceptions of every year the administrators keep; a year not in it
    is asked of `fallback` (by default the `holidays` package) once and remembered.
    """

    years: dict[int, YearExceptions] = field(default_factory=dict)
    fallback: YearSource | None = package_year

    @classmethod
    def from_exceptions(
        cls,
        rows: Iterable[tuple[dt.date, bool]],
        covered_years: Iterable[int],
        fallback: YearSource | None = package_year,
    ) -> WorkCalendar:
        """`rows` are (date, is_working) exceptions; `covered_years` the years they define."""
        non_working: dict[int, set[dt.date]] = {y: set() for y in covered_years}
        working: dict[int, set[dt.date]] = {y: set() for y in non_working}
        for day, is_working in rows:
            if day.year not in non_working:
                continue
            (working if is_working else non_working)[day.year].add(day)
        years = {
            y: YearExceptions(frozenset(non_working[y]), frozenset(working[y])) for y in non_working
        }
        return cls(years=years, fallback=fallback)

    def _year(self, year: int) -> YearExceptions:
        found = self.years.get(year)
        if found is None:
            found = (
                self.fallback(year) if self.fallback else YearExceptions(frozenset(), frozenset())
            )
            self.years[year] = found
        return found

    def is_working_day(self, day: dt.date) -> bool:
        year = self._year(day.year)
        if day in year.working:
            return True
        if day in year.non_working:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int, *, count_event_day: bool = False) -> dt.date:
        """The N-th working day after `start` (the day of the event is not counted).

        With `count_event_day`, `start` itself is the first day when it is a working day
        (a period "from the day of" the event, read inclusively)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day = start
        if count_event_day and self.is_working_day(start):
            n -= 1
            if n == 0:
                return start
        while n:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d <= b; negative when b is before a.

        So `working_days_between(x, add_working_days(x, n)) == n`.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count, day = 0, a
        while day < b:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself if it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def grounds_deadline(self, year_analysed: int) -> dt.date:
        """Rules §6: proposals and analysis reach the council by the end of the first
        quarter of the year after the year analysed (31 March), moved to the next
        working day if 31 March is not one."""
        return self.next_working_day(dt.date(year_analysed + 1, 3, 31))

    def working_days_in_year(self, year: int) -> int:
        start = dt.date(year, 1, 1)
        return self.working_days_between(start - ONE_DAY, dt.date(year, 12, 31))
