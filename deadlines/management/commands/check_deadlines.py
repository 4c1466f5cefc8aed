"""Run the daily deadline check now (the same service Celery beat runs every morning)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from deadlines.tasks import deadlines_check


class Command(BaseCommand):
    help = "Mark deadlines due soon or overdue and notify the people responsible (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, help="Check as of this date (YYYY-MM-DD)."
        )

    def handle(self, *args: Any, today: dt.date | None, **options: Any) -> None:
        report = deadlines_check(today=today)
        self.stdout.write(
            f"checked {report.checked}: {report.due_soon} newly due soon, {report.overdue} newly overdue; "
            f"{report.notifications} notifications, {report.emails} e-mails; "
            f"{report.opened} yearly §6 clocks opened"
        )
