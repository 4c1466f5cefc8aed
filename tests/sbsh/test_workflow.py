"""The Rules as moves of a version: roles, states, clocks, log, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from councils.models import AuditEvent
from deadlines.demo import seed_calendar
from deadlines.models import Deadline
from sbsh import workflow
from sbsh.models import Version, VersionTransition

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def ready(personas, monkeypatch, sqf):
    """A version whose compliance check is clean (the check itself is tested elsewhere)."""
    seed_calendar()
    monkeypatch.setattr("sbsh.selectors.findings", lambda version: [])
    return sqf.version


def _move(personas, version, name, who, comment="", today="2024-05-03"):
    return workflow.version_transition(
        actor=getattr(personas, who),
        version=Version.objects.get(pk=version.pk),
        name=name,
        comment=comment,
        today=D(today),
    )


def _active(version) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            object_id=str(version.pk), content_type__model="version", status__in=Deadline.ACTIVE
        )
    )


def test_a_version_goes_from_drafting_to_publication_with_a_revision_round(personas, ready) -> None:
    v = _move(personas, ready, "submit", "drafter", today="2024-05-03")
    assert v.status == "council_review"
    [review] = _active(v)
    assert (review.clause, review.due_date, review.organisation) == (
        "§12",
        D("2024-05-14"),
        personas.energy_council,
    )
    v = _move(
        personas,
        v,
        "return_for_revision",
        "secretary",
        comment="Толықтырыңыз: 4-деңгей",
        today="2024-05-06",
    )
    [revision] = _active(v)
    assert (revision.clause, revision.working_days, revision.organisation) == (
        "§13",
        5,
        personas.energy,
    )
    assert Deadline.objects.get(pk=review.pk).status == "met"
    v = _move(personas, v, "resubmit", "drafter", today="2024-05-10")
    [re_review] = _active(v)
    assert (re_review.working_days, re_review.due_date) == (2, D("2024-05-14"))
    v = _move(personas, v, "approve", "secretary", today="2024-05-14")
    assert v.status == "approved" and v.approved_on == D("2024-05-14")
    [handover] = _active(v)
    assert (handover.clause, handover.due_date) == ("§14", D("2024-05-17"))
    v = _move(personas, v, "send", "drafter", today="2024-05-20")
    assert _active(v) == [] and Deadline.objects.get(pk=handover.pk).status == "met_late"
    v = _move(personas, v, "receive", "officer", today="2024-05-21")
    v = _move(personas, v, "publish", "officer", today="2024-05-21")
    assert v.status == "published"
    log = list(
        VersionTransition.objects.filter(version=v).values_list(
            "source", "target", "actor__username"
        )
    )
    assert log == [
        ("drafting", "council_review", "drafter"),
        ("council_review", "revision", "secretary"),
        ("revision", "re_review", "drafter"),
        ("re_review", "approved", "secretary"),
        ("approved", "sent", "drafter"),
        ("sent", "received", "officer"),
        ("received", "published", "officer"),
    ]
    assert (
        AuditEvent.objects.filter(action__startswith="sqf.version.")
        .exclude(action="sqf.version.create")
        .count()
        == 7
    )


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("submit", "member"),
        ("submit", "outsider"),
        ("submit", "officer"),
        ("approve", "drafter"),
        ("approve", "member"),
    ],
)
def test_only_the_role_the_rules_name_may_move(personas, ready, name, who) -> None:
    if name == "approve":
        _move(personas, ready, "submit", "drafter")
    before = (
        Version.objects.get(pk=ready.pk).status,
        VersionTransition.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(PermissionError):
        _move(personas, ready, name, who)
    assert (
        Version.objects.get(pk=ready.pk).status,
        VersionTransition.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_a_move_from_the_wrong_state_is_refused_and_writes_nothing(personas, ready) -> None:
    before = (
        VersionTransition.objects.count(),
        AuditEvent.objects.count(),
        Deadline.objects.count(),
    )
    with pytest.raises(workflow.WorkflowError, match="not possible"):
        _move(personas, ready, "approve", "secretary")
    with pytest.raises(workflow.WorkflowError):
        _move(personas, ready, "return_for_revision", "secretary", comment="")
    assert (
        VersionTransition.objects.count(),
        AuditEvent.objects.count(),
        Deadline.objects.count(),
    ) == before
    assert Version.objects.get(pk=ready.pk).status == "drafting"


def test_submission_is_refused_while_the_compliance_check_blocks(personas, sqf) -> None:
    seed_calendar()
    with pytest.raises(workflow.WorkflowError, match="findings"):
        _move(personas, sqf.version, "submit", "drafter")
    assert Version.objects.get(pk=sqf.version.pk).status == "drafting"


def test_content_is_frozen_outside_drafting_and_revision(personas, ready) -> None:
    _move(personas, ready, "submit", "drafter")
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:table1", args=[ready.pk]), {"section": 1}
    )
    assert response.status_code == 403


def test_the_overview_offers_each_person_only_their_moves(personas, ready) -> None:
    drafter = (
        personas.client_for(personas.drafter)
        .get(reverse("sbsh:overview", args=[ready.pk]))
        .content.decode()
    )
    secretary = (
        personas.client_for(personas.secretary)
        .get(reverse("sbsh:overview", args=[ready.pk]))
        .content.decode()
    )
    assert 'data-testid="move-submit"' in drafter and 'data-testid="move-withdraw"' in drafter
    assert 'data-testid="move-' not in secretary
    response = personas.client_for(personas.member).post(
        reverse("sbsh:transition", args=[ready.pk, "submit"])
    )
    assert response.status_code == 403
    response = personas.client_for(personas.drafter).post(
        reverse("sbsh:transition", args=[ready.pk, "submit"])
    )
    assert (
        response.status_code == 302 and Version.objects.get(pk=ready.pk).status == "council_review"
    )


PEOPLE = ["drafter", "expert", "member", "secretary", "officer", "outsider", "admin"]


@pytest.mark.slow
def test_random_moves_by_random_people_keep_the_rules(personas, ready) -> None:
    """Stateful property test: only allowed moves by allowed roles succeed; a refused move
    writes nothing; each clocked state has exactly one open deadline; the log matches."""

    class Walk(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.expected: list[tuple[str, str]] = []

        @rule(name=st.sampled_from(sorted(workflow.MOVES)), who=st.sampled_from(PEOPLE))
        def move(self, name: str, who: str) -> None:
            version = Version.objects.get(pk=ready.pk)
            user = getattr(personas, who)
            allowed = workflow.may_move(user, version, name) and any(
                n == name for n, _m in workflow.available_moves(user, version)
            )
            before = (version.status, VersionTransition.objects.count(), AuditEvent.objects.count())
            try:
                after = workflow.version_transition(
                    actor=user, version=version, name=name, comment="x", today=D("2024-05-03")
                )
            except (PermissionError, workflow.WorkflowError):
                assert not allowed, (name, who, version.status)
                assert (
                    Version.objects.get(pk=ready.pk).status,
                    VersionTransition.objects.count(),
                    AuditEvent.objects.count(),
                ) == before
            else:
                assert allowed, (name, who)
                self.expected.append((before[0], after.status))

        @invariant()
        def clocks_and_log_agree(self) -> None:
            version = Version.objects.get(pk=ready.pk)
            active = _active(version)
            clocked = {
                "drafting": None,
                "council_review": "§12",
                "revision": "§13",
                "re_review": "§13",
                "approved": "§14",
            }
            if clocked.get(version.status):
                assert len(active) == 1 and active[0].clause == clocked[version.status]
            elif version.status not in ("drafting",):
                assert active == []
            log = list(
                VersionTransition.objects.filter(version=version).values_list("source", "target")
            )
            assert log == self.expected

    Walk.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    from django.db import transaction

    # Each example starts from the drafting state of `ready`; roll back between examples.
    original_init = Walk.__init__

    def init(self) -> None:
        original_init(self)
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    Walk.__init__ = init
    Walk.teardown = teardown
    Walk.TestCase("runTest").runTest()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_making_the_same_move_at_once_apply_it_once(
    personas, small_classifiers, monkeypatch
) -> None:
    import threading

    from django.db import connection

    from sbsh import services

    seed_calendar()
    monkeypatch.setattr("sbsh.selectors.findings", lambda version: [])
    _f, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Қатар",
        sector_ru="Параллель",
    )
    _move(personas, version, "submit", "drafter")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(who: str) -> None:
        try:
            barrier.wait(timeout=10)
            _move(personas, version, "approve", who, today="2024-05-06")
            outcomes.append("ok")
        except workflow.WorkflowError as exc:
            outcomes.append(f"refused: {exc}")
        finally:
            connection.close()

    from councils.models import Role, User
    from councils.services import membership_grant

    second = User.objects.create_user(username="secretary2", password="another-long-pass")
    membership_grant(
        actor=None, user=second, organisation=personas.energy_council, role=Role.COUNCIL_SECRETARY
    )
    personas.secretary2 = second
    threads = [threading.Thread(target=approve, args=(who,)) for who in ("secretary", "secretary2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert VersionTransition.objects.filter(version=version, name="approve").count() == 1
    assert len(_active(Version.objects.get(pk=version.pk))) == 1
