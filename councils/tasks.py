"""Background work for organisations and people."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def email_send(recipients: list[str], subject: str, body: str) -> int:
    """Send one e-mail; a mail server that is down is retried with back-off."""
    if not recipients:
        return 0
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)
