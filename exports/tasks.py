"""Background rendering of documents."""

from __future__ import annotations

import logging

from celery import shared_task

from exports import services

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
