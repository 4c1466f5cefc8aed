"""Issue 15, item 6: races on PostgreSQL, with real threads and connections.

- two "update" decisions on one SQF at the same moment: one opens the new version, the
  other is refused with the Rules §16 message (was: a 500 IntegrityError on the version
  number, as the in-progress check and `Max + 1` ran unlocked);
- four "new row" requests at once: four rows with four different orders (were duplicates).
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from deadlines.demo import seed_calendar
from sbsh.document import services_tables
from sbsh.models import Decision, Ground, Table1Row, Version
from sbsh.workflow import decisions
from sbsh.workflow.grounds import ground_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(work, arguments) -> list[str]:
    barrier = threading.Barrier(len(arguments))
    outcomes: list[str] = []

    def run(arg) -> None:
        translation.activate("en")  # threads do not inherit the test's language
        try:
            barrier.wait(timeout=10)
            work(arg)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(f"refused: {' '.join(exc.messages)}")
        except Exception as exc:
            outcomes.append(f"error: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_update_decisions_at_once_open_one_version(personas, sqf) -> None:
    from councils.models import Role, User
    from councils.services import membership_grant

    seed_calendar()
    framework = sqf.version.framework
    Version.objects.filter(pk=sqf.version.pk).update(status="published")
    filed = []
    for _ in range(2):
        ground = ground_create(
            actor=personas.member,
            kind="proposal",
            council=personas.energy_council,
            year=2025,
            framework=framework,
            justification="Жаңарту керек.",
        )
        Ground.objects.filter(pk=ground.pk).update(
            status="filed", filed_at=timezone.now() - timezone.timedelta(days=1)
        )
        filed.append(Ground.objects.get(pk=ground.pk))
    second = User.objects.create_user(username="secretary2", password="another-long-pass")
    membership_grant(
        actor=None, user=second, organisation=personas.energy_council, role=Role.COUNCIL_SECRETARY
    )
    people = {0: personas.secretary, 1: second}

    def decide(i: int) -> None:
        decisions.decision_on_grounds(
            actor=people[i],
            council=personas.energy_council,
            grounds=[filed[i]],
            outcome="update",
            meeting=decisions.Meeting(timezone.localdate(), str(i + 1), 5, 0, 0),
            framework=framework,
            update_reasons=[decisions.UpdateReasonInput("labour_market", "Новые требования рынка труда")],
        )

    outcomes = _run_at_once(decide, [0, 1])
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert any("in development" in o for o in outcomes), outcomes
    assert framework.versions.count() == 2  # v1 and the one update
    assert Decision.objects.filter(outcome="update").count() == 1
    # The refused decision wrote nothing: its ground is still filed, to decide again.
    assert sorted(Ground.objects.values_list("status", flat=True)) == ["decided", "filed"]


def test_four_new_rows_at_once_get_four_orders(personas, sqf) -> None:
    version = sqf.version

    def add(_i: int) -> None:
        services_tables.table1_row_create(
            actor=personas.drafter, version=version, section=2, sqf_level="4", nqf_level=4
        )

    outcomes = _run_at_once(add, [0, 1, 2, 3])
    assert outcomes == ["ok"] * 4, outcomes
    orders = list(
        Table1Row.objects.filter(version=version, section=2).values_list("order", flat=True)
    )
    assert sorted(orders) == [1, 2, 3, 4]
