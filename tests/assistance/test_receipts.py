"""Recording receipts: what is copied and audited; the refusal of a second receipt of an
assistance in a cycle — by the household or a linked one — naming the earlier receipt; a
supervisor's override and its refusal to others; partner scoping; and a double-assistance
check whose cost does not grow with the receipts stored."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from marsad.assistance import selectors, services
from marsad.assistance.models import Receipt
from marsad.core.models import AuditAction, AuditEntry
from marsad.core.scoping import membership_scopes
from marsad.linkage.models import CandidatePair, PairStatus
from marsad.registry import services as registry
from tests.assistance.factories import FOOD, GRANT, household, plan, receipt
from tests.factories import ProgrammeFactory, member

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 2, 1)
LATER = datetime.date(2026, 2, 20)


@pytest.fixture
def grants(areas, ngo, programme):
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD])


@pytest.fixture
def second_round(areas, other_ngo, programme):
    """Another partner's plan in the same programme and cycle."""
    return plan(
        other_ngo,
        programme,
        areas["basrah"],
        code="PHSS-BA-2026-R1-B",
        title="Bakery equipment grants, Al-Zubair",
    )


@pytest.fixture
def family(areas, ngo):
    return household(ngo, areas["zubair"], female=True)


def grant_item(plan):
    return plan.items.get(assistance_type="livelihood_grant")


def test_a_receipt_copies_its_plan_s_cycle_and_is_audited(grants, family, ngo):
    reporter = member("partner_reporter", ngo, username="reporter")
    head = family.members.get()
    recorded = receipt(
        grants,
        family,
        actor=reporter,
        item=grant_item(grants),
        person=head,
        id_checked=True,
        thumbprint=True,
    )
    assert (recorded.assistance_type, recorded.cycle, recorded.programme) == (
        "livelihood_grant",
        "2026-R1",
        grants.programme,
    )
    assert (recorded.quantity, recorded.person, recorded.recorded_by) == (
        Decimal("1.00"),
        head,
        reporter,
    )
    assert (recorded.id_checked, recorded.signed, recorded.thumbprint) == (True, False, True)
    assert not recorded.override
    entry = AuditEntry.objects.get(object_type="assistance.receipt")
    assert (entry.action, entry.actor_username, entry.object_id) == (
        AuditAction.CREATE,
        "reporter",
        str(recorded.pk),
    )
    assert entry.changes["household"] == [None, family.pk]
    assert entry.changes["override"] == [None, False]


def test_a_second_receipt_in_the_cycle_is_refused_naming_the_earlier_one(
    grants, second_round, family
):
    first = receipt(grants, family, item=grant_item(grants))
    audited = AuditEntry.objects.count()
    with pytest.raises(services.AlreadyAssisted) as refused:
        receipt(second_round, family, received_on=LATER)
    number = family.registration_number
    assert refused.value.messages == [
        f"Household {number} already received In-kind livelihood grant in cycle 2026-R1 of "
        f"PHSS: receipt {first.pk} on Feb. 1, 2026 under plan PHSS-BA-2026-R1 (In-kind "
        "livelihood grants, Al-Basrah). A supervisor may record this one only as an "
        "override, with a reason."
    ]
    assert refused.value.receipt == first
    assert refused.value.code == "already_assisted"
    assert isinstance(refused.value, ValidationError)
    assert list(Receipt.objects.all()) == [first]
    assert AuditEntry.objects.count() == audited


def test_the_same_assistance_is_refused_through_a_merged_duplicate(
    grants, second_round, family, areas, other_ngo
):
    again = household(other_ngo, areas["zubair"], female=True)  # registered again elsewhere
    registry.person_merge(actor=None, survivor=family.members.get(), merged=again.members.get())
    first = receipt(grants, family, item=grant_item(grants))
    with pytest.raises(services.AlreadyAssisted) as refused:
        receipt(second_round, again, received_on=LATER)
    assert refused.value.messages[0].startswith(
        f"Household {again.registration_number} is linked to household "
        f"{family.registration_number} (the same people registered again), which already "
        f"received In-kind livelihood grant in cycle 2026-R1 of PHSS: receipt {first.pk} on "
        "Feb. 1, 2026"
    )
    assert Receipt.objects.count() == 1


