from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

register = template.Library()
_CLAUSE = re.compile(r"^(Rules|Annex) (§[\d.]+)$")


@register.filter
def clause(value: str) -> str:
    """'Rules §12' / 'Annex §9' in the interface language (code keeps them in English)."""
    return localize_clause(value)


def localize_clause(value: str) -> str:
    if (value or "").startswith("policy:"):
        # Local policy, not the Rules (sbsh/policy.py): say so, with what it is.
        from sbsh.policy import POLICIES

        policy = POLICIES.get(value.split(":", 1)[1])
        return _("policy: %(policy)s") % {"policy": policy.label if policy else value}
    match = _CLAUSE.match(value or "")
    if not match:
        return value
    if match.group(1) == "Rules":
        return _("Rules %(clause)s") % {"clause": match.group(2)}
    return _("Annex %(clause)s") % {"clause": match.group(2)}


@register.filter
def status_label(value: str) -> str:
    """A version status code ('council_review') as its label in the interface language."""
    from sbsh.models import Version

    if not value:
        return "—"
    try:
        return str(Version.Status(value).label)
    except ValueError:
        return value


@register.simple_tag
def nqf_descriptors(level: object) -> list:
    """Rules §8: the NQF descriptors of `level` as loaded by an administrator ([] when
    none are loaded; the editor then says so)."""
    from classifiers.models import NqfDescriptor

    try:
        number = int(str(level))
    except (TypeError, ValueError):
        return []
    return list(NqfDescriptor.objects.filter(level=number).order_by("id"))
