"""The rendered rows of Tables 1 and 3 come from a cache (sbsh/document/fragments.py): an unchanged
row is not rendered again, and any change — an edit in the browser, a write that bypasses
the services, a classifier node renamed or re-levelled — shows at once, in every interface
language, and edit controls reach only people who may edit."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from classifiers import names as classifier_names
from classifiers import services as classifier_services
from sbsh.document import services, services_tables
from sbsh.models import Table1Row, Table3Row, Version
from tests.sbsh.document.test_editor import t1_payload

pytestmark = pytest.mark.django_db

T1_ROW = "sbsh/_table1_row.html"
T3_ROW = "sbsh/_table3_row.html"


def rendered(response, template: str) -> int:
    """How many times the request rendered `template` (the test client records each)."""
    return [t.name for t in response.templates].count(template)


def tbodies(response) -> list[str]:
    """The tables' rows (the rest of the page carries a fresh CSRF token each time)."""
    return re.findall(r"<tbody.*?</tbody>", response.content.decode(), re.S)


def speak(user, language: str):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


@pytest.fixture
def t1(personas, sqf) -> list[Table1Row]:
    occupation = sqf.nodes["nkz:2512-1-001"]
    rows = []
    for section in (1, 1, 2):
        row = services_tables.table1_row_create(
            actor=personas.drafter, version=sqf.version, section=section
        )
        rows.append(
            services_tables.table1_row_save(
                actor=personas.drafter,
                row=row,
                revision=row.revision,
                values={
                    "sqf_level": "4",
                    "nqf_level": 4,
                    **{f: f"{f} {row.pk}" for f in services_tables.T1_FIELDS},
                },
                occupation_ids=[occupation.pk],
            )
        )
    return rows


@pytest.fixture
def t3(personas, sqf) -> list[Table3Row]:
    n = sqf.nodes
    return [
        services_tables.table3_row_save(
            actor=personas.drafter,
            version=sqf.version,
            row=None,
            revision=None,
            values=services_tables.Table3Values(
                n["isco08:2512"].pk, n[occupation].pk, n["oked:62011"].pk, 4, "4"
            ),
        )
        for occupation in ("nkz:2512-1-001", "nkz:2512-1-002")
    ]


def test_an_unchanged_table1_row_is_rendered_once_and_then_served_from_the_cache(
    personas, sqf, t1
) -> None:
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table1", args=[sqf.version.pk])
    first = client.get(url)
    second = client.get(url)
    assert rendered(first, T1_ROW) == 3 and rendered(second, T1_ROW) == 0
    assert tbodies(first) == tbodies(second)  # byte for byte
    # A fragment is exactly what the row's own view renders, controls and all.
    own = client.get(reverse("sbsh:table1-row", args=[sqf.version.pk, t1[0].pk]))
    assert own.content.decode() in second.content.decode()
    assert f'data-testid="edit-{t1[0].pk}"' in own.content.decode()


