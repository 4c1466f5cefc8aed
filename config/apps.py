"""App configurations that give third-party apps names in the reader's language.

django-axes and django-otp name their apps (and django-otp its models and fields) with
plain strings that no catalogue can translate, so the admin printed "AXES", "OTP_TOTP"
and "TOTP devices" inside the Kazakh interface. These subclasses replace those names with
translatable ones; INSTALLED_APPS lists them instead of the libraries' own configs.
"""

from __future__ import annotations

from axes.apps import AppConfig as _AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as _StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as _TOTPConfig


class AxesConfig(_AxesConfig):
    verbose_name = _("Sign-in attempts")


class OTPConfig(AppConfig):
    name = "django_otp"
    verbose_name = _("Two-step sign-in")


def _name_fields(model: type, names: dict[str, object]) -> None:
    for field_name, label in names.items():
        model._meta.get_field(field_name).verbose_name = label


_DEVICE_FIELDS = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "throttling_failure_timestamp": _("last failed attempt"),
    "throttling_failure_count": _("failed attempts"),
    "created_at": _("created"),
    "last_used_at": _("last used"),
}


class TOTPConfig(_TOTPConfig):
    verbose_name = _("Authenticator apps")

    def ready(self) -> None:
        super().ready()
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice._meta.verbose_name = _("authenticator app")
        TOTPDevice._meta.verbose_name_plural = _("authenticator apps")
        _name_fields(TOTPDevice, {**_DEVICE_FIELDS, "key": _("secret key"), "digits": _("digits")})


class StaticConfig(_StaticConfig):
    verbose_name = _("Backup codes")

    def ready(self) -> None:
        super().ready()
        from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

        StaticDevice._meta.verbose_name = _("backup code set")
        StaticDevice._meta.verbose_name_plural = _("backup code sets")
        StaticToken._meta.verbose_name = _("backup code")
        StaticToken._meta.verbose_name_plural = _("backup codes")
        _name_fields(StaticDevice, _DEVICE_FIELDS)
        _name_fields(StaticToken, {"device": _("backup code set"), "token": _("code")})


class ProjectConfig(AppConfig):
    """The project on top of the apps: the demo orchestration (seed_demo) lives here, as it
    seeds every app (docs/architecture.md)."""

    name = "config"
    verbose_name = _("Project")
