"""Admin: SQFs and versions are listed for administrators; content is edited in the
editor (sbsh/views.py), where the Rules' access and conflict checks apply."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from sbsh.models import Framework, Version


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["sector_ru", "sector_kk", "state_body", "council", "created_at"]
    list_select_related = ["state_body", "council"]
    search_fields = ["sector_ru", "sector_kk"]


@admin.register(Version)
class VersionAdmin(ReadOnlyAdmin):
    list_display = ["framework", "number", "status", "name_ru", "updated_at", "updated_by"]
    list_select_related = ["framework", "updated_by"]
    list_filter = ["status"]
