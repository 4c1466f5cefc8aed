"""The public registry (no login): published SQFs, their versions, documents and a feed.

Everything here reads `Publication` (content frozen at publication), never the working
tables, so a draft cannot leak to the public (Rules §14, §16)."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config import params
from councils.models import Organisation
from exports.layout import document_model
from exports.models import Rendering
from sbsh.models import Publication
from sbsh.publication import services as registry

PAGE_SIZE = 20
FORMATS = ("pdf", "docx", "json")


def _content_language(request: HttpRequest) -> str:
    """SQF content exists in Kazakh and Russian; an English reader gets Russian."""
    wanted = request.GET.get("lang", "")
    if wanted in ("kk", "ru"):
        return wanted
    return "kk" if (get_language() or "kk").startswith("kk") else "ru"


def _filters(request: HttpRequest) -> registry.Filters:
    def text(name: str, limit: int = 40) -> str:
        return params.text_param(request.GET, name, limit)

    return registry.Filters(
        q=text("q", registry.MAX_QUERY),
        state_body=params.id_param(request.GET, "state_body"),
        oked=text("oked").upper() if text("oked")[:1].isalpha() else text("oked"),
        nkz=text("nkz"),
        sqf_level=text("sqf_level", 4),
        nqf_level=text("nqf_level", 1),
        include_superseded=request.GET.get("superseded") == "1",
    )


@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = Paginator(registry.publications_search(filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    bodies = Organisation.objects.filter(
        pk__in=Publication.objects.values("state_body_id")
    ).order_by("name_ru")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/list.html",
        {
            "page": page,
            "filters": filters,
            "bodies": bodies,
            "levels": [str(n) for n in range(1, 9)],
            "query": query.urlencode(),
            "searched": any(
                [
                    filters.q,
                    filters.state_body,
                    filters.oked,
                    filters.nkz,
                    filters.sqf_level,
                    filters.nqf_level,
                ]
            ),
        },
    )


def _publication(framework: int, number: int | None = None) -> Publication:
    qs = (
        Publication.objects.select_related("state_body", "framework", "version")
        .defer("search_text", "search_vector")
        .filter(framework_id=framework)
    )
    if number is None:
        found = qs.filter(superseded_at__isnull=True).first() or qs.order_by("-number").first()
    else:
        found = qs.filter(number=number).first()
    if found is None:
        raise Http404
    return found


@require_GET
def registry_sqf(request: HttpRequest, framework: int, number: int | None = None) -> HttpResponse:
    publication = _publication(framework, number)
    lang = _content_language(request)
    model = document_model(publication.content, lang)
    versions = list(
        Publication.objects.filter(framework_id=framework)
        .defer("content", "search_text", "search_vector")
        .order_by("-number")
    )
    return render(
        request,
        "registry/sqf.html",
        {
            "publication": publication,
            "versions": versions,
            "lang": lang,
            "doc": {f.name: getattr(model, f.name) for f in dataclasses.fields(model)},
            "formats": FORMATS,
        },
    )


@require_GET
def registry_careers_svg(request: HttpRequest, framework: int, number: int) -> HttpResponse:
    """Table 2's career paths as an SVG file (Annex §10), in the language asked for."""
    from sbsh.document import careers

    publication = _publication(framework, number)
    lang = _content_language(request)
    occupations, moves = careers.from_content(publication.content, lang)
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + careers.career_svg(occupations, moves, lang),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'inline; filename="sqf-{framework}-v{number}-careers-{lang}.svg"'
    )
    return response


def _ready_document(publication: Publication, lang: str, fmt: str) -> Rendering | None:
    """The document handed over for this version (Rules §14), or else one rendered since
    from the same frozen content."""
    from exports.services import _key
    from sbsh.models import Handover

    handover = (
        Handover.objects.filter(version_id=publication.version_id).order_by("-sent_at").first()
    )
    if handover is not None:
        handed = handover.renderings.filter(
            language=lang, format=fmt, status=Rendering.Status.READY
        ).first()
        if handed is not None:
            return handed
    return (
        Rendering.objects.filter(
            version_id=publication.version_id,
            language=lang,
            format=fmt,
            content_sha256=_key(publication.content),
            status=Rendering.Status.READY,
        )
        .order_by("-id")
        .first()
    )


