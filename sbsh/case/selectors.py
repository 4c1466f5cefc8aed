"""Reading CASE packages out of the public registry (only `Publication`, never drafts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sbsh.case import cf_document, cf_package, document_uuid, identifiers
from sbsh.models import Publication


def _history(framework_id: int, up_to: int) -> list[Publication]:
    return list(
        Publication.objects.filter(framework_id=framework_id, number__lte=up_to)
        .defer("search_text", "search_vector")
        .order_by("number")
    )


def _package(p: Publication, base_url: str, first_seen: dict[str, dt.datetime]) -> dict[str, Any]:
    return cf_package(
        p.content,
        framework_id=p.framework_id,
        number=p.number,
        published_at=p.published_at,
        superseded_at=p.superseded_at,
        base_url=base_url,
        first_seen=first_seen,
    )


def publication_package(publication: Publication, *, base_url: str) -> dict[str, Any]:
    """The package of one publication; an item carried unchanged from an earlier publication
    of the same SQF keeps that publication's time as its lastChangeDateTime."""
    first_seen: dict[str, dt.datetime] = {}
    for earlier in _history(publication.framework_id, publication.number - 1):
        for identifier in identifiers(_package(earlier, base_url, {})):
            first_seen.setdefault(identifier, earlier.published_at)
    return _package(publication, base_url, first_seen)


def registry_packages(*, base_url: str) -> list[tuple[Publication, dict[str, Any]]]:
    """Every publication's package, each framework's versions in order (the bulk download)."""
    found = []
    first_seen: dict[int, dict[str, dt.datetime]] = {}
    publications = Publication.objects.defer("search_text", "search_vector").order_by(
        "framework_id", "number"
    )
    for p in publications.iterator(chunk_size=20):
        seen = first_seen.setdefault(p.framework_id, {})
        package = _package(p, base_url, dict(seen))
        for identifier in identifiers(package):
            seen.setdefault(identifier, p.published_at)
        found.append((p, package))
    return found


def publication_by_document(identifier: str) -> Publication | None:
    """The publication whose CFDocument has this identifier (UUID 5 of framework and number)."""
    for pk, framework_id, number in Publication.objects.values_list("pk", "framework_id", "number"):
        if document_uuid(framework_id, number) == identifier:
            return Publication.objects.defer("search_text", "search_vector").get(pk=pk)
    return None


def documents(*, base_url: str) -> list[dict[str, Any]]:
    """The CFDocument of every publication (CASE getAllCFDocuments)."""
    return [
        cf_document(
            p.content,
            framework_id=p.framework_id,
            number=p.number,
            published_at=p.published_at,
            superseded_at=p.superseded_at,
            base_url=base_url,
        )
        for p in Publication.objects.defer("search_text", "search_vector").order_by(
            "framework_id", "number"
        )
    ]
