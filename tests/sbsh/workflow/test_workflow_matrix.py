"""Every move × every state × every kind of person (security programme row 3).

The expectation is written here from the Rules, not read from the model: which state each
move leaves from, where it leads, and who makes it. Each attempt starts from a version put
into the state directly; an allowed attempt must land in the right state with one log row
and one audit row, a refused one must write nothing at all."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from councils.models import AuditEvent, Membership, Organisation, Role
from deadlines.demo import seed_calendar
from deadlines.models import Deadline
from exports.models import Rendering
from sbsh.models import (
    Decision,
    Handover,
    Publication,
    Recommendation,
    Version,
    VersionTransition,
)
from sbsh.workflow import decisions
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat

DEVELOPING = ["preparation", "drafting", "council_review", "revision", "re_review"]
# Rules §8, §11–§14 and §16, read by a person, not from the model.
EXPECTED = {
    # move: (states it leaves from, state it leads to, who makes it)
    "finish_preparation": (["preparation"], "drafting", "drafter"),  # §8 → §11
    "submit": (["drafting"], "council_review", "drafter"),  # §11 → §12
    "return_for_revision": (["council_review", "re_review"], "revision", "secretary"),  # §13
    "resubmit": (["revision"], "re_review", "drafter"),  # §13
    "approve": (["council_review", "re_review"], "approved", "secretary"),  # §12
    "send": (["approved"], "sent", "drafter"),  # §14
    "receive": (["sent"], "received", "officer"),  # §14
    "publish": (["received"], "published", "officer"),  # §14
    "return_handover": (["sent"], "approved", "officer"),  # §14, technical return
    # §13–§14: the approved content's documents cannot be prepared; back to the state body.
    "reopen_for_revision": (["approved"], "revision", "secretary"),
    "withdraw": (DEVELOPING, "withdrawn", "drafter"),
    # §16: only the system supersedes, when a newer version is published.
    "supersede": ([], None, None),
}
STATES = [s.value for s in Version.Status]
PEOPLE = [
    "drafter",  # the state body's staff
    "expert",  # the state body's working group
    "member",  # a member of the sector's council
    "secretary",  # the sector council's secretary
    "officer",  # the national body
    "outsider",  # another ministry's staff
    "other_secretary",  # another sector council's secretary
    "admin",  # the administrator: runs the system, makes no move of the Rules
    "deactivated",  # the state body's staff, deactivated
    "anonymous",
]


@pytest.fixture
def matrix(personas, monkeypatch, sqf):
    """The version, the people, and the checks that are tested on their own elsewhere
    (compliance, §8 checklist, hand-over documents) switched off."""
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr("sbsh.document.checks.preparation_checklist", lambda version: [])
    monkeypatch.setattr(
        "exports.services.handover_documents", lambda version, content=None: ([], [])
    )
    # A hand-over document that failed to render: the one case where an approved version
    # may go back for revision (its refusal otherwise: tests/test_hardening.py).
    Rendering.objects.create(
        version=sqf.version, language="ru", format="docx", content_sha256="0" * 64, status="failed"
    )
    people = {name: getattr(personas, name, None) for name in PEOPLE}
    other = personas.agriculture_council
    people["other_secretary"] = _person("sec_other", Role.COUNCIL_SECRETARY, other)
    people["deactivated"] = _person("gone", Role.MINISTRY_STAFF, personas.energy, active=False)
    people["anonymous"] = AnonymousUser()
    return sqf.version, people


def _person(username: str, role: str, organisation: Organisation, active: bool = True):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, is_active=active)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def _footprint(version: Version) -> tuple:
    return (
        Version.objects.get(pk=version.pk).status,
        VersionTransition.objects.count(),
        AuditEvent.objects.count(),
        Decision.objects.count(),
        Deadline.objects.count(),
        Handover.objects.count(),
        Publication.objects.count(),
    )


def _attempt(version: Version, name: str, person) -> None:
    """The move as people make it: approval and return only by recording the decision."""
    version = Version.objects.get(pk=version.pk)
    today = D("2024-05-06")
    if name in ("approve", "return_for_revision"):
        decisions.decision_on_draft(
            actor=person,
            version=version,
            outcome="approve" if name == "approve" else "return",
            meeting=decisions.Meeting(today, "7/2024", 7, 1, 0),
            recommendations=["4-деңгейді толықтыру"],
        )
        return
    workflow.version_transition(
        actor=person, version=version, name=name, comment="Себебі / причина", today=today
    )


def test_every_move_from_every_state_by_every_person_is_allowed_exactly_as_the_rules_say(
    matrix,
) -> None:
    version, people = matrix
    tally: Counter = Counter()
    mismatches = []
    for state in STATES:
        for name, (sources, target, who) in EXPECTED.items():
            for person_name, person in people.items():
                Version.objects.filter(pk=version.pk).update(status=state)
                Deadline.objects.all().delete()
                # A return earlier in the walk leaves recommendations to answer (§13).
                Recommendation.objects.all().delete()
                Publication.objects.all().delete()
                allowed = state in sources and person_name == who
                before = _footprint(version)
                try:
                    _attempt(version, name, person)
                except (PermissionError, workflow.WorkflowError, ValidationError):
                    outcome = "refused"
                else:
                    outcome = "moved"
                tally["attempts"] += 1
                tally[outcome] += 1
                after = _footprint(version)
                where = (state, name, person_name)
                if outcome == "refused":
                    if allowed:
                        mismatches.append((*where, "refused but the Rules allow it"))
                    elif after != before:
                        mismatches.append((*where, f"refused but wrote {before} → {after}"))
                    continue
                if not allowed:
                    mismatches.append((*where, f"moved to {after[0]} but the Rules forbid it"))
                    continue
                log = VersionTransition.objects.order_by("-id").first()
                audit = AuditEvent.objects.filter(action=f"sqf.version.{name}").order_by("-id")
                if (
                    after[0] != target
                    or after[1] != before[1] + 1
                    or (log.source, log.target, log.actor) != (state, target, person)
                    or audit.first() is None
                    or audit.first().actor != person
                ):
                    mismatches.append((*where, f"moved, but the record is wrong: {after}"))
    assert mismatches == []
    allowed_pairs = sum(len(sources) for sources, _t, _w in EXPECTED.values())
    assert tally == {
        "attempts": len(STATES) * len(EXPECTED) * len(PEOPLE),
        "moved": allowed_pairs,
        "refused": len(STATES) * len(EXPECTED) * len(PEOPLE) - allowed_pairs,
    }
    # 11 states × 12 moves × 10 kinds of person = 1,320 attempts: 17 moves, 1,303 refusals.
    assert (tally["attempts"], tally["moved"]) == (1320, 17)


def test_every_edge_of_the_model_is_one_the_rules_name() -> None:
    """The matrix above covers the model: no edge exists that the expectation lacks
    (Rules §1: the Rules set the order of developing and (or) updating an SQF)."""
    edges = {
        (t.name, t.source, t.target)
        for t in Version._meta.get_field("status").get_all_transitions(Version)
    }
    expected = {
        (name, source, target)
        for name, (sources, target, _who) in EXPECTED.items()
        for source in sources
    } | {("supersede", "published", "superseded")}
    assert edges == expected
