"""Schemathesis against the OpenAPI schema: generated requests to every operation, public
and authenticated, find no server error and no response that breaks the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
# Bounded: a few examples per operation and persona keeps the run in CI's budget.
EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _application():
    from config.wsgi import application

    return application


# Generating the schema reads no data, so it is loaded once, at collection.
schema = schemathesis.openapi.from_wsgi("/api/schema/", _application())


@pytest.fixture(autouse=True)
def _data(personas, sqf, monkeypatch):
    """A version in drafting, the calendar, and documents never actually rendered.

    Calls into the WSGI app fire request_started/finished, whose close_old_connections
    would close the test's database connection mid-transaction on PostgreSQL (Django's
    own test client disconnects it the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    from deadlines.demo import seed_calendar

    seed_calendar()
    monkeypatch.setattr("exports.services._dispatch", lambda rendering_id: None)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


PEOPLE = [None, "drafter", "secretary", "member", "officer", "outsider"]


@pytest.fixture
def headers(personas) -> list[dict[str, str]]:
    """Anonymous, then a token of each persona: the same request is sent as each."""
    found = []
    for who in PEOPLE:
        h = {"Accept-Language": "en"}
        if who:
            token, _ = Token.objects.get_or_create(user=getattr(personas, who))
            h["Authorization"] = f"Token {token.key}"
        found.append(h)
    return found


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_errors_or_breaks_its_schema(case, headers) -> None:
    for h in headers:
        case.call_and_validate(headers=h, checks=CHECKS)


def test_the_schema_is_valid_openapi_without_warnings(tmp_path) -> None:
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    assert "/api/registry/publications/" in text and "/api/versions/{id}/moves/" in text
