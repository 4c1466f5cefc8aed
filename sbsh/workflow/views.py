"""Pages of the Rules' process around the document: council decisions (§8, §12–§13, §15),
answers to recommendations (§13), review comments, the changes since a return, the
history of a version and the national body's inbox (§14); the grounds' pages are in
views_grounds.py. Every view authorises through sbsh.access and writes through the
services (decisions, review, moves)."""

from __future__ import annotations

import re
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import params
from councils import access
from councils.models import AuditEvent, Organisation
from deadlines.models import Deadline
from sbsh import access as sqf_access
from sbsh.document import forms, services
from sbsh.document.views import apply_form_errors, editor_context, editor_version
from sbsh.models import (
    Decision,
    Framework,
    Ground,
    Recommendation,
    UpdateGround,
    Version,
    VersionTransition,
)
from sbsh.workflow import decisions, review
from sbsh.workflow import moves as workflow


def forbidden_to_403(func: Any) -> Any:
    """Services raise PermissionError; the page answers 403."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PermissionError:
            raise PermissionDenied from None

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


def errors_at_fields(form: django_forms.Form, exc: ValidationError) -> None:
    """A service's refusal shown where it belongs: at the field it names (the typed values
    stay in the bound form), otherwise above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, list(exc.messages))
        return
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


# --- grounds (Rules §5–§6) --------------------------------------------------------------------


def council_frameworks(council: Organisation) -> Any:
    """The SQFs of a council's sector, by name."""
    return Framework.objects.filter(council=council).order_by("sector_ru")


# --- council decisions --------------------------------------------------------------------------