@require_GET
def registry_download(
    request: HttpRequest, framework: int, number: int, lang: str, fmt: str
) -> HttpResponse:
    if lang not in ("kk", "ru") or fmt not in FORMATS:
        raise Http404
    publication = _publication(framework, number)
    from exports.naming import document_filename

    stem = document_filename(publication.content["framework"], number, lang, fmt).rsplit(".", 1)[0]
    if fmt == "json":
        from sbsh.document.content import SCHEMA, SCHEMA_VERSION

        document = {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "content_sha256": publication.content_sha256,
            "content": publication.content,
        }
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{stem}.json")
        return response
    rendering = _ready_document(publication, lang, fmt)
    if rendering is None:
        from exports.services import rendering_request

        # Rendered from the content as published, never from the live version (whose
        # status has moved on to superseded).
        rendering_request(
            version=publication.version,
            language=lang,
            fmt=fmt,
            actor=None,
            publication=publication,
        )
        response = render(
            request,
            "registry/preparing.html",
            {"publication": publication},
            status=503,
        )
        response["Retry-After"] = "30"
        return response
    return FileResponse(
        rendering.file.open("rb"),
        as_attachment=True,
        filename=f"{stem}.{fmt}",
        content_type="application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


# --- feeds for other systems ------------------------------------------------------------------------


FEED_SIZE = 50


def _feed_items() -> list[Publication]:
    """Newest events first: publications, and supersessions as their own entries."""
    return list(
        Publication.objects.select_related("state_body")
        .defer("content", "search_text", "search_vector")
        .order_by("-published_at", "-id")[:FEED_SIZE]
    )


class RegistryAtomFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Sectoral qualification frameworks: published versions")

    def link(self) -> str:
        return reverse("registry:list")

    def subtitle(self) -> str:
        return _("New and superseded versions in the SQF registry (Rules §14, §16).")

    def items(self) -> list[Publication]:
        return _feed_items()

    def item_title(self, item: Publication) -> str:
        state = _("superseded") if item.superseded_at else _("published")
        return f"{item.name} — v{item.number} ({state})"

    def item_description(self, item: Publication) -> str:
        return item.state_body.name

    def item_link(self, item: Publication) -> str:
        return reverse("registry:version", args=[item.framework_id, item.number])

    def item_guid(self, item: Publication) -> str:
        return f"urn:sqf-workbench:publication:{item.pk}:{'superseded' if item.superseded_at else 'published'}"

    def item_pubdate(self, item: Publication) -> Any:
        return item.published_at

    def item_updateddate(self, item: Publication) -> Any:
        return item.superseded_at or item.published_at


@require_GET
def registry_feed_json(request: HttpRequest) -> JsonResponse:
    """JSON Feed 1.1 of the same entries, with the machine-readable fields a platform needs."""
    base = request.build_absolute_uri("/").rstrip("/")
    items = []
    for p in _feed_items():
        url = base + reverse("registry:version", args=[p.framework_id, p.number])
        items.append(
            {
                "id": f"urn:sqf-workbench:publication:{p.pk}:{'superseded' if p.superseded_at else 'published'}",
                "url": url,
                "title": f"{p.name_ru} — v{p.number}",
                "date_published": p.published_at.isoformat(),
                "date_modified": (p.superseded_at or p.published_at).isoformat(),
                "_sqf": {
                    "framework": p.framework_id,
                    "version": p.number,
                    "status": "superseded" if p.superseded_at else "published",
                    "name": {"kk": p.name_kk, "ru": p.name_ru},
                    "state_body": {"kk": p.state_body.name_kk, "ru": p.state_body.name_ru},
                    "content_sha256": p.content_sha256,
                    "json": base
                    + reverse("registry:download", args=[p.framework_id, p.number, "ru", "json"]),
                },
            }
        )
    return JsonResponse(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "SQF registry",
            "home_page_url": base + reverse("registry:list"),
            "feed_url": base + reverse("registry:feed-json"),
            "items": items,
        },
        json_dumps_params={"ensure_ascii": False},
    )


# --- where an occupation appears --------------------------------------------------------------


OCCUPATION_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,19}")


@require_GET
def registry_occupation(request: HttpRequest, code: str = "") -> HttpResponse:
    """Every current published SQF, level and table row naming an NKZ code (or a code under it)."""
    from sbsh.publication import insight

    if not code:
        asked = request.GET.get("code", "").strip()[:20]
        if asked and OCCUPATION_CODE.fullmatch(asked):
            return redirect("registry:occupation", asked)
        if asked:
            # Not the shape of an NKZ code (digits, letters, "-" or "."): answered like an
            # unknown code, never a redirect to a path the code would break.
            return render(
                request, "registry/occupation.html", {"found": None, "asked": asked}, status=404
            )
        return render(request, "registry/occupation.html", {"found": None, "asked": ""})
    found = insight.occupation_appearances(code)
    if found is None:
        return render(
            request, "registry/occupation.html", {"found": None, "asked": code}, status=404
        )
    lang = _content_language(request)
    return render(
        request,
        "registry/occupation.html",
        {"found": found, "asked": code, "lang": lang, "title": found["name"][lang]},
    )
