"""National coverage (Rules §5.2): OKED sections/divisions and NKZ groups covered by the
current published SQFs, checked against a hand count on the demo plus a second SQF
published here; the state body's gap analysis pre-filled with its uncovered OKED classes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from classifiers.demo import seed_classifiers
from classifiers.models import Classifier, Node
from classifiers.services import current_edition
from councils.models import AuditEvent
from deadlines.demo import seed_calendar
from sbsh.demo import seed_demo_history, seed_demo_sqf
from sbsh.document import services, services_tables
from sbsh.models import GapFinding, Ground, Publication, Version
from sbsh.publication import coverage
from sbsh.workflow import decisions
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db
DEMO = json.loads(
    (Path(__file__).resolve().parents[3] / "sbsh/data/demo_sqf_energy.json").read_text("utf-8")
)


def node(classifier: str, code: str) -> Node:
    return Node.objects.get(edition=current_edition(classifier), code=code)


@pytest.fixture
def two(personas, monkeypatch) -> tuple[Publication, Publication]:
    """The demo (published v1) and a second SQF of the same ministry, published here:
    OKED 36000 (water) and 35301 (steam), occupations 2151-2-001 and 7411-0-001."""
    seed_classifiers()
    seed_calendar()
    seed_demo_sqf()
    seed_demo_history()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr(
        "exports.services.handover_documents", lambda version, content=None: ([], [])
    )
    monkeypatch.setattr("exports.services._dispatch", lambda rendering_id: None)
    _framework, version = services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Сумен және бумен жабдықтау",
        sector_ru="Водо- и пароснабжение",
    )
    version = services.passport_save(
        actor=personas.drafter,
        version=version,
        revision=version.revision,
        name_kk="Сумен жабдықтау СБШ",
        name_ru="ОРК водоснабжения",
        oked_ids=[node("oked", "36000").pk, node("oked", "35301").pk],
        nkz_ids=[],
    )
    row = services_tables.table1_row_create(
        actor=personas.drafter, version=version, section=2, sqf_level="5", nqf_level=5
    )
    services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=row.revision,
        values={"sqf_level": "5", "nqf_level": 5, "knowledge_ru": "Водоподготовка"},
        occupation_ids=[node("nkz", "2151-2-001").pk, node("nkz", "7411-0-001").pk],
    )
    version = Version.objects.get(pk=version.pk)
    workflow.version_transition(actor=personas.drafter, version=version, name="submit")
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=Version.objects.get(pk=version.pk),
        outcome="approve",
        meeting=decisions.Meeting(timezone.localdate(), "7", 5, 0, 0),
    )
    for name, who in [("send", "drafter"), ("receive", "officer"), ("publish", "officer")]:
        workflow.version_transition(
            actor=getattr(personas, who), version=Version.objects.get(pk=version.pk), name=name
        )
    demo = Publication.objects.get(framework__sector_ru="Электроэнергетика")
    return demo, Publication.objects.get(version=version)


def _demo_occupations(prefix: str) -> set[str]:
    codes = {c for r in DEMO["table1"] for c in r["nkz"]}
    codes |= {e["occupation"] for e in DEMO["table2"]["entries"]}
    codes |= {r["occupation"] for r in DEMO["table3"]}
    for s in DEMO["standards"]:
        codes |= {c for c in s["nkz"] if c.count("-") == 2}
    return {c for c in codes if c.startswith(prefix) and c.count("-") == 2}


def test_the_figures_match_a_hand_count(two, django_assert_max_num_queries) -> None:
    demo, water = two
    data = Client().get("/api/registry/coverage/").json()
    assert data["publications"] == 2
    oked = {r["code"]: {s["framework"] for s in r["sqfs"]} for r in data["oked"]}
    # By hand: the demo cites only division 35 (section D); the second SQF 35301 and 36000.
    assert oked["D"] == oked["35"] == {demo.framework_id, water.framework_id}
    assert oked["E"] == oked["36"] == {water.framework_id}
    assert sum(1 for codes in oked.values() if codes) == 4  # D, 35, E, 36 and nothing else
    nkz = {r["code"]: r for r in data["nkz"]}
    # Unit groups: the demo's passport names 2151 and 2433 under major group 2; the
    # second SQF adds none there (2151 again). Under 7: the demo's 7413, 7421; + 7411.
    assert nkz["2"]["unit_groups_covered"] == 2
    assert nkz["21"]["unit_groups_covered"] == 1
    assert nkz["7"]["unit_groups_covered"] == 3
    assert nkz["74"]["unit_groups_covered"] == 3
    assert nkz["9"]["unit_groups_covered"] == 0
    assert nkz["21"]["occupations_covered"] == len(_demo_occupations("21") | {"2151-2-001"})
    assert nkz["74"]["occupations_covered"] == len(_demo_occupations("74") | {"7411-0-001"})
    total_units = Node.objects.filter(
        edition=current_edition(Classifier.NKZ), level=4, code__startswith="21"
    ).count()
    assert nkz["21"]["unit_groups"] == total_units
    client = Client()
    client.get("/registry/coverage/")  # warm the session and the language
    with django_assert_max_num_queries(12):  # a few queries, whatever the number of SQFs
        page = client.get("/registry/coverage/").content.decode()
    assert 'data-testid="coverage-divisions">2 / ' in page
    assert water.name_kk in page and demo.name_kk in page


def test_a_superseded_or_unpublished_sqf_does_not_count(two) -> None:
    demo, water = two
    Publication.objects.filter(pk=water.pk).update(superseded_at=timezone.now())
    data = Client().get("/api/registry/coverage/").json()
    oked = {r["code"]: r["sqfs"] for r in data["oked"]}
    assert oked["E"] == [] and [s["framework"] for s in oked["D"]] == [demo.framework_id]


def test_the_state_body_pre_fills_its_gap_analysis(two, personas) -> None:
    uncovered = [n.code for n in coverage.uncovered_classes(personas.energy.pk)]
    # Division 35 is the only one scoped (the demo's scope; the second SQF has none):
    # classes 3511–3514 are covered by the demo, 3530 by the second SQF (35301).
    all_35 = set(
        Node.objects.filter(
            edition=current_edition(Classifier.OKED), level=4, code__startswith="35"
        ).values_list("code", flat=True)
    )
    assert set(uncovered) == all_35 - {"3511", "3512", "3513", "3514", "3530"}
    assert uncovered  # 3521, 3522, 3523 (gas)
    client = personas.client_for(personas.drafter)
    page = client.get("/coverage/gaps/")
    assert page.status_code == 200
    assert all(f'value="{c}"' in page.content.decode() for c in uncovered)
    own = [(r.code, r.count) for r in coverage.own_coverage(personas.energy.pk)]
    assert own == [("D", 2), ("35", 2)]  # both SQFs of the ministry cover division 35
    assert 'data-testid="own-coverage"' in page.content.decode()
    before = Ground.objects.count()
    # The ministry removes one, keeps the rest.
    kept = uncovered[1:]
    response = client.post(
        "/coverage/gaps/",
        {
            "state_body": personas.energy.pk,
            "council": personas.energy_council.pk,
            "year": timezone.localdate().year - 1,
            "codes": kept,
        },
    )
    assert response.status_code == 302
    ground = Ground.objects.order_by("-id").first()
    assert Ground.objects.count() == before + 1
    assert ground.kind == Ground.Kind.ANALYSIS and ground.status == Ground.Status.DRAFT
    assert sorted(g.oked.code for g in ground.gaps.all()) == sorted(kept)
    assert set(ground.gaps.values_list("coverage", flat=True)) == {GapFinding.Coverage.NONE}
    assert AuditEvent.objects.filter(action="sqf.ground.gap.add").count() >= len(kept)


def test_the_gap_pre_fill_refuses_and_writes_nothing(two, personas) -> None:
    before = (Ground.objects.count(), GapFinding.objects.count())
    client = personas.client_for(personas.drafter)
    year = timezone.localdate().year - 1
    council = personas.energy_council.pk
    # A code that is not an uncovered class of the ministry's sectors.
    bad = client.post("/coverage/gaps/", {"council": council, "year": year, "codes": ["3511"]})
    assert bad.status_code == 422 and "3511" in bad.content.decode()
    # Nothing kept.
    empty = client.post("/coverage/gaps/", {"council": council, "year": year})
    assert empty.status_code == 422
    # Not a ministry's staff: refused.
    assert personas.client_for(personas.member).get("/coverage/gaps/").status_code == 403
    assert (
        personas.client_for(personas.officer)
        .post("/coverage/gaps/", {"council": council, "year": year, "codes": ["3521"]})
        .status_code
        == 403
    )
    assert Client().get("/coverage/gaps/").status_code == 302  # to the login
    assert (Ground.objects.count(), GapFinding.objects.count()) == before
