"""Documents of a version: request a render, watch it, download it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from councils import access
from councils.access import Action
from exports import content as content_mod
from exports import services
from exports.models import Rendering
from sbsh.models import Part

LANGS = ["kk", "ru"]
FORMATS = ["pdf", "docx", "json"]


def _cells(version: object) -> tuple[list[tuple[str, list[tuple[str, Rendering | None]]]], bool]:
    key = services._key(content_mod.version_content(version))
    current = {
        (r.language, r.format): r
        for r in Rendering.objects.filter(version=version, content_sha256=key)
    }
    rows = [(lang, [(fmt, current.get((lang, fmt))) for fmt in FORMATS]) for lang in LANGS]
    busy = any(
        r.status in (Rendering.Status.PENDING, Rendering.Status.RUNNING) for r in current.values()
    )
    return rows, busy


@login_required
@require_GET
def documents(request: HttpRequest, pk: int) -> HttpResponse:
    version = access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    rows, busy = _cells(version)
    context = {
        "version": version,
        "framework": version.framework,
        "rows": rows,
        "busy": busy,
        "section": "documents",
        "can_edit": access.can_edit_version(request.user, version),
        "part_keys": [
            (k, Part.Key(k).label) for k in Part.Key.values if k != Part.Key.PASSPORT_SECTOR
        ],
    }
    template = (
        "exports/_documents.html"
        if request.headers.get("HX-Request") == "true"
        else "exports/documents.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def document_request(request: HttpRequest, pk: int) -> HttpResponse:
    version = access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
    language, fmt = request.POST.get("language", ""), request.POST.get("format", "")
    if language not in LANGS or fmt not in FORMATS:
        return HttpResponse("Choose kk or ru, and pdf, docx or json.", status=400)
    services.rendering_request(version=version, language=language, fmt=fmt, actor=request.user)
    if request.headers.get("HX-Request") == "true":
        return documents(request, pk)
    return redirect("exports:documents", version.pk)


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int, rid: int) -> FileResponse:
    version = access.sqf_version_for_user(request.user, pk, action=Action.VIEW)
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
