"""`{% career_picture %}`: Table 2's career paths as inline SVG with its text alternative
(sbsh/document/careers.py). The editor passes its rows, the registry a publication's content."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from sbsh.document import careers

register = template.Library()


@register.inclusion_tag("sbsh/_career_picture.html")
def career_picture(
    entries: Any = None,
    links: Any = None,
    *,
    content: dict[str, Any] | None = None,
    lang: str = "",
    svg_url: str = "",
    collapsed: bool = False,
) -> dict[str, Any]:
    lang = careers.content_language(lang or get_language())
    if content is not None:
        occupations, moves = careers.from_content(content, lang)
    else:
        occupations, moves = careers.from_rows(list(entries or []), list(links or []), lang)
    return {
        "has_picture": bool(occupations),
        # Reviewed: ElementTree serialises the SVG and escapes every name; it holds no
        # script or style element (tests/sbsh/document/test_careers.py).
        "svg": mark_safe(careers.career_svg(occupations, moves, lang)) if occupations else "",  # noqa: S308  # nosec B308, B703
        "moves": careers.move_list(occupations, moves),
        "lang": lang,
        "svg_url": svg_url,
        "collapsed": collapsed,
    }
