"""One parser for query parameters and path ids, used by every view and API filter.

A path or query id is `[0-9]{1,18}` in ASCII: Unicode digits (`²`, `٣`) pass
`str.isdigit()` and then break `int()`, and a number beyond 64 bits overflows SQLite.
A text filter refuses NUL (PostgreSQL cannot compare it) and values longer than its
limit. A bad value is the client's error: `BadParameter` is answered 400 naming the
parameter, by `config.middleware.InputBoundaryMiddleware.process_exception` for pages
and by the API's exception handler (`sbsh.api`) — without a traceback in the log (a
SuspiciousOperation would log one per request; the DAST scan counts them). Nothing is
ever a 500.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.http import HttpRequest
from django.urls import register_converter
from django.utils.http import url_has_allowed_host_and_scheme

ID_PATTERN = "[0-9]{1,18}"
_ID = re.compile(ID_PATTERN + r"\Z")
# Bytes no text filter may hold: NUL and the other C0 controls (tab, CR, LF allowed).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The longest value any query parameter of the app may carry (a search is 200 characters).
MAX_QUERY_VALUE = 1000


class BadParameter(ValueError):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def is_id(value: object) -> bool:
    return isinstance(value, str | int) and bool(_ID.match(str(value)))


def parse_id(value: object, name: str = "id") -> int:
    """A path id: `[0-9]{1,18}` or BadParameter."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**18:
        return value
    if isinstance(value, str) and _ID.match(value):
        return int(value)
    raise BadParameter(name, "must be a number of 1 to 18 digits 0-9")


def id_param(params: Mapping[str, str], name: str) -> int | None:
    """An optional id filter: absent or empty → None; anything but `[0-9]{1,18}` → 400."""
    value = params.get(name, "")
    if value in ("", None):
        return None
    return parse_id(value, name)


def ids_param(values: list[str], name: str) -> list[int]:
    """Repeated id parameters (`?ground=1&ground=2`)."""
    return [parse_id(v, name) for v in values if v != ""]


def text_param(params: Mapping[str, str], name: str, max_length: int = 200) -> str:
    """A text filter, stripped; NUL or another control character, or more than
    `max_length` characters → 400."""
    value = params.get(name, "")
    if value is None:
        return ""
    value = str(value).strip()
    if _CONTROL.search(value):
        raise BadParameter(name, "may not contain control characters")
    if len(value) > max_length:
        raise BadParameter(name, f"may be at most {max_length} characters long")
    return value


def has_control(value: str) -> bool:
    return bool(_CONTROL.search(value))


class IdConverter:
    """`<id:pk>` in the URLconf: the same rule for path ids (a longer number → 404)."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)


def id_or(value: object, default: int = 0) -> int:
    """A posted revision or id where a bad value means "none" (the service then refuses
    it as a conflict or as not found)."""
    return int(value) if is_id(value) else default  # type: ignore[arg-type]


def safe_next(request: HttpRequest, default: str) -> str:
    """A `next` from the form or the query, when it is a page of this site; else
    `default`. Every view that honours `next` asks here (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of ours only: `redirect("²")` would try it as a view name (a 500, found by
    # tests/sbsh/test_hostile_gets.py), and a control character never belongs in one.
    if (
        target.startswith("/")
        and not has_control(target)
        and len(target) <= 2000
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


register_converter(IdConverter, "id")
