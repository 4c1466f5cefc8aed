"""The public registry of published SQFs (Rules §14: the national body places them on the
SQF digital platform; §16: an update supersedes the version it replaces). Rules §3: an SQF
serves the sector's labour-market strategy and training, the writing of professional
standards and programmes, and the recognition of qualifications, so the published text is
open to anyone, searchable by the codes it cites.

`publication_create` runs inside the "publish" move; the public pages and the public API
read only `Publication`, so nothing unpublished can reach them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.html import strip_tags

from classifiers.models import Node
from sbsh.models import Publication, PublicationTerm, Version

MAX_WORDS = 8
MAX_QUERY = 200


# --- writing ------------------------------------------------------------------------------------


def _plain(value: str) -> str:
    return html.unescape(strip_tags(re.sub(r"<", " <", value or ""))).strip()


def _nodes(content: dict[str, Any]) -> list[dict[str, Any]]:
    found = [*content["passport"]["oked"], *content["passport"]["nkz_groups"]]
    found += [n for s in content["standards"] for n in s["nkz"]]
    found += [n for r in content["table1"] for n in r["occupations"]]
    found += [n for e in content["table2"]["entries"] for n in (e["group"], e["occupation"])]
    for r in content["table3"]:
        found += [r["isco"], r["nkz_unit"], r["nkz_group"], r["nkz_main_group"], r["occupation"]]
        found += r["oked"]
    return found


def _with_ancestors(nodes: list[dict[str, Any]], classifier: str) -> set[str]:
    """The codes cited and every code above them, read from the edition they cite."""
    wanted = {(n["edition"], n["code"]) for n in nodes if n["classifier"] == classifier}
    codes = {code for _e, code in wanted}
    frontier = wanted
    while frontier:
        q = Q()
        for edition, code in frontier:
            q |= Q(edition__name=edition, code=code)
        parents = {
            (edition, parent)
            for edition, parent in Node.objects.filter(q, parent__isnull=False).values_list(
                "edition__name", "parent__code"
            )
        }
        frontier = {p for p in parents if p[1] not in codes}
        codes |= {p[1] for p in parents}
    return codes


def _search_text(content: dict[str, Any], state_body: Any) -> str:
    parts = [
        content["name"]["kk"],
        content["name"]["ru"],
        content["framework"]["sector"]["kk"],
        content["framework"]["sector"]["ru"],
        state_body.name_kk,
        state_body.name_ru,
        state_body.name_en,
        _plain(content["passport"]["sector_description"]["kk"]),
        _plain(content["passport"]["sector_description"]["ru"]),
    ]
    for text in content["parts"].values():
        parts += [_plain(text["kk"]), _plain(text["ru"])]
    for n in _nodes(content):
        parts += [n["code"], n["name"]["kk"], n["name"]["ru"], n["name"]["en"]]
    seen: set[str] = set()
    unique = []
    for p in parts:
        p = " ".join((p or "").split()).lower()
        if p and p not in seen:
            seen.add(p)
            unique.append(p)
    return "\n".join(unique)


def _terms(content: dict[str, Any]) -> set[tuple[str, str]]:
    nodes = _nodes(content)
    terms = {(PublicationTerm.Kind.OKED, c) for c in _with_ancestors(nodes, "oked")}
    terms |= {(PublicationTerm.Kind.NKZ, c) for c in _with_ancestors(nodes, "nkz")}
    for r in content["table1"] + content["table3"]:
        terms.add((PublicationTerm.Kind.SQF_LEVEL, str(r["sqf_level"])))
        terms.add((PublicationTerm.Kind.SQF_LEVEL, str(r["sqf_level"]).split(".")[0]))
        terms.add((PublicationTerm.Kind.NQF_LEVEL, str(r["nqf_level"])))
    return terms


def change_summary(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """What changed between two published contents, counted per part and table."""
    if old is None:
        return {}

    def rows(items: list[dict[str, Any]], key: Any) -> dict[Any, dict[str, Any]]:
        return {key(r): r for r in items}

    def count(a: dict[Any, Any], b: dict[Any, Any]) -> dict[str, int]:
        return {
            "added": len(b.keys() - a.keys()),
            "removed": len(a.keys() - b.keys()),
            "changed": sum(1 for k in a.keys() & b.keys() if a[k] != b[k]),
        }

    t1 = lambda r: (r["section"], r["sqf_level"])  # noqa: E731
    t3 = lambda r: (r["occupation"]["code"], r["oked"][-1]["code"], r["sqf_level"])  # noqa: E731
    entry = lambda e: (e["sqf_level"], e["occupation"]["code"])  # noqa: E731
    link = lambda x: (x["from"], x["from_level"], x["to"], x["to_level"])  # noqa: E731
    summary = {
        "name": old["name"] != new["name"],
        "passport": old["passport"] != new["passport"],
        "parts": sorted(k for k in new["parts"] if old["parts"].get(k) != new["parts"][k]),
        "standards": count(
            rows(old["standards"], lambda s: s["name"]["ru"]),
            rows(new["standards"], lambda s: s["name"]["ru"]),
        ),
        "table1": count(rows(old["table1"], t1), rows(new["table1"], t1)),
        "table2": count(
            rows(
                old["table2"]["entries"] + old["table2"]["links"],
                lambda x: entry(x) if "group" in x else link(x),
            ),
            rows(
                new["table2"]["entries"] + new["table2"]["links"],
                lambda x: entry(x) if "group" in x else link(x),
            ),
        ),
        "table3": count(rows(old["table3"], t3), rows(new["table3"], t3)),
    }
    return summary


def publication_create(*, version: Version) -> Publication:
    """Freeze the version's content for the public (inside the publish move's transaction)."""
    from sbsh.document.content import content_hash, version_content

    content = version_content(version)
    previous = (
        Publication.objects.filter(framework=version.framework, superseded_at__isnull=True)
        .exclude(version=version)
        .order_by("-number")
        .first()
    )
    state_body = version.framework.state_body
    publication = Publication.objects.create(
        version=version,
        framework=version.framework,
        state_body=state_body,
        number=version.number,
        name_kk=content["name"]["kk"] or content["framework"]["sector"]["kk"],
        name_ru=content["name"]["ru"] or content["framework"]["sector"]["ru"],
        content=content,
        content_sha256=content_hash(content),
        change_summary=change_summary(previous.content if previous else None, content),
        search_text=_search_text(content, state_body),
    )
    if connection.vendor == "postgresql":
        Publication.objects.filter(pk=publication.pk).update(
            search_vector=SearchVector(Value(publication.search_text), config="simple")
        )
    PublicationTerm.objects.bulk_create(
        [
            PublicationTerm(publication=publication, kind=k, value=v)
            for k, v in sorted(_terms(content))
        ]
    )
    if previous is not None:
        Publication.objects.filter(framework=version.framework, superseded_at__isnull=True).exclude(
            pk=publication.pk
        ).update(superseded_at=timezone.now())
    return publication


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    q: str = ""
    state_body: int | None = None
    oked: str = ""
    nkz: str = ""
    sqf_level: str = ""
    nqf_level: str = ""
    include_superseded: bool = False


def words(q: str) -> list[str]:
    return [w for w in q.lower()[:MAX_QUERY].split() if w][:MAX_WORDS]


def _tsquery(found: list[str]) -> str:
    """Every word as a prefix, all required: 'электр:* & 35111:*'. Only letters, digits,
    dots and hyphens of a word reach the query syntax."""
    terms = []
    for word in found:
        clean = re.sub(r"[^\w.\-]", "", word).strip(".-")
        if clean:
            terms.append(f"{clean}:*")
    return " & ".join(terms)


def _matching_ids(query: str) -> list[int]:
    """The publications whose words match, read from the GIN index.

    The planner prices matching a tsvector like matching a short value and, the table
    being small in pages, prefers to scan it, unpacking every large out-of-line vector
    (15 ms for 300 SQFs, growing with each; the index answers in 0.2 ms; see
    docs/benchmarks.md). So this one lookup runs with sequential scans off."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT id FROM sbsh_publication WHERE search_vector @@ to_tsquery('simple', %s)",
            [query],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET LOCAL enable_seqscan = on")
    return ids


