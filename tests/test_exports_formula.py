"""Every CSV the app writes: text that a spreadsheet would run as a formula is written
inert, and comes back unchanged when the file is imported again (ASVS 1.2.10)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from config.spreadsheet import TRIGGERS, csv_safe, csv_unsafe

pytestmark = pytest.mark.django_db
PAYLOADS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _inert(cells: list[str]) -> None:
    assert not [c for c in cells if c.startswith(TRIGGERS)], cells


@pytest.mark.parametrize("text", [*PAYLOADS, "ordinary", "'quoted", ""])
def test_safe_then_unsafe_is_the_identity(text) -> None:
    assert not csv_safe(text).startswith(TRIGGERS)
    assert csv_unsafe(csv_safe(text)) == text


def test_the_calendar_export_is_inert_and_round_trips(personas) -> None:
    from deadlines.calendar_data import calendar_import_csv, export_calendar_csv
    from deadlines.models import CalendarException

    for i, payload in enumerate(PAYLOADS):
        CalendarException.objects.create(
            date=dt.date(2031, 1, 10 + i),
            kind=CalendarException.Kind.HOLIDAY,
            name_kk=payload,
            name_ru=payload,
            name_en=payload,
            note=payload,
        )
    exported = export_calendar_csv(2031)
    _inert(_cells(exported))
    CalendarException.objects.filter(date__year=2031).delete()
    calendar_import_csv(data=exported.encode(), actor=personas.admin, source_name="c.csv")
    names = sorted(
        CalendarException.objects.filter(date__year=2031).values_list("name_ru", flat=True)
    )
    # The importer folds whitespace (a leading tab or CR) as it does in every name.
    assert names == sorted(" ".join(p.split()) for p in PAYLOADS)


def test_the_crosswalk_export_is_inert(personas) -> None:
    from classifiers.crosswalk import crosswalk_export_csv, crosswalk_seed_equal_codes
    from classifiers.models import CrosswalkLink
    from classifiers.services import classifier_import
    from tests.classifiers.conftest import canonical_csv
    from tests.sbsh.conftest import ISCO, NKZ, OKED  # noqa: F401 — the small classifiers

    for classifier, rows in (("nkz", NKZ), ("isco08", ISCO)):
        classifier_import(
            classifier=classifier, source_name="x.csv", data=canonical_csv(rows), actor=None
        )
    crosswalk_seed_equal_codes(actor=None)
    CrosswalkLink.objects.update(note=PAYLOADS[0])
    cells = _cells(crosswalk_export_csv())
    _inert(cells)
    assert "'" + PAYLOADS[0] in cells
