"""Kazakhstan's working-day calendar as data, deadlines, and notifications."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import localized
from deadlines.rules import CLOCKS, STAGE_CHOICES


class CalendarYear(models.Model):
    """A year whose exceptions are kept here. Years without a row use the default of
    the `holidays` package (deadlines.calendar.package_year)."""

    class Source(models.TextChoices):
        SHIPPED = "shipped", _("shipped data, checked against public calendars")
        PACKAGE = "package", _("default of the holidays package, not yet checked")
        MANUAL = "manual", _("entered or imported by an administrator")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    reviewed = models.BooleanField(
        _("checked against the official calendar"),
        default=False,
        help_text=_(
            "Tick once the year has been compared with the Government's published calendar."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarException(models.Model):
    """One date on which the Monday–Friday rule does not hold (5-day working week)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday (non-working)")
        CARRIED_OVER = "carried_over", _("day off carried over from a holiday on a weekend")
        TRANSFERRED = "transferred", _("day off moved by a Government transfer decree")
        WORKING_WEEKEND = "working_weekend", _("weekend day made working by a transfer decree")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        DISPUTED = "disputed", _("disputed: not applied until confirmed")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.WORKING_WEEKEND


class Deadline(models.Model):
    """A clock of the Rules on one object (an SQF version, a ground, …)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DUE_SOON = "due_soon", _("due soon")
        OVERDUE = "overdue", _("overdue")
        MET = "met", _("met")
        MET_LATE = "met_late", _("met late")
        # Rules §14: sent in time, then returned by the national body for a technical
        # reason; the re-send runs on its own clock (Stage.HANDOVER_RESEND).
        RETURNED = "returned", _("sent, then returned by the national body")

    ACTIVE = (Status.OPEN, Status.DUE_SOON, Status.OVERDUE)

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("subject"), max_length=300)
    stage = models.CharField(_("stage"), max_length=20, choices=STAGE_CHOICES)
    clause = models.CharField(_("clause"), max_length=10)
    organisation = models.ForeignKey(
        "councils.Organisation",
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    start_date = models.DateField(_("start event date"))
    working_days = models.PositiveSmallIntegerField(_("working days"), null=True, blank=True)
    due_date = models.DateField(_("due date"), db_index=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    # The last status people were told about: the daily check never notifies twice.
    notified_status = models.CharField(max_length=10, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_date", "id"]
        indexes = [
            # Used by the daily check and the dashboards: active deadlines by due date.
            models.Index(
                fields=["status", "due_date"],
                name="deadline_active_idx",
                condition=models.Q(status__in=["open", "due_soon", "overdue"]),
            ),
            models.Index(fields=["content_type", "object_id"], name="deadline_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.subject_label} → {self.due_date:%Y-%m-%d}"

    @property
    def stage_label(self) -> str:
        return str(CLOCKS[self.stage].label) if self.stage in CLOCKS else self.stage

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def subject_url(self) -> str:
        """The page of what the clock runs for, when it has one."""
        from django.contrib.contenttypes.models import ContentType
        from django.urls import reverse

        ct = ContentType.objects.get_for_id(self.content_type_id)  # cached, no query
        name = SUBJECT_PAGES.get(f"{ct.app_label}.{ct.model}")
        return reverse(name, args=[self.object_id]) if name else ""


# The page of each kind of subject a clock runs for (Rules §6: grounds; §8–§14: versions).
SUBJECT_PAGES = {"sbsh.version": "sbsh:overview", "sbsh.ground": "sbsh:ground"}


class Notification(models.Model):
    class Event(models.TextChoices):
        OPENED = "opened", _("deadline started")
        DUE_SOON = "due_soon", _("deadline due soon")
        OVERDUE = "overdue", _("deadline overdue")
        MOVED = "moved", _("next step")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    event = models.CharField(max_length=20, choices=Event.choices)
    # For "moved": what happened, kept as message ids and translated when read, so each
    # reader sees it in their own language: {"message", "subject", "url", "actor"}.
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A second run of the daily check cannot tell anyone twice.
            models.UniqueConstraint(
                fields=["recipient", "deadline", "event"], name="notification_once"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.get_event_display()}"

    @property
    def message(self) -> str:
        from django.utils.translation import gettext

        text = self.payload.get("message", "")
        return gettext(text) if text else ""

    @property
    def subject_text(self) -> str:
        """The SQF's name in the reader's language when the payload has both, else as stored."""
        from django.utils.translation import get_language

        lang = (get_language() or settings.LANGUAGE_CODE)[:2]
        for key in (f"subject_{lang}", "subject_kk", "subject_ru", "subject"):
            if self.payload.get(key):
                return str(self.payload[key])
        return ""


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret in a user's iCal feed address (calendar apps cannot log in)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"{self.user} feed"
