from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from councils import access


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_administrator": False}
    return {"is_administrator": access.is_administrator(user)}
