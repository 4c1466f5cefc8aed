"""Two-step sign-in (ASVS 6.3.3): after the password, a code from an authenticator app
(TOTP, RFC 6238) or one of ten one-time recovery codes. django-otp keeps the devices,
checks the codes and slows down guessing; this module decides who must use it and leaves
an audit row for every change and every failed code (ASVS 16.3.1)."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils.models import User
from councils.services import audit_record

RECOVERY_CODES = 10
AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def mfa_enabled(user: User) -> bool:
    """The person has a confirmed authenticator: every sign-in asks for a code."""
    return user.is_authenticated and user_has_device(user, confirmed=True)


def mfa_required(user: User) -> bool:
    """The person must set it up before going on (SQF_MFA_REQUIRED, production)."""
    return bool(getattr(settings, "SQF_MFA_REQUIRED", False))


def totp_device_pending(user: User) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device, kept until confirmed so that
    the key in the person's app and on the server stay the same across page loads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def totp_qr_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// address of the device as a QR code (SVG), for the person's app."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string()


def totp_key_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with its first code. Returns the new recovery codes (shown
    once), or None when the code is wrong — then nothing changes but the failure's audit row."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
    if not device.verify_token(_digits(token)):
        audit_record(actor=user, action="auth.mfa.failed", obj=user, changes={"step": "setup"})
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _recovery_codes_new(user)
    audit_record(actor=user, action="auth.mfa.enrol", obj=user, changes={"device": "totp"})
    return codes


def _recovery_codes_new(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes (the old ones stop working), for a verified person."""
    codes = _recovery_codes_new(user)
    audit_record(actor=user, action="auth.mfa.recovery_renew", obj=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_verify(*, request: HttpRequest, token: str) -> bool:
    """The second step of sign-in: a code from the authenticator or a recovery code (used
    up). On success the session is marked verified and its key rotated (ASVS 7.2.4)."""
    user = request.user
    typed = "".join(token.split()).lower()
    device = None
    for candidate in _devices(user):
        # Six digits are an authenticator code; anything else can only be a recovery code.
        code = typed if isinstance(candidate, StaticDevice) else _digits(typed)
        if isinstance(candidate, TOTPDevice) and (len(code) != 6 or code != typed):
            continue
        if candidate.verify_is_allowed()[0] and candidate.verify_token(code):
            device = candidate
            break
    if device is None:
        audit_record(actor=user, action="auth.mfa.failed", obj=user, changes={"step": "sign-in"})
        return False
    request.session.cycle_key()
    otp_login(request, device)
    if isinstance(device, StaticDevice):
        audit_record(
            actor=user,
            action="auth.mfa.recovery_used",
            obj=user,
            changes={"left": recovery_codes_left(user)},
        )
    return True


def _devices(user: User) -> list:
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def mfa_throttled(user: User) -> bool:
    """django-otp's growing wait after failed codes is running for this person's
    authenticator (the form says so instead of a plain "wrong code")."""
    return any(not d.verify_is_allowed()[0] for d in _devices(user))


@transaction.atomic
def mfa_reset(*, actor: User, user: User) -> int:
    """An administrator removes a person's authenticator and recovery codes (lost phone).
    Their sessions end; at the next sign-in they set it up again when it is required."""
    from councils.services import user_sessions_end

    removed = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user_sessions_end(user=user)
    audit_record(actor=actor, action="auth.mfa.reset", obj=user, changes={"devices": removed})
    return removed


def _digits(token: str) -> str:
    return "".join(ch for ch in token if ch.isdigit())
