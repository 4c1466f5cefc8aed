"""Writes for the calendar data the administrators keep: public holidays, days off carried
over or transferred, working weekends (CSV import and export, the `holidays` package's
default, single edits). A change recomputes the due dates of the active deadlines."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from classifiers.files import csv_rows
from classifiers.rows import ImportRejected, Problem
from classifiers.text import clean
from config.spreadsheet import csv_safe, csv_unsafe
from councils.models import User
from councils.services import audit_record
from deadlines.calendar import package_year
from deadlines.models import CalendarException, CalendarYear
from deadlines.services import deadlines_recompute

# Kinds of the shipped file (kz_calendar_exceptions_2023_2027.csv) → ours.
SHIPPED_KINDS = {
    "holiday": CalendarException.Kind.HOLIDAY,
    "religious_holiday_no_carryover": CalendarException.Kind.HOLIDAY,
    "holiday_weekend_moved": CalendarException.Kind.CARRIED_OVER,
    "transfer_day_off": CalendarException.Kind.TRANSFERRED,
    "working_weekend_day": CalendarException.Kind.WORKING_WEEKEND,
}

KIND_VALUES = set(CalendarException.Kind.values) | set(SHIPPED_KINDS)


@dataclass
class CalendarImportReport:
    years: list[int]
    created: int
    updated: int
    removed: int
    recomputed: int
    dry_run: bool


def calendar_import_csv(
    *,
    data: bytes,
    actor: User | None,
    source_name: str = "calendar.csv",
    source: str = CalendarYear.Source.MANUAL,
    dry_run: bool = False,
) -> CalendarImportReport:
    """Replace the exceptions of every year the file covers; all rows or none.

    Columns: `date, kind, name_kk, name_ru, name_en` and optionally `status`
    (confirmed/disputed; the shipped file's `non_working`/`working` mean confirmed),
    `legal_basis` and `note`. The shipped file's kinds are accepted as they are.
    """
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise ImportRejected([Problem(source_name, None, None, _("The file is too large."))])
    rows = csv_rows(source_name, data)
    first = next(rows, None)
    header = [clean(h) for h in first[1]] if first else []
    missing = [c for c in ("date", "kind") if c not in header]
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
    problems: list[Problem] = []
    parsed: dict[dt.date, dict[str, Any]] = {}
    for line, values in rows:
        cells = {h: clean(v) for h, v in zip(header, values, strict=False)}
        try:
            day = dt.date.fromisoformat(cells.get("date", ""))
        except ValueError:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "date",
                    _("‘%(value)s’ is not a date (use YYYY-MM-DD).")
                    % {"value": cells.get("date", "")[:20]},
                )
            )
            continue
        kind = cells.get("kind", "")
        if kind not in KIND_VALUES:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "kind",
                    _("‘%(value)s’ is not one of: %(values)s.")
                    % {"value": kind, "values": ", ".join(CalendarException.Kind.values)},
                )
            )
            continue
        kind = SHIPPED_KINDS.get(kind, kind)
        status = cells.get("status", "") or "confirmed"
        status = {"non_working": "confirmed", "working": "confirmed"}.get(status, status)
        if status not in CalendarException.Status.values:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "status",
                    _("‘%(value)s’ is not one of: %(values)s.")
                    % {"value": status, "values": "confirmed, disputed"},
                )
            )
            continue
        is_weekend = day.weekday() >= 5
        if kind == CalendarException.Kind.WORKING_WEEKEND and not is_weekend:
            problems.append(
                Problem(
                    source_name,
                    line,
                    "kind",
                    _("%(date)s is a weekday: only a Saturday or Sunday can be made a working day.")
                    % {"date": day},
                )
            )
        if (
            kind in (CalendarException.Kind.CARRIED_OVER, CalendarException.Kind.TRANSFERRED)
            and is_weekend
        ):
            problems.append(
                Problem(
                    source_name,
                    line,
                    "kind",
                    _(
                        "%(date)s is a weekend day: a day off is carried over or transferred to a weekday."
                    )
                    % {"date": day},
                )
            )
        if day in parsed:
            problems.append(
                Problem(
                    source_name, line, "date", _("The date %(date)s appears twice.") % {"date": day}
                )
            )
        parsed[day] = {
            "kind": kind,
            "status": status,
            "name_kk": csv_unsafe(cells.get("name_kk", ""))[:200],
            "name_ru": csv_unsafe(cells.get("name_ru", ""))[:200],
            "name_en": csv_unsafe(cells.get("name_en", ""))[:200],
            "legal_basis": csv_unsafe(cells.get("legal_basis", "") or cells.get("note", ""))[:300]
            if kind in (CalendarException.Kind.TRANSFERRED, CalendarException.Kind.WORKING_WEEKEND)
            else csv_unsafe(cells.get("legal_basis", ""))[:300],
            "note": csv_unsafe(cells.get("note", "")),
        }
    if problems:
        raise ImportRejected(problems)
    if not parsed:
        raise ImportRejected(
            [Problem(source_name, None, None, _("The file has a header but no data rows."))]
        )
    years = sorted({d.year for d in parsed})
    existing = {e.date: e for e in CalendarException.objects.filter(date__year__in=years)}
    created = sum(1 for d in parsed if d not in existing)
    updated = sum(
        1
        for d, v in parsed.items()
        if d in existing and any(getattr(existing[d], k) != v[k] for k in v)
    )
    removed = sum(1 for d in existing if d not in parsed)
    report = CalendarImportReport(years, created, updated, removed, 0, dry_run)
    if dry_run:
        return report
    with transaction.atomic():
        CalendarException.objects.filter(date__year__in=years).exclude(
            date__in=list(parsed)
        ).delete()
        for day, values in parsed.items():
            CalendarException.objects.update_or_create(date=day, defaults=values)
        for year in years:
            CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
        audit_record(
            actor=actor,
            action="calendar.import",
            obj=CalendarYear.objects.get(year=years[0]),
            changes={
                "years": years,
                "created": created,
                "updated": updated,
                "removed": removed,
                "source": source_name,
            },
        )
        report.recomputed = deadlines_recompute(actor=actor)
    return report


@transaction.atomic
def calendar_year_from_package(*, year: int, actor: User | None) -> int:
    """Store the `holidays` package's view of `year` so administrators can edit it."""
    if CalendarYear.objects.filter(year=year).exists():
        return 0
    import holidays

    names = {
        lang: holidays.country_holidays("KZ", years=year, language=lang) for lang in ("kk", "en_US")
    }
    exceptions = package_year(year)
    rows = []
    for day in sorted(exceptions.non_working):
        kk, en = names["kk"].get(day, ""), names["en_US"].get(day, "")
        kind = CalendarException.Kind.HOLIDAY
        if "observed" in en.lower() or "қайта белгіленген" in kk:
            kind = CalendarException.Kind.CARRIED_OVER
        elif "substituted" in en.lower():
            kind = CalendarException.Kind.TRANSFERRED
        rows.append(
            CalendarException(
                date=day,
                kind=kind,
                name_kk=kk[:200],
                name_en=en[:200],
                note="holidays package default",
            )
        )
    for day in sorted(exceptions.working):
        rows.append(
            CalendarException(
                date=day,
                kind=CalendarException.Kind.WORKING_WEEKEND,
                name_en="Working day (transfer)",
                note="holidays package default",
            )
        )
    CalendarException.objects.bulk_create(rows, ignore_conflicts=True)
    cy = CalendarYear.objects.create(year=year, source=CalendarYear.Source.PACKAGE)
    audit_record(
        actor=actor, action="calendar.year_from_package", obj=cy, changes={"exceptions": len(rows)}
    )
    return len(rows)


@transaction.atomic
def calendar_exception_save(*, actor: User, exception: CalendarException) -> CalendarException:
    creating = exception.pk is None
    before = (
        None
        if creating
        else CalendarException.objects.filter(pk=exception.pk)
        .values("date", "kind", "status")
        .first()
    )
    exception.full_clean()
    exception.save()
    CalendarYear.objects.get_or_create(
        year=exception.date.year, defaults={"source": CalendarYear.Source.MANUAL}
    )
    audit_record(
        actor=actor,
        action="calendar.exception." + ("create" if creating else "update"),
        obj=exception,
        changes={
            "before": _jsonable(before),
            "date": str(exception.date),
            "kind": exception.kind,
            "status": exception.status,
        },
    )
    deadlines_recompute(actor=actor)
    return exception


@transaction.atomic
def calendar_exception_delete(*, actor: User, exception: CalendarException) -> None:
    audit_record(
        actor=actor,
        action="calendar.exception.delete",
        obj=exception,
        changes={"date": str(exception.date), "kind": exception.kind},
    )
    exception.delete()
    deadlines_recompute(actor=actor)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export_calendar_csv(year: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["date", "kind", "status", "name_kk", "name_ru", "name_en", "legal_basis", "note"]
    )
    for e in CalendarException.objects.filter(date__year=year).order_by("date"):
        writer.writerow(
            [
                e.date.isoformat(),
                e.kind,
                e.status,
                csv_safe(e.name_kk),
                csv_safe(e.name_ru),
                csv_safe(e.name_en),
                csv_safe(e.legal_basis),
                csv_safe(e.note),
            ]
        )
    return out.getvalue()
