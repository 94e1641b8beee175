"""The pure rules of selection: the ranking with its tie-breaks, and each reason a household is
left out, in the order they are tried."""

import datetime
from decimal import Decimal

import pytest

from marsad.assistance.ranking import Candidate, Decision, Given, Reason, Rules, choose
from marsad.assistance.scoring import Category

DISPLACED = frozenset({"displaced"})
EARLY = datetime.date(2014, 6, 1)
LATE = datetime.date(2024, 5, 1)


def candidate(household_id, score, *, category=None, size=5, displaced=LATE, number=None, **kw):
    if category is None:
        category = Category.HIGH if score >= 7 else Category.MEDIUM if score >= 4 else Category.LOW
    return Candidate(
        household_id=household_id,
        registration_number=number or f"BA-2026-{household_id:06d}",
        status=kw.get("status", "displaced"),
        size=size,
        displacement_date=displaced,
        score=score,
        category=category,
    )


def order(decisions):
    return [decision.household_id for decision in decisions]


def test_ranked_by_category_score_size_displacement_and_registration_number():
    candidates = [
        candidate(1, 5),
        candidate(2, 9),
        candidate(3, 5, size=6),
        candidate(4, 5, displaced=EARLY),
        candidate(5, 5, displaced=None),
        candidate(6, 5, number="BA-2026-000000"),
        candidate(7, 2),
        candidate(8, 8),
    ]
    decisions = choose(candidates, Rules(DISPLACED), given={}, links={})
    assert order(decisions) == [2, 8, 3, 4, 6, 1, 5, 7]
    assert [decision.rank for decision in decisions] == list(range(1, 9))
    assert all(decision.included for decision in decisions)


def test_the_order_does_not_depend_on_the_order_given():
    candidates = [candidate(pk, pk % 4, size=3 + pk % 3) for pk in range(1, 30)]
    forwards = choose(candidates, Rules(DISPLACED), given={}, links={})
    backwards = choose(list(reversed(candidates)), Rules(DISPLACED), given={}, links={})
    assert forwards == backwards


def test_quota_takes_the_first_households_in_rank_order():
    candidates = [candidate(1, 3), candidate(2, 8), candidate(3, 5), candidate(4, 1)]
    decisions = choose(candidates, Rules(DISPLACED, quota=2), given={}, links={})
    assert decisions == [
        Decision(2, 1, True),
        Decision(3, 2, True),
        Decision(1, 3, False, Reason.OVER_QUOTA),
        Decision(4, 4, False, Reason.OVER_QUOTA),
    ]


def test_budget_takes_households_while_their_cost_fits():
    rules = Rules(DISPLACED, budget=Decimal("4000"), cost_per_household=Decimal("1600"))
    decisions = choose([candidate(pk, 10 - pk) for pk in (1, 2, 3)], rules, given={}, links={})
    assert [(d.included, d.reason) for d in decisions] == [
        (True, None),
        (True, None),
        (False, Reason.OVER_BUDGET),
    ]
    exact = Rules(DISPLACED, budget=Decimal("3200"), cost_per_household=Decimal("1600"))
    assert [
        d.included for d in choose([candidate(1, 5), candidate(2, 4)], exact, given={}, links={})
    ] == [True, True]


def test_quota_and_budget_together_whichever_binds_first():
    rules = Rules(DISPLACED, quota=1, budget=Decimal("10000"), cost_per_household=Decimal("1600"))
    decisions = choose([candidate(1, 9), candidate(2, 8)], rules, given={}, links={})
    assert [d.reason for d in decisions] == [None, Reason.OVER_QUOTA]


def test_each_reason_and_what_it_names():
    candidates = [
        candidate(1, 9, status="returned"),
        candidate(2, 9),  # assisted itself
        candidate(3, 8),  # linked to 20, assisted outside the list
        candidate(4, 7),  # included
        candidate(5, 6),  # linked to 4, included above it
        candidate(6, 1),  # low
        candidate(7, 5),  # over quota
    ]
    given = {2: Given(101, LATE), 20: Given(102, EARLY)}
    links = {3: {20}, 4: {5}, 5: {4}}
    rules = Rules(DISPLACED, minimum_category=Category.MEDIUM, quota=1)
    decisions = {d.household_id: d for d in choose(candidates, rules, given=given, links=links)}
    assert decisions[1] == Decision(1, 1, False, Reason.STATUS)
    assert decisions[2] == Decision(2, 2, False, Reason.ALREADY_ASSISTED, None, 101)
    assert decisions[3] == Decision(3, 3, False, Reason.LINKED_ASSISTED, 20, 102)
    assert decisions[4] == Decision(4, 4, True)
    assert decisions[5] == Decision(5, 5, False, Reason.LINKED_DUPLICATE, 4)
    assert decisions[7] == Decision(7, 6, False, Reason.OVER_QUOTA)
    assert decisions[6] == Decision(6, 7, False, Reason.BELOW_CATEGORY)


def test_reasons_are_tried_in_order():
    # Assisted and returned: the status is named. Assisted and linked to an assisted household:
    # its own receipt is named. Linked to two assisted households: the earlier receipt.
    candidates = [candidate(1, 9, status="returned"), candidate(2, 8), candidate(3, 7)]
    given = {1: Given(11, LATE), 2: Given(12, LATE), 30: Given(13, LATE), 31: Given(14, EARLY)}
    links = {2: {30}, 3: {30, 31}}
    decisions = choose(candidates, Rules(DISPLACED), given=given, links=links)
    assert [(d.reason, d.other_household_id, d.receipt_id) for d in decisions] == [
        (Reason.STATUS, None, None),
        (Reason.ALREADY_ASSISTED, None, 12),
        (Reason.LINKED_ASSISTED, 31, 14),
    ]


def test_excluded_households_use_no_quota_and_a_duplicate_names_the_first_included():
    candidates = [candidate(1, 9), candidate(2, 8), candidate(3, 7), candidate(4, 6)]
    links = {1: {2, 3}, 2: {1, 3}, 3: {1, 2}}
    decisions = choose(candidates, Rules(DISPLACED, quota=2), given={}, links=links)
    assert [(d.included, d.reason, d.other_household_id) for d in decisions] == [
        (True, None, None),
        (False, Reason.LINKED_DUPLICATE, 1),
        (False, Reason.LINKED_DUPLICATE, 1),
        (True, None, None),
    ]


def test_a_duplicate_below_the_category_minimum_is_named_by_its_category():
    candidates = [candidate(1, 9), candidate(2, 2)]
    rules = Rules(DISPLACED, minimum_category=Category.MEDIUM)
    decisions = choose(candidates, rules, given={}, links={1: {2}, 2: {1}})
    assert decisions[1].reason == Reason.BELOW_CATEGORY


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (Rules(DISPLACED, quota=0), "A quota is at least one household"),
        (Rules(DISPLACED, budget=Decimal("100")), "A budget needs a positive cost"),
    ],
)
def test_impossible_rules_are_refused(rules, message):
    with pytest.raises(ValueError, match=message):
        choose([candidate(1, 5)], rules, given={}, links={})
