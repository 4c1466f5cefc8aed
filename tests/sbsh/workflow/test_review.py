"""Review (comments with threads), the changes since a return, the history page, the
notifications after each move and the role dashboards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from councils.models import AuditEvent
from deadlines.demo import seed_calendar
from deadlines.models import Notification
from sbsh.document import services, services_tables
from sbsh.models import Comment, Part, Version
from sbsh.workflow import decisions, grounds, review
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def submitted(personas, monkeypatch, sqf):
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    row = services_tables.table1_row_create(
        actor=personas.drafter, version=sqf.version, section=2, sqf_level="4", nqf_level=4
    )
    row = services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=row.revision,
        values={
            "sqf_level": "4",
            "nqf_level": 4,
            "knowledge_kk": "Ескі білім",
            "knowledge_ru": "Старые знания",
        },
        occupation_ids=[],
    )
    workflow.version_transition(
        actor=personas.drafter, version=sqf.version, name="submit", today=D("2024-05-03")
    )
    return Version.objects.get(pk=sqf.version.pk), row


def _client(personas, who):
    client = personas.client_for(getattr(personas, who))
    client.cookies["sqf_language"] = "en"
    return client


def test_council_members_comment_on_a_cell_and_the_ministry_answers_in_the_thread(
    personas, submitted
) -> None:
    version, row = submitted
    url = reverse("sbsh:comments", args=[version.pk])
    response = _client(personas, "member").post(
        url,
        {
            "anchor": f"table1:{row.pk}",
            "column": "knowledge",
            "language": "ru",
            "body": "Уточните знания",
        },
    )
    assert response.status_code == 302
    root = Comment.objects.get()
    assert (root.anchor, root.language, root.author) == (
        f"table1:{row.pk}:knowledge",
        "ru",
        personas.member,
    )
    assert "level 4" in root.anchor_label and "Knowledge" in root.anchor_label
    _client(personas, "drafter").post(url, {"parent": root.pk, "body": "Уточним в доработке"})
    [reply] = Comment.objects.filter(parent=root)
    assert reply.anchor == root.anchor and reply.author == personas.drafter
    # People outside the sector may not read or write; a bad anchor changes nothing.
    assert _client(personas, "outsider").get(url).status_code == 403
    assert (
        _client(personas, "outsider").post(url, {"anchor": "passport", "body": "x"}).status_code
        == 403
    )
    with pytest.raises(ValidationError):
        review.comment_add(actor=personas.member, version=version, anchor="table1:999999", body="x")
    with pytest.raises(ValidationError):
        review.comment_add(
            actor=personas.member,
            version=version,
            anchor=f"table1:{row.pk}",
            column="isco",
            body="x",
        )
    assert Comment.objects.count() == 2
    # A member may not resolve someone else's thread; the secretary may.
    assert not review.can_resolve(personas.expert, root)
    response = _client(personas, "secretary").post(
        reverse("sbsh:comment-resolve", args=[version.pk, root.pk])
    )
    assert response.status_code == 302
    root.refresh_from_db()
    assert root.resolved_by == personas.secretary and root.resolved_at
    assert list(
        AuditEvent.objects.filter(action__startswith="sqf.comment.").values_list(
            "action", flat=True
        )
    ) == ["sqf.comment.resolve", "sqf.comment.add", "sqf.comment.add"]
    page = _client(personas, "member").get(url).content.decode()
    assert "Уточните знания" in page and "Уточним в доработке" in page and "resolved" in page


def test_after_approval_nobody_comments(personas, submitted) -> None:
    version, _row = submitted
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=version,
        outcome="approve",
        meeting=decisions.Meeting(D("2024-05-06"), "1", 5, 0, 0),
    )
    with pytest.raises(PermissionError):
        review.comment_add(actor=personas.member, version=version, anchor="passport", body="late")
    assert not Comment.objects.exists()


def test_the_council_sees_exactly_what_changed_since_it_returned_the_draft(
    personas, submitted
) -> None:
    version, row = submitted
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=version,
        outcome="return",
        meeting=decisions.Meeting(D("2024-05-06"), "2", 6, 1, 0),
        recommendations=["Білімді нақтылаңыз", "Талдауды толықтырыңыз"],
    )
    version = Version.objects.get(pk=version.pk)
    part = version.parts.get(key=Part.Key.ANALYSIS)
    services.part_save(
        actor=personas.drafter,
        part=part,
        revision=part.revision,
        text_kk="<p>Жаңа талдау</p>",
        text_ru="<p>Новый анализ</p>",
    )
    row.refresh_from_db()
    services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=row.revision,
        values={
            "sqf_level": "4",
            "nqf_level": 4,
            "knowledge_kk": "Жаңа білім",
            "knowledge_ru": "Новые знания",
        },
        occupation_ids=[],
    )
    services_tables.table1_row_create(
        actor=personas.drafter, version=version, section=1, sqf_level="5", nqf_level=5
    )
    diff = review.changes_since_return(version)
    kinds = {(c.where, c.kind) for c in diff.changes}
    assert (str(Part.Key.ANALYSIS.label), "changed") in kinds
    assert ("Table 1 · section 2 · level 4", "changed") in kinds
    assert ("Table 1 · section 1 · level 5", "added") in kinds
    assert len(diff.changes) == 3  # nothing else is reported as changed
    [t1] = [c for c in diff.changes if c.where == "Table 1 · section 2 · level 4"]
    assert [f.label for f in t1.fields] == ["Knowledge (KK)", "Knowledge (RU)"]
    assert str(t1.fields[1].diff) == "<del>Старые</del><ins>Новые</ins> знания"
    page = _client(personas, "secretary").get(reverse("sbsh:changes", args=[version.pk]))
    body = page.content.decode()
    assert "<ins>Новый анализ</ins>" in body and "Білімді нақтылаңыз" in body
    # Markup typed into a text is shown, never run.
    assert review.word_diff("", "<script>alert(1)</script>") == (
        "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>"
    )


def test_the_history_page_lists_every_move_and_save_and_nothing_else(personas, submitted) -> None:
    version, _row = submitted
    other = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Басқа",
        sector_ru="Другая",
    )[1]
    services_tables.table1_row_create(
        actor=personas.drafter, version=other, section=1, sqf_level="2", nqf_level=2
    )
    page = _client(personas, "member").get(reverse("sbsh:history", args=[version.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    # Each save in words (issue 19), its code kept only as a data attribute.
    assert "added a level to Table 1" in body
    assert "<code>sqf." not in body
    scoped = AuditEvent.objects.filter(scope=services.version_scope(version)).count()
    assert scoped >= 3
    assert (
        body.count('data-action="sqf.')
        == scoped
        + AuditEvent.objects.filter(object_type="sbsh.version", object_id=str(version.pk))
        .exclude(scope=services.version_scope(version))
        .count()
    )
    assert "Другая" not in body
    assert (
        _client(personas, "outsider").get(reverse("sbsh:history", args=[version.pk])).status_code
        == 403
    )


def test_each_move_tells_the_next_people_in_their_language(
    personas, sqf, monkeypatch, mailoutbox, django_capture_on_commit_callbacks, settings
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    personas.secretary.preferred_language = "ru"
    personas.secretary.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.version_transition(
            actor=personas.drafter, version=sqf.version, name="submit", today=D("2024-05-03")
        )
    notes = Notification.objects.filter(event="moved").select_related("recipient", "deadline")
    assert {n.recipient.username for n in notes} == {"secretary", "member"}
    assert all(n.deadline and n.deadline.clause == "§12" for n in notes)
    by_user = {m.to[0]: m for m in mailoutbox}
    assert "§12" in by_user[personas.secretary.email].subject
    with translation.override("ru"):
        russian = translation.gettext(
            "A draft SQF was submitted to the council for approval (Rules §12)."
        )
    assert russian in by_user[personas.secretary.email].body
    assert "/sqf/" in by_user[personas.secretary.email].body
    assert personas.drafter.email not in by_user  # the mover is not told what they did


def test_each_role_sees_what_waits_for_it_with_working_days_left(
    personas, submitted, django_assert_max_num_queries, time_machine
) -> None:
    time_machine.move_to(dt.datetime(2024, 5, 7, 9, tzinfo=dt.UTC), tick=False)
    _version, _row = submitted
    for _ in range(5):  # more versions must not mean more queries
        extra = services.framework_create(
            actor=personas.drafter,
            state_body=personas.energy,
            council=personas.energy_council,
            sector_kk="Қосымша",
            sector_ru="Дополнительная",
        )[1]
        workflow.version_transition(
            actor=personas.drafter, version=extra, name="submit", today=D("2024-05-03")
        )
    client = _client(personas, "secretary")
    with django_assert_max_num_queries(10):
        body = client.get("/").content.decode()
    # §12: due 14 May 2024. From 7 May (a holiday) 3 working days are left: 8 May was
    # moved to Saturday 4 May and 9 May is a holiday, so 10, 13 and 14 May remain.
    assert "Rules §12: by 2024-05-14" in body and "3 working days left" in body
    assert body.count('href="/sqf/') >= 6
    # The ministry waits for the council now: nothing in its own list.
    drafter = _client(personas, "drafter").get("/").content.decode()
    assert "Nothing waits for your ministry now" in drafter
    # The deadlines page links each clock to the version it runs for.
    listing = client.get(reverse("deadlines:dashboard")).content.decode()
    assert f'href="{reverse("sbsh:overview", args=[extra.pk])}"' in listing
    officer = _client(personas, "officer").get("/").content.decode()
    assert "No approved SQF is waiting" in officer


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_workflow_pages_run_the_same_number_of_queries_for_few_or_many_records(
    personas, submitted
) -> None:
    """Threads, grounds, recommendations and history rows must not cost a query each."""
    version, _row = submitted
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=version,
        outcome="return",
        meeting=decisions.Meeting(D("2024-05-06"), "2", 6, 1, 0),
        recommendations=["Бір", "Екі"],
    )
    secretary = _client(personas, "secretary")
    pages = [
        reverse("sbsh:comments", args=[version.pk]),
        reverse("sbsh:recommendations", args=[version.pk]),
        reverse("sbsh:changes", args=[version.pk]),
        reverse("sbsh:history", args=[version.pk]),
        reverse("sbsh:overview", args=[version.pk]),
        reverse("sbsh:grounds"),
        "/",
    ]

    def add(n: int) -> None:
        for i in range(n):
            c = review.comment_add(
                actor=personas.member, version=version, anchor="passport", body=f"#{i}"
            )
            review.comment_add(actor=personas.drafter, version=version, parent=c, body="ok")
            g = grounds.ground_create(
                actor=personas.member,
                kind="proposal",
                council=personas.energy_council,
                year=2024,
                sector_kk="Сала",
                sector_ru="Отрасль",
                justification="x",
            )
            grounds.ground_row_add(
                actor=personas.member, ground=g, current_text="", proposed_text="y", reason="z"
            )
            grounds.ground_file(actor=personas.member, ground=g)

    add(1)
    few = {url: _queries(secretary, url) for url in pages}
    add(20)
    many = {url: _queries(secretary, url) for url in pages}
    assert many == few
