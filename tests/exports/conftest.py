from __future__ import annotations

from typing import Any

import pytest

from classifiers.demo import seed_classifiers
from councils.demo import seed_organisations_and_people
from sbsh.demo import seed_demo_sqf
from sbsh.document.content import version_content
from tests.conftest import PASSWORD
from tests.registry.test_registry import filled  # noqa: F401

# The small SQF of the registry tests (test_document_pages.py).
from tests.sbsh.conftest import small_classifiers, sqf  # noqa: F401

KAZAKH_LETTERS = set("ӘәҒғҚқҢңӨөҰұҮүҺһІі")

# Built once per test session (seeding the real classifiers takes seconds); the tests
# that use it read the content or the rendered bytes only, never the database.
_CACHE: dict[str, Any] = {}


@pytest.fixture
def demo_content(db: None) -> dict[str, Any]:
    if "content" not in _CACHE:
        seed_classifiers()
        seed_organisations_and_people(password=PASSWORD)
        _CACHE["content"] = version_content(seed_demo_sqf())
    return _CACHE["content"]


def cached(key: str, make: Any) -> Any:
    if key not in _CACHE:
        _CACHE[key] = make()
    return _CACHE[key]


@pytest.fixture
def demo_version(personas: Any) -> Any:
    seed_classifiers()
    return seed_demo_sqf()
