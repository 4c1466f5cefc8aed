"""Tables 1–3 of a version out to and back from an XLSX workbook (sbsh/document/workbook.py).

    python manage.py sqf_tables export VERSION_ID --output FILE.xlsx
    python manage.py sqf_tables import VERSION_ID FILE.xlsx [--dry-run] --actor USERNAME

The import is all-or-nothing and runs as USERNAME, who must be allowed to edit the
version (the same check as the editor); every problem is printed with its sheet, row and
column, and the command exits with status 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from councils.models import User
from sbsh import access as sqf_access
from sbsh.document import services_tables, workbook, workbook_export, workbook_reader
from sbsh.models import Version


class Command(BaseCommand):
    help = "Export Tables 1–3 of an SQF version to XLSX, or import a filled workbook."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the workbook")
        export.add_argument("version", type=int)
        export.add_argument("--output", required=True, help="the .xlsx file to write")
        export.add_argument("--language", default="kk", choices=["kk", "ru", "en"])
        imp = sub.add_parser("import", help="read a filled workbook back (all or nothing)")
        imp.add_argument("version", type=int)
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true", help="report, write nothing")
        imp.add_argument("--actor", required=True, help="user name of the person importing")
        imp.add_argument("--language", default="kk", choices=["kk", "ru", "en"])

    def handle(self, *args: Any, **options: Any) -> None:
        version = (
            Version.objects.select_related("framework__state_body")
            .filter(pk=options["version"])
            .first()
        )
        if version is None:
            raise CommandError(f"No SQF version {options['version']}.")
        with translation.override(options["language"]):
            if options["action"] == "export":
                data = workbook_export.export_workbook(version)
                Path(options["output"]).write_bytes(data)
                self.stdout.write(
                    f"{options['output']}: {version.table1_rows.count()} Table 1 rows, "
                    f"{version.table3_rows.count()} Table 3 rows ({len(data)} bytes)"
                )
                return
            self._import(version, options)

    def _import(self, version: Version, options: dict[str, Any]) -> None:
        actor = User.objects.filter(username=options["actor"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {options['actor']!r}.")
        if not sqf_access.can_edit_version(actor, version):
            raise CommandError(
                f"{actor.username} may not edit version {version.pk} "
                f"(status {version.status}); nothing was read."
            )
        path = Path(options["file"])
        if path.stat().st_size > workbook.MAX_BYTES:
            raise CommandError(
                f"{path}: {path.stat().st_size} bytes; at most {workbook.MAX_BYTES} are accepted."
            )
        try:
            plan = services_tables.tables_import(
                actor=actor,
                version=version,
                data=path.read_bytes(),
                name=path.name,
                dry_run=options["dry_run"],
            )
        except workbook_reader.WorkbookRejected as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            if exc.total > len(exc.problems):
                self.stderr.write(f"… and {exc.total - len(exc.problems)} more")
            raise CommandError(f"{path.name}: refused, nothing was written.") from None
        for change in plan.changes:
            where = f"row {change.row}" if change.row else f"id {change.row_id}"
            self.stdout.write(f"{change.table} {change.kind} ({where}): {change.summary}")
            for column, before, after in change.cells:
                self.stdout.write(f"    {column}: {before!r} → {after!r}")
        counts = plan.counts()
        verb = "would change" if options["dry_run"] else "changed"
        if plan.empty:
            self.stdout.write("The workbook matches the version: nothing to write.")
        else:
            self.stdout.write(
                f"{verb}: Table 1 +{counts['table1']['added']} ~{counts['table1']['changed']} "
                f"-{counts['table1']['removed']}; Table 3 +{counts['table3']['added']} "
                f"~{counts['table3']['changed']} -{counts['table3']['removed']}"
            )
