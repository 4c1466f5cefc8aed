from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from councils import access
from deadlines import calendar_data, ical, selectors, services
from deadlines.models import FeedToken
from deadlines.notifications import notifications_mark_read

MIN_YEAR, MAX_YEAR = 2000, 2100


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    calendar = services.work_calendar()
    rows = selectors.with_days_left(
        list(selectors.deadlines_for_user(request.user)[:500]), calendar, today
    )
    token = FeedToken.objects.filter(user=request.user).first()
    return render(
        request,
        "deadlines/dashboard.html",
        {
            "rows": rows,
            "today": today,
            "feed_url": request.build_absolute_uri(reverse("deadlines:feed", args=[token.token]))
            if token
            else None,
        },
    )


@login_required
@require_GET
def year_redirect(request: HttpRequest) -> HttpResponse:
    return redirect("deadlines:year", timezone.localdate().year)


@login_required
@require_GET
def year(request: HttpRequest, year: int) -> HttpResponse:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    today = timezone.localdate()
    months, calendar_year, total = selectors.year_view(year, services.work_calendar(), today)
    return render(
        request,
        "deadlines/year.html",
        {
            "year": year,
            "months": months,
            "calendar_year": calendar_year,
            "total": total,
            "previous": year - 1,
            "next": year + 1,
            "is_administrator": access.is_administrator(request.user),
        },
    )


@login_required
@require_GET
def year_csv(request: HttpRequest, year: int) -> HttpResponse:
    access.require_administrator(request.user)
    response = HttpResponse(
        calendar_data.export_calendar_csv(year), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="kz-calendar-{year}.csv"'
    return response


@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's deadlines as iCal; the unguessable token stands in for a login."""
    feed_token = FeedToken.objects.select_related("user").filter(token=token).first()
    if feed_token is None or not feed_token.user.is_active:
        raise Http404
    deadlines = list(selectors.deadlines_for_user(feed_token.user)[:500])
    body = ical.calendar_for(deadlines, host=request.get_host(), now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sqf-deadlines.ics"'
    return response


@login_required
@require_POST
def feed_regenerate(request: HttpRequest) -> HttpResponse:
    from councils.services import audit_record

    FeedToken.objects.filter(user=request.user).delete()
    token = FeedToken.objects.create(user=request.user)
    audit_record(actor=request.user, action="feed.regenerate", obj=token)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return HttpResponseRedirect(reverse("deadlines:dashboard"))


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "deadlines/notifications.html",
        {
            "items": selectors.notifications_for(request.user),
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return HttpResponseRedirect(reverse("deadlines:notifications"))
