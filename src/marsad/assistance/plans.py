"""Writes of assistance plans: creating and changing a plan and its items, approving and closing
it (``services`` re-exports these).

Who may do what:

- anyone who may change records in the plan's scope (its implementing partner, programme and
  location) drafts a plan and its items — a partner's staff for their own organisation, mission
  staff for partners in the programmes they oversee;
- a supervisor approves and closes a plan, and overrides the double-assistance rule on a
  receipt (``receipts``). A supervisor holds the oversight or the change-programmes capability:
  programme managers, IM officers and system administrators, within their scope.

A draft changes freely; an approved plan changes only its end date and notes (its cycle, items
and criteria are what receipts and selections were checked against); a closed plan never
changes. Each function runs in one transaction and writes the audit log through
``core.services``.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.assistance.models import (
    AssistancePlan,
    CriteriaSetVersion,
    PlanItem,
    PlanStatus,
)
from marsad.core import services
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, VIEW, can, has_capability, scope

__all__ = [
    "is_supervisor",
    "plan_approve",
    "plan_close",
    "plan_create",
    "plan_item_add",
    "plan_item_remove",
    "plan_item_update",
    "plan_update",
]

PLAN_FIELDS = frozenset(
    {
        "organisation",
        "programme",
        "code",
        "title",
        "project_name",
        "project_code",
        "donor",
        "funding",
        "location",
        "start_date",
        "end_date",
        "cycle",
        "criteria_version",
        "notes",
    }
)
APPROVED_FIELDS = frozenset({"end_date", "notes"})
ITEM_FIELDS = frozenset({"assistance_type", "description", "quantity", "unit_value_usd"})


def is_supervisor(actor: Any) -> bool:
    """Programme managers, IM officers and system administrators (oversight or
    change-programmes capability); ``actor=None`` is the system itself."""
    return actor is None or (
        has_capability(actor, Capability.OVERSIGHT)
        or has_capability(actor, Capability.CHANGE_PROGRAMMES)
    )


def _check_change(actor: Any, plan: AssistancePlan) -> None:
    if actor is not None and not can(actor, CHANGE, plan):
        raise PermissionDenied(_("You may not change this plan."))


def _check_fields(data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )


def _check_criteria_version(actor: Any, version: Any) -> None:
    """The plan's criteria must be a published version the actor may see, of a set in use."""
    if version is None:
        return
    found = (
        CriteriaSetVersion.objects.select_related("criteria_set")
        .filter(pk=getattr(version, "pk", version))
        .first()
    )
    if found is None:
        raise ValidationError({"criteria_version": _("No such criteria version.")})
    version = found
    if (
        actor is not None
        and not scope(CriteriaSetVersion.objects.filter(pk=version.pk), actor, VIEW).exists()
    ):
        raise ValidationError(
            {
                "criteria_version": _(
                    "You may not use this criteria version: it is not in your scope."
                )
            }
        )
    if not version.criteria_set.is_active:
        raise ValidationError(
            {"criteria_version": _("This criteria set is retired; choose one in use.")}
        )


def _with_funding_donor(data: Mapping[str, Any]) -> dict[str, Any]:
    """A plan naming a funding line and no donor takes the line's donor."""
    values = dict(data)
    funding = values.get("funding")
    if funding is not None and not values.get("donor") and getattr(funding, "donor_id", None):
        values["donor"] = funding.donor
    return values


def _locked(plan: AssistancePlan) -> AssistancePlan:
    return AssistancePlan.objects.select_for_update().get(pk=plan.pk)


