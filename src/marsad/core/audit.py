"""Writing the audit log. Services call ``record`` inside their transaction, so the audit row and
the change it describes are committed together or not at all."""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models

from marsad.core.middleware import current_request_context
from marsad.core.models import AuditAction, AuditEntry


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for the before/after record."""
    if value is None or type(value) in (str, int, float, bool):  # the common case, first
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys by id), for before/after diffs."""
    names = set(fields) if fields is not None else None
    values = {}
    for field in instance._meta.concrete_fields:
        if names is not None and field.name not in names:
            continue
        values[field.name] = _plain(getattr(instance, field.attname))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as ``{field: [before, after]}``."""
    keys = before.keys() | after.keys()
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(keys)
        if before.get(key) != after.get(key)
    }


def build(
    *,
    actor: Any,
    action: str | AuditAction,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    object_repr: str = "",
    organisation_id: int | None = None,
    changes: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> AuditEntry:
    """An unsaved audit row; the request's address is taken from the middleware."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id or instance.pk
        object_repr = object_repr or str(instance)
        if organisation_id is None:
            organisation_id = getattr(instance, "organisation_id", None)
    request_context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        actor=actor if authenticated else None,
        actor_username=(actor.get_username() if authenticated else "")[:150],
        ip_address=request_context.get("ip_address"),
        action=str(action),
        object_type=object_type,
        object_id=str(object_id if object_id is not None else "")[:64],
        object_repr=(object_repr or "")[:255],
        organisation_id=organisation_id,
        changes=_plain(changes or {}),
        context=_plain({**request_context.get("extra", {}), **(context or {})}),
    )


def record(**kwargs: Any) -> AuditEntry:
    """Append one row to the audit log (arguments as ``build``)."""
    entry = build(**kwargs)
    entry.save()
    return entry


def record_many(entries: Iterable[AuditEntry], batch_size: int = 1000) -> None:
    """Append many rows built with ``build`` in a few INSERTs (large imports)."""
    AuditEntry.objects.bulk_create(list(entries), batch_size=batch_size)