def _meeting(data: dict[str, Any]) -> decisions.Meeting:
    return decisions.Meeting(
        meeting_date=data["meeting_date"],
        protocol_number=data["protocol_number"],
        votes_for=data["votes_for"],
        votes_against=data["votes_against"],
        votes_abstained=data["votes_abstained"],
        comment=data.get("comment", ""),
        protocol_file=data.get("protocol_file"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_to_403
def decide_grounds(request: HttpRequest, council: int) -> HttpResponse:
    council_obj = get_object_or_404(
        Organisation.objects.select_related("state_body"),
        pk=council,
        kind=Organisation.Kind.COUNCIL,
    )
    if not sqf_access.can_record_decision(request.user, council_obj):
        raise PermissionDenied
    open_grounds = Ground.objects.filter(
        council=council_obj, status=Ground.Status.FILED
    ).select_related("framework", "created_by")
    preselect = [int(x) for x in request.GET.getlist("ground") if params.is_id(x)]
    first = open_grounds.filter(pk__in=preselect).first()
    frameworks = council_frameworks(council_obj)
    initial = {
        "grounds": preselect,
        "votes_abstained": 0,
        "framework": first.framework_id if first else None,
        "sector_kk": first.sector_kk if first else "",
        "sector_ru": first.sector_ru if first else "",
    }
    initial.update(_update_prefill(request, frameworks))
    form = forms.DecisionOnGroundsForm(
        request.POST or None,
        request.FILES or None,
        grounds=open_grounds,
        frameworks=frameworks,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = decisions.decision_on_grounds(
                    actor=request.user,
                    council=council_obj,
                    grounds=list(data["grounds"]),
                    outcome=data["outcome"],
                    meeting=_meeting(data),
                    framework=data["framework"],
                    update_reasons=form.update_reasons()
                    if data["outcome"] == Decision.Outcome.UPDATE
                    else [],
                    sector_kk=data["sector_kk"],
                    sector_ru=data["sector_ru"],
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("The council's decision is recorded."))
                if decision.opened_version_id:
                    return redirect("sbsh:overview", decision.opened_version_id)
                return redirect("sbsh:decision", decision.pk)
        status = 422
    return render(
        request,
        "sbsh/decide_grounds.html",
        {"form": form, "council": council_obj, "has_grounds": open_grounds.exists()},
        status=status,
    )


# Rules §15 sub-items as other pages link to them: ?ground=15.2 (or the value, "nkz").
UPDATE_GROUND_PARAMS = {
    **{f"15.{n}": value for n, value in enumerate(UpdateGround.values, 1)},
    **{value: value for value in UpdateGround.values},
}


def _update_prefill(request: HttpRequest, frameworks: Any) -> dict[str, Any]:
    """A decision to update, started from another page (a classifier change, an SQF):
    `?ground=15.2&codes=NKZ:2151,OKED:35.11&framework=ID` preselects the outcome
    "update", the §15 grounds, the codes concerned and the SQF. Unknown values are
    ignored; nothing is decided until the secretary records the meeting."""
    chosen = [
        UPDATE_GROUND_PARAMS[g] for g in request.GET.getlist("ground") if g in UPDATE_GROUND_PARAMS
    ]
    initial: dict[str, Any] = {}
    if chosen:
        initial["outcome"] = Decision.Outcome.UPDATE
        initial["update_grounds"] = list(dict.fromkeys(chosen))
    codes = request.GET.get("codes", "")[:2000]
    if codes:
        initial["codes"] = ", ".join(c.strip() for c in codes.split(",") if c.strip())
    framework = request.GET.get("framework", "")
    if params.is_id(framework) and frameworks.filter(pk=int(framework)).exists():
        initial["framework"] = int(framework)
        initial.setdefault("outcome", Decision.Outcome.UPDATE)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_to_403
def decide_draft(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk)
    if not sqf_access.can_record_decision(request.user, version.framework.council_id):
        raise PermissionDenied
    if version.status not in (Version.Status.COUNCIL_REVIEW, Version.Status.RE_REVIEW):
        messages.error(
            request,
            _("The council decides on a draft only while it is under review (Rules §12–§13)."),
        )
        return redirect("sbsh:overview", version.pk)
    form = forms.DecisionOnDraftForm(
        request.POST or None, request.FILES or None, initial={"votes_abstained": 0}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                decisions.decision_on_draft(
                    actor=request.user,
                    version=version,
                    outcome=data["outcome"],
                    meeting=_meeting(data),
                    recommendations=form.recommendation_list(),
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            except workflow.WorkflowError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The council's decision is recorded."))
                return redirect("sbsh:overview", version.pk)
        status = 422
    open_threads = sum(1 for t in review.threads(version) if not t.root.resolved_at)
    return render(
        request,
        "sbsh/decide_draft.html",
        editor_context(request, version, "decide", form=form, open_threads=open_threads),
        status=status,
    )


def _decision_for_user(request: HttpRequest, did: int) -> Decision:
    decision = get_object_or_404(
        Decision.objects.select_related(
            "council", "council__state_body", "recorded_by", "version", "framework"
        ),
        pk=did,
    )
    if not sqf_access.can_view_decision(request.user, decision):
        raise PermissionDenied
    return decision


@login_required
@require_GET
def decision_detail(request: HttpRequest, did: int) -> HttpResponse:
    decision = _decision_for_user(request, did)
    return render(
        request,
        "sbsh/decision.html",
        {
            "decision": decision,
            "grounds": list(decision.grounds.select_related("framework")),
            "recommendations": list(decision.recommendations.select_related("answered_by")),
            "update_reasons": list(
                decision.update_reasons.prefetch_related("codes__edition").order_by("id")
            ),
        },
    )


@login_required
@require_GET
def protocol_download(request: HttpRequest, did: int) -> FileResponse:
    decision = _decision_for_user(request, did)
    if not decision.protocol_file:
        raise Http404
    response = FileResponse(
        decision.protocol_file.open("rb"),
        as_attachment=True,
        filename=f"protocol-{decision.protocol_number}.pdf".replace("/", "-"),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- answers to recommendations (Rules §13) -----------------------------------------------------


@login_required
@require_GET
def recommendations(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk)
    return _recommendations_page(request, version)


def _recommendations_page(
    request: HttpRequest,
    version: Version,
    *,
    failed: Recommendation | None = None,
    posted: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """The recommendations and answers; after a refused answer, that answer's form shows
    what was chosen and typed, with the error at its field (status 422)."""
    rounds = list(
        Decision.objects.filter(version=version, outcome=Decision.Outcome.RETURN)
        .prefetch_related("recommendations__answered_by")
        .order_by("-recorded_at", "-id")
    )
    if failed is not None:
        for decision in rounds:
            for r in decision.recommendations.all():
                if r.pk == failed.pk:
                    r.form_answer = (posted or {}).get("answer", "")
                    r.form_text = (posted or {}).get("answer_text", "")
                    r.form_errors = errors or {}
    can_answer = sqf_access.can_answer_recommendations(request.user, version)
    return render(
        request,
        "sbsh/recommendations.html",
        editor_context(request, version, "recommendations", rounds=rounds, can_answer=can_answer),
        status=422 if failed is not None else 200,
    )


@login_required
@require_POST
@forbidden_to_403
def recommendation_answer(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk)
    rec = get_object_or_404(Recommendation, pk=rid, version=version)
    form = forms.AnswerForm(request.POST)
    posted = {k: request.POST.get(k, "") for k in ("answer", "answer_text")}
    if not form.is_valid():
        errors = {k: list(v) for k, v in form.errors.items()}
        if "answer" in errors:
            errors["answer"] = [_("Choose accepted or rejected (Rules §13).")]
        return _recommendations_page(request, version, failed=rec, posted=posted, errors=errors)
    try:
        decisions.recommendation_answer(
            actor=request.user,
            recommendation=rec,
            revision=form.cleaned_data["revision"],
            answer=form.cleaned_data["answer"],
            text=form.cleaned_data["answer_text"],
        )
    except services.EditConflict:
        messages.error(
            request, _("Someone answered this recommendation meanwhile; see the answer below.")
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"answer": exc.messages}
        return _recommendations_page(request, version, failed=rec, posted=posted, errors=errors)
    else:
        messages.success(request, _("The answer is saved."))
    return redirect(reverse("sbsh:recommendations", args=[version.pk]) + f"#rec-{rec.pk}")


# --- review comments ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_to_403
def comments(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk)
    can_comment = sqf_access.can_comment(request.user, version)
    anchor_choices = review.anchors(version)
    form = forms.CommentForm(
        request.POST or None,
        anchors=anchor_choices,
        initial={
            "anchor": request.GET.get("about", "passport"),
            "column": request.GET.get("column", ""),
        },
    )
    status = 200
    if request.method == "POST":
        if not can_comment:
            raise PermissionDenied
        parent = None
        if request.POST.get("parent"):
            # Another version's comment and a missing one answer alike (no id oracle).
            parent = get_object_or_404(
                review.Comment, pk=params.id_or(request.POST["parent"], -1), version=version
            )
            form = forms.ReplyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                review.comment_add(
                    actor=request.user,
                    version=version,
                    body=data["body"],
                    anchor=data.get("anchor", ""),
                    column=data.get("column", ""),
                    language=data.get("language", ""),
                    parent=parent,
                )
            except ValidationError as exc:
                errors_at_fields(form, exc)
                status = 422
            else:
                messages.success(request, _("The comment is posted."))
                return redirect("sbsh:comments", version.pk)
        else:
            status = 422
        if parent is not None:
            # A reply's refusal is said above; the new-comment form below starts empty.
            for errors in form.errors.values():
                for m in errors:
                    messages.error(request, m)
            form = forms.CommentForm(anchors=anchor_choices)
    all_threads = review.threads(version)
    about = request.GET.get("about", "")
    shown = [t for t in all_threads if not about or t.root.anchor.startswith(about)]
    return render(
        request,
        "sbsh/comments.html",
        editor_context(
            request,
            version,
            "comments",
            form=form,
            threads=shown,
            about=about,
            open_count=sum(1 for t in all_threads if not t.root.resolved_at),
            can_comment=can_comment,
            resolvable={t.root.pk for t in shown if review.can_resolve(request.user, t.root)},
        ),
        status=status,
    )


@login_required
@require_POST
@forbidden_to_403
def comment_resolve(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    version = editor_version(request, pk)
    comment = get_object_or_404(review.Comment, pk=cid, version=version, parent=None)
    try:
        review.comment_resolve(
            actor=request.user, comment=comment, resolved=request.POST.get("resolved", "1") == "1"
        )
    except ValidationError as exc:
        for m in error_messages(exc):
            messages.error(request, m)
    return redirect("sbsh:comments", version.pk)


# --- changes since the return, and the history ------------------------------------------------------


@login_required
@require_GET
def changes(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk)
    diff = review.changes_since_return(version)
    answers = []
    if diff is not None:
        answers = list(diff.decision.recommendations.select_related("answered_by"))
    return render(
        request,
        "sbsh/changes.html",
        editor_context(request, version, "changes", diff=diff, answers=answers),
    )


@login_required
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every move and every save of this version, newest first; nothing here can be edited."""
    version = editor_version(request, pk)
    scope = services.version_scope(version)
    events = list(
        AuditEvent.objects.filter(
            Q(scope=scope) | Q(object_type="sbsh.version", object_id=str(version.pk))
        )
        .select_related("actor")
        .order_by("-at", "-id")[:1000]
    )
    transitions = list(
        VersionTransition.objects.filter(version=version)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    from sbsh.access import mask_iin, may_see_signer_iin

    if not may_see_signer_iin(request.user, version):
        # Rows recorded before issue 15 named a signature with the signer's IIN; the
        # trail cannot be changed, so the IIN is masked when it is shown.
        for event in events:
            event.object_repr = IIN_IN_TEXT.sub(lambda m: mask_iin(m.group(0)), event.object_repr)
    return render(
        request,
        "sbsh/history.html",
        editor_context(request, version, "history", events=events, transitions=transitions),
    )


IIN_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


# --- the national body's inbox (Rules §14) ---------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Hand-overs waiting for the national body and the latest ones it dealt with, each
    with its documents and their checksums, when it was sent and whether §14 was met."""
    if not (access.is_national_officer(request.user) or access.is_administrator(request.user)):
        raise PermissionDenied
    from sbsh.models import Handover

    handovers = list(
        Handover.objects.select_related("version__framework__state_body", "sent_by", "deadline")
        .prefetch_related("renderings__signatures")
        .order_by("-sent_at")[:100]
    )
    clocks = {
        int(d.object_id): d
        for d in Deadline.objects.filter(
            content_type__app_label="sbsh",
            content_type__model="version",
            stage="handover",
            object_id__in=[str(h.version_id) for h in handovers],
        ).order_by("id")
    }
    waiting = [
        h for h in handovers if h.version.status in ("sent", "received") and not h.returned_at
    ]
    done = [h for h in handovers if h not in waiting]
    for h in handovers:
        # Each hand-over's own clock (§14, or the re-send clock after a return); older
        # hand-overs recorded before that link fall back to the version's latest clock.
        h.clock = h.deadline or clocks.get(h.version_id)
        h.documents = sorted(h.renderings.all(), key=lambda r: (r.language, r.format))
    return render(
        request,
        "sbsh/inbox.html",
        {
            "waiting": waiting,
            "done": done[:30],
            # Rules §14: only the national body's officers receive and publish.
            "can_move": access.is_national_officer(request.user),
        },
    )
