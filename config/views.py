"""Site-wide views: the role-aware home page, the health check, the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from config import params
from councils import access
from councils.selectors import home_sections
from councils.services import user_save

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from sbsh.workflow.dashboard import panels

    return render(
        request,
        "home.html",
        {
            "panels": panels(request.user, home_sections(request.user)),
            "is_administrator": access.is_administrator(request.user),
        },
    )


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: 200 when the database (and Redis) answer."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            cache.set("health-check", "1", timeout=10)
            checks["redis"] = "ok" if cache.get("health-check") == "1" else "error: no echo"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = params.safe_next(request, "/")
    response = HttpResponseRedirect(next_url)
    if language not in LANGUAGE_CODES:
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 60 * 60,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.HTTPS,
        httponly=True,
    )
    user = request.user
    if user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user_save(actor=user, user=user)
    return response


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links; send them to the real icon
    (resolved per request: the hashed static name exists only after collectstatic)."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
