"""JSON export and import round-trip; background rendering keyed by content; access."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from councils.models import AuditEvent
from exports import services
from exports.models import Rendering
from sbsh.document import content as content_mod
from sbsh.document import services as sbsh_services
from sbsh.models import Version

pytestmark = pytest.mark.django_db


def test_the_json_round_trips_into_an_empty_version(demo_version, personas) -> None:
    document = content_mod.document(demo_version)
    assert document["schema"] == "urn:sqf-workbench:sqf-version" and document["schema_version"] == 1
    assert document["content_sha256"] == content_mod.content_hash(document["content"])
    assert set(document["content"]["editions"]) == {"nkz", "oked", "isco08"}
    _framework, empty = sbsh_services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk=document["content"]["framework"]["sector"]["kk"] + " ",
        sector_ru="Копия",
    )
    Version.objects.filter(pk=empty.pk).update(number=demo_version.number)
    imported = content_mod.content_import(
        version=Version.objects.get(pk=empty.pk), data=document, actor=personas.drafter
    )
    again = content_mod.version_content(imported)
    original = document["content"]
    # Everything but the framework's identity is the same, byte for byte.
    for key in (
        "name",
        "editions",
        "passport",
        "parts",
        "standards",
        "table1",
        "table2",
        "table3",
        "version",
    ):
        assert again[key] == original[key], key


def test_a_damaged_json_is_refused_and_nothing_is_written(demo_version, personas) -> None:
    document = content_mod.document(demo_version)
    document["content"]["name"]["kk"] = "Өзгертілген"
    _framework, empty = sbsh_services.framework_create(
        actor=personas.drafter,
        state_body=personas.energy,
        council=personas.energy_council,
        sector_kk="Б",
        sector_ru="Б",
    )
    with pytest.raises(content_mod.ContentError, match="sha256"):
        content_mod.content_import(version=empty, data=document, actor=personas.drafter)
    assert Version.objects.get(pk=empty.pk).name_kk == ""


def test_a_render_is_keyed_by_content_and_made_once(
    demo_version, personas, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = services.rendering_request(
            version=demo_version, language="kk", fmt="docx", actor=personas.drafter
        )
    first.refresh_from_db()
    assert first.status == "ready" and first.size > 10_000 and len(first.file_sha256) == 64
    assert first.file.read(2) == b"PK"
    with django_capture_on_commit_callbacks(execute=True):
        again = services.rendering_request(
            version=demo_version, language="kk", fmt="docx", actor=personas.expert
        )
    assert again.pk == first.pk and Rendering.objects.count() == 1
    assert AuditEvent.objects.filter(action="document.request").count() == 1
    # A change of content is a new document.
    part = demo_version.parts.get(key="general")
    sbsh_services.part_save(
        actor=personas.drafter,
        part=part,
        revision=part.revision,
        text_kk="<p>Жаңа</p>",
        text_ru=part.text_ru,
    )
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.rendering_request(
            version=demo_version, language="kk", fmt="docx", actor=personas.drafter
        )
    assert changed.pk != first.pk and Rendering.objects.count() == 2


def test_a_failed_render_is_reported_never_ready_and_can_be_retried(
    demo_version, personas, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "render_bytes", boom)
    with django_capture_on_commit_callbacks(execute=True):
        rendering = services.rendering_request(
            version=demo_version, language="ru", fmt="pdf", actor=personas.drafter
        )
    rendering.refresh_from_db()
    assert rendering.status == "failed" and "disk full" in rendering.error and not rendering.file
    client = personas.client_for(personas.drafter)
    assert (
        client.get(reverse("exports:download", args=[demo_version.pk, rendering.pk])).status_code
        == 404
    )
    monkeypatch.undo()
    monkeypatch.setattr(services, "render_bytes", lambda *a, **k: b"%PDF-1.7 test")
    with django_capture_on_commit_callbacks(execute=True):
        retried = services.rendering_request(
            version=demo_version, language="ru", fmt="pdf", actor=personas.drafter
        )
    retried.refresh_from_db()
    assert retried.pk == rendering.pk and retried.status == "ready" and retried.attempts == 2


def test_a_render_whose_worker_died_is_taken_over_never_run_twice(
    demo_version, personas, monkeypatch, time_machine
) -> None:
    """A worker killed mid-render leaves the rendering "running": the redelivered task
    (same id) takes it over, another task does not while the run may be alive, and after
    the time limit anyone may (found by the crash drill, bench/celery_crash.py)."""
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(services, "_dispatch", lambda rendering_id: None)
    monkeypatch.setattr(services, "render_bytes", lambda *a, **k: b"%PDF-1.7 test")
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), tick=False)
    rendering = services.rendering_request(
        version=demo_version, language="kk", fmt="pdf", actor=personas.drafter
    )
    Rendering.objects.filter(pk=rendering.pk).update(
        status="running", task_id="task-1", started_at=timezone.now(), attempts=1
    )
    # Another delivery while the first may still be alive: nothing happens.
    assert services.rendering_run(rendering.pk, task_id="task-2").status == "running"
    assert (
        services.rendering_request(
            version=demo_version, language="kk", fmt="pdf", actor=personas.drafter
        ).status
        == "running"
    )
    # The same task delivered again: its worker died; it renders, once.
    done = services.rendering_run(rendering.pk, task_id="task-1")
    assert (done.status, done.attempts, bool(done.file)) == ("ready", 2, True)
    assert Rendering.objects.filter(version=demo_version, language="kk", format="pdf").count() == 1
    # A run stuck past the time limit is re-queued when someone asks for the document.
    Rendering.objects.filter(pk=rendering.pk).update(
        status="running", task_id="task-3", started_at=timezone.now()
    )
    time_machine.move_to(dt.datetime(2026, 5, 4, 9, 11, tzinfo=dt.UTC), tick=False)
    again = services.rendering_request(
        version=demo_version, language="kk", fmt="pdf", actor=personas.drafter
    )
    assert again.pk == rendering.pk and again.status == "pending"
    assert services.rendering_run(rendering.pk, task_id="task-4").status == "ready"


def test_documents_page_download_and_access(
    demo_version, personas, django_capture_on_commit_callbacks
) -> None:
    client = personas.client_for(personas.member)
    page = client.get(reverse("exports:documents", args=[demo_version.pk]))
    assert page.status_code == 200 and 'data-testid="doc-kk-pdf"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exports:request", args=[demo_version.pk]), {"language": "ru", "format": "json"}
        )
    assert response.status_code == 302
    rendering = Rendering.objects.get(format="json")
    download = client.get(reverse("exports:download", args=[demo_version.pk, rendering.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''")  # RFC 6266
    data = json.loads(b"".join(download.streaming_content))
    assert data["content"]["name"]["ru"] == demo_version.name_ru
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(reverse("exports:documents", args=[demo_version.pk])).status_code == 403
    assert (
        outsider.get(reverse("exports:download", args=[demo_version.pk, rendering.pk])).status_code
        == 403
    )
    assert (
        outsider.post(
            reverse("exports:request", args=[demo_version.pk]), {"language": "kk", "format": "pdf"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("exports:request", args=[demo_version.pk]), {"language": "en", "format": "pdf"}
        ).status_code
        == 400
    )


def test_the_export_command_writes_each_format(demo_version, tmp_path: Path) -> None:
    for fmt, magic in (("docx", b"PK"), ("json", b"{")):
        out = tmp_path / f"sqf.{fmt}"
        call_command(
            "export_sqf",
            str(demo_version.pk),
            "--lang",
            "kk",
            "--format",
            fmt,
            "--output",
            str(out),
        )
        assert out.read_bytes()[: len(magic)] == magic
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no SQF version"):
        call_command(
            "export_sqf",
            "999999",
            "--lang",
            "kk",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x.pdf"),
        )
