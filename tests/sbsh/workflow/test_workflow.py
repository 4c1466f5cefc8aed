"""The Rules as moves of a version: roles, states, clocks, log, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from councils.models import AuditEvent
from deadlines.demo import seed_calendar
from deadlines.models import Deadline
from sbsh.models import Decision, Recommendation, Version, VersionTransition
from sbsh.workflow import decisions
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _meeting(today: str, votes=(7, 1, 0)) -> decisions.Meeting:
    return decisions.Meeting(D(today), "12/2024", *votes)


def _move(personas, version, name, who, comment="", today="2024-05-03"):
    """A move as people make it: approve and return go through the council's decision."""
    version = Version.objects.get(pk=version.pk)
    actor = getattr(personas, who)
    if name in ("approve", "return_for_revision"):
        decisions.decision_on_draft(
            actor=actor,
            version=version,
            outcome="approve" if name == "approve" else "return",
            meeting=_meeting(today),
            recommendations=[line for line in comment.splitlines() if line.strip()],
        )
        return Version.objects.get(pk=version.pk)
    return workflow.version_transition(
        actor=actor, version=version, name=name, comment=comment, today=D(today)
    )


def _answer_all(personas, version) -> None:
    for rec in decisions.open_recommendations(version):
        decisions.recommendation_answer(
            actor=personas.drafter,
            recommendation=rec,
            revision=rec.revision,
            answer="accepted",
            text="4-деңгей толықтырылды",
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
    [decision] = Decision.objects.filter(version=v)
    assert (decision.outcome, decision.votes_for, decision.protocol_number) == (
        "return",
        7,
        "12/2024",
    )
    assert list(Recommendation.objects.values_list("text", "answer")) == [
        ("Толықтырыңыз: 4-деңгей", "pending")
    ]
    # Rules §13: every recommendation is answered before the draft goes back.
    with pytest.raises(workflow.WorkflowError, match="Answer every recommendation"):
        _move(personas, v, "resubmit", "drafter", today="2024-05-10")
    assert Version.objects.get(pk=v.pk).status == "revision"
    _answer_all(personas, v)
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
    assert list(
        AuditEvent.objects.filter(action__startswith="sqf.decision.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    ) == ["sqf.decision.return", "sqf.decision.approve"]
    assert AuditEvent.objects.filter(action="sqf.recommendation.answer").count() == 1


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
    with pytest.raises(ValidationError):
        _move(personas, ready, "return_for_revision", "secretary", comment="")
    assert (
        VersionTransition.objects.count(),
        AuditEvent.objects.count(),
        Deadline.objects.count(),
    ) == before
    assert Version.objects.get(pk=ready.pk).status == "drafting"
    assert not Decision.objects.exists()


def test_approval_and_return_need_the_councils_decision(personas, ready) -> None:
    _move(personas, ready, "submit", "drafter")
    for name in ("approve", "return_for_revision"):
        with pytest.raises(workflow.WorkflowError, match="decision"):
            workflow.version_transition(
                actor=personas.secretary, version=ready, name=name, comment="x"
            )
    response = personas.client_for(personas.secretary).post(
        reverse("sbsh:transition", args=[ready.pk, "approve"])
    )
    assert response.status_code == 302
    assert Version.objects.get(pk=ready.pk).status == "council_review"


@pytest.mark.parametrize(
    ("votes", "meeting", "field"),
    [
        ((3, 3, 1), "2024-05-06", "votes_for"),
        ((0, 0, 0), "2024-05-06", "votes_for"),
        ((5, 1, 0), "2024-05-02", "meeting_date"),  # before the draft reached the council
        ((5, 1, 0), "2999-01-01", "meeting_date"),
    ],
)
def test_a_decision_that_contradicts_its_protocol_is_refused(
    personas, ready, votes, meeting, field
) -> None:
    _move(personas, ready, "submit", "drafter", today="2024-05-03")
    before = (AuditEvent.objects.count(), VersionTransition.objects.count())
    with pytest.raises(ValidationError) as exc:
        decisions.decision_on_draft(
            actor=personas.secretary,
            version=ready,
            outcome="approve",
            meeting=_meeting(meeting, votes),
        )
    assert field in exc.value.message_dict
    assert (AuditEvent.objects.count(), VersionTransition.objects.count()) == before
    assert not Decision.objects.exists()
    assert Version.objects.get(pk=ready.pk).status == "council_review"


def test_a_return_needs_recommendations_and_only_the_secretary_decides(personas, ready) -> None:
    _move(personas, ready, "submit", "drafter")
    with pytest.raises(ValidationError, match="recommendation"):
        decisions.decision_on_draft(
            actor=personas.secretary,
            version=ready,
            outcome="return",
            meeting=_meeting("2024-05-06"),
        )
    for who in ("member", "drafter", "officer", "outsider"):
        with pytest.raises(PermissionError):
            decisions.decision_on_draft(
                actor=getattr(personas, who),
                version=ready,
                outcome="return",
                meeting=_meeting("2024-05-06"),
                recommendations=["x"],
            )
        response = personas.client_for(getattr(personas, who)).post(
            reverse("sbsh:decide-draft", args=[ready.pk]),
            {
                "meeting_date": "2024-05-06",
                "protocol_number": "1",
                "votes_for": 5,
                "votes_against": 0,
                "votes_abstained": 0,
                "outcome": "approve",
            },
        )
        assert response.status_code == 403
    assert not Decision.objects.exists()


def test_sending_needs_both_languages_documents_of_the_frozen_content(
    personas, sqf, monkeypatch
) -> None:
    from exports.models import Rendering
    from exports.services import HANDOVER_DOCUMENTS, _key
    from sbsh.document.content import version_content
    from sbsh.models import Handover

    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr("exports.services._dispatch", lambda rendering_id: None)
    v = _move(personas, sqf.version, "submit", "drafter")
    v = _move(personas, v, "approve", "secretary", today="2024-05-06")
    with pytest.raises(workflow.WorkflowError, match="KK PDF, KK DOCX, RU PDF, RU DOCX"):
        _move(personas, v, "send", "drafter", today="2024-05-07")
    key = _key(version_content(v))
    made = [
        Rendering.objects.create(
            version=v, language=lang, format=fmt, content_sha256=key, status="ready"
        )
        for lang, fmt in HANDOVER_DOCUMENTS[:3]
    ]
    with pytest.raises(workflow.WorkflowError, match="RU DOCX"):
        _move(personas, v, "send", "drafter", today="2024-05-07")
    assert Version.objects.get(pk=v.pk).status == "approved" and not Handover.objects.exists()
    made.append(
        Rendering.objects.create(
            version=v, language="ru", format="docx", content_sha256=key, status="ready"
        )
    )
    v = _move(personas, v, "send", "drafter", today="2024-05-07")
    [handover] = Handover.objects.filter(version=v)
    assert set(handover.renderings.all()) == set(made)
    assert handover.sent_by == personas.drafter


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
    assert 'data-testid="move-' not in secretary and 'data-testid="decide"' not in secretary
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
REACHED: set[str] = set()
CLOCKED = {
    "preparation": "§8",
    "drafting": "§11",
    "council_review": "§12",
    "revision": "§13",
    "re_review": "§13",
    "approved": "§14",
}


@pytest.mark.slow
def test_random_moves_by_random_people_keep_the_rules(personas, ready, monkeypatch) -> None:
    """Stateful property test: only allowed moves by allowed roles succeed; a refused move
    writes nothing; each clocked state has exactly one open deadline, due when the
    calendar says; the log and the audit trail match the moves."""
    from deadlines.rules import Stage
    from deadlines.services import deadline_open, work_calendar

    monkeypatch.setattr("sbsh.document.checks.preparation_checklist", lambda version: [])
    calendar = work_calendar()
    today = D("2024-05-03")

    class Walk(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            # As a council decision leaves it: in preparation with the §8 clock running.
            Version.objects.filter(pk=ready.pk).update(status="preparation")
            deadline_open(
                subject=Version.objects.get(pk=ready.pk),
                stage=Stage.PREPARATION,
                organisation=personas.energy,
                start_date=today,
                actor=None,
            )
            self.expected: list[tuple[str, str]] = []
            self.audits = AuditEvent.objects.filter(action__startswith="sqf.version.").count()

        @rule(name=st.sampled_from(sorted(workflow.MOVES)), who=st.sampled_from(PEOPLE))
        def move(self, name: str, who: str) -> None:
            self._try(name, who)

        @rule(data=st.data())
        def likely_move(self, data: st.DataObject) -> None:
            """A move the state allows, mostly by someone holding the role: reaches far."""
            from django_fsm import can_proceed

            version = Version.objects.get(pk=ready.pk)
            # Withdrawal ends the walk; the `move` rule tries it often enough. Taking an
            # approved version back (no failed render here: always refused) neither.
            names = [
                n
                for n in sorted(workflow.MOVES)
                if n not in ("withdraw", "reopen_for_revision") and can_proceed(getattr(version, n))
            ]
            if not names:
                return
            name = data.draw(st.sampled_from(names))
            if name == "resubmit" and data.draw(st.booleans()):
                _answer_all(personas, version)
            holders = [p for p in PEOPLE if workflow.may_move(getattr(personas, p), version, name)]
            who = data.draw(
                st.sampled_from(holders if holders and data.draw(st.booleans()) else PEOPLE)
            )
            self._try(name, who)

        def _try(self, name: str, who: str) -> None:
            version = Version.objects.get(pk=ready.pk)
            user = getattr(personas, who)
            allowed = (
                workflow.may_move(user, version, name)
                and any(n == name for n, _m in workflow.available_moves(user, version))
                and not workflow.blockers(version, name)
            )
            before = (version.status, VersionTransition.objects.count(), AuditEvent.objects.count())
            try:
                after = _move(
                    personas, version, name, who, comment="Толықтырыңыз", today="2024-05-03"
                )
            except (PermissionError, workflow.WorkflowError, ValidationError):
                assert not allowed, (name, who, version.status)
                assert (
                    Version.objects.get(pk=ready.pk).status,
                    VersionTransition.objects.count(),
                    AuditEvent.objects.count(),
                ) == before
            else:
                assert allowed, (name, who, before[0])
                event(f"reached {after.status}")
                REACHED.add(after.status)
                self.expected.append((before[0], after.status))
                self.audits += 1

        @rule()
        def answer_recommendations(self) -> None:
            version = Version.objects.get(pk=ready.pk)
            if version.status == "revision":
                _answer_all(personas, version)
            else:
                for rec in Recommendation.objects.filter(version=version, answer="pending"):
                    with pytest.raises(PermissionError):
                        decisions.recommendation_answer(
                            actor=personas.drafter,
                            recommendation=rec,
                            revision=rec.revision,
                            answer="accepted",
                            text="x",
                        )

        @invariant()
        def clocks_and_log_agree(self) -> None:
            version = Version.objects.get(pk=ready.pk)
            active = _active(version)
            clause = CLOCKED.get(version.status)
            if clause:
                assert len(active) == 1 and active[0].clause == clause, (version.status, active)
                assert active[0].due_date == calendar.add_working_days(
                    active[0].start_date, active[0].working_days
                )
            else:
                assert active == []
            log = list(
                VersionTransition.objects.filter(version=version).values_list("source", "target")
            )
            assert log == self.expected
            assert (
                AuditEvent.objects.filter(action__startswith="sqf.version.").count() == self.audits
            )

    Walk.TestCase.settings = settings(
        max_examples=40,
        stateful_step_count=20,
        derandomize=True,  # the same walks on every run, so CI cannot flake
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
    # The walk must reach the far end of the Rules, not stay near the start.
    assert {
        "drafting",
        "council_review",
        "revision",
        "re_review",
        "approved",
        "published",
    } <= REACHED, REACHED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_making_the_same_move_at_once_apply_it_once(
    personas, small_classifiers, monkeypatch
) -> None:
    import threading

    from django.db import connection

    from sbsh.document import services

    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
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
        from django.utils import translation

        translation.activate("en")  # threads do not inherit the test's language
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
    # The losing decision was rolled back with its move: one decision, one audit row.
    assert Decision.objects.filter(version=version).count() == 1
    assert AuditEvent.objects.filter(action="sqf.decision.approve").count() == 1
    # A clear message for the second person: the version has moved on meanwhile.
    assert any("at the same moment" in o or "while the version is" in o for o in outcomes)


def test_the_committed_state_diagram_is_generated_from_the_model() -> None:
    from pathlib import Path

    from sbsh.management.commands.workflow_diagram import DEFAULT, diagram

    assert Path(DEFAULT).read_text(encoding="utf-8") == diagram(), (
        "docs/workflow.dot is out of date: run `python manage.py workflow_diagram` "
        "and `dot -Tsvg docs/workflow.dot -o docs/workflow.svg`"
    )


def test_the_national_body_checks_a_hand_over_and_may_return_it_for_a_technical_reason(
    personas, sqf, monkeypatch, django_capture_on_commit_callbacks, settings
) -> None:
    from exports.models import Rendering
    from exports.services import HANDOVER_DOCUMENTS, _key
    from sbsh.document.content import version_content
    from sbsh.models import Handover

    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr("exports.services._dispatch", lambda rendering_id: None)
    v = _move(personas, sqf.version, "submit", "drafter")
    v = _move(personas, v, "approve", "secretary", today="2024-05-06")
    key = _key(version_content(v))
    for lang, fmt in HANDOVER_DOCUMENTS:
        Rendering.objects.create(
            version=v,
            language=lang,
            format=fmt,
            content_sha256=key,
            status="ready",
            size=1000,
            file_sha256="ab" * 32,
        )
    v = _move(personas, v, "send", "drafter", today="2024-05-07")
    inbox = reverse("sbsh:inbox")
    for who in ("drafter", "secretary", "member", "outsider"):
        assert personas.client_for(getattr(personas, who)).get(inbox).status_code == 403
    page = personas.client_for(personas.officer).get(inbox).content.decode()
    assert 'data-testid="inbox-waiting"' in page and "abababababab" in page
    assert page.count("/download/") == 4
    # The §14 clock was met (sent the day after approval), and shown so.
    assert 'data-testid="handover-clock">' in page
    from django.utils import translation

    # (A page request resets the active language; the message is checked in English.)
    with translation.override("en"), pytest.raises(workflow.WorkflowError, match="reason"):
        _move(personas, v, "return_handover", "officer", today="2024-05-08")
    with django_capture_on_commit_callbacks(execute=True):
        v = _move(
            personas,
            v,
            "return_handover",
            "officer",
            comment="RU PDF ашылмайды",
            today="2024-05-08",
        )
    assert v.status == "approved"
    # The re-send runs on its own, labelled clock; the first §14 clock stays met on the
    # day it was sent and shows that the hand-over came back.
    [clock] = _active(v)
    assert (clock.stage, clock.clause, clock.start_date, clock.due_date) == (
        "handover_resend",
        "§14",
        D("2024-05-08"),
        D("2024-05-14"),
    )
    handover = Handover.objects.get(version=v)
    assert handover.returned_at and handover.return_reason == "RU PDF ашылмайды"
    first = Deadline.objects.get(pk=handover.deadline_id)
    assert (first.stage, first.status, first.completed_on) == (
        "handover",
        "returned",
        D("2024-05-07"),
    )
    assert AuditEvent.objects.filter(action="deadline.returned", object_id=str(first.pk)).exists()
    with translation.override("en"):
        overview = personas.client_for(personas.drafter).get(
            reverse("sbsh:overview", args=[v.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    text = overview.content.decode()
    assert 'data-testid="due-handover_resend"' in text and 'data-testid="due-handover"' in text
    from deadlines.models import Notification

    told = Notification.objects.filter(recipient=personas.drafter, event="moved")
    assert any("returned the hand-over" in n.payload["message"] for n in told)
    v = _move(personas, v, "send", "drafter", today="2024-05-09")
    assert Handover.objects.filter(version=v).count() == 2
    second = Handover.objects.filter(version=v).order_by("-sent_at").first()
    assert (second.deadline.stage, second.deadline.status) == ("handover_resend", "met")
    assert Deadline.objects.get(pk=first.pk).status == "returned"  # unchanged by the re-send
    page = personas.client_for(personas.officer).get(inbox).content.decode()
    assert page.count('data-testid="handover-clock-kind"') == 1
    v = _move(personas, v, "receive", "officer", today="2024-05-10")
    assert Handover.objects.filter(version=v, received_at__isnull=False).count() == 1
