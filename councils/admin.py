"""Admin pages for organisations and people. Every save goes through the services,
so the admin leaves the same audit rows as the rest of the application."""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from councils import mfa, services
from councils.models import AuditEvent, Membership, Organisation, User

# Authenticators and recovery codes are a person's own secrets: the admin only resets
# them (the action on people below), it never shows or edits them.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ["organisation", "role", "position"]
    autocomplete_fields = ["organisation"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_ru", "name_kk", "kind", "state_body", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name_kk", "name_ru", "name_en", "short_name"]
    autocomplete_fields = ["state_body"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kind",
                    "name_kk",
                    "name_ru",
                    "name_en",
                    "short_name",
                    "email",
                    "bin",
                    "is_active",
                ]
            },
        ),
        (_("Sectoral council"), {"fields": ["state_body", "sector_kk", "sector_ru"]}),
    ]

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: ModelForm, change: bool
    ) -> None:
        services.organisation_save(actor=request.user, organisation=obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Organisations are deactivated, never deleted: SQFs and the audit trail cite them.
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "email", "is_active", "is_superuser", "last_login"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "iin", "preferred_language"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "email", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["mfa_reset"]

    @admin.action(description=_("Reset two-step sign-in (lost phone)"))
    def mfa_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            mfa.mfa_reset(actor=request.user, user=user)
        n = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-step sign-in reset for %(n)d person; they set it up again at the next sign-in.",
                "Two-step sign-in reset for %(n)d people; they set it up again at the next sign-in.",
                n,
            )
            % {"n": n},
            messages.SUCCESS,
        )

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        services.user_save(actor=request.user, user=obj)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.membership_revoke(actor=request.user, membership=membership)
        for membership in instances:
            if membership.pk is None:
                services.membership_grant(
                    actor=request.user,
                    user=membership.user,
                    organisation=membership.organisation,
                    role=membership.role,
                    position=membership.position,
                )
            else:
                membership.full_clean()
                membership.save()
                services.audit_record(
                    actor=request.user,
                    action="membership.update",
                    obj=membership,
                    organisation=membership.organisation,
                    changes={"role": membership.role, "position": membership.position},
                )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # People are deactivated, never deleted: the audit trail names them.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_repr", "organisation"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "comment", "actor__username"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return super().get_queryset(request).select_related("actor", "organisation")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_PERMISSION_ACTIONS = {
    "add": _("Can add: %(model)s"),
    "change": _("Can change: %(model)s"),
    "delete": _("Can delete: %(model)s"),
    "view": _("Can view: %(model)s"),
}


def permission_label(permission: Permission) -> str:
    """A permission in the reader's language: Django stores its name in English
    ("Can add access attempt") at migration time, so it is rebuilt from the codename."""
    model = permission.content_type.model_class()
    if model is None:
        return permission.name
    action, _sep, model_name = permission.codename.partition("_")
    app = django_apps.get_app_config(permission.content_type.app_label).verbose_name
    template = _PERMISSION_ACTIONS.get(action)
    if template is None or model_name != model._meta.model_name:
        return f"{app} · {permission.name}"
    return f"{app} · {template % {'model': model._meta.verbose_name}}"


admin.site.unregister(Group)


@admin.register(Group)
class TranslatedGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "permissions" and field is not None:
            field.label_from_instance = permission_label
        return field
