"""Issue 15, "Hardening, second round": one regression test (or more) per numbered item,
each written against a reproduction that failed on main before the fix.

1. a C0 control character in SQF content froze an approved version;
2. anonymous 500s from Unicode digits, 25-digit ids and NUL in filters;
3. signed-in 500s (comment parent, pickers, ?ground=, API ids, deep JSON, 1e400, IIN);
4. a refused API create still wrote a row;
5. signers' IINs shown to people who need not see them;
6. races (PostgreSQL, threads: tests/test_hardening_races.py);
7. answers to an earlier round of recommendations could be rewritten;
8. open redirect after saving a part;
9. small leaks: §6 clocks of a draft analysis; the comment-id oracle.
"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from classifiers.rows import ImportRejected
from classifiers.services import classifier_import
from councils.models import AuditEvent, iin_bin_validate
from deadlines.demo import seed_calendar
from deadlines.models import Deadline, FeedToken
from exports.models import Rendering
from sbsh.document import services, services_tables
from sbsh.models import Comment, Part, Recommendation, Table1Row, Version, VersionTransition
from sbsh.workflow import decisions, grounds
from sbsh.workflow import moves as workflow
from tests.classifiers.conftest import canonical_csv

pytestmark = pytest.mark.django_db
BIG = "1" * 25  # beyond 64 bits: overflowed SQLite


def api(personas, who: str | None = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if who:
        token, _ = Token.objects.get_or_create(user=getattr(personas, who))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def draft(personas, sqf, monkeypatch):
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    return sqf


def _row(version: Version) -> Table1Row:
    return services_tables.table1_row_create(
        actor=None, version=version, section=2, sqf_level="4", nqf_level=4
    )


# --- 1. control characters ---------------------------------------------------------------------


def test_1_a_control_character_is_normalised_at_the_api_and_nul_is_refused(personas, draft):
    row = _row(draft.version)
    url = f"/api/versions/{draft.version.pk}/table1/{row.pk}/"
    body = {"section": 2, "sqf_level": "4", "nqf_level": 4, "revision": row.revision}
    ok = api(personas, "drafter").put(
        url, {**body, "stages_ru": "Этап 1\x0bЭтап 2\x01", "skills_kk": "a\tb"}, format="json"
    )
    assert ok.status_code == 200, ok.content
    row.refresh_from_db()
    # Word's manual line break becomes a line break; other controls go; tab stays.
    assert (row.stages_ru, row.skills_kk) == ("Этап 1\nЭтап 2", "a\tb")
    before = (row.revision, row.stages_ru)
    refused = api(personas, "drafter").put(
        url, {**body, "revision": row.revision, "stages_ru": "x\x00y"}, format="json"
    )
    assert refused.status_code == 400 and "NUL" in refused.json()["detail"]
    row.refresh_from_db()
    assert (row.revision, row.stages_ru) == before


def test_1_a_form_post_is_normalised_and_nul_refused(personas, draft):
    part = Part.objects.get(version=draft.version, key="analysis")
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:part", args=[draft.version.pk, "analysis"])
    saved = client.post(
        url, {"revision": part.revision, "text_kk": "<p>a\x0bb\x1f</p>", "text_ru": "<p>c</p>"}
    )
    assert saved.status_code == 302
    part.refresh_from_db()
    assert "\x0b" not in part.text_kk and "\x1f" not in part.text_kk and "a" in part.text_kk
    before = (part.revision, part.text_ru)
    refused = client.post(
        url, {"revision": part.revision, "text_kk": "<p>a</p>", "text_ru": "<p>\x00</p>"}
    )
    assert refused.status_code == 400 and "NUL" in refused.content.decode()
    part.refresh_from_db()
    assert (part.revision, part.text_ru) == before


def test_1_the_writers_render_text_stored_with_control_characters(personas, draft):
    from exports.docx import render_docx
    from exports.pdf import render_html
    from sbsh.document.content import version_content

    row = _row(draft.version)
    # As stored before the fix (the boundary now refuses it): straight into the table.
    # (NUL too where the database takes it: SQLite; PostgreSQL refuses it itself.)
    nul = "\x00" if connection.vendor == "sqlite" else ""
    Table1Row.objects.filter(pk=row.pk).update(stages_ru=f"Этап\x0bдва{nul}\x08", skills_kk="\x1b")
    content = version_content(Version.objects.get(pk=draft.version.pk))
    for lang in ("kk", "ru"):
        assert render_docx(content, lang)[:2] == b"PK"  # was ValueError: XML compatible
        assert "\x0b" not in render_html(content, lang)


def test_1_the_data_migration_cleans_what_was_stored(personas, draft):
    row = _row(draft.version)
    Table1Row.objects.filter(pk=row.pk).update(stages_ru="a\x0bb\x01", knowledge_kk="ok\tok")
    from django.apps import apps

    from config.text import clean_stored_text

    changed = clean_stored_text(list(apps.get_app_config("sbsh").get_models()))
    row.refresh_from_db()
    assert changed == 1 and (row.stages_ru, row.knowledge_kk) == ("a\nb", "ok\tok")


def test_1_an_approved_version_whose_documents_fail_has_a_way_out(personas, draft):
    version = draft.version
    Version.objects.filter(pk=version.pk).update(status="approved")
    version.refresh_from_db()
    # Without a failed document the council cannot take the approval back.
    with pytest.raises(workflow.WorkflowError, match="could not be prepared"):
        workflow.version_transition(
            actor=personas.secretary, version=version, name="reopen_for_revision", comment="x"
        )
    page = personas.client_for(personas.secretary).get(reverse("sbsh:overview", args=[version.pk]))
    move_url = reverse("sbsh:transition", args=[version.pk, "reopen_for_revision"])
    assert page.status_code == 200 and move_url not in page.content.decode()
    Rendering.objects.create(
        version=version, language="ru", format="docx", content_sha256="0" * 64, status="failed"
    )
    page = personas.client_for(personas.secretary).get(reverse("sbsh:overview", args=[version.pk]))
    assert move_url in page.content.decode()  # offered once a document failed
    for who in ("drafter", "member", "officer"):
        with pytest.raises(PermissionError):
            workflow.version_transition(
                actor=getattr(personas, who), version=version, name="reopen_for_revision"
            )
    with pytest.raises(workflow.WorkflowError, match="reason"):
        workflow.version_transition(
            actor=personas.secretary, version=version, name="reopen_for_revision", comment=" "
        )
    assert Version.objects.get(pk=version.pk).status == "approved"
    moved = workflow.version_transition(
        actor=personas.secretary,
        version=version,
        name="reopen_for_revision",
        comment="Орысша DOCX дайындалмады / русский DOCX не формируется",
    )
    assert moved.status == "revision"
    log = VersionTransition.objects.get(version=version, name="reopen_for_revision")
    assert (log.source, log.actor, log.comment[:6]) == ("approved", personas.secretary, "Орысша")
    assert AuditEvent.objects.filter(action="sqf.version.reopen_for_revision").count() == 1
    # The state body's revision clock runs again (Rules §13).
    assert Deadline.objects.filter(object_id=str(version.pk), status__in=Deadline.ACTIVE).count()


# --- 2. anonymous 500s -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/registry/?state_body=%C2%B2",
        "/api/classifiers/nodes/?edition=%C2%B2",
        "/classifiers/nkz/1/?edition=%C2%B2",
        f"/api/registry/publications/?state_body={BIG}",
        "/registry/?oked=%00",
        "/api/classifiers/nodes/?code=%00",
        "/classifiers/nkz/%00/",
        "/api/registry/publications/?q=%01",
        "/registry/?q=" + "x" * 1001,
    ],
)
def test_2_hostile_filters_get_a_clean_400(client, url):
    assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    "url",
    [f"/registry/{BIG}/", f"/api/registry/publications/{BIG}/", f"/api/classifiers/nodes/{BIG}/"],
)
def test_2_ids_beyond_18_digits_are_not_found(client, url):
    assert client.get(url).status_code == 404


# --- 3. signed-in 500s -------------------------------------------------------------------------


def test_3_hostile_ids_in_signed_in_pages_and_the_api(personas, draft):
    version = draft.version
    drafter = personas.client_for(personas.drafter)
    comments = reverse("sbsh:comments", args=[version.pk])
    assert (
        personas.client_for(personas.member)
        .post(comments, {"parent": "abc", "body": "x"})
        .status_code
        == 404
    )
    for field in ("oked", "nkz"):
        response = drafter.post(
            reverse("sbsh:passport", args=[version.pk]),
            {"revision": version.revision, "name_kk": "a", "name_ru": "b", field: BIG},
        )
        assert response.status_code == 422
        assert Version.objects.get(pk=version.pk).revision == version.revision
    decide = reverse("sbsh:decide-grounds", args=[personas.energy_council.pk])
    secretary = personas.client_for(personas.secretary)
    assert secretary.get(decide + "?ground=%C2%B2").status_code == 200
    assert secretary.get(decide + f"?ground={BIG}").status_code == 200
    token = api(personas, "drafter")
    assert token.get("/api/versions/%C2%B2/").status_code == 404
    assert token.get(f"/api/versions/{BIG}/").status_code == 404
    deep = token.generic(
        "POST",
        f"/api/versions/{version.pk}/comments/",
        "[" * 1000 + "]" * 1000,
        content_type="application/json",
    )
    assert deep.status_code == 400 and "nested" in deep.json()["detail"]
    occupations = token.post(
        f"/api/versions/{version.pk}/table1/",
        {"section": 2, "sqf_level": "4", "nqf_level": 4, "occupations": [int(BIG)]},
        format="json",
    )
    assert occupations.status_code == 400


def test_3_a_classifier_level_of_1e400_is_refused_naming_the_row(db):
    rows = [("2", "", "1", "А", "А", ""), ("25", "2", "1e400", "Б", "Б", "")]
    with pytest.raises(ImportRejected) as caught:
        classifier_import(
            classifier="nkz", source_name="nkz.csv", data=canonical_csv(rows), actor=None
        )
    text = " ".join(str(p) for p in caught.value.problems)
    assert "1e400" in text and "3" in text  # the file's line 3


def test_3_an_iin_of_unicode_digits_is_refused_with_the_message(db):
    with translation.override("en"), pytest.raises(ValidationError, match="12 digits"):
        iin_bin_validate("٨٨٠٣١٥٣٠٠١٢٣")  # Arabic-Indic digits pass str.isdigit()


# --- 4. a refused write writes nothing ---------------------------------------------------------


def test_4_a_refused_api_create_leaves_no_row(personas, draft):
    version = draft.version
    before = Table1Row.objects.count(), AuditEvent.objects.count()
    for occupations in ([999_999], [draft.nodes["nkz:2512"].pk]):  # unknown; a level-4 group
        response = api(personas, "drafter").post(
            f"/api/versions/{version.pk}/table1/",
            {"section": 2, "sqf_level": "4", "nqf_level": 4, "occupations": occupations},
            format="json",
        )
        assert response.status_code == 400 and "occupations" in response.json()
    assert (Table1Row.objects.count(), AuditEvent.objects.count()) == before


# --- 5. signers' IINs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("drafter", True),
        ("officer", True),
        ("admin", True),
        ("expert", False),
        ("member", False),
        ("secretary", False),
        ("outsider", False),
    ],
)
def test_5_cms_and_signer_iin_only_for_the_state_body_staff_and_the_national_body(
    personas, sqf, who, may
):
    from exports.models import Signature
    from tests.sbsh.workflow.test_signatures import IIN_DRAFTER, handover_ready

    docs = handover_ready(personas, sqf.version)
    pdf = docs[("kk", "pdf")]
    signature = Signature.objects.create(
        rendering=pdf,
        signer=personas.drafter,
        cms="MAA=",
        document_sha256=pdf.file_sha256,
        signer_iin=IIN_DRAFTER,
        signer_name="АХМЕТОВ АСЕТ",
        certificate_serial="1",
        certificate_issuer="НУЦ",
        certificate_not_after=timezone.now(),
        signed_at=timezone.now(),
    )
    # An audit row written before issue 15 named the signature with the IIN.
    AuditEvent.objects.create(
        action="sqf.signature.add",
        object_type="exports.signature",
        object_id=str(signature.pk),
        object_repr=f"АХМЕТОВ АСЕТ ({IIN_DRAFTER}) — kk.pdf",
        scope=services.version_scope(sqf.version),
        changes={},
    )
    assert IIN_DRAFTER not in str(signature) and IIN_DRAFTER not in signature.filename()
    client = personas.client_for(getattr(personas, who))
    cms = client.get(f"/sqf/{sqf.version.pk}/documents/{pdf.pk}/signatures/{signature.pk}.cms")
    assert cms.status_code == (200 if may else 403)
    history = client.get(reverse("sbsh:history", args=[sqf.version.pk]))
    if history.status_code == 200:
        assert (IIN_DRAFTER in history.content.decode()) == may
    documents = client.get(f"/sqf/{sqf.version.pk}/documents/")
    if documents.status_code == 200:
        assert (f"signatures/{signature.pk}.cms" in documents.content.decode()) == may


# --- 7. only the latest return's recommendations -----------------------------------------------


def test_7_an_earlier_rounds_answers_cannot_be_rewritten(personas, draft):
    version = draft.version
    meeting = decisions.Meeting(timezone.localdate(), "1", 5, 0, 0)
    workflow.version_transition(actor=personas.drafter, version=version, name="submit")
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=Version.objects.get(pk=version.pk),
        outcome="return",
        meeting=meeting,
        recommendations=["Бірінші"],
    )
    [first] = Recommendation.objects.all()
    client = api(personas, "drafter")
    answer = {"revision": first.revision, "answer": "accepted", "answer_text": "Түзетілді."}
    assert (
        client.post(f"/api/recommendations/{first.pk}/answer/", answer, format="json").status_code
        == 200
    )
    workflow.version_transition(
        actor=personas.drafter, version=Version.objects.get(pk=version.pk), name="resubmit"
    )
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=Version.objects.get(pk=version.pk),
        outcome="return",
        meeting=meeting,
        recommendations=["Екінші"],
    )
    first.refresh_from_db()
    before = (first.revision, first.answer_text, AuditEvent.objects.count())
    again = {"revision": first.revision, "answer": "rejected", "answer_text": "Жоқ."}
    refused = client.post(f"/api/recommendations/{first.pk}/answer/", again, format="json")
    assert refused.status_code == 400 and "latest return" in json.dumps(refused.json())
    first.refresh_from_db()
    assert (first.revision, first.answer_text, AuditEvent.objects.count()) == before
    second = Recommendation.objects.exclude(pk=first.pk).get()
    latest = {"revision": second.revision, "answer": "accepted", "answer_text": "Иә."}
    assert (
        client.post(f"/api/recommendations/{second.pk}/answer/", latest, format="json").status_code
        == 200
    )


# --- 8. open redirect ------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http:evil"])
def test_8_next_off_site_is_ignored_after_saving_a_part(personas, draft, target):
    part = Part.objects.get(version=draft.version, key="analysis")
    url = reverse("sbsh:part", args=[draft.version.pk, "analysis"])
    response = personas.client_for(personas.drafter).post(
        url,
        {"revision": part.revision, "text_kk": "<p>a</p>", "text_ru": "<p>b</p>", "next": target},
    )
    assert response.status_code == 302 and response["Location"] == url


def test_8_next_on_site_is_honoured(personas, draft):
    part = Part.objects.get(version=draft.version, key="analysis")
    url = reverse("sbsh:part", args=[draft.version.pk, "analysis"])
    back = reverse("sbsh:overview", args=[draft.version.pk])
    response = personas.client_for(personas.drafter).post(
        url, {"revision": part.revision, "text_kk": "<p>a</p>", "text_ru": "<p>b</p>", "next": back}
    )
    assert response["Location"] == back


# --- 9. small leaks ----------------------------------------------------------------------------


def test_9_a_draft_analysis_clock_stays_with_the_ministry(personas):
    seed_calendar()
    ground = grounds.ground_create(
        actor=personas.drafter, kind="analysis", council=personas.energy_council, year=2025
    )
    [clock] = Deadline.objects.filter(content_type__model="ground", object_id=str(ground.pk))
    for who, sees in [
        ("drafter", True),
        ("admin", True),
        ("member", False),
        ("secretary", False),
        ("expert", False),
        ("officer", False),
    ]:
        user = getattr(personas, who)
        page = personas.client_for(user).get(reverse("deadlines:dashboard"))
        assert (f'href="{clock.subject_url}"' in page.content.decode()) == sees, who
        token = FeedToken.objects.create(user=user)
        feed = personas.client_for(user).get(reverse("deadlines:feed", args=[token.token]))
        assert (f"deadline-{clock.pk}@" in feed.content.decode()) == sees, who
    # Once filed, the council sees the ground and its clock.
    type(ground).objects.filter(pk=ground.pk).update(status="filed")
    page = personas.client_for(personas.secretary).get(reverse("deadlines:dashboard"))
    assert f'href="{clock.subject_url}"' in page.content.decode()


def test_9_a_reply_to_another_versions_comment_answers_like_a_missing_id(personas, draft):
    _other_framework, other = services.framework_create(
        actor=personas.outsider,
        state_body=personas.agriculture,
        council=personas.agriculture_council,
        sector_kk="Басқа",
        sector_ru="Другая",
    )
    foreign = Comment.objects.create(version=other, author=personas.outsider, body="x")
    url = f"/api/versions/{draft.version.pk}/comments/"
    client = api(personas, "member")
    answers = [
        client.post(url, {"anchor": "passport", "body": "y", "parent": pk}, format="json")
        for pk in (foreign.pk, 999_999)
    ]
    assert {a.status_code for a in answers} == {400}
    shown = [
        json.dumps(a.json()).replace(str(foreign.pk), "N").replace("999999", "N") for a in answers
    ]
    assert shown[0] == shown[1]
    web = personas.client_for(personas.member)
    form = reverse("sbsh:comments", args=[draft.version.pk])
    assert {
        web.post(form, {"parent": pk, "body": "y"}).status_code for pk in (foreign.pk, 999_999)
    } == {404}
    assert not Comment.objects.filter(body="y").exists()
