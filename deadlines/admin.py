"""Admin pages for the calendar (edited through the services: audited, deadlines
recomputed), the deadlines and notifications (read only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from classifiers.rows import ImportRejected
from deadlines import calendar_data
from deadlines.models import CalendarException, CalendarYear, Deadline, Notification


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file (UTF-8)"),
        help_text=_(
            "Columns: date, kind, name_kk, name_ru, name_en, and optionally status, legal_basis, note. "
            "Every year in the file is replaced as a whole."
        ),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check only, write nothing"), required=False)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "reviewed", "note"]
    list_editable = ["reviewed"]
    readonly_fields = ["year", "source"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CalendarYear, form: ModelForm, change: bool
    ) -> None:
        from councils.services import audit_record

        obj.save()
        audit_record(
            actor=request.user,
            action="calendar.year.update",
            obj=obj,
            changes={"reviewed": obj.reviewed, "note": obj.note},
        )


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "status", "name_kk", "name_ru", "legal_basis"]
    list_filter = ["kind", "status", ("date", admin.DateFieldListFilter)]
    search_fields = ["name_kk", "name_ru", "name_en", "legal_basis", "note"]
    date_hierarchy = "date"
    change_list_template = "admin/deadlines/calendarexception/change_list.html"

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarException) -> str:
        return obj.date.strftime("%a")

    def save_model(
        self, request: HttpRequest, obj: CalendarException, form: ModelForm, change: bool
    ) -> None:
        calendar_data.calendar_exception_save(actor=request.user, exception=obj)

    def delete_model(self, request: HttpRequest, obj: CalendarException) -> None:
        calendar_data.calendar_exception_delete(actor=request.user, exception=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarException]) -> None:
        for obj in queryset:
            calendar_data.calendar_exception_delete(actor=request.user, exception=obj)

    def get_urls(self) -> list:
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="deadlines_calendarexception_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        problems = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = calendar_data.calendar_import_csv(
                    data=upload.read(),
                    actor=request.user,
                    source_name=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportRejected as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    _(
                        "Years %(years)s: %(created)s added, %(updated)s changed, %(removed)s removed; "
                        "%(recomputed)s open deadlines recomputed.%(dry)s"
                    )
                    % {
                        "years": ", ".join(map(str, report.years)),
                        "created": report.created,
                        "updated": report.updated,
                        "removed": report.removed,
                        "recomputed": report.recomputed,
                        "dry": _(" (dry run: nothing was written)") if report.dry_run else "",
                    },
                )
                return redirect(reverse("admin:deadlines_calendarexception_changelist"))
        return render(
            request,
            "admin/deadlines/calendarexception/import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "problems": problems,
                "title": _("Import calendar exceptions"),
                "opts": self.model._meta,
            },
        )


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = [
        "clause",
        "subject_label",
        "organisation",
        "start_date",
        "due_date",
        "status",
        "completed_on",
    ]
    list_filter = ["status", "stage", "clause"]
    search_fields = ["subject_label"]
    list_select_related = ["organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "event", "deadline", "read_at", "emailed_at"]
    list_filter = ["event"]
    list_select_related = ["recipient", "deadline"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