def test_the_same_assistance_is_refused_through_a_pair_decided_the_same(
    grants, second_round, family, areas, other_ngo
):
    again = household(other_ngo, areas["zubair"], female=True)
    CandidatePair.objects.create(
        left=family.members.get(),
        right=again.members.get(),
        match_probability=0.98,
        match_weight=8.2,
        status=PairStatus.SAME,
    )
    first = receipt(second_round, again)
    with pytest.raises(services.AlreadyAssisted) as refused:
        receipt(grants, family, item=grant_item(grants), received_on=LATER)
    assert refused.value.receipt == first
    assert f"is linked to household {again.registration_number}" in refused.value.messages[0]


def test_other_assistance_cycles_and_programmes_are_not_double_assistance(
    grants, family, areas, ngo, programme
):
    receipt(grants, family, item=grant_item(grants))
    receipt(grants, family, item=grants.items.get(assistance_type="food_parcel"))
    next_cycle = plan(ngo, programme, areas["basrah"], code="PHSS-2026-R2", cycle="2026-R2")
    receipt(next_cycle, family, received_on=LATER)
    other = plan(ngo, ProgrammeFactory(code="CAP"), areas["basrah"], code="CAP-2026-R1")
    receipt(other, family, received_on=LATER)
    assert Receipt.objects.filter(household=family).count() == 4
    assert selectors.earlier_receipt(
        family, "livelihood_grant", "2026-r1", programme=grants.programme
    ) == Receipt.objects.get(plan=grants, assistance_type="livelihood_grant")
    assert (
        selectors.earlier_receipt(family, "hygiene_kit", "2026-R1", programme=grants.programme)
        is None
    )


@pytest.mark.parametrize("role", ["programme_manager", "im_officer", "system_admin"])
def test_a_supervisor_overrides_with_a_reason_and_it_is_flagged_and_audited(
    grants, second_round, family, ngo, role
):
    first = receipt(grants, family, item=grant_item(grants))
    supervisor = member(role, ngo, username="supervisor")
    reason = "Fire destroyed the first grant's equipment; replacement agreed with the donor."
    second = receipt(
        grants, family, item=grant_item(grants), actor=supervisor, override_reason=f"  {reason} "
    )
    assert (second.override, second.override_reason, second.overridden_by) == (
        True,
        reason,
        supervisor,
    )
    assert second.overrides_receipt == first
    entry = AuditEntry.objects.get(object_type="assistance.receipt", object_id=str(second.pk))
    assert entry.actor_username == "supervisor"
    assert entry.changes["override"] == [None, True]
    assert entry.changes["override_reason"] == [None, reason]
    assert entry.changes["overrides_receipt"] == [None, first.pk]


@pytest.mark.parametrize("role", ["partner_reporter", "field_monitor", "case_worker"])
def test_an_override_is_refused_to_others(grants, family, ngo, role):
    receipt(grants, family, item=grant_item(grants))
    user = member(role, ngo)
    audited = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied, match="Only a programme manager or an IM officer"):
        receipt(grants, family, item=grant_item(grants), actor=user, override_reason="Asked")
    assert Receipt.objects.count() == 1
    assert AuditEntry.objects.count() == audited


def test_a_reason_without_an_earlier_receipt_is_no_override(grants, family):
    recorded = receipt(grants, family, override_reason="Just in case")
    assert (recorded.override, recorded.override_reason) == (False, "")


def test_a_partner_records_only_for_its_own_plans_and_households(
    grants, second_round, family, areas, ngo, other_ngo
):
    theirs = household(other_ngo, areas["zubair"])
    reporter = member("partner_reporter", ngo)
    with pytest.raises(PermissionDenied, match="only for plans of your organisation"):
        receipt(second_round, family, actor=reporter)
    with pytest.raises(PermissionDenied, match="this household"):
        receipt(grants, theirs, item=grant_item(grants), actor=reporter)
    outside = member("partner_reporter", ngo, areas=[areas["baghdad"]])
    with pytest.raises(PermissionDenied):
        receipt(grants, family, item=grant_item(grants), actor=outside)
    assert not Receipt.objects.exists()
    mine = receipt(grants, family, item=grant_item(grants), actor=reporter)
    other = receipt(second_round, theirs, actor=member("partner_reporter", other_ngo))
    assert list(selectors.receipts(reporter)) == [mine]
    assert list(selectors.receipts(member("partner_reporter", other_ngo))) == [other]
    assert list(selectors.receipts(reporter, plan=second_round)) == []


