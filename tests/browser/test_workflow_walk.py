"""One SQF from a council member's proposal to publication, with a return and a revision
round, clicked through by four people in Chromium; the deadlines shown at each step are
the ones the calendar gives (Rules §5–§6, §8, §11–§16)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from classifiers.demo import seed_classifiers
from councils.demo import seed_organisations_and_people
from deadlines.demo import seed_calendar
from deadlines.services import work_calendar
from sbsh.demo import seed_demo_sqf
from sbsh.models import Decision, Ground, Handover, Recommendation, Version
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-2026"


@pytest.fixture
def published(settings):
    """The power-sector SQF, version 1 published earlier (the walk updates it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Render the hand-over documents inside the approving request, not in a thread that
    # outlives the test's database.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SQF_RENDER_IN_THREAD = False
    seed_classifiers()
    seed_calendar()
    seed_organisations_and_people(password=PASSWORD)
    v1 = seed_demo_sqf()
    Version.objects.filter(pk=v1.pk).update(status="published", approved_on=dt.date(2025, 6, 2))
    return Version.objects.get(pk=v1.pk)


class Person:
    def __init__(self, browser, base: str, username: str) -> None:
        self.base = base
        self.page = browser.new_context(
            viewport={"width": 1360, "height": 1000}, locale="en-US"
        ).new_page()
        self.page.set_default_timeout(20_000)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button.primary")
        self.page.wait_for_url(f"{base}/")
        self.page.click('[data-testid="lang-en"]')
        self.page.wait_for_load_state()

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def text(self, testid: str) -> str:
        # text_content: the text as written, whatever CSS does to its case.
        return " ".join(self.page.locator(f'[data-testid="{testid}"]').first.text_content().split())

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"walk-{name}.png"), full_page=True)


