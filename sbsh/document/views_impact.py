"""A version's edition check (Rules §15.2): the codes a newer classifier edition removes or
renames, the assistant that moves a draft to the new editions, and for a published SQF the
way into an update on §15.2 with those codes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from councils.access import Action
from sbsh import access as sqf_access
from sbsh.document import impact
from sbsh.models import Version


def update_url(version: Version, codes: list[str]) -> str:
    """The council's update decision, prefilled: ground §15.2 and the codes concerned."""
    query = urlencode({"ground": "15.2", "codes": ",".join(codes)}, safe=":,")
    return f"{reverse('sbsh:decide-grounds', args=[version.framework.council_id])}?{query}"


@login_required
@require_GET
def version_editions(request: HttpRequest, pk: int) -> HttpResponse:
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    check = impact.edition_check(version)
    codes = impact.update_codes(version) if version.status == Version.Status.PUBLISHED else []
    return render(
        request,
        "sbsh/editions.html",
        {
            "version": version,
            "check": check,
            "can_move": version.status in impact.EDITABLE
            and sqf_access.can_edit_version(request.user, version),
            "codes": codes,
            "update_url": update_url(version, codes) if codes else "",
        },
    )


@login_required
@require_POST
def version_editions_move(request: HttpRequest, pk: int) -> HttpResponse:
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.MANAGE)
    classifier = request.POST.get("classifier", "")
    if classifier not in impact.CLASSIFIER_LABEL:
        raise Http404
    try:
        result = impact.version_move_to_edition(
            actor=request.user, version=version, classifier=classifier
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(carried)s unchanged codes carried over; %(left)s left for you to resolve.")
            % result,
        )
    return redirect("sbsh:editions", version.pk)
