"""Reloading makes a new edition, reports the difference and leaves citations intact."""

from __future__ import annotations

import pytest

from classifiers.crosswalk import crosswalk_export_csv, crosswalk_import_csv
from classifiers.models import CrosswalkLink, Edition, Node
from classifiers.rows import ImportRejected
from classifiers.services import classifier_import
from councils.models import AuditEvent
from tests.classifiers.conftest import SMALL_NKZ, canonical_csv

pytestmark = pytest.mark.django_db

SMALL_ISCO = [
    ("2", "", "1", "", "", "Professionals"),
    ("25", "2", "2", "", "", "ICT Professionals"),
    ("251", "25", "3", "", "", "Software Developers and Analysts"),
    ("2512", "251", "4", "", "", "Software Developers"),
]


def _v2() -> bytes:
    rows = [r for r in SMALL_NKZ if r[0] != "2512-1-001"]  # removed
    rows[4] = (
        "2512-1",
        "2512",
        "5",
        "ӘЗІРЛЕУШІЛЕР",
        "РАЗРАБОТЧИКИ И ТЕСТИРОВЩИКИ ПО",
        "",
    )  # renamed
    rows.append(
        ("2512-1-002", "2512-1", "6", "ИНЖЕНЕР-БАҒДАРЛАМАШЫ", "ИНЖЕНЕР-ПРОГРАММИСТ", "")
    )  # added
    return canonical_csv(rows)


def test_a_reload_is_a_new_edition_and_reports_its_difference(personas) -> None:
    first = classifier_import(
        classifier="nkz",
        source_name="v1.csv",
        data=canonical_csv(SMALL_NKZ),
        actor=personas.admin,
        edition_name="v1",
    ).edition
    cited = Node.objects.get(edition=first, code="2512-1-001")
    report = classifier_import(
        classifier="nkz", source_name="v2.csv", data=_v2(), actor=personas.admin, edition_name="v2"
    )
    assert report.diff["previous"] == "v1"
    assert (report.diff["added"], report.diff["removed"], report.diff["renamed"]) == (1, 1, 1)
    assert report.diff["added_codes"] == ["2512-1-002"]
    assert report.diff["removed_codes"] == ["2512-1-001"]
    assert report.diff["renamed_codes"][0]["code"] == "2512-1"
    second = Edition.objects.get(name="v2")
    assert second.is_current and second.previous_id == first.pk
    assert not Edition.objects.get(pk=first.pk).is_current
    # What an SQF cited is still there, in the old edition.
    assert Node.objects.get(pk=cited.pk).title_ru == "Программист"
    event = AuditEvent.objects.get(action="classifier.load", object_id=str(second.pk))
    assert event.actor == personas.admin and event.changes["diff"]["removed"] == 1


def test_a_dry_run_reports_but_writes_nothing(snapshot) -> None:
    classifier_import(
        classifier="nkz", source_name="v1.csv", data=canonical_csv(SMALL_NKZ), actor=None
    )
    before = snapshot()
    report = classifier_import(
        classifier="nkz", source_name="v2.csv", data=_v2(), actor=None, dry_run=True
    )
    assert report.dry_run and report.edition is None
    assert (report.diff["added"], report.diff["removed"], report.diff["renamed"]) == (1, 1, 1)
    assert snapshot() == before


def test_the_crosswalk_follows_a_reload_by_code() -> None:
    classifier_import(
        classifier="isco08", source_name="isco.csv", data=canonical_csv(SMALL_ISCO), actor=None
    )
    classifier_import(
        classifier="nkz", source_name="v1.csv", data=canonical_csv(SMALL_NKZ), actor=None
    )
    from classifiers.crosswalk import crosswalk_seed_equal_codes

    assert crosswalk_seed_equal_codes(actor=None) == 1
    report = classifier_import(classifier="nkz", source_name="v2.csv", data=_v2(), actor=None)
    assert report.crosswalk_carried == 1
    new_link = CrosswalkLink.objects.get(nkz__edition=report.edition)
    assert new_link.nkz.code == "2512" and new_link.isco.code == "2512"
    assert CrosswalkLink.objects.count() == 2  # the old edition's link stays for old SQFs


def test_the_crosswalk_round_trips_through_csv_and_rejects_bad_rows(personas, snapshot) -> None:
    classifier_import(
        classifier="isco08", source_name="isco.csv", data=canonical_csv(SMALL_ISCO), actor=None
    )
    classifier_import(
        classifier="nkz", source_name="v1.csv", data=canonical_csv(SMALL_NKZ), actor=None
    )
    data = b"isco_code,nkz_code,correspondence,note\n2512,2512,full,checked by the working group\n"
    report = crosswalk_import_csv(data=data, actor=personas.admin)
    assert (report.created, report.updated) == (1, 0)
    link = CrosswalkLink.objects.get()
    assert link.correspondence == "full" and link.updated_by == personas.admin
    exported = crosswalk_export_csv()
    assert "2512,Software developers,2512" in exported
    assert crosswalk_import_csv(data=exported.encode(), actor=personas.admin).unchanged == 1
    before = snapshot()
    with pytest.raises(ImportRejected) as excinfo:
        crosswalk_import_csv(
            data=b"isco_code,nkz_code,correspondence\n2512,9999,full\n2512,2512,maybe\n", actor=None
        )
    assert {(p.row, p.column) for p in excinfo.value.problems} == {
        (2, "nkz_code"),
        (3, "correspondence"),
    }
    assert snapshot() == before
