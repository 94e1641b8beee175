"""Running a beneficiary selection for a plan (``services`` re-exports ``selection_run``).

A run scores every household in the selection's areas that the actor may see with the plan's
criteria version on the ``as_of`` date (``scoring``), ranks them and includes or excludes each
by the rules of ``ranking`` — status, already assisted in the cycle (by the household or one
linked to it), minimum category, linked duplicates, quota, budget — and stores the outcome: a
``Selection`` with one ``SelectionEntry`` per household, each holding its stored explanation.
The criteria version and date are stored too, so every score can be explained and reproduced.

The run reads the registry twice, in household id order: once to rank, once to write the
entries (scoring again rather than holding every explanation in memory, so half a million
households fit). Should a household change in between, the run stops and asks to be run again.
One audit row records the run with its parameters and totals; the entries, written once and
never changed, are its content.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from marsad.assistance import ranking, scoring, selectors
from marsad.assistance.models import (
    AssistancePlan,
    PlanStatus,
    Receipt,
    Selection,
    SelectionEntry,
)
from marsad.core import services
from marsad.core.scoping import CHANGE, VIEW, can, scope
from marsad.geo.models import AdminArea
from marsad.registry.models import Household, HouseholdStatus

__all__ = ["selection_run"]

ENTRY_BATCH = 1000


def _check_parameters(
    plan: AssistancePlan,
    *,
    areas: Iterable[AdminArea],
    statuses: Iterable[str],
    quota: Any,
    budget: Any,
    minimum_category: Any,
    as_of: Any,
) -> dict[str, Any]:
    """The parameters, checked and in their stored form; every problem at once, by field."""
    errors: dict[str, Any] = {}
    chosen_areas = list(areas) or [plan.location]
    outside = [area for area in chosen_areas if not area.path.startswith(plan.location.path)]
    if outside:
        errors["areas"] = _("%(areas)s lie outside the plan's location, %(location)s.") % {
            "areas": ", ".join(area.name for area in outside),
            "location": plan.location.name,
        }
    chosen_statuses = sorted(set(statuses or ()))
    unknown = [value for value in chosen_statuses if value not in HouseholdStatus.values]
    if not chosen_statuses:
        errors["statuses"] = _("Choose at least one household status.")
    elif unknown:
        errors["statuses"] = _("Unknown household statuses: %(values)s.") % {
            "values": ", ".join(unknown)
        }
    if quota is not None:
        try:
            quota = int(quota)
            if quota < 1 or quota != float(quota):
                raise ValueError
        except (TypeError, ValueError):
            errors["quota"] = _("Give the quota as a whole number of households, at least 1.")
    cost = plan.cost_per_household()
    if budget is not None:
        try:
            budget = Decimal(str(budget))
            if not budget.is_finite() or budget <= 0:
                raise InvalidOperation
        except InvalidOperation:
            errors["budget"] = _("Give the budget in US dollars, above zero.")
        else:
            if not cost:
                errors["budget"] = _(
                    "A budget needs the value of every item of the plan; give the missing "
                    "values in US dollars first."
                )
    if minimum_category in ("", None):
        minimum_category = None
    elif minimum_category not in scoring.Category.__members__.values():
        errors["minimum_category"] = _("Choose high, medium or low.")
    else:
        minimum_category = scoring.Category(minimum_category)
    if not isinstance(as_of, datetime.date) or isinstance(as_of, datetime.datetime):
        errors["as_of"] = _("Give the date to score on.")
    if errors:
        raise ValidationError(errors)
    return {
        "areas": chosen_areas,
        "statuses": chosen_statuses,
        "quota": quota,
        "budget": budget,
        "minimum_category": minimum_category,
        "cost": cost,
        "as_of": as_of,
    }


def _households(actor: Any, areas: list[AdminArea]) -> QuerySet[Household]:
    within = Q()
    for area in areas:
        within |= Q(area__path__startswith=area.path)
    # A household merged into another is that household: only its survivor is considered.
    found = Household.objects.filter(within, merged_into__isnull=True)
    return scope(found, actor, VIEW) if actor is not None else found


def _given(plan: AssistancePlan, types: list[str]) -> dict[int, ranking.Given]:
    """Each household's earliest receipt of one of ``types`` in the plan's programme and
    cycle, whoever recorded it (voided receipts left out)."""
    given: dict[int, ranking.Given] = {}
    rows = (
        Receipt.objects.filter(
            programme_id=plan.programme_id,
            cycle=plan.cycle,
            assistance_type__in=types,
            voided_at__isnull=True,
        )
        .order_by("received_on", "pk")
        .values_list("household_id", "received_on", "pk")
    )
    for household, received_on, receipt in rows.iterator(chunk_size=5000):
        given.setdefault(household, ranking.Given(receipt, received_on))
    return given


@transaction.atomic
def selection_run(
    *,
    actor: Any,
    plan: AssistancePlan,
    areas: Iterable[AdminArea] = (),
    statuses: Iterable[str],
    quota: int | None = None,
    budget: Decimal | None = None,
    minimum_category: str | None = None,
    as_of: datetime.date,
) -> Selection:
    """Select beneficiaries for ``plan`` among the households the actor may see in ``areas``
    (the plan's location when none are given; each must lie within it) whose status is one of
    ``statuses``, by the plan's criteria version scored on ``as_of``; at most ``quota``
    households and at most ``budget`` US dollars (at the plan's cost per household), none below
    ``minimum_category`` (high, medium, low). Refused for a closed plan or a plan without
    criteria or items."""
    if actor is not None and not can(actor, CHANGE, plan):
        raise PermissionDenied(_("You may not select beneficiaries for this plan."))
    plan = (
        AssistancePlan.objects.select_for_update(of=("self",))
        .select_related("location", "programme", "criteria_version")
        .get(pk=plan.pk)
    )
    if plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("This plan is closed; its beneficiaries are no longer selected."))
    if plan.criteria_version is None:
        raise ValidationError(
            {"criteria_version": _("Choose the plan's vulnerability criteria first.")}
        )
    types = sorted(plan.items.values_list("assistance_type", flat=True))
    if not types:
        raise ValidationError(_("Add what each household receives before selecting."))
    values = _check_parameters(
        plan,
        areas=areas,
        statuses=statuses,
        quota=quota,
        budget=budget,
        minimum_category=minimum_category,
        as_of=as_of,
    )
    spec = selectors.version_spec(plan.criteria_version)
    households = _households(actor, values["areas"])
    facts = {
        pk: (number, status)
        for pk, number, status in households.values_list(
            "pk", "registration_number", "status"
        ).iterator(chunk_size=5000)
    }
    candidates = []
    for snapshot in selectors.household_snapshots(actor, households, scoped=False):
        if snapshot.household_id not in facts:
            continue  # registered between the two reads: left for the next run
        result = scoring.score(snapshot, spec, as_of=values["as_of"])
        number, status = facts[snapshot.household_id]
        candidates.append(
            ranking.Candidate(
                household_id=snapshot.household_id,
                registration_number=number,
                status=status,
                size=snapshot.size,
                displacement_date=snapshot.displacement_date,
                score=result.score,
                category=result.category,
            )
        )
    rules = ranking.Rules(
        statuses=frozenset(values["statuses"]),
        minimum_category=values["minimum_category"],
        quota=values["quota"],
        budget=values["budget"],
        cost_per_household=values["cost"] or Decimal(0),
    )
    decisions = ranking.choose(
        candidates,
        rules,
        given=_given(plan, types),
        links=selectors.linked_households(candidate.household_id for candidate in candidates),
    )
    scores = {candidate.household_id: candidate.score for candidate in candidates}
    del candidates
    included = sum(1 for decision in decisions if decision.included)
    cost = values["cost"]
    selection = services.record_create(
        actor=actor,
        model=Selection,
        data={
            "plan": plan,
            "criteria_version": plan.criteria_version,
            "as_of": values["as_of"],
            "areas": values["areas"],
            "statuses": values["statuses"],
            "minimum_category": str(values["minimum_category"] or ""),
            "quota": values["quota"],
            "budget_usd": values["budget"],
            "cost_per_household_usd": cost,
            "considered_count": len(decisions),
            "included_count": included,
            "total_cost_usd": cost * included if cost is not None else None,
            "run_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    _write_entries(selection, households, spec, values["as_of"], decisions, scores)
    return selection


def _changed() -> ValidationError:
    return ValidationError(
        _("Households changed while the selection was running; run the selection again.")
    )


def _write_entries(
    selection: Selection,
    households: QuerySet[Household],
    spec: scoring.CriteriaVersion,
    as_of: datetime.date,
    decisions: list[ranking.Decision],
    scores: dict[int, int],
) -> None:
    """The second read: score each household again for its stored explanation and write the
    entries in batches."""
    by_household = {decision.household_id: decision for decision in decisions}
    batch: list[SelectionEntry] = []
    written = 0
    for snapshot in selectors.household_snapshots(None, households, scoped=False):
        decision = by_household.get(snapshot.household_id)
        if decision is None:
            continue
        result = scoring.score(snapshot, spec, as_of=as_of)
        if result.score != scores[snapshot.household_id]:
            raise _changed()
        batch.append(
            SelectionEntry(
                selection=selection,
                household_id=snapshot.household_id,
                rank=decision.rank,
                score=result.score,
                category=str(result.category),
                result=result.to_dict(),
                included=decision.included,
                reason=str(decision.reason or ""),
                other_household_id=decision.other_household_id,
                earlier_receipt_id=decision.receipt_id,
            )
        )
        if len(batch) >= ENTRY_BATCH:
            SelectionEntry.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    SelectionEntry.objects.bulk_create(batch)
    written += len(batch)
    if written != len(decisions):
        raise _changed()
