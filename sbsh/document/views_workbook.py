"""Tables 1–3 through a workbook from the editor: download; upload → preview → apply.

The upload is read and checked once for the preview (nothing written); the file waits in
storage under a one-time token kept in the session, and "apply" reads it again inside the
writing transaction, so anything changed in the browser in between is caught there."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sbsh.document import services_tables, workbook, workbook_export, workbook_reader
from sbsh.document.views import editor_context, editor_version

SESSION_KEY = "sqf_tables_import"


class WorkbookForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Filled workbook (XLSX)"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > workbook.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(mb).1f MB; a workbook of Tables 1–3 is at most %(max)s MB.")
                % {"mb": upload.size / 2**20, "max": workbook.MAX_BYTES // 2**20}
            )
        return upload


@login_required
@require_GET
def tables_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk)
    response = HttpResponse(
        workbook_export.export_workbook(version),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{workbook_export.export_filename(version)}"'
    )
    return response


def _page(
    request: HttpRequest, version: object, status: int = 200, **extra: object
) -> HttpResponse:
    return render(
        request,
        "sbsh/tables_import.html",
        editor_context(request, version, "tables", **extra),  # type: ignore[arg-type]
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tables_import(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    form = WorkbookForm(request.POST or None, request.FILES or None)
    if request.method == "GET":
        return _page(request, version, form=form)
    if not form.is_valid():
        return _page(request, version, 422, form=form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        plan = services_tables.tables_import(
            actor=request.user, version=version, data=data, name=upload.name, dry_run=True
        )
    except workbook_reader.WorkbookRejected as exc:
        return _page(request, version, 422, form=WorkbookForm(), rejected=exc, name=upload.name)
    if plan.empty:
        messages.info(request, _("The workbook matches the tables: there is nothing to change."))
        return _page(request, version, form=WorkbookForm())
    token = uuid.uuid4().hex
    stored = default_storage.save(f"table-imports/{version.pk}/{token}.xlsx", ContentFile(data))
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"version": version.pk, "path": stored, "name": upload.name[:200]}
    request.session[SESSION_KEY] = pending
    return _page(request, version, form=WorkbookForm(), plan=plan, token=token, name=upload.name)


@login_required
@require_POST
def tables_apply(request: HttpRequest, pk: int) -> HttpResponse:
    version = editor_version(request, pk, edit=True)
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(request.POST.get("token", ""), None)
    request.session[SESSION_KEY] = pending
    if entry is None or entry["version"] != version.pk:
        return HttpResponse(
            _("This preview was already applied or has expired; upload the workbook again."),
            status=400,
        )
    with default_storage.open(entry["path"], "rb") as handle:
        data = handle.read()
    default_storage.delete(entry["path"])
    try:
        plan = services_tables.tables_import(
            actor=request.user, version=version, data=data, name=entry["name"]
        )
    except workbook_reader.WorkbookRejected as exc:
        return _page(request, version, 409, form=WorkbookForm(), rejected=exc, name=entry["name"])
    counts = plan.counts()
    messages.success(
        request,
        _(
            "The workbook is applied: Table 1 — %(a1)s added, %(c1)s changed, %(r1)s removed; Table 3 — %(a3)s added, %(c3)s changed, %(r3)s removed."
        )
        % {
            "a1": counts["table1"]["added"],
            "c1": counts["table1"]["changed"],
            "r1": counts["table1"]["removed"],
            "a3": counts["table3"]["added"],
            "c3": counts["table3"]["changed"],
            "r3": counts["table3"]["removed"],
        },
    )
    return redirect("sbsh:tables-import", version.pk)
