"""python manage.py crosswalk {seed | export PATH | import PATH [--dry-run]}"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifiers.crosswalk import (
    crosswalk_export_csv,
    crosswalk_import_csv,
    crosswalk_seed_equal_codes,
)
from classifiers.rows import ImportRejected


class Command(BaseCommand):
    help = "Seed, export or import the ISCO-08 ↔ NKZ unit-group crosswalk."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="Link equal unit-group codes, marked unverified.")
        export = sub.add_parser("export")
        export.add_argument("path", type=Path)
        load = sub.add_parser("import")
        load.add_argument("path", type=Path)
        load.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "seed":
            self.stdout.write(
                f"{crosswalk_seed_equal_codes(actor=None)} links created (unverified)."
            )
        elif action == "export":
            options["path"].write_text(crosswalk_export_csv(), encoding="utf-8")
            self.stdout.write(f"written to {options['path']}")
        else:
            try:
                report = crosswalk_import_csv(
                    data=options["path"].read_bytes(),
                    actor=None,
                    source_name=options["path"].name,
                    dry_run=options["dry_run"],
                )
            except ImportRejected as exc:
                for problem in exc.problems:
                    self.stderr.write(str(problem))
                raise CommandError("rejected, nothing was written") from None
            self.stdout.write(
                f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
                + (" (dry run)" if report.dry_run else "")
            )
