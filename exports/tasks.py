"""Background rendering of documents."""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.dispatch import receiver

from exports import services
from exports.signals import rendering_requested

log = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=2, default_retry_delay=10, acks_late=True)
def render_document(self, rendering_id: int) -> str:
    """Render one document. A failure is retried twice, then reported on the rendering;
    a half-written file is never marked ready (services.rendering_run)."""
    try:
        return services.rendering_run(rendering_id, task_id=self.request.id or "").status
    except Exception as exc:
        log.exception("rendering %s failed", rendering_id)
        services.rendering_failed(rendering_id, f"{exc.__class__.__name__}: {exc}")
        if self.request.is_eager or self.request.retries >= self.max_retries:
            return "failed"
        raise self.retry(exc=exc) from exc


@receiver(rendering_requested, dispatch_uid="exports.render_document")
def render_requested(sender: Any, *, rendering_id: int, **kwargs: Any) -> str:
    """Queue the render of a requested document (services.rendering_request)."""
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.SQF_RENDER_IN_THREAD:
        # Embedded default (no broker): render beside the request, not inside it, so the
        # page answers at once and shows the progress like with a worker.
        def work() -> None:
            try:
                render_document.apply(args=[rendering_id])
            finally:
                connection.close()

        threading.Thread(target=work, name=f"render-{rendering_id}", daemon=True).start()
        return "thread"
    render_document.delay(rendering_id)
    return "queued"
