"""The daily surface for every role, at 1366 and 390 px, in Kazakh and Russian (issue 19):
the page never scrolls sideways, no English phrase of Django or the libraries shows, the
history and audit pages speak in words instead of action codes, axe-core finds nothing
serious or critical; deletes and moves ask first, an editor warns before unsaved text is
lost, and a field near its length limit shows a counter."""

from __future__ import annotations

import re

import pytest

from classifiers.demo import seed_classifiers
from councils.demo import seed_organisations_and_people
from deadlines.demo import seed_calendar, seed_grounds_clocks
from sbsh.demo import seed_demo_history, seed_demo_sqf
from sbsh.models import Comment, Framework, Part, Table3Row, Version
from tests.browser.conftest import ARTIFACTS
from tests.english_phrases import english_on

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-2026"
WIDTHS = (1366, 390)
# An audit code as stored ("sqf.part.save", "membership.grant").
RAW_CODE = re.compile(
    r"\b(?:sqf|auth|user|organisation|membership|document|deadline|calendar|classifier|crosswalk|demo|feed|notification)\.[a-z_]+(?:\.[a-z_]+)*\b"
)


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SQF_RENDER_IN_THREAD = False
    seed_classifiers()
    seed_calendar()
    seed_organisations_and_people(password=PASSWORD)
    seed_grounds_clocks()
    seed_demo_sqf()
    seed_demo_history()
    framework = Framework.objects.get(sector_ru="Электроэнергетика")
    return {
        "framework": framework,
        "v1": framework.versions.get(number=1),
        "v2": framework.versions.get(number=2),
    }


def _pages(role: str, demo: dict) -> list[str]:
    fw, v1, v2 = demo["framework"].pk, demo["v1"].pk, demo["v2"].pk
    common = [
        "/",
        "/sqf/",
        f"/sqf/{v2}/",
        f"/sqf/{v1}/history/",
        f"/sqf/{v2}/table1/",
        f"/sqf/{v2}/table3/",
        "/deadlines/",
        "/deadlines/notifications/",
        "/deadlines/calendar/2026/",
        "/registry/",
        f"/registry/{fw}/",
        "/organisations/",
        "/sqf/grounds/",
        "/classifiers/",
    ]
    extra = {
        "drafter": [f"/sqf/{v2}/passport/", f"/sqf/{v2}/table2/", f"/sqf/{v2}/standards/"],
        "officer": ["/sqf/inbox/"],
        "admin": [
            "/organisations/audit/",
            "/admin/",
            "/admin/axes/accessattempt/",
            "/admin/django_celery_beat/periodictask/",
            "/admin/deadlines/calendarexception/",
            "/admin/auth/group/add/",
        ],
    }
    return common + extra.get(role, [])


