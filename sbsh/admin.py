"""Admin: SQFs and versions are listed for administrators; content is edited in the
editor (sbsh/document/views.py), where the Rules' access and conflict checks apply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sbsh.models import (
    Comment,
    Decision,
    Framework,
    Ground,
    Handover,
    PolicySwitch,
    Recommendation,
    Version,
    VersionTransition,
)


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


# The Rules' record (moves, grounds, decisions, answers, comments, hand-overs) is written
# only by the services in sbsh/workflow/moves.py, sbsh/workflow/decisions.py and sbsh/workflow/review.py; the
# admin shows it and never changes it.


@admin.register(VersionTransition)
class VersionTransitionAdmin(ReadOnlyAdmin):
    list_display = ["at", "version", "name", "source", "target", "actor", "clause"]
    list_select_related = ["version__framework", "actor"]
    list_filter = ["name"]


@admin.register(Ground)
class GroundAdmin(ReadOnlyAdmin):
    list_display = ["year", "kind", "status", "council", "framework", "created_by", "filed_at"]
    list_select_related = ["council", "framework", "created_by"]
    list_filter = ["kind", "status", "year"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["meeting_date", "protocol_number", "council", "outcome", "recorded_by"]
    list_select_related = ["council", "recorded_by"]
    list_filter = ["outcome"]
    exclude = ["snapshot"]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["version", "order", "answer", "answered_by", "answered_at"]
    list_select_related = ["version__framework", "answered_by"]
    list_filter = ["answer"]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "version", "anchor_label", "author", "resolved_at"]
    list_select_related = ["version__framework", "author"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "version", "sent_by", "content_sha256"]
    list_select_related = ["version__framework", "sent_by"]


class PolicySwitchForm(forms.ModelForm):
    key = forms.ChoiceField(label=_("policy"), choices=[])

    class Meta:
        model = PolicySwitch
        fields = ["key", "enabled"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from sbsh.workflow.policy import POLICIES

        self.fields["key"].choices = [(p.key, p.label) for p in POLICIES.values()]

    def clean(self) -> dict[str, Any]:
        from sbsh.workflow.policy import POLICIES

        data = super().clean()
        policy = POLICIES.get(data.get("key", ""))
        if policy is not None and not data.get("enabled") and not policy.switchable:
            raise ValidationError(
                _("This policy cannot be switched off: data would be lost without it.")
            )
        return data


@admin.register(PolicySwitch)
class PolicySwitchAdmin(admin.ModelAdmin):
    """Local policy (sbsh/workflow/policy.py): product rules the Rules do not state, switchable."""

    form = PolicySwitchForm
    list_display = ["__str__", "key", "enabled", "changed_by", "changed_at"]
    readonly_fields = ["changed_by", "changed_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, "key"] if obj else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from sbsh.document.services import policy_switch_set

        policy_switch_set(actor=request.user, key=obj.key, enabled=obj.enabled)
        obj.pk = PolicySwitch.objects.get(key=obj.key).pk
