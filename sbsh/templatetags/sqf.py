from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

from sbsh.models import LONG_CELL as CLAMP_AT  # a longer cell is folded

register = template.Library()
_CLAUSE = re.compile(r"^(Rules|Annex) (§[\d.]+)$")


@register.filter
def clause(value: str) -> str:
    """'Rules §12' / 'Annex §9' in the interface language (code keeps them in English)."""
    return localize_clause(value)


def localize_clause(value: str) -> str:
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


@register.filter
def clamp(value: str, lang: str = "") -> str:
    """A table cell's text, line breaks kept; a long one clamped to a few lines and opened
    on request (a native <details>: keyboard and screen readers need no script)."""
    from django.utils.html import escape, format_html
    from django.utils.safestring import mark_safe

    text = value or ""
    body = escape(text).replace("\n", "<br>")
    if len(text) <= CLAMP_AT:
        return mark_safe(body)  # noqa: S308 - escaped above
    return format_html(
        '<details class="clamp"><summary title="{}"><span>{}</span></summary></details>',
        _("Show all / fold"),
        mark_safe(body),  # noqa: S308 - escaped above
    )


SHORT_AT = 120  # characters of a long cell sent with the table; the rest on request


@register.simple_tag(takes_context=True)
def cell(context: template.Context, text: str) -> str:
    """A long Table 1 cell as its first words and "…" (the row's "more" button loads the
    whole row), so a section of long rows stays small; the whole text once asked for."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    text = text or ""
    if context.get("full") or len(text) <= CLAMP_AT:
        return clamp(text)
    cut = text[:SHORT_AT].rsplit(" ", 1)[0] or text[:SHORT_AT]
    return mark_safe(escape(cut).replace("\n", "<br>") + "…")  # noqa: S308 - escaped
