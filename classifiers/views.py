"""Classifier browser, search and pick. Classifiers are public reference data: reading
needs no login; loading and editing are for administrators only (admin and commands)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from classifiers import selectors
from classifiers.forms import SearchForm
from classifiers.models import LEVEL_NAMES, Classifier
from config import params


def _classifier_or_404(classifier: str) -> str:
    if classifier not in Classifier.values:
        raise Http404
    return classifier


@require_GET
def classifier_index(request: HttpRequest) -> HttpResponse:
    editions = selectors.current_editions()
    rows = [(value, label, editions.get(value)) for value, label in Classifier.choices]
    return render(request, "classifiers/index.html", {"rows": rows})


@require_GET
def classifier_browse(request: HttpRequest, classifier: str) -> HttpResponse:
    classifier = _classifier_or_404(classifier)
    edition = selectors.edition_for(classifier)
    form = SearchForm(request.GET or None)
    results = None
    if edition is not None and form.is_valid() and form.cleaned_data["q"]:
        results = selectors.node_search(
            selectors.SearchQuery(
                classifier=classifier,
                q=form.cleaned_data["q"],
                level=form.cleaned_data["level"],
                limit=50,
            )
        )
    return render(
        request,
        "classifiers/browse.html",
        {
            "classifier": classifier,
            "classifier_label": Classifier(classifier).label,
            "edition": edition,
            "form": form,
            "results": results,
            "top": selectors.node_children(None, edition) if edition is not None else [],
            "levels": sorted(LEVEL_NAMES[classifier].items()),
        },
    )


@require_GET
def node_detail(request: HttpRequest, classifier: str, code: str) -> HttpResponse:
    classifier = _classifier_or_404(classifier)
    if len(code) > 40 or params.has_control(code):
        raise Http404
    edition = selectors.edition_for(classifier, _edition_param(request))
    node = selectors.node_detail(edition, code) if edition is not None else None
    if node is None:
        raise Http404
    return render(
        request,
        "classifiers/node.html",
        {
            "classifier": classifier,
            "classifier_label": Classifier(classifier).label,
            "edition": edition,
            "node": node,
            "ancestors": selectors.node_ancestors(node),
            "children": selectors.node_children(node, edition),
            "links": selectors.crosswalk_for(node),
        },
    )


def _edition_param(request: HttpRequest) -> int | None:
    return params.id_param(request.GET, "edition")


@require_GET
def node_search_json(request: HttpRequest) -> JsonResponse:
    """Autocomplete: ?classifier=nkz&q=2512&level=4&limit=20[&edition=ID]."""
    form = SearchForm(request.GET)
    if not form.is_valid() or not form.cleaned_data["classifier"]:
        errors = form.errors.get_json_data() if form.errors else {}
        if not form.cleaned_data.get("classifier"):
            errors.setdefault(
                "classifier", [{"message": "Choose nkz, oked or isco08.", "code": "required"}]
            )
        return JsonResponse({"errors": errors}, status=400)
    data = form.cleaned_data
    classifier = data["classifier"]
    nodes = selectors.node_search(
        selectors.SearchQuery(
            classifier=classifier,
            q=data["q"] or "",
            level=data["level"],
            limit=data["limit"] or 20,
            edition_id=data["edition"],
        )
    )
    return JsonResponse({"results": [selectors.node_as_dict(n, classifier) for n in nodes]})
