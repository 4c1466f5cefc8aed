"""Issue 18 (the Rules, second reading): the §13 revision clock, updates on §15 grounds,
the smaller points."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from deadlines.models import Deadline
from sbsh.document import services_tables
from sbsh.models import Version
from sbsh.workflow import grounds
from tests.sbsh.workflow.conftest import ready  # noqa: F401  (a fixture)
from tests.sbsh.workflow.test_workflow import _active, _move

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


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


# --- item 3: an update decided on §15 grounds alone ----------------------------------------------

UPDATE_MEETING = {
    "meeting_date": "2026-04-20",
    "protocol_number": "9",
    "votes_for": 8,
    "votes_against": 1,
}


@pytest.fixture
def published(personas, sqf, time_machine):
    from deadlines.demo import seed_calendar

    time_machine.move_to(dt.datetime(2026, 4, 22, 10, tzinfo=dt.UTC), tick=False)
    seed_calendar()
    Version.objects.filter(pk=sqf.version.pk).update(status="published")
    return sqf


def _update(personas, published, reasons, grounds=()):
    from sbsh.workflow import decisions

    return decisions.decision_on_grounds(
        actor=personas.secretary,
        council=personas.energy_council,
        grounds=list(grounds),
        outcome="update",
        meeting=decisions.Meeting(D("2026-04-20"), "9", 8, 1, 0),
        framework=published.version.framework,
        update_reasons=reasons,
    )


def test_the_council_decides_an_update_on_section_15_grounds_without_any_section_5_ground(
    personas, published
) -> None:
    from councils.models import AuditEvent
    from sbsh.models import Decision
    from sbsh.workflow.decisions import UpdateReasonInput

    decision = _update(
        personas,
        published,
        [
            UpdateReasonInput("labour_market", "Жаңа кәсіптерге сұраныс өсті."),
            UpdateReasonInput("nkz", "ҰКС-ке жаңа кәсіп енгізілді.", "NKZ:2512, OKED:62.01.1"),
        ],
    )
    decision = Decision.objects.get(pk=decision.pk)
    assert decision.grounds.count() == 0 and decision.outcome == "update"
    reasons = list(decision.update_reasons.order_by("id"))
    # Kept in the order of §15, each with its explanation; §15.2 with its codes.
    assert [(r.ground, r.clause) for r in reasons] == [("nkz", "15.2"), ("labour_market", "15.4")]
    assert reasons[0].explanation == "ҰКС-ке жаңа кәсіп енгізілді."
    assert sorted(f"{n.edition.classifier}:{n.code}" for n in reasons[0].codes.all()) == [
        "nkz:2512",
        "oked:62011",
    ]
    v2 = decision.opened_version
    assert (v2.status, v2.update_ground, v2.updates_id) == (
        "preparation",
        "nkz",
        published.version.pk,
    )
    event = AuditEvent.objects.get(action="sqf.decision.update")
    assert event.changes["update_grounds"] == {
        "15.2": ["nkz:2512", "oked:62011"],
        "15.4": [],
    }
    [clock] = _active(v2)
    assert (clock.clause, clock.start_date) == ("§8", D("2026-04-20"))


@pytest.mark.parametrize(
    ("reasons", "message"),
    [
        ([], "at least one ground"),
        ([("nqf", "")], "Explain what changed (Rules §15.1)"),
        ([("nkz", "ҰКС өзгерді.")], "Name the classifier codes"),
        ([("nkz", "ҰКС өзгерді.", "NKZ:9999")], "‘NKZ:9999’ is not a code"),
        ([("nkz", "ҰКС өзгерді.", "FOO:2512")], "‘FOO:2512’ is not a code"),
        ([("nqf", "a"), ("nqf", "b")], "each ground for the update once"),
        ([("bogus", "x")], "each ground for the update once"),
    ],
)
def test_an_update_without_an_explained_section_15_ground_is_refused_and_writes_nothing(
    personas, published, reasons, message
) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from councils.models import AuditEvent
    from sbsh.models import Decision
    from sbsh.workflow.decisions import UpdateReasonInput

    with translation.override("en"), pytest.raises(ValidationError, match=re.escape(message)):
        _update(personas, published, [UpdateReasonInput(*r) for r in reasons])
    assert not Decision.objects.exists()
    assert Version.objects.filter(framework=published.version.framework).count() == 1
    assert not AuditEvent.objects.filter(action__startswith="sqf.decision").exists()


def test_develop_and_decline_still_need_a_section_5_ground(personas, published) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from sbsh.workflow import decisions

    for outcome in ("develop", "decline"):
        with translation.override("en"), pytest.raises(ValidationError, match="Rules §5"):
            decisions.decision_on_grounds(
                actor=personas.secretary,
                council=personas.energy_council,
                grounds=[],
                outcome=outcome,
                meeting=decisions.Meeting(D("2026-04-20"), "9", 8, 1, 0),
                sector_kk="Жаңа",
                sector_ru="Новая",
            )


def test_the_decision_page_is_prefilled_from_a_link_and_records_an_update(
    personas, published
) -> None:
    from django.urls import reverse

    from sbsh.models import Decision

    url = reverse("sbsh:decide-grounds", args=[personas.energy_council.pk])
    framework = published.version.framework
    client = personas.client_for(personas.secretary)
    client.cookies["sqf_language"] = "en"
    page = client.get(f"{url}?ground=15.2&codes=NKZ:2512,OKED:62011&framework={framework.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    # No ground is filed, yet the form is there: an update needs none (Rules §15–§16).
    assert 'data-testid="no-grounds"' in html
    assert 'value="nkz" id="id_update_grounds_1" checked>' in html
    assert 'value="nqf" id="id_update_grounds_0">' in html  # only the ground linked to
    assert 'value="NKZ:2512, OKED:62011"' in html
    assert f'<option value="{framework.pk}" selected>' in html
    assert 'value="update" required id="id_outcome_1" checked>' in html
    # The same link by anyone but the council's secretary: refused.
    for who in ("member", "drafter", "outsider"):
        assert personas.client_for(getattr(personas, who)).get(url).status_code == 403
    data = {
        **UPDATE_MEETING,
        "votes_abstained": 0,
        "outcome": "update",
        "framework": framework.pk,
        "update_grounds": ["nkz", "nqf"],
        "explanation_nkz": "ҰКС-ке жаңа кәсіп енгізілді.",
        "codes": "NKZ:2512",
        "explanation_nqf": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 422
    assert "Explain what changed (Rules §15.1)" in refused.content.decode()
    assert not Decision.objects.exists()
    # A member cannot post it either.
    assert personas.client_for(personas.member).post(url, data).status_code == 403
    data["explanation_nqf"] = "ҰБШ дескрипторлары жаңартылды."
    response = client.post(url, data)
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sbsh:overview", args=[decision.opened_version_id])
    assert sorted(decision.update_reasons.values_list("ground", flat=True)) == ["nkz", "nqf"]
    detail = client.get(reverse("sbsh:decision", args=[decision.pk])).content.decode()
    assert 'data-testid="update-reasons"' in detail and "2512" in detail
    assert "ҰБШ дескрипторлары жаңартылды." in detail


# --- item 6: work experience on vertical career moves (Rules §8.4) -----------------------------------


def _two_levels(personas, sqf):
    from sbsh.document import services_tables

    a = services_tables.table2_entry_add(
        actor=personas.drafter,
        version=sqf.version,
        sqf_level="4",
        occupation_id=sqf.nodes["nkz:2512-1-001"].pk,
    )
    b = services_tables.table2_entry_add(
        actor=personas.drafter,
        version=sqf.version,
        sqf_level="5",
        occupation_id=sqf.nodes["nkz:2512-1-002"].pk,
    )
    return a, b


def test_a_vertical_move_without_work_experience_leaves_section_8_4_open(personas, sqf) -> None:
    from django.urls import reverse
    from django.utils import translation

    from councils.models import AuditEvent
    from sbsh.document import checks
    from sbsh.models import ProgressionLink

    a, b = _two_levels(personas, sqf)
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    url = reverse("sbsh:table2-link", args=[sqf.version.pk])
    client.post(url, {"source": a.pk, "target": b.pk})
    link = ProgressionLink.objects.get()
    assert (link.kind, link.experience_years) == ("vertical", None)
    item = next(i for i in checks.preparation_checklist(sqf.version) if i.clause == "Rules §8.4")
    assert not item.done
    with translation.override("en"):
        page = client.get(reverse("sbsh:table2", args=[sqf.version.pk])).content.decode()
    assert "work experience not recorded (Rules §8.4)" in page
    # Bad input: refused, nothing written.
    exp_url = reverse("sbsh:table2-link-experience", args=[sqf.version.pk, link.pk])
    client.post(exp_url, {"experience_years": "99"})
    assert ProgressionLink.objects.get().experience_years is None
    # Someone who may not edit the SQF: refused.
    for who in ("member", "outsider"):
        response = personas.client_for(getattr(personas, who)).post(
            exp_url, {"experience_years": "3"}
        )
        assert response.status_code in (403, 404)
    assert ProgressionLink.objects.get().experience_years is None
    response = client.post(
        exp_url,
        {
            "experience_years": "3",
            "experience_note_kk": "4-деңгейде бағдарламашы ретінде",
            "experience_note_ru": "программистом на 4 уровне",
        },
    )
    assert response.status_code == 302
    link = ProgressionLink.objects.get()
    assert (link.experience_years, link.experience_note_ru) == (3, "программистом на 4 уровне")
    event = AuditEvent.objects.get(action="sqf.table2.link.experience")
    assert event.changes["experience_years"] == 3 and event.changes["before"] is None
    item = next(i for i in checks.preparation_checklist(sqf.version) if i.clause == "Rules §8.4")
    assert item.done
    with translation.override("en"):
        page = client.get(reverse("sbsh:table2", args=[sqf.version.pk])).content.decode()
    assert "3 years of work experience" in page


def test_work_experience_travels_with_the_content_and_is_printed(personas, sqf) -> None:
    from exports.layout import document_model
    from sbsh.document.content import version_content

    a, b = _two_levels(personas, sqf)
    services_tables.progression_link_add(
        actor=personas.drafter,
        version=sqf.version,
        source=a,
        target=b,
        experience_years=2,
        experience_note_kk="кемінде 2 жыл",
    )
    content = version_content(sqf.version)
    [link] = content["table2"]["links"]
    assert (link["experience_years"], link["experience_note_kk"]) == (2, "кемінде 2 жыл")
    kk = document_model(content, "kk")
    assert kk.table2["links"][0]["experience"] == "жұмыс тәжірибесі (жыл): 2 — кемінде 2 жыл"
    ru = document_model(content, "ru")
    assert ru.table2["links"][0]["experience"] == "опыт работы (лет): 2"


# --- item 9: the smaller points -----------------------------------------------------------------


def test_a_secretary_records_a_proposal_only_on_a_named_members_behalf(personas) -> None:
    """Rules §5.1: proposals of the council's members ("мүшелерінің")."""
    from django.core.exceptions import ValidationError
    from django.urls import reverse
    from django.utils import translation

    from councils.models import AuditEvent
    from sbsh.models import Ground

    council = personas.energy_council
    with translation.override("en"):
        with pytest.raises(ValidationError, match="name the member"):
            grounds.ground_create(
                actor=personas.secretary, kind="proposal", council=council, year=2025
            )
        with pytest.raises(ValidationError, match="member of this council"):
            grounds.ground_create(
                actor=personas.secretary,
                kind="proposal",
                council=council,
                year=2025,
                on_behalf_of=personas.drafter,
            )
    assert not Ground.objects.exists()
    # The form asks the secretary for the member, and a member for nobody.
    url = reverse("sbsh:ground-new", args=["proposal", council.pk])
    secretary = personas.client_for(personas.secretary)
    assert 'name="on_behalf_of"' in secretary.get(url).content.decode()
    member = personas.client_for(personas.member)
    assert 'name="on_behalf_of"' not in member.get(url).content.decode()
    refused = secretary.post(url, {"revision": 1, "year": 2025, "sector_kk": "a", "sector_ru": "b"})
    assert refused.status_code == 422 and not Ground.objects.exists()
    response = secretary.post(
        url,
        {
            "revision": 1,
            "year": 2025,
            "sector_kk": "Жаңа сала",
            "sector_ru": "Новая отрасль",
            "on_behalf_of": personas.member.pk,
        },
    )
    assert response.status_code == 302
    ground = Ground.objects.get()
    assert (ground.created_by, ground.on_behalf_of) == (personas.secretary, personas.member)
    event = AuditEvent.objects.get(action="sqf.ground.create.proposal")
    assert event.changes["on_behalf_of"] == personas.member.pk
    secretary.cookies["sqf_language"] = "en"
    page = secretary.get(reverse("sbsh:ground", args=[ground.pk])).content.decode()
    assert "on behalf of the council member" in page
    assert "analysis carried out in 2025" in page
    # A member's own proposal is theirs, on nobody's behalf.
    own = grounds.ground_create(
        actor=personas.member,
        kind="proposal",
        council=council,
        year=2025,
        sector_kk="Жаңа сала",
        sector_ru="Новая отрасль",
    )
    assert own.on_behalf_of is None