def publications_search(filters: Filters) -> QuerySet[Publication]:
    """Published versions matching every word (kk, ru, en, or a code) and every filter.

    On PostgreSQL every word is a prefix match in the GIN-indexed tsvector (whole words:
    "электр" finds "электроэнергии", "35" finds "35111"); elsewhere a substring of the
    lower-cased text. The filters are EXISTS on the (kind, value) index of the terms."""
    qs = Publication.objects.select_related("state_body", "framework").defer(
        "content", "search_text", "search_vector"
    )
    if not filters.include_superseded:
        qs = qs.filter(superseded_at__isnull=True)
    found = words(filters.q)
    if found and connection.vendor == "postgresql":
        query = _tsquery(found)
        if not query:
            return qs.none()
        qs = qs.filter(pk__in=_matching_ids(query))
    else:
        for word in found:
            qs = qs.filter(search_text__contains=word)
    if filters.state_body:
        qs = qs.filter(state_body_id=filters.state_body)
    for kind, value in (
        (PublicationTerm.Kind.OKED, filters.oked),
        (PublicationTerm.Kind.NKZ, filters.nkz),
        (PublicationTerm.Kind.SQF_LEVEL, filters.sqf_level),
        (PublicationTerm.Kind.NQF_LEVEL, filters.nqf_level),
    ):
        if value:
            qs = qs.filter(
                Exists(
                    PublicationTerm.objects.filter(
                        publication=OuterRef("pk"), kind=kind, value=value.strip()
                    )
                )
            )
    return qs.order_by("name_ru", "-number")
