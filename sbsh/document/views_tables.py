"""The editors of Tables 1–3 (Rules §9–§11; Annex, Tables 1–3): rows edited in place with htmx,
each save checked against the classifiers and the row's revision."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config import params
from sbsh import access as sqf_access
from sbsh.document import forms, fragments, selectors, services, services_tables
from sbsh.document.views import (
    T1_PAGE,
    T1_SHOWN_WHOLE,
    T3_PAGE,
    apply_form_errors,
    editor_context,
    editor_version,
    htmx_request,
    search_filters,
)
from sbsh.models import (
    ProgressionLink,
    Table1Row,
    Table2Entry,
    Table3Row,
    Version,
)


@login_required
@require_http_methods(["GET", "POST"])
def table1(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=request.method == "POST")
    if request.method == "POST":
        form = forms.NewRowForm(request.POST)
        if not form.is_valid():
            return HttpResponse(_("Choose a process section."), status=422)
        row = services_tables.table1_row_create(
            actor=request.user, version=version, section=form.cleaned_data["section"]
        )
        if htmx_request(request):
            return render(
                request,
                "sbsh/_table1_form.html",
                {"version": version, "row": row, "form": _t1_form(row), "new": True},
            )
        return redirect(f"{reverse('sbsh:table1', args=[version.pk])}#row-{row.pk}")
    state = _t1_state(request, version)
    context = editor_context(request, version, "table1", checklist_limit=CHECKLIST_LIMIT, **state)
    fragments.attach_table1(
        (row for _value, _label, rows in state["sections"] for row in rows),
        version=version,
        can_edit=context["can_edit"],
    )
    if request.headers.get("HX-Target") == "table1-body":
        return render(request, "sbsh/_table1_body.html", context)
    return render(request, "sbsh/table1.html", context)


# The folded checklist on a table page lists this many findings; the overview lists all.
CHECKLIST_LIMIT = 40


def _t1_state(request: HttpRequest, version: Version) -> dict[str, Any]:
    """Which rows the Table 1 editor shows: one process section (or all of a small table),
    narrowed by the filter (code, a word in either language, level)."""
    query, level = search_filters(request)
    counts, levels = selectors.table1_summary(version)
    total = sum(counts.values())
    asked = request.GET.get("section", "")
    if asked in {"1", "2", "3", "4"}:
        current: int | None = int(asked)
    elif asked == "all" or total <= T1_SHOWN_WHOLE or query or level:
        current = None
    else:
        current = min(counts) if counts else 1
    from django.core.paginator import Paginator

    # The occupations' names are read for the word filter; for the page only when a row
    # is not among the cached fragments (fragments.attach_table1).
    rows = selectors.table1_rows(version, section=current, nodes=bool(query), light=not query)
    shown = selectors.table1_filter(rows, query=query, level=level)
    page = Paginator(shown, T1_PAGE).get_page(request.GET.get("page"))
    sections = selectors.table1_by_section(version, section=current, rows=list(page.object_list))
    if query or level:
        sections = [s for s in sections if s[2]]
    return {
        "sections": sections,
        "current_section": current,
        "section_tabs": [
            (value, label, counts.get(value, 0)) for value, label in Table1Row.Section.choices
        ],
        "total": total,
        "shown": len(shown),
        "page": page,
        "q": query,
        "level": level,
        "levels": levels,
    }


def _t1_form(row: Table1Row, data: Any = None) -> forms.Table1RowForm:
    initial = {
        "revision": row.revision,
        "sqf_level": row.sqf_level,
        "nqf_level": row.nqf_level,
        **{f: getattr(row, f) for f in services_tables.T1_FIELDS},
    }
    return forms.Table1RowForm(data, initial=initial)


def _t1_row(version: Version, rid: int) -> Table1Row:
    # The same read as the whole table, so the row carries `occupation_list` for its templates.
    rows = selectors.table1_rows(version, pk=rid)
    if not rows:
        raise Http404
    return rows[0]


@login_required
@require_GET
def table1_row(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk)
    return render(
        request,
        "sbsh/_table1_row.html",
        {
            "version": version,
            "row": _t1_row(version, rid),
            "can_edit": sqf_access.can_edit_version(request.user, version),
            "t1_base": reverse("sbsh:table1", args=[version.pk]),
            "full": request.GET.get("full") == "1",  # the whole text of every cell
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def table1_row_edit(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    row = _t1_row(version, rid)
    if request.method == "GET":
        return render(
            request,
            "sbsh/_table1_form.html",
            {"version": version, "row": row, "form": _t1_form(row)},
        )
    form = forms.Table1RowForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "sbsh/_table1_form.html",
            {"version": version, "row": row, "form": form, "chosen": _chosen(request)},
            status=422,
        )
    data = form.cleaned_data
    values = {k: data[k] for k in ["sqf_level", "nqf_level", *services_tables.T1_FIELDS]}
    try:
        row = services_tables.table1_row_save(
            actor=request.user,
            row=row,
            revision=data["revision"],
            values=values,
            occupation_ids=data["occupations"],
        )
    except services.EditConflict as exc:
        current = _t1_row(version, rid)
        mine = [
            (Table1Row._meta.get_field(name).verbose_name, value)
            for name, value in values.items()
            if value != getattr(current, name)
        ]
        return render(
            request,
            "sbsh/_table1_form.html",
            {
                "version": version,
                "row": current,
                "form": _t1_form(current, None),
                "conflict": exc,
                "mine": mine,
            },
            status=409,
        )
    except ValidationError as exc:
        apply_form_errors(form, exc)
        return render(
            request,
            "sbsh/_table1_form.html",
            {"version": version, "row": row, "form": form, "chosen": _chosen(request)},
            status=422,
        )
    row = _t1_row(version, rid)
    if htmx_request(request):
        response = render(
            request, "sbsh/_table1_row.html", {"version": version, "row": row, "can_edit": True}
        )
        response["HX-Trigger"] = "sqf-changed"
        return response
    return redirect(f"{reverse('sbsh:table1', args=[version.pk])}#row-{row.pk}")


def _chosen(request: HttpRequest) -> list[Any]:
    from classifiers.models import Node

    ids = [int(v) for v in request.POST.getlist("occupations") if params.is_id(v)]
    return list(Node.objects.filter(pk__in=ids).select_related("edition"))


@login_required
@require_POST
def table1_row_delete(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    row = _t1_row(version, rid)
    try:
        services_tables.table1_row_delete(
            actor=request.user, row=row, revision=params.id_or(request.POST.get("revision"))
        )
    except services.EditConflict:
        return HttpResponse(
            _("Someone changed this row after you opened it; reload the page before deleting it."),
            status=409,
        )
    if htmx_request(request):
        response = HttpResponse("")
        response["HX-Trigger"] = "sqf-changed"
        return response
    return redirect("sbsh:table1", version.pk)


@login_required
@require_POST
def table1_row_move(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    row = _t1_row(version, rid)
    services_tables.table1_row_move(
        actor=request.user, row=row, direction=-1 if request.POST.get("direction") == "up" else 1
    )
    if htmx_request(request):
        return render(
            request,
            "sbsh/_table1_sections.html",
            editor_context(
                request,
                version,
                "table1",
                sections=selectors.table1_by_section(version, section=row.section),
            ),
        )
    return redirect(f"{reverse('sbsh:table1', args=[version.pk])}?section={row.section}")


@login_required
@require_POST
def table1_row_confirm(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    row = _t1_row(version, rid)
    services.bilingual_confirm(actor=request.user, obj=row, version=version)
    if htmx_request(request):
        return render(
            request,
            "sbsh/_table1_row.html",
            {"version": version, "row": _t1_row(version, rid), "can_edit": True},
        )
    return redirect("sbsh:table1", version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def table2(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=request.method == "POST")
    form = forms.Table2EntryForm(request.POST or None)
    link_form = forms.LinkForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services_tables.table2_entry_add(
                    actor=request.user,
                    version=version,
                    sqf_level=form.cleaned_data["sqf_level"],
                    occupation_id=form.cleaned_data["occupation"][0],
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
                status = 422
            else:
                return redirect("sbsh:table2", version.pk)
        else:
            status = 422
    entries, links = selectors.table2(version)
    levels = sorted({e.sqf_level for e in entries}, key=lambda s: [int(p) for p in s.split(".")])
    groups = sorted({e.group for e in entries}, key=lambda n: n.code)
    grid = [
        (
            level,
            [
                (g, [e for e in entries if e.sqf_level == level and e.group_id == g.pk])
                for g in groups
            ],
        )
        for level in reversed(levels)
    ]
    return render(
        request,
        "sbsh/table2.html",
        editor_context(
            request,
            version,
            "table2",
            entries=entries,
            links=links,
            grid=grid,
            groups=groups,
            form=form,
            link_form=link_form,
        ),
        status=status,
    )


@login_required
@require_POST
def table2_entry_delete(request: HttpRequest, pk: int, eid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    services_tables.table2_entry_delete(
        actor=request.user, entry=get_object_or_404(Table2Entry, pk=eid, version=version)
    )
    return redirect("sbsh:table2", version.pk)


@login_required
@require_POST
def table2_link_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    form = forms.LinkForm(request.POST)
    if form.is_valid():
        source = get_object_or_404(Table2Entry, pk=form.cleaned_data["source"], version=version)
        target = get_object_or_404(Table2Entry, pk=form.cleaned_data["target"], version=version)
        try:
            services_tables.progression_link_add(
                actor=request.user,
                version=version,
                source=source,
                target=target,
                experience_years=form.cleaned_data["experience_years"],
                experience_note_kk=form.cleaned_data["experience_note_kk"],
                experience_note_ru=form.cleaned_data["experience_note_ru"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    else:
        messages.error(
            request,
            _("Choose two occupations of Table 2.")
            if "source" in form.errors or "target" in form.errors
            else " ".join(str(m) for ms in form.errors.values() for m in ms),
        )
    return redirect("sbsh:table2", version.pk)


@login_required
@require_POST
def table2_link_experience(request: HttpRequest, pk: int, lid: int) -> HttpResponse:
    """Rules §8.4: record the work experience of a career move."""
    version = editor_version(request, pk, edit=True)
    link = get_object_or_404(ProgressionLink, pk=lid, version=version)
    form = forms.ExperienceForm(request.POST)
    if form.is_valid():
        services_tables.progression_link_experience_save(
            actor=request.user, link=link, **form.cleaned_data
        )
        messages.success(request, _("The work experience of the career move is saved."))
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("sbsh:table2", version.pk)


@login_required
@require_POST
def table2_link_delete(request: HttpRequest, pk: int, lid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    services_tables.progression_link_delete(
        actor=request.user, link=get_object_or_404(ProgressionLink, pk=lid, version=version)
    )
    return redirect("sbsh:table2", version.pk)


@login_required
@require_http_methods(["GET", "POST"])
def table3(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=request.method == "POST")
    form = forms.Table3RowForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_tables.table3_row_save(
                    actor=request.user,
                    version=version,
                    row=None,
                    revision=None,
                    values=services_tables.Table3Values(
                        isco_id=data["isco"][0],
                        occupation_id=data["occupation"][0],
                        oked_id=data["oked"][0],
                        nqf_level=data["nqf_level"],
                        sqf_level=data["sqf_level"],
                        nkz_correspondence=data["nkz_correspondence"],
                    ),
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
                status = 422
            else:
                return redirect("sbsh:table3", version.pk)
        else:
            status = 422
    state = _t3_state(request, version)
    context = editor_context(request, version, "table3", form=form, **state)
    fragments.attach_table3(
        state["rows"],
        version=version,
        can_edit=context["can_edit"],
        first_number=state["page"].start_index(),
    )
    if request.method == "GET" and request.headers.get("HX-Target") == "table3-body":
        return render(request, "sbsh/_table3_body.html", context)
    return render(request, "sbsh/table3.html", context, status=status)


def _t3_state(request: HttpRequest, version: Version) -> dict[str, Any]:
    """A page of Table 3 rows, narrowed by the filter (code, a word in any language, level)."""
    from django.core.paginator import Paginator

    query, level = search_filters(request)
    total, levels = selectors.table3_summary(version)
    if query or level:
        rows = selectors.table3_rows(version)
        shown = selectors.table3_filter(rows, query=query, level=level)
        page = Paginator(shown, T3_PAGE).get_page(request.GET.get("page"))
        count = len(shown)
    else:
        # No filter: only the page's rows are read; their classifier nodes only when a row
        # is not among the cached fragments (fragments.attach_table3).
        count = total
        page = Paginator(range(total), T3_PAGE).get_page(request.GET.get("page"))
        page.object_list = selectors.table3_rows(
            version,
            window=(max(0, page.start_index() - 1), page.end_index()),
            nodes=False,
            stamped=True,
        )
    return {
        "rows": page.object_list,
        "page": page,
        "total": total,
        "shown": count,
        "q": query,
        "level": level,
        "levels": levels,
    }


def _t3_row(version: Version, rid: int) -> Table3Row:
    rows = selectors.table3_rows(version, pk=rid)
    if not rows:
        raise Http404
    return rows[0]


def _t3_form_context(
    version: Version, row: Table3Row, form: Any = None, conflict: Any = None
) -> dict[str, Any]:
    return {
        "version": version,
        "row": row,
        "form": form or forms.Table3RowForm(),
        "conflict": conflict,
        "isco": [row.isco_n],
        "occupation": [row.occupation_n],
        "oked": [row.oked_n],
    }


@login_required
@require_GET
def table3_row(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk)
    return render(
        request,
        "sbsh/_table3_row.html",
        {
            "version": version,
            "row": _t3_row(version, rid),
            "can_edit": sqf_access.can_edit_version(request.user, version),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def table3_row_edit(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    row = _t3_row(version, rid)
    if request.method == "GET":
        return render(request, "sbsh/_table3_form.html", _t3_form_context(version, row))
    form = forms.Table3RowForm(request.POST)
    if not form.is_valid():
        return render(
            request, "sbsh/_table3_form.html", _t3_form_context(version, row, form), status=422
        )
    data = form.cleaned_data
    try:
        services_tables.table3_row_save(
            actor=request.user,
            version=version,
            row=row,
            revision=data["revision"],
            values=services_tables.Table3Values(
                isco_id=data["isco"][0],
                occupation_id=data["occupation"][0],
                oked_id=data["oked"][0],
                nqf_level=data["nqf_level"],
                sqf_level=data["sqf_level"],
                nkz_correspondence=data["nkz_correspondence"],
            ),
        )
    except services.EditConflict as exc:
        current = _t3_row(version, rid)
        return render(
            request,
            "sbsh/_table3_form.html",
            _t3_form_context(version, current, conflict=exc),
            status=409,
        )
    except ValidationError as exc:
        apply_form_errors(form, exc)
        return render(
            request, "sbsh/_table3_form.html", _t3_form_context(version, row, form), status=422
        )
    row = _t3_row(version, rid)
    if htmx_request(request):
        response = render(
            request, "sbsh/_table3_row.html", {"version": version, "row": row, "can_edit": True}
        )
        response["HX-Trigger"] = "sqf-changed"
        return response
    return redirect(f"{reverse('sbsh:table3', args=[version.pk])}#t3-{row.pk}")


@login_required
@require_POST
def table3_row_delete(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    row = get_object_or_404(Table3Row, pk=rid, version=version)
    try:
        services_tables.table3_row_delete(
            actor=request.user, row=row, revision=params.id_or(request.POST.get("revision"))
        )
    except services.EditConflict:
        messages.error(
            request, _("Someone changed this row after you opened it; check it before deleting.")
        )
    return redirect("sbsh:table3", version.pk)