def test_a_proposal_becomes_a_published_update_after_one_revision_round(
    live_server, browser, published
) -> None:
    today = timezone.localdate()
    cal = work_calendar()
    due = lambda n: cal.add_working_days(today, n).isoformat()  # noqa: E731
    framework = published.framework
    council = framework.council
    member = Person(browser, live_server.url, "member")
    secretary = Person(browser, live_server.url, "secretary")
    drafter = Person(browser, live_server.url, "drafter")
    officer = Person(browser, live_server.url, "officer")

    # 1. A council member files a proposal with a comparative table (Rules §5.1, §6).
    m = member.page
    member.go("/sqf/grounds/")
    m.click(f'[data-testid="new-proposal-{council.pk}"]')
    m.fill("#id_year", str(today.year - 1))
    m.select_option("#id_framework", str(framework.pk))
    m.fill("#id_justification", "ЖЭК станцияларында жаңа кәсіптер пайда болды.")
    m.click('[data-testid="ground-create"]')
    m.fill("#id_current_text", "6-деңгей: ауысым бастығы.")
    m.fill("#id_proposed_text", "6-деңгей: ауысым бастығы; ЖЭК операторы.")
    m.fill("#id_reason", "ЖЭК станцияларының саны өсті.")
    m.click('[data-testid="row-add"]')
    m.locator('[data-testid="comparative-table"]').wait_for()
    assert cal.grounds_deadline(today.year - 1).isoformat() in m.content()
    m.click('[data-testid="ground-file"]')
    assert member.text("ground-status") == "filed to the council"
    ground = Ground.objects.get()
    assert ground.status == "filed"

    # 2. The secretary sees it, and records the council's decision to update (§15.2).
    s = secretary.page
    secretary.go("/")
    assert "Электр" in secretary.text("waiting-grounds")
    secretary.go(f"/sqf/councils/{council.pk}/decide/?ground={ground.pk}")
    s.fill("#id_meeting_date", today.isoformat())
    s.fill("#id_protocol_number", "7")
    s.fill("#id_votes_for", "9")
    s.fill("#id_votes_against", "0")
    s.fill("#id_votes_abstained", "1")
    s.check('input[name="outcome"][value="update"]')
    s.select_option("#id_framework", str(framework.pk))
    s.check('input[name="update_grounds"][value="nkz"]')
    s.fill("#id_explanation_nkz", "ҰКС 01-2017 өзгерді: жаңа кәсіптер.")
    s.fill("#id_codes", "NKZ:3121")
    s.click('[data-testid="decision-save"]')
    s.wait_for_url("**/sqf/*/")
    v2 = Version.objects.get(framework=framework, number=2)
    assert secretary.text("status") == "preparatory work"
    # Rules §8: 60 working days after the day of the decision.
    assert secretary.text("due-preparation") == due(60)
    secretary.shot("1-decision-opens-preparation")

    # 3. The ministry finishes the preparatory work (the six §8 results are in the copied
    #    content) and submits the draft (§11, §12).
    d = drafter.page
    drafter.go(f"/sqf/{v2.pk}/")
    assert d.locator('[data-testid="preparation-checklist"] li.done').count() == 6
    d.click('[data-testid="move-finish_preparation"]')
    assert drafter.text("status") == "drafting"
    assert drafter.text("due-drafting") == due(20)
    d.click('[data-testid="move-submit"]')
    assert drafter.text("status") == "council review"
    assert drafter.text("due-review") == due(5)

    # 4. A member comments on the draft; the secretary returns it with recommendations.
    member.go(f"/sqf/{v2.pk}/comments/")
    m.select_option("#id_anchor", "passport")
    m.fill("#id_body", "Атауын нақтылаңыз.")
    m.click('[data-testid="comment-add"]')
    assert "Атауын нақтылаңыз." in member.text("thread")
    secretary.go("/")
    assert f"Rules §12: by {due(5)}" in secretary.text("waiting-versions")
    secretary.go(f"/sqf/{v2.pk}/")
    s.click('[data-testid="decide"]')
    s.fill("#id_meeting_date", today.isoformat())
    s.fill("#id_protocol_number", "8")
    s.fill("#id_votes_for", "6")
    s.fill("#id_votes_against", "3")
    s.fill("#id_votes_abstained", "0")
    s.check('input[name="outcome"][value="return"]')
    s.fill(
        "#id_recommendations",
        "ҚБШ атауын нақтылаңыз.\nЖЭК операторын 4-деңгейге қосыңыз.",
    )
    s.click('[data-testid="decision-save"]')
    assert secretary.text("status") == "revision"
    assert secretary.text("due-revision") == due(5)

    # 5. The ministry revises: changes the name, answers both recommendations, resubmits.
    drafter.go(f"/sqf/{v2.pk}/")
    assert d.locator('[data-testid="move-resubmit"]').is_disabled()
    assert "Answer every recommendation" in drafter.text("blocker-resubmit")
    drafter.go(f"/sqf/{v2.pk}/passport/")
    d.fill("#id_name_kk", v2.name_kk + " (жаңартылған)")
    d.click("form button.primary")
    d.locator(".message.success").wait_for()
    drafter.go(f"/sqf/{v2.pk}/recommendations/")
    for rec in Recommendation.objects.filter(version=v2).order_by("order"):
        d.check(f'[data-testid="accept-{rec.pk}"]')
        d.fill(f'[data-testid="answer-text-{rec.pk}"]', "Атауы нақтыланды; паспорт жаңартылды.")
        d.click(f'[data-testid="answer-save-{rec.pk}"]')
        assert drafter.text(f"answer-{rec.pk}") == "accepted, change made"
    drafter.go(f"/sqf/{v2.pk}/")
    d.click('[data-testid="move-resubmit"]')
    assert drafter.text("status") == "council re-review"
    assert drafter.text("due-re_review") == due(2)
    drafter.shot("2-resubmitted")

    # 6. The council sees exactly what changed and the answers, then approves (§12, §14).
    secretary.go(f"/sqf/{v2.pk}/changes/")
    changes = s.locator('[data-testid="change"]')
    assert changes.count() == 1 and "(жаңартылған)" in changes.first.inner_text()
    assert s.locator("ins", has_text="(жаңартылған)").count() == 1
    secretary.shot("3-changes-since-return")
    secretary.go(f"/sqf/{v2.pk}/")
    s.click('[data-testid="decide"]')
    s.fill("#id_meeting_date", today.isoformat())
    s.fill("#id_protocol_number", "9")
    s.fill("#id_votes_for", "9")
    s.fill("#id_votes_against", "0")
    s.fill("#id_votes_abstained", "0")
    s.check('input[name="outcome"][value="approve"]')
    # Approval freezes the content and renders the kk and ru documents for the hand-over.
    s.click('[data-testid="decision-save"]', timeout=240_000)
    s.wait_for_url(f"**/sqf/{v2.pk}/", timeout=240_000)
    assert secretary.text("status") == "approved"
    assert secretary.text("due-handover") == due(3)

    # 7. The ministry sends it with both languages' documents (§14).
    drafter.go(f"/sqf/{v2.pk}/")
    d.click('[data-testid="move-send"]')
    assert drafter.text("status") == "sent to the national body"
    handover = Handover.objects.get(version=v2)
    assert sorted(handover.renderings.values_list("language", "format")) == [
        ("kk", "docx"),
        ("kk", "pdf"),
        ("ru", "docx"),
        ("ru", "pdf"),
    ]

    # 8. The national body receives and publishes; version 1 is superseded (§14, §16).
    officer.go("/")
    assert "v2" in officer.text("waiting-versions")
    officer.go(f"/sqf/{v2.pk}/")
    officer.page.click('[data-testid="move-receive"]')
    officer.page.click('[data-testid="move-publish"]')
    assert officer.text("status") == "published"
    officer.shot("4-published")
    assert Version.objects.get(pk=published.pk).status == "superseded"
    assert list(Decision.objects.order_by("id").values_list("outcome", "protocol_number")) == [
        ("update", "7"),
        ("return", "8"),
        ("approve", "9"),
    ]
    moves = list(v2.transitions.order_by("at", "id").values_list("name", "actor__username"))
    assert moves == [
        ("open", "secretary"),
        ("finish_preparation", "drafter"),
        ("submit", "drafter"),
        ("return_for_revision", "secretary"),
        ("resubmit", "drafter"),
        ("approve", "secretary"),
        ("send", "drafter"),
        ("receive", "officer"),
        ("publish", "officer"),
    ]
    for person in (member, secretary, drafter, officer):
        person.page.context.close()
