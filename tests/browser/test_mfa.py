"""Two-step sign-in in a real browser: the production requirement leads a council member
to set up an authenticator at the first sign-in; the next sign-in asks for its code."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils.demo import seed_organisations_and_people
from councils.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-pass-2026"


def _code_for_a_fresh_step(device: TOTPDevice) -> str:
    """The current code, waiting for the next 30-second step when the previous code was
    already used (a code is good once)."""
    device.refresh_from_db()
    while int(time.time()) // device.step <= device.last_t:
        time.sleep(0.5)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def test_a_member_sets_up_two_step_sign_in_then_signs_in_with_a_code(
    live_server, page, screenshot, settings
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SQF_MFA_REQUIRED = True
    seed_organisations_and_people(password=PASSWORD)
    base = live_server.url

    page.goto(f"{base}/deadlines/")
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/accounts/mfa/setup/?next=%2Fdeadlines%2F")
    qr = page.locator('[data-testid="mfa-qr"]')
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot("mfa-setup-kk")
    device = TOTPDevice.objects.get(user__username="member", confirmed=False)
    page.fill("#id_code", "000000" if _code_for_a_fresh_step(device) != "000000" else "111111")
    page.click('[data-testid="mfa-confirm"]')
    assert page.locator(".error-summary").is_visible()
    time.sleep(1.1)  # the wait after one wrong code
    page.fill("#id_code", _code_for_a_fresh_step(device))
    page.click('[data-testid="mfa-confirm"]')
    codes = page.locator('[data-testid="recovery-codes"] li')
    assert codes.count() == 10
    screenshot("mfa-recovery-codes-kk")
    page.click("a.button.primary")
    page.wait_for_url(f"{base}/deadlines/")

    page.click('[data-testid="user-menu"]')
    page.click('[data-testid="logout"]')
    page.wait_for_url(f"{base}/accounts/login/")
    page.fill("#id_username", "member")
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")
    page.wait_for_url(f"{base}/accounts/mfa/verify/?next=%2F")
    screenshot("mfa-verify-kk")
    page.fill("#id_code", _code_for_a_fresh_step(device))
    page.click('[data-testid="mfa-verify"]')
    page.wait_for_url(f"{base}/")
    assert page.locator('[data-testid="role-council_member"]').is_visible()
    assert list(
        AuditEvent.objects.filter(action__startswith="auth.mfa.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["auth.mfa.failed", "auth.mfa.enrol"]
