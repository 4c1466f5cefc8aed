"""Object-level access across organisations: another ministry's staff (and a council of
another sector) get nothing of the energy ministry's SQF from any page, download, list or
API endpoint; forms and serializers cannot write status, owner or version fields
(ASVS 8.2.2, 8.2.3, 8.4.1, 15.3.3)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


@pytest.fixture
def energy(personas, monkeypatch):
    """Every kind of object of the energy sector: version, rows, ground, decision,
    comment, recommendation, rendering, notification."""
    import datetime as dt

    from deadlines.demo import seed_calendar
    from exports.models import Rendering
    from sbsh.document import services, services_tables
    from sbsh.models import Comment
    from sbsh.workflow import decisions, grounds
    from sbsh.workflow import moves as workflow

    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    _f, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Энергетика",
        sector_ru="Энергетика",
    )
    row = services_tables.table1_row_create(
        actor=personas.drafter, version=version, section=1, sqf_level="3", nqf_level=3
    )
    ground = grounds.ground_create(
        actor=personas.member,
        kind="proposal",
        council=personas.energy_council,
        year=2025,
        framework=version.framework,
        justification="x",
    )
    grounds.ground_row_add(
        actor=personas.member, ground=ground, current_text="", proposed_text="y", reason="z"
    )
    grounds.ground_file(actor=personas.member, ground=ground)
    workflow.version_transition(actor=personas.drafter, version=version, name="submit")
    decision = decisions.decision_on_draft(
        actor=personas.secretary,
        version=version,
        outcome="return",
        meeting=decisions.Meeting(dt.date.today(), "1", 3, 1, 0),  # noqa: DTZ011
        recommendations=["r"],
    )
    comment = Comment.objects.create(
        version=version, anchor="passport", anchor_label="p", body="c", author=personas.member
    )
    rendering = Rendering.objects.create(
        version=version, language="kk", format="pdf", content_sha256="0" * 64, status="ready"
    )
    return {
        "pk": version.pk,
        "rid": row.pk,
        "gid": ground.pk,
        "did": decision.pk,
        "cid": comment.pk,
        "fid": 0,
        "sid": 0,
        "eid": 0,
        "lid": 0,
        "rec": decision.recommendations.get().pk,
        "rendering": rendering.pk,
        "council": personas.energy_council.pk,
        "key": "analysis",
        "kind": "proposal",
        "name": "submit",
        "version_pk": version.pk,
    }


def _patterns(resolver: URLResolver | None = None, prefix: str = "/") -> list[str]:
    found = []
    for p in (resolver or get_resolver()).url_patterns:
        pattern = str(p.pattern)
        if isinstance(p, URLResolver):
            found += _patterns(p, prefix + pattern)
        elif isinstance(p, URLPattern) and "<" in pattern:
            found.append(prefix + pattern)
    return found


def _fill(pattern: str, ids: dict[str, object]) -> str | None:
    def value(m: re.Match[str]) -> str:
        name = m.group(2)
        if name == "rid" and "recommendations" in pattern:
            return str(ids["rec"])
        if name == "rid" and "documents" in pattern:
            return str(ids["rendering"])
        if name == "pk" and pattern.startswith("/api/recommendations/"):
            return str(ids["rec"])
        if name == "pk" and pattern.startswith("/api/grounds/"):
            return str(ids["gid"])
        return str(ids.get(name, "__missing__"))

    url = re.sub(r"<(?:(\w+):)?(\w+)>", value, pattern)
    return None if "__missing__" in url else url


SCOPED = ("/sqf/", "/api/versions/", "/api/grounds/", "/api/recommendations/")


@pytest.mark.parametrize("who", ["outsider", "agriculture_secretary"])
def test_another_organisation_gets_nothing_from_any_view_or_endpoint(personas, energy, who) -> None:
    from councils.models import Role, User
    from councils.services import membership_grant

    if who == "agriculture_secretary":
        user = User.objects.create_user(username="agri-sec", password="another-long-pass")
        membership_grant(
            actor=None,
            user=user,
            organisation=personas.agriculture_council,
            role=Role.COUNCIL_SECRETARY,
        )
    else:
        user = personas.outsider
    client = Client()
    client.force_login(user)
    probes, leaks = 0, []
    for pattern in _patterns():
        if not pattern.startswith(SCOPED):
            continue
        url = _fill(pattern.replace("\\.(?P<format>[a-z0-9]+)/?$", ""), energy)
        if url is None or "(?P" in url:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"comment": "x", "body": "x"})
            probes += 1
            if response.status_code < 300 or (
                response.status_code in (301, 302)
                and "/accounts/login/" not in response["Location"]
            ):
                leaks.append((method, url, response.status_code))
    assert probes > 80 and leaks == [], (probes, leaks)
    # Lists: nothing of the energy sector in any list the user can open.
    for url in ("/sqf/", "/sqf/grounds/", "/api/versions/", "/api/grounds/", "/deadlines/", "/"):
        body = client.get(url).content.decode()
        assert "Энергетика" not in body, url


def test_forms_and_serializers_cannot_write_status_owner_or_version(personas, energy) -> None:
    from sbsh.models import Table1Row, Version

    version = Version.objects.get(pk=energy["pk"])  # in revision now: editable
    client = personas.client_for(personas.drafter)
    client.post(
        f"/sqf/{version.pk}/passport/",
        {
            "revision": version.revision,
            "name_kk": "Атау",
            "name_ru": "Название",
            "status": "published",
            "framework": 999,
            "number": 7,
            "approved_on": "2020-01-01",
        },
    )
    fresh = Version.objects.get(pk=version.pk)
    assert (fresh.status, fresh.framework_id, fresh.number, fresh.approved_on) == (
        "revision",
        version.framework_id,
        version.number,
        None,
    )
    assert fresh.name_ru == "Название"
    row = Table1Row.objects.get(pk=energy["rid"])
    client.post(
        f"/sqf/{version.pk}/table1/{row.pk}/edit/",
        {"revision": row.revision, "sqf_level": "3", "nqf_level": 3, "version": 999, "section": 4},
    )
    row.refresh_from_db()
    assert (row.version_id, row.section) == (version.pk, 1)
