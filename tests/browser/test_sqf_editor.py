"""A drafter fills a Table 1 row in a real browser; a second session gets a conflict."""

from __future__ import annotations

import pytest

from classifiers.services import classifier_import
from councils.demo import seed_organisations_and_people
from councils.models import Organisation, User
from sbsh.document import services
from sbsh.models import Table1Row
from tests.browser.conftest import ARTIFACTS
from tests.classifiers.conftest import canonical_csv
from tests.sbsh.conftest import NKZ

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-2026"


@pytest.fixture
def version(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_organisations_and_people(password=PASSWORD)
    classifier_import(classifier="nkz", source_name="nkz.csv", data=canonical_csv(NKZ), actor=None)
    energy = Organisation.objects.get(short_name="ЭМ")
    _f, version = services.framework_create(
        actor=User.objects.get(username="drafter"),
        state_body=energy,
        council=energy.councils.get(),
        sector_kk="Сынақ саласы",
        sector_ru="Тестовая отрасль",
    )
    # Rules §7: the expert works on this version as a member of its working group.
    services.working_group_add(
        actor=User.objects.get(username="drafter"),
        version=version,
        user=User.objects.get(username="expert"),
        category="expert",
    )
    return version


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")


def test_drafter_fills_a_row_with_autocomplete_and_a_second_session_gets_a_conflict(
    live_server, browser, version
) -> None:
    base = live_server.url
    a = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    b = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    for p in (a, b):
        p.on("dialog", lambda dialog: dialog.accept())
    a.set_default_timeout(15_000)
    b.set_default_timeout(15_000)
    _log_in(a, base, "drafter")
    _log_in(b, base, "expert")
    url = f"{base}/sqf/{version.pk}/table1/"

    a.goto(url)
    assert a.locator("html").get_attribute("lang") == "kk"
    a.locator('#checklist [data-testid="checklist-count"]').wait_for()  # loaded after the table
    before = a.locator("#checklist").inner_text()
    assert "Table 1" in before or "1-кесте" in before or "§9" in before
    a.click('[data-testid="add-row-2"]')
    form = a.locator('[data-testid^="t1-form-"]')
    form.wait_for()
    row = Table1Row.objects.get()

    # The second session opens the same row for editing before the first one saves.
    b.goto(url)
    b.click(f'[data-testid="edit-{row.pk}"]')
    b.locator(f'[data-testid="t1-form-{row.pk}"]').wait_for()

    # Pick the occupation through autocomplete, typing Kazakh.
    form.locator(".picker-input").fill("бағдарламашы")
    option = a.locator(".picker-options li[role=option]", has_text="2512-1-001")
    option.wait_for()
    option.click()
    assert form.locator('.chips input[name="occupations"]').count() == 1
    form.locator('input[name="sqf_level"]').fill("4")
    form.locator('input[name="nqf_level"]').fill("4")
    for column in Table1Row.TEXT_COLUMNS:
        form.locator(f'textarea[name="{column}_kk"]').fill(f"{column}: қазақша мәтін")
        form.locator(f'textarea[name="{column}_ru"]').fill(f"{column}: текст на русском")
    a.screenshot(path=str(ARTIFACTS / "editor-table1-form.png"), full_page=True)
    a.click(f'[data-testid="save-{row.pk}"]')
    a.locator(f'[data-testid="t1-row-{row.pk}"]').wait_for()
    a.wait_for_function(
        "before => document.querySelector('#checklist').innerText !== before", arg=before
    )
    after = a.locator("#checklist").inner_text()
    assert after != before
    assert "§10" in after  # now Table 2 lacks level 4
    a.screenshot(path=str(ARTIFACTS / "editor-table1-saved.png"), full_page=True)

    saved = Table1Row.objects.get(pk=row.pk)
    assert (
        saved.knowledge_kk == "knowledge: қазақша мәтін"
        and saved.competences_ru == "competences: текст на русском"
    )
    assert list(saved.occupations.values_list("code", flat=True)) == ["2512-1-001"]

    # The second session saves its stale form: refused, shown both texts, nothing overwritten.
    b.locator('textarea[name="knowledge_kk"]').fill("Екінші сессияның мәтіні")
    b.locator('input[name="sqf_level"]').fill("5")
    b.locator('input[name="nqf_level"]').fill("5")
    b.click(f'[data-testid="save-{row.pk}"]')
    b.locator('[data-testid="conflict"]').wait_for()
    assert "Екінші сессияның мәтіні" in b.content()
    b.screenshot(path=str(ARTIFACTS / "editor-conflict.png"), full_page=True)
    assert Table1Row.objects.get(pk=row.pk).knowledge_kk == "knowledge: қазақша мәтін"
    a.context.close()
    b.context.close()
