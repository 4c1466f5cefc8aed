"""Grounds (Rules §5–§6) and council decisions (§8, §12–§13, §15–§16)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from councils.models import AuditEvent
from deadlines.demo import seed_calendar, seed_grounds_clocks
from deadlines.models import Deadline, Notification
from sbsh.document import checks
from sbsh.models import Decision, Framework, Ground, Version, VersionTransition
from sbsh.workflow import decisions, grounds
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
MEETING = decisions.Meeting(D("2026-04-20"), "3", 9, 1, 1)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _setup(settings, time_machine):
    # Grounds filed in spring 2026, decided at the council's meeting of 20 April.
    time_machine.move_to(dt.datetime(2026, 4, 15, 10, tzinfo=dt.UTC), tick=False)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_calendar()
    with translation.override("en"):
        yield


def _client(personas, who):
    client = personas.client_for(getattr(personas, who))
    client.cookies["sqf_language"] = "en"
    return client


def _clock(ground: Ground) -> Deadline:
    return Deadline.objects.get(content_type__model="ground", object_id=str(ground.pk))


def _proposal(personas, *, framework=None, rows=1, year=2025) -> Ground:
    ground = grounds.ground_create(
        actor=personas.member,
        kind="proposal",
        council=personas.energy_council,
        year=year,
        framework=framework,
        sector_kk="Жаңа сала" if framework is None else "",
        sector_ru="Новая отрасль" if framework is None else "",
        justification="Салада жаңа кәсіптер пайда болды.",
    )
    for i in range(rows):
        grounds.ground_row_add(
            actor=personas.member,
            ground=ground,
            current_text="",
            proposed_text=f"4-деңгей қосу {i}",
            reason="Еңбек нарығы",
        )
    return ground


def test_a_proposal_is_drafted_filed_and_its_section_6_clock_stops(
    personas, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    ground = _proposal(personas)
    clock = _clock(ground)
    # Rules §6: by 31 March of the year after the year analysed (a Tuesday in 2026).
    assert (clock.clause, clock.due_date, clock.organisation) == (
        "§6",
        D("2026-03-31"),
        personas.energy_council,
    )
    # A draft is the author's own: the secretary and the ministry do not see it yet.
    url = reverse("sbsh:ground", args=[ground.pk])
    assert personas.client_for(personas.secretary).get(url).status_code == 403
    assert personas.client_for(personas.drafter).get(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        grounds.ground_file(actor=personas.member, ground=ground, today=D("2026-03-30"))
    ground.refresh_from_db()
    assert ground.status == "filed" and ground.filed_at
    assert Deadline.objects.get(pk=clock.pk).status == "met"
    assert list(
        AuditEvent.objects.filter(object_type="sbsh.ground").values_list("action", flat=True)
    ) == ["sqf.ground.file", "sqf.ground.create.proposal"]
    [note] = Notification.objects.filter(event="moved")
    assert note.recipient == personas.secretary
    assert "filed to the council" in note.message
    assert [m.to for m in mailoutbox] == [[personas.secretary.email]]
    for who, status in [
        ("secretary", 200),
        ("drafter", 200),
        ("member", 200),
        ("expert", 403),
        ("outsider", 403),
        ("officer", 403),
    ]:
        assert personas.client_for(getattr(personas, who)).get(url).status_code == status, who
    listed = personas.client_for(personas.secretary).get(reverse("sbsh:grounds")).content.decode()
    assert "Новая отрасль" in listed or "Жаңа сала" in listed


def test_a_ground_that_lacks_what_section_5_asks_is_not_filed(personas, time_machine) -> None:
    ground = _proposal(personas, rows=0)
    with pytest.raises(ValidationError, match="comparative table"):
        grounds.ground_file(actor=personas.member, ground=ground)
    assert Ground.objects.get(pk=ground.pk).status == "draft"
    assert _clock(ground).status == "overdue"  # 31 March 2026 has passed: still running
    response = _client(personas, "member").post(
        reverse("sbsh:ground-file", args=[ground.pk]), follow=True
    )
    assert "comparative table" in response.content.decode()
    assert Ground.objects.get(pk=ground.pk).status == "draft"


def test_only_council_people_propose_and_only_ministry_staff_analyse(personas) -> None:
    council = personas.energy_council
    with pytest.raises(PermissionError):
        grounds.ground_create(actor=personas.drafter, kind="proposal", council=council, year=2025)
    with pytest.raises(PermissionError):
        grounds.ground_create(actor=personas.member, kind="analysis", council=council, year=2025)
    with pytest.raises(PermissionError):
        grounds.ground_create(
            actor=personas.member, kind="proposal", council=personas.agriculture_council, year=2025
        )
    for who, kind in [("drafter", "proposal"), ("member", "analysis"), ("outsider", "proposal")]:
        response = personas.client_for(getattr(personas, who)).post(
            reverse("sbsh:ground-new", args=[kind, council.pk]), {"year": 2025, "revision": 1}
        )
        assert response.status_code == 403, (who, kind)
    assert not Ground.objects.exists()
    # Someone else's draft cannot be edited, even by a colleague of the same council.
    ground = _proposal(personas)
    response = personas.client_for(personas.secretary).post(
        reverse("sbsh:ground-row", args=[ground.pk]), {"proposed_text": "x", "reason": "y"}
    )
    assert response.status_code == 403 and ground.rows.count() == 1


def test_a_gap_analysis_names_oked_sectors_and_stops_the_state_bodys_clock(
    personas, small_classifiers
) -> None:
    seed_grounds_clocks()  # the demo's §6 clock of each state body, for this year
    body_clock = Deadline.objects.get(
        content_type__model="organisation", object_id=str(personas.energy.pk)
    )
    ground = grounds.ground_create(
        actor=personas.drafter,
        kind="analysis",
        council=personas.energy_council,
        year=body_clock.start_date.year,
        justification="Салалар толық қамтылмаған.",
    )
    oked = small_classifiers["oked:62011"]
    client = personas.client_for(personas.drafter)
    response = client.post(
        reverse("sbsh:ground-gap", args=[ground.pk]),
        {"oked": [oked.pk], "coverage": "none", "note": "ҚБШ жоқ"},
    )
    assert response.status_code == 302
    [gap] = ground.gaps.all()
    assert (gap.oked, gap.coverage) == (oked, "none")
    # An NKZ code is not a sector: refused, nothing written.
    client.post(
        reverse("sbsh:ground-gap", args=[ground.pk]),
        {"oked": [small_classifiers["nkz:2512"].pk], "coverage": "none"},
    )
    assert ground.gaps.count() == 1
    with pytest.raises(ValidationError, match="findings"):
        grounds.ground_file(actor=personas.drafter, ground=ground)
    ground = grounds.ground_save(
        actor=personas.drafter, ground=ground, revision=ground.revision, findings="62011 — жоқ."
    )
    grounds.ground_file(actor=personas.drafter, ground=ground, today=body_clock.start_date)
    assert Deadline.objects.get(pk=body_clock.pk).status == "met"
    assert _clock(ground).status == "met"


def test_the_gap_analysis_page_saves_its_findings(personas) -> None:
    """Regression (found by the DAST scan, bench/dast.py): the analysis form has findings
    and no SQF or sector fields; saving it answered 500 and lost the findings."""
    ground = grounds.ground_create(
        actor=personas.drafter, kind="analysis", council=personas.energy_council, year=2025
    )
    client = personas.client_for(personas.drafter)
    response = client.post(
        reverse("sbsh:ground", args=[ground.pk]),
        {
            "revision": ground.revision,
            "year": 2025,
            "justification": "Салалар толық қамтылмаған.",
            "findings": "62011 — ҚБШ жоқ.",
        },
    )
    assert response.status_code == 302
    ground.refresh_from_db()
    assert (ground.findings, ground.justification) == (
        "62011 — ҚБШ жоқ.",
        "Салалар толық қамтылмаған.",
    )
    [row] = AuditEvent.objects.filter(action="sqf.ground.save")
    assert row.actor == personas.drafter and "findings" in row.changes


def _filed(personas, time_machine, **kwargs) -> Ground:
    """Filed on 15 April; the clock moves on to the day after the council's meeting."""
    ground = _proposal(personas, **kwargs)
    ground = grounds.ground_file(actor=personas.member, ground=ground)
    time_machine.move_to(dt.datetime(2026, 4, 21, 10, tzinfo=dt.UTC), tick=False)
    return ground


