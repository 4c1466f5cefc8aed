"""Issue 15, item 4: for every API and form write endpoint, a refused request leaves every
table unchanged — not only the table the endpoint is about (a refused Table 1 create used
to leave an empty row behind).

Each endpoint is sent a request it must refuse (bad value, unknown id, stale revision,
wrong state or the wrong person), and every table of the database is compared, row by
row, before and after. The API list is checked against the schema, so a new write
operation without a refusal case here fails the test."""

from __future__ import annotations

import hashlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from deadlines.demo import seed_calendar
from exports.models import Rendering
from sbsh.document import services_tables
from sbsh.models import Comment, Part, Version
from sbsh.workflow import grounds

pytestmark = pytest.mark.django_db
BIG = "9" * 25
# Not the application's state: sessions (a request refreshes its own), login throttling.
IGNORED = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


def snapshot() -> dict[str, str]:
    """Every table: its row count and a digest of every row in primary-key order."""
    state = {}
    for model in apps.get_models():
        table = model._meta.db_table
        if table in IGNORED or not model._meta.managed:
            continue
        digest = hashlib.sha256()
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
        state[table] = digest.hexdigest()
    return state


def api(personas, who: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=getattr(personas, who))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def world(personas, sqf, monkeypatch):
    """A version in drafting with a Table 1 row, a comment, a draft ground and a failed
    document."""
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    version = sqf.version
    row1 = services_tables.table1_row_create(
        actor=personas.drafter, version=version, section=2, sqf_level="4", nqf_level=4
    )
    comment = Comment.objects.create(version=version, author=personas.member, body="x")
    ground = grounds.ground_create(
        actor=personas.member,
        kind="proposal",
        council=personas.energy_council,
        year=2025,
        sector_kk="Жаңа",
        sector_ru="Новая",
    )
    Rendering.objects.create(
        version=version, language="ru", format="docx", content_sha256="0" * 64, status="failed"
    )
    Token.objects.get_or_create(user=personas.drafter)
    Token.objects.get_or_create(user=personas.secretary)
    Token.objects.get_or_create(user=personas.member)
    return {
        "version": version,
        "row1": row1,
        "comment": comment,
        "ground": ground,
        "part": Part.objects.get(version=version, key="analysis"),
    }


def api_cases(w) -> list[tuple[str, str, str, object]]:
    """(who, method, path, body) — each must be refused."""
    v, row = w["version"].pk, w["row1"]
    base = f"/api/versions/{v}"
    rev = row.revision
    return [
        ("drafter", "put", f"{base}/passport/", {"revision": BIG, "name_kk": "a", "name_ru": "b"}),
        ("member", "put", f"{base}/passport/", {"revision": 1, "name_kk": "a", "name_ru": "b"}),
        ("drafter", "post", f"{base}/moves/", {"name": "approve"}),
        ("drafter", "post", f"{base}/moves/", {"name": "withdraw", "comment": ""}),
        ("drafter", "post", f"{base}/moves/", {"name": "no-such-move"}),
        ("secretary", "post", f"{base}/decisions/", {"outcome": "approve"}),
        (
            "secretary",
            "post",
            f"{base}/decisions/",
            {
                "outcome": "return",
                "meeting_date": "2026-01-01",
                "protocol_number": "1",
                "votes_for": 1,
                "votes_against": 0,
                "votes_abstained": 0,
            },
        ),  # the version is in drafting: no decision now
        ("drafter", "put", f"{base}/parts/analysis/", {"revision": 999, "text_kk": "x"}),
        ("drafter", "put", f"{base}/parts/analysis/", {"revision": 1, "text_kk": "\x00"}),
        (
            "drafter",
            "post",
            f"{base}/table1/",
            {"section": 2, "sqf_level": "4", "nqf_level": 4, "occupations": [999_999]},
        ),
        ("drafter", "post", f"{base}/table1/", {"section": 2, "sqf_level": "99", "nqf_level": 4}),
        (
            "drafter",
            "put",
            f"{base}/table1/{row.pk}/",
            {"section": 2, "sqf_level": "4", "nqf_level": 4, "revision": rev, "occupations": [1]},
        ),
        (
            "drafter",
            "put",
            f"{base}/table1/{row.pk}/",
            {"section": 2, "sqf_level": "4", "nqf_level": 4, "revision": rev + 5},
        ),
        ("drafter", "delete", f"{base}/table1/{row.pk}/?revision={rev + 5}", None),
        ("drafter", "delete", f"{base}/table1/{row.pk}/", None),
        ("member", "post", f"{base}/comments/", {"body": ""}),
        ("member", "post", f"{base}/comments/", {"body": "y", "parent": 999_999}),
        ("member", "post", f"{base}/comments/", "[" * 100 + "]" * 100),
        (
            "drafter",
            "post",
            "/api/recommendations/999999/answer/",
            {"revision": 1, "answer": "accepted", "answer_text": "x"},
        ),
    ]


