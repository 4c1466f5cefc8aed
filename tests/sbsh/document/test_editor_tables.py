"""Tables 1 and 3 at real size: a section or a page at a time, the filter, folded cells,
HTML size and query counts that do not grow with the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sbsh.document import services, services_tables
from sbsh.models import Table1Row, Table3Row
from tests.sbsh.document.test_editor import _bulk_rows


def _nodes(sqf):
    n = sqf.nodes
    return (n["nkz:2512-1-001"], n["isco08:2512"], n["nkz:2512"], n["nkz:2512-1"], n["oked:62011"])


@pytest.fixture
def big(personas, sqf):
    """200 Table 1 rows (50 per section) and 300 Table 3 rows, with long texts."""
    _bulk_rows(sqf.version, *_nodes(sqf), t1=200, t3=300)
    Table1Row.objects.filter(version=sqf.version).update(
        knowledge_kk="Электр энергиясын өндіру, беру және тарату жүйелерінің жұмыс істеу қағидаттары. "
        * 6
    )
    return sqf


def test_a_big_table1_shows_one_process_section_at_a_time_under_200_kb(personas, big) -> None:
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table1", args=[big.version.pk])
    page = client.get(url)
    body = page.content.decode().replace("\xad", "")  # soft hyphens at syllables
    assert page.status_code == 200 and len(page.content) < 200_000
    first = Table1Row.objects.filter(version=big.version, section=1).order_by("order").first()
    second = Table1Row.objects.filter(version=big.version, section=2).first()
    assert f'data-testid="t1-row-{first.pk}"' in body
    assert f'data-testid="t1-row-{second.pk}"' not in body
    assert body.count('class="t1-row') == 40  # a page of the section's 50 rows
    assert client.get(url, {"section": 1, "page": 2}).content.decode().count('class="t1-row') == 10
    # The long knowledge text is sent as its first words; the whole row comes on request.
    long_text = first.knowledge_kk
    assert long_text not in body and long_text[:60] in body
    assert f'hx-get="{url}{first.pk}/?full=1"' in body
    full = client.get(reverse("sbsh:table1-row", args=[big.version.pk, first.pk]), {"full": 1})
    assert long_text.strip() in full.content.decode().replace("<br>", "\n").replace("\xad", "")
    assert '<details class="clamp">' in full.content.decode()
    assert 'data-testid="section-tab-2"' in body and 'aria-current="page"' in body
    section2 = client.get(url, {"section": 2}).content.decode()
    assert f'data-testid="t1-row-{second.pk}"' in section2
    assert f'data-testid="t1-row-{first.pk}"' not in section2
    everything = client.get(url, {"section": "all", "page": 5}).content.decode()
    assert everything.count('class="t1-row') == 40
    last = Table1Row.objects.filter(version=big.version, section=4).order_by("order", "id").last()
    assert f'data-testid="t1-row-{last.pk}"' in everything


def test_a_small_table1_is_shown_whole(personas, sqf) -> None:
    _bulk_rows(sqf.version, *_nodes(sqf), t1=8, t3=0)
    body = (
        personas.client_for(personas.drafter)
        .get(reverse("sbsh:table1", args=[sqf.version.pk]))
        .content.decode()
    )
    assert body.count('class="t1-row') == 8
    assert all(f'data-testid="add-row-{s}"' in body for s in (1, 2, 3, 4))


def test_the_table1_filter_finds_codes_words_in_either_language_and_levels(personas, sqf) -> None:
    n = sqf.nodes
    rows = []
    for section, level, kk, ru, occ in (
        (1, "4", "Трансформатор", "Трансформатор", "nkz:2512-1-001"),
        (2, "4.1", "Релелік қорғаныс", "Релейная защита", "nkz:2512-1-002"),
        (3, "6", "Диспетчерлік басқару", "Диспетчерское управление", "nkz:2512-1-001"),
    ):
        row = services_tables.table1_row_create(
            actor=personas.drafter, version=sqf.version, section=section
        )
        rows.append(
            services_tables.table1_row_save(
                actor=personas.drafter,
                row=row,
                revision=row.revision,
                values={
                    "sqf_level": level,
                    "nqf_level": int(level[0]),
                    "knowledge_kk": kk,
                    "knowledge_ru": ru,
                },
                occupation_ids=[n[occ].pk],
            )
        )
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table1", args=[sqf.version.pk])

    def found(**params) -> set[int]:
        body = client.get(url, params).content.decode()
        return {r.pk for r in rows if f'data-testid="t1-row-{r.pk}"' in body}

    assert found(q="релейная") == {rows[1].pk}  # Russian, any case
    assert found(q="ДИСПЕТЧЕРЛІК") == {rows[2].pk}  # Kazakh, any case
    assert found(q="2512-1-002") == {rows[1].pk}  # an NKZ code
    assert found(q="инженер-программист") == {rows[1].pk}  # the occupation's name
    assert found(level="4") == {rows[0].pk, rows[1].pk}  # a level takes its sub-levels
    assert found(level="4.1") == {rows[1].pk}
    assert found(q="нет такого") == set()
    partial = client.get(
        url, {"q": "релейная"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="table1-body"
    )
    body = partial.content.decode()
    assert body.startswith('<div id="table1-body">') and "<html" not in body
    assert 'data-testid="filter-count"' in body


def test_a_big_table3_is_paged_and_filtered(personas, big) -> None:
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table3", args=[big.version.pk])
    first = client.get(url)
    assert first.status_code == 200 and len(first.content) < 200_000
    body = first.content.decode()
    ids = list(
        Table3Row.objects.filter(version=big.version)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    assert f'id="t3-{ids[0]}"' in body and f'id="t3-{ids[50]}"' not in body
    third = client.get(url, {"page": 6}).content.decode()
    assert f'id="t3-{ids[299]}"' in third and f'id="t3-{ids[0]}"' not in third
    assert "<td>300</td>" in third  # numbered across the pages
    assert client.get(url, {"q": "62011"}).content.decode().count('<tr id="t3-') == 50
    assert client.get(url, {"q": "нет такого"}).content.decode().count('<tr id="t3-') == 0
    assert client.get(url, {"level": "5"}).context["shown"] == 300


def test_the_sqf_list_has_a_filter(personas, sqf) -> None:
    services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Жылу энергетикасы",
        sector_ru="Теплоэнергетика",
    )
    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:list")
    assert len(client.get(url).context["frameworks"]) == 2
    only = client.get(url, {"q": "теплоэнергетика"})
    assert [f.sector_ru for f in only.context["frameworks"]] == ["Теплоэнергетика"]
    assert len(client.get(url, {"q": "жылу"}).context["frameworks"]) == 1
    none = client.get(url, {"q": "космос"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="sqf-list")
    assert none.content.decode().startswith('<div id="sqf-list">')
    assert len(none.context["frameworks"]) == 0


@pytest.mark.parametrize("params", [{}, {"section": "all"}, {"q": "б"}, {"level": "5"}])
def test_table1_queries_do_not_grow_with_the_rows_whatever_the_view(
    personas, sqf, params, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = personas.client_for(personas.drafter)
    url = reverse("sbsh:table1", args=[sqf.version.pk])
    _bulk_rows(sqf.version, *_nodes(sqf), t1=4, t3=2)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, params).status_code == 200
    _bulk_rows(sqf.version, *_nodes(sqf), t1=296, t3=298)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, params).status_code == 200
