"""Two-step sign-in (ASVS 6.3.3): set-up, the code after the password, recovery codes,
the growing wait after wrong codes, the production requirement and the administrator's
reset — each with its audit row and its refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils import mfa
from councils.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 30, 9, 0, 0, tzinfo=dt.UTC)  # a multiple of 30 s: a code's start


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def _audits(action: str, user=None) -> int:
    rows = AuditEvent.objects.filter(action=action)
    return rows.filter(object_id=str(user.pk)).count() if user else rows.count()


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = mfa.totp_device_pending(user)
    codes = mfa.totp_device_confirm(user=user, device=device, token=_code(device))
    assert codes is not None
    return TOTPDevice.objects.get(pk=device.pk), codes


def _sign_in(username: str) -> Client:
    client = Client()
    client.cookies["sqf_language"] = "en"
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def test_setting_up_needs_a_right_code_and_gives_ten_recovery_codes(personas, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    client = personas.client_for(personas.drafter)
    client.cookies["sqf_language"] = "en"
    page = client.get("/accounts/mfa/")
    assert b'data-testid="mfa-status"' in page.content and b"Off:" in page.content
    setup = client.get("/accounts/mfa/setup/")
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=personas.drafter)
    assert not device.confirmed
    # The same key on every load until confirmed (the app already holds it).
    client.get("/accounts/mfa/setup/")
    assert TOTPDevice.objects.filter(user=personas.drafter).count() == 1
    assert mfa.totp_key_text(device).encode() in setup.content
    qr = client.get("/accounts/mfa/setup/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert qr["Cache-Control"] == "no-store"

    wrong = client.post(
        "/accounts/mfa/setup/", {"code": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and b"This code is not right" in wrong.content
    device.refresh_from_db()
    assert not device.confirmed and not StaticDevice.objects.filter(user=personas.drafter).exists()
    assert _audits("auth.mfa.failed", personas.drafter) == 1
    assert _audits("auth.mfa.enrol") == 0

    time_machine.move_to(T0 + dt.timedelta(seconds=35), tick=False)  # past the wait, next code
    done = client.post("/accounts/mfa/setup/", {"code": _code(device), "next": "/sqf/"})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = list(
        StaticToken.objects.filter(device__user=personas.drafter).values_list("token", flat=True)
    )
    assert len(codes) == 10 and all(c.encode() in done.content for c in codes)
    assert _audits("auth.mfa.enrol", personas.drafter) == 1
    # The secret is not in the audit row.
    assert device.key not in str(AuditEvent.objects.get(action="auth.mfa.enrol").changes)
    # This session is verified by the set-up itself; the QR code is gone for good.
    assert client.get("/").status_code == 200
    assert client.get("/accounts/mfa/setup/qr.svg").status_code == 404
    assert client.get("/accounts/mfa/setup/").status_code == 302


def test_with_an_authenticator_no_page_opens_before_the_code(personas, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    device, _codes = _enrolled(personas.drafter)
    time_machine.move_to(T0 + dt.timedelta(seconds=60), tick=False)
    client = _sign_in("drafter")
    for url in ["/", "/sqf/", "/registry/", "/deadlines/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/mfa/verify/?next="), url
    api = client.get("/api/versions/")
    assert api.status_code == 403 and "Finish signing in" in api.json()["detail"]
    # New recovery codes need the second step done: nothing changes before it.
    codes_before = set(StaticToken.objects.values_list("token", flat=True))
    renew = client.post("/accounts/mfa/recovery/")
    assert renew.status_code == 302 and renew["Location"] == "/accounts/mfa/"
    assert set(StaticToken.objects.values_list("token", flat=True)) == codes_before
    assert _audits("auth.mfa.recovery_renew") == 0

    before = client.session.session_key
    wrong = client.post("/accounts/mfa/verify/", {"code": "12345", "next": "/sqf/"})
    assert wrong.status_code == 400
    assert _audits("auth.mfa.failed", personas.drafter) == 1
    assert client.get("/").status_code == 302
    time_machine.move_to(T0 + dt.timedelta(seconds=90), tick=False)
    right = client.post("/accounts/mfa/verify/", {"code": _code(device), "next": "/sqf/"})
    assert right.status_code == 302 and right["Location"] == "/sqf/"
    assert client.session.session_key != before  # a new session key after the step
    assert client.get("/").status_code == 200
    assert client.get("/api/versions/").status_code == 200
    # A code is good once: the same one again (another session, same 30 s) is refused.
    other = _sign_in("drafter")
    again = other.post("/accounts/mfa/verify/", {"code": _code(device)})
    assert again.status_code == 400


def test_a_recovery_code_signs_in_once(personas, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    _device, codes = _enrolled(personas.drafter)
    client = _sign_in("drafter")
    used = client.post("/accounts/mfa/verify/", {"code": codes[3].upper()})
    assert used.status_code == 302
    assert client.get("/").status_code == 200
    [row] = AuditEvent.objects.filter(action="auth.mfa.recovery_used")
    assert row.changes == {"left": 9}
    time_machine.move_to(T0 + dt.timedelta(seconds=60), tick=False)
    later = _sign_in("drafter")
    assert later.post("/accounts/mfa/verify/", {"code": codes[3]}).status_code == 400
    assert StaticToken.objects.filter(device__user=personas.drafter).count() == 9


def test_wrong_codes_make_the_next_try_wait(personas, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    device, _codes = _enrolled(personas.drafter)
    time_machine.move_to(T0 + dt.timedelta(seconds=60), tick=False)
    client = _sign_in("drafter")
    wrong = "999999" if _code(device) != "999999" else "888888"
    for _ in range(3):
        client.post("/accounts/mfa/verify/", {"code": wrong})
    # The right code right after three wrong ones: refused, and the page says why.
    refused = client.post("/accounts/mfa/verify/", {"code": _code(device)})
    assert refused.status_code == 400 and b"Too many wrong codes" in refused.content
    assert client.get("/").status_code == 302
    assert _audits("auth.mfa.failed", personas.drafter) == 4
    time_machine.move_to(T0 + dt.timedelta(seconds=60 + 5), tick=False)  # the wait is 4 s
    assert client.post("/accounts/mfa/verify/", {"code": _code(device)}).status_code == 302
    assert client.get("/").status_code == 200


def test_when_required_everyone_is_led_to_set_it_up_first(personas, settings, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    settings.SQF_MFA_REQUIRED = True
    client = _sign_in("member")
    response = client.get("/deadlines/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/mfa/setup/?next=%2Fdeadlines%2F"
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/versions/").status_code == 403
    # The set-up page, the language switch and logging out still work.
    assert client.get("/accounts/mfa/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=personas.member)
    ok = client.post("/accounts/mfa/setup/", {"code": _code(device), "next": "/deadlines/"})
    assert ok.status_code == 200 and b'href="/deadlines/"' in ok.content
    assert client.get("/deadlines/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/deadlines/").status_code == 302


def test_the_step_never_sends_anyone_to_another_site(personas, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    device, _codes = _enrolled(personas.drafter)
    time_machine.move_to(T0 + dt.timedelta(seconds=60), tick=False)
    client = _sign_in("drafter")
    response = client.post(
        "/accounts/mfa/verify/", {"code": _code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(personas, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    client = personas.client_for(personas.drafter)
    client.get("/accounts/mfa/setup/")
    device = TOTPDevice.objects.get(user=personas.drafter)
    client.post("/accounts/mfa/setup/", {"code": _code(device)})
    old = set(StaticToken.objects.values_list("token", flat=True))
    renewed = client.post("/accounts/mfa/recovery/")
    assert renewed.status_code == 200
    new = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new) == 10 and not (old & new)
    assert _audits("auth.mfa.recovery_renew", personas.drafter) == 1
    assert client.get("/accounts/mfa/recovery/").status_code == 405


def test_an_administrator_resets_a_lost_authenticator(personas, time_machine) -> None:
    time_machine.move_to(T0, tick=False)
    _enrolled(personas.drafter)
    drafter = _sign_in("drafter")
    admin = personas.client_for(personas.admin)
    response = admin.post(
        "/admin/councils/user/",
        {"action": "mfa_reset", "_selected_action": [personas.drafter.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.drafter).exists()
    assert not StaticDevice.objects.filter(user=personas.drafter).exists()
    [row] = AuditEvent.objects.filter(action="auth.mfa.reset")
    assert (row.actor, row.object_id, row.changes) == (
        personas.admin,
        str(personas.drafter.pk),
        {"devices": 1},
    )
    # Their half-signed-in session ended; the next sign-in needs only the password.
    assert drafter.get("/").status_code == 302
    assert _sign_in("drafter").get("/").status_code == 200
    # Only the administrator: a council secretary cannot reach the action.
    secretary = personas.client_for(personas.secretary)
    refused = secretary.post(
        "/admin/councils/user/", {"action": "mfa_reset", "_selected_action": [personas.admin.pk]}
    )
    assert refused.status_code == 302 and "/admin/login/" in refused["Location"]
    assert _audits("auth.mfa.reset") == 1


def test_the_authenticators_are_not_shown_or_edited_in_the_admin(personas) -> None:
    admin = personas.client_for(personas.admin)
    assert admin.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert admin.get("/admin/otp_static/staticdevice/").status_code == 404
