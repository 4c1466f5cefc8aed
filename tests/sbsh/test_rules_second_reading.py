"""Issue 18 (the Rules, second reading): the §13 revision clock, updates on §15 grounds,
the smaller points."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from deadlines.models import Deadline
from sbsh.models import Version
from tests.sbsh.test_workflow import _active, _move, ready  # noqa: F401  (ready: a fixture)

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def test_the_revision_clock_starts_when_the_recommendations_are_sent_not_at_the_meeting(
    personas,
    ready,  # noqa: F811
) -> None:
    """Rules §12–§13: the council "жібереді" its recommendations; the state body's five
    working days run from receiving them. Recorded (and so sent) three days after the
    meeting, the clock starts on the day of recording."""
    v = _move(personas, ready, "submit", "drafter", today="2024-05-02")
    [review] = _active(v)
    with time_machine.travel(dt.datetime(2024, 5, 13, 9, tzinfo=dt.UTC), tick=False):
        v = _move(
            personas,
            v,
            "return_for_revision",
            "secretary",
            comment="Толықтырыңыз",
            today="2024-05-10",
        )
    # The council's own §12 clock closes on the meeting day: it decided in time.
    review = Deadline.objects.get(pk=review.pk)
    assert (review.completed_on, review.status) == (D("2024-05-10"), "met")
    [revision] = _active(v)
    assert (revision.clause, revision.start_date, revision.due_date) == (
        "§13",
        D("2024-05-13"),
        D("2024-05-20"),
    )
    assert Version.objects.get(pk=v.pk).status == "revision"


def test_an_approval_still_starts_the_handover_clock_on_the_day_of_approval(
    personas,
    ready,  # noqa: F811
) -> None:
    """Rules §14 "салалық кеңес бекіткеннен кейін": the approval itself is the event."""
    v = _move(personas, ready, "submit", "drafter", today="2024-05-02")
    with time_machine.travel(dt.datetime(2024, 5, 13, 9, tzinfo=dt.UTC), tick=False):
        v = _move(personas, v, "approve", "secretary", today="2024-05-10")
    [handover] = _active(v)
    assert (handover.start_date, handover.due_date) == (D("2024-05-10"), D("2024-05-15"))
