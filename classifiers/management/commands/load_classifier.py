"""python manage.py load_classifier {nkz,oked,isco08,nqf} PATH [--edition NAME] [--dry-run]
python manage.py load_classifier isco08-names PATH --source TEXT [--dry-run]

`nqf` loads the national framework's level descriptors (docs/classifiers.md);
`isco08-names` the Kazakh and Russian names of ISCO-08 groups (Table 3, column 4)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classifiers.models import Classifier, Edition
from classifiers.rows import ImportRejected
from classifiers.services import classifier_import
from classifiers.signals import edition_loaded


class Command(BaseCommand):
    help = "Load a classifier file (as published, or in the canonical layout) as a new edition."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("classifier", choices=[*Classifier.values, "nqf", "isco08-names"])
        parser.add_argument("path", type=Path)
        parser.add_argument("--edition", help="Edition name (default: file name and today's date).")
        parser.add_argument("--effective-date", type=dt.date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and compare; write nothing."
        )
        parser.add_argument(
            "--source",
            default="",
            help="isco08-names: where the Kazakh and Russian names come from (kept on the edition).",
        )

    def handle(
        self,
        *args: Any,
        classifier: str,
        path: Path,
        edition: str | None,
        effective_date: dt.date | None,
        dry_run: bool,
        **options: Any,
    ) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if classifier == "nqf":
            self._nqf(path, dry_run)
            return
        if classifier == "isco08-names":
            self._names(path, options.get("source", ""), dry_run)
            return
        tty = sys.stderr.isatty()

        def progress(stage: str, done: int, total: int) -> None:
            if options["verbosity"] < 1:
                return
            text = f"{stage}: {done}/{total}" if total else f"{stage}: {done}"
            if tty:
                self.stderr.write(f"\r{text:<60}", ending="")
            elif total and done == total:
                self.stderr.write(text)

        try:
            report = classifier_import(
                classifier=classifier,
                source_name=path.name,
                data=path.read_bytes(),
                actor=None,
                edition_name=edition,
                effective_date=effective_date,
                dry_run=dry_run,
                progress=progress,
            )
        except ImportRejected as exc:
            if tty:
                self.stderr.write("")
            for problem in exc.problems:
                self.stderr.write(str(problem))
            if exc.total > len(exc.problems):
                self.stderr.write(f"… and {exc.total - len(exc.problems)} more problems")
            raise CommandError(
                f"{path.name}: rejected, nothing was written ({exc.total} problems)."
            ) from None
        if tty:
            self.stderr.write("")
        diff = report.diff
        verb = "would load" if dry_run else "loaded"
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name} ({report.source_format}): {verb} {sum(report.counts.values())} rows"
                + ("" if dry_run else f" as edition ‘{report.edition.name}’")
            )
        )
        self.stdout.write(
            "  rows per level: " + ", ".join(f"{k}: {v}" for k, v in report.counts.items())
        )
        if diff.get("previous"):
            self.stdout.write(
                f"  compared with ‘{diff['previous']}’: {diff['added']} added, "
                f"{diff['removed']} removed, {diff['renamed']} renamed"
            )
            for label, key in (("added", "added_codes"), ("removed", "removed_codes")):
                if diff[key]:
                    self.stdout.write(
                        f"  {label}: {', '.join(diff[key][:20])}{' …' if diff[label] > 20 else ''}"
                    )
            for item in diff["renamed_codes"][:20]:
                self.stdout.write(f"  renamed {item['code']}: {item['before']} → {item['after']}")
        if report.edition is not None:
            # Rules §15.2: the SQF versions citing a code this edition removes or renames,
            # their owners told (answered by sbsh, sbsh/receivers.py).
            for _receiver, lines in edition_loaded.send(
                sender=Edition, edition=report.edition, as_lines=True
            ):
                for line in lines:
                    self.stdout.write(line)
        if report.crosswalk_carried or report.crosswalk_dropped:
            self.stdout.write(
                f"  crosswalk: {report.crosswalk_carried} links carried over, "
                f"{len(report.crosswalk_dropped)} dropped ({', '.join(report.crosswalk_dropped[:20])})"
            )

    def _rejected(self, path: Path, exc: ImportRejected) -> CommandError:
        """Every problem on standard error; the error that ends the command."""
        for problem in exc.problems:
            self.stderr.write(str(problem))
        return CommandError(f"{path.name}: rejected, nothing was written ({exc.total} problems).")

    def _nqf(self, path: Path, dry_run: bool) -> None:
        from classifiers.nqf import nqf_import_csv

        try:
            n = nqf_import_csv(
                data=path.read_bytes(), actor=None, source_name=path.name, dry_run=dry_run
            )
        except ImportRejected as exc:
            raise self._rejected(path, exc) from None
        verb = "would load" if dry_run else "loaded"
        self.stdout.write(self.style.SUCCESS(f"{path.name}: {verb} {n} NQF descriptors"))

    def _names(self, path: Path, source: str, dry_run: bool) -> None:
        """Kazakh and Russian names of ISCO-08 groups (Annex §11, Table 3 column 4)."""
        from classifiers.names import isco_names_load

        try:
            report = isco_names_load(
                data=path.read_bytes(),
                source_name=path.name,
                source=source,
                actor=None,
                dry_run=dry_run,
            )
        except ImportRejected as exc:
            raise self._rejected(path, exc) from None
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {verb} the names of {report.changed} ISCO-08 groups "
                f"({report.unchanged} unchanged) in ‘{report.edition.name}’; source: {report.source}"
            )
        )
