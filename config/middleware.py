"""The request boundary (config/text.py, config/params.py), for every page and form.

- A path with a control character, or a query parameter holding NUL or longer than
  `MAX_QUERY_VALUE`, is answered 400 before any view runs (PostgreSQL cannot compare
  NUL; no filter of the app takes 1,000 characters).
- A posted form (urlencoded or multipart) has NUL refused (400, saying so) and every
  other control character normalised (`clean_text`) before any form sees it. The API's
  JSON, form and multipart bodies get the same from `config/parsers.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.utils.translation import gettext as _

from config.params import MAX_QUERY_VALUE, BadParameter, has_control
from config.text import UNSAFE, clean_text, has_nul

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _bad(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class InputBoundaryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_control(request.path):
            return _bad(_("The address contains a control character; remove it."))
        for key, values in request.GET.lists():
            for value in [key, *values]:
                if has_nul(value):
                    return _bad(_("A search parameter contains a NUL character; remove it."))
                if len(value) > MAX_QUERY_VALUE:
                    return _bad(
                        _("A search parameter is longer than %(n)s characters; shorten it.")
                        % {"n": MAX_QUERY_VALUE}
                    )
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
            bad = self._clean_post(request)
            if bad is not None:
                return bad
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A bad query parameter (config/params.py): 400 saying which and why."""
        if isinstance(exception, BadParameter):
            return _bad(f"{exception.name}: {exception.message}")
        return None

    def _clean_post(self, request: HttpRequest) -> HttpResponse | None:
        post = request.POST
        dirty = False
        for key, values in post.lists():
            for value in [key, *values]:
                if has_nul(value):
                    return _bad(
                        _(
                            "The form contains a NUL character (U+0000), which cannot be stored; remove it and send again."
                        )
                    )
                dirty = dirty or bool(UNSAFE.search(value))
        if dirty:
            cleaned = QueryDict(mutable=True, encoding=post.encoding)
            for key, values in post.lists():
                cleaned.setlist(clean_text(key), [clean_text(v) for v in values])
            cleaned._mutable = False
            request.POST = cleaned
        return None
