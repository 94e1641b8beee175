"""Keeps the current request's address available to the audit log without passing it around."""

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_request_context: ContextVar[dict[str, Any] | None] = ContextVar("marsad_request", default=None)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind a proxy set MARSAD trusted proxy headers at the proxy."""
    return request.META.get("REMOTE_ADDR") or None


def current_request_context() -> dict[str, Any]:
    return _request_context.get() or {}


@contextlib.contextmanager
def audit_context(**extra: Any) -> Iterator[None]:
    """Add ``extra`` to the context of the audit rows written inside the block (e.g. the reason
    an assessment was returned), on top of the request's own context."""
    current = current_request_context()
    token = _request_context.set({**current, "extra": {**current.get("extra", {}), **extra}})
    try:
        yield
    finally:
        _request_context.reset(token)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_context.set(
            {
                "ip_address": client_ip(request),
                "extra": {"path": request.path[:200], "method": request.method},
            }
        )
        try:
            return self.get_response(request)
        finally:
            _request_context.reset(token)
