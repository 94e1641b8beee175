"""Generic write steps shared by every app's services: validate, check scope, save, audit — in one
transaction. Domain services call these and add their own rules; nothing else writes models."""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.models import AuditAction
from marsad.core.scoping import CHANGE, can, can_create

ModelT = TypeVar("ModelT", bound=models.Model)


def _split_m2m(model: type[models.Model], data: Mapping[str, Any]) -> tuple[dict, dict]:
    m2m_names = {field.name for field in model._meta.many_to_many}
    plain = {key: value for key, value in data.items() if key not in m2m_names}
    related = {key: value for key, value in data.items() if key in m2m_names}
    return plain, related


def _m2m_snapshot(instance: models.Model, names: Any) -> dict[str, list[Any]]:
    return {name: sorted(getattr(instance, name).values_list("pk", flat=True)) for name in names}


_OWNER_KEYS = ("organisation", "programme", "area", "sensitivity")


def _owner_values(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, Any]:
    """The owner fields (organisation, programme, area, sensitivity) found in ``values``."""
    spec = model.scope_spec
    owner = {}
    for key in _OWNER_KEYS:
        lookup = getattr(spec, key, None)
        if not lookup:
            continue
        # "household__organisation": the owner is read through the related record given.
        head, *rest = lookup.split("__")
        if head not in values:
            continue
        value = values[head]
        for part in rest:
            value = getattr(value, part, None) if value is not None else None
        owner[key] = value
    return owner


def _owner_fields_touched(model: type[models.Model], values: Mapping[str, Any]) -> bool:
    return bool(_owner_values(model, values))


def _owner_values_of(instance: models.Model) -> dict[str, Any]:
    spec = type(instance).scope_spec
    return {
        key: getattr(instance, getattr(spec, key))
        for key in _OWNER_KEYS
        if getattr(spec, key, None) and "__" not in getattr(spec, key)
    }


@transaction.atomic
def record_create(*, actor: Any, model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Create a ``model`` from ``data`` (field name → value, many-to-many as lists)."""
    plain, related = _split_m2m(model, data)
    if actor is not None and not can_create(actor, model, **_owner_values(model, plain)):
        raise PermissionDenied(_("You may not create this record here."))
    instance = model(**plain)
    instance.full_clean()
    instance.save()
    for name, value in related.items():
        getattr(instance, name).set(value)
    after = {**audit.snapshot(instance), **_m2m_snapshot(instance, related)}
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=instance,
        changes={key: [None, value] for key, value in after.items()},
    )
    return instance


@transaction.atomic
def record_update(*, actor: Any, instance: ModelT, data: Mapping[str, Any]) -> ModelT:
    """Apply ``data`` to ``instance``; records before/after of the fields that changed."""
    model = type(instance)
    if actor is not None and not can(actor, CHANGE, instance):
        raise PermissionDenied(_("You may not change this record."))
    plain, related = _split_m2m(model, data)
    # Lock the row so two officers' edits cannot interleave.
    instance = model._default_manager.select_for_update().get(pk=instance.pk)
    before = {**audit.snapshot(instance), **_m2m_snapshot(instance, related)}
    for name, value in plain.items():
        setattr(instance, name, value)
    if (
        actor is not None
        and _owner_fields_touched(model, plain)
        and not can_create(actor, model, **_owner_values_of(instance))
    ):
        raise PermissionDenied(_("You may not move this record outside your scope."))
    instance.full_clean()
    instance.save()
    for name, value in related.items():
        getattr(instance, name).set(value)
    after = {**audit.snapshot(instance), **_m2m_snapshot(instance, related)}
    changes = audit.diff(before, after)
    changes.pop("updated_at", None)
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=instance, changes=changes)
    return instance


@transaction.atomic
def record_delete(*, actor: Any, instance: models.Model) -> None:
    """Delete ``instance``; a record still referred to elsewhere is refused (ProtectedError)."""
    if actor is not None and not can(actor, CHANGE, instance):
        raise PermissionDenied(_("You may not delete this record."))
    # Record what the database holds, not what a possibly stale object says.
    instance = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    before = audit.snapshot(instance)
    pk, label = instance.pk, str(instance)
    instance.delete()
    audit.record(
        actor=actor,
        action=AuditAction.DELETE,
        object_type=instance._meta.label_lower,
        object_id=pk,
        object_repr=label,
        organisation_id=before.get("organisation"),
        changes={key: [value, None] for key, value in before.items()},
    )