API_WRITES = {
    ("put", "/api/versions/{id}/passport/"),
    ("post", "/api/versions/{id}/moves/"),
    ("post", "/api/versions/{id}/decisions/"),
    ("put", "/api/versions/{version_pk}/parts/{key}/"),
    ("post", "/api/versions/{version_pk}/table1/"),
    ("put", "/api/versions/{version_pk}/table1/{id}/"),
    ("delete", "/api/versions/{version_pk}/table1/{id}/"),
    ("post", "/api/versions/{version_pk}/comments/"),
    ("post", "/api/recommendations/{id}/answer/"),
}


def test_the_list_of_api_writes_is_the_schemas(db) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    writes = {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }
    assert writes == API_WRITES


def test_every_refused_api_write_leaves_every_table_unchanged(personas, world) -> None:
    refused = 0
    for who, method, path, body in api_cases(world):
        client = api(personas, who)
        before = snapshot()
        if isinstance(body, str):
            response = client.generic(method.upper(), path, body, content_type="application/json")
        else:
            response = getattr(client, method)(path, body, format="json")
        assert 400 <= response.status_code < 500, (method, path, response.status_code)
        assert snapshot() == before, (method, path, response.status_code)
        refused += 1
    assert refused == len(api_cases(world)) >= len(API_WRITES)


def form_cases(personas, w) -> list[tuple[str, str, dict]]:
    v = w["version"].pk
    row, part = w["row1"], w["part"]
    council = personas.energy_council.pk
    cases = [
        ("drafter", reverse("sbsh:passport", args=[v]), {"revision": 1, "oked": BIG}),
        ("drafter", reverse("sbsh:passport", args=[v]), {"revision": BIG}),
        ("member", reverse("sbsh:passport", args=[v]), {"revision": 1}),
        ("drafter", reverse("sbsh:part", args=[v, "analysis"]), {"revision": part.revision + 9}),
        ("drafter", reverse("sbsh:part", args=[v, "analysis"]), {"text_kk": "\x00"}),
        ("drafter", reverse("sbsh:standards", args=[v]), {"name_kk": ""}),
        (
            "drafter",
            reverse("sbsh:table1-edit", args=[v, row.pk]),
            {"revision": row.revision, "sqf_level": "4", "nqf_level": 4, "occupations": BIG},
        ),
        (
            "drafter",
            reverse("sbsh:table1-edit", args=[v, row.pk]),
            {"revision": row.revision + 9, "sqf_level": "4", "nqf_level": 4},
        ),
        ("drafter", reverse("sbsh:table1-delete", args=[v, row.pk]), {"revision": "x"}),
        ("drafter", reverse("sbsh:table2", args=[v]), {"sqf_level": "4", "occupation": BIG}),
        ("drafter", reverse("sbsh:table2-link", args=[v]), {"source": BIG, "target": 1}),
        ("drafter", reverse("sbsh:table3", args=[v]), {"isco": BIG}),
        ("drafter", reverse("sbsh:transition", args=[v, "withdraw"]), {"comment": ""}),
        ("drafter", reverse("sbsh:transition", args=[v, "approve"]), {}),
        ("member", reverse("sbsh:transition", args=[v, "submit"]), {}),
        ("member", reverse("sbsh:comments", args=[v]), {"body": ""}),
        ("member", reverse("sbsh:comments", args=[v]), {"body": "y", "parent": "abc"}),
        ("member", reverse("sbsh:comment-resolve", args=[v, 999_999]), {}),
        ("secretary", reverse("sbsh:decide-draft", args=[v]), {"outcome": "approve"}),
        ("member", reverse("sbsh:ground", args=[w["ground"].pk]), {"revision": BIG}),
        ("member", reverse("sbsh:ground-file", args=[w["ground"].pk]), {}),
        ("secretary", reverse("sbsh:decide-grounds", args=[council]), {"outcome": "develop"}),
        (
            "member",
            reverse("sbsh:ground-new", args=["proposal", council]),
            {"year": "1900", "revision": 1},
        ),
        ("drafter", reverse("exports:request", args=[v]), {"language": "xx", "format": "exe"}),
    ]
    return cases


def test_every_refused_form_write_leaves_every_table_unchanged(personas, world) -> None:
    clients = {}
    for who, url, data in form_cases(personas, world):
        client = clients.setdefault(who, personas.client_for(getattr(personas, who)))
        before = snapshot()
        with translation.override("en"):
            response = client.post(url, data)
        assert response.status_code != 500, url
        assert snapshot() == before, (url, data, response.status_code)


def test_the_snapshot_sees_a_write(personas, world) -> None:
    """The comparison can fail: one changed cell in any table is seen."""
    before = snapshot()
    Version.objects.filter(pk=world["version"].pk).update(name_kk="өзгерді")
    assert snapshot() != before