def test_receipts_only_for_approved_plans(areas, ngo, programme, family):
    draft = plan(ngo, programme, areas["basrah"], approve=False)
    with pytest.raises(ValidationError, match="only for approved plans; this plan is draft"):
        receipt(draft, family)
    closed = services.plan_close(
        actor=None, plan=plan(ngo, programme, areas["basrah"], code="PHSS-CLOSED")
    )
    with pytest.raises(ValidationError, match="this plan is closed"):
        receipt(closed, family)
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"received_on": datetime.date(2026, 1, 9)}, "received_on", "within the plan's dates"),
        ({"received_on": datetime.date(2099, 1, 1)}, "received_on", "cannot be in the future"),
        ({"received_on": "yesterday"}, "received_on", "invalid date format"),
        ({"quantity": 0}, "quantity", "0.01"),
    ],
)
def test_bad_values_are_refused_by_field(grants, family, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        receipt(grants, family, item=grant_item(grants), **changes)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Receipt.objects.exists()


def test_an_item_of_another_plan_is_refused(grants, second_round, family):
    with pytest.raises(ValidationError) as refused:
        receipt(grants, family, item=grant_item(second_round))
    assert refused.value.message_dict == {"item": ["This item belongs to another plan."]}


def test_a_course_names_its_participant_from_the_household(areas, ngo, programme, family):
    rice = plan(
        ngo,
        programme,
        areas["basrah"],
        code="PHSS-RICE-2026",
        title="Agricultural course for rice farmers",
        items=[{"assistance_type": "agricultural_course", "quantity": 1}],
    )
    with pytest.raises(ValidationError) as refused:
        receipt(rice, family)
    assert "attended the training or course" in refused.value.message_dict["person"][0]
    stranger = household(ngo, areas["zubair"]).members.get()
    with pytest.raises(ValidationError) as refused:
        receipt(rice, family, person=stranger)
    assert "is not a member of household" in refused.value.message_dict["person"][0]
    farmer = family.members.get()
    assert receipt(rice, family, person=farmer, signed=True).person == farmer


def test_an_imported_row_is_taken_once(grants, family, areas, ngo):
    receipt(grants, family, item=grant_item(grants), source_key="row-17")
    other = household(ngo, areas["zubair"])
    with pytest.raises(ValidationError) as refused:
        receipt(grants, other, item=grant_item(grants), source_key="row-17")
    assert refused.value.error_dict["source_key"][0].code == "duplicate_source_key"
    assert Receipt.objects.count() == 1


def test_the_database_refuses_a_second_receipt_that_bypasses_the_service(grants, family):
    first = receipt(grants, family, item=grant_item(grants))
    copy = {
        field.attname: getattr(first, field.attname)
        for field in Receipt._meta.concrete_fields
        if field.name not in ("id", "created_at", "updated_at")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Receipt.objects.create(**copy)


def _queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_the_double_assistance_check_costs_the_same_however_many_receipts(
    grants, family, areas, ngo, django_assert_num_queries
):
    merged = household(ngo, areas["zubair"])
    registry.person_merge(actor=None, survivor=family.members.get(), merged=merged.members.get())
    receipt(grants, family, item=grant_item(grants))
    lone = household(ngo, areas["zubair"])
    programme = grants.programme

    def check_linked():
        return selectors.earlier_receipt(merged, "livelihood_grant", "2026-R1", programme=programme)

    def check_lone():
        return selectors.earlier_receipt(lone, "livelihood_grant", "2026-R1", programme=programme)

    with django_assert_num_queries(3):  # links out, links back, the receipts
        assert check_linked().household == family
    with django_assert_num_queries(2):  # links, the receipts
        assert check_lone() is None
    supervisor = member("programme_manager", ngo)
    membership_scopes(supervisor)
    fresh = household(ngo, areas["zubair"])

    def record(target):
        return lambda: receipt(
            grants, target, item=grants.items.get(assistance_type="food_parcel"), actor=supervisor
        )

    first_cost = _queries(record(fresh))
    for _ in range(30):
        receipt(grants, household(ngo, areas["zubair"]), item=grant_item(grants))
    assert Receipt.objects.count() == 32
    with django_assert_num_queries(3):
        assert check_linked().household == family
    with django_assert_num_queries(2):
        assert check_lone() is None
    assert _queries(record(household(ngo, areas["zubair"]))) == first_cost
