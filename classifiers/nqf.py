"""NQF level descriptors (Rules §8: levels are matched using the NQF), loaded from a CSV."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from classifiers.files import csv_rows
from classifiers.rows import ImportRejected, Problem
from classifiers.text import clean, clean_multiline
from config.spreadsheet import csv_unsafe
from councils.models import User
from councils.services import audit_record

NQF_COLUMNS = ("level", "descriptor", "text_kk", "text_ru", "source", "source_date")


def nqf_import_csv(
    *, data: bytes, actor: User | None, source_name: str = "nqf.csv", dry_run: bool = False
) -> int:
    """Load the national framework's descriptors from a CSV (docs/classifiers.md): one
    row per level (1–8) and descriptor (knowledge, skills, competences) with its Kazakh
    and Russian text, the source document and its date. All rows or none; the file
    replaces every descriptor loaded before. Returns the number of rows."""
    from classifiers.models import NqfDescriptor

    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ImportRejected([Problem(source_name, None, None, _("The file is too large."))])
    rows = csv_rows(source_name, data)
    first = next(rows, None)
    header = [clean(h).lower() for h in first[1]] if first else []
    missing = [c for c in NQF_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [
                Problem(
                    source_name,
                    1,
                    None,
                    _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)},
                )
            ]
        )
    kinds = set(NqfDescriptor.Kind.values)
    problems: list[Problem] = []
    parsed: dict[tuple[int, str], NqfDescriptor] = {}
    for line, values in rows:
        cells = dict(zip(header, values, strict=False))
        level_text = clean(cells.get("level", ""))
        kind = clean(cells.get("descriptor", "")).lower()
        kk = clean_multiline(csv_unsafe(cells.get("text_kk", "")))
        ru = clean_multiline(csv_unsafe(cells.get("text_ru", "")))
        source = clean(csv_unsafe(cells.get("source", "")))[:500]
        date_text = clean(cells.get("source_date", ""))
        if not level_text.isdigit() or not 1 <= int(level_text) <= 8:
            problems.append(Problem(source_name, line, "level", _("The NQF level must be 1 to 8.")))
            continue
        if kind not in kinds:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "descriptor",
                    _("‘%(value)s’ is not one of: %(values)s.")
                    % {"value": kind[:40], "values": ", ".join(sorted(kinds))},
                )
            )
            continue
        try:
            source_date = dt.date.fromisoformat(date_text)
        except ValueError:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "source_date",
                    _("‘%(value)s’ is not a date (use YYYY-MM-DD).") % {"value": date_text[:20]},
                )
            )
            continue
        for column, value in (("text_kk", kk), ("text_ru", ru), ("source", source)):
            if not value:
                problems.append(
                    Problem(source_name, line, column, _("This cell is empty; fill it in."))
                )
        key = (int(level_text), kind)
        if key in parsed:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "descriptor",
                    _("Level %(level)s, %(kind)s appears twice.") % {"level": key[0], "kind": kind},
                )
            )
        parsed[key] = NqfDescriptor(
            level=key[0], kind=kind, text_kk=kk, text_ru=ru, source=source, source_date=source_date
        )
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected(
            [Problem(source_name, None, None, _("The file has a header but no data rows."))]
        )
    if dry_run:
        return len(parsed)
    with transaction.atomic():
        removed = NqfDescriptor.objects.count()
        NqfDescriptor.objects.all().delete()
        NqfDescriptor.objects.bulk_create(parsed.values())
        first_row = NqfDescriptor.objects.order_by("level", "kind").first()
        audit_record(
            actor=actor,
            action="classifier.nqf.import",
            obj=first_row,
            changes={"source": source_name, "rows": len(parsed), "replaced": removed},
        )
    return len(parsed)
