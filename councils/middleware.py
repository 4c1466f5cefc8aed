from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class UserLanguageMiddleware:
    """Activate the interface language: the user's choice, else the cookie, else Kazakh.

    Unlike Django's LocaleMiddleware the browser's Accept-Language is not consulted:
    Kazakh is the state language and the default for everyone until they choose. The API
    (/api/) is the exception: other systems name the language of the messages they want
    with Accept-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = settings.LANGUAGE_CODE
        user = getattr(request, "user", None)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and user.preferred_language in SUPPORTED:
            language = user.preferred_language
        elif cookie in SUPPORTED:
            language = cookie
        elif request.path.startswith("/api/"):
            language = _accepted(request.headers.get("Accept-Language", "")) or language
        # Restored afterwards, so an in-process caller (a test, a management command)
        # keeps its own language.
        previous = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.activate(previous) if previous else translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response


def _accepted(header: str) -> str | None:
    for part in header.split(",")[:10]:
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED:
            return code
    return None


def session_started(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """At sign-in (the session key was just rotated): start both timeout clocks."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session["auth_started"] = now
        request.session["seen_at"] = now
        request.session[SECOND_STEP] = second_step_for(kwargs.get("user") or request.user)


SECOND_STEP = "second_step"  # "verify", "setup" or "" for this session, set at sign-in


def second_step_for(user: object) -> str:
    """What the person must do after the password (ASVS 6.3.3): enter a code from their
    authenticator, set one up (SQF_MFA_REQUIRED), or nothing."""
    from councils import mfa

    if mfa.mfa_enabled(user):
        return "verify"
    return "setup" if mfa.mfa_required(user) else ""


class SecondStepMiddleware:
    """Until the second step is done, a signed-in person reaches only the pages of that
    step, the language switch and the log-out; the API answers 403. What the step is was
    decided at sign-in and kept in the session, so a request costs no query."""

    OPEN = ("/accounts/mfa/", "/accounts/logout/", "/static/", "/language/", "/health/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(self.OPEN):
            return self.get_response(request)
        step = request.session.get(SECOND_STEP)
        if step is None:  # a session from before this check existed
            step = request.session[SECOND_STEP] = second_step_for(user)
        if not step or user.is_verified():
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "Finish signing in first: enter the code from your authenticator app."
                    )
                },
                status=403,
            )
        target = reverse("mfa-verify" if step == "verify" else "mfa-setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class SessionTimeoutMiddleware:
    """End a signed-in session after SESSION_IDLE_SECONDS without a request (idle) or
    SESSION_COOKIE_AGE after sign-in (absolute) — ASVS 7.3.1, 7.3.2 — and keep pages of
    signed-in people out of every cache (Cache-Control: no-store, ASVS 14.3.2)."""

    TOUCH_EVERY = 60  # seconds: do not write the session on every request

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in:
            now = int(time.time())
            session = request.session
            started = session.setdefault("auth_started", now)
            seen = session.get("seen_at", now)
            if now - seen > settings.SESSION_IDLE_SECONDS or (
                now - started > settings.SESSION_COOKIE_AGE
            ):
                logout(request)  # flushes the session and rotates its key
            elif now - seen >= self.TOUCH_EVERY or "seen_at" not in session:
                session["seen_at"] = now
        response = self.get_response(request)
        if signed_in or (user is not None and user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
        return response
