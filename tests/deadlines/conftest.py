from __future__ import annotations

import pytest

from deadlines.demo import seed_calendar


@pytest.fixture
def kz_calendar(db: None) -> None:
    seed_calendar()


@pytest.fixture
def grounds_filed_every_year(personas, kz_calendar) -> None:
    """Each state body's §6 clock of 2020–2030 exists and was met: the daily check then
    opens no yearly clock (Rules §6), for tests about the other clocks."""
    import datetime as dt

    from councils.models import Organisation
    from deadlines import services
    from deadlines.rules import Stage

    for body in Organisation.objects.filter(kind=Organisation.Kind.STATE_BODY):
        for year in range(2020, 2031):
            clock = services.deadline_open(
                subject=body,
                stage=Stage.GROUNDS,
                organisation=body,
                start_date=dt.date(year, 12, 31),
                actor=None,
            )
            services.deadline_close(deadline=clock, completed_on=dt.date(year, 12, 31), actor=None)
