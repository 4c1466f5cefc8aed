"""The API's request parsers with the text boundary of `config/text.py`.

Every string of a JSON, form or multipart body has its control characters normalised
(`clean_text`); NUL is refused; JSON nested deeper than `MAX_DEPTH` is refused before
anything walks it (1,000 nested `[` raised a RecursionError inside DRF's parser).
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from config.text import NUL_MESSAGE, NulCharacter, clean_text, clean_tree

MAX_DEPTH = 32


def _depth_ok(data: Any) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return False
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return True


def _clean_querydict(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(clean_text(key), [clean_text(v) for v in values])
    cleaned._mutable = False
    return cleaned


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
        if not _depth_ok(data):
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        try:
            return clean_tree(data)
        except NulCharacter:
            raise ParseError(str(NUL_MESSAGE)) from None


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        try:
            return _clean_querydict(data)
        except NulCharacter:
            raise ParseError(str(NUL_MESSAGE)) from None


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        try:
            return parsers.DataAndFiles(_clean_querydict(result.data), result.files)
        except NulCharacter:
            raise ParseError(str(NUL_MESSAGE)) from None
