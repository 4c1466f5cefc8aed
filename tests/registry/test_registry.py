"""The public registry: only published versions, found by words in kk/ru/en and by codes,
filtered, superseded versions marked with what changed, documents, feeds, few queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deadlines.demo import seed_calendar
from sbsh.document import services, services_tables
from sbsh.models import Part, Publication, Version
from sbsh.workflow import decisions
from sbsh.workflow import moves as workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(personas, sqf, monkeypatch):
    """A small version with a name, an OKED activity, an occupation and a level."""
    seed_calendar()
    monkeypatch.setattr("sbsh.document.checks.findings", lambda version: [])
    monkeypatch.setattr(
        "exports.services.handover_documents", lambda version, content=None: ([], [])
    )
    monkeypatch.setattr("exports.services._dispatch", lambda rendering_id: None)
    nodes = sqf.nodes
    version = services.passport_save(
        actor=personas.drafter,
        version=sqf.version,
        revision=sqf.version.revision,
        name_kk="Бағдарламалау саласының біліктілік шеңбері",
        name_ru="Отраслевая рамка квалификаций в программировании",
        oked_ids=[nodes["oked:62011"].pk],
        nkz_ids=[nodes["nkz:2512"].pk],
    )
    row = services_tables.table1_row_create(
        actor=personas.drafter, version=version, section=2, sqf_level="5", nqf_level=5
    )
    services_tables.table1_row_save(
        actor=personas.drafter,
        row=row,
        revision=row.revision,
        values={"sqf_level": "5", "nqf_level": 5, "knowledge_ru": "Языки программирования"},
        occupation_ids=[nodes["nkz:2512-1-001"].pk],
    )
    return Version.objects.get(pk=version.pk)


def publish(personas, version) -> Version:
    workflow.version_transition(actor=personas.drafter, version=version, name="submit")
    decisions.decision_on_draft(
        actor=personas.secretary,
        version=Version.objects.get(pk=version.pk),
        outcome="approve",
        meeting=decisions.Meeting(timezone.localdate(), "1", 5, 0, 0),
    )
    for name, who in [("send", "drafter"), ("receive", "officer"), ("publish", "officer")]:
        workflow.version_transition(
            actor=getattr(personas, who), version=Version.objects.get(pk=version.pk), name=name
        )
    return Version.objects.get(pk=version.pk)


def page(url: str, lang: str = "en") -> str:
    client = Client()
    client.cookies["sqf_language"] = lang
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def found(query: str) -> bool:
    return 'data-testid="registry-results"' in page(f"{reverse('registry:list')}?{query}")


def test_nothing_unpublished_reaches_the_public(personas, filled) -> None:
    assert not found("q=программировании")
    assert "Отраслевая рамка квалификаций в программировании" not in page(reverse("registry:list"))
    assert Client().get(reverse("registry:sqf", args=[filled.framework_id])).status_code == 404
    assert (
        Client().get(f"{reverse('registry:sqf', args=[filled.framework_id])}v1/ru.json").status_code
        == 404
    )
    publish(personas, filled)
    assert found("q=программировании")


@pytest.mark.parametrize(
    "query",
    [
        "q=бағдарламалау",  # a Kazakh word of the name
        "q=ПРОГРАММИРОВАНИИ",  # a Russian word, any case
        "q=программист",  # an NKZ occupation title cited in Table 1
        "q=62011",  # an OKED code
        "q=2512-1-001",  # an NKZ code
        "q=ministry+of+energy",  # English: the state body's English name
        "oked=J",  # the OKED section above the cited subclass
        "oked=62",
        "nkz=2512",  # an NKZ group above the cited occupation
        "sqf_level=5",
        "nqf_level=5",
    ],
)
def test_the_registry_finds_a_published_sqf(personas, filled, query) -> None:
    """Rules §3: whoever plans training, writes standards or recognises qualifications
    finds the published SQF by its words and codes."""
    publish(personas, filled)
    assert found(query), query


@pytest.mark.parametrize(
    "query", ["q=картоп", "oked=A", "nkz=3121", "sqf_level=7", "q=62011+картоп"]
)
def test_the_registry_does_not_find_what_is_not_there(personas, filled, query) -> None:
    publish(personas, filled)
    assert not found(query)
    assert 'data-testid="registry-empty"' in page(f"{reverse('registry:list')}?{query}")


def test_an_update_supersedes_the_published_version_with_a_change_summary(personas, filled) -> None:
    v1 = publish(personas, filled)
    v2 = services.version_create(actor=personas.drafter, framework=v1.framework, updates=v1)
    from sbsh.document.content import content_import, document

    content_import(version=v2, data=document(v1), actor=personas.drafter)
    part = v2.parts.get(key=Part.Key.ANALYSIS)
    services.part_save(
        actor=personas.drafter,
        part=part,
        revision=part.revision,
        text_kk="<p>Жаңа</p>",
        text_ru="<p>Новое</p>",
    )
    # In development the update is invisible; v1 stays current.
    assert "version 2" not in page(reverse("registry:sqf", args=[v1.framework_id]))
    publish(personas, v2)
    first, second = Publication.objects.order_by("number")
    assert first.superseded_at and second.superseded_at is None
    assert second.change_summary["parts"] == ["analysis"]
    assert second.change_summary["table1"] == {"added": 0, "removed": 0, "changed": 0}
    body = page(reverse("registry:sqf", args=[v1.framework_id]))
    assert 'data-testid="publication-state">current' in body and "1 narrative part changed" in body
    old = page(reverse("registry:version", args=[v1.framework_id, 1]))
    assert 'data-testid="publication-state">superseded' in old
    assert page(f"{reverse('registry:list')}?q=62011").count('class="card"') == 1  # v2 only
    listing = page(f"{reverse('registry:list')}?q=62011&superseded=1")
    assert listing.count('class="card"') == 2  # and v1, marked superseded


def test_documents_feeds_and_languages(personas, filled) -> None:
    import json

    v1 = publish(personas, filled)
    base = reverse("registry:version", args=[v1.framework_id, 1])
    data = json.loads(Client().get(f"{base}ru.json").content)
    assert data["content"]["name"]["ru"] == "Отраслевая рамка квалификаций в программировании"
    assert data["content_sha256"] == Publication.objects.get().content_sha256
    from exports.models import Rendering

    pending = Client().get(f"{base}kk.pdf")
    assert pending.status_code == 503 and pending["Retry-After"] == "30"
    assert Rendering.objects.filter(version=v1, language="kk", format="pdf").exists()
    assert Client().get(f"{base}xx.pdf").status_code == 404
    atom = Client().get(reverse("registry:feed-atom")).content.decode()
    assert "<feed" in atom and "urn:sqf-workbench:publication:" in atom and "— v1 (" in atom
    feed = Client().get(reverse("registry:feed-json")).json()
    assert feed["items"][0]["_sqf"]["status"] == "published"
    for lang, word in [("kk", "Тізілім"), ("ru", "Реестр"), ("en", "Registry")]:
        assert word in page(reverse("registry:list"), lang)
    assert 'lang="kk"' in page(f"{reverse('registry:sqf', args=[v1.framework_id])}?lang=kk")


def test_registry_pages_cost_the_same_queries_for_one_or_many_publications(
    personas, filled
) -> None:
    publish(personas, filled)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get(url).status_code == 200
        return len(ctx.captured_queries)

    urls = [
        reverse("registry:list"),
        f"{reverse('registry:list')}?q=62011&oked=J",
        reverse("registry:feed-json"),
    ]
    few = [count(u) for u in urls]
    for i in range(12):
        _f, v = services.framework_create(
            actor=personas.drafter,
            state_body=personas.energy,
            council=personas.energy_council,
            sector_kk=f"Сала {i}",
            sector_ru=f"Отрасль {i}",
        )
        publish(personas, v)
    assert [count(u) for u in urls] == few
    assert count(reverse("registry:sqf", args=[filled.framework_id])) <= 8
