"""A household merged into another is that household for assistance: it ties the two for the
double-assistance rule, receives nothing itself, is not selected, and is counted once (as its
survivor) in the reports."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from marsad.assistance import reports, selectors, services
from marsad.registry import services as registry
from marsad.registry.models import Person
from tests.assistance.factories import AS_OF, FOOD, GRANT, household, plan, receipt

pytestmark = pytest.mark.django_db


def merge_households(survivor, merged):
    """Merge ``merged`` into ``survivor`` by the household merge alone: its head left first
    (no person merge ties the two)."""
    Person.objects.filter(household=merged).update(is_active=False)
    return registry.household_merge(actor=None, survivor=survivor, merged=merged, reason="r")


@pytest.fixture
def pair(areas, ngo):
    return household(ngo, areas["zubair"], female=True), household(ngo, areas["zubair"])


@pytest.fixture
def grants(areas, ngo, programme, version):
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD], criteria_version=version)


def test_a_household_merge_ties_the_two_households_until_undone(pair):
    kept, folded = pair
    merge = merge_households(kept, folded)
    assert selectors.linked_households([kept.pk, folded.pk]) == {
        kept.pk: {folded.pk},
        folded.pk: {kept.pk},
    }
    registry.household_merge_undo(actor=None, merge=merge)
    assert selectors.linked_households([kept.pk]) == {kept.pk: set()}


def test_links_read_in_one_pass_include_household_merges(areas, ngo, pair, monkeypatch):
    kept, folded = pair
    merge_households(kept, folded)
    monkeypatch.setattr(selectors, "LINK_SCAN_FROM", 1)
    assert selectors.linked_households([kept.pk]) == {kept.pk: {folded.pk}}


def test_what_the_merged_household_received_bars_its_survivor(grants, pair):
    kept, folded = pair
    given = receipt(grants, folded)
    merge_households(kept, folded)
    with pytest.raises(services.AlreadyAssisted) as refused:
        receipt(grants, kept)
    assert refused.value.receipt == given
    assert folded.registration_number in refused.value.messages[0]


def test_a_merged_household_receives_nothing_itself(grants, pair):
    kept, folded = pair
    merge_households(kept, folded)
    with pytest.raises(ValidationError) as refused:
        receipt(grants, folded)
    assert refused.value.message_dict["household"] == [
        f"Household {folded.registration_number} is merged into household "
        f"{kept.registration_number}: record the receipt for household "
        f"{kept.registration_number}."
    ]
    assert not grants.receipts.exists()


def test_a_selection_leaves_merged_households_out(grants, pair, areas, ngo):
    kept, folded = pair
    merge_households(kept, folded)
    chosen = services.selection_run(
        actor=None, plan=grants, statuses=["displaced", "closed"], as_of=AS_OF
    )
    assert set(chosen.entries.values_list("household_id", flat=True)) == {kept.pk}
    assert [
        snapshot.household_id for snapshot in selectors.household_snapshots(None, scoped=False)
    ] == [kept.pk]


def test_reports_count_a_merged_household_once_as_its_survivor(grants, pair):
    kept, folded = pair
    receipt(grants, folded, item=grants.items.get(assistance_type="food_parcel"))
    receipt(grants, kept, item=grants.items.get(assistance_type="livelihood_grant"))
    before = reports.assisted(user=None, by="assistance_type")["total"]
    assert (before["households"], before["individuals"], before["receipts"]) == (2, 10, 2)

    merge_households(kept, folded)

    after = reports.assisted(user=None, by="assistance_type")
    assert (after["total"]["households"], after["total"]["individuals"]) == (1, 5)
    assert after["total"]["receipts"] == 2
    food = next(row for row in after["rows"] if row["code"] == "food_parcel")
    assert (food["households"], food["women"]) == (1, 1)  # the survivor's head, a woman
    five_w = reports.five_w(user=None)
    assert sum(row["households"] for row in five_w["rows"]) == 2  # one per month and type
    assert {row["households"] for row in five_w["rows"]} == {1}


def test_the_survivor_of_a_chain_is_counted(grants, pair, areas, ngo):
    kept, folded = pair
    receipt(grants, folded, received_on=datetime.date(2026, 2, 1))
    merge_households(kept, folded)
    final = household(ngo, areas["zubair"])
    merge_households(final, kept)
    total = reports.assisted(user=None, by="governorate")["total"]
    assert (total["households"], total["individuals"]) == (1, 5)