def test_the_ground_year_is_labelled_as_the_year_the_analysis_was_carried_out(personas) -> None:
    """Rules §6 "талдау жүргізілген жыл", in each language."""
    from django.urls import reverse

    url = reverse("sbsh:ground-new", args=["analysis", personas.energy_council.pk])
    client = personas.client_for(personas.drafter)
    for lang, label in [
        ("en", "Year the analysis was carried out"),
        ("kk", "Талдау жүргізілген жыл"),
        ("ru", "Год проведения анализа"),
    ]:
        client.cookies["sqf_language"] = lang
        assert label in client.get(url).content.decode(), lang


def test_table_1_prints_the_fill_in_line_under_its_caption(personas, sqf) -> None:
    """Annex §9: the form's line under the Table 1 caption, filled with the sector."""
    import io

    import docx

    from exports.docx import render_docx
    from exports.pdf import render_html
    from sbsh.document.content import version_content

    content = version_content(sqf.version)
    html = render_html(content, "kk")
    assert '<div class="caption" data-testid="t1-fill"><u>Сынақ саласы</u></div>' in html
    assert "<u>Тестовая отрасль</u>" in render_html(content, "ru")
    document = docx.Document(io.BytesIO(render_docx(content, "ru")))
    texts = [p.text for p in document.paragraphs]
    caption = texts.index("Таблица 1. Описание уровней квалификаций ОРК")
    assert texts[caption + 1] == "Тестовая отрасль"
    assert document.paragraphs[caption + 1].runs[0].underline


