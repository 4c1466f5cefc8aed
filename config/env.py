"""Typed readers for environment variables that fail loudly.

Every reader raises ImproperlyConfigured naming the variable when its value cannot be
used, so a typo in production stops start-up instead of silently falling back.
A variable `NAME_FILE` (Docker secrets) is read when `NAME` itself is not set.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is not None:
        return value
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return None


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Unexpected value {name}={value!r}: use one of true/false, 1/0, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"Unexpected value {name}={value!r}: expected an integer."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(
            f"Unexpected value {name}={value!r}: must be at least {minimum}."
        )
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"Unexpected value {name}={value!r}: a comma-separated list with no empty items."
        )
    return items


def env_url(name: str, *, schemes: tuple[str, ...]) -> str | None:
    """A URL whose scheme is one of `schemes`, or None when the variable is not set."""
    value = env_str(name)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"Unexpected value for {name}: scheme {parts.scheme or '(none)'!r} is not one of "
            f"{', '.join(schemes)}."
        )
    if parts.scheme not in ("sqlite", "memory") and not parts.hostname:
        raise ImproperlyConfigured(f"Unexpected value for {name}: the URL has no host.")
    try:
        parts.port  # noqa: B018 - evaluating it validates the port
    except ValueError:
        raise ImproperlyConfigured(
            f"Unexpected value for {name}: the port is not a number."
        ) from None
    return value
