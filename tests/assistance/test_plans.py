"""Assistance plans: creating them with their items (audited), what a plan may name (donor,
funding, criteria), the draft → approved → closed workflow and who may move it, and scoping."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.assistance import selectors, services
from marsad.assistance.models import AssistancePlan, PlanItem, PlanStatus
from marsad.core.models import AuditAction, AuditEntry
from tests.assistance.factories import FOOD, GRANT, START, criteria_set, japan, plan, publish
from tests.factories import FundingFactory, ProgrammeFactory, member

pytestmark = pytest.mark.django_db


def test_a_partner_drafts_a_plan_with_its_items_and_every_write_is_audited(
    areas, ngo, programme, mission, version
):
    reporter = member("partner_reporter", ngo, username="reporter")
    donor = japan()
    created = plan(
        ngo,
        programme,
        areas["basrah"],
        actor=reporter,
        approve=False,
        cycle=" 2026-r1 ",
        donor=donor,
        items=[GRANT, {**FOOD, "description": "Monthly food basket"}],
    )
    assert (created.status, created.cycle, created.donor) == ("draft", "2026-R1", donor)
    assert sorted(created.items.values_list("assistance_type", "quantity", "unit_value_usd")) == [
        ("food_parcel", Decimal("1.00"), None),
        ("livelihood_grant", Decimal("1.00"), Decimal("1600.00")),
    ]
    entries = AuditEntry.objects.filter(action=AuditAction.CREATE, actor_username="reporter")
    assert sorted(entries.values_list("object_type", flat=True)) == [
        "assistance.assistanceplan",
        "assistance.planitem",
        "assistance.planitem",
    ]
    logged = entries.get(object_type="assistance.assistanceplan")
    assert (logged.organisation_id, logged.changes["cycle"]) == (ngo.pk, [None, "2026-R1"])


def test_a_partner_cannot_plan_for_another_organisation(areas, ngo, other_ngo, programme):
    reporter = member("partner_reporter", other_ngo)
    with pytest.raises(PermissionDenied):
        plan(ngo, programme, areas["basrah"], actor=reporter, approve=False)
    assert not AssistancePlan.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_value_of_a_household_s_items(areas, ngo, programme):
    created = plan(
        ngo,
        programme,
        areas["basrah"],
        approve=False,
        items=[GRANT, {"assistance_type": "cash_grant", "quantity": "150"}],
    )
    assert created.cost_per_household() == Decimal("1750.00")
    services.plan_item_add(actor=None, plan=created, **FOOD)  # no value: the total is unknown
    assert created.cost_per_household() is None
    water = PlanItem(plan=created, assistance_type="water", quantity=Decimal("200"))
    assert (water.unit, water.value_per_household) == ("litres", None)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            {"assistance_type": "livelihood_grant", "quantity": 1},
            "unit_value_usd",
            "Give the value in US dollars of an in-kind grant.",
        ),
        (
            {"assistance_type": "cash_grant", "quantity": 150, "unit_value_usd": 1},
            "unit_value_usd",
            "A cash grant has no unit value",
        ),
        ({"assistance_type": "food_parcel", "quantity": 0}, "quantity", "0.01"),
        ({"assistance_type": "seeds", "quantity": 1}, "assistance_type", "not a valid choice"),
    ],
)
def test_bad_items_are_refused_by_field_and_nothing_is_saved(
    areas, ngo, programme, row, field, message
):
    with pytest.raises(ValidationError) as refused:
        plan(ngo, programme, areas["basrah"], approve=False, items=[row])
    assert message in " ".join(refused.value.message_dict[field])
    assert not AssistancePlan.objects.exists()


def test_one_item_per_assistance_type(areas, ngo, programme):
    created = plan(ngo, programme, areas["basrah"], approve=False)
    with pytest.raises(ValidationError, match="already has an item of this assistance"):
        services.plan_item_add(actor=None, plan=created, **GRANT)


def test_donor_and_funding_must_fit_the_plan(areas, ngo, programme):
    line = FundingFactory(programme=programme, donor=japan())
    created = plan(ngo, programme, areas["basrah"], approve=False, funding=line)
    assert created.donor == line.donor  # the funding line's donor, filled in
    with pytest.raises(ValidationError) as refused:
        plan(ngo, programme, areas["basrah"], approve=False, code="PHSS-2", donor=ngo)
    assert refused.value.message_dict == {"donor": ["Choose an organisation of the kind donor."]}
    elsewhere = FundingFactory(programme=ProgrammeFactory(code="CAP"))
    with pytest.raises(ValidationError) as refused:
        plan(ngo, programme, areas["basrah"], approve=False, code="PHSS-3", funding=elsewhere)
    assert refused.value.message_dict == {
        "funding": ["This funding line belongs to another programme."]
    }


def test_dates_and_cycle_are_checked(areas, ngo, programme):
    with pytest.raises(ValidationError) as refused:
        plan(
            ngo,
            programme,
            areas["basrah"],
            approve=False,
            cycle="round one!",
            end_date=START - datetime.timedelta(days=1),
        )
    errors = refused.value.message_dict
    assert "e.g. 2026-R1" in errors["cycle"][0]
    assert errors["__all__"] == ["The end date must not be before the start date."]


def test_criteria_must_be_in_the_actor_s_scope_and_in_use(
    areas, ngo, other_ngo, mission, programme, version
):
    reporter = member("partner_reporter", ngo)
    theirs = publish(criteria_set(other_ngo, name="NGO-B criteria"))
    with pytest.raises(ValidationError) as refused:
        plan(ngo, programme, areas["basrah"], actor=reporter, criteria_version=theirs)
    assert "not in your scope" in refused.value.message_dict["criteria_version"][0]
    # The mission's criteria are shared with partners: a partner selects with them.
    shared = plan(
        ngo,
        programme,
        areas["basrah"],
        actor=reporter,
        approve=False,
        code="PHSS-BA-2026-R1-NGO",
        criteria_version=version,
    )
    assert shared.criteria_version == version
    manager = member("programme_manager", mission)
    created = plan(
        ngo, programme, areas["basrah"], actor=manager, approve=False, criteria_version=version
    )
    assert created.criteria_version == version
    retired = criteria_set(mission, name="Winter NFI")
    old = publish(retired)
    services.criteria_set_update(actor=None, instance=retired, data={"is_active": False})
    with pytest.raises(ValidationError, match="retired"):
        services.plan_update(actor=manager, plan=created, data={"criteria_version": old})


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("programme_manager", True),
        ("im_officer", True),
        ("system_admin", True),
        ("field_monitor", False),
        ("partner_reporter", False),
        ("case_worker", False),
    ],
)
def test_supervisors_approve_and_close(areas, ngo, mission, programme, role, allowed):
    created = plan(ngo, programme, areas["basrah"], approve=False)
    user = member(role, mission if role != "partner_reporter" else ngo)
    if not allowed:
        with pytest.raises(PermissionDenied, match="programme manager or an IM officer"):
            services.plan_approve(actor=user, plan=created)
        assert AssistancePlan.objects.get().status == PlanStatus.DRAFT
        return
    approved = services.plan_approve(actor=user, plan=created)
    assert (approved.status, approved.approved_by) == ("approved", user)
    assert approved.approved_at is not None
    closed = services.plan_close(actor=user, plan=approved)
    assert (closed.status, closed.closed_by) == ("closed", user)
    changes = [
        entry.changes["status"]
        for entry in AuditEntry.objects.filter(
            action=AuditAction.UPDATE, object_type="assistance.assistanceplan"
        ).order_by("id")
    ]
    assert changes == [["draft", "approved"], ["approved", "closed"]]


def test_a_partner_s_own_programme_manager_supervises_only_its_own_plans(
    areas, ngo, other_ngo, programme
):
    ours = plan(ngo, programme, areas["basrah"], approve=False)
    with pytest.raises(PermissionDenied, match="You may not change this plan"):
        services.plan_approve(actor=member("programme_manager", other_ngo), plan=ours)
    assert services.plan_approve(actor=member("programme_manager", ngo), plan=ours).is_approved


def test_the_workflow_keeps_its_order(areas, ngo, programme):
    empty = plan(ngo, programme, areas["basrah"], approve=False, items=[])
    with pytest.raises(ValidationError, match="before approving"):
        services.plan_approve(actor=None, plan=empty)
    with pytest.raises(ValidationError, match="Only an approved plan is closed"):
        services.plan_close(actor=None, plan=empty)
    approved = plan(ngo, programme, areas["basrah"], code="PHSS-2")
    with pytest.raises(ValidationError, match="Only a draft plan is approved"):
        services.plan_approve(actor=None, plan=approved)


def test_an_approved_plan_changes_only_its_end_date_and_notes(areas, ngo, programme):
    approved = plan(ngo, programme, areas["basrah"])
    with pytest.raises(ValidationError, match="cycle cannot change"):
        services.plan_update(actor=None, plan=approved, data={"cycle": "2026-R2"})
    item = approved.items.get()
    with pytest.raises(ValidationError, match="Only a draft plan's items change"):
        services.plan_item_update(actor=None, item=item, data={"quantity": 2})
    with pytest.raises(ValidationError, match="Only a draft plan's items change"):
        services.plan_item_remove(actor=None, item=item)
    with pytest.raises(ValidationError, match="Only a draft plan's items change"):
        services.plan_item_add(actor=None, plan=approved, **FOOD)
    end = datetime.date(2026, 6, 30)
    changed = services.plan_update(actor=None, plan=approved, data={"end_date": end})
    assert (changed.end_date, changed.cycle) == (end, "2026-R1")
    closed = services.plan_close(actor=None, plan=changed)
    with pytest.raises(ValidationError, match="A closed plan does not change"):
        services.plan_update(actor=None, plan=closed, data={"notes": "Late note"})


def test_draft_items_change_and_are_removed_with_audit(areas, ngo, programme):
    draft = plan(ngo, programme, areas["basrah"], approve=False, items=[GRANT, FOOD])
    grant = draft.items.get(assistance_type="livelihood_grant")
    services.plan_item_update(actor=None, item=grant, data={"unit_value_usd": "1500"})
    assert PlanItem.objects.get(pk=grant.pk).unit_value_usd == Decimal("1500.00")
    food = draft.items.get(assistance_type="food_parcel")
    services.plan_item_remove(actor=None, item=food)
    assert list(draft.items.values_list("assistance_type", flat=True)) == ["livelihood_grant"]
    logged = AuditEntry.objects.filter(object_type="assistance.planitem")
    assert sorted(logged.values_list("action", flat=True)) == [
        "create",
        "create",
        "delete",
        "update",
    ]
    with pytest.raises(ValidationError, match="cannot be changed here: plan"):
        services.plan_item_update(actor=None, item=grant, data={"plan": draft})


def test_plans_are_read_in_scope(areas, ngo, other_ngo, mission, programme):
    ours = plan(ngo, programme, areas["basrah"])
    theirs = plan(other_ngo, programme, areas["baghdad"], code="PHSS-BG-2026-R1")
    assert list(selectors.plans(member("partner_reporter", ngo))) == [ours]
    assert set(selectors.plans(member("programme_manager", mission))) == {ours, theirs}
    in_baghdad = member("im_officer", mission, areas=[areas["baghdad"]])
    assert list(selectors.plans(in_baghdad)) == [theirs]
    detail = selectors.plan_detail(member("partner_reporter", ngo), ours.pk)
    assert [item.assistance_type for item in detail.items.all()] == ["livelihood_grant"]
    with pytest.raises(AssistancePlan.DoesNotExist):
        selectors.plan_detail(member("partner_reporter", other_ngo), ours.pk)