def test_the_sector_analysis_editor_shows_the_annex_5_items_as_guidance(personas, sqf) -> None:
    from django.urls import reverse

    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    page = client.get(reverse("sbsh:part", args=[sqf.version.pk, "analysis"])).content.decode()
    assert 'data-testid="annex5-guidance"' in page
    assert "the expected demand for and supply of labour" in page
    other = client.get(reverse("sbsh:part", args=[sqf.version.pk, "general"])).content.decode()
    assert 'data-testid="annex5-guidance"' not in other


# --- item 8: local policy told apart from the Rules -------------------------------------------------


def test_every_local_policy_has_a_reason_and_a_place_and_the_checklist_says_policy() -> None:
    from django.utils import translation

    from sbsh.templatetags.sqf import localize_clause
    from sbsh.workflow.policy import POLICIES

    assert len(POLICIES) >= 9
    for policy in POLICIES.values():
        assert str(policy.reason) and ":" in policy.where, policy.key
    with translation.override("en"):
        assert localize_clause("policy:sublevels_without_gaps").startswith("policy: Sub-levels")
        assert localize_clause("Rules §9") == "Rules §9"


def test_an_administrator_switches_a_policy_off_and_the_check_and_moves_follow(
    personas,
    ready,  # noqa: F811
) -> None:
    from django.core.exceptions import ValidationError

    from councils.models import AuditEvent
    from sbsh.document import services
    from sbsh.models import PolicySwitch
    from sbsh.workflow import decisions
    from sbsh.workflow import moves as workflow

    v = _move(personas, ready, "submit", "drafter", today="2024-05-02")
    v = _move(
        personas, v, "return_for_revision", "secretary", comment="Толықтыр", today="2024-05-03"
    )
    assert any("local policy" in b for b in workflow.blockers(v, "resubmit"))
    with pytest.raises(PermissionError):
        services.policy_switch_set(
            actor=personas.drafter, key="recommendations_answered", enabled=False
        )
    # A policy whose absence would lose data cannot be switched off.
    with pytest.raises(ValidationError):
        services.policy_switch_set(actor=personas.admin, key="decision_meeting_date", enabled=False)
    assert not PolicySwitch.objects.exists()
    services.policy_switch_set(actor=personas.admin, key="recommendations_answered", enabled=False)
    event = AuditEvent.objects.get(action="sqf.policy.switch")
    assert event.changes == {"key": "recommendations_answered", "before": True, "enabled": False}
    assert workflow.blockers(v, "resubmit") == []
    v = _move(personas, v, "resubmit", "drafter", today="2024-05-06")
    assert v.status == "re_review"
    # A decision by a slim majority, then no majority: the policy refuses, unless off.
    tie = decisions.Meeting(D("2024-05-07"), "", 3, 3, 0)
    with pytest.raises(ValidationError) as refused:
        decisions.decision_on_draft(
            actor=personas.secretary, version=v, outcome="approve", meeting=tie
        )
    assert set(refused.value.message_dict) == {"protocol_number", "votes_for"}
    services.policy_switch_set(actor=personas.admin, key="decision_majority", enabled=False)
    services.policy_switch_set(actor=personas.admin, key="decision_protocol_number", enabled=False)
    decisions.decision_on_draft(actor=personas.secretary, version=v, outcome="approve", meeting=tie)
    assert Version.objects.get(pk=v.pk).status == "approved"


