"""Choosing beneficiaries from scored households: a pure function of the candidates, the
selection's rules, the receipts already given in the cycle and the links between households.
No Django, no database — the same inputs always give the same list.

Ranking (the stated tie-breaks, in order):

1. vulnerability category, high before medium before low;
2. score, higher first (within one criteria version the category follows from the score, so
   rules 1 and 2 never disagree: the category is written first only to make the order plain);
3. household size, larger first;
4. displacement date, earlier first (an unknown date after every known one);
5. registration number, in text order (unique, so the order is total);
6. household id (only as a last guard for households without a registration number).

Every candidate gets a rank. Walking the ranked list, each household is decided by the first
of these rules that applies:

``status``            its status (displaced, returned, ...) is not one the selection takes;
``already_assisted``  it received one of the plan's assistance types in the plan's cycle;
``linked_assisted``   a household linked to it (the same people registered again) did;
``below_category``    its category is below the selection's minimum;
``linked_duplicate``  a household linked to it is already included, higher in the list;
``over_quota``        the quota of households is already reached;
``over_budget``       its cost would take the total over the budget;
otherwise it is included. Excluded households use neither quota nor budget.
"""

import datetime
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from marsad.assistance.scoring import Category


class Reason(StrEnum):
    STATUS = "status"
    ALREADY_ASSISTED = "already_assisted"
    LINKED_ASSISTED = "linked_assisted"
    BELOW_CATEGORY = "below_category"
    LINKED_DUPLICATE = "linked_duplicate"
    OVER_QUOTA = "over_quota"
    OVER_BUDGET = "over_budget"


CATEGORY_ORDER = {Category.HIGH: 0, Category.MEDIUM: 1, Category.LOW: 2}


@dataclass(frozen=True)
class Candidate:
    """A scored household, with what the ranking and the rules read."""

    household_id: int
    registration_number: str
    status: str
    size: int
    displacement_date: datetime.date | None
    score: int
    category: Category


@dataclass(frozen=True)
class Given:
    """A receipt already recorded in the cycle: which, and when."""

    receipt_id: int
    received_on: datetime.date


@dataclass(frozen=True)
class Rules:
    """What a selection takes: household statuses, a minimum category, at most ``quota``
    households, at most ``budget`` (USD) at ``cost_per_household`` each."""

    statuses: frozenset[str]
    minimum_category: Category | None = None
    quota: int | None = None
    budget: Decimal | None = None
    cost_per_household: Decimal = Decimal(0)


@dataclass(frozen=True)
class Decision:
    """One household's place in the list: its rank, and whether it is included or why not.
    ``other_household_id`` names the linked household (linked reasons) and ``receipt_id`` the
    earlier receipt (assisted reasons)."""

    household_id: int
    rank: int
    included: bool
    reason: Reason | None = None
    other_household_id: int | None = None
    receipt_id: int | None = None


def rank_key(candidate: Candidate) -> tuple:
    return (
        CATEGORY_ORDER[candidate.category],
        -candidate.score,
        -candidate.size,
        candidate.displacement_date or datetime.date.max,
        candidate.registration_number,
        candidate.household_id,
    )


def _earliest(households: Iterable[int], given: Mapping[int, Given]) -> tuple[int, Given] | None:
    found = [(household, given[household]) for household in households if household in given]
    if not found:
        return None
    return min(found, key=lambda item: (item[1].received_on, item[1].receipt_id))


def choose(
    candidates: Iterable[Candidate],
    rules: Rules,
    *,
    given: Mapping[int, Given],
    links: Mapping[int, Set[int]],
) -> list[Decision]:
    """Rank ``candidates`` and decide each (see the module). ``given`` maps a household to its
    earliest receipt of the plan's assistance in the cycle; ``links`` a household to the
    households tied to it. Returns the decisions in rank order."""
    if rules.quota is not None and rules.quota < 1:
        raise ValueError("A quota is at least one household.")
    if rules.budget is not None and rules.cost_per_household <= 0:
        raise ValueError("A budget needs a positive cost per household.")
    decisions = []
    included_rank: dict[int, int] = {}
    spent = Decimal(0)
    minimum = CATEGORY_ORDER[rules.minimum_category] if rules.minimum_category else None
    for rank, candidate in enumerate(sorted(candidates, key=rank_key), start=1):
        household = candidate.household_id
        linked = links.get(household, frozenset())
        if candidate.status not in rules.statuses:
            decision = Decision(household, rank, False, Reason.STATUS)
        elif household in given:
            receipt = given[household].receipt_id
            decision = Decision(household, rank, False, Reason.ALREADY_ASSISTED, None, receipt)
        elif (earlier := _earliest(linked, given)) is not None:
            other, receipt_given = earlier
            decision = Decision(
                household, rank, False, Reason.LINKED_ASSISTED, other, receipt_given.receipt_id
            )
        elif minimum is not None and CATEGORY_ORDER[candidate.category] > minimum:
            decision = Decision(household, rank, False, Reason.BELOW_CATEGORY)
        elif duplicates := [other for other in linked if other in included_rank]:
            first = min(duplicates, key=included_rank.__getitem__)
            decision = Decision(household, rank, False, Reason.LINKED_DUPLICATE, first)
        elif rules.quota is not None and len(included_rank) >= rules.quota:
            decision = Decision(household, rank, False, Reason.OVER_QUOTA)
        elif rules.budget is not None and spent + rules.cost_per_household > rules.budget:
            decision = Decision(household, rank, False, Reason.OVER_BUDGET)
        else:
            decision = Decision(household, rank, included=True)
            included_rank[household] = rank
            spent += rules.cost_per_household
        decisions.append(decision)
    return decisions
