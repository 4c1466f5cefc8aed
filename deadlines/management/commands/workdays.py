"""Working-day arithmetic on the stored calendar.

python manage.py workdays add 2024-05-03 5        → 2024-05-14
python manage.py workdays between 2024-05-03 2024-05-14   → 5
python manage.py workdays grounds 2026            → the Rules §6 deadline for 2026
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from deadlines.services import work_calendar


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date in the form YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Add working days to a date, count working days between dates, or give the §6 deadline."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add", help="The N-th working day after DATE (DATE itself not counted)."
        )
        add.add_argument("date")
        add.add_argument("n", type=int)
        between = sub.add_parser("between", help="Working days d with A < d <= B.")
        between.add_argument("a")
        between.add_argument("b")
        grounds = sub.add_parser(
            "grounds", help="Rules §6: 31 March after the year analysed, or the next working day."
        )
        grounds.add_argument("year", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        calendar = work_calendar()
        if action == "add":
            if options["n"] < 1:
                raise CommandError("N must be at least 1")
            self.stdout.write(
                calendar.add_working_days(_date(options["date"]), options["n"]).isoformat()
            )
        elif action == "between":
            self.stdout.write(
                str(calendar.working_days_between(_date(options["a"]), _date(options["b"])))
            )
        else:
            self.stdout.write(calendar.grounds_deadline(options["year"]).isoformat())
