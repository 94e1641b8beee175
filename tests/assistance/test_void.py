"""Voiding a receipt recorded in error: a supervisor's correction with a reason, audited; the
receipt stays (never deleted) but no longer blocks a new receipt for the household in the cycle,
no longer counts in reports nor excludes the household from a selection. The same through the
receipt's page and the API; refused to others and to a receipt already voided."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from marsad.assistance import reports, selectors, services
from marsad.assistance.models import Receipt, SelectionEntry
from marsad.core.models import AuditAction, AuditEntry
from tests.assistance.factories import FOOD, GRANT, household, plan, receipt
from tests.assistance.test_reports import build_world
from tests.factories import member

pytestmark = pytest.mark.django_db

REASON = "Recorded for the wrong household: the parcel went to the neighbours."


@pytest.fixture
def grants(areas, ngo, programme, version):
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD], criteria_version=version)


@pytest.fixture
def family(areas, ngo, programme):
    return household(ngo, areas["zubair"], female=True, programme=programme)


@pytest.fixture
def manager(mission):
    return member("programme_manager", mission, username="manager")


@pytest.fixture
def reporter(ngo):
    return member("partner_reporter", ngo, username="reporter")


def food(plan):
    return plan.items.get(assistance_type="food_parcel")


def test_a_supervisor_voids_with_a_reason_audited_and_the_household_may_receive_again(
    grants, family, manager
):
    first = receipt(grants, family, item=food(grants))
    with pytest.raises(services.AlreadyAssisted):
        receipt(grants, family, item=food(grants))

    voided = services.receipt_void(actor=manager, receipt=first, reason=f"  {REASON} ")

    assert (voided.void_reason, voided.voided_by, voided.is_voided) == (REASON, manager, True)
    assert voided.voided_at is not None
    assert Receipt.objects.filter(pk=first.pk).exists()  # never deleted
    entry = AuditEntry.objects.get(object_type="assistance.receipt", action=AuditAction.UPDATE)
    assert entry.object_id == str(first.pk)
    assert entry.actor_username == "manager"
    assert entry.changes["void_reason"] == ["", REASON]
    assert entry.changes["voided_by"] == [None, manager.pk]
    assert (
        selectors.earlier_receipt(family, "food_parcel", "2026-R1", programme=grants.programme)
        is None
    )

    again = receipt(grants, family, item=food(grants), received_on=datetime.date(2026, 2, 3))
    assert not again.override
    assert Receipt.objects.filter(household=family).count() == 2


def test_a_voided_receipt_of_a_linked_household_no_longer_blocks(grants, family, areas, ngo):
    from marsad.registry import services as registry

    duplicate = household(ngo, areas["zubair"])
    registry.person_merge(actor=None, survivor=family.members.get(), merged=duplicate.members.get())
    first = receipt(grants, family, item=food(grants))
    with pytest.raises(services.AlreadyAssisted):
        receipt(grants, duplicate, item=food(grants))
    services.receipt_void(actor=None, receipt=first, reason=REASON)
    assert receipt(grants, duplicate, item=food(grants)).household == duplicate


@pytest.mark.parametrize("role", ["partner_reporter", "field_monitor", "case_worker"])
def test_only_supervisors_void(grants, family, ngo, role):
    first = receipt(grants, family, item=food(grants))
    with pytest.raises(PermissionDenied):
        services.receipt_void(actor=member(role, ngo), receipt=first, reason=REASON)
    first.refresh_from_db()
    assert not first.is_voided
    assert not AuditEntry.objects.filter(
        object_type="assistance.receipt", action=AuditAction.UPDATE
    ).exists()


def test_a_supervisor_of_another_organisation_may_not_void(grants, family, other_ngo):
    first = receipt(grants, family, item=food(grants))
    with pytest.raises(PermissionDenied):
        services.receipt_void(
            actor=member("programme_manager", other_ngo), receipt=first, reason=REASON
        )
    first.refresh_from_db()
    assert not first.is_voided


def test_a_reason_is_required_and_a_receipt_is_voided_once(grants, family, manager):
    first = receipt(grants, family, item=food(grants))
    with pytest.raises(ValidationError) as refused:
        services.receipt_void(actor=manager, receipt=first, reason="   ")
    assert refused.value.message_dict == {"reason": ["Say why the receipt is voided."]}
    first.refresh_from_db()
    assert not first.is_voided
    services.receipt_void(actor=manager, receipt=first, reason=REASON)
    with pytest.raises(ValidationError, match="already voided"):
        services.receipt_void(actor=manager, receipt=first, reason="Again.")
    first.refresh_from_db()
    assert first.void_reason == REASON
    assert (
        AuditEntry.objects.filter(
            object_type="assistance.receipt", action=AuditAction.UPDATE
        ).count()
        == 1
    )


def test_the_database_requires_a_reason_with_a_void(grants, family):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    first = receipt(grants, family, item=food(grants))
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.filter(pk=first.pk).update(voided_at=timezone.now())


def test_a_voided_receipt_no_longer_counts_in_reports(areas, ngo, other_ngo, programme):
    world = build_world(areas, ngo, other_ngo, programme)
    before = reports.assisted(user=None, by="governorate")["total"]
    assert (before["households"], before["individuals"], before["receipts"]) == (3, 8, 4)
    h2_food = Receipt.objects.get(household=world.h2)
    services.receipt_void(actor=None, receipt=h2_food, reason=REASON)
    after = reports.assisted(user=None, by="governorate")["total"]
    # H1's five and H3's trainee; H2 (two people on the day: the son was born later) is gone.
    assert (after["households"], after["individuals"], after["receipts"]) == (2, 6, 3)
    five_w = reports.five_w(user=None)["rows"]
    assert sum(row["receipts"] for row in five_w) == 3


def test_a_voided_receipt_no_longer_excludes_the_household_from_a_selection(
    grants, family, manager
):
    first = receipt(grants, family, item=food(grants))

    def entry():
        selection = services.selection_run(
            actor=None, plan=grants, statuses=["displaced"], as_of=datetime.date(2026, 3, 1)
        )
        return SelectionEntry.objects.get(selection=selection, household=family)

    assert (entry().included, entry().reason) == (False, "already_assisted")
    services.receipt_void(actor=manager, receipt=first, reason=REASON)
    assert entry().included


# --- The receipt's page ------------------------------------------------------------------------


def test_the_receipt_page_offers_supervisors_the_void_button(client, grants, family, manager):
    first = receipt(grants, family, item=food(grants))
    client.force_login(manager)
    page = client.get(reverse("assistance:receipt-detail", args=[first.pk]))
    assert page.status_code == 200
    assert reverse("assistance:receipt-void", args=[first.pk]) in page.content.decode()

    missing = client.post(reverse("assistance:receipt-void", args=[first.pk]), {"reason": ""})
    assert missing.status_code == 200
    assert "This field is required." in missing.content.decode()
    first.refresh_from_db()
    assert not first.is_voided

    done = client.post(
        reverse("assistance:receipt-void", args=[first.pk]), {"reason": REASON}, follow=True
    )
    assert done.redirect_chain[-1][0] == reverse("assistance:receipt-detail", args=[first.pk])
    text = done.content.decode()
    assert f"Receipt {first.pk} is voided" in text
    assert REASON in text
    assert reverse("assistance:receipt-void", args=[first.pk]) not in text  # no second void
    first.refresh_from_db()
    assert first.void_reason == REASON
    plan_page = client.get(reverse("assistance:plan-detail", args=[grants.pk])).content.decode()
    assert 'class="voided-row"' in plan_page


def test_a_reporter_sees_the_receipt_page_without_the_button_and_may_not_post(
    client, grants, family, reporter
):
    first = receipt(grants, family, item=food(grants))
    client.force_login(reporter)
    page = client.get(reverse("assistance:receipt-detail", args=[first.pk]))
    assert page.status_code == 200
    assert reverse("assistance:receipt-void", args=[first.pk]) not in page.content.decode()
    refused = client.post(reverse("assistance:receipt-void", args=[first.pk]), {"reason": REASON})
    assert refused.status_code == 403
    first.refresh_from_db()
    assert not first.is_voided


def test_another_partner_does_not_find_the_receipt(client, grants, family, other_ngo):
    first = receipt(grants, family, item=food(grants))
    client.force_login(member("programme_manager", other_ngo))
    assert client.get(reverse("assistance:receipt-detail", args=[first.pk])).status_code == 404
    refused = client.post(reverse("assistance:receipt-void", args=[first.pk]), {"reason": REASON})
    assert refused.status_code == 404


# --- The API -------------------------------------------------------------------------------------


def test_the_api_voids_for_supervisors_only(api_client, grants, family, manager, reporter):
    first = receipt(grants, family, item=food(grants))
    url = reverse("assistance-receipt-void", args=[first.pk])

    api_client.force_authenticate(reporter)
    assert api_client.post(url, {"reason": REASON}, format="json").status_code == 403

    api_client.force_authenticate(manager)
    missing = api_client.post(url, {}, format="json")
    assert missing.status_code == 400
    done = api_client.post(url, {"reason": REASON}, format="json")
    assert done.status_code == 200
    body = done.json()
    assert (body["voided"], body["voided_by"], body["void_reason"]) == (True, "manager", REASON)
    again = api_client.post(url, {"reason": REASON}, format="json")
    assert again.status_code == 400
    listed = api_client.get(reverse("assistance-receipt-list"), {"voided": "true"}).json()
    assert [row["id"] for row in listed["results"]] == [first.pk]
    standing = api_client.get(reverse("assistance-receipt-list"), {"voided": "false"}).json()
    assert standing["results"] == []
