"""The classifier files shipped with the project (classifiers/data/, see each PROVENANCE.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from classifiers.crosswalk import crosswalk_seed_equal_codes
from classifiers.models import Classifier, Edition
from classifiers.services import classifier_import

DATA = Path(__file__).resolve().parent / "data"

SHIPPED = [
    # NKZ: the IS_ACTUAL=1 records of ЕСУТД's D_POSITION.xlsx (also shipped and loadable).
    (
        Classifier.NKZ,
        DATA / "nkz_2017" / "nkz_2017_current.csv",
        "НКЗ 01-2017 (ЕСУТД, 2022-08)",
        dt.date(2017, 1, 1),
    ),
    (
        Classifier.OKED,
        DATA / "oked_kz" / "oked_2019_current.csv",
        "ОКЭД ГК РК 03-2019 (stat.gov.kz, 2024-01)",
        dt.date(2020, 1, 1),
    ),
    (
        Classifier.ISCO08,
        DATA / "isco08" / "ISCO-08_EN_Structure_and_definitions.xlsx",
        "ISCO-08 (ILO)",
        dt.date(2008, 12, 6),
    ),
]


def seed_classifiers(*, say: Callable[[str], None] = lambda _m: None) -> None:
    """Load each shipped classifier that has no edition yet; seed the crosswalk."""
    for classifier, path, name, effective in SHIPPED:
        if Edition.objects.filter(classifier=classifier).exists():
            continue
        report = classifier_import(
            classifier=classifier,
            source_name=path.name,
            data=path.read_bytes(),
            actor=None,
            edition_name=name,
            effective_date=effective,
        )
        say(
            f"{name}: {sum(report.counts.values())} rows ({', '.join(f'{k}: {v}' for k, v in report.counts.items())})"
        )
    created = crosswalk_seed_equal_codes(actor=None)
    if created:
        say(f"ISCO-08 ↔ NKZ crosswalk: {created} equal-code links, marked unverified")