def _check_draft(plan: AssistancePlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("Only a draft plan's items change; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )


@transaction.atomic
def plan_create(
    *, actor: Any, data: Mapping[str, Any], items: Iterable[Mapping[str, Any]] = ()
) -> AssistancePlan:
    """A new draft plan from ``data`` (the fields of ``PLAN_FIELDS``), with its ``items`` (rows
    of ``assistance_type``, ``quantity`` per household, optional ``unit_value_usd`` and
    ``description``)."""
    _check_fields(data, PLAN_FIELDS)
    _check_criteria_version(actor, data.get("criteria_version"))
    values = {**_with_funding_donor(data), "status": PlanStatus.DRAFT}
    plan = services.record_create(actor=actor, model=AssistancePlan, data=values)
    for row in items:
        plan_item_add(actor=actor, plan=plan, **row)
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: AssistancePlan, data: Mapping[str, Any]) -> AssistancePlan:
    """Change a draft plan's fields, or an approved plan's end date and notes."""
    _check_change(actor, plan)
    plan = _locked(plan)
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("A closed plan does not change."))
    if plan.status == PlanStatus.APPROVED:
        unknown = set(data) - APPROVED_FIELDS
        if unknown:
            raise ValidationError(
                _("An approved plan changes only its end date and notes; %(fields)s cannot change.")
                % {"fields": ", ".join(sorted(unknown))}
            )
    _check_fields(data, PLAN_FIELDS)
    if "criteria_version" in data:
        _check_criteria_version(actor, data["criteria_version"])
    return services.record_update(actor=actor, instance=plan, data=_with_funding_donor(data))


@transaction.atomic
def plan_item_add(
    *,
    actor: Any,
    plan: AssistancePlan,
    assistance_type: str,
    quantity: Any,
    unit_value_usd: Any = None,
    description: str = "",
) -> PlanItem:
    """Add what each household of a draft plan receives."""
    _check_change(actor, plan)
    plan = _locked(plan)
    _check_draft(plan)
    return services.record_create(
        actor=actor,
        model=PlanItem,
        data={
            "plan": plan,
            "assistance_type": assistance_type,
            "quantity": quantity,
            "unit_value_usd": unit_value_usd,
            "description": description,
        },
    )


@transaction.atomic
def plan_item_update(*, actor: Any, item: PlanItem, data: Mapping[str, Any]) -> PlanItem:
    """Change an item of a draft plan."""
    _check_fields(data, ITEM_FIELDS)
    plan = _locked(item.plan)
    _check_change(actor, plan)
    _check_draft(plan)
    return services.record_update(actor=actor, instance=item, data=data)


@transaction.atomic
def plan_item_remove(*, actor: Any, item: PlanItem) -> None:
    """Remove an item from a draft plan."""
    plan = _locked(item.plan)
    _check_change(actor, plan)
    _check_draft(plan)
    services.record_delete(actor=actor, instance=item)


def _check_supervisor(actor: Any) -> None:
    if not is_supervisor(actor):
        raise PermissionDenied(
            _("Only a programme manager or an IM officer may approve or close a plan.")
        )


def _stamp(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def plan_approve(*, actor: Any, plan: AssistancePlan) -> AssistancePlan:
    """Approve a draft plan with at least one item: it takes receipts from now on."""
    _check_supervisor(actor)
    _check_change(actor, plan)
    plan = _locked(plan)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(
            _("Only a draft plan is approved; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    if not plan.items.exists():
        raise ValidationError(_("Add what each household receives before approving the plan."))
    return services.record_update(
        actor=actor,
        instance=plan,
        data={
            "status": PlanStatus.APPROVED,
            "approved_by": _stamp(actor),
            "approved_at": timezone.now(),
        },
    )


@transaction.atomic
def plan_close(*, actor: Any, plan: AssistancePlan) -> AssistancePlan:
    """Close an approved plan: no more receipts, no more changes."""
    _check_supervisor(actor)
    _check_change(actor, plan)
    plan = _locked(plan)
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(
            _("Only an approved plan is closed; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    return services.record_update(
        actor=actor,
        instance=plan,
        data={"status": PlanStatus.CLOSED, "closed_by": _stamp(actor), "closed_at": timezone.now()},
    )