def test_a_table1_row_edited_in_the_browser_shows_its_new_text_at_once_in_both_languages(
    personas, sqf, t1
) -> None:
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table1", args=[sqf.version.pk])
    for language in ("kk", "ru"):
        speak(personas.drafter, language)
        assert f"knowledge_kk {t1[0].pk}" in client.get(url).content.decode()
    saved = client.post(
        reverse("sbsh:table1-edit", args=[sqf.version.pk, t1[0].pk]),
        t1_payload(
            t1[0],
            [sqf.nodes["nkz:2512-1-002"].pk],
            knowledge_kk="Жаңа білім",
            knowledge_ru="Новые знания",
        ),
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert Table1Row.objects.get(pk=t1[0].pk).knowledge_ru == "Новые знания"
    for language, edit_label in (("kk", "Өңдеу"), ("ru", "Изменить")):
        speak(personas.drafter, language)
        page = client.get(url)
        body = page.content.decode().replace("\xad", "")  # soft hyphens at syllables
        assert page["Content-Language"] == language
        assert "Жаңа білім" in body and "Новые знания" in body
        assert f"knowledge_kk {t1[0].pk}" not in body
        assert "2512-1-002" in body  # the new occupation
        assert f"knowledge_kk {t1[1].pk}" in body  # the other rows are still there
        assert rendered(page, T1_ROW) == 1  # only the edited row was rendered again
        assert edit_label in body  # the controls in this language


def test_a_write_that_bypasses_the_services_still_shows_at_once(personas, sqf, t1, t3) -> None:
    client = personas.client_for(personas.drafter)
    t1_url = reverse("sbsh:table1", args=[sqf.version.pk])
    t3_url = reverse("sbsh:table3", args=[sqf.version.pk])
    client.get(t1_url), client.get(t3_url)
    # No revision raised, no updated_at: the key holds every stored column.
    Table1Row.objects.filter(pk=t1[1].pk).update(role_ru="Изменено скриптом")
    Table3Row.objects.filter(pk=t3[1].pk).update(sqf_level="7", nqf_level=7)
    page1, page3 = client.get(t1_url), client.get(t3_url)
    assert (
        "Изменено скриптом" in page1.content.decode().replace("\xad", "")
        and rendered(page1, T1_ROW) == 1
    )
    assert "<td>7</td><td>7</td>" in page3.content.decode() and rendered(page3, T3_ROW) == 1


def test_a_classifier_node_changed_in_place_shows_at_once_in_both_tables(
    personas, sqf, t1, t3
) -> None:
    client = personas.client_for(personas.drafter)
    t1_url = reverse("sbsh:table1", args=[sqf.version.pk])
    t3_url = reverse("sbsh:table3", args=[sqf.version.pk])
    occupation = sqf.nodes["nkz:2512-1-001"]
    classifier_services.node_skill_level_set(actor=personas.admin, node=occupation, skill_level=3)
    assert "<td>3</td><td>4</td><td>4</td>" in client.get(t3_url).content.decode()
    assert "Бағдарламашы" in client.get(t1_url).content.decode().replace("\xad", "")

    classifier_services.node_skill_level_set(actor=personas.admin, node=occupation, skill_level=2)
    classifier_names.node_names_set(
        actor=personas.admin, node=occupation, title_kk="ЖАҢА АТАУ", title_ru="НОВОЕ ИМЯ"
    )
    page3, page1 = client.get(t3_url), client.get(t1_url)
    body3 = page3.content.decode()
    assert "<td>2</td><td>4</td><td>4</td>" in body3
    assert "<td>3</td><td>4</td><td>4</td>" not in body3
    assert "ЖАҢА АТАУ" in page1.content.decode()  # kk interface: the Kazakh name
    assert "Бағдарламашы" not in page1.content.decode()
    speak(personas.drafter, "ru")
    assert "НОВОЕ ИМЯ" in client.get(t1_url).content.decode()


@pytest.mark.parametrize("reader", ["member", "officer"])
def test_a_viewer_who_may_not_edit_never_gets_edit_controls_from_the_cache(
    personas, sqf, t1, t3, reader
) -> None:
    drafter = personas.client_for(personas.drafter)
    other = personas.client_for(getattr(personas, reader))
    pages = {
        "table1": (reverse("sbsh:table1", args=[sqf.version.pk]), f"edit-{t1[0].pk}"),
        "table3": (reverse("sbsh:table3", args=[sqf.version.pk]), f"t3-edit-{t3[0].pk}"),
    }
    for url, control in pages.values():
        assert f'data-testid="{control}"' in drafter.get(url).content.decode()  # cached
        seen = other.get(url)
        assert seen.status_code == 200
        assert f'data-testid="{control}"' not in seen.content.decode()
        assert "hx-post" not in seen.content.decode().split("<tbody", 1)[1]
    # The version leaves drafting: its drafter reads it as everybody does.
    Version.objects.filter(pk=sqf.version.pk).update(status=Version.Status.COUNCIL_REVIEW)
    for url, control in pages.values():
        assert f'data-testid="{control}"' not in drafter.get(url).content.decode()


def test_table3_rows_are_numbered_as_on_their_page(personas, sqf, t3) -> None:
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table3", args=[sqf.version.pk])
    client.get(url)
    services_tables.table3_row_delete(actor=personas.drafter, row=t3[0], revision=t3[0].revision)
    body = client.get(url).content.decode()
    assert f'id="t3-{t3[0].pk}"' not in body
    assert f'<tr id="t3-{t3[1].pk}">\n      <td>1</td>' in body  # was row 2, now row 1


def test_the_editor_menu_is_in_the_viewers_language_and_marks_the_part_shown(personas, sqf) -> None:
    """The menu is rendered once per version, part and language in a process
    (sqf.editor_nav): the cached copy must still follow the language and the part."""
    client = personas.client_for(personas.drafter)
    t1_url = reverse("sbsh:table1", args=[sqf.version.pk])
    t3_url = reverse("sbsh:table3", args=[sqf.version.pk])
    for language, label in (
        ("kk", "3-кесте — біліктілік картасы"),
        ("ru", "Таблица 3 — карта квалификаций"),
    ):
        speak(personas.drafter, language)
        for _twice in range(2):
            on_t3 = client.get(t3_url).content.decode()
            on_t1 = client.get(t1_url).content.decode()
            assert f'<a href="{t3_url}" aria-current="page">{label}</a>' in on_t3
            assert f'<a href="{t3_url}" >{label}</a>' in on_t1
            assert f'<a href="{t1_url}" aria-current="page">' in on_t1
    other = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Басқа сала",
        sector_ru="Другая отрасль",
    )[1]
    body = client.get(reverse("sbsh:table3", args=[other.pk])).content.decode()
    assert f'href="{reverse("sbsh:table1", args=[other.pk])}"' in body and t1_url not in body


