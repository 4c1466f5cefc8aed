"""The documents page in a real browser: "Make" queues the document and the table shows it
being made and then ready, without reloading the page (htmx)."""

from __future__ import annotations

import pytest

from councils.demo import seed_organisations_and_people
from councils.models import Organisation, User
from exports.models import Rendering
from sbsh.document import services
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-2026"


@pytest.fixture
def version(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rendered beside the request, as on the embedded default: the page shows the progress.
    settings.SQF_RENDER_IN_THREAD = True
    seed_organisations_and_people(password=PASSWORD)
    energy = Organisation.objects.get(short_name="ЭМ")
    _f, version = services.framework_create(
        actor=User.objects.get(username="drafter"),
        state_body=energy,
        council=energy.councils.get(),
        sector_kk="Сынақ саласы",
        sector_ru="Тестовая отрасль",
    )
    return version


def test_make_updates_the_documents_table_in_place(live_server, browser, version) -> None:
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "drafter")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/sqf/{version.pk}/documents/")
    marker = page.evaluate("() => { window.__sameDocument = 42; return window.__sameDocument; }")
    assert marker == 42
    cell = page.locator('[data-testid="doc-kk-docx"]')
    cell.locator("button[type=submit]").click()
    # Ready without a reload: the same document (our marker survives), a download link.
    cell.locator("a.button").wait_for()
    assert page.evaluate("() => window.__sameDocument") == 42
    assert page.url.endswith(f"/sqf/{version.pk}/documents/")
    rendering = Rendering.objects.get(version=version, language="kk", format="docx")
    assert rendering.status == Rendering.Status.READY and rendering.size > 0
    href = cell.locator("a.button").get_attribute("href")
    assert href.endswith(f"/documents/{rendering.pk}/download/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "documents-made.png"), full_page=True)
