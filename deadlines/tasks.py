"""The daily deadline check, run by Celery beat (schedule in settings)."""

from __future__ import annotations

from celery import shared_task

from deadlines.services import deadlines_check, notifications_email


@shared_task
def check_deadlines() -> dict[str, int]:
    report = deadlines_check()
    return {
        "checked": report.checked,
        "due_soon": report.due_soon,
        "overdue": report.overdue,
        "notifications": report.notifications,
        "emails": report.emails,
        "opened": report.opened,
    }


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def email_notifications(notification_ids: list[int]) -> int:
    """Send the e-mails of a batch of notifications (those not sent yet)."""
    return notifications_email(notification_ids)
