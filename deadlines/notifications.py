"""Notifications of deadlines: who is told, in the app and by e-mail in their language,
and marking them read."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from councils.models import Membership, Organisation, Role, User
from councils.services import audit_record
from deadlines.models import Deadline, Notification

log = logging.getLogger(__name__)

# Who is told about a deadline of an organisation of each kind.
RESPONSIBLE_ROLES = {
    Organisation.Kind.STATE_BODY: [Role.MINISTRY_STAFF],
    Organisation.Kind.COUNCIL: [Role.COUNCIL_SECRETARY, Role.COUNCIL_MEMBER],
    Organisation.Kind.NATIONAL_BODY: [Role.NATIONAL_OFFICER],
}


def deadlines_announce_opened(deadlines: list[Deadline]) -> list[int]:
    """Tell the people responsible that a clock started (once per person and clock)."""
    return notify_people(deadlines, event=Notification.Event.OPENED)


def notify_people(deadlines: list[Deadline], *, event: str | None = None) -> list[int]:
    if not deadlines:
        return []
    org_ids = {d.organisation_id for d in deadlines}
    kinds = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "kind"))
    people: dict[int, list[int]] = {}
    for org_id, user_id, role in Membership.objects.filter(
        organisation_id__in=org_ids, user__is_active=True
    ).values_list("organisation_id", "user_id", "role"):
        if role in RESPONSIBLE_ROLES.get(kinds.get(org_id, ""), []):
            people.setdefault(org_id, []).append(user_id)
    rows = [
        Notification(recipient_id=user_id, deadline_id=d.pk, event=event or d.status)
        for d in deadlines
        for user_id in sorted(set(people.get(d.organisation_id, [])))
    ]
    before = set(
        Notification.objects.filter(deadline_id__in=[d.pk for d in deadlines]).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return list(
        Notification.objects.filter(
            deadline_id__in=[d.pk for d in deadlines], emailed_at__isnull=True
        )
        .exclude(pk__in=before)
        .values_list("pk", flat=True)
    )


def notifications_email(notification_ids: list[int]) -> int:
    """E-mail new notifications over one mail connection, each in its reader's language.

    A failure leaves `emailed_at` empty, so the next check tries those again; the
    in-app notification stands either way.
    """
    messages: list[EmailMessage] = []
    ids: list[int] = []
    for notification in Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "deadline", "deadline__organisation"):
        user = notification.recipient
        if not user.email:
            continue
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = notification_subject(notification)
            body = render_to_string(
                "deadlines/email_notification.txt",
                {"n": notification, "user": user, "site_url": settings.SITE_URL},
            )
        messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
        ids.append(notification.pk)
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            sent = connection.send_messages(messages) or 0
    except OSError:
        log.exception("could not e-mail %s notifications; the next check retries", len(messages))
        return 0
    Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    return sent


def notification_subject(notification: Notification) -> str:
    d = notification.deadline
    if notification.event == Notification.Event.MOVED:
        return f"{notification.message} {notification.subject_text}".strip()
    if notification.event == Notification.Event.OVERDUE:
        return _("Overdue (Rules %(clause)s): %(subject)s") % {
            "clause": d.clause,
            "subject": d.subject_label,
        }
    if notification.event == Notification.Event.DUE_SOON:
        return _("Due %(date)s (Rules %(clause)s): %(subject)s") % {
            "date": d.due_date.isoformat(),
            "clause": d.clause,
            "subject": d.subject_label,
        }
    return _("Deadline started (Rules %(clause)s): %(subject)s") % {
        "clause": d.clause,
        "subject": d.subject_label,
    }


@transaction.atomic
def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    marked = qs.update(read_at=timezone.now())
    if marked:
        # A bulk update like any other change: one audit row says who and how many.
        audit_record(actor=user, action="notification.read", obj=user, changes={"marked": marked})
    return marked
