"""Every delete and every irreversible move asks first, saying what will happen, in the
reader's language (issue 19). static/js/ui.js asks for a form's `data-confirm` and htmx for
an `hx-confirm`; tests/browser/test_surface.py proves that a "no" sends nothing. Here: every
such form in the templates carries its question, no delete or move route is left without
one, and the questions reach the page in Kazakh and Russian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# The routes that delete something or make a move that cannot be taken back.
ASKS_FIRST = {
    "sbsh:ground-row-delete": "a row of the grounds' comparative table",
    "sbsh:ground-gap-delete": "a sector of the grounds' analysis",
    "sbsh:ground-file": "filing the grounds to the council (Rules §5)",
    "sbsh:standard-delete": "a professional standard",
    "sbsh:table2-delete": "an occupation of Table 2 with its career moves",
    "sbsh:table2-unlink": "a career move of Table 2",
    "sbsh:table3-delete": "a row of Table 3",
    "sbsh:working-group-remove": "a participant of the working group (Rules §7)",
    "sbsh:transition": "every status move (finish, submit, receive, publish, return …)",
    "sbsh:editions-move": "moving the codes to the current classifier edition",
    "deadlines:feed-regenerate": "a new calendar address (the old one stops working)",
    "mfa-recovery": "new recovery codes (the old ones stop working)",
}
# Routes whose names sound destructive but ask nothing, and why that is right.
NEED_NOT_ASK = {
    "sbsh:table1-move": "moves a row up or down; moving it back undoes it",
    "sbsh:table1-delete": "an htmx button, asked by hx-confirm (checked below)",
    "version-moves": "the API: a program calls it, no person to ask",
    "version-decide": "the API: a program calls it, no person to ask",
}
# Forms that post to their own page: the button that records the decision asks.
SELF_POSTING = {
    "sbsh/decide_grounds.html": 'data-testid="decision-save"',
    "sbsh/decide_draft.html": 'data-testid="decision-save"',
}


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            names |= _names(p, inner)
        elif isinstance(p, URLPattern) and p.name:
            names.add(namespace + p.name)
    return names


def _forms_posting_to(name: str) -> list[tuple[str, str]]:
    """(template, form markup) of every form whose action is {% url 'name' … %}."""
    pattern = re.compile(
        r"<form\b[^>]*action=\"\{% url '" + re.escape(name) + r"'[^>]*>.*?</form>", re.S
    )
    return [
        (str(path.relative_to(TEMPLATES)), m.group(0))
        for path in sorted(TEMPLATES.rglob("*.html"))
        for m in pattern.finditer(path.read_text(encoding="utf-8"))
    ]


def test_no_delete_or_move_route_is_left_out() -> None:
    sounds_final = re.compile(r"delete|remove|unlink|file|move|decide|regenerate|recovery|publish")
    routes = {n for n in _names(get_resolver()) if sounds_final.search(n.split(":")[-1])}
    routes -= {"sbsh:decide-grounds", "sbsh:decide-draft"}  # pages; see SELF_POSTING
    routes = {n for n in routes if not n.startswith("admin:")}  # Django's own confirm pages
    missing = routes - set(ASKS_FIRST) - set(NEED_NOT_ASK)
    assert missing == set(), f"say whether these ask first: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(ASKS_FIRST))
def test_each_form_that_deletes_or_moves_asks_first(name: str) -> None:
    forms = _forms_posting_to(name)
    assert forms, f"no form posts to {name}: is the list above out of date?"
    for template, form in forms:
        question = re.search(r'data-confirm="([^"]+)"', form)
        assert question and question.group(1).strip(), f"{template}: a form to {name} asks nothing"


@pytest.mark.parametrize("template, button", sorted(SELF_POSTING.items()))
def test_recording_a_council_decision_asks_first(template: str, button: str) -> None:
    html = (TEMPLATES / template).read_text(encoding="utf-8")
    tag = re.search(r"<button\b[^>]*" + re.escape(button) + r"[^>]*>", html)
    assert tag and "data-confirm=" in tag.group(0)


def test_deleting_a_table1_row_asks_first() -> None:
    html = (TEMPLATES / "sbsh/_table1_row.html").read_text(encoding="utf-8")
    buttons = re.findall(r"<button\b[^>]*hx-post=\"[^\"]*/delete/\"[^>]*>", html)
    assert buttons and all("hx-confirm=" in b for b in buttons)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lang, words",
    [
        ("kk", ("жұмыс тобынан", "күнтізбе")),
        ("ru", ("рабочей группы", "календар")),
    ],
)
def test_the_questions_reach_the_page_in_the_readers_language(
    personas, sqf, lang: str, words: tuple[str, ...]
) -> None:
    from deadlines.models import FeedToken
    from sbsh.models import WorkingGroupMember

    WorkingGroupMember.objects.get_or_create(
        version=sqf.version,
        user=personas.expert,
        defaults={"category": "expert", "added_by": personas.drafter},
    )
    FeedToken.objects.create(user=personas.drafter)
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = lang
    pages = [
        reverse("sbsh:working-group", args=[sqf.version.pk]),
        reverse("deadlines:dashboard"),
    ]
    questions = []
    for url in pages:
        html = client.get(url).content.decode()
        questions += re.findall(r'data-confirm="([^"]+)"', html)
    assert len(questions) >= 2
    for word in words:
        assert any(word in q.lower() for q in questions), (word, questions)
