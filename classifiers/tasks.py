"""Background loading of classifier files uploaded through the admin."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from classifiers.models import Edition, ImportJob
from classifiers.rows import ImportRejected
from classifiers.services import classifier_import
from classifiers.signals import edition_loaded

logger = logging.getLogger(__name__)


def progress_key(job_id: int) -> str:
    return f"classifier-import-progress:{job_id}"


@shared_task
def import_job_run(job_id: int) -> str:
    """Run one upload. The rows are written in one transaction, so live progress goes to
    the cache (visible to the status page while the transaction is still open)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.PENDING:
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(stage: str, done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 0
        cache.set(
            progress_key(job.pk),
            {"stage": stage, "percent": percent, "done": done, "total": total},
            3600,
        )

    try:
        with job.file.open("rb") as handle:
            data = handle.read()
        report = classifier_import(
            classifier=job.classifier,
            source_name=job.original_name,
            data=data,
            actor=job.created_by,
            edition_name=job.edition_name or None,
            dry_run=job.dry_run,
            progress=progress,
        )
    except ImportRejected as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            errors=[p.as_dict() for p in exc.problems],
            report={"problems_total": exc.total},
            finished_at=timezone.now(),
            progress=100,
        )
        return ImportJob.Status.FAILED
    except Exception:
        # Nothing was written (the load is one transaction); say so instead of hanging.
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            progress=100,
            errors=[
                {
                    "file": job.original_name,
                    "row": None,
                    "column": None,
                    "message": "Internal error while loading; nothing was written. The administrators were notified.",
                }
            ],
        )
        raise
    summary = report.as_dict()
    if report.edition is not None:
        # Rules §15.2: which SQF versions cite a code this edition removes or renames
        # (answered by sbsh, sbsh/receivers.py).
        try:
            for _receiver, impact in edition_loaded.send(sender=Edition, edition=report.edition):
                summary["impact"] = impact
        except Exception:
            # The edition is loaded (committed); a failed report must not hide that.
            logger.exception("impact report of edition %s failed", report.edition.pk)
            summary["impact_error"] = True
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        report=summary,
        edition=report.edition,
        finished_at=timezone.now(),
        progress=100,
    )
    return ImportJob.Status.DONE
