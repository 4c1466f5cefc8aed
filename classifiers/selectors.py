"""Reads for classifiers: search, tree, crosswalk."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Length

from classifiers.models import Classifier, CrosswalkLink, Edition, Node

MAX_LIMIT = 50
_CODE_LIKE = re.compile(r"^[0-9A-UХX][0-9\-.]*$", re.IGNORECASE)


def current_editions() -> dict[str, Edition]:
    return {e.classifier: e for e in Edition.objects.filter(is_current=True)}


CURRENT_CACHE_KEY = "classifiers:current-editions"


def edition_for(classifier: str, edition_id: int | None = None) -> Edition | None:
    qs = Edition.objects.filter(classifier=classifier)
    if edition_id is not None:
        return qs.filter(pk=edition_id).first()
    # The current edition changes only when a file is loaded (services clear this key);
    # caching it saves one query on every autocomplete keystroke.
    current = cache.get(CURRENT_CACHE_KEY)
    if current is None:
        current = {e.classifier: e for e in Edition.objects.filter(is_current=True)}
        cache.set(CURRENT_CACHE_KEY, current, 300)
    return current.get(classifier)


def _normalise_code(q: str, classifier: str) -> str:
    q = q.strip()
    if classifier == Classifier.OKED:
        # OKED is printed dotted (01.11.1) and stored without dots.
        return q.replace(".", "").upper()
    if classifier == Classifier.NKZ and q[:1] in ("X", "x"):
        # People type a Latin X for the Cyrillic Х of NKZ's special codes.
        return "Х" + q[1:]
    return q


@dataclass(frozen=True)
class SearchQuery:
    classifier: str
    q: str
    level: int | None = None
    limit: int = 20
    edition_id: int | None = None


def node_search(query: SearchQuery) -> list[Node]:
    """Ranked matches: the exact code first, then code prefixes, then words in kk/ru/en.

    Every word must occur (AND). Names that begin with the query rank before names that
    merely contain it, and shorter names before longer ones. On PostgreSQL the LIKE
    scans use the trigram and pattern indexes of migration 0002.
    """
    edition = edition_for(query.classifier, query.edition_id)
    text = query.q.strip()
    if edition is None or not text:
        return []
    limit = max(1, min(query.limit, MAX_LIMIT))
    base = Node.objects.filter(edition=edition)
    if query.level is not None:
        base = base.filter(level=query.level)
    results: list[Node] = []
    seen: set[int] = set()

    code = _normalise_code(text, query.classifier)
    code_like = bool(_CODE_LIKE.match(code)) and " " not in code
    if code_like:
        for node in (
            base.filter(code__startswith=code)
            .annotate(
                exact=Case(
                    When(code=code, then=Value(0)), default=Value(1), output_field=IntegerField()
                )
            )
            .order_by("exact", "level", "code")[:limit]
        ):
            results.append(node)
            seen.add(node.pk)
    if len(results) >= limit:
        return results

    # A letter or two that look like a code ("Х", "A") are a code search only: as words
    # they match thousands of names and rank nothing useful.
    if code_like and len(text) < 3:
        return results
    words = [w for w in text.lower().replace("ё", "е").split() if len(w) >= 2 or w.isdigit()]
    if not words:
        return results
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word)
    phrase = " ".join(words)
    title_field = {"nkz": "title_ru", "oked": "title_ru", "isco08": "title_en"}[query.classifier]
    ranked = (
        base.filter(condition)
        .exclude(pk__in=seen)
        .annotate(
            rank=Case(
                When(
                    Q(title_ru__iexact=phrase)
                    | Q(title_kk__iexact=phrase)
                    | Q(title_en__iexact=phrase),
                    then=Value(0),
                ),
                When(
                    Q(title_ru__istartswith=phrase)
                    | Q(title_kk__istartswith=phrase)
                    | Q(title_en__istartswith=phrase),
                    then=Value(1),
                ),
                default=Value(2),
                output_field=IntegerField(),
            ),
            length=Length(title_field),
        )
        .order_by("rank", "length", "code")
    )
    results.extend(ranked[: limit - len(results)])
    return results


def node_as_dict(node: Node, classifier: str) -> dict[str, object]:
    return {
        "id": node.pk,
        "code": node.code,
        "level": node.level,
        "title": node.title,
        "title_kk": node.title_kk,
        "title_ru": node.title_ru,
        "title_en": node.title_en,
        "skill_level": node.skill_level,
        "classifier": classifier,
        "edition": node.edition_id,
    }


# The deepest tree (NKZ) has six levels plus special codes: one join per level.
_ANCESTRY = "parent__parent__parent__parent__parent__parent"


def node_detail(edition: Edition, code: str) -> Node | None:
    return (
        Node.objects.select_related("edition", _ANCESTRY).filter(edition=edition, code=code).first()
    )


def node_ancestors(node: Node) -> list[Node]:
    """From the top of the tree down to the node's parent, read without further queries."""
    chain: list[Node] = []
    current = node.parent
    while current is not None:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))


def node_children(node: Node | None, edition: Edition) -> QuerySet[Node]:
    qs = Node.objects.filter(edition=edition)
    if node is None:
        return qs.filter(parent__isnull=True).order_by("level", "code")
    return qs.filter(parent=node).order_by("code")


def crosswalk_for(node: Node) -> QuerySet[CrosswalkLink]:
    if node.edition.classifier == Classifier.NKZ:
        return CrosswalkLink.objects.filter(nkz=node).select_related("isco")
    if node.edition.classifier == Classifier.ISCO08:
        return CrosswalkLink.objects.filter(isco=node).select_related("nkz")
    return CrosswalkLink.objects.none()