def test_the_policy_switches_are_edited_in_the_admin(personas) -> None:
    from django.urls import reverse

    from councils.models import AuditEvent
    from sbsh.models import PolicySwitch

    admin = personas.client_for(personas.admin)
    url = reverse("admin:sbsh_policyswitch_add")
    refused = admin.post(url, {"key": "decision_meeting_date", "enabled": ""})
    assert refused.status_code == 200 and not PolicySwitch.objects.exists()
    response = admin.post(url, {"key": "at_least_one_standard", "enabled": ""})
    assert response.status_code == 302
    switch = PolicySwitch.objects.get()
    assert (switch.key, switch.enabled, switch.changed_by) == (
        "at_least_one_standard",
        False,
        personas.admin,
    )
    assert AuditEvent.objects.filter(action="sqf.policy.switch").count() == 1
    assert personas.client_for(personas.drafter).get(url).status_code in (302, 403)


# --- item 10: NQF level descriptors as data, loaded by an administrator ---------------------------

NQF_CSV = (
    "level,descriptor,text_kk,text_ru,source,source_date\n"
    "4,knowledge,Сынақ білімі (тест),Тестовые знания,Test source (not the official text),2024-01-15\n"
    "4,skills,Сынақ дағдысы,Тестовые навыки,Test source (not the official text),2024-01-15\n"
    "4,competences,Сынақ құзыреті,Тестовые компетенции,Test source (not the official text),2024-01-15\n"
)


