"""Pages of the two-step sign-in (ASVS 6.3.3): set up an authenticator, enter its code
after the password, renew the recovery codes. The services are in councils/mfa.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import params
from councils import mfa
from councils.middleware import SECOND_STEP


def _next(request: HttpRequest) -> str:
    """Where to go after the step: the page asked for, if it is one of ours."""
    return params.safe_next(request, reverse("home"))


@login_required
@require_GET
def mfa_overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "registration/mfa_overview.html",
        {
            "enabled": mfa.mfa_enabled(user),
            "required": mfa.mfa_required(user),
            "codes_left": mfa.recovery_codes_left(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa.mfa_enabled(user):
        return redirect("mfa-overview")
    device = mfa.totp_device_pending(user)
    error = ""
    if request.method == "POST":
        codes = mfa.totp_device_confirm(
            user=user, device=device, token=request.POST.get("code", "")
        )
        if codes is not None:
            # The authenticator just proved itself: this session counts as verified.
            from django_otp import login as otp_login

            otp_login(request, device)
            request.session[SECOND_STEP] = "verify"
            return render(
                request,
                "registration/mfa_codes.html",
                {"codes": codes, "next": _next(request), "first": True},
            )
        error = _(
            "This code is not right. Type the 6 digits your app shows now; if it still "
            "fails, check that the phone's clock is set automatically."
        )
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "key": mfa.totp_key_text(device),
            # The authenticator app keeps the ASCII issuer; the page names the workbench in
            # the reader's language.
            "issuer": settings.SITE_NAME,
            "error": error,
            "next": _next(request),
            "required": mfa.mfa_required(user),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def mfa_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the authenticator being set up (an image, so the page needs no
    inline markup from a library)."""
    if mfa.mfa_enabled(request.user):
        raise Http404
    svg = mfa.totp_qr_svg(mfa.totp_device_pending(request.user))
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified() or not mfa.mfa_enabled(user):
        return redirect(_next(request))
    error = ""
    if request.method == "POST":
        if mfa.mfa_verify(request=request, token=request.POST.get("code", "")):
            return redirect(_next(request))
        if mfa.mfa_throttled(user):
            error = _(
                "Too many wrong codes. Wait a little (the wait doubles after each wrong "
                "code) and type the code your app shows then."
            )
        else:
            error = _(
                "This code is not right. Type the 6 digits your app shows now, or one of "
                "your recovery codes."
            )
    return render(
        request,
        "registration/mfa_verify.html",
        {"error": error, "next": _next(request)},
        status=400 if error else 200,
    )


@login_required
@require_POST
def mfa_recovery_renew(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (mfa.mfa_enabled(user) and user.is_verified()):
        messages.error(request, _("Set up two-step sign-in first."))
        return redirect("mfa-overview")
    codes = mfa.recovery_codes_renew(user=user)
    return render(
        request,
        "registration/mfa_codes.html",
        {"codes": codes, "next": reverse("mfa-overview"), "first": False},
    )
