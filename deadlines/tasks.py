"""The daily deadline check, run by Celery beat (schedule in settings)."""

from __future__ import annotations

from celery import shared_task

from deadlines.services import deadlines_check


@shared_task
def check_deadlines() -> dict[str, int]:
    report = deadlines_check()
    return {
        "checked": report.checked,
        "due_soon": report.due_soon,
        "overdue": report.overdue,
        "notifications": report.notifications,
        "emails": report.emails,
    }
