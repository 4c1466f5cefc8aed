"""Audit changes in words (issue 19: the history showed "stages_kk, text_ru")."""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

_MODELS = [
    "sbsh.Version",
    "sbsh.Part",
    "sbsh.Table1Row",
    "sbsh.Table3Row",
    "sbsh.ProfessionalStandard",
    "sbsh.Ground",
    "sbsh.Recommendation",
    "sbsh.Comment",
    "councils.Organisation",
    "councils.User",
    "councils.Membership",
    "deadlines.CalendarException",
    "deadlines.CalendarYear",
    "deadlines.Deadline",
    "classifiers.Node",
]
SHORT = 120


def _field(key: str) -> Any:
    for name in _MODELS:
        fields = {f.name: f for f in apps.get_model(name)._meta.get_fields()}
        if key in fields and hasattr(fields[key], "verbose_name"):
            return fields[key]
    return None


def _choice(key: str, value: Any) -> Any:
    """A stored choice code ("ministry_staff") as its label."""
    field = _field(key)
    if field is not None and getattr(field, "choices", None) and isinstance(value, str):
        return dict(field.flatchoices).get(value, value)
    return value


def _label(key: str) -> str:
    special = {
        "oked": _("Types of economic activity (OKED)"),
        "nkz": _("Professional groups (NKZ)"),
        "key": _("Part"),
        "status": _("Status"),
        "occupations": _("Occupations in NKZ"),
    }
    if key in special:
        return str(special[key])
    field = _field(key)
    if field is not None:
        return str(field.verbose_name)
    return key.replace("_", " ")


def _short(value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    text = re.sub(r"\s+", " ", strip_tags(str(value))).strip()
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def change_lines(changes: Any) -> list[dict[str, str]]:
    if not isinstance(changes, dict):
        return []
    lines = []
    for key, value in changes.items():
        if key == "key":
            from sbsh.models import Part

            if value in Part.Key.values:
                value = str(Part.Key(value).label)
        if isinstance(value, list) and len(value) == 2 and not key.endswith("ids"):
            before, after = (_choice(key, v) for v in value)
            lines.append({"label": _label(key), "before": _short(before), "after": _short(after)})
        else:
            lines.append({"label": _label(key), "before": "", "after": _short(_choice(key, value))})
    return lines


def action_words(prefix: str, what: str) -> str | None:
    """The words of a move, a decision's outcome or a ground's kind in an action code
    (registered with councils.audit_labels in SbshConfig.ready)."""
    from sbsh.models import Decision, Ground
    from sbsh.workflow.moves import MOVES

    if prefix == "sqf.version." and what in MOVES:
        return str(MOVES[what].label)
    for choices in (Decision.Outcome, Ground.Kind):
        if what in choices.values:
            return str(choices(what).label)
    return None
