"""Organisations, people and the audit trail.

Rules §4–§14 name four kinds of actor: the state body (салалық мемлекеттік орган) that
develops an SQF, the sectoral council (салалық кеңес) under it that decides and approves,
the working group the state body may involve (§7), and the national body (ұлттық орган)
that receives and publishes (§14). Administrators keep classifiers, calendar and users.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """The `field_<lang>` value of `obj` in the active language, falling back kk → ru → en."""
    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    for lang in (language, "kk", "ru", "en"):
        value = getattr(obj, f"{field}_{lang}", "")
        if value:
            return str(value)
    return ""


def iin_bin_validate(value: str) -> None:
    """A Kazakh IIN or BIN: 12 digits, the last one the control digit (weights 1–11, and
    3–11, 1, 2 when the first sum leaves 10)."""
    if not re.fullmatch(
        r"[0-9]{12}", value or ""
    ):  # ASCII digits only (a Unicode digit broke int())
        raise ValidationError(_("Type the 12 digits of the IIN or BIN."), code="digits")
    digits = [int(c) for c in value]
    control = sum(d * w for d, w in zip(digits, range(1, 12), strict=False)) % 11
    if control == 10:
        weights = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        control = sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    if control == 10 or control != digits[11]:
        raise ValidationError(
            _("This IIN or BIN has a wrong control digit; check the number."), code="control"
        )


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # The IIN in the person's signing certificate must be this one (Law 370-II Art. 7).
    iin = models.CharField(
        _("IIN"),
        max_length=12,
        blank=True,
        validators=[iin_bin_validate],
        help_text=_("Individual identification number, as in the person's ЭЦП certificate."),
    )
    preferred_language = models.CharField(
        _("interface language"),
        max_length=2,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Leave empty to use the language chosen in the browser."),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_administrator(self) -> bool:
        # Administrators load classifiers, keep the calendar and manage people.
        return self.is_active and self.is_superuser


class Organisation(models.Model):
    class Kind(models.TextChoices):
        STATE_BODY = "state_body", _("state body")
        COUNCIL = "council", _("sectoral council")
        NATIONAL_BODY = "national_body", _("national body")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    # Rules §2: a sectoral council is created under the state body that leads its sector.
    state_body = models.ForeignKey(
        "self",
        verbose_name=_("state body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils",
        limit_choices_to={"kind": "state_body"},
    )
    sector_kk = models.TextField(_("sector (Kazakh)"), blank=True)
    sector_ru = models.TextField(_("sector (Russian)"), blank=True)
    email = models.EmailField(_("e-mail for notifications"), blank=True)
    # When set, a signature on the organisation's documents needs a certificate of this BIN.
    bin = models.CharField(
        _("BIN"),
        max_length=12,
        blank=True,
        validators=[iin_bin_validate],
        help_text=_("Business identification number, as in the organisation's ЭЦП certificates."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name_ru"]
        constraints = [
            models.CheckConstraint(
                name="council_has_state_body",
                condition=(Q(kind="council") & Q(state_body__isnull=False))
                | (~Q(kind="council") & Q(state_body__isnull=True)),
            ),
            # Rules §14 speaks of *the* national body: there is one.
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="national_body"), name="one_national_body"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def sector(self) -> str:
        return localized(self, "sector")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == self.Kind.COUNCIL:
            if self.state_body_id is None:
                errors["state_body"] = _(
                    "A sectoral council is created under a state body (Rules §2): choose one."
                )
            elif self.state_body and self.state_body.kind != self.Kind.STATE_BODY:
                errors["state_body"] = _("Choose an organisation of the kind ‘state body’.")
            if not (self.sector_kk.strip() and self.sector_ru.strip()):
                errors["sector_kk"] = _("Describe the council's sector in Kazakh and in Russian.")
        elif self.state_body_id is not None:
            errors["state_body"] = _("Only a sectoral council is attached to a state body.")
        if self.kind == self.Kind.NATIONAL_BODY:
            others = Organisation.objects.filter(kind=self.Kind.NATIONAL_BODY).exclude(pk=self.pk)
            if others.exists():
                errors["kind"] = _("There is already a national body; there can be only one.")
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    MINISTRY_STAFF = "ministry_staff", _("ministry staff")
    WORKING_GROUP = "working_group", _("working-group participant")
    COUNCIL_MEMBER = "council_member", _("council member")
    COUNCIL_SECRETARY = "council_secretary", _("council secretary")
    NATIONAL_OFFICER = "national_officer", _("national-body officer")


# Which kind of organisation each role belongs to.
ROLE_ORGANISATION_KIND: dict[str, str] = {
    Role.MINISTRY_STAFF: Organisation.Kind.STATE_BODY,
    Role.WORKING_GROUP: Organisation.Kind.STATE_BODY,
    Role.COUNCIL_MEMBER: Organisation.Kind.COUNCIL,
    Role.COUNCIL_SECRETARY: Organisation.Kind.COUNCIL,
    Role.NATIONAL_OFFICER: Organisation.Kind.NATIONAL_BODY,
}


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    position = models.CharField(_("position"), max_length=200, blank=True)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__kind", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"

    def clean(self) -> None:
        if self.organisation_id is None or not self.role:
            return
        expected = ROLE_ORGANISATION_KIND.get(self.role)
        if expected and self.organisation.kind != expected:
            raise ValidationError(
                {
                    "role": _(
                        "The role ‘%(role)s’ belongs to an organisation of the kind ‘%(kind)s’."
                    )
                    % {
                        "role": Role(self.role).label,
                        "kind": Organisation.Kind(expected).label,
                    }
                }
            )


class AuditEvent(models.Model):
    """An append-only record of one change: who did what to which object, when.

    Written by services in the same transaction as the change itself, so a change
    without its audit row cannot be committed.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The record a change belongs to, for its history page: "sbsh.version:12" for a
    # content save of version 12 (the object itself is a part or a row).
    scope = models.CharField(_("scope"), max_length=80, blank=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
