"""Every write of vulnerability targeting and assistance. Here: creating and changing a criteria
set, and publishing a new version of its criteria. Re-exported from their own modules: plans
and their items (``plans``), running a selection (``selection``) and recording receipts with
the double-assistance rule, and voiding one recorded in error (``receipts``).

A published version is never changed: editing a set's criteria publishes the next version.
Only programme managers and system administrators (the change-programmes capability) manage
criteria, within their scope. Each function runs in one transaction and writes the audit log
through ``core.services``.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from marsad.assistance import scoring
from marsad.assistance.explanations import problem_text
from marsad.assistance.models import CriteriaSet, CriteriaSetVersion, Criterion
from marsad.assistance.plans import (
    is_supervisor,
    plan_approve,
    plan_close,
    plan_create,
    plan_item_add,
    plan_item_remove,
    plan_item_update,
    plan_update,
)
from marsad.assistance.receipts import AlreadyAssisted, receipt_record, receipt_void
from marsad.assistance.selection import selection_run
from marsad.core import services
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, has_capability

__all__ = [
    "AlreadyAssisted",
    "criteria_set_create",
    "criteria_set_update",
    "criteria_version_publish",
    "is_supervisor",
    "plan_approve",
    "plan_close",
    "plan_create",
    "plan_item_add",
    "plan_item_remove",
    "plan_item_update",
    "plan_update",
    "receipt_record",
    "receipt_void",
    "selection_run",
]

SET_FIELDS = frozenset({"name", "description", "programme", "is_active"})
CRITERION_FIELDS = frozenset({"kind", "weight", "parameter", "label"})
_CUTOFF_PROBLEMS = {
    "medium_min_too_low": "medium_min",
    "cutoffs_unordered": "high_min",
    "high_unreachable": "high_min",
}


def _check_manager(actor: Any) -> None:
    """Criteria are a programme decision: the change-programmes capability is required.
    ``actor=None`` is the system itself (demo data, management commands)."""
    if actor is not None and not has_capability(actor, Capability.CHANGE_PROGRAMMES):
        raise PermissionDenied(
            _(
                "Only programme managers and system administrators may manage "
                "vulnerability criteria."
            )
        )


@transaction.atomic
def criteria_set_create(
    *,
    actor: Any,
    organisation: Any,
    name: str,
    description: str = "",
    programme: Any = None,
) -> CriteriaSet:
    """A new, empty criteria set; publish its first version with ``criteria_version_publish``."""
    _check_manager(actor)
    return services.record_create(
        actor=actor,
        model=CriteriaSet,
        data={
            "organisation": organisation,
            "programme": programme,
            "name": name,
            "description": description,
        },
    )


@transaction.atomic
def criteria_set_update(
    *, actor: Any, instance: CriteriaSet, data: Mapping[str, Any]
) -> CriteriaSet:
    """Rename, describe, move to another programme or retire (``is_active``) a set. Its criteria
    change only by publishing a new version; its organisation never changes."""
    _check_manager(actor)
    unknown = set(data) - SET_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    return services.record_update(actor=actor, instance=instance, data=data)


def _specs(rows: Sequence[Mapping[str, Any]]) -> tuple[scoring.CriterionSpec, ...]:
    errors = []
    for index, row in enumerate(rows, start=1):
        unknown = set(row) - CRITERION_FIELDS
        if unknown:
            errors.append(
                _("Criterion %(row)d: unknown fields %(fields)s.")
                % {"row": index, "fields": ", ".join(sorted(unknown))}
            )
        if not row.get("kind"):
            errors.append(_("Criterion %(row)d: choose a rule.") % {"row": index})
        for name in ("weight", "parameter"):
            value = row.get(name)
            if value in (None, "") and name == "parameter":
                continue
            try:
                whole = int(value) == float(value)
            except (TypeError, ValueError):
                whole = False
            if not whole:
                message = (
                    _("Criterion %(row)d: the weight must be a whole number.")
                    if name == "weight"
                    else _("Criterion %(row)d: the number must be a whole number.")
                )
                errors.append(message % {"row": index})
    if errors:
        raise ValidationError({"criteria": errors})
    return tuple(scoring.with_defaults(spec) for spec in scoring.criteria_from_rows(rows))


def _cutoffs(**values: Any) -> dict[str, int]:
    errors = {}
    for name, value in values.items():
        try:
            values[name] = int(value)
        except (TypeError, ValueError):
            errors[name] = _("Give the cut-off as a whole number.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def criteria_version_publish(
    *,
    actor: Any,
    criteria_set: CriteriaSet,
    criteria: Sequence[Mapping[str, Any]],
    high_min: int,
    medium_min: int,
    note: str = "",
) -> CriteriaSetVersion:
    """Publish the next version of ``criteria_set``: ``criteria`` as rows of ``kind``,
    ``weight`` and, where the rule takes one, ``parameter`` (the rule's usual value when
    omitted), with an optional custom ``label``; a household is high from ``high_min``, medium
    from ``medium_min``. Earlier versions stay exactly as they were."""
    _check_manager(actor)
    if actor is not None and not can(actor, CHANGE, criteria_set):
        raise PermissionDenied(_("You may not change this criteria set."))
    # Lock the set so two managers publishing at once get consecutive numbers.
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
    specs = _specs(criteria)
    cutoffs = _cutoffs(high_min=high_min, medium_min=medium_min)
    draft = scoring.CriteriaVersion(specs, **cutoffs)
    found = scoring.problems(draft)
    if found:
        errors: dict[str, list[str]] = {}
        for problem in found:
            field = _CUTOFF_PROBLEMS.get(problem.code, "criteria")
            errors.setdefault(field, []).append(problem_text(problem))
        raise ValidationError(errors)
    latest = criteria_set.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = services.record_create(
        actor=actor,
        model=CriteriaSetVersion,
        data={
            "criteria_set": criteria_set,
            "number": latest + 1,
            "high_min": draft.high_min,
            "medium_min": draft.medium_min,
            "note": note,
            "created_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    for position, spec in enumerate(specs, start=1):
        services.record_create(
            actor=actor,
            model=Criterion,
            data={
                "version": version,
                "position": position,
                "kind": str(spec.kind),
                "parameter": spec.parameter,
                "weight": spec.weight,
                "label": spec.label,
            },
        )
    return version
