"""Write docs/rules-coverage.md: for each clause of the Rules and the Annex, where the code
implements it and which tests exercise it, with the interpretations and local policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sbsh.rules_coverage import DEFAULT, page


class Command(BaseCommand):
    help = "Generate docs/rules-coverage.md from the Rules §N citations in code and tests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=DEFAULT)
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file is out of date; write nothing."
        )

    def handle(self, *args: Any, output: Path, check: bool, **options: Any) -> None:
        text = page()
        if check:
            current = output.read_text(encoding="utf-8") if output.exists() else ""
            if current != text:
                raise CommandError(
                    f"{output} is out of date: run `python manage.py rules_coverage`."
                )
            self.stdout.write(f"{output} is current.")
            return
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {output}")
