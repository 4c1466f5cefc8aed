"""Security properties across the whole site: every route protected unless reviewed as
public, headers on every page, no inline script, login throttling with a finite cool-off,
session lifetime (ASVS 5.0 L2: 3.4, 6.1.1, 6.3.1, 7.2.4, 7.3, 7.4, 8.2.1, 14.3.2)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Reviewed: what anyone may open without signing in.
PUBLIC = [
    r"^/$",  # redirects to login, checked below like the rest
    r"^/health/$",
    r"^/favicon\.ico$",  # a redirect to the static icon
    r"^/language/$",
    r"^/accounts/login/$",
    r"^/admin/login/$",
    r"^/admin/logout/$",  # ends a session; harmless without one
    r"^/accounts/password_reset",
    r"^/accounts/reset/",
    r"^/registry/",
    r"^/classifiers/",  # public reference data (classifiers/views.py)
    r"^/api/schema/",
    r"^/api/docs/",
    r"^/api/registry/",
    r"^/api/classifiers/",
    r"^/ims/case/v1p1/",  # CASE 1.1 of the published registry (registry/case_views.py)
    r"^/jsi18n/$",
    r"^/deadlines/feed/",  # iCal feed: a secret token in the address (calendar apps)
    r"^/static/",
    r"^/media/",
]
SAMPLE = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _routes(resolver: URLResolver | None = None, prefix: str = "/") -> list[str]:
    found = []
    for p in (resolver or get_resolver()).url_patterns:
        pattern = str(p.pattern)
        if getattr(p.pattern, "regex", None) is not None and pattern.startswith("^"):
            pattern = (
                re.sub(r"\(\?P<\w+>[^)]*\)", "1", pattern).lstrip("^").rstrip("$").replace("\\", "")
            )
            pattern = re.sub(r"\[[^\]]*\][+*]?|\.[+*]|\?", "", pattern)
        else:
            pattern = re.sub(
                r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), pattern
            )
        if isinstance(p, URLResolver):
            found += _routes(p, prefix + pattern)
        elif isinstance(p, URLPattern):
            found.append(prefix + pattern)
    return sorted(set(found))


def test_every_route_asks_for_a_login_unless_it_is_reviewed_as_public(personas) -> None:
    client = Client()
    checked, public = 0, 0
    for url in _routes():
        if any(re.match(p, url) for p in PUBLIC) and url != "/":
            public += 1
            continue
        if url.startswith("/admin/"):
            response = client.get(url)
            assert response.status_code in (302, 404), url
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"], url
            checked += 1
            continue
        response = client.get(url)
        checked += 1
        assert response.status_code in (302, 401, 403, 404, 405), (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url
        assert response.status_code != 200, url
    # Figures for docs/security.md: ~260 routes refused anonymously, ~40 reviewed public.
    assert checked > 200 and public <= 50, (checked, public)


PAGES = ["/", "/sqf/", "/sqf/grounds/", "/deadlines/", "/classifiers/", "/registry/", "/api/docs/"]


def test_every_page_carries_the_security_headers_and_no_inline_script(personas) -> None:
    from sbsh.document import services

    _f, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Сала",
        sector_ru="Отрасль",
    )
    client = personas.client_for(personas.drafter)
    pages = [*PAGES, f"/sqf/{version.pk}/", f"/sqf/{version.pk}/table1/", "/admin/login/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        for directive in (
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ):
            assert directive in policy, (url, policy)
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cache-Control"] == "no-store", url  # signed in
        body = response.content.decode()
        inline = [
            m.group(0)
            for m in re.finditer(r"<script\b[^>]*>", body)
            if "src=" not in m.group(0) and "application/json" not in m.group(0)
        ]
        assert not inline, (url, inline)
        assert not re.search(r"\son[a-z]+=\"", body), url  # no inline event handlers
    anonymous = Client().get("/registry/")
    assert "no-store" not in anonymous.get("Cache-Control", "")


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_an_overlong_user_name_is_a_failed_sign_in_not_a_server_error(personas) -> None:
    """Found by the DAST scan (bench/dast.py): django-axes stored the posted name in a
    varchar(255), so a longer one answered 500 on PostgreSQL."""
    from axes.models import AccessAttempt

    client = Client()
    client.cookies["sqf_language"] = "en"
    name = "php://filter/convert.iconv." + "x" * 4300
    response = _login(client, name, "wrong-password-1")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == name[:150] and attempt.failures_since_start == 1
    # The same cut name counts on: five such tries lock it like any other name.
    for _ in range(4):
        _login(client, name, "wrong-password-1")
    assert _login(client, name, "wrong-password-1").status_code == 429


def test_failed_logins_lock_the_name_for_a_while_and_never_forever(personas, time_machine) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC), tick=False)
    client = Client()
    unknown = _login(client, "nobody-here", "wrong-password-1")
    wrong = _login(client, "member", "wrong-password-1")

    # The same words for an unknown name and a wrong password: no user enumeration.
    def message(response) -> str:
        found = re.search(
            r'class="error-summary"[^>]*>(.*?)</div>', response.content.decode(), re.S
        )
        assert found, response.content.decode()[:500]
        return found.group(1)

    assert unknown.status_code == wrong.status_code == 200
    assert message(unknown) == message(wrong)
    for _ in range(4):
        _login(client, "member", "wrong-password-1")
    locked = _login(client, "member", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not affected; the lock ends by itself after the cool-off.
    assert _login(Client(), "member", PASSWORD, ip="10.0.0.2").status_code == 302
    time_machine.move_to(dt.datetime(2026, 3, 30, 9, 16, tzinfo=dt.UTC), tick=False)
    assert _login(Client(), "member", PASSWORD).status_code == 302


def test_sessions_rotate_on_login_end_on_logout_and_time_out(personas, time_machine) -> None:
    from django.contrib.sessions.models import Session

    time_machine.move_to(dt.datetime(2026, 3, 30, 9, tzinfo=dt.UTC), tick=False)
    client = Client()
    client.get("/accounts/login/")
    before = client.cookies.get("sessionid")
    assert _login(client, "member", PASSWORD).status_code == 302
    key = client.cookies["sessionid"].value
    assert before is None or before.value != key
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302

    # Idle: 31 minutes without a request ends the session.
    _login(client, "member", PASSWORD)
    time_machine.move_to(dt.datetime(2026, 3, 30, 9, 31, 30, tzinfo=dt.UTC), tick=False)
    assert client.get("/").status_code == 302
    # Absolute: active every 20 minutes, still out after 8 hours.
    _login(client, "member", PASSWORD)
    for minutes in range(20, 8 * 60, 20):
        time_machine.move_to(
            dt.datetime(2026, 3, 30, 9, 31, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes),
            tick=False,
        )
        assert client.get("/").status_code == 200, minutes
    time_machine.move_to(dt.datetime(2026, 3, 30, 17, 40, tzinfo=dt.UTC), tick=False)
    assert client.get("/").status_code == 302