def test_a_decision_to_develop_opens_a_version_in_preparation_with_the_section_8_clock(
    personas, django_capture_on_commit_callbacks, time_machine
) -> None:
    ground = _filed(personas, time_machine)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decisions.decision_on_grounds(
            actor=personas.secretary,
            council=personas.energy_council,
            grounds=[ground],
            outcome="develop",
            meeting=MEETING,
            sector_kk="Жаңа сала",
            sector_ru="Новая отрасль",
        )
    version = Version.objects.get(pk=decision.opened_version_id)
    assert version.status == "preparation" and version.number == 1
    assert version.framework.state_body == personas.energy
    assert Ground.objects.get(pk=ground.pk).status == "decided"
    [clock] = Deadline.objects.filter(content_type__model="version", object_id=str(version.pk))
    # Rules §8: 60 working days after the day of the decision (Monday 20 April 2026),
    # past 1, 7 and 11 May (9 May moved from Saturday) and the Kurban ait days off.
    assert (clock.clause, clock.start_date, clock.working_days) == ("§8", D("2026-04-20"), 60)
    assert clock.due_date == D("2026-07-20")
    assert clock.organisation == personas.energy
    [log] = VersionTransition.objects.filter(version=version)
    assert (log.name, log.target, log.clause) == ("open", "preparation", "Rules §8")
    assert AuditEvent.objects.filter(action="sqf.decision.develop", object_id=str(decision.pk))
    notified = set(
        Notification.objects.filter(event="moved").values_list("recipient__username", flat=True)
    )
    assert {"drafter", "member"} <= notified  # the ministry, and the proposal's author
    assert Notification.objects.get(recipient=personas.drafter, event="moved").deadline == clock
    # The preparatory work ends only when the six §8 results are in the document.
    items = checks.preparation_checklist(version)
    assert len(items) == 6 and not any(i.done for i in items)
    with pytest.raises(workflow.WorkflowError, match="Rules §8"):
        workflow.version_transition(
            actor=personas.drafter, version=version, name="finish_preparation"
        )
    assert Version.objects.get(pk=version.pk).status == "preparation"


