"""REST API for SQFs (Django REST framework; schema by drf-spectacular at /api/schema/):
what every endpoint shares. The endpoints sit beside the code they expose:
document/api.py, workflow/api.py, publication/api.py (routes: api_urls.py).

Public, read-only: the registry of published versions (frozen content, documents).
Authenticated (session or token): what the browser can do — read versions the user may
see, edit parts and Table 1 rows, make the moves of the Rules, comment, record the
council's decision on a draft, answer recommendations. Every write goes through the same
services and access helpers as the pages; the FSM status is read-only everywhere and
moves are their own endpoint.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from config import params
from config.params import BadParameter
from councils.access import Action
from sbsh import access as sqf_access
from sbsh.document import services
from sbsh.models import (
    Version,
)
from sbsh.workflow import moves as workflow

# --- errors: the services' refusals as HTTP answers ----------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"
    default_code = "conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """PermissionError → 403, WorkflowError and edit conflicts → 409, a Django
    ValidationError → 400 with its messages per field. Nothing was written in any case."""
    if isinstance(exc, BadParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    elif isinstance(exc, PermissionError | PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, workflow.WorkflowError):
        exc = Conflict(str(exc))
    elif isinstance(exc, services.EditConflict):
        exc = Conflict("Someone saved this piece after you read it; read it again.")
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)


class AtomicWritesMixin:
    """Rules of the API: a refused write changes nothing. Every POST, PUT, PATCH and DELETE
    runs in one transaction, rolled back when the answer is not a success (a 4xx from a
    check that came after a first write, e.g. a row created and then refused)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response


# --- public: the registry --------------------------------------------------------------------------


# --- authenticated: versions and their content -------------------------------------------------------


def version_for_api(request: Request, pk: int | str, *, edit: bool = False) -> Version:
    if not params.is_id(pk):
        raise exceptions.NotFound()
    number = int(pk)
    return sqf_access.sqf_version_for_user(
        request.user, number, action=Action.MANAGE if edit else Action.VIEW
    )


