"""The demo assistance data: the mission's criteria, two plans of the seeds' programmes with a
selection each and receipts for their first beneficiaries — one refused and overridden, one
voided — all through the services; a second run adds nothing; steps without their reference
data say so."""

import io

import pytest
from django.core.management import call_command

from marsad.accounts.models import User
from marsad.assistance import selectors
from marsad.assistance.demo import DEMO_CRITERIA, DEMO_PLANS, DEMO_SET, load_demo_assistance
from marsad.assistance.models import (
    AssistancePlan,
    CriteriaSet,
    Receipt,
    Selection,
    SelectionEntry,
)
from marsad.core.models import AuditEntry
from marsad.demo.users import ensure_demo_users
from marsad.registry.demo import load_demo_registry

pytestmark = pytest.mark.django_db

CLANS = 40


@pytest.fixture
def registry(db):
    call_command("geo", "load-reference", stdout=io.StringIO())
    call_command("partners", "load-demo", stdout=io.StringIO())
    ensure_demo_users()
    load_demo_registry(clans=CLANS)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (CriteriaSet, AssistancePlan, Selection, SelectionEntry, Receipt, AuditEntry)
    }


def test_demo_assistance_is_loaded_once_through_the_services(registry):
    lines = load_demo_assistance()
    first = counts()
    criteria_set = CriteriaSet.objects.get(name=DEMO_SET)
    assert criteria_set.organisation.code == "IOM-IDP"
    version = criteria_set.versions.get()
    assert version.criteria.count() == len(DEMO_CRITERIA) == 9
    assert (version.high_min, version.medium_min) == (6, 3)
    plans = {plan.code: plan for plan in AssistancePlan.objects.all()}
    assert set(plans) == {spec.code for spec in DEMO_PLANS}
    food, grants = plans["IDP-BG-2008-R3"], plans["PHSS-BG-2008-G1"]
    assert (food.organisation.code, food.donor.code, food.programme.code) == ("ICS", "AUS", "IDP")
    assert (grants.organisation.code, grants.donor.code, grants.programme.code) == (
        "MOLSA",
        "JPN",
        "PHSS",
    )
    assert {plan.status for plan in plans.values()} == {"approved"}
    assert all(plan.criteria_version == version for plan in plans.values())
    assert Selection.objects.filter(plan=food).count() == 1
    included = set(
        SelectionEntry.objects.filter(selection__plan=food, included=True).values_list(
            "household", flat=True
        )
    )
    assert included
    assert set(food.receipts.values_list("household", flat=True)) <= included
    override = Receipt.objects.get(override=True)
    assert override.overrides_receipt.source_key == "demo-food_parcel-1"
    assert override.overridden_by.username == "admin"
    assert "fire" in override.override_reason
    voided = Receipt.objects.get(voided_at__isnull=False)
    assert voided.plan == food
    assert voided.void_reason
    assert AuditEntry.objects.filter(object_type="assistance.receipt").count() == (
        Receipt.objects.count() + 1  # the void's update
    )
    assert any("refused, then recorded as an override" in line for line in lines)

    again = load_demo_assistance()
    assert counts() == first
    assert any("selection kept" in line for line in again)

    # The partner's reporter sees its plan and the mission's criteria it was selected with.
    partner = User.objects.get(username="partner.ngo")
    assert list(selectors.plans(partner)) == [food]
    assert list(selectors.criteria_sets(partner)) == [criteria_set]
    assert selectors.receipts(partner).count() == food.receipts.count()


def test_without_the_registry_or_the_mission_the_step_says_so(db):
    assert load_demo_assistance() == ["skipped: organisation IOM-IDP is not loaded"]
    call_command("partners", "load-demo", stdout=io.StringIO())
    assert load_demo_assistance() == ["skipped: the demo registry is not loaded"]
    assert not CriteriaSet.objects.exists()
