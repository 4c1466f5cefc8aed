"""Where an occupation appears: every current published SQF, level and table row naming an
NKZ code (page and API), counted by hand on the demo."""

from __future__ import annotations

import pytest
from django.test import Client

from classifiers.demo import seed_classifiers
from sbsh.demo import seed_demo_history, seed_demo_sqf
from sbsh.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(personas) -> Publication:
    seed_classifiers()
    seed_demo_sqf()
    seed_demo_history()
    return Publication.objects.get()


def test_an_occupation_is_found_in_each_table_that_names_it(demo) -> None:
    client = Client()
    response = client.get("/api/registry/occupations/2151-2-006/")
    assert response.status_code == 200
    data = response.json()
    assert data["name"]["ru"] == "Инженер по выработке электроэнергии"
    [framework] = data["frameworks"]
    assert framework["framework"] == demo.framework_id and framework["number"] == 1
    # By hand, from sbsh/data/demo_sqf_energy.json: one Table 1 row (section 2, level 6),
    # one Table 2 entry at level 6, no Table 3 row.
    places = {(p["table"], p.get("section"), p["sqf_level"]) for p in framework["places"]}
    assert places == {("table1", 2, "6"), ("table2", None, "6")}
    assert framework["levels"] == ["6"]
    client.cookies["sqf_language"] = "ru"
    page = client.get("/registry/occupations/2151-2-006/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="occupation-places"' in html
    assert demo.name_ru in html and "Инженер по выработке электроэнергии" in html


def test_a_unit_group_finds_the_occupations_under_it(demo) -> None:
    data = Client().get("/api/registry/occupations/2151/").json()
    [framework] = data["frameworks"]
    codes = {p["code"] for p in framework["places"]}
    content = demo.content
    expected = {
        e["occupation"]["code"]
        for e in content["table2"]["entries"]
        if e["occupation"]["code"].startswith("2151")
    }
    expected |= {
        n["code"]
        for r in content["table1"]
        for n in r["occupations"]
        if n["code"].startswith("2151")
    }
    expected |= {
        r["occupation"]["code"]
        for r in content["table3"]
        if r["occupation"]["code"].startswith("2151")
    }
    expected.add("2151")  # the passport's professional group
    assert codes == expected


def test_unknown_and_uncovered_codes(demo) -> None:
    client = Client()
    assert client.get("/api/registry/occupations/99999/").status_code == 404
    assert client.get("/api/registry/occupations/abc/").status_code == 404
    assert client.get("/registry/occupations/abc/").status_code == 404
    # A real NKZ code no published SQF names: found, with no framework.
    response = client.get("/api/registry/occupations/2512/")
    assert response.status_code == 200 and response.json()["frameworks"] == []
    assert (
        'data-testid="occupation-none"'
        in client.get("/registry/occupations/2512/").content.decode()
    )
    assert client.get("/registry/occupations/?code=2151").status_code == 302


def test_a_draft_is_never_counted(demo) -> None:
    """Version 2 (in preparation) cites the same codes; only the published version 1 shows."""
    data = Client().get("/api/registry/occupations/2151-2-006/").json()
    assert [(f["framework"], f["number"]) for f in data["frameworks"]] == [(demo.framework_id, 1)]
