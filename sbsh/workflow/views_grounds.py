"""The pages of grounds (Rules §4–§6): proposals and gap analyses, their rows and findings,
and filing them with the council."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from classifiers.models import Node
from councils import access
from councils.access import Action
from councils.models import Organisation, Role, User
from deadlines.models import Deadline
from sbsh import access as sqf_access
from sbsh.document import forms, services
from sbsh.document.views import apply_form_errors
from sbsh.models import (
    GapFinding,
    Ground,
    GroundRow,
)
from sbsh.workflow import grounds
from sbsh.workflow.views import council_frameworks, error_messages, forbidden_to_403


def _ground_deadlines(ids: list[int]) -> dict[int, Deadline]:
    found: dict[int, Deadline] = {}
    for d in Deadline.objects.filter(
        content_type__app_label="sbsh",
        content_type__model="ground",
        object_id__in=[str(i) for i in ids],
    ).order_by("id"):
        found[int(d.object_id)] = d
    return found


@login_required
@require_GET
def grounds_list(request: HttpRequest) -> HttpResponse:
    visible = list(sqf_access.grounds_for_user(request.user)[:500])
    clocks = _ground_deadlines([g.pk for g in visible])
    for g in visible:
        g.clock = clocks.get(g.pk)
    councils = list(sqf_access.councils_for_grounds(request.user))
    offers = []
    for council in councils:
        if sqf_access.can_file_proposal(request.user, council):
            offers.append((council, Ground.Kind.PROPOSAL, Ground.Kind.PROPOSAL.label))
        if sqf_access.can_file_analysis(request.user, council):
            offers.append((council, Ground.Kind.ANALYSIS, Ground.Kind.ANALYSIS.label))
    decide = [c for c in councils if sqf_access.can_record_decision(request.user, c)]
    return render(
        request,
        "sbsh/grounds.html",
        {"grounds": visible, "offers": offers, "decide": decide},
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_to_403
def ground_new(request: HttpRequest, kind: str, council: int) -> HttpResponse:
    if kind not in Ground.Kind.values:
        raise Http404
    council_obj = get_object_or_404(Organisation, pk=council, kind=Organisation.Kind.COUNCIL)
    allowed = (
        sqf_access.can_file_proposal(request.user, council_obj)
        if kind == Ground.Kind.PROPOSAL
        else sqf_access.can_file_analysis(request.user, council_obj)
    )
    if not allowed:
        raise PermissionDenied
    from django.utils import timezone

    # Rules §5.1: a secretary who is not a member records a proposal for a named member.
    members = None
    if kind == Ground.Kind.PROPOSAL and not access.has_role(
        request.user, Role.COUNCIL_MEMBER, council_obj.pk
    ):
        members = User.objects.filter(
            is_active=True,
            memberships__organisation=council_obj,
            memberships__role=Role.COUNCIL_MEMBER,
        ).order_by("last_name", "first_name", "username")
    form = forms.GroundForm(
        request.POST or None,
        frameworks=council_frameworks(council_obj),
        kind=kind,
        members=members,
        initial={"revision": 1, "year": timezone.localdate().year - 1},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                ground = grounds.ground_create(
                    actor=request.user,
                    kind=kind,
                    council=council_obj,
                    year=data["year"],
                    framework=data.get("framework"),
                    sector_kk=data.get("sector_kk", ""),
                    sector_ru=data.get("sector_ru", ""),
                    justification=data["justification"],
                    findings=data.get("findings", ""),
                    on_behalf_of=data.get("on_behalf_of"),
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(
                    request, _("The draft is saved. Complete it and file it to the council.")
                )
                return redirect("sbsh:ground", ground.pk)
        status = 422
    return render(
        request,
        "sbsh/ground_new.html",
        {"form": form, "council": council_obj, "kind": kind, "kind_label": Ground.Kind(kind).label},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_to_403
def ground_detail(request: HttpRequest, gid: int) -> HttpResponse:
    ground = sqf_access.ground_for_user(request.user, gid, action=Action.VIEW)
    can_edit = sqf_access.can_edit_ground(request.user, ground)
    form = None
    status = 200
    if can_edit:
        form = forms.GroundForm(
            request.POST or None,
            frameworks=council_frameworks(ground.council),
            kind=ground.kind,
            initial={
                "revision": ground.revision,
                "year": ground.year,
                "framework": ground.framework_id,
                "sector_kk": ground.sector_kk,
                "sector_ru": ground.sector_ru,
                "justification": ground.justification,
                "findings": ground.findings,
            },
        )
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            # The form of a gap analysis has findings and no SQF or sector (GroundForm).
            fields = ("year", "framework", "sector_kk", "sector_ru", "justification", "findings")
            values = {k: data[k] for k in fields if k in data}
            try:
                grounds.ground_save(
                    actor=request.user, ground=ground, revision=data["revision"], **values
                )
            except services.EditConflict:
                messages.error(
                    request,
                    _(
                        "Someone saved this ground meanwhile; your changes are below, reload to see theirs."
                    ),
                )
                status = 409
            except ValidationError as exc:
                apply_form_errors(form, exc)
                status = 422
            else:
                messages.success(request, _("Saved."))
                return redirect("sbsh:ground", ground.pk)
        else:
            status = 422
    clock = _ground_deadlines([ground.pk]).get(ground.pk)
    return render(
        request,
        "sbsh/ground.html",
        {
            "ground": ground,
            "form": form,
            "can_edit": can_edit,
            "rows": list(ground.rows.all()),
            "gaps": list(ground.gaps.select_related("oked")),
            "row_form": forms.GroundRowForm(),
            "gap_form": forms.GapForm(),
            "problems": grounds.ground_problems(ground) if can_edit else [],
            "clock": clock,
            "decisions": list(ground.decisions.all()),
            "can_decide": ground.status == Ground.Status.FILED
            and sqf_access.can_record_decision(request.user, ground.council_id),
        },
        status=status,
    )


@login_required
@require_POST
@forbidden_to_403
def ground_row_add(request: HttpRequest, gid: int) -> HttpResponse:
    ground = sqf_access.ground_for_user(request.user, gid, action=Action.MANAGE)
    form = forms.GroundRowForm(request.POST)
    if form.is_valid():
        try:
            grounds.ground_row_add(actor=request.user, ground=ground, **form.cleaned_data)
        except ValidationError as exc:
            for m in error_messages(exc):
                messages.error(request, m)
    else:
        messages.error(request, _("Fill in the proposed text and the reason (Rules §5.1)."))
    return redirect("sbsh:ground", ground.pk)


@login_required
@require_POST
@forbidden_to_403
def ground_row_delete(request: HttpRequest, gid: int, rid: int) -> HttpResponse:
    ground = sqf_access.ground_for_user(request.user, gid, action=Action.MANAGE)
    grounds.ground_row_delete(
        actor=request.user, row=get_object_or_404(GroundRow, pk=rid, ground=ground)
    )
    return redirect("sbsh:ground", ground.pk)


@login_required
@require_POST
@forbidden_to_403
def gap_add(request: HttpRequest, gid: int) -> HttpResponse:
    ground = sqf_access.ground_for_user(request.user, gid, action=Action.MANAGE)
    form = forms.GapForm(request.POST)
    if form.is_valid():
        node = (
            Node.objects.filter(pk=form.cleaned_data["oked"][0]).select_related("edition").first()
        )
        if node is None:
            messages.error(request, _("Pick an OKED code from the list (Rules §5.2)."))
        else:
            try:
                grounds.gap_add(
                    actor=request.user,
                    ground=ground,
                    oked=node,
                    coverage=form.cleaned_data["coverage"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                for m in error_messages(exc):
                    messages.error(request, m)
    else:
        for errors in form.errors.values():
            for m in errors:
                messages.error(request, m)
    return redirect("sbsh:ground", ground.pk)


@login_required
@require_POST
@forbidden_to_403
def gap_delete(request: HttpRequest, gid: int, fid: int) -> HttpResponse:
    ground = sqf_access.ground_for_user(request.user, gid, action=Action.MANAGE)
    grounds.gap_delete(actor=request.user, gap=get_object_or_404(GapFinding, pk=fid, ground=ground))
    return redirect("sbsh:ground", ground.pk)


@login_required
@require_POST
@forbidden_to_403
def ground_file(request: HttpRequest, gid: int) -> HttpResponse:
    ground = sqf_access.ground_for_user(request.user, gid, action=Action.MANAGE)
    try:
        grounds.ground_file(actor=request.user, ground=ground)
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("Filed to the council (Rules §6)."))
    return redirect("sbsh:ground", ground.pk)
