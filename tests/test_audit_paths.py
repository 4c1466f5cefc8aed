"""Every code path that writes to the database writes an audit row too (ASVS 16.2.1,
16.3.x). The paths are enumerated from the code itself: each function in the services,
views, API and admin modules that saves, creates, updates (including QuerySet.update and
bulk_create) or deletes must also call the audit helper — or be on the short reviewed list
below, with the reason. A new function that writes without auditing fails this test."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
APPS = ["config", *settings.PROJECT_APPS]
# The modules that write: services, views, API and admin modules, and the workflow's own.
WRITERS = {
    "admin",
    "mfa",
    "decisions",
    "grounds",
    "review",
    "moves",
    "effects",
    "signatures",
    "crosswalk",
    "names",
    "nqf",
    "calendar_data",
    "notifications",
}
MODULES = [
    *sorted(
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and (path.stem.startswith(("services", "views", "api")) or path.stem in WRITERS)
    ),
    "sbsh/document/content.py",
]
WRITES = {
    "save",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "delete",
}
QUERYSET = {"filter", "exclude", "all", "select_for_update", "objects"}
AUDIT = {"audit_record", "audit_edit"}

# Reviewed: writes that are audited elsewhere, or are not a change of record.
REVIEWED = {
    # Runs inside the "publish" move, whose transition log and audit row record it.
    "sbsh/publication/services.py:publication_create": "inside the audited publish move",
    # Inside version_transition (audited) or supersede (audited right after).
    "exports/effects.py:_prepare_documents": "requests renderings through rendering_request (audited)",
    # The workbook's preview file (storage, not a record); the import itself is audited.
    "sbsh/document/views_workbook.py:tables_import": "keeps the uploaded file for the preview",
    "sbsh/document/views_workbook.py:tables_apply": "deletes the preview file; tables_import audits",
    # The declared effects of a move run inside version_transition, after its move log and
    # audit row (sbsh/workflow/effects.py).
    "exports/effects.py:_hand_over": "an effect of the audited send move",
    "sbsh/workflow/effects.py:_link_handover_clock": "an effect of the audited send move",
    "sbsh/workflow/effects.py:_stamp_received": "an effect of the audited receive move",
    "sbsh/workflow/effects.py:_stamp_returned": "an effect of the audited return_handover move",
    # Rendering progress of a requested document (the request is audited).
    "exports/services.py:rendering_run": "progress of an audited request",
    "exports/services.py:rendering_failed": "progress of an audited request",
    "exports/services.py:rendering_request": "audits when it creates or re-queues",
    # In-app notifications are messages to a person, not records; reading them is audited.
    "deadlines/notifications.py:notify_people": "notifications (messages), created by the audited check",
    "deadlines/notifications.py:notifications_email": "marks notifications e-mailed",
    "deadlines/services.py:deadlines_mark": "status of clocks from the calendar; daily system run",
    "deadlines/services.py:deadlines_recompute": "audits each recomputed clock",
    # The interface language a person chose for themselves.
    "config/views.py:language_set": "a person's own interface language",
    # Session housekeeping.
    "councils/services.py:user_sessions_end": "deletes sessions; called by the audited user_save",
    # Two-step sign-in: the key of an authenticator being set up is not yet anyone's
    # factor; confirming it (totp_device_confirm) is audited, and so are the codes.
    "councils/mfa.py:totp_device_pending": "an unconfirmed key; its confirmation is audited",
    "councils/mfa.py:_recovery_codes_new": "part of totp_device_confirm/recovery_codes_renew",
    # The audit helper itself.
    "councils/services.py:audit_record": "writes the audit row",
    # Private helpers of audited services (their only callers audit the change).
    "classifiers/services.py:_after_load": "clears a cache (not the database) after an audited load",
    # A counter read by the rendered-row cache keys (sbsh/document/fragments.py); its callers (a
    # node's rename or skill level, the ISCO names load) audit the change itself.
    "classifiers/services.py:nodes_changed": "cache counter bumped by audited node changes",
    "classifiers/services.py:_write_edition": "part of classifier_import, which audits the load",
    "classifiers/services.py:_carry_crosswalk": "part of classifier_import, which audits the load",
    "sbsh/document/services.py:touch": "stamps the version's updated_at inside audited saves",
    "sbsh/workflow/decisions.py:_decision_new": "part of decision_on_grounds/decision_on_draft, which audit",
    # A content import calls the audited services for every piece it writes.
    "sbsh/document/content.py:content_import": "writes through the audited services",
}


def _writes_and_audits(func: ast.AST) -> tuple[list[int], bool]:
    writes, audited = [], False
    for node in ast.walk(func):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name in AUDIT:
            audited = True
        if not isinstance(node.func, ast.Attribute):
            continue
        receiver = node.func.value
        if name in WRITES or (
            name == "update"
            and (
                (isinstance(receiver, ast.Call) and getattr(receiver.func, "attr", "") in QUERYSET)
                or (isinstance(receiver, ast.Attribute) and receiver.attr == "objects")
            )
        ):
            writes.append(node.lineno)
    return writes, audited


def _functions(tree: ast.Module):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_every_function_that_writes_also_audits() -> None:
    unaudited, seen = [], 0
    for rel in MODULES:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        for func in _functions(tree):
            writes, audited = _writes_and_audits(func)
            if not writes:
                continue
            seen += 1
            key = f"{rel}:{func.name}"
            if not audited and key not in REVIEWED:
                unaudited.append(f"{key} (lines {writes})")
    assert not unaudited, "writes without an audit row:\n" + "\n".join(unaudited)
    assert seen > 40, seen  # the enumeration found the writing functions


def test_the_reviewed_list_names_only_functions_that_exist() -> None:
    names = set()
    for rel in MODULES:
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        names |= {f"{rel}:{f.name}" for f in _functions(tree)}
    assert set(REVIEWED) <= names, set(REVIEWED) - names


def test_every_admin_that_can_change_data_goes_through_an_audited_path(db, personas) -> None:
    """Admin pages that may add, change or delete override the save/delete hooks (which
    the enumeration above then checks); none relies on ModelAdmin's unaudited defaults."""
    from django.contrib import admin
    from django.contrib.admin import ModelAdmin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = personas.admin
    ours = ("councils", "classifiers", "deadlines", "sbsh", "exports")
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ours:
            continue
        cls = type(model_admin)
        changes = model_admin.has_add_permission(request) or model_admin.has_change_permission(
            request
        )
        if changes and cls.save_model is ModelAdmin.save_model:
            missing.append(f"{cls.__name__}.save_model")
        if model_admin.has_delete_permission(request):
            for hook in ("delete_model", "delete_queryset"):
                if getattr(cls, hook) is getattr(ModelAdmin, hook):
                    missing.append(f"{cls.__name__}.{hook}")
        for inline in model_admin.inlines:
            if inline(model, admin.site).has_change_permission(request) and (
                cls.save_formset is ModelAdmin.save_formset
            ):
                missing.append(f"{cls.__name__}.save_formset ({inline.__name__})")
    assert not missing, missing