def test_the_editor_says_not_loaded_until_an_administrator_loads_the_nqf(
    personas, sqf, tmp_path
) -> None:
    from django.core.management import CommandError, call_command
    from django.urls import reverse

    from classifiers.models import NqfDescriptor
    from councils.models import AuditEvent

    row = services_tables.table1_row_create(
        actor=personas.drafter, version=sqf.version, section=2, sqf_level="4", nqf_level=4
    )
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "ru"
    url = reverse("sbsh:table1-edit", args=[sqf.version.pk, row.pk])
    assert 'data-testid="nqf-not-loaded"' in client.get(url).content.decode()
    assert not NqfDescriptor.objects.exists()  # nothing shipped
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "level,descriptor,text_kk,text_ru,source,source_date\n"
        "9,knowledge,a,b,c,2024-01-01\n"
        "4,wisdom,a,b,c,2024-01-01\n"
        "4,skills,,b,c,01.01.2024\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("load_classifier", "nqf", str(bad))
    assert not NqfDescriptor.objects.exists()
    good = tmp_path / "nqf.csv"
    good.write_text(NQF_CSV, encoding="utf-8")
    call_command("load_classifier", "nqf", str(good), "--dry-run")
    assert not NqfDescriptor.objects.exists()
    call_command("load_classifier", "nqf", str(good))
    assert NqfDescriptor.objects.filter(level=4).count() == 3
    assert AuditEvent.objects.filter(action="classifier.nqf.import").exists()
    page = client.get(url).content.decode()
    assert 'data-testid="nqf-not-loaded"' not in page
    assert "Тестовые знания" in page and "Test source (not the official text)" in page
    # Level 5 has nothing loaded: said so.
    row5 = services_tables.table1_row_create(
        actor=personas.drafter, version=sqf.version, section=2, sqf_level="5", nqf_level=5
    )
    other = client.get(reverse("sbsh:table1-edit", args=[sqf.version.pk, row5.pk]))
    assert 'data-testid="nqf-not-loaded"' in other.content.decode()


