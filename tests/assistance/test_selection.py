"""Running a selection for a plan on the registry: quota and budget, the tie-breaks, every
exclusion (already assisted, linked duplicates through a merge and through a pair decided the
same person), what is stored, reproducing it from the stored version, scope and refusals."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.assistance import scoring, selectors, services
from marsad.assistance.explanations import explain
from marsad.assistance.models import Selection, SelectionEntry
from marsad.core.models import AuditAction, AuditEntry
from marsad.linkage.models import CandidatePair, PairStatus
from marsad.registry import services as registry
from tests.assistance.factories import AS_OF, FOOD, household, plan, publish, receipt
from tests.factories import ProgrammeFactory, member

pytestmark = pytest.mark.django_db

DISPLACED = ["displaced"]


@pytest.fixture
def grants(areas, ngo, programme, version):
    return plan(ngo, programme, areas["basrah"], criteria_version=version)


def run(plan, **parameters):
    values = {"actor": None, "plan": plan, "statuses": DISPLACED, "as_of": AS_OF}
    values.update(parameters)
    return services.selection_run(**values)


def listing(selection):
    return [
        (entry.household_id, entry.rank, entry.score, entry.included, entry.reason)
        for entry in SelectionEntry.objects.filter(selection=selection).order_by("rank")
    ]


@pytest.fixture
def ranked(areas, ngo):
    """Six households in Al-Zubair: one high, four medium that only the tie-breaks order, one
    low, registered in this order."""
    zubair = areas["zubair"]
    return {
        "high": household(ngo, zubair, female=True, no_income=True, school=True),
        "medium": household(ngo, zubair, female=True, no_income=True),
        "larger": household(ngo, zubair, female=True, no_income=True, size=6),
        "earlier": household(
            ngo, zubair, female=True, no_income=True, displacement_date=datetime.date(2023, 1, 9)
        ),
        "later_number": household(ngo, zubair, female=True, no_income=True),
        "low": household(ngo, zubair, no_income=True),
    }


def test_quota_takes_the_highest_ranked_with_the_stated_tie_breaks(grants, ranked):
    selection = run(grants, quota=3)
    h = {name: found.pk for name, found in ranked.items()}
    assert listing(selection) == [
        (h["high"], 1, 7, True, ""),
        (h["larger"], 2, 5, True, ""),
        (h["earlier"], 3, 5, True, ""),
        (h["medium"], 4, 5, False, "over_quota"),
        (h["later_number"], 5, 5, False, "over_quota"),
        (h["low"], 6, 2, False, "over_quota"),
    ]
    assert (selection.considered_count, selection.included_count, selection.quota) == (6, 3, 3)
    assert selection.cost_per_household_usd == Decimal("1600.00")
    assert selection.total_cost_usd == Decimal("4800.00")
    assert (selection.criteria_version, selection.as_of) == (grants.criteria_version, AS_OF)
    assert list(selection.areas.all()) == [grants.location]  # the plan's location by default


def test_budget_takes_households_while_the_plan_s_cost_fits(grants, ranked):
    selection = run(grants, budget=Decimal("4000"), minimum_category="medium")
    reasons = [(included, reason) for _, _, _, included, reason in listing(selection)]
    assert reasons == [
        (True, ""),
        (True, ""),
        (False, "over_budget"),
        (False, "over_budget"),
        (False, "over_budget"),
        (False, "below_category"),
    ]
    assert (selection.budget_usd, selection.total_cost_usd) == (
        Decimal("4000.00"),
        Decimal("3200.00"),
    )


def test_a_budget_needs_every_item_s_value(areas, ngo, programme, version, ranked):
    food = plan(ngo, programme, areas["basrah"], criteria_version=version, items=[FOOD])
    with pytest.raises(ValidationError) as refused:
        run(food, budget=5000)
    assert "value of every item" in refused.value.message_dict["budget"][0]
    assert not Selection.objects.exists()


def test_exclusions_name_the_earlier_receipt_and_the_linked_household(
    areas, ngo, other_ngo, programme, version, grants
):
    zubair = areas["zubair"]
    assisted = household(ngo, zubair, female=True, no_income=True, school=True)
    merged_twin = household(ngo, zubair, female=True, no_income=True)  # merged with `assisted`
    first = household(ngo, zubair, female=True, no_income=True, school=True)
    paired_twin = household(ngo, zubair, female=True, no_income=True)  # pair decided same
    returned = household(ngo, zubair, female=True, no_income=True, status="returned")
    other_cycle = household(ngo, zubair, female=True)
    other_programme = household(ngo, zubair, female=True)
    # An earlier grant in this cycle, by another partner's plan of the programme.
    earlier_plan = plan(
        other_ngo, programme, areas["basrah"], code="PHSS-BA-2026-R1-EARLY", title="First round"
    )
    given = receipt(earlier_plan, assisted)
    registry.person_merge(
        actor=None, survivor=assisted.members.get(), merged=merged_twin.members.get()
    )
    CandidatePair.objects.create(
        left=first.members.get(),
        right=paired_twin.members.get(),
        match_probability=0.98,
        match_weight=8.0,
        status=PairStatus.SAME,
    )
    # Grants given in another cycle, or in another programme's cycle of the same name: no bar.
    receipt(plan(ngo, programme, areas["basrah"], code="PHSS-2025", cycle="2025-R2"), other_cycle)
    cap = ProgrammeFactory(code="CAP")
    receipt(plan(ngo, cap, areas["basrah"], code="CAP-2026-R1"), other_programme)

    selection = run(grants)
    entries = {entry.household_id: entry for entry in selection.entries.all()}
    assert (entries[assisted.pk].reason, entries[assisted.pk].earlier_receipt) == (
        "already_assisted",
        given,
    )
    twin = entries[merged_twin.pk]
    assert (twin.reason, twin.other_household, twin.earlier_receipt) == (
        "linked_assisted",
        assisted,
        given,
    )
    paired = entries[paired_twin.pk]
    assert (paired.included, paired.reason, paired.other_household) == (
        False,
        "linked_duplicate",
        first,
    )
    assert entries[first.pk].included
    assert entries[returned.pk].reason == "status"
    assert entries[other_cycle.pk].included
    assert entries[other_programme.pk].included
    assert selection.included_count == 3


def test_a_pair_linking_two_included_households_keeps_the_higher_ranked(grants, areas, ngo):
    lower = household(ngo, areas["zubair"], female=True)
    higher = household(ngo, areas["zubair"], female=True, no_income=True)
    CandidatePair.objects.create(
        left=lower.members.get(),
        right=higher.members.get(),
        match_probability=0.99,
        match_weight=9.0,
        status=PairStatus.AUTO_LINKED,
    )
    selection = run(grants)
    assert listing(selection) == [
        (higher.pk, 1, 5, True, ""),
        (lower.pk, 2, 3, False, "linked_duplicate"),
    ]


def test_the_stored_explanation_is_the_score_and_reproduces_from_the_stored_version(
    grants, ranked, ngo
):
    selection = run(grants, quota=2)
    # The set is edited afterwards: the stored version still explains the selection.
    heavier = [{"kind": "female_head", "weight": 9}, {"kind": "no_income", "weight": 1}]
    publish(grants.criteria_version.criteria_set, heavier, high_min=9, medium_min=2)
    stored = selectors.version_spec(selection.criteria_version)
    manager = member("programme_manager", ngo)
    for entry in selection.entries.all():
        result = entry.score_result()
        assert result.to_dict() == entry.result
        snapshot = selectors.household_snapshot(manager, entry.household_id)
        assert scoring.score(snapshot, stored, as_of=selection.as_of) == result
        assert (result.score, str(result.category)) == (entry.score, entry.category)
    top = selection.entries.get(rank=1).score_result()
    fired = [(line.label, line.why) for line in explain(top) if line.fired]
    assert fired[0] == ("Female-headed household", "The head of household is a woman.")
    again = run(grants, quota=2)
    assert [row[:5] for row in listing(again)] == [row[:5] for row in listing(selection)]


def test_a_run_is_audited_once_with_its_parameters_and_totals(grants, ranked, ngo, areas):
    manager = member("programme_manager", ngo, username="manager")
    selection = run(grants, actor=manager, quota=2, areas=[areas["zubair"]])
    entry = AuditEntry.objects.get(object_type="assistance.selection")
    assert (entry.action, entry.actor_username, entry.object_id) == (
        AuditAction.CREATE,
        "manager",
        str(selection.pk),
    )
    assert entry.changes["quota"] == [None, 2]
    assert entry.changes["included_count"] == [None, 2]
    assert entry.changes["areas"] == [None, [areas["zubair"].pk]]
    assert selection.run_by == manager
    assert not AuditEntry.objects.filter(object_type="assistance.selectionentry").exists()


def test_a_selection_is_never_changed(grants, ranked):
    selection = run(grants, quota=2)
    with pytest.raises(PermissionError):
        SelectionEntry.objects.filter(selection=selection).update(included=True)
    with pytest.raises(PermissionError):
        selection.delete()
    assert SelectionEntry.objects.filter(included=True).count() == 2


def test_a_partner_selects_among_its_own_households_only(
    areas, ngo, other_ngo, programme, version, grants, mission
):
    ours = household(ngo, areas["zubair"], female=True)
    household(other_ngo, areas["zubair"], female=True, no_income=True)
    household(ngo, areas["karkh"], female=True)  # outside the plan's location
    reporter = member("partner_reporter", ngo)
    selection = run(grants, actor=reporter)
    assert [entry.household_id for entry in selection.entries.all()] == [ours.pk]
    with pytest.raises(PermissionDenied):
        run(grants, actor=member("partner_reporter", other_ngo))
    assert Selection.objects.count() == 1
    assert list(selectors.selections(reporter, grants)) == [selection]
    assert selectors.latest_selection(member("partner_reporter", other_ngo), grants) is None
    entries = selectors.selection_entries(member("programme_manager", mission), selection)
    assert [entry.household for entry in entries] == [ours]
    assert list(selectors.selection_entries(reporter, selection, included=False)) == []


@pytest.mark.parametrize(
    ("parameters", "field", "message"),
    [
        ({"statuses": []}, "statuses", "Choose at least one household status."),
        ({"statuses": ["displaced", "lost"]}, "statuses", "Unknown household statuses: lost."),
        ({"quota": 0}, "quota", "at least 1"),
        ({"quota": "many"}, "quota", "at least 1"),
        ({"budget": -5}, "budget", "above zero"),
        ({"minimum_category": "critical"}, "minimum_category", "Choose high, medium or low."),
        ({"as_of": "2026-03-01"}, "as_of", "Give the date to score on."),
    ],
)
def test_bad_parameters_are_refused_by_field(grants, ranked, parameters, field, message):
    with pytest.raises(ValidationError) as refused:
        run(grants, **parameters)
    assert message in refused.value.message_dict[field][0]
    assert not Selection.objects.exists()


def test_areas_must_lie_within_the_plan_s_location(grants, areas):
    with pytest.raises(ValidationError) as refused:
        run(grants, areas=[areas["zubair"], areas["karkh"]])
    assert refused.value.message_dict["areas"] == [
        "Al-Karkh lie outside the plan's location, Al-Basrah."
    ]


def test_plans_without_criteria_or_closed_are_refused(areas, ngo, programme, grants):
    bare = plan(ngo, programme, areas["basrah"], code="PHSS-BARE")
    with pytest.raises(ValidationError, match="vulnerability criteria first"):
        run(bare)
    closed = services.plan_close(actor=None, plan=grants)
    with pytest.raises(ValidationError, match="This plan is closed"):
        run(closed)
    assert not Selection.objects.exists()
