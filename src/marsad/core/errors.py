"""Errors in words: the API's one error format (``{"errors": [{"field", "code", "message"}]}``)
and ``error_text``, one line for a page, a task's report or the command line."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def error_text(error: Exception) -> str:
    """What went wrong, in one line: a ValidationError's messages (each field's too) joined,
    else the error's own text (PermissionDenied, IntegrityError)."""
    return " ".join(getattr(error, "messages", None) or [str(error)])


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    """DRF error details as a flat list of {field, code, message}; nested fields dotted."""
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__", "detail") else str(key)
            errors.extend(_flatten(value, f"{field}.{name}" if field and name else name or field))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, item in enumerate(detail):
            nested = isinstance(item, dict) and field is not None
            errors.extend(_flatten(item, f"{field}.{index}" if nested else field))
        return errors
    return [
        {
            "field": field,
            "code": getattr(detail, "code", None) or "invalid",
            "message": str(detail),
        }
    ]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as ``{"errors": [{"field", "code", "message"}]}``."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, ProtectedError):
        return Response(
            {
                "errors": [
                    {
                        "field": None,
                        "code": "protected",
                        "message": _(
                            "This record is still used by %(count)d other record(s); "
                            "remove or reassign them first."
                        )
                        % {"count": len(exc.protected_objects)},
                    }
                ]
            },
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        response.data = {"errors": _flatten(exc.detail)}
    return response
