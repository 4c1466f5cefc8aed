"""Issue 15: every public and signed-in GET — each path id and each query filter — driven
with hostile values through the Django test client; no response may be a server error.

Hostile values: Unicode digits (`²`, Arabic-Indic, full-width), 25-digit and negative
integers, `1e400`, NUL, other C0 controls, 10,000-character strings, quotes, markup,
plus whatever hypothesis makes of arbitrary text. The routes are read from the URLconf
(not listed by hand), so a new page or filter is covered without touching this file;
the Django admin is left out (administrators only; Django's own code).

Two parts: a deterministic sweep (every route × every path parameter × each fixed hostile
value, and every route with all filters hostile at once) and a hypothesis search over
random combinations of route, identity, path values and filters. Runs on SQLite and, with
DATABASE_URL set, on PostgreSQL (where NUL in a filter used to be a 500).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core import signals
from django.db import close_old_connections
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deadlines.models import FeedToken
from sbsh.document import services_tables
from sbsh.models import Comment
from sbsh.workflow import grounds

pytestmark = pytest.mark.django_db

HOSTILE = [
    "²",
    "١٢",  # Arabic-Indic digits
    "１２",  # full-width digits
    "1" * 25,
    "-1",
    "1e400",
    "\x00",
    "a\x00b",
    "\x01\x0b\x1f",
    "x" * 10_000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
]
# Every query parameter any view or API filter reads (grep request.GET / query_params).
FILTERS = [
    "q",
    "state_body",
    "oked",
    "nkz",
    "isco",
    "sqf_level",
    "nqf_level",
    "superseded",
    "page",
    "lang",
    "edition",
    "classifier",
    "level",
    "parent",
    "code",
    "current",
    "status",
    "revision",
    "ground",
    "about",
    "column",
    "limit",
    "next",
    "format",
]
SKIP = re.compile(r"^/(admin|static|media)/|^/accounts/logout/")
PEOPLE = [None, "drafter", "expert", "member", "secretary", "officer", "admin"]


def _templates(resolver: URLResolver | None = None, prefix: str = "/") -> list[str]:
    """Every route as a template: `/sqf/{pk}/table1/{rid}/`."""
    found: list[str] = []
    for p in (resolver or get_resolver()).url_patterns:
        pattern = str(p.pattern)
        if getattr(p.pattern, "regex", None) is not None and pattern.startswith("^"):
            if "(?P<format>" in pattern:
                continue  # DRF's format-suffix twin of a route covered without it
            pattern = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
            pattern = pattern.lstrip("^").rstrip("$").replace("/?", "/").replace("\\.", ".")
            pattern = pattern.replace("\\", "")
        else:
            pattern = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)
        if isinstance(p, URLResolver):
            found += _templates(p, prefix + pattern)
        elif isinstance(p, URLPattern):
            found.append(prefix + pattern)
    return sorted({t for t in found if not SKIP.match(t)})


TEMPLATES = _templates()
PARAMS = sorted({name for t in TEMPLATES for name in re.findall(r"{(\w+)}", t)})


@pytest.fixture
def world(personas, sqf, monkeypatch):
    """Real objects behind the path ids, so a hostile filter reaches deep into a view."""
    from deadlines.demo import seed_calendar

    seed_calendar()
    monkeypatch.setattr("exports.services._dispatch", lambda rendering_id: None)
    version = sqf.version
    row = services_tables.table1_row_create(
        actor=personas.drafter, version=version, section=2, sqf_level="4", nqf_level=4
    )
    comment = Comment.objects.create(version=version, author=personas.member, body="x")
    ground = grounds.ground_create(
        actor=personas.drafter, kind="analysis", council=personas.energy_council, year=2025
    )
    token = FeedToken.objects.create(user=personas.drafter)
    real = {
        "pk": version.pk,
        "id": version.pk,
        "version_pk": version.pk,
        "framework": version.framework_id,
        "number": 1,
        "rid": row.pk,
        "cid": comment.pk,
        "gid": ground.pk,
        "council": personas.energy_council.pk,
        "year": 2026,
        "classifier": "nkz",
        "code": "2512",
        "kind": "proposal",
        "key": "analysis",
        "lang": "kk",
        "fmt": "json",
        "token": token.token,
    }
    clients = {who: personas.client_for(getattr(personas, who)) for who in PEOPLE if who}
    from django.test import Client

    clients[None] = Client()
    # As in tests/sbsh/test_api_schema.py: keep the test's connection across requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield {name: str(value) for name, value in real.items()}, clients
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _url(template: str, values: dict[str, str]) -> str:
    return re.sub(r"{(\w+)}", lambda m: quote(values.get(m.group(1), "1"), safe=""), template)


def _get(client, url: str, query: dict[str, str] | None = None):
    response = client.get(url, query or {}, follow=False)
    assert response.status_code < 500, (url, query and {k: v[:40] for k, v in query.items()})
    return response


def test_the_routes_are_read_from_the_urlconf() -> None:
    assert len(TEMPLATES) > 60, TEMPLATES
    assert "/registry/{framework}/" in TEMPLATES
    assert "/api/versions/{version_pk}/table1/{pk}/" in TEMPLATES
    assert {"pk", "rid", "framework", "code", "token"} <= set(PARAMS)


def test_every_path_id_with_every_hostile_value(world) -> None:
    real, clients = world
    sent = 0
    for template in TEMPLATES:
        for name in re.findall(r"{(\w+)}", template):
            for value in HOSTILE:
                for who in (None, "drafter"):
                    _get(clients[who], _url(template, {**real, name: value}))
                    sent += 1
    assert sent > 1000, sent


def test_every_route_with_every_filter_hostile(world) -> None:
    real, clients = world
    sent = 0
    who_of = [None, "drafter", "secretary", "officer"]
    for template in TEMPLATES:
        url = _url(template, real)
        for n, value in enumerate(HOSTILE):
            client = clients[who_of[n % len(who_of)]]
            response = _get(client, url, dict.fromkeys(FILTERS, value))
            sent += 1
            if response.status_code == 400:
                # One filter refused it: try each alone, so none hides a later one.
                for name in FILTERS:
                    _get(client, url, {name: value})
                    sent += 1
    assert sent > 1500, sent


VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.from_regex(r"[0-9\u0660-\u0669\u00b2\u00b3\uff10-\uff19]{1,30}", fullmatch=True),
)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_random_routes_identities_ids_and_filters_never_answer_a_server_error(world, data) -> None:
    real, clients = world
    template = data.draw(st.sampled_from(TEMPLATES), label="route")
    names = re.findall(r"{(\w+)}", template)
    values = {
        name: data.draw(st.one_of(st.just(real.get(name, "1")), VALUES), label=name)
        for name in names
    }
    query = data.draw(
        st.dictionaries(st.sampled_from(FILTERS), VALUES, max_size=3), label="filters"
    )
    who = data.draw(st.sampled_from(PEOPLE), label="who")
    _get(clients[who], _url(template, {**real, **values}), query)


def test_deep_json_to_every_api_write_is_a_clean_400(world, personas) -> None:
    """1,000 nested `[` used to raise a RecursionError inside DRF's parser (a 500)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from tests.sbsh.test_refusals_write_nothing import API_WRITES

    real, _clients = world
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=personas.drafter)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    values = {**real, "pk": real["rid"]}
    for method, template in sorted(API_WRITES):
        path = _url(template.replace("{id}", "{pk}" if "table1" in template else "{id}"), values)
        for depth in (1000, 100_000):
            response = client.generic(
                method.upper(), path, "[" * depth + "]" * depth, content_type="application/json"
            )
            assert response.status_code in (400, 403, 404), (method, path, depth)
