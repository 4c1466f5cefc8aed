"""The health check, the language switch and the default language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from councils.models import AuditEvent, User
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_health_answers_without_login(client) -> None:
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_kazakh_is_the_default_whatever_the_browser_asks(client) -> None:
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,ru;q=0.8")
    assert response.status_code == 200
    assert response["Content-Language"] == "kk"
    assert '<html lang="kk">' in response.content.decode()


def test_an_anonymous_visitor_switches_language_by_cookie(client) -> None:
    response = client.post(reverse("language-set"), {"language": "ru", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get(reverse("login"))
    assert page["Content-Language"] == "ru"
    assert "Войти" in page.content.decode()


def test_a_signed_in_user_keeps_the_language_on_every_device(personas: Personas) -> None:
    client = personas.client_for(personas.member)
    client.post(reverse("language-set"), {"language": "en", "next": "/"})
    assert User.objects.get(pk=personas.member.pk).preferred_language == "en"
    assert AuditEvent.objects.filter(
        action="user.update", object_id=str(personas.member.pk)
    ).exists()
    other_device = personas.client_for(personas.member)
    assert other_device.get("/")["Content-Language"] == "en"


def test_unknown_languages_and_foreign_redirects_are_ignored(personas: Personas) -> None:
    client = personas.client_for(personas.member)
    response = client.post(
        reverse("language-set"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert User.objects.get(pk=personas.member.pk).preferred_language == ""


def test_the_language_switch_only_accepts_post(client) -> None:
    assert client.get(reverse("language-set")).status_code == 405


def test_login_logout_and_password_change(personas: Personas, client) -> None:
    from tests.conftest import PASSWORD

    bad = client.post(reverse("login"), {"username": "drafter", "password": "wrong"})
    assert bad.status_code == 200
    unknown = client.post(reverse("login"), {"username": "nosuchuser", "password": "wrong"})
    # The same answer for an unknown user and a wrong password.
    assert bad.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    ok = client.post(reverse("login"), {"username": "drafter", "password": PASSWORD})
    assert ok.status_code == 302
    changed = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-1",
            "new_password2": "a-new-long-passphrase-1",
        },
    )
    assert changed.status_code == 302
    assert User.objects.get(username="drafter").check_password("a-new-long-passphrase-1")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


def test_seed_demo_is_idempotent(db: None) -> None:
    from django.core.management import call_command

    from councils.models import Membership, Organisation

    call_command("seed_demo", verbosity=0)
    counts = (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    assert counts[:3] == (7, 5, 6)
    assert User.objects.get(username="admin").is_superuser
