"""Documents of a version: request a render, watch it, download it."""

from __future__ import annotations

import base64

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from councils.access import Action
from exports import pdf, services, signatures
from exports.models import Rendering, Signature
from exports.naming import document_filename
from sbsh import access as sqf_access
from sbsh.document import content as content_mod
from sbsh.models import Part

LANGS = ["kk", "ru"]
FORMATS = ["pdf", "docx", "json"]


def _cells(version: object) -> tuple[list[tuple[str, list[tuple[str, Rendering | None]]]], bool]:
    key = services._key(content_mod.version_content(version))
    current = {
        (r.language, r.format): r
        for r in Rendering.objects.filter(version=version, content_sha256=key).prefetch_related(
            "signatures"
        )
    }
    rows = [(lang, [(fmt, current.get((lang, fmt))) for fmt in FORMATS]) for lang in LANGS]
    busy = any(
        r.status in (Rendering.Status.PENDING, Rendering.Status.RUNNING) for r in current.values()
    )
    return rows, busy


@login_required
@require_GET
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    return _documents_page(request, pk)


def _documents_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents page, or (htmx) the table of documents alone; also the answer to a
    request, so that "Make" updates the table in place."""
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    rows, busy = _cells(version)
    context = {
        "version": version,
        "framework": version.framework,
        "rows": rows,
        "busy": busy,
        "section": "documents",
        "can_edit": sqf_access.can_edit_version(request.user, version),
        "part_keys": [
            (k, Part.Key(k).label) for k in Part.Key.values if k != Part.Key.PASSPORT_SECTOR
        ],
    }
    signing = signatures.signatures_enabled()
    context["signing"] = signing and version.status == "approved"
    context["can_sign"] = context["signing"] and signatures.may_sign(request.user, version)
    context["may_see_iin"] = sqf_access.may_see_signer_iin(request.user, version)
    context["signed_by_me"] = (
        set(
            Signature.objects.filter(rendering__version=version, signer=request.user).values_list(
                "rendering_id", flat=True
            )
        )
        if context["can_sign"]
        else set()
    )
    template = (
        "exports/_documents.html"
        if request.headers.get("HX-Request") == "true"
        else "exports/documents.html"
    )
    response = render(request, template, context)
    if context["can_sign"]:
        # The page talks to NCALayer on the signer's own computer (django-csp's csp_update).
        response._csp_update = {"connect-src": settings.SQF_NCALAYER_ORIGINS}
    return response


@login_required
@require_POST
def document_request(request: HttpRequest, pk: int) -> HttpResponse:
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    language, fmt = request.POST.get("language", ""), request.POST.get("format", "")
    if language not in LANGS or fmt not in FORMATS:
        return HttpResponse("Choose kk or ru, and pdf, docx or json.", status=400)
    services.rendering_request(version=version, language=language, fmt=fmt, actor=request.user)
    if request.headers.get("HX-Request") == "true":
        return _documents_page(request, pk)
    return redirect("exports:documents", version.pk)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, rid: int) -> FileResponse:
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    rendering = get_object_or_404(Rendering, pk=rid, version=version)
    if rendering.status != Rendering.Status.READY or not rendering.file:
        raise Http404
    content_type = {
        "pdf": "application/pdf",
        "json": "application/json",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }[rendering.format]
    response = FileResponse(
        rendering.file.open("rb"),
        as_attachment=True,
        filename=rendering.filename(),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def signature_add(request: HttpRequest, pk: int, rid: int) -> JsonResponse:
    """Receive the CMS NCALayer made in the browser; check it and keep it (Rules §14)."""
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    rendering = get_object_or_404(Rendering, pk=rid, version=version)
    try:
        signatures.signature_add(
            actor=request.user, rendering=rendering, cms=request.POST.get("cms", "")
        )
    except PermissionError:
        return JsonResponse(
            {"errors": [_("Only the state body's staff sign the hand-over documents.")]},
            status=403,
        )
    except ValidationError as error:
        return JsonResponse({"errors": error.messages}, status=400)
    except signatures.SignatureServiceError:
        return JsonResponse(
            {
                "errors": [
                    _(
                        "The signature could not be checked now (NCANode does not answer). "
                        "Nothing was saved; try again in a few minutes."
                    )
                ]
            },
            status=503,
        )
    return JsonResponse({"ok": True}, status=201)


@login_required
@require_GET
def signature_download(request: HttpRequest, pk: int, rid: int, sid: int) -> HttpResponse:
    """The signature as a .cms file (DER), to check it with any NCA tool."""
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    if not sqf_access.may_see_signer_iin(request.user, version):
        raise PermissionDenied  # the CMS carries the signer's IIN
    signature = get_object_or_404(Signature, pk=sid, rendering_id=rid, rendering__version=version)
    response = HttpResponse(
        base64.b64decode(signature.cms), content_type="application/pkcs7-signature"
    )
    response["Content-Disposition"] = content_disposition_header(True, signature.filename())
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def document_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The version's content as the JSON document (docs/sqf-json-schema.md), as a file."""
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    data = services.render_bytes(content_mod.version_content(version), "kk", "json")
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    name = document_filename(version.framework, version.number, "kk", "json")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def document_preview(request: HttpRequest, pk: int, lang: str) -> HttpResponse:
    """The whole document as the PDF will print it (its own template and stylesheet),
    at once, for drafters and council members before anyone asks for a PDF."""
    if lang not in LANGS:
        raise Http404
    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    html = pdf.render_html(content_mod.version_content(version), lang, preview=True)
    return HttpResponse(html)


@login_required
@require_POST
def document_options(request: HttpRequest, pk: int) -> HttpResponse:
    """Tables 2–3 in portrait (Annex §12) or on landscape pages: the state body's choice,
    recorded with the version while it may be edited."""
    from django.contrib import messages

    from sbsh.document import services as sqf_services

    version = sqf_access.sqf_version_for_user(request.user, pk, action=Action.MANAGE)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        return HttpResponse(_("The form is incomplete; reload the page."), status=400)
    try:
        sqf_services.document_options_save(
            actor=request.user,
            version=version,
            revision=revision,
            tables_landscape=request.POST.get("tables_landscape") == "on",
        )
    except sqf_services.EditConflict:
        messages.error(
            request,
            _(
                "Someone changed this version since you opened the page; your choice was not saved. Look again and choose."
            ),
        )
        return redirect("exports:documents", version.pk)
    messages.success(request, _("Document options saved."))
    return redirect("exports:documents", version.pk)
