from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sbsh.models import LONG_CELL as CLAMP_AT  # a longer cell is folded

register = template.Library()
_CLAUSE = re.compile(r"^(Rules|Annex) (§[\d.]+)$")


@register.filter
def clause(value: str) -> str:
    """'Rules §12' / 'Annex §9' in the interface language (code keeps them in English)."""
    return localize_clause(value)


def localize_clause(value: str) -> str:
    if (value or "").startswith("policy:"):
        # Local policy, not the Rules (sbsh/workflow/policy.py): say so, with what it is.
        from sbsh.workflow.policy import POLICIES

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


@register.filter
def action_label(code: str) -> str:
    """An audit action code ("sqf.part.save") as words in the interface language."""
    from councils.audit_labels import action_label as label

    return label(code)


@register.filter
def person(user: object) -> str:
    """A person by full name; the login name only when no name was entered."""
    if user is None:
        return "—"
    return getattr(user, "full_name", "") or str(user)


@register.filter
def system_text(stored: str) -> str:
    """A move comment: the workbench's own in the reader's language, a person's as typed."""
    from sbsh.document.system_texts import system_text as render

    return render(stored)


@register.simple_tag
def text_limit(name: str) -> int:
    """A length limit of sbsh/limits.py, for a hand-written field's maxlength."""
    from sbsh import limits

    return int(getattr(limits, name))


@register.filter
def grouped(findings: list, version: object) -> list:
    """Identical findings once, with a count and a named link to each place."""
    from sbsh.document.finding_groups import group_findings

    return group_findings(version, list(findings))


@register.filter
def correspondence(value: str) -> str:
    """A crosswalk correspondence code ("partial") as its label in the interface language."""
    from classifiers.models import Correspondence

    try:
        return str(Correspondence(value).label)
    except ValueError:
        return value or "—"


@register.filter
def change_lines(changes: object) -> list[dict[str, str]]:
    """An audit row's changes as words: the field's label in the reader's language and the
    value before and after, shortened (tags stripped) so a page of text stays one line."""
    from sbsh.workflow.audit_words import change_lines as lines

    return lines(changes)


def _syllables(text: str, lang: str) -> str:
    """Soft hyphens at the syllables of long words (the document's rule, exports.hyphen),
    so a narrow column breaks a word at a syllable with a hyphen, not at any letter. For
    display only: what is stored and edited has none."""
    if not lang:
        return text
    from sbsh.document.hyphen import soft_hyphens

    return soft_hyphens(text, lang)


@register.filter
def syllables(value: str, lang: str) -> str:
    """A heading or label with soft hyphens at its syllables (escaped by the template)."""
    return _syllables(str(value or ""), lang)


@register.filter
def clamp(value: str, lang: str = "") -> str:
    """A table cell's text, line breaks kept; a long one clamped to a few lines and opened
    on request (a native <details>: keyboard and screen readers need no script)."""
    from django.template.defaultfilters import linebreaksbr
    from django.utils.html import format_html

    text = value or ""
    # escaped, then <br> for each line break
    body = linebreaksbr(_syllables(text, lang), autoescape=True)
    if len(text) <= CLAMP_AT:
        return body
    return format_html(
        '<details class="clamp"><summary title="{}"><span>{}</span></summary></details>',
        _("Show all / fold"),
        body,
    )


SHORT_AT = 120  # characters of a long cell sent with the table; the rest on request


@register.simple_tag(takes_context=True)
def cell(context: template.Context, text: str, lang: str = "") -> str:
    """A long Table 1 cell as its first words and "…" (the row's "more" button loads the
    whole row), so a section of long rows stays small; the whole text once asked for.
    With `lang`, long words carry soft hyphens at their syllables."""
    from django.template.defaultfilters import linebreaksbr

    text = text or ""
    if context.get("full") or len(text) <= CLAMP_AT:
        return clamp(text, lang)
    cut = text[:SHORT_AT].rsplit(" ", 1)[0] or text[:SHORT_AT]
    return linebreaksbr(_syllables(cut, lang) + "…", autoescape=True)


@register.simple_tag(takes_context=True)
def editor_nav(context: template.Context) -> SafeString:
    """The editor's menu of the SQF's parts. It holds no data and nothing of the viewer:
    the same for a version, a part and a language, so each process renders it once (it
    is twenty links and labels that every editor page spent ~1.5 ms on)."""
    return _editor_nav(context["version"].pk, context.get("section", ""), get_language())


@lru_cache(maxsize=2048)
def _editor_nav(version_pk: int, section: str, language: str) -> SafeString:
    from sbsh.models import Part

    # A SafeString: our own template's output, escaped there.
    return render_to_string(
        "sbsh/_editor_nav.html",
        {
            "version_pk": version_pk,
            "section": section,
            "part_keys": [
                (k, label) for k, label in Part.Key.choices if k != Part.Key.PASSPORT_SECTOR
            ],
        },
    )


@register.filter
def cached_rows(rows: list[object]) -> SafeString | None:
    """The rows' cached fragments (`row.html`, set by sbsh.fragments) as one string, or
    None when there is no row or one has no fragment (the template then loops and renders
    each row itself). A table page saves its per-row loop of template nodes."""
    parts = [getattr(row, "html", None) for row in rows]
    if not parts or not all(isinstance(part, SafeString) for part in parts):
        return None
    # Each part is a SafeString, rendered (and escaped) by the row template.
    return SafeString("".join(parts))  # nosec B703


@register.simple_tag(takes_context=True)
def site_nav(context: template.Context) -> SafeString:
    """The main menu of every page (base.html): a function of the language, whether the
    viewer is signed in and an administrator, and which page is shown (which link is
    current), so each process renders it once for each of these (seven links and their
    URLs were reversed and translated on every request)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = context.get("user")
    return _site_nav(
        get_language(),
        bool(user is not None and user.is_authenticated),
        bool(context.get("is_administrator")),
        # None without a match, as the template's lookups gave (no link is current).
        getattr(match, "app_name", None),
        getattr(match, "url_name", None),
    )


@lru_cache(maxsize=1024)
def _site_nav(
    language: str,
    authenticated: bool,
    is_administrator: bool,
    app_name: str | None,
    url_name: str | None,
) -> SafeString:
    # A SafeString: our own template's output, escaped there.
    return render_to_string(
        "partials/_site_nav.html",
        {
            "authenticated": authenticated,
            "is_administrator": is_administrator,
            "app_name": app_name,
            "url_name": url_name,
        },
    )
