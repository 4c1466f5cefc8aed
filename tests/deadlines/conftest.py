from __future__ import annotations

import pytest

from deadlines.demo import seed_calendar


@pytest.fixture
def kz_calendar(db: None) -> None:
    seed_calendar()
