"""Admin pages: editions with their counts, nodes, the crosswalk and file uploads.
Only administrators (superusers) reach the admin; every write goes through a service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from classifiers import crosswalk, names, services
from classifiers.forms import ImportJobForm
from classifiers.models import CrosswalkLink, Edition, ImportJob, Node, NqfDescriptor
from classifiers.tasks import import_job_run, progress_key
from councils.services import audit_record


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = [
        "classifier",
        "name",
        "is_current",
        "total_rows",
        "rows_per_level",
        "loaded_at",
        "loaded_by",
    ]
    list_filter = ["classifier", "is_current"]
    readonly_fields = [
        "classifier",
        "name",
        "effective_date",
        "source_name",
        "source_sha256",
        "source_format",
        "loaded_by",
        "loaded_at",
        "rows_per_level",
        "diff",
        "previous",
        "is_current",
    ]
    exclude = ["counts"]

    @admin.display(description=_("rows"))
    def total_rows(self, obj: Edition) -> int:
        return obj.total

    @admin.display(description=_("rows per level"))
    def rows_per_level(self, obj: Edition) -> str:
        return format_html_join(
            " · ", "{}: <strong>{}</strong>", ((name, n) for _l, name, n in obj.counts_by_level())
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # editions are made by loading a file (Classifier imports)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # SQFs cite editions; they are never deleted


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["code", "title_ru", "title_kk", "level", "skill_level", "edition"]
    list_filter = ["edition__classifier", "edition", "level"]
    search_fields = ["code", "search_text"]
    list_select_related = ["edition"]
    fields = [
        "edition",
        "code",
        "level",
        "parent",
        "name_kk",
        "name_ru",
        "name_en",
        "title_kk",
        "title_ru",
        "title_en",
        "description_en",
        "skill_level",
        "skill_level_edited",
        "valid_from",
        "source_row",
    ]
    readonly_fields = [f for f in fields if f != "skill_level"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # ISCO-08 is published in English only: its Kazakh and Russian names are typed or
        # loaded here (Annex §11, Table 3 column 4).
        if obj is not None and obj.edition.classifier == "isco08":
            return [f for f in self.readonly_fields if f not in ("title_kk", "title_ru")]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Node, form: ModelForm, change: bool) -> None:
        if {"title_kk", "title_ru"} & set(form.changed_data):
            names.node_names_set(
                actor=request.user, node=obj, title_kk=obj.title_kk, title_ru=obj.title_ru
            )
        if "skill_level" in form.changed_data or not form.changed_data:
            services.node_skill_level_set(actor=request.user, node=obj, skill_level=obj.skill_level)


@admin.register(CrosswalkLink)
class CrosswalkLinkAdmin(admin.ModelAdmin):
    list_display = [
        "isco_code",
        "isco_title",
        "nkz_code",
        "nkz_title",
        "correspondence",
        "note",
        "updated_at",
    ]
    list_filter = ["correspondence"]
    search_fields = ["isco__code", "nkz__code", "isco__title_en", "nkz__title_ru", "note"]
    raw_id_fields = ["isco", "nkz"]
    fields = ["isco", "nkz", "correspondence", "note"]
    list_select_related = ["isco", "nkz"]
    actions = ["export_csv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CrosswalkLink]:
        return (
            super()
            .get_queryset(request)
            .filter(isco__edition__is_current=True, nkz__edition__is_current=True)
        )

    @admin.display(description=_("ISCO-08"), ordering="isco__code")
    def isco_code(self, obj: CrosswalkLink) -> str:
        return obj.isco.code

    @admin.display(description=_("ISCO-08 name"))
    def isco_title(self, obj: CrosswalkLink) -> str:
        return obj.isco.title_en

    @admin.display(description=_("NKZ"), ordering="nkz__code")
    def nkz_code(self, obj: CrosswalkLink) -> str:
        return obj.nkz.code

    @admin.display(description=_("NKZ name"))
    def nkz_title(self, obj: CrosswalkLink) -> str:
        return obj.nkz.title

    def save_model(
        self, request: HttpRequest, obj: CrosswalkLink, form: ModelForm, change: bool
    ) -> None:
        crosswalk.crosswalk_link_save(actor=request.user, link=obj)

    def delete_model(self, request: HttpRequest, obj: CrosswalkLink) -> None:
        from councils.services import audit_record

        with transaction.atomic():
            audit_record(actor=request.user, action="crosswalk.delete", obj=obj)
            obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CrosswalkLink]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description=_("Export the whole crosswalk as CSV"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[CrosswalkLink]) -> HttpResponse:
        response = HttpResponse(
            crosswalk.crosswalk_export_csv(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="isco08-nkz-crosswalk.csv"'
        return response


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    form = ImportJobForm
    list_display = [
        "created_at",
        "classifier",
        "original_name",
        "dry_run",
        "status",
        "edition",
        "created_by",
    ]
    list_filter = ["classifier", "status"]
    change_form_template = "admin/classifiers/importjob/change_form.html"

    def get_fields(self, request: HttpRequest, obj: ImportJob | None = None) -> list[str]:
        if obj is None:
            return ["classifier", "file", "edition_name", "dry_run"]
        return [
            "classifier",
            "original_name",
            "edition_name",
            "dry_run",
            "status",
            "created_by",
            "created_at",
            "finished_at",
            "edition",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: ImportJob | None = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser  # the change page is the progress and report page

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ImportJob, form: ModelForm, change: bool
    ) -> None:
        if change:
            return
        obj.created_by = request.user
        obj.original_name = form.cleaned_data["file"].name[:255]
        obj.save()
        audit_record(
            actor=request.user,
            action="classifier.upload",
            obj=obj,
            changes={"file": obj.original_name},
        )
        transaction.on_commit(lambda: import_job_run.delay(obj.pk))
        messages.info(request, _("The file is being loaded; this page shows the progress."))

    def response_add(
        self, request: HttpRequest, obj: ImportJob, post_url_continue: str | None = None
    ) -> HttpResponse:
        from django.shortcuts import redirect

        return redirect("admin:classifiers_importjob_change", obj.pk)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        job = self.get_object(request, object_id)
        extra = extra_context or {}
        if job is not None:
            extra["job"] = job
            extra["live"] = (
                cache.get(progress_key(job.pk)) if job.status in ("pending", "running") else None
            )
            extra["refresh"] = job.status in ("pending", "running")
        return super().change_view(request, object_id, form_url, extra)


@admin.register(NqfDescriptor)
class NqfDescriptorAdmin(admin.ModelAdmin):
    """The NQF's level descriptors: loaded with `load_classifier nqf PATH`, corrected here.
    Every change is audited."""

    list_display = ["level", "kind", "source", "source_date", "loaded_at"]
    list_filter = ["level", "kind"]
    readonly_fields = ["loaded_at"]

    def save_model(self, request: Any, obj: NqfDescriptor, form: Any, change: bool) -> None:
        from django.db import transaction

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action="classifier.nqf." + ("update" if change else "create"),
                obj=obj,
                changes={"level": obj.level, "kind": obj.kind, "fields": form.changed_data},
            )

    def delete_model(self, request: Any, obj: NqfDescriptor) -> None:
        from django.db import transaction

        with transaction.atomic():
            audit_record(
                actor=request.user,
                action="classifier.nqf.delete",
                obj=obj,
                changes={"level": obj.level, "kind": obj.kind},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        from django.db import transaction

        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