# --- PostgreSQL: the page reads the rows light (a digest computed by the database) --------


@pytest.mark.postgres
def test_on_postgresql_every_column_of_a_table1_row_changes_its_digest(personas, sqf, t1) -> None:
    from sbsh.document import selectors

    def digests() -> dict[int, str]:
        return {r.pk: r.stored_digest for r in selectors.table1_rows(sqf.version, light=True)}

    before = digests()
    assert len(set(before.values())) == 3  # rows differ
    changes = {
        **dict.fromkeys(Table1Row.TEXT_FIELDS, "x"),
        "sqf_level": "5",
        "nqf_level": 5,
        "section": 3,
        "order": 99,
        "revision": t1[0].revision + 1,
        "stale_language": "ru",
    }
    for field, value in changes.items():
        Table1Row.objects.filter(pk=t1[0].pk).update(**{field: value})
        after = digests()
        assert after[t1[0].pk] != before[t1[0].pk], field
        assert after[t1[1].pk] == before[t1[1].pk]
        before = after
    # An empty text and no change at all: the same digest (stable across reads).
    Table1Row.objects.filter(pk=t1[0].pk).update(knowledge_kk="")
    assert digests()[t1[0].pk] != before[t1[0].pk]
    assert digests() == digests()


@pytest.mark.postgres
def test_on_postgresql_the_table1_page_reads_no_row_text_once_its_rows_are_cached(
    personas, sqf, t1
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table1", args=[sqf.version.pk])
    first = client.get(url)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(url)
    assert rendered(first, T1_ROW) == 3 and rendered(second, T1_ROW) == 0
    assert tbodies(first) == tbodies(second)
    sql = " ".join(q["sql"] for q in warm.captured_queries)
    assert "knowledge_kk" not in sql and "sha256" in sql
    # Neither the occupations' links nor the classifier editions cost a query of their own.
    assert not any(
        q["sql"].startswith(('SELECT "sbsh_table1row_occupations"', 'SELECT "classifiers_edition"'))
        for q in warm.captured_queries
    )
    # An occupation added by a bare insert into the link table shows at once.
    other = sqf.nodes["nkz:2512-1-002"]
    Table1Row.occupations.through.objects.create(table1row_id=t1[2].pk, node_id=other.pk)
    third = client.get(url).content.decode()
    assert other.code in third and rendered(client.get(url), T1_ROW) == 0


@pytest.mark.postgres
def test_on_postgresql_a_light_row_changed_before_it_is_rendered_is_keyed_as_rendered(
    personas, sqf, t1
) -> None:
    """The page reads the rows light, then reads whole the ones it must render: a write in
    between is rendered, and stored under the key of what was rendered, not of the light
    read (which would show the new text for the old row later)."""
    from sbsh.document import fragments, selectors

    rows = selectors.table1_rows(sqf.version, light=True)
    original = Table1Row.objects.get(pk=rows[0].pk).knowledge_ru
    Table1Row.objects.filter(pk=rows[0].pk).update(knowledge_ru="Между чтениями")
    fragments.attach_table1(rows, version=sqf.version, can_edit=True)
    assert "Между чтениями" in rows[0].html.replace("\xad", "")  # soft hyphens
    # The light key of the old row holds nothing; the row as it is now is found.
    again = selectors.table1_rows(sqf.version, light=True)
    fragments.attach_table1(again, version=sqf.version, can_edit=True)
    assert again[0].html == rows[0].html
    Table1Row.objects.filter(pk=rows[0].pk).update(knowledge_ru=original)
    back = selectors.table1_rows(sqf.version, light=True)
    fragments.attach_table1(back, version=sqf.version, can_edit=True)
    shown = back[0].html.replace("\xad", "")
    assert "Между чтениями" not in shown and original in shown


def test_the_site_menu_is_rendered_once_per_process_yet_follows_language_role_and_page(
    personas, sqf
) -> None:
    """base.html's menu comes from a per-process cache (sqf.site_nav): the language, being
    signed in, being an administrator and the page shown are its key."""
    from django.test import Client

    def menu(client, url: str) -> str:
        body = client.get(url).content.decode()
        return re.search(r'<nav class="main-nav".*?</nav>', body, re.S).group(0)

    drafter, admin = personas.client_for(personas.drafter), personas.client_for(personas.admin)
    sqfs, registry = reverse("sbsh:list"), reverse("registry:list")
    for language, label in (("kk", "Әкімшілендіру"), ("ru", "Администрирование")):
        speak(personas.drafter, language)
        speak(personas.admin, language)
        mine = menu(drafter, sqfs)
        assert label not in mine and label in menu(admin, sqfs)
        assert f'<a href="{sqfs}" aria-current="page">' in mine
        assert f'<a href="{registry}" aria-current="page">' in menu(drafter, registry)
        assert f'<a href="{sqfs}" aria-current="page">' not in menu(drafter, registry)
    # Nothing of a signed-in menu reaches a visitor.
    visitor = menu(Client(), registry)
    assert sqfs not in visitor and reverse("login") in visitor


@pytest.mark.postgres
def test_on_postgresql_a_row_deleted_between_the_reads_is_left_out_of_the_page(
    personas, sqf, t1
) -> None:
    from django.template.loader import render_to_string

    from sbsh.document import fragments, selectors

    rows = selectors.table1_rows(sqf.version, light=True)
    Table1Row.objects.filter(pk=rows[1].pk).delete()
    fragments.attach_table1(rows, version=sqf.version, can_edit=True)
    assert rows[1].html == "" and f'id="row-{rows[0].pk}"' in rows[0].html
    html = render_to_string(
        "sbsh/_table1_sections.html",
        {
            "sections": selectors.table1_by_section(sqf.version, rows=rows),
            "version": sqf.version,
            "can_edit": True,
        },
    )
    assert f'id="row-{rows[1].pk}"' not in html and f'id="row-{rows[2].pk}"' in html
