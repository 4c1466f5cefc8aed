"""The SQF editor: a page per part, Kazakh and Russian side by side, rows edited in place
with htmx. Every view authorises through sbsh.access and writes through services (Tables 1–3:
views_tables.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import params
from councils.access import Action
from sbsh import access as sqf_access
from sbsh.document import checks, forms, selectors, services
from sbsh.models import (
    Part,
    ProfessionalStandard,
    Version,
)


def htmx_request(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def editor_version(request: HttpRequest, pk: int, *, edit: bool = False) -> Version:
    return sqf_access.sqf_version_for_user(
        request.user, pk, action=Action.MANAGE if edit else Action.VIEW
    )


def editor_context(request: HttpRequest, version: Version, section: str, **extra: Any) -> dict[str, Any]:
    return {
        "version": version,
        # Row templates build their links from this, not by reversing a URL per row and button.
        "t1_base": reverse("sbsh:table1", args=[version.pk]),
        "framework": version.framework,
        "section": section,
        "can_edit": sqf_access.can_edit_version(request.user, version),
        **extra,
    }


def search_filters(request: HttpRequest) -> tuple[str, str]:
    """The search words and the level filter of a table page (bounded)."""
    return request.GET.get("q", "").strip()[:100], request.GET.get("level", "").strip()[:4]


def apply_form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- lists and overview ------------------------------------------------------------------------


@login_required
@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    query, _level = search_filters(request)
    frameworks = list(selectors.frameworks_for(request.user))
    shown = selectors.frameworks_filter(frameworks, query=query)
    context = {
        "frameworks": shown,
        "total": len(frameworks),
        "q": query,
        "filter_url": reverse("sbsh:list"),
    }
    if request.headers.get("HX-Target") == "sqf-list":
        return render(request, "sbsh/_list_body.html", context)
    return render(request, "sbsh/list.html", context)


@login_required
@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk)
    parts = selectors.parts(version)
    completeness = [
        (key, label, checks.part_completeness(parts[key]))
        for key, label in Part.Key.choices
        if key in parts
    ]
    findings = checks.findings(version)
    from sbsh.models import Comment, Decision, VersionTransition
    from sbsh.workflow import decisions
    from sbsh.workflow import moves as workflow

    moves = []
    for name, move in workflow.available_moves(request.user, version):
        if name == "approve":
            continue  # one "record the decision" entry covers approve and return
        found = (
            [] if move.needs_decision else workflow.blockers(version, name, known_findings=findings)
        )
        if name == "reopen_for_revision" and found:
            continue  # offered only when a hand-over document failed to render
        moves.append((name, move, found))
    opening = Decision.objects.filter(opened_version=version).first()
    return render(
        request,
        "sbsh/overview.html",
        editor_context(
            request,
            version,
            "overview",
            completeness=completeness,
            findings=findings,
            moves=moves,
            history=VersionTransition.objects.filter(version=version).select_related("actor"),
            deadlines=version_deadlines(version),
            checklist=checks.preparation_checklist(version)
            if version.status == Version.Status.PREPARATION
            else None,
            opening=opening,
            open_comments=Comment.objects.filter(
                version=version, parent=None, resolved_at=None
            ).count(),
            pending_recommendations=len(decisions.open_recommendations(version)),
            returned=Decision.objects.filter(
                version=version, outcome=Decision.Outcome.RETURN
            ).exists(),
        ),
    )


def version_deadlines(version: Version) -> list[Any]:
    from deadlines.models import Deadline

    return list(
        Deadline.objects.filter(
            content_type__app_label="sbsh", content_type__model="version", object_id=str(version.pk)
        )
        .select_related("organisation")
        .order_by("-opened_at")[:20]
    )


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Make a move of the Rules; the workflow service checks role, state and compliance."""
    from django.core.exceptions import PermissionDenied

    from sbsh.workflow import moves as workflow

    version = editor_version(request, pk)
    # The national body's inbox receives and publishes in place (a fixed name, never a URL).
    back = ("sbsh:inbox",) if request.POST.get("from") == "inbox" else ("sbsh:overview", version.pk)
    try:
        workflow.version_transition(
            actor=request.user, version=version, name=name, comment=request.POST.get("comment", "")
        )
    except PermissionError:
        raise PermissionDenied from None
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(*back)
    messages.success(request, _("Done: %(move)s.") % {"move": workflow.MOVES[name].label})
    return redirect(*back)


@login_required
@require_GET
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk)
    limit = request.GET.get("limit", "")
    return render(
        request,
        "sbsh/_checklist.html",
        {
            "version": version,
            "findings": checks.findings(version),
            "checklist_limit": min(int(limit), 500)
            if limit.isascii() and limit.isdigit() and len(limit) <= 9
            else None,
        },
    )


