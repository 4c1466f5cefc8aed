from __future__ import annotations

from dataclasses import dataclass

import pytest

from classifiers.crosswalk import crosswalk_seed_equal_codes
from classifiers.models import Node
from classifiers.services import classifier_import
from sbsh.document import services
from sbsh.models import Version
from tests.classifiers.conftest import canonical_csv

NKZ = [
    ("2", "", "1", "МАМАНДАР", "СПЕЦИАЛИСТЫ", ""),
    ("25", "2", "2", "АКТ МАМАНДАРЫ", "СПЕЦИАЛИСТЫ ИКТ", ""),
    ("251", "25", "3", "ӘЗІРЛЕУШІЛЕР", "РАЗРАБОТЧИКИ", ""),
    ("2512", "251", "4", "БАҒДАРЛАМАЛЫҚ ЖАСАҚТАМА ӘЗІРЛЕУШІЛЕРІ", "РАЗРАБОТЧИКИ ПО", ""),
    ("2512-1", "2512", "5", "ӘЗІРЛЕУШІЛЕР", "РАЗРАБОТЧИКИ ПРОГРАММНОГО ОБЕСПЕЧЕНИЯ", ""),
    ("2512-1-001", "2512-1", "6", "БАҒДАРЛАМАШЫ", "ПРОГРАММИСТ", ""),
    ("2512-1-002", "2512-1", "6", "ИНЖЕНЕР-БАҒДАРЛАМАШЫ", "ИНЖЕНЕР-ПРОГРАММИСТ", ""),
]
OKED = [
    ("J", "", "1", "Ақпарат және байланыс", "Информация и связь", ""),
    ("62", "J", "2", "Компьютерлік бағдарламалау", "Компьютерное программирование", ""),
    ("620", "62", "3", "Компьютерлік бағдарламалау", "Компьютерное программирование", ""),
    ("6201", "620", "4", "Бағдарламалау", "Программирование", ""),
    ("62011", "6201", "5", "Бағдарламалық жасақтама", "Разработка программного обеспечения", ""),
]
ISCO = [
    ("2", "", "1", "", "", "Professionals"),
    ("25", "2", "2", "", "", "ICT Professionals"),
    ("251", "25", "3", "", "", "Software Developers and Analysts"),
    ("2512", "251", "4", "", "", "Software Developers"),
]


@dataclass
class SmallSqf:
    version: Version
    nodes: dict[str, Node]


@pytest.fixture
def small_classifiers(db: None) -> dict[str, Node]:
    for classifier, rows in (("nkz", NKZ), ("oked", OKED), ("isco08", ISCO)):
        classifier_import(
            classifier=classifier,
            source_name=f"{classifier}.csv",
            data=canonical_csv(rows),
            actor=None,
        )
    crosswalk_seed_equal_codes(actor=None)
    nodes = {}
    for n in Node.objects.select_related("edition"):
        nodes[f"{n.edition.classifier}:{n.code}"] = n
    return nodes


@pytest.fixture
def sqf(personas, small_classifiers) -> SmallSqf:
    _framework, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Сынақ саласы",
        sector_ru="Тестовая отрасль",
    )
    # Rules §7: the expert works on this SQF as a member of its working group.
    services.working_group_add(
        actor=personas.drafter, version=version, user=personas.expert, category="expert"
    )
    return SmallSqf(version=version, nodes=small_classifiers)
