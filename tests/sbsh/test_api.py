"""The REST API per persona: what each may see and do, through the same services and
access rules as the pages; the status is never writable; the registry is public but shows
only published versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from councils.models import AuditEvent
from deadlines.demo import seed_calendar
from sbsh.document import services
from sbsh.models import Comment, Part, Publication, Table1Row, Version
from sbsh.workflow import decisions, grounds
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


def api(personas, who: str | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if who:
        token, _ = Token.objects.get_or_create(user=getattr(personas, who))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def draft(personas, sqf, monkeypatch):
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr(
        "exports.services.handover_documents", lambda version, content=None: ([], [])
    )
    return sqf.version


def _publish(personas, version) -> Version:
    for name, who in [("submit", "drafter")]:
        workflow.version_transition(actor=getattr(personas, who), version=version, name=name)
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=version,
        outcome="approve",
        meeting=decisions.Meeting(timezone.localdate(), "1", 5, 0, 0),
    )
    for name, who in [("send", "drafter"), ("receive", "officer"), ("publish", "officer")]:
        workflow.version_transition(
            actor=getattr(personas, who), version=Version.objects.get(pk=version.pk), name=name
        )
    return Version.objects.get(pk=version.pk)


VERSIONS = "/api/versions/"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("drafter", True),
        ("expert", True),
        ("member", True),
        ("secretary", True),
        ("officer", True),
        ("admin", True),
        ("outsider", False),
    ],
)
def test_each_persona_sees_only_the_versions_of_its_sector(personas, draft, who, sees) -> None:
    listed = api(personas, who).get(VERSIONS)
    assert listed.status_code == 200
    ids = [v["id"] for v in listed.json()["results"]]
    assert (draft.pk in ids) is sees
    detail = api(personas, who).get(f"{VERSIONS}{draft.pk}/")
    assert detail.status_code == (200 if sees else 403)
    parts = api(personas, who).get(f"{VERSIONS}{draft.pk}/parts/")
    assert parts.status_code == (200 if sees else 403)


def test_without_credentials_only_the_public_part_answers(personas, draft) -> None:
    anonymous = api(personas)
    for url in [
        VERSIONS,
        f"{VERSIONS}{draft.pk}/",
        f"{VERSIONS}{draft.pk}/parts/",
        "/api/grounds/",
    ]:
        assert anonymous.get(url).status_code in (401, 403), url
    assert anonymous.get("/api/registry/publications/").status_code == 200
    assert anonymous.get("/api/schema/").status_code == 200
    assert anonymous.get("/api/docs/").status_code == 200


def test_the_status_and_the_owner_cannot_be_written_through_the_api(personas, draft) -> None:
    client = api(personas, "drafter")
    assert client.patch(f"{VERSIONS}{draft.pk}/", {"status": "published"}).status_code == 405
    assert client.put(f"{VERSIONS}{draft.pk}/", {"status": "published"}).status_code == 405
    response = client.put(
        f"{VERSIONS}{draft.pk}/passport/",
        {
            "revision": draft.revision,
            "name_kk": "Жаңа атау",
            "name_ru": "Новое название",
            "status": "published",
            "framework": 999,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    fresh = Version.objects.get(pk=draft.pk)
    assert (fresh.status, fresh.framework_id, fresh.name_ru) == (
        "drafting",
        draft.framework_id,
        "Новое название",
    )
    assert response.json()["status"] == "drafting"


def test_parts_and_rows_are_edited_through_the_services(personas, draft) -> None:
    client = api(personas, "drafter")
    part = Part.objects.get(version=draft, key="analysis")
    url = f"{VERSIONS}{draft.pk}/parts/analysis/"
    ok = client.put(
        url,
        {
            "revision": part.revision,
            "text_kk": "<p>Талдау<script>x</script></p>",
            "text_ru": "<p>Анализ</p>",
        },
        format="json",
    )
    assert ok.status_code == 200, ok.content
    saved = Part.objects.get(pk=part.pk)
    assert saved.text_kk == "<p>Талдау</p>"  # sanitised like in the editor
    assert AuditEvent.objects.filter(action="sqf.part.save", object_id=str(part.pk)).exists()
    stale = client.put(
        url, {"revision": part.revision, "text_kk": "x", "text_ru": "y"}, format="json"
    )
    assert stale.status_code == 409 and Part.objects.get(pk=part.pk).text_kk == "<p>Талдау</p>"
    assert (
        api(personas, "member")
        .put(url, {"revision": saved.revision, "text_kk": "z"}, format="json")
        .status_code
        == 403
    )

    rows = f"{VERSIONS}{draft.pk}/table1/"
    created = client.post(
        rows,
        {
            "section": 2,
            "sqf_level": "4",
            "nqf_level": 4,
            "knowledge_kk": "Білім",
            "knowledge_ru": "Знания",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    row = Table1Row.objects.get(pk=created.json()["id"])
    assert (row.knowledge_ru, row.sqf_level) == ("Знания", "4")
    bad = client.post(rows, {"section": 2, "sqf_level": "9", "nqf_level": 4}, format="json")
    assert bad.status_code == 400 and "sqf_level" in bad.json()
    assert (
        api(personas, "outsider")
        .post(rows, {"section": 2, "sqf_level": "4", "nqf_level": 4}, format="json")
        .status_code
        == 403
    )
    gone = client.delete(f"{rows}{row.pk}/?revision={row.revision}")
    assert gone.status_code == 204 and not Table1Row.objects.filter(pk=row.pk).exists()
    # Once submitted, nobody edits.
    workflow.version_transition(actor=personas.drafter, version=draft, name="submit")
    assert (
        client.post(
            rows, {"section": 1, "sqf_level": "2", "nqf_level": 2}, format="json"
        ).status_code
        == 403
    )


def test_moves_decisions_comments_and_answers_over_the_api(personas, draft) -> None:
    drafter, secretary, member = (api(personas, w) for w in ("drafter", "secretary", "member"))
    moves = drafter.get(f"{VERSIONS}{draft.pk}/moves/").json()
    assert {m["name"] for m in moves} == {"submit", "withdraw"}
    assert (
        member.post(f"{VERSIONS}{draft.pk}/moves/", {"name": "submit"}, format="json").status_code
        == 403
    )
    submitted = drafter.post(f"{VERSIONS}{draft.pk}/moves/", {"name": "submit"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "council_review"
    # A second submit is refused with the reason; approval needs the council's decision.
    again = drafter.post(f"{VERSIONS}{draft.pk}/moves/", {"name": "submit"}, format="json")
    assert again.status_code == 409 and "not possible" in again.json()["detail"]
    assert (
        secretary.post(
            f"{VERSIONS}{draft.pk}/moves/", {"name": "approve"}, format="json"
        ).status_code
        == 409
    )

    comment = member.post(
        f"{VERSIONS}{draft.pk}/comments/",
        {"anchor": "passport", "body": "Нақтылаңыз"},
        format="json",
    )
    assert comment.status_code == 201 and Comment.objects.get().author == personas.member
    assert api(personas, "outsider").get(f"{VERSIONS}{draft.pk}/comments/").status_code == 403

    decision = {
        "outcome": "return",
        "meeting_date": timezone.localdate().isoformat(),
        "protocol_number": "4",
        "votes_for": 5,
        "votes_against": 1,
        "votes_abstained": 0,
        "recommendations": ["Білімді толықтырыңыз"],
    }
    assert (
        member.post(f"{VERSIONS}{draft.pk}/decisions/", decision, format="json").status_code == 403
    )
    returned = secretary.post(f"{VERSIONS}{draft.pk}/decisions/", decision, format="json")
    assert returned.status_code == 201 and returned.json()["status"] == "revision"
    [rec] = drafter.get(f"{VERSIONS}{draft.pk}/recommendations/").json()
    answer = {"revision": rec["revision"], "answer": "rejected", "answer_text": ""}
    refused = drafter.post(f"/api/recommendations/{rec['id']}/answer/", answer, format="json")
    assert refused.status_code == 400 and "answer_text" in refused.json()
    assert (
        api(personas, "outsider")
        .post(f"/api/recommendations/{rec['id']}/answer/", answer, format="json")
        .status_code
        == 404
    )
    answer["answer_text"] = "Білім 4-деңгейде толық."
    answered = drafter.post(f"/api/recommendations/{rec['id']}/answer/", answer, format="json")
    assert answered.status_code == 200 and answered.json()["answer"] == "rejected"
    resubmitted = drafter.post(f"{VERSIONS}{draft.pk}/moves/", {"name": "resubmit"}, format="json")
    assert resubmitted.json()["status"] == "re_review"


def test_the_public_registry_never_shows_an_unpublished_version(personas, draft) -> None:
    public = api(personas)
    assert public.get("/api/registry/publications/").json()["results"] == []
    _publish(personas, draft)
    [item] = public.get("/api/registry/publications/").json()["results"]
    assert (item["framework"], item["number"], item["status"]) == (
        draft.framework_id,
        1,
        "published",
    )
    detail = public.get(f"/api/registry/publications/{item['id']}/").json()
    assert detail["content"]["version"]["number"] == 1
    assert set(detail["documents"]) == {"kk", "ru"}
    # An update in development stays out of the registry.
    services.version_create(actor=personas.drafter, framework=draft.framework, updates=draft)
    assert len(public.get("/api/registry/publications/").json()["results"]) == 1
    assert Publication.objects.count() == 1


def test_grounds_over_the_api_follow_the_same_rules_as_the_pages(personas, draft) -> None:
    ground = grounds.ground_create(
        actor=personas.member,
        kind="proposal",
        council=personas.energy_council,
        year=2025,
        framework=draft.framework,
        justification="x",
    )
    assert [g["id"] for g in api(personas, "member").get("/api/grounds/").json()["results"]] == [
        ground.pk
    ]
    assert api(personas, "secretary").get("/api/grounds/").json()["results"] == []  # a draft
    assert api(personas, "secretary").get(f"/api/grounds/{ground.pk}/").status_code == 403
    assert api(personas, "outsider").get("/api/grounds/").json()["results"] == []


SECTOR = {"drafter", "expert", "member", "secretary", "officer", "admin"}


@pytest.mark.parametrize(
    "who", [None, "drafter", "expert", "member", "secretary", "officer", "admin", "outsider"]
)
def test_every_read_endpoint_answers_each_persona_as_the_rules_say(personas, draft, who) -> None:
    """Every GET endpoint × every persona: the sector's people read, another ministry's
    staff are refused (never a leak through a list), nobody anonymous gets in."""
    workflow.version_transition(actor=personas.drafter, version=draft, name="submit")
    comment = Comment.objects.create(
        version=draft, anchor="passport", anchor_label="Passport", body="x", author=personas.member
    )
    detail = {
        f"{VERSIONS}{draft.pk}/": None,
        f"{VERSIONS}{draft.pk}/parts/": None,
        f"{VERSIONS}{draft.pk}/parts/analysis/": None,
        f"{VERSIONS}{draft.pk}/table1/": None,
        f"{VERSIONS}{draft.pk}/moves/": None,
        f"{VERSIONS}{draft.pk}/comments/": None,
        f"{VERSIONS}{draft.pk}/recommendations/": None,
    }
    client = api(personas, who)
    for url in detail:
        status = client.get(url).status_code
        if who is None:
            assert status in (401, 403), (url, status)
        else:
            assert status == (200 if who in SECTOR else 403), (who, url, status)
    if who is None:
        assert client.get(VERSIONS).status_code in (401, 403)
        return
    listed = {v["id"] for v in client.get(VERSIONS).json()["results"]}
    assert (draft.pk in listed) is (who in SECTOR)
    if who in SECTOR:
        ids = [c["id"] for c in client.get(f"{VERSIONS}{draft.pk}/comments/").json()["results"]]
        assert ids == [comment.pk]
    # The public part answers everyone alike.
    assert client.get("/api/registry/publications/").status_code == 200
    assert client.get("/api/classifiers/editions/").status_code == 200
