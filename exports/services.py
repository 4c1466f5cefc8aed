"""Rendering documents: requested by people or scripts, produced by a Celery task."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from councils.models import User
from councils.services import audit_record
from exports.models import Rendering
from exports.signals import rendering_requested
from sbsh.document import content as content_mod
from sbsh.models import Version

log = logging.getLogger(__name__)
# Bump when the layout changes, so documents of unchanged content are rendered anew.
RENDERER_VERSION = "2"  # 2: Tables 2 and 3 in parts, soft hyphens, column 4 from ISCO names


def render_bytes(
    content: dict[str, Any], language: str, fmt: str, *, document: dict[str, Any] | None = None
) -> bytes:
    if fmt == Rendering.Format.DOCX:
        from exports.docx import render_docx

        return render_docx(content, language)
    if fmt == Rendering.Format.PDF:
        from exports.pdf import render_pdf

        return render_pdf(content, language)
    doc = document or {
        "schema": content_mod.SCHEMA,
        "schema_version": content_mod.SCHEMA_VERSION,
        "content_sha256": content_mod.content_hash(content),
        "content": content,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _key(content: dict[str, Any]) -> str:
    return hashlib.sha256(content_mod.canonical(content) + RENDERER_VERSION.encode()).hexdigest()


def rendering_request(
    *, version: Version, language: str, fmt: str, actor: User | None, publication: Any = None
) -> Rendering:
    """The rendering of the version's current content, created and queued if new; with
    `publication`, of that publication's frozen content (the registry's downloads).

    A failed one is queued again; a ready or running one is returned as it is.
    """
    content = publication.content if publication is not None else None
    key = _key(content if content is not None else content_mod.version_content(version))
    try:
        with transaction.atomic():
            rendering, created = Rendering.objects.get_or_create(
                version=version,
                content_sha256=key,
                language=language,
                format=fmt,
                defaults={
                    "requested_by": actor if actor and actor.is_authenticated else None,
                    "publication": publication,
                },
            )
    except IntegrityError:  # two requests at once: the other one created it
        rendering, created = (
            Rendering.objects.get(
                version=version, content_sha256=key, language=language, format=fmt
            ),
            False,
        )
    stuck = (
        rendering.status == Rendering.Status.RUNNING
        and rendering.started_at is not None
        and rendering.started_at < _stale_before()
    )
    if created or rendering.status == Rendering.Status.FAILED or stuck:
        if not created:
            Rendering.objects.filter(pk=rendering.pk).update(
                status=Rendering.Status.PENDING, error=""
            )
        audit_record(
            actor=actor,
            action="document.request",
            obj=rendering,
            organisation=version.framework.state_body,
            changes={"language": language, "format": fmt},
            scope=f"sbsh.version:{version.pk}",
        )
        transaction.on_commit(lambda: _dispatch(rendering.pk))
        rendering.refresh_from_db()
    return rendering


# Rules §14: the SQF goes to the national body in Kazakh and in Russian.
HANDOVER_DOCUMENTS = [
    ("kk", Rendering.Format.PDF),
    ("kk", Rendering.Format.DOCX),
    ("ru", Rendering.Format.PDF),
    ("ru", Rendering.Format.DOCX),
]


def handover_documents(
    version: Version, *, content: dict[str, Any] | None = None
) -> tuple[list[Rendering], list[tuple[str, str]]]:
    """The ready documents of the version's current content, and which are missing."""
    key = _key(content if content is not None else content_mod.version_content(version))
    ready = {
        (r.language, r.format): r
        for r in Rendering.objects.filter(
            version=version, content_sha256=key, status=Rendering.Status.READY
        )
    }
    found = [ready[k] for k in HANDOVER_DOCUMENTS if k in ready]
    missing = [k for k in HANDOVER_DOCUMENTS if k not in ready]
    return found, missing


def handover_prepare(*, version: Version, actor: User | None) -> list[Rendering]:
    """Request every hand-over document not rendered yet."""
    _ready, missing = handover_documents(version)
    return [
        rendering_request(version=version, language=lang, fmt=fmt, actor=actor)
        for lang, fmt in missing
    ]


def _dispatch(rendering_id: int) -> None:
    """Hand a requested rendering to the renderer: exports/tasks.py answers the signal
    (connected in ExportsConfig.ready), so this module never imports the tasks."""
    answered = rendering_requested.send(sender=Rendering, rendering_id=rendering_id)
    if not answered:
        raise ImproperlyConfigured("No renderer answers exports.signals.rendering_requested.")


def _stale_before() -> Any:
    """A "running" rendering older than the task time limit has no live worker."""
    import datetime as dt

    from django.conf import settings

    return timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def rendering_run(rendering_id: int, task_id: str = "") -> Rendering:
    """Render and store the file; mark it ready only once it is complete.

    Claims the rendering when it waits or failed; also when it is "running" but its worker
    died: the same task delivered again (late acknowledgement redelivers it), or any run
    older than the time limit. A live run is never taken over: the broker's visibility
    timeout is longer than the task time limit."""
    from django.db.models import Q

    claimable = Q(status__in=[Rendering.Status.PENDING, Rendering.Status.FAILED]) | Q(
        status=Rendering.Status.RUNNING, started_at__lt=_stale_before()
    )
    if task_id:
        claimable |= Q(status=Rendering.Status.RUNNING, task_id=task_id)
    claimed = Rendering.objects.filter(claimable, pk=rendering_id).update(
        status=Rendering.Status.RUNNING,
        attempts=models_F("attempts") + 1,
        task_id=task_id,
        started_at=timezone.now(),
    )
    rendering = Rendering.objects.select_related("version__framework", "publication").get(
        pk=rendering_id
    )
    if not claimed:
        return rendering
    started = time.perf_counter()
    if rendering.publication_id:
        content = rendering.publication.content  # frozen at publication
    else:
        content = content_mod.version_content(rendering.version)
    if _key(content) != rendering.content_sha256:
        # The version changed after the request: this rendering would show stale content.
        Rendering.objects.filter(pk=rendering.pk).update(
            status=Rendering.Status.FAILED,
            error="The version changed after the request; ask again.",
        )
        return Rendering.objects.get(pk=rendering.pk)
    data = render_bytes(content, rendering.language, rendering.format)
    name = rendering.filename()
    rendering.file.save(name, ContentFile(data), save=False)
    Rendering.objects.filter(pk=rendering.pk).update(
        file=rendering.file.name,
        size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        status=Rendering.Status.READY,
        finished_at=timezone.now(),
        seconds=time.perf_counter() - started,
        error="",
    )
    return Rendering.objects.get(pk=rendering.pk)


def rendering_failed(rendering_id: int, error: str) -> None:
    Rendering.objects.filter(pk=rendering_id).update(
        status=Rendering.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def models_F(name: str) -> Any:
    from django.db.models import F

    return F(name)
