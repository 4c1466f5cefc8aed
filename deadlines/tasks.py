"""The daily deadline check, run by Celery beat (schedule in settings), and the e-mails of
notifications, sent in the background (in-process on the embedded default)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from deadlines.notifications import notifications_email
from deadlines.services import CheckReport, deadlines_mark

EMAIL_BATCH = 200


def deadlines_check(*, today: dt.date | None = None) -> CheckReport:
    """The daily check: mark deadlines due soon and overdue, tell the people responsible,
    and e-mail them in the background, in batches (services.deadlines_mark)."""
    report = deadlines_mark(today=today)
    pending = report.to_email
    for start in range(0, len(pending), EMAIL_BATCH):
        email_notifications.delay(pending[start : start + EMAIL_BATCH])
    return report


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
