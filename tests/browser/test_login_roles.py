"""A real browser logs in as every role, sees its panel, and switches the language."""

from __future__ import annotations

import pytest

from councils.demo import seed_organisations_and_people
from councils.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pass-2026"

ROLES = [
    ("drafter", "role-ministry_staff"),
    ("expert", "role-working_group"),
    ("member", "role-council_member"),
    ("secretary", "role-council_secretary"),
    ("officer", "role-national_officer"),
    ("admin", "role-administrator"),
]


@pytest.fixture
def demo_people(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_organisations_and_people(password=PASSWORD)


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize(("username", "panel"), ROLES)
def test_each_role_logs_in_and_sees_its_own_panel(
    live_server, demo_people, page, screenshot, username: str, panel: str
) -> None:
    _log_in(page, live_server.url, username)
    assert page.locator(f'[data-testid="{panel}"]').is_visible()
    assert page.locator("html").get_attribute("lang") == "kk"
    screenshot(f"home-{username}-kk")
    page.click('[data-testid="user-menu"]')
    page.click('[data-testid="logout"]')
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.locator("#id_username").is_visible()


def test_a_user_switches_between_kazakh_russian_and_english(
    live_server, demo_people, page, screenshot
) -> None:
    _log_in(page, live_server.url, "secretary")
    headings = {}
    for code in ["ru", "en", "kk"]:
        page.click(f'[data-testid="lang-{code}"]')
        page.wait_for_function(f"document.documentElement.lang === '{code}'")
        headings[code] = page.locator(
            '[data-testid="role-council_secretary"] h3'
        ).first.inner_text()
        screenshot(f"home-secretary-{code}")
    assert headings["en"] == "Grounds filed to the council"
    assert headings["ru"] != headings["en"] and headings["kk"] != headings["en"]
    assert headings["kk"] != headings["ru"]
    assert User.objects.get(username="secretary").preferred_language == "kk"


def test_the_outsider_is_refused_another_ministry_in_the_browser(
    live_server, demo_people, page
) -> None:
    from councils.models import Organisation

    energy = Organisation.objects.get(short_name="ЭМ")
    _log_in(page, live_server.url, "outsider")
    response = page.goto(f"{live_server.url}/organisations/{energy.pk}/")
    assert response.status == 403
