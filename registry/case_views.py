"""CASE 1.1 (1EdTech) for the public registry: a package per published version, the
service's CFDocuments and CFPackages endpoints, and a bulk download of the whole registry.

No login, like the registry: everything is read from `Publication` (frozen at publication,
Rules §14), so nothing unpublished is reachable. URIs are built on SITE_URL, not on the
request's Host header, so a package names the same addresses whoever fetched it."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from registry.views import _publication
from sbsh.case import selectors

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
MAX_LIMIT = 1000


def _json(data: Any, *, status: int = 200, filename: str = "") -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
        status=status,
    )
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _status(code: int, minor: str, description: str) -> HttpResponse:
    """The CASE service's imsx_StatusInfo body for a refusal."""
    return _json(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": description,
            "imsx_CodeMinor": {
                "imsx_codeMinorField": [
                    {
                        "imsx_codeMinorFieldName": "TargetEndSystem",
                        "imsx_codeMinorFieldValue": minor,
                    }
                ]
            },
        },
        status=code,
    )


@require_GET
def registry_case(request: HttpRequest, framework: int, number: int) -> HttpResponse:
    publication = _publication(framework, number)
    package = selectors.publication_package(publication, base_url=settings.SITE_URL)
    return _json(package, filename=f"sqf-{framework}-v{number}.case.json")


@require_GET
def registry_case_bulk(request: HttpRequest) -> HttpResponse:
    """Every published version's CFPackage in one ZIP, with an index."""
    buffer = io.BytesIO()
    index = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for p, package in selectors.registry_packages(base_url=settings.SITE_URL):
            name = f"sqf-{p.framework_id}-v{p.number}.case.json"
            archive.writestr(name, json.dumps(package, ensure_ascii=False, indent=1))
            index.append(
                {
                    "file": name,
                    "identifier": package["CFDocument"]["identifier"],
                    "title": package["CFDocument"]["extensions"]["title"],
                    "version": p.number,
                    "adoptionStatus": package["CFDocument"]["adoptionStatus"],
                    "items": len(package["CFItems"]),
                    "associations": len(package["CFAssociations"]),
                }
            )
        archive.writestr(
            "index.json", json.dumps({"CFPackages": index}, ensure_ascii=False, indent=1)
        )
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="sqf-registry-case-v1p1.zip"'
    return response


def _number(request: HttpRequest, name: str, default: int) -> int | None:
    value = request.GET.get(name, "")
    if value == "":
        return default
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


@require_GET
def case_documents(request: HttpRequest) -> HttpResponse:
    """CASE getAllCFDocuments: every published version (superseded ones as Deprecated)."""
    limit = _number(request, "limit", 100)
    offset = _number(request, "offset", 0)
    if limit is None or offset is None or not 1 <= limit <= MAX_LIMIT:
        return _status(
            400,
            "invalid_selection_field",
            f"limit must be a whole number from 1 to {MAX_LIMIT}, offset a whole number from 0.",
        )
    documents = selectors.documents(base_url=settings.SITE_URL)
    response = _json({"CFDocuments": documents[offset : offset + limit]})
    response["X-Total-Count"] = str(len(documents))
    return response


def _by_identifier(identifier: str) -> Any:
    if not UUID.match(identifier):
        raise Http404
    publication = selectors.publication_by_document(identifier)
    if publication is None:
        raise Http404
    return publication


@require_GET
def case_document(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        publication = _by_identifier(identifier)
    except Http404:
        return _status(404, "unknownobject", f"No published SQF has the identifier {identifier}.")
    package = selectors.publication_package(publication, base_url=settings.SITE_URL)
    return _json(package["CFDocument"])


@require_GET
def case_package(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        publication = _by_identifier(identifier)
    except Http404:
        return _status(404, "unknownobject", f"No published SQF has the identifier {identifier}.")
    return _json(selectors.publication_package(publication, base_url=settings.SITE_URL))
