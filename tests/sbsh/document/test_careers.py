"""Career paths as a picture (Annex §10): the SVG parses, names every Table 2 occupation in
the page's language, draws every move, stays readable at 40 occupations, carries no script;
it is on the Table 2 editor (changing with the links), the registry page and careers.svg."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from itertools import pairwise
from types import SimpleNamespace

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client

from classifiers.demo import seed_classifiers
from classifiers.models import Classifier, Node
from classifiers.services import current_edition
from sbsh.demo import seed_demo_history, seed_demo_sqf
from sbsh.document import careers, services_tables
from sbsh.models import Publication

pytestmark = pytest.mark.django_db
NS = {"s": careers.SVG_NS}


def parse(svg: str) -> ET.Element:
    root = fromstring(svg)
    assert root.tag == f"{{{careers.SVG_NS}}}svg"
    assert not root.findall(".//s:script", NS) and not root.findall(".//s:style", NS)
    assert not any(k.startswith("on") for el in root.iter() for k in el.attrib)
    return root


def named(root: ET.Element) -> dict[tuple[str, str], str]:
    """(level, code) → the node's full name, from each node's <title>."""
    return {
        (g.get("data-level"), g.get("data-code")): g.find("s:title", NS).text
        for g in root.iter(f"{{{careers.SVG_NS}}}g")
        if g.get("data-code")
    }


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{{{careers.SVG_NS}}}text")]


@pytest.fixture
def demo(personas) -> Publication:
    seed_classifiers()
    seed_demo_sqf()
    seed_demo_history()
    return Publication.objects.get()


def test_the_picture_names_every_occupation_and_draws_every_move(demo) -> None:
    content = demo.content
    for lang in ("kk", "ru"):
        occupations, moves = careers.from_content(content, lang)
        root = parse(careers.career_svg(occupations, moves, lang))
        names = named(root)
        entries = content["table2"]["entries"]
        assert len(names) == len(entries)
        for e in entries:
            title = names[(e["sqf_level"], e["occupation"]["code"])]
            assert (
                title
                == f"{e['occupation']['code']} {e['occupation']['name'][lang]} ({e['sqf_level']})"
            )
        assert {e["occupation"]["code"] for e in entries} <= set(texts(root))
        paths = root.findall(".//s:g[@class='moves']/s:path", NS)
        assert len(paths) == len(content["table2"]["links"])
        dashed = [p for p in paths if p.get("stroke-dasharray")]
        assert len(dashed) == sum(
            1 for x in content["table2"]["links"] if x["kind"] == "horizontal"
        )
        levels = {t for t in texts(root) if t in {e["sqf_level"] for e in entries}}
        assert levels == {e["sqf_level"] for e in entries}


def test_work_experience_is_written_on_vertical_moves_once_recorded(demo) -> None:
    content = copy.deepcopy(demo.content)
    vertical = next(x for x in content["table2"]["links"] if x["kind"] == "vertical")
    vertical["experience_years"] = 3
    root = parse(careers.career_svg(*careers.from_content(content, "ru"), "ru"))
    assert "стаж 3 г." in texts(root)

    # From the editor's rows: read with getattr, so rows without the field draw no label.
    def entry(pk: int, level: str, code: str) -> SimpleNamespace:
        return SimpleNamespace(
            pk=pk,
            sqf_level=level,
            group=SimpleNamespace(code=code[:4], title_kk="Топ", title_ru="Группа"),
            occupation=SimpleNamespace(code=code, title_kk="Кәсіп", title_ru="Занятие"),
        )

    rows = [entry(1, "3", "8186-0-040"), entry(2, "4", "8186-0-022")]
    plain = SimpleNamespace(source_id=1, target_id=2, kind="vertical")
    assert "3 ж. өтіл" not in texts(
        parse(careers.career_svg(*careers.from_rows(rows, [plain], "kk"), "kk"))
    )
    plain.experience_years = 3
    assert "3 ж. өтіл" in texts(
        parse(careers.career_svg(*careers.from_rows(rows, [plain], "kk"), "kk"))
    )


def test_forty_occupations_stay_readable(demo) -> None:
    edition = current_edition(Classifier.NKZ)
    nodes = list(
        Node.objects.filter(
            edition=edition, level=6, code__regex=r"^(2151|7413|8186|3121|1329)"
        ).order_by("code")[:40]
    )
    levels = ["1", "2", "3", "4.1", "4.2", "5", "6.1", "6.2", "7", "8"]
    occupations = [
        careers.Occupation(levels[i % 10], n.code[:4], "Группа " + n.code[:4], n.code, n.title_ru)
        for i, n in enumerate(nodes)
    ]
    moves = [
        careers.Move((a.level, a.code), (b.level, b.code), "vertical")
        for a, b in pairwise(occupations)
        if careers.level_key(a.level) < careers.level_key(b.level)
    ]
    root = parse(careers.career_svg(occupations, moves, "ru"))
    assert len(named(root)) == 40
    sizes = [float(t.get("font-size")) for t in root.iter(f"{{{careers.SVG_NS}}}text")]
    assert min(sizes) >= 10.5
    boxes = [
        (float(r.get("x")), float(r.get("y")))
        for g in root.iter(f"{{{careers.SVG_NS}}}g")
        if g.get("data-code")
        for r in g.findall("s:rect", NS)
    ]
    assert len(set(boxes)) == 40, "no two occupations drawn on top of each other"
    assert all(
        len(line) <= careers.WRAP
        for g in root.iter(f"{{{careers.SVG_NS}}}g")
        if g.get("data-code")
        for line in [t.text for t in g.findall("s:text", NS)]
    )


def test_the_registry_serves_the_picture_in_the_language_asked(demo) -> None:
    url = f"/registry/{demo.framework_id}/v{demo.number}/careers.svg"
    entry = demo.content["table2"]["entries"][0]
    for lang in ("kk", "ru"):
        response = Client().get(f"{url}?lang={lang}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        root = parse(response.content.decode())
        assert (
            entry["occupation"]["name"][lang]
            in named(root)[(entry["sqf_level"], entry["occupation"]["code"])]
        )
    page = Client().get(f"/registry/{demo.framework_id}/v{demo.number}/?lang=ru").content.decode()
    assert 'data-testid="career-picture"' in page and "<svg" in page
    assert 'data-testid="career-moves"' in page  # the text alternative
    assert entry["occupation"]["name"]["ru"] in page
    assert Client().get(f"/registry/{demo.framework_id}/v2/careers.svg").status_code == 404


def test_the_editor_picture_follows_the_links(personas, sqf) -> None:
    nodes = sqf.nodes
    a = services_tables.table2_entry_add(
        actor=personas.drafter,
        version=sqf.version,
        sqf_level="5",
        occupation_id=nodes["nkz:2512-1-001"].pk,
    )
    b = services_tables.table2_entry_add(
        actor=personas.drafter,
        version=sqf.version,
        sqf_level="6",
        occupation_id=nodes["nkz:2512-1-002"].pk,
    )
    client = personas.client_for(personas.drafter)

    def picture() -> ET.Element:
        html = client.get(f"/sqf/{sqf.version.pk}/table2/").content.decode()
        start = html.index("<svg", html.index('data-testid="career-picture"'))
        end = html.index("</svg>", start) + len("</svg>")
        return parse(html[start:end])

    root = picture()
    assert set(named(root)) == {("5", "2512-1-001"), ("6", "2512-1-002")}
    assert not root.findall(".//s:g[@class='moves']/s:path", NS)
    response = client.post(f"/sqf/{sqf.version.pk}/table2/links/", {"source": a.pk, "target": b.pk})
    assert response.status_code == 302
    paths = picture().findall(".//s:g[@class='moves']/s:path", NS)
    assert [(p.get("data-from"), p.get("data-to")) for p in paths] == [("2512-1-001", "2512-1-002")]
    # An outsider sees no picture of another ministry's draft.
    assert personas.client_for(personas.outsider).get(
        f"/sqf/{sqf.version.pk}/table2/"
    ).status_code in (403, 404)
