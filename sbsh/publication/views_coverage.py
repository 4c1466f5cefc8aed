"""National coverage (public) and, for a state body, the §5.2 gap analysis it pre-fills."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from councils import access
from councils.models import Organisation, Role
from sbsh import access as sqf_access
from sbsh.publication import coverage


@require_GET
def registry_coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "registry/coverage.html", coverage.coverage_summary())


def _state_bodies(request: HttpRequest) -> list[Organisation]:
    ids = access.organisation_ids(request.user, roles_=[Role.MINISTRY_STAFF])
    return list(
        Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.STATE_BODY).order_by(
            "name_ru"
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def coverage_gaps(request: HttpRequest) -> HttpResponse:
    """Rules §5.2: the OKED classes of the state body's sectors without an SQF of its, each
    to confirm (ticked) or remove, filed as a draft gap analysis to its council."""
    bodies = _state_bodies(request)
    if not bodies:
        raise PermissionDenied
    chosen = request.POST.get("state_body") or request.GET.get("state_body") or str(bodies[0].pk)
    body = next((b for b in bodies if str(b.pk) == chosen), None)
    if body is None:
        raise PermissionDenied
    councils = list(body.councils.filter(kind=Organisation.Kind.COUNCIL).order_by("name_ru"))
    uncovered = coverage.uncovered_classes(body.pk)
    errors: list[str] = []
    year = timezone.localdate().year - 1
    ticked = {n.code for n in uncovered}
    if request.method == "POST":
        ticked = set(request.POST.getlist("codes"))
        council = next((c for c in councils if str(c.pk) == request.POST.get("council")), None)
        raw_year = request.POST.get("year", "")
        if council is None:
            errors.append(_("Choose the sectoral council the analysis goes to."))
        if not (raw_year.isascii() and raw_year.isdigit() and len(raw_year) <= 4):
            errors.append(_("Enter the year analysed as four digits."))
        else:
            year = int(raw_year)
        if council is not None and not sqf_access.can_file_analysis(request.user, council):
            raise PermissionDenied
        if not errors:
            try:
                ground = coverage.gap_analysis_prefill(
                    actor=request.user,
                    council=council,
                    year=year,
                    codes=[n.code for n in uncovered if n.code in ticked]
                    + sorted(ticked - {n.code for n in uncovered}),
                )
            except ValidationError as exc:
                errors += [m for ms in exc.message_dict.values() for m in ms]
            else:
                messages.success(
                    request,
                    _("The gap analysis is saved as a draft. Check it and file it to the council."),
                )
                return redirect("sbsh:ground", ground.pk)
    return render(
        request,
        "sbsh/coverage_gaps.html",
        {
            "bodies": bodies,
            "body": body,
            "councils": councils,
            "uncovered": uncovered,
            "own": coverage.own_coverage(body.pk),
            "ticked": ticked,
            "year": year,
            "errors": errors,
        },
        status=422 if errors else 200,
    )
