from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from councils import access, selectors
from councils.models import Organisation


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = list(selectors.organisation_list(request.user))
    groups = [
        (label, [o for o in organisations if o.kind == kind])
        for kind, label in Organisation.Kind.choices
    ]
    return render(request, "councils/organisation_list.html", {"groups": groups})


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = access.organisation_for_user(request.user, pk, action=access.Action.VIEW)
    return render(
        request,
        "councils/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation),
            "councils": selectors.organisation_councils(organisation),
            "can_manage": access.can_manage_organisation(request.user, organisation),
        },
    )


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    access.require_administrator(request.user)
    return render(request, "councils/audit_trail.html", {"events": selectors.audit_events()})
