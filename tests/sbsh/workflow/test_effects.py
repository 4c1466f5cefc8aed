"""Moves declare their effects (sbsh/workflow/effects.py): each is provided by an installed
app, they run in the declared order inside the move's transaction, and a check of an
effect refuses the move with nothing written."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from councils.models import AuditEvent
from deadlines.models import Deadline
from sbsh.models import Version, VersionTransition
from sbsh.workflow import effects
from sbsh.workflow import moves as workflow
from tests.sbsh.workflow.test_workflow import D

pytestmark = pytest.mark.django_db


def test_every_effect_a_move_declares_is_provided() -> None:
    assert effects.effects_missing() == []
    for name, move in workflow.MOVES.items():
        assert move.effects, name
        # Every move stops the running clock and tells the next actor; a move to a state
        # with a clock of its own starts it (Rules §8–§14).
        assert "close_clocks" in move.effects, name
        assert "notify" in move.effects, name
        assert ("open_clock" in move.effects) == (move.opens is not None), name
        assert move.effects.index("close_clocks") < move.effects.index("notify"), name
    # The documents' effects come from exports, registered in its AppConfig.
    provided_by_exports = {"hand_over", "documents_failed", "prepare_documents"}
    for name in provided_by_exports:
        assert effects.EFFECTS[name].label
    assert "hand_over" in workflow.MOVES["send"].effects
    assert "prepare_documents" in workflow.MOVES["approve"].effects


def test_a_move_naming_an_effect_nobody_provides_stops_the_start(monkeypatch) -> None:
    broken = dataclasses.replace(workflow.MOVES["submit"], effects=("close_clocks", "no_such"))
    monkeypatch.setitem(workflow.MOVES, "submit", broken)
    errors = effects.effects_missing()
    assert [e.id for e in errors] == ["sbsh.E001"]
    assert "'submit'" in errors[0].msg and "'no_such'" in errors[0].msg
    with pytest.raises(SystemCheckError, match="no_such"):
        call_command("check")


def test_an_effect_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        effects.register("close_clocks", "again", run=lambda step: None)


@pytest.fixture
def probes(monkeypatch):
    """Three probe effects around submit's own, recording when each part runs."""
    seen: list[tuple[str, str, str]] = []

    def status(step) -> str:
        return Version.objects.get(pk=step.version.pk).status

    def probe(tag: str) -> effects.Effect:
        return effects.Effect(
            tag,
            check=lambda step: seen.append((tag, "check", status(step))) or [],
            stamp=lambda step: seen.append((tag, "stamp", status(step))),
            run=lambda step: seen.append(
                (
                    tag,
                    "run",
                    f"{status(step)}, log {step.log is not None}, opened {step.opened is not None}",
                )
            ),
            on_commit=lambda step: seen.append((tag, "on_commit", status(step))),
        )

    for tag in ("first", "last"):
        monkeypatch.setitem(effects.EFFECTS, tag, probe(tag))
    move = workflow.MOVES["submit"]
    monkeypatch.setitem(
        workflow.MOVES,
        "submit",
        dataclasses.replace(move, effects=("first", *move.effects, "last")),
    )
    return seen


def test_the_declared_effects_run_in_order_inside_the_move(
    personas, ready, probes, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workflow.version_transition(
            actor=personas.drafter, version=ready, name="submit", today=D("2024-05-03")
        )
    assert probes == [
        # Checks before the move, stamps on the version before it is saved.
        ("first", "check", "drafting"),
        ("last", "check", "drafting"),
        ("first", "stamp", "drafting"),
        ("last", "stamp", "drafting"),
        # Runs after the save, the log and the audit row; "last" after open_clock.
        ("first", "run", "council_review, log True, opened False"),
        ("last", "run", "council_review, log True, opened True"),
        ("first", "on_commit", "council_review"),
        ("last", "on_commit", "council_review"),
    ]
    assert Version.objects.get(pk=ready.pk).status == "council_review"
    assert Deadline.objects.filter(object_id=str(ready.pk), stage="review").exists()


def test_a_check_of_a_declared_effect_refuses_the_move_and_writes_nothing(
    personas, ready, monkeypatch
) -> None:
    monkeypatch.setitem(
        effects.EFFECTS,
        "refuse",
        effects.Effect("refuse", check=lambda step: ["Not yet (Rules §11)."]),
    )
    move = workflow.MOVES["submit"]
    monkeypatch.setitem(
        workflow.MOVES, "submit", dataclasses.replace(move, effects=("refuse", *move.effects))
    )
    logs, audits = VersionTransition.objects.count(), AuditEvent.objects.count()
    clocks = list(Deadline.objects.values_list("pk", "status"))
    with pytest.raises(workflow.WorkflowError, match=r"Not yet \(Rules §11\)"):
        workflow.version_transition(
            actor=personas.drafter, version=ready, name="submit", today=D("2024-05-03")
        )
    assert Version.objects.get(pk=ready.pk).status == "drafting"
    assert VersionTransition.objects.count() == logs
    assert AuditEvent.objects.count() == audits
    assert list(Deadline.objects.values_list("pk", "status")) == clocks
    # The same check speaks through blockers(), which the pages and the API show.
    assert "Not yet (Rules §11)." in workflow.blockers(ready, "submit", known_findings=[])
