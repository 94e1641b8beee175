"""Recording assistance received (``services`` re-exports ``receipt_record``), and the rule
against double assistance.

A household receives each assistance type once per cycle of a programme (see ``models``). A
second receipt of the type in the cycle — by the household, or by a household linked to it
because linkage found the same people registered twice, or the household was merged into it
(``selectors.linked_households``) — is refused with ``AlreadyAssisted``, whose message names the
earlier receipt: its number, date, plan and household. A supervisor (``plans.is_supervisor``)
may let it through with a reason: the receipt is then flagged as an override, names the receipt
it overrides and who overrode it, and the audit row keeps all three. A household merged into
another receives nothing itself: its survivor does.

The check reads every organisation's receipts and links — a partner must not give twice what
another partner gave — while the write stays within the actor's scope: a partner's staff record
receipts only for their own organisation's plans, and only for households they may see. The
households concerned are locked while checking, so two officers recording for the same family
at the same moment cannot both pass; a partial unique index backs the household's own case.

A receipt recorded in error is voided by a supervisor with a reason (``receipt_void``), never
deleted: a voided receipt no longer blocks another in the cycle and no longer counts.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from marsad.assistance import selectors
from marsad.assistance.models import (
    PERSONAL_TYPES,
    AssistancePlan,
    AssistanceType,
    PlanItem,
    PlanStatus,
    Receipt,
)
from marsad.assistance.plans import is_supervisor
from marsad.core import audit, services
from marsad.core.models import AuditAction
from marsad.core.scoping import CHANGE, VIEW, can, can_create, scope
from marsad.registry.models import Household, Person

__all__ = ["AlreadyAssisted", "double_assistance_message", "receipt_record", "receipt_void"]


class AlreadyAssisted(ValidationError):
    """A second receipt of an assistance in a cycle; ``receipt`` is the earlier one."""

    def __init__(self, message: str, *, receipt: Receipt) -> None:
        super().__init__(message, code="already_assisted")
        self.receipt = receipt


def double_assistance_message(household: Household, earlier: Receipt) -> str:
    """Why a receipt for ``household`` is refused, naming ``earlier`` in plain words."""
    values = {
        "household": household.registration_number,
        "other": earlier.household.registration_number,
        "assistance": AssistanceType(earlier.assistance_type).label,
        "cycle": earlier.cycle,
        "programme": earlier.plan.programme.code,
        "receipt": earlier.pk,
        "date": date_format(earlier.received_on, "DATE_FORMAT"),
        "plan": earlier.plan.code,
        "title": earlier.plan.title,
    }
    if earlier.household_id == household.pk:
        message = _(
            "Household %(household)s already received %(assistance)s in cycle %(cycle)s of "
            "%(programme)s: receipt %(receipt)d on %(date)s under plan %(plan)s (%(title)s). "
            "A supervisor may record this one only as an override, with a reason."
        )
    else:
        message = _(
            "Household %(household)s is linked to household %(other)s (the same people "
            "registered again), which already received %(assistance)s in cycle %(cycle)s of "
            "%(programme)s: receipt %(receipt)d on %(date)s under plan %(plan)s (%(title)s). "
            "A supervisor may record this one only as an override, with a reason."
        )
    return message % values


def _date(value: Any) -> datetime.date:
    try:
        parsed = models.DateField().to_python(value)
    except ValidationError as error:
        raise ValidationError({"received_on": error.messages}) from error
    if parsed is None:
        raise ValidationError({"received_on": _("Give the date the assistance was received.")})
    return parsed


def _check_date(plan: AssistancePlan, received_on: datetime.date) -> None:
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date received cannot be in the future.")})
    if received_on < plan.start_date or (plan.end_date and received_on > plan.end_date):
        raise ValidationError(
            {
                "received_on": _(
                    "The date received must fall within the plan's dates, %(start)s to %(end)s."
                )
                % {
                    "start": date_format(plan.start_date, "DATE_FORMAT"),
                    "end": date_format(plan.end_date, "DATE_FORMAT") if plan.end_date else "…",
                }
            }
        )


def _check_person(item: PlanItem, household: Household, person: Person | None) -> None:
    if person is None:
        if item.assistance_type in PERSONAL_TYPES:
            raise ValidationError(
                {"person": _("Name the household member who attended the training or course.")}
            )
        return
    if person.household_id != household.pk:
        raise ValidationError(
            {
                "person": _("%(name)s is not a member of household %(household)s.")
                % {"name": person.full_name, "household": household.registration_number}
            }
        )
    if not person.is_active:
        raise ValidationError(
            {
                "person": _("%(name)s is no longer active (merged or left the household).")
                % {"name": person.full_name}
            }
        )


#: Receipt constraints ``receipt_record`` has already made sure of when it writes, so it does not
#: ask the database again: the once-per-cycle rule (checked under lock, linked households
#: included), the source key (looked up), a positive quantity (the field's minimum of 0.01 at
#: two decimals), a known assistance type (the field's choices), an override explained and a
#: receipt not voided (both built here). Any other constraint is validated as usual; the
#: database enforces every one of them regardless.
CHECKED_BEFORE_WRITING = frozenset(
    {
        "receipt_once_per_cycle",
        "receipt_source_key_once_per_plan",
        "receipt_quantity_positive",
        "receipt_type_known",
        "receipt_override_explained",
        "receipt_void_explained",
    }
)
#: Related records ``receipt_record`` reads (or is given by the signed-in request) in its own
#: transaction, so ``full_clean`` does not ask whether they exist. The person is not among
#: them: only the caller read it.
READ_BEFORE_WRITING = (
    "plan",
    "item",
    "programme",
    "household",
    "recorded_by",
    "overridden_by",
    "overrides_receipt",
)


def _plan_item(actor: Any, plan: AssistancePlan, item: PlanItem) -> PlanItem:
    """The item read again with its plan, programme and partner, in one query that is also the
    permission check (a plan item is owned exactly as its plan)."""
    if item.plan_id != plan.pk:
        raise ValidationError({"item": _("This item belongs to another plan.")})
    items = PlanItem.objects.select_related("plan__programme", "plan__organisation").filter(
        pk=item.pk, plan_id=plan.pk
    )
    if actor is None:
        return items.get()
    found = scope(items, actor, CHANGE).first()
    if found is None:
        raise PermissionDenied(
            _("You may record receipts only for plans of your organisation, in your scope.")
        )
    return found


def _household(actor: Any, household: Household) -> Household:
    """The household read again within the actor's scope, with its area (the receipt's owner
    area); ``actor=None`` (the system) takes the household given."""
    if actor is None:
        return household
    found = (
        scope(Household.objects.filter(pk=household.pk), actor, VIEW).select_related("area").first()
    )
    if found is None:
        raise PermissionDenied(_("You may not record assistance for this household."))
    return found


def _write(*, actor: Any, plan: AssistancePlan, data: dict[str, Any]) -> Receipt:
    """Validate, save and audit the receipt, as ``core.services.record_create`` does, but
    without asking the database again what this call has just read (``READ_BEFORE_WRITING``,
    ``CHECKED_BEFORE_WRITING``): recording a receipt is the hot path of a distribution day."""
    if actor is not None and not can_create(
        actor,
        Receipt,
        organisation=plan.organisation,
        programme=plan.programme,
        area=data["household"].area,
        sensitivity=data["household"].sensitivity,
    ):
        raise PermissionDenied(_("You may not create this record here."))
    receipt = Receipt(**data)
    receipt.full_clean(exclude=READ_BEFORE_WRITING, validate_constraints=False)
    errors: dict[str, Any] = {}
    for constraint in Receipt._meta.constraints:
        if constraint.name in CHECKED_BEFORE_WRITING:
            continue
        try:
            constraint.validate(Receipt, receipt)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    receipt.save(force_insert=True)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=receipt,
        organisation_id=plan.organisation_id,
        changes={key: [None, value] for key, value in audit.snapshot(receipt).items()},
    )
    return receipt


@transaction.atomic
def receipt_record(
    *,
    actor: Any,
    plan: AssistancePlan,
    item: PlanItem,
    household: Household,
    received_on: datetime.date,
    quantity: Decimal | None = None,
    person: Person | None = None,
    id_checked: bool = False,
    signed: bool = False,
    thumbprint: bool = False,
    override_reason: str = "",
    source_key: str = "",
) -> Receipt:
    """Record that ``household`` (and ``person``, who collected it or was trained — required
    for training and courses) received ``item`` of the approved ``plan`` on ``received_on``
    (``quantity`` defaults to the item's quantity per household), verified by ID, signature or
    thumbprint. A second receipt of the assistance type in the plan's cycle by the household or
    a linked one raises ``AlreadyAssisted``, unless a supervisor gives ``override_reason``.
    ``source_key`` is an imported row's key; a plan takes each key once.

    A handful of queries whatever the number of receipts stored: the item with its plan (and
    the permission), the household in scope, the links, the lock, the receipts of the cycle,
    the receipt and its audit row."""
    item = _plan_item(actor, plan, item)
    plan = item.plan
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(
            _("Receipts are recorded only for approved plans; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    household = _household(actor, household)
    _check_person(item, household, person)
    received_on = _date(received_on)
    _check_date(plan, received_on)
    source_key = (source_key or "").strip()
    if source_key and Receipt.objects.filter(plan=plan, source_key=source_key).exists():
        raise ValidationError(
            {
                "source_key": ValidationError(
                    _("This plan already has a receipt with this source key."),
                    code="duplicate_source_key",
                )
            }
        )
    override_reason = (override_reason or "").strip()

    linked = selectors.linked_households([household.pk])[household.pk]
    concerned = sorted({household.pk, *linked})
    # Lock the households in id order (no deadlock between two such checks), then look.
    locked = dict(
        Household.objects.select_for_update()
        .filter(pk__in=concerned)
        .order_by("pk")
        .values_list("pk", "merged_into_id")
    )
    if household.pk not in locked:
        raise ValidationError({"household": _("No such household.")})
    if locked[household.pk] is not None:
        survivor = Household.objects.get(pk=locked[household.pk]).registration_number
        raise ValidationError(
            {
                "household": _(
                    "Household %(household)s is merged into household %(survivor)s: record "
                    "the receipt for household %(survivor)s."
                )
                % {"household": household.registration_number, "survivor": survivor}
            }
        )
    earlier = selectors.first_receipt(
        selectors.receipts_in_cycle(
            concerned, item.assistance_type, plan.cycle, programme=plan.programme_id
        ),
        household.pk,
    )
    override: dict[str, Any] = {}
    if earlier is not None:
        if not override_reason:
            raise AlreadyAssisted(double_assistance_message(household, earlier), receipt=earlier)
        if not is_supervisor(actor):
            raise PermissionDenied(
                _(
                    "Only a programme manager or an IM officer may record a second receipt in "
                    "a cycle. %(refusal)s"
                )
                % {"refusal": double_assistance_message(household, earlier)}
            )
        override = {
            "override": True,
            "override_reason": override_reason,
            "overridden_by": actor if getattr(actor, "is_authenticated", False) else None,
            "overrides_receipt": earlier,
        }
    return _write(
        actor=actor,
        plan=plan,
        data={
            "plan": plan,
            "item": item,
            "assistance_type": item.assistance_type,
            "programme": plan.programme,
            "cycle": plan.cycle,
            "household": household,
            "person": person,
            "quantity": item.quantity if quantity is None else quantity,
            "received_on": received_on,
            "id_checked": bool(id_checked),
            "signed": bool(signed),
            "thumbprint": bool(thumbprint),
            "recorded_by": actor if getattr(actor, "is_authenticated", False) else None,
            "source_key": source_key,
            **override,
        },
    )


@transaction.atomic
def receipt_void(*, actor: Any, receipt: Receipt, reason: str) -> Receipt:
    """Void a receipt recorded in error (the wrong household, item, quantity or date), saying
    why: a supervisor's correction, audited with the reason. The receipt stays — never deleted
    — marked voided, with who voided it and when; it no longer blocks another receipt of the
    assistance in the cycle and no longer counts in reports. A receipt of a closed plan may be
    voided too: errors are often found when the plan's figures are reported. An imported
    receipt keeps its source key, so importing the same list again does not bring it back."""
    if not is_supervisor(actor):
        raise PermissionDenied(_("Only a programme manager or an IM officer may void a receipt."))
    if actor is not None and not can(actor, CHANGE, receipt):
        raise PermissionDenied(_("You may not void this receipt."))
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("household")
        .get(pk=receipt.pk)
    )
    if receipt.voided_at is not None:
        raise ValidationError(
            _("Receipt %(number)d is already voided.") % {"number": receipt.pk}, code="voided"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the receipt is voided.")})
    return services.record_update(
        actor=actor,
        instance=receipt,
        data={
            "voided_at": timezone.now(),
            "voided_by": actor if getattr(actor, "is_authenticated", False) else None,
            "void_reason": reason,
        },
    )