def test_an_administrator_corrects_a_descriptor_in_the_admin(personas, tmp_path) -> None:
    from django.core.management import call_command
    from django.urls import reverse

    from classifiers.models import NqfDescriptor
    from councils.models import AuditEvent

    path = tmp_path / "nqf.csv"
    path.write_text(NQF_CSV, encoding="utf-8")
    call_command("load_classifier", "nqf", str(path))
    d = NqfDescriptor.objects.get(level=4, kind="knowledge")
    url = reverse("admin:classifiers_nqfdescriptor_change", args=[d.pk])
    response = personas.client_for(personas.admin).post(
        url,
        {
            "level": 4,
            "kind": "knowledge",
            "text_kk": d.text_kk,
            "text_ru": "Исправленный текст",
            "source": d.source,
            "source_date": "2024-01-15",
        },
    )
    assert response.status_code == 302
    assert NqfDescriptor.objects.get(pk=d.pk).text_ru == "Исправленный текст"
    assert AuditEvent.objects.filter(action="classifier.nqf.update").exists()
    assert personas.client_for(personas.drafter).get(url).status_code in (302, 403)


# --- clauses the coverage page found without a test (Rules §2, §4, §11; Annex §2–§8) -------------


def test_every_narrative_part_of_the_annex_is_required_in_both_languages() -> None:
    """Annex §2–§8: passport, general provisions, current state (five process sections),
    analysis, occupations and conclusions; the standards of Annex §7 have their own rule."""
    from sbsh.document import compliance as c
    from tests.sbsh.document.test_compliance import good

    s = good()
    for key, _clause in c.PARTS:
        s.parts[key]["kk"] = ""
    found = [f for f in c.check(s) if f.part in {k for k, _c in c.PARTS}]
    assert {f.clause for f in found} == {
        "Annex §2",
        "Annex §3",
        "Annex §4",
        "Annex §5",
        "Annex §6",
        "Annex §8",
    }
    assert all(f.blocking and f.language == "kk" for f in found)