def _log_in(page, base: str, username: str, lang: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/")
    toggle = page.locator('[data-toggle="site-menu"]')
    if toggle.is_visible():  # on a phone the language switch is in the folded menu
        toggle.click()
    page.click(f'[data-testid="lang-{lang}"]')
    page.wait_for_load_state()


def _sideways(page) -> int:
    """How far the page itself scrolls sideways, in CSS pixels (0 is right)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


def _widest(page) -> str:
    """The outermost elements that stick out on the right: where to look for the fix."""
    return page.evaluate(
        """() => {
        const w = document.documentElement.clientWidth, out = [];
        for (const el of document.querySelectorAll("body *")) {
          const r = el.getBoundingClientRect();
          if (r.right > w + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1))
            out.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") + ":" + Math.round(r.right));
        }
        return out.slice(0, 4).join(", ");
      }"""
    )


# Where a role's screenshots at 390 px are taken (looked at by eye; test-artifacts/).
SHOTS = {
    "drafter": ("/", "/sqf/{v2}/", "/sqf/{v2}/table1/", "/sqf/{v2}/passport/"),
    "expert": ("/", "/sqf/{v2}/table3/", "/deadlines/"),
    "member": ("/", "/sqf/{v1}/history/", "/registry/{fw}/"),
    "secretary": ("/", "/sqf/", "/deadlines/calendar/2026/"),
    "officer": ("/", "/sqf/inbox/", "/deadlines/notifications/"),
    "admin": ("/", "/organisations/audit/", "/admin/", "/admin/axes/accessattempt/"),
}
# How many of its pages a role must reach (200) and have axe check at both widths. Issue 19
# asks for axe on at least 15 main pages in kk: the drafter's walk alone is 17, the
# administrator's 20; all roles together 24 distinct pages.
AXE_PAGES_AT_LEAST = {"drafter": 17, "officer": 15, "admin": 20}


def _axe(axe, page, where: str) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    found = []
    for v in axe.run(page).response["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = [n["target"] for n in v["nodes"]][:3]
            found.append(f"{where}: axe {v['id']} ({v['impact']}) {targets}")
    return found


@pytest.mark.parametrize("role", ["drafter", "expert", "member", "secretary", "officer", "admin"])
def test_each_role_sees_its_pages_fit_in_its_language(
    browser, live_server, demo, role: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ids = {"fw": demo["framework"].pk, "v1": demo["v1"].pk, "v2": demo["v2"].pk}
    shots = {path.format(**ids) for path in SHOTS[role]}
    problems: list[str] = []
    axed: dict[int, set[str]] = {width: set() for width in WIDTHS}
    for lang, widths in (("kk", WIDTHS), ("ru", (390,))):
        for width in widths:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            page.set_default_timeout(20_000)
            _log_in(page, live_server.url, role, lang)
            for path in _pages(role, demo):
                response = page.goto(live_server.url + path)
                if response.status in (403, 404):
                    continue  # not this role's page: permissions are tested elsewhere
                assert response.status == 200, (role, path, response.status)
                assert page.locator("html").get_attribute("lang") == lang, path
                where = f"{lang} {width}px {path}"
                over = _sideways(page)
                if over > 0:
                    problems.append(f"{where}: scrolls sideways by {over}px ({_widest(page)})")
                text = page.locator("body").inner_text()
                english = english_on(text)
                if english:
                    problems.append(f"{where}: English {english}")
                if "history" in path or "audit" in path:
                    codes = RAW_CODE.findall(text)
                    if codes:
                        problems.append(f"{where}: raw action codes {codes[:3]}")
                if lang == "kk":
                    # The markup is the same in ru; contrast, target sizes and scrolling
                    # boxes differ by width, so both widths are checked.
                    problems += _axe(axe, page, where)
                    axed[width].add(path)
                if width == 390 and lang == "kk" and path in shots:
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    name = path.strip("/").replace("/", "-") or "home"
                    # The top 4,000 px: the audit page alone is ~70,000 px long.
                    tall = min(page.evaluate("document.documentElement.scrollHeight"), 4000)
                    page.screenshot(
                        path=str(ARTIFACTS / f"surface-{role}-{name}-390.png"),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": tall},
                    )
            context.close()
    assert axed[1366] == axed[390]
    assert len(axed[390]) >= AXE_PAGES_AT_LEAST.get(role, 14), sorted(axed[390])
    assert problems == [], "\n".join(problems)


def _editor_page(browser, base: str, width: int = 1366):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    _log_in(page, base, "drafter", "kk")
    return context, page


def test_deleting_a_table3_row_asks_first_and_no_keeps_the_row(browser, live_server, demo) -> None:
    v2 = demo["v2"]
    before = Table3Row.objects.filter(version=v2).count()
    assert before > 0
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/table3/")
    asked: list[str] = []

    def no(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    # The delete sits in the row's edit panel (issue 17's editor).
    page.locator('[data-testid^="t3-edit-"]').first.click()
    delete = page.locator('[data-testid^="t3-delete-"]').first
    delete.wait_for()
    page.once("dialog", no)
    delete.click()
    page.wait_for_timeout(300)  # a dismissed confirm sends nothing; give it time to prove so
    assert asked and "3-кестенің осы жолын жою" in asked[0]
    assert Table3Row.objects.filter(version=v2).count() == before

    def yes(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", yes)
    with page.expect_navigation():
        delete.click()
    assert Table3Row.objects.filter(version=v2).count() == before - 1
    context.close()


def test_a_move_asks_first_and_says_what_will_happen(browser, live_server, demo) -> None:
    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/")
    button = page.locator('[data-testid^="move-"]:not([disabled])').first
    if not button.count():
        pytest.skip("no move open to the drafter on the demo version")
    status = Version.objects.get(pk=v2.pk).status
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    button.click()
    page.wait_for_timeout(300)
    assert asked and "мәртебесі өзгереді" in asked[0]
    assert Version.objects.get(pk=v2.pk).status == status
    context.close()


def test_leaving_an_editor_with_unsaved_text_warns(browser, live_server, demo) -> None:
    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/passport/")
    field = page.locator("input#id_name_kk")
    field.click()
    field.press("End")
    field.type(" өзгеріс")
    kinds: list[str] = []
    page.once("dialog", lambda d: (kinds.append(d.type), d.dismiss()))
    page.locator(".editor-nav a", has_text="1-кесте").first.click()
    page.wait_for_timeout(500)
    assert kinds == ["beforeunload"]
    assert "/passport/" in page.url  # stayed: the text is still there
    assert field.input_value().endswith(" өзгеріс")
    context.close()


def test_switching_language_with_unsaved_text_in_a_narrative_part_warns(
    browser, live_server, demo
) -> None:
    """The case the issue met: text typed in a rich-text part, then the language switch."""
    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/passport/")
    page.locator('.field[lang="kk"] .rt-body').click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Жаңа сөйлем.")
    kinds: list[str] = []
    page.once("dialog", lambda d: (kinds.append(d.type), d.dismiss()))
    page.click('[data-testid="lang-ru"]')
    page.wait_for_timeout(500)
    assert kinds == ["beforeunload"]
    assert page.locator("html").get_attribute("lang") == "kk"  # stayed
    area = page.locator("textarea#id_text_kk_passport_sector")
    assert "Жаңа сөйлем." in area.input_value()
    assert "Жаңа сөйлем." not in Part.objects.get(version=v2, key="passport_sector").text_kk
    context.close()


def test_a_saved_editor_leaves_without_a_warning(browser, live_server, demo) -> None:
    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/passport/")
    kinds: list[str] = []
    page.on("dialog", lambda d: (kinds.append(d.type), d.accept()))
    page.locator(".editor-nav a", has_text="1-кесте").first.click()
    page.wait_for_url(f"**/sqf/{v2.pk}/table1/")
    assert kinds == []
    context.close()


def test_the_phone_header_and_section_menu_fold(browser, live_server, demo) -> None:
    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url, width=390)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/")
    assert not page.locator(".main-nav").is_visible()
    assert not page.locator("#editor-nav-list").is_visible()
    # The content comes first: the status card is near the top, not after the menu.
    assert page.locator(".editor-main").bounding_box()["y"] < 400
    for toggle in page.locator(".nav-toggle").all():
        box = toggle.bounding_box()
        assert box["height"] >= 44
    page.locator('[data-toggle="site-menu"]').click()
    assert page.locator(".main-nav").is_visible()
    page.locator('[data-toggle="editor-nav"]').click()
    assert page.locator("#editor-nav-list").is_visible()
    page.screenshot(path=str(ARTIFACTS / "surface-phone-menus-open.png"), full_page=False)
    context.close()


def test_a_field_near_its_limit_shows_a_counter(browser, live_server, demo) -> None:
    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/passport/")
    field = page.locator("input#id_name_kk")
    limit = int(field.get_attribute("maxlength"))
    field.fill("а" * 10)
    assert not page.locator("input#id_name_kk + .counter").is_visible()
    field.fill("а" * (limit - 20))
    counter = page.locator("input#id_name_kk + .counter")
    assert counter.is_visible()
    assert counter.text_content() == f"{limit} таңбаның {limit - 20} таңбасы пайдаланылды"
    field.fill("а" * limit)
    assert "full" in counter.get_attribute("class")
    context.close()


def test_a_narrative_part_near_its_limit_shows_a_counter(browser, live_server, demo) -> None:
    """The rich-text part counts what the form posts (its HTML) against limits.PART."""
    from sbsh.limits import PART

    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/passport/")
    area = page.locator("textarea#id_text_kk_passport_sector")
    assert int(area.get_attribute("maxlength")) == PART
    editor = page.locator('.field[lang="kk"] .rt-body')
    counter = page.locator('.field[lang="kk"] .rt + .counter')

    def fill_to(used: int) -> None:
        """The editor holds one paragraph of used - 1 characters of HTML; one key more."""
        editor.evaluate("(el, n) => { el.innerHTML = '<p>' + 'а'.repeat(n) + '</p>'; }", used - 8)
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("б")

    fill_to(2_000)  # far from the limit: no counter
    assert area.input_value() == "<p>" + "а" * 1_992 + "б</p>"
    assert not counter.is_visible()
    fill_to(PART - 20_000)
    assert counter.is_visible()
    assert counter.text_content() == f"{PART} таңбаның {PART - 20_000} таңбасы пайдаланылды"
    assert "full" not in counter.get_attribute("class")
    fill_to(PART)
    assert counter.text_content() == f"{PART} таңбаның {PART} таңбасы пайдаланылды"
    assert "full" in counter.get_attribute("class")
    # The Russian half of the part has its own counter, not shown while it is short ...
    assert not page.locator('.field[lang="ru"] .rt + .counter').is_visible()
    # ... and shown on arrival when the saved text is already near the limit.
    Part.objects.filter(version=v2, key="passport_sector").update(
        text_ru="<p>" + "я" * (PART - 10_007) + "</p>"
    )
    fresh = context.new_page()
    fresh.goto(f"{live_server.url}/sqf/{v2.pk}/passport/")
    ru = fresh.locator('.field[lang="ru"] .rt + .counter')
    assert ru.text_content() == f"{PART} таңбаның {PART - 10_000} таңбасы пайдаланылды"
    assert not fresh.locator('.field[lang="kk"] .rt + .counter').is_visible()
    context.close()


def test_the_comment_target_offers_only_the_chosen_tables_columns(
    browser, live_server, demo
) -> None:
    """static/js/ui.js narrows the column list to the table of the row chosen."""
    v2 = demo["v2"]
    context, page = _editor_page(browser, live_server.url)
    page.goto(f"{live_server.url}/sqf/{v2.pk}/comments/")
    anchor, column = page.locator("select[name=anchor]"), page.locator("select[name=column]")
    values = anchor.evaluate("s => [...s.options].map(o => o.value)")
    row1 = next(v for v in values if v.startswith("table1:"))
    row3 = next(v for v in values if v.startswith("table3:"))

    def offered() -> set[str]:
        return set(
            column.evaluate(
                "s => [...s.options].filter(o => !o.disabled && o.value)"
                ".map(o => o.dataset.table || 'any')"
            )
        )

    anchor.select_option(row1)
    assert offered() == {"table1"}
    anchor.select_option(row3)
    assert offered() == {"table3"}
    anchor.select_option(row1)
    column.select_option("knowledge")
    page.locator("textarea[name=body]").fill("Білім бағанын нақтылаңыз.")
    with page.expect_navigation():
        page.click('[data-testid="comment-add"]')
    comment = Comment.objects.get(version=v2, body="Білім бағанын нақтылаңыз.")
    assert comment.anchor == f"{row1}:knowledge"
    context.close()
