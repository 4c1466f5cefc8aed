"""The user name django-axes counts failed sign-ins by (AXES_USERNAME_CALLABLE)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

USERNAME_MAX = 150  # AbstractUser.username's max_length


def login_name(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The posted name, cut to what a user name can be. axes keeps it in a varchar(255),
    so a longer name posted to the login form answered 500 on PostgreSQL instead of "wrong
    name or password" (jazzband/django-axes#1381; found by the DAST scan, bench/dast.py)."""
    if credentials:
        name = credentials.get("username")
    else:
        name = getattr(request, "data", request.POST).get("username")
    return None if name is None else str(name)[:USERNAME_MAX]