@pytest.mark.parametrize(
    ("msgid", "kk", "ru"),
    [("SQF", "СБШ", "ОРК"), ("NQF level", "ҰБШ деңгейі", "Уровень НРК")],
)
def test_the_interface_uses_the_official_terms_of_the_glossary(msgid, kk, ru) -> None:
    """Rules §2: the terms as the Rules define them, in Kazakh and Russian."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override("kk"):
        assert gettext(msgid) == kk
    with translation.override("ru"):
        assert gettext(msgid).lower() == ru.lower()


@pytest.mark.django_db
def test_the_state_body_develops_its_own_sqf_and_drafting_runs_20_working_days(
    personas, sqf, monkeypatch
) -> None:
    """Rules §4: the state body develops the SQF (another ministry may not move it);
    Rules §11: drafting within 20 working days after the preparatory work."""
    from deadlines.demo import seed_calendar
    from deadlines.models import Deadline
    from deadlines.services import work_calendar
    from sbsh.document import checks
    from sbsh.models import Version
    from sbsh.workflow import moves as workflow

    seed_calendar()
    Version.objects.filter(pk=sqf.version.pk).update(status="preparation")
    monkeypatch.setattr(
        checks,
        "preparation_checklist",
        lambda version: [checks.ChecklistItem("Rules §8.1", "x", True, "sbsh:overview")],
    )
    version = Version.objects.get(pk=sqf.version.pk)
    with pytest.raises(PermissionError):
        workflow.version_transition(
            actor=personas.outsider, version=version, name="finish_preparation"
        )
    workflow.version_transition(
        actor=personas.drafter, version=version, name="finish_preparation", today=D("2025-01-02")
    )
    [clock] = Deadline.objects.filter(object_id=str(version.pk), stage="drafting")
    assert (clock.clause, clock.working_days) == ("§11", 20)
    assert clock.due_date == work_calendar().add_working_days(D("2025-01-02"), 20)
    assert clock.organisation == personas.energy


# --- item 5: the working group of Rules §7, per SQF version -----------------------------------------


def test_a_participant_works_only_on_the_versions_whose_working_group_lists_them(
    personas, sqf
) -> None:
    from django.urls import reverse

    from councils.models import AuditEvent
    from sbsh.document import services
    from sbsh.models import WorkingGroupMember

    _fw, other = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Басқа сала",
        sector_ru="Другая отрасль",
    )
    expert = personas.client_for(personas.expert)
    expert.cookies["sqf_language"] = "en"
    # Listed in sqf.version's group (tests/sbsh/conftest.py), not in the other SQF's.
    assert expert.get(reverse("sbsh:table1", args=[sqf.version.pk])).status_code == 200
    assert expert.get(reverse("sbsh:overview", args=[other.pk])).status_code == 403
    assert "Другая отрасль" not in expert.get(reverse("sbsh:list")).content.decode()
    url = reverse("sbsh:working-group", args=[other.pk])
    data = {"user": personas.expert.pk, "category": "employers", "organisation": "«Атамекен»"}
    # Only the state body's staff add: not the participant, not the council.
    for who in ("expert", "member", "outsider"):
        assert personas.client_for(getattr(personas, who)).post(url, data).status_code == 403
    assert not WorkingGroupMember.objects.filter(version=other).exists()
    drafter = personas.client_for(personas.drafter)
    drafter.cookies["sqf_language"] = "en"
    refused = drafter.post(url, {**data, "category": "astrologer"})
    assert refused.status_code == 422
    assert drafter.post(url, data).status_code == 302
    member = WorkingGroupMember.objects.get(version=other)
    assert (member.user, member.category, member.organisation) == (
        personas.expert,
        "employers",
        "«Атамекен»",
    )
    assert AuditEvent.objects.filter(action="sqf.working_group.add").count() == 2
    expert = personas.client_for(personas.expert)
    assert expert.get(reverse("sbsh:table1", args=[other.pk])).status_code == 200
    # The council sees the composition.
    page = personas.client_for(personas.secretary)
    page.cookies["sqf_language"] = "en"
    html = page.get(url).content.decode()
    assert "employers&#x27; association" in html and "«Атамекен»" in html
    assert 'data-testid="working-group-add"' not in html
    remove = reverse("sbsh:working-group-remove", args=[other.pk, member.pk])
    assert personas.client_for(personas.member).post(remove).status_code == 403
    assert drafter.post(remove).status_code == 302
    assert not WorkingGroupMember.objects.filter(version=other).exists()
    assert AuditEvent.objects.filter(action="sqf.working_group.remove").exists()
    expert = personas.client_for(personas.expert)
    assert expert.get(reverse("sbsh:overview", args=[other.pk])).status_code == 403


def test_only_a_participant_of_the_state_body_joins_its_working_group(personas, sqf) -> None:
    from django.core.exceptions import ValidationError

    from sbsh.document import services
    from sbsh.models import WorkingGroupMember

    with pytest.raises(ValidationError, match="Rules §7"):
        services.working_group_add(
            actor=personas.drafter, version=sqf.version, user=personas.member, category="expert"
        )
    with pytest.raises(PermissionError):
        services.working_group_add(
            actor=personas.outsider, version=sqf.version, user=personas.expert, category="expert"
        )
    assert WorkingGroupMember.objects.filter(version=sqf.version).count() == 1