# --- passport and narrative parts ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def passport(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=request.method == "POST")
    oked, nkz = selectors.passport_nodes(version)
    sector = selectors.parts(version)[Part.Key.PASSPORT_SECTOR]
    form = forms.PassportForm(
        request.POST or None,
        initial={
            "revision": version.revision,
            "name_kk": version.name_kk,
            "name_ru": version.name_ru,
        },
    )
    conflict = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.passport_save(
                actor=request.user,
                version=version,
                revision=data["revision"],
                name_kk=data["name_kk"],
                name_ru=data["name_ru"],
                oked_ids=data["oked"],
                nkz_ids=data["nkz"],
            )
        except services.EditConflict as exc:
            conflict, status = exc, 409
        except ValidationError as exc:
            apply_form_errors(form, exc)
            status = 422
        else:
            messages.success(request, _("The passport is saved."))
            return redirect("sbsh:passport", version.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "sbsh/passport.html",
        editor_context(
            request,
            version,
            "passport",
            form=form,
            oked=oked,
            nkz=nkz,
            sector=sector,
            conflict=conflict,
            part_form=forms.PartForm(
                initial={
                    "revision": sector.revision,
                    "text_kk": sector.text_kk,
                    "text_ru": sector.text_ru,
                }
            ),
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    if key not in Part.Key.values:
        raise Http404
    version = editor_version(request, pk, edit=request.method == "POST")
    part = get_object_or_404(Part, version=version, key=key)
    form = forms.PartForm(
        request.POST or None,
        initial={"revision": part.revision, "text_kk": part.text_kk, "text_ru": part.text_ru},
    )
    conflict, status = None, 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.part_save(
                actor=request.user,
                part=part,
                revision=data["revision"],
                text_kk=data["text_kk"],
                text_ru=data["text_ru"],
            )
        except services.EditConflict as exc:
            conflict, status = exc, 409
            form = forms.PartForm(
                initial={
                    "revision": exc.current.revision,
                    "text_kk": exc.submitted["text_kk"],
                    "text_ru": exc.submitted["text_ru"],
                }
            )
        else:
            messages.success(request, _("Saved."))
            return redirect(params.safe_next(request, reverse("sbsh:part", args=[version.pk, key])))
    elif request.method == "POST":
        status = 422
    template = "sbsh/part.html"
    return render(
        request,
        template,
        editor_context(
            request,
            version,
            key,
            part=part,
            form=form,
            conflict=conflict,
            completeness=checks.part_completeness(part),
        ),
        status=status,
    )


@login_required
@require_POST
def part_confirm(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    part = get_object_or_404(Part, version=version, key=key)
    services.bilingual_confirm(actor=request.user, obj=part, version=version)
    return redirect(
        "sbsh:passport" if key == Part.Key.PASSPORT_SECTOR else "sbsh:part",
        version.pk,
        *([] if key == Part.Key.PASSPORT_SECTOR else [key]),
    )


# --- Annex §7 -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def standards(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=request.method == "POST")
    form = forms.StandardForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.standard_save(
                    actor=request.user,
                    version=version,
                    standard=None,
                    revision=None,
                    name_kk=data["name_kk"],
                    name_ru=data["name_ru"],
                    status=data["status"],
                    nkz_ids=data["nkz"],
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
                status = 422
            else:
                return redirect("sbsh:standards", version.pk)
        else:
            status = 422
    return render(
        request,
        "sbsh/standards.html",
        editor_context(request, version, "standards", standards=selectors.standards(version), form=form),
        status=status,
    )


@login_required
@require_POST
def standard_delete(request: HttpRequest, pk: int, sid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    standard = get_object_or_404(ProfessionalStandard, pk=sid, version=version)
    from councils.services import audit_record

    audit_record(
        actor=request.user,
        action="sqf.standard.delete",
        obj=standard,
        organisation=version.framework.state_body,
        scope=services.version_scope(version),
    )
    standard.delete()
    return redirect("sbsh:standards", version.pk)


# --- Table 1 ------------------------------------------------------------------------------------


# A table this small is shown whole; a larger one a process section at a time.
T1_SHOWN_WHOLE = 40
T1_PAGE = 40  # rows of one section (or of the filtered table) on a page
T3_PAGE = 50


# --- Table 2 ------------------------------------------------------------------------------------


# --- Table 3 ------------------------------------------------------------------------------------


# --- the working group (Rules §7) ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def working_group(request: HttpRequest, pk: int) -> HttpResponse:
    """Rules §7: who the state body drew in for this version, with their category and the
    organisation they represent. Everyone who may read the SQF (the council too) sees it;
    the state body's staff add and remove."""
    from councils.models import Role, User
    from sbsh.models import WorkingGroupMember

    version = editor_version(request, pk)
    may_manage = sqf_access.can_manage_working_group(request.user, version)
    members = list(
        WorkingGroupMember.objects.filter(version=version).select_related("user", "added_by")
    )
    participants = (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=version.framework.state_body_id,
            memberships__role=Role.WORKING_GROUP,
        )
        .exclude(pk__in=[m.user_id for m in members])
        .order_by("last_name", "first_name", "username")
    )
    form = forms.WorkingGroupForm(request.POST or None, participants=participants)
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.working_group_add(actor=request.user, version=version, **form.cleaned_data)
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("The participant is added to the working group."))
                return redirect("sbsh:working-group", version.pk)
        status = 422
    return render(
        request,
        "sbsh/working_group.html",
        editor_context(
            request,
            version,
            "working_group",
            members=members,
            form=form,
            may_manage=may_manage,
        ),
        status=status,
    )


@login_required
@require_POST
def working_group_remove(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    from sbsh.models import WorkingGroupMember

    version = editor_version(request, pk)
    member = get_object_or_404(WorkingGroupMember, pk=mid, version=version)
    if not sqf_access.can_manage_working_group(request.user, version):
        raise PermissionDenied
    services.working_group_remove(actor=request.user, member=member)
    messages.success(request, _("The participant is removed from the working group."))
    return redirect("sbsh:working-group", version.pk)
