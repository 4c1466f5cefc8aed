"""The real, shipped classifier files load with the exact published counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.crosswalk import crosswalk_seed_equal_codes
from classifiers.demo import DATA
from classifiers.models import Edition, Node
from classifiers.selectors import SearchQuery, node_search
from classifiers.services import classifier_import
from councils.models import AuditEvent

pytestmark = pytest.mark.django_db

NKZ_COUNTS = {"0": 14, "1": 9, "2": 41, "3": 141, "4": 439, "5": 1270, "6": 12194}
OKED_COUNTS = {"1": 21, "2": 88, "3": 272, "4": 615, "5": 1090}
ISCO_COUNTS = {"1": 10, "2": 43, "3": 130, "4": 436}


def _load(classifier: str, path: Path, **kwargs):
    return classifier_import(
        classifier=classifier, source_name=path.name, data=path.read_bytes(), actor=None, **kwargs
    )


def _codes(classifier: str, q: str, **kw) -> list[str]:
    return [n.code for n in node_search(SearchQuery(classifier=classifier, q=q, **kw))]


def test_nkz_as_published_by_esutd_loads_14108_current_records() -> None:
    report = _load("nkz", DATA / "nkz_2017" / "D_POSITION.xlsx")
    assert report.counts == NKZ_COUNTS
    edition = Edition.objects.get(classifier="nkz")
    assert edition.counts == NKZ_COUNTS
    assert (
        edition.source_sha256 == "9e2399a00ffbf53b7922aa44e485853727eeb2665d4fad0d2162d92a3ac4d142"
    )
    assert Node.objects.filter(edition=edition).count() == 14108
    # Cyrillic Х special codes survive, under their own parent.
    special = Node.objects.get(edition=edition, code="Х1000-0")
    assert special.level == 0 and special.parent.code == "Х1000"
    assert Node.objects.get(edition=edition, code="2512-1").parent.code == "2512"
    assert (
        AuditEvent.objects.filter(action="classifier.load", object_id=str(edition.pk)).count() == 1
    )


def test_nkz_csv_loads_and_search_finds_code_russian_and_kazakh() -> None:
    report = _load("nkz", DATA / "nkz_2017" / "nkz_2017_current.csv")
    assert report.counts == NKZ_COUNTS
    node = Node.objects.get(edition__classifier="nkz", code="2512-1-002")
    assert node.name_ru == "ИНЖЕНЕР-ПРОГРАММИСТ"  # the source text is kept
    assert node.title_ru == "Инженер-программист"  # and shown in proper case
    assert node.skill_level == 4  # major group 2 → ISCO skill level 4
    assert (
        Node.objects.get(edition__classifier="nkz", code="1411").skill_level == 3
    )  # managers, sub-major 14
    assert _codes("nkz", "2512")[0] == "2512"
    ru = _codes("nkz", "программист", limit=50)
    assert "2512-1-002" in ru
    kk = _codes("nkz", "бағдарламашы", limit=50)
    assert kk and all(
        "бағдарламашы" in Node.objects.get(edition__classifier="nkz", code=c).search_text
        for c in kk
    )
    assert _codes("nkz", "x1000")[0] == "Х1000"  # a Latin X finds the Cyrillic Х


def test_oked_loads_with_nace_english_names_and_dotted_codes_are_found() -> None:
    report = _load("oked", DATA / "oked_kz" / "oked_2019_current.csv")
    assert report.counts == OKED_COUNTS
    division = Node.objects.get(edition__classifier="oked", code="01")
    assert division.parent.code == "A"
    assert (
        Node.objects.get(edition__classifier="oked", code="A").title_en
        == "Agriculture, forestry and fishing"
    )
    assert _codes("oked", "01.11")[0] == "0111"
    assert "A" in _codes("oked", "сельское")


def test_isco_workbook_loads_and_english_search_finds_software() -> None:
    report = _load("isco08", DATA / "isco08" / "ISCO-08_EN_Structure_and_definitions.xlsx")
    assert report.counts == ISCO_COUNTS
    assert (
        Node.objects.get(edition__classifier="isco08", code="4213").parent.code == "421"
    )  # numeric cells
    assert Node.objects.get(edition__classifier="isco08", code="0110").skill_level == 4
    assert "2512" in _codes("isco08", "software")
    assert _codes("isco08", "software developers")[0] == "2512"


def test_isco_csv_and_crosswalk_seed_marks_equal_codes_unverified() -> None:
    _load("isco08", DATA / "isco08" / "isco08_structure_en.csv")
    _load("nkz", DATA / "nkz_2017" / "nkz_2017_current.csv")
    assert crosswalk_seed_equal_codes(actor=None) == 297
    assert crosswalk_seed_equal_codes(actor=None) == 0  # idempotent
    from classifiers.models import CrosswalkLink

    link = CrosswalkLink.objects.get(isco__code="2512")
    assert link.nkz.code == "2512" and link.correspondence == "unverified"
