"""What recording one receipt costs in queries — the hot path of a distribution day — pinned so
it cannot grow back: the item with its plan (and the permission), the household in scope, the
links, the lock, the receipts of the cycle, the receipt and its audit row, within one savepoint.
Cutting the queries kept the validation: the rules the write no longer asks the database again
are each made sure of before writing, and the database still enforces them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from marsad.assistance import receipts, services
from marsad.assistance.models import Receipt
from marsad.core.models import AuditEntry
from marsad.core.scoping import membership_scopes
from marsad.registry import services as registry
from marsad.registry.models import Household
from tests.assistance.factories import FOOD, GRANT, household, plan, receipt
from tests.factories import member

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 2, 1)
# SAVEPOINT, item + plan + programme + partner (scoped), household (scoped, with its area),
# links, lock, receipts of the cycle, INSERT receipt, INSERT audit row, RELEASE SAVEPOINT.
RECORD_QUERIES = 9


@pytest.fixture
def grants(areas, ngo, programme):
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD])


@pytest.fixture
def reporter(ngo):
    user = member("partner_reporter", ngo, username="reporter")
    membership_scopes(user)  # read once per request, not per receipt
    return user


def record(grants, target, actor, **extra):
    return services.receipt_record(
        actor=actor,
        plan=grants,
        item=grants.items.get(assistance_type="food_parcel"),
        household=Household.objects.get(pk=target.pk),  # as a view or import reads it
        received_on=ON,
        **extra,
    )


def test_recording_a_receipt_takes_a_fixed_few_queries(
    grants, areas, ngo, reporter, django_assert_num_queries
):
    family = household(ngo, areas["zubair"], female=True)
    item = grants.items.get(assistance_type="food_parcel")
    fresh = Household.objects.get(pk=family.pk)
    with django_assert_num_queries(RECORD_QUERIES):
        recorded = services.receipt_record(
            actor=reporter, plan=grants, item=item, household=fresh, received_on=ON
        )
    assert (recorded.household, recorded.recorded_by, recorded.assistance_type) == (
        family,
        reporter,
        "food_parcel",
    )
    entry = AuditEntry.objects.get(object_type="assistance.receipt")
    assert (entry.actor_username, entry.organisation_id) == ("reporter", grants.organisation_id)
    assert entry.changes["household"] == [None, family.pk]
    for _ in range(20):
        record(grants, household(ngo, areas["zubair"]), None)
    later = Household.objects.get(pk=household(ngo, areas["zubair"]).pk)
    with django_assert_num_queries(RECORD_QUERIES):
        services.receipt_record(
            actor=reporter, plan=grants, item=item, household=later, received_on=ON
        )


def test_a_refusal_costs_no_more_than_a_receipt(
    grants, areas, ngo, reporter, django_assert_max_num_queries
):
    family = household(ngo, areas["zubair"])
    record(grants, family, reporter)
    item = grants.items.get(assistance_type="food_parcel")
    fresh = Household.objects.get(pk=family.pk)
    with django_assert_max_num_queries(RECORD_QUERIES), pytest.raises(services.AlreadyAssisted):
        services.receipt_record(
            actor=reporter, plan=grants, item=item, household=fresh, received_on=ON
        )
    assert Receipt.objects.count() == 1


def test_a_linked_household_adds_one_query_per_step_of_links(
    grants, areas, ngo, reporter, django_assert_num_queries
):
    family = household(ngo, areas["zubair"])
    again = household(ngo, areas["zubair"])
    registry.person_merge(actor=None, survivor=family.members.get(), merged=again.members.get())
    item = grants.items.get(assistance_type="food_parcel")
    fresh = Household.objects.get(pk=family.pk)
    with django_assert_num_queries(RECORD_QUERIES + 1):  # the links out, then back
        services.receipt_record(
            actor=reporter, plan=grants, item=item, household=fresh, received_on=ON
        )


def test_every_constraint_skipped_before_writing_exists_and_is_enforced_by_the_database():
    names = {constraint.name for constraint in Receipt._meta.constraints}
    assert names >= receipts.CHECKED_BEFORE_WRITING
    related = {field.name for field in Receipt._meta.concrete_fields if field.is_relation}
    assert set(receipts.READ_BEFORE_WRITING) <= related
    assert "person" not in receipts.READ_BEFORE_WRITING  # only the caller read it


def test_field_rules_still_hold_on_the_short_path(grants, areas, ngo, reporter):
    family = household(ngo, areas["zubair"])
    with pytest.raises(ValidationError) as refused:
        record(grants, family, reporter, quantity="0.001")
    assert "quantity" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        record(grants, family, reporter, source_key="k" * 65)
    assert "source_key" in refused.value.message_dict
    assert not Receipt.objects.exists()


def test_a_constraint_not_made_sure_of_before_writing_is_validated(
    grants, areas, ngo, reporter, monkeypatch
):
    family = household(ngo, areas["zubair"])
    receipt(grants, family, item=grants.items.get(assistance_type="food_parcel"))
    monkeypatch.setattr(
        receipts,
        "CHECKED_BEFORE_WRITING",
        receipts.CHECKED_BEFORE_WRITING - {"receipt_once_per_cycle"},
    )
    # As if the double-assistance read had missed it: the constraint's own validation refuses.
    monkeypatch.setattr(receipts.selectors, "receipts_in_cycle", lambda *args, **kwargs: [])
    with pytest.raises(ValidationError) as refused:
        record(grants, family, reporter)
    assert "This household already received this assistance in this cycle." in str(refused.value)
    assert Receipt.objects.count() == 1