def test_an_update_copies_the_published_version_and_records_its_section_15_ground(
    personas, sqf, time_machine
) -> None:
    from sbsh.document.content import version_content

    framework = sqf.version.framework
    ground = _filed(personas, time_machine, framework=framework)
    kwargs = {
        "actor": personas.secretary,
        "council": personas.energy_council,
        "grounds": [ground],
        "outcome": "update",
        "meeting": MEETING,
        "framework": framework,
        "update_reasons": [decisions.UpdateReasonInput("nkz", "ҰКС өзгерді.", codes="NKZ:2512")],
    }
    with pytest.raises(ValidationError, match="in development"):
        decisions.decision_on_grounds(**kwargs)  # v1 is still being drafted
    Version.objects.filter(pk=sqf.version.pk).update(status="published")
    with pytest.raises(ValidationError, match="Rules §15"):
        decisions.decision_on_grounds(**{**kwargs, "update_reasons": []})
    assert not Decision.objects.exists() and Ground.objects.get(pk=ground.pk).status == "filed"
    decision = decisions.decision_on_grounds(**kwargs)
    v2 = decision.opened_version
    assert (v2.number, v2.status, v2.update_ground, v2.updates_id) == (
        2,
        "preparation",
        "nkz",
        sqf.version.pk,
    )
    old, new = version_content(sqf.version), version_content(v2)
    assert new["parts"] == old["parts"] and new["table1"] == old["table1"]


def test_a_declined_ground_opens_nothing(personas, time_machine) -> None:
    ground = _filed(personas, time_machine)
    decisions.decision_on_grounds(
        actor=personas.secretary,
        council=personas.energy_council,
        grounds=[ground],
        outcome="decline",
        meeting=decisions.Meeting(D("2026-04-20"), "4", 2, 8, 0),
    )
    assert not Framework.objects.exists()
    assert Ground.objects.get(pk=ground.pk).status == "decided"
    # A decided ground cannot be decided again.
    with pytest.raises(ValidationError, match="not yet decided"):
        decisions.decision_on_grounds(
            actor=personas.secretary,
            council=personas.energy_council,
            grounds=[ground],
            outcome="decline",
            meeting=MEETING,
        )


def _post_decision(client, council, ground, **extra):
    data = {
        "grounds": [ground.pk],
        "meeting_date": "2026-04-20",
        "protocol_number": "5",
        "votes_for": 8,
        "votes_against": 0,
        "votes_abstained": 1,
        "outcome": "develop",
        "sector_kk": "Жаңа сала",
        "sector_ru": "Новая отрасль",
        **extra,
    }
    return client.post(reverse("sbsh:decide-grounds", args=[council.pk]), data)


def test_the_secretary_records_a_decision_with_its_protocol_file(
    personas, settings, tmp_path, time_machine
):
    settings.MEDIA_ROOT = tmp_path
    settings.SQF_PROTOCOL_MAX_BYTES = 2048
    ground = _filed(personas, time_machine)
    council = personas.energy_council
    secretary = _client(personas, "secretary")
    for upload, message in [
        (SimpleUploadedFile("p.pdf", b"MZ\x90\x00 not a pdf"), "complete PDF"),
        (SimpleUploadedFile("p.pdf", PDF[:20]), "complete PDF"),
        (SimpleUploadedFile("p.pdf", b"%PDF-" + b"0" * 4096 + b"%%EOF"), "the limit is"),
    ]:
        response = _post_decision(secretary, council, ground, protocol_file=upload)
        assert response.status_code == 422
        assert message in response.content.decode()
    assert not Decision.objects.exists() and not list(tmp_path.rglob("*.pdf"))
    for who in ("member", "drafter", "officer"):
        response = _post_decision(_client(personas, who), council, ground)
        assert response.status_code == 403
    response = _post_decision(
        secretary, council, ground, protocol_file=SimpleUploadedFile("p.pdf", PDF)
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sbsh:overview", args=[decision.opened_version_id])
    assert (decision.votes_for, decision.votes_abstained, decision.protocol_number) == (8, 1, "5")
    assert decision.protocol_file.read() == PDF
    url = reverse("sbsh:decision-protocol", args=[decision.pk])
    download = personas.client_for(personas.drafter).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert personas.client_for(personas.outsider).get(url).status_code == 403
    page = _client(personas, "member").get(reverse("sbsh:decision", args=[decision.pk]))
    assert "for 8, against 0, abstained 1" in page.content.decode()
