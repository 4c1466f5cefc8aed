"""The documents page and downloads (Rules §14): "Make" answers the htmx request in place,
the draft preview, the document options, one naming scheme for files, the inbox's JSON,
and the registry's downloads of superseded versions from their frozen content."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from councils.models import AuditEvent
from exports import services
from exports.models import Rendering
from sbsh.document import services as sqf_services
from sbsh.models import Part, Publication, Version
from tests.registry.test_registry import publish

pytestmark = pytest.mark.django_db


def test_make_answers_htmx_with_the_table_in_place(demo_version, personas) -> None:
    client = personas.client_for(personas.drafter)
    response = client.post(
        reverse("exports:request", args=[demo_version.pk]),
        {"language": "kk", "format": "json"},
        headers={"HX-Request": "true"},
    )
    # Was 405: the request view handed the POST to the GET-only page view.
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="documents"') and "<html" not in body
    assert Rendering.objects.filter(version=demo_version, language="kk", format="json").exists()


def test_the_preview_is_the_document_at_once_for_everyone_who_may_read(
    demo_version, personas
) -> None:
    for who in ("drafter", "member", "secretary"):
        client = personas.client_for(getattr(personas, who))
        for lang, caption in (("kk", "3-кесте."), ("ru", "Таблица 3.")):
            page = client.get(reverse("exports:preview", args=[demo_version.pk, lang]))
            assert page.status_code == 200
            body = page.content.decode()
            assert caption in body and 'class="preview-note"' in body
            assert f'<html lang="{lang}">' in body
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(reverse("exports:preview", args=[demo_version.pk, "kk"])).status_code == 403
    drafter = personas.client_for(personas.drafter)
    assert drafter.get(reverse("exports:preview", args=[demo_version.pk, "en"])).status_code == 404
    overview = drafter.get(reverse("sbsh:overview", args=[demo_version.pk])).content.decode()
    assert reverse("exports:preview", args=[demo_version.pk, "ru"]) in overview
    assert not Rendering.objects.exists()  # nothing rendered to preview


def test_document_options_are_the_editors_and_recorded(demo_version, personas) -> None:
    url = reverse("exports:options", args=[demo_version.pk])
    member = personas.client_for(personas.member)
    assert (
        member.post(url, {"revision": demo_version.revision, "tables_landscape": "on"}).status_code
        == 403
    )
    assert Version.objects.get(pk=demo_version.pk).tables_landscape is False
    drafter = personas.client_for(personas.drafter)
    stale = drafter.post(url, {"revision": demo_version.revision - 1, "tables_landscape": "on"})
    assert (
        stale.status_code == 302
        and Version.objects.get(pk=demo_version.pk).tables_landscape is False
    )
    response = drafter.post(url, {"revision": demo_version.revision, "tables_landscape": "on"})
    assert response.status_code == 302
    version = Version.objects.get(pk=demo_version.pk)
    assert version.tables_landscape is True and version.revision == demo_version.revision + 1
    event = AuditEvent.objects.get(action="sqf.document_options.save")
    assert event.actor == personas.drafter and event.changes == {"tables_landscape": [False, True]}
    from sbsh.document.checks import findings
    from sbsh.document.content import version_content

    assert version_content(version)["document"] == {"tables_landscape": True}
    assert any(f.clause == "Annex §12" for f in findings(version))
    assert drafter.post(url, {"revision": "x"}).status_code == 400


def test_one_naming_scheme_for_files(
    demo_version, personas, django_capture_on_commit_callbacks
) -> None:
    client = personas.client_for(personas.drafter)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exports:request", args=[demo_version.pk]), {"language": "kk", "format": "json"}
        )
    rendering = Rendering.objects.get(format="json", language="kk")
    sector = demo_version.framework.sector_kk
    assert rendering.filename() == f"{sector.replace(' ', '-')}-v{demo_version.number}-kk.json"
    download = client.get(reverse("exports:download", args=[demo_version.pk, rendering.pk]))
    assert download.status_code == 200
    assert (
        "-v2-kk.json" in download["Content-Disposition"] or "-v" in download["Content-Disposition"]
    )


def test_the_inbox_json_link_downloads_json(demo_version, personas) -> None:
    client = personas.client_for(personas.officer)
    response = client.get(reverse("exports:json", args=[demo_version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["content"]["name"]["kk"] == demo_version.name_kk
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(reverse("exports:json", args=[demo_version.pk])).status_code == 403
    from django.template.loader import get_template

    source = get_template("sbsh/_handovers.html").template.source
    assert "{% url 'exports:json' h.version.pk %}" in source


def test_a_superseded_version_downloads_its_published_text(
    personas, filled, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued: list[int] = []
    monkeypatch.setattr("exports.services._dispatch", lambda rid: queued.append(rid))
    v1 = publish(personas, filled)
    v2 = sqf_services.version_create(actor=personas.drafter, framework=v1.framework, updates=v1)
    from sbsh.document.content import content_import, document

    content_import(version=v2, data=document(v1), actor=personas.drafter)
    part = v2.parts.get(key=Part.Key.ANALYSIS)
    sqf_services.part_save(
        actor=personas.drafter,
        part=part,
        revision=part.revision,
        text_kk="<p>Жаңа</p>",
        text_ru="<p>Новое</p>",
    )
    publish(personas, v2)
    first = Publication.objects.get(number=1)
    assert first.superseded_at is not None
    url = reverse("registry:download", args=[v1.framework_id, 1, "kk", "docx"])
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().get(url).status_code == 503  # being made, from the frozen content
    rendering = Rendering.objects.get(pk=queued[-1])
    assert rendering.publication_id == first.pk
    assert services.rendering_run(rendering.pk).status == "ready"
    response = Client().get(url)
    assert response.status_code == 200
    assert "-v1-kk.docx" in response["Content-Disposition"]
    import io

    import docx as docx_lib

    text = "\n".join(
        p.text
        for p in docx_lib.Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs
    )
    assert first.content["name"]["kk"] in text
    # The published text of v1, not the analysis v2 added.
    assert "Жаңа" not in text
