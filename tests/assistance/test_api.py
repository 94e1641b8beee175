"""Assistance API: criteria sets and versions (publishing for programme managers), plans (a
draft with its items, changes, approve and close for supervisors), selections and their
entries, receipts (201; a double assistance is a 409 naming the earlier receipt and how to
override; overrides by supervisors only), scoping (a partner reporter sees and records only its
organisation's plans, never a restricted household), fields the API does not let change, and
the report endpoints with their filters."""

import csv
import datetime
import io

import hxl
import pytest

from marsad.assistance.models import AssistancePlan, CriteriaSetVersion, Receipt, Selection
from marsad.core.models import AuditEntry
from tests.assistance.factories import (
    FOOD,
    GRANT,
    criteria_set,
    household,
    plan,
    publish,
    receipt,
)
from tests.assistance.test_reports import TOTAL, build_world, figures_of
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

BASE = "/api/v1/assistance"
ON = "2026-02-01"


@pytest.fixture
def reporter(ngo):
    return member("partner_reporter", ngo, username="reporter")


@pytest.fixture
def manager(mission):
    return member("programme_manager", mission, username="manager")


@pytest.fixture
def as_user(api_client):
    def login(user):
        api_client.force_authenticate(user)
        return api_client

    return login


@pytest.fixture
def grants(areas, ngo, programme):
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD])


@pytest.fixture
def family(areas, ngo, programme):
    """A household of the programme, so the mission's managers see it too."""
    return household(ngo, areas["zubair"], female=True, programme=programme)


def receipt_body(plan, household, **extra):
    return {
        "plan": plan.pk,
        "assistance_type": "food_parcel",
        "household": household.registration_number,
        "received_on": ON,
        "id_checked": True,
        **extra,
    }


# --- Criteria -------------------------------------------------------------------------------


def test_criteria_sets_and_versions_are_read_in_scope(
    as_user, manager, reporter, version, other_ngo
):
    client = as_user(manager)
    sets = client.get(f"{BASE}/criteria-sets/").json()["results"]
    assert [(s["name"], s["organisation"], s["latest_version"]) for s in sets] == [
        ("IOM Household Vulnerability Criteria", "IOM-IDP", 1)
    ]
    detail = client.get(f"{BASE}/criteria-sets/{sets[0]['id']}/").json()
    assert (detail["programme"], detail["is_active"]) == (None, True)
    versions = client.get(f"{BASE}/criteria-versions/", {"criteria_set": sets[0]["id"]}).json()
    first = versions["results"][0]
    assert (first["number"], first["high_min"], first["medium_min"]) == (1, 7, 4)
    assert first["criteria"][0] == {
        "position": 1,
        "rule": "female_head",
        "parameter": None,
        "weight": 3,
        "label": "",
        "display_label": "Female-headed household",
    }
    # The mission's criteria are shared with partners to select with; another partner's not.
    theirs = publish(criteria_set(other_ngo, name="NGO-B criteria"))
    partner = as_user(reporter)
    assert [row["id"] for row in partner.get(f"{BASE}/criteria-sets/").json()["results"]] == [
        version.criteria_set_id
    ]
    assert partner.get(f"{BASE}/criteria-versions/{version.pk}/").status_code == 200
    assert partner.get(f"{BASE}/criteria-versions/{theirs.pk}/").status_code == 404


def test_a_programme_manager_publishes_the_next_version(as_user, manager, version):
    body = {
        "criteria_set": version.criteria_set_id,
        "criteria": [
            {"rule": "female_head", "weight": 4},
            {"rule": "large_household", "weight": 2, "parameter": 7},
        ],
        "high_min": 5,
        "medium_min": 2,
        "note": "Larger households from eight people.",
    }
    response = as_user(manager).post(f"{BASE}/criteria-versions/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["number"], data["created_by"], data["note"]) == (
        2,
        "manager",
        "Larger households from eight people.",
    )
    assert [(c["rule"], c["weight"], c["parameter"]) for c in data["criteria"]] == [
        ("female_head", 4, None),
        ("large_household", 2, 7),
    ]
    assert CriteriaSetVersion.objects.get(number=1).criteria.count() == 13


def test_publishing_is_refused_to_others_and_bad_cutoffs_name_their_field(
    as_user, manager, mission, version
):
    body = {
        "criteria_set": version.criteria_set_id,
        "criteria": [{"rule": "female_head", "weight": 3}],
        "high_min": 2,
        "medium_min": 3,
    }
    officer = member("im_officer", mission, username="officer")
    response = as_user(officer).post(f"{BASE}/criteria-versions/", body, format="json")
    assert response.status_code == 403
    response = as_user(manager).post(f"{BASE}/criteria-versions/", body, format="json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["high_min"]
    assert CriteriaSetVersion.objects.count() == 1


# --- Plans ----------------------------------------------------------------------------------

PLAN_BODY = {
    "code": "PHSS-BA-2026-R2",
    "title": "Food parcels, Al-Zubair",
    "organisation": "NGO-A",
    "programme": "PHSS",
    "location": "IQG02Q04",
    "start_date": "2026-01-10",
    "cycle": "2026-r2",
    "items": [{"assistance_type": "food_parcel", "quantity": "1"}],
}


def test_a_partner_drafts_a_plan_with_items_and_sees_only_its_own(
    as_user, reporter, areas, other_ngo, programme
):
    theirs = plan(other_ngo, programme, areas["baghdad"], code="PHSS-BG-2026-R1")
    client = as_user(reporter)
    response = client.post(f"{BASE}/plans/", PLAN_BODY, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["cycle"], data["organisation"]) == ("draft", "2026-R2", "NGO-A")
    assert [(i["assistance_type"], i["unit"]) for i in data["items"]] == [
        ("food_parcel", "parcels")
    ]
    assert [p["code"] for p in client.get(f"{BASE}/plans/").json()["results"]] == [
        "PHSS-BA-2026-R2"
    ]
    assert client.get(f"{BASE}/plans/{theirs.pk}/").status_code == 404
    response = client.post(
        f"{BASE}/plans/", {**PLAN_BODY, "code": "X-1", "organisation": "NGO-B"}, format="json"
    )
    assert response.status_code == 403
    assert not AssistancePlan.objects.filter(code="X-1").exists()


def test_status_is_not_written_and_an_approved_plan_keeps_its_cycle(
    as_user, reporter, manager, areas, ngo, programme
):
    draft = plan(ngo, programme, areas["basrah"], approve=False)
    client = as_user(reporter)
    response = client.patch(
        f"{BASE}/plans/{draft.pk}/",
        {"title": "Bakery grants", "status": "approved"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["status"]) == ("Bakery grants", "draft")
    response = client.post(
        f"{BASE}/plans/{draft.pk}/items/",
        {"assistance_type": "hygiene_kit", "quantity": "2"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["assistance_type"] == "hygiene_kit"
    assert client.post(f"{BASE}/plans/{draft.pk}/approve/").status_code == 403
    response = as_user(manager).post(f"{BASE}/plans/{draft.pk}/approve/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approved_by"]) == ("approved", "manager")
    response = as_user(reporter).patch(
        f"{BASE}/plans/{draft.pk}/", {"cycle": "2026-R9"}, format="json"
    )
    assert response.status_code == 400
    assert "changes only its end date and notes" in response.json()["errors"][0]["message"]
    response = as_user(reporter).patch(
        f"{BASE}/plans/{draft.pk}/", {"notes": "Delivered by truck."}, format="json"
    )
    assert response.status_code == 200
    response = as_user(manager).post(f"{BASE}/plans/{draft.pk}/close/")
    assert (response.status_code, response.json()["status"]) == (200, "closed")
    assert AssistancePlan.objects.get().cycle == "2026-R1"


def test_plan_list_reads_a_fixed_number_of_queries(
    as_user, reporter, areas, ngo, programme, django_assert_num_queries
):
    for number in range(3):
        plan(ngo, programme, areas["basrah"], code=f"PHSS-{number}", items=[GRANT, FOOD])
    client = as_user(reporter)
    client.get(f"{BASE}/plans/")  # reads the user's memberships once
    with django_assert_num_queries(3):  # the count, the plans with their joins, their items
        response = client.get(f"{BASE}/plans/")
    assert response.json()["count"] == 3


# --- Selections -----------------------------------------------------------------------------


def test_run_a_selection_and_read_its_entries(as_user, manager, areas, ngo, programme, version):
    selected = household(
        ngo, areas["zubair"], female=True, no_income=True, school=True, programme=programme
    )
    left_out = household(ngo, areas["zubair"], programme=programme)
    grants = plan(ngo, programme, areas["basrah"], criteria_version=version)
    client = as_user(manager)
    response = client.post(
        f"{BASE}/plans/{grants.pk}/select/",
        {"areas": ["IQG02Q04"], "minimum_category": "medium", "as_of": "2026-03-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["considered_count"], data["included_count"], data["areas"]) == (
        2,
        1,
        ["IQG02Q04"],
    )
    assert (data["criteria_set"], data["criteria_version_number"], data["statuses"]) == (
        "IOM Household Vulnerability Criteria",
        1,
        ["displaced"],
    )
    selection = Selection.objects.get()
    detail = client.get(f"{BASE}/selections/{selection.pk}/").json()
    assert (detail["id"], detail["plan_code"], detail["run_by"]) == (
        data["id"],
        "PHSS-BA-2026-R1",
        "manager",
    )
    listed = client.get(f"{BASE}/selections/", {"plan": grants.pk}).json()["results"]
    assert [s["id"] for s in listed] == [selection.pk]
    entries = client.get(f"{BASE}/selections/{selection.pk}/entries/").json()["results"]
    assert [(e["registration_number"], e["included"], e["category"]) for e in entries] == [
        (selected.registration_number, True, "high"),
        (left_out.registration_number, False, "low"),
    ]
    assert entries[0]["score"] == 7
    assert entries[0]["summary"] == "Score 7: High vulnerability (high from 7, medium from 4)."
    fired = [(line["label"], line["points"]) for line in entries[0]["explanation"] if line["fired"]]
    assert fired == [
        ("Female-headed household", 3),
        ("No regular income", 2),
        ("Critical shelter", 2),
    ]
    excluded = client.get(
        f"{BASE}/selections/{selection.pk}/entries/", {"included": "false"}
    ).json()["results"]
    assert [(e["household"], e["reason"]) for e in excluded] == [(left_out.pk, "below_category")]
    assert excluded[0]["reason_text"] == "Below the minimum vulnerability category"


def test_selection_parameters_are_checked(as_user, manager, areas, ngo, programme, version):
    grants = plan(ngo, programme, areas["basrah"], criteria_version=version)
    client = as_user(manager)
    response = client.post(f"{BASE}/plans/{grants.pk}/select/", {"areas": ["IQG08"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "areas"
    response = client.post(f"{BASE}/plans/{grants.pk}/select/", {"areas": ["NOPE"]}, format="json")
    assert response.json()["errors"][0]["message"] == "No area has the P-code NOPE."
    assert not Selection.objects.exists()


# --- Receipts -------------------------------------------------------------------------------


def test_a_partner_records_a_receipt(as_user, reporter, grants, family):
    response = as_user(reporter).post(
        f"{BASE}/receipts/", receipt_body(grants, family), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["assistance_type"], data["cycle"], data["programme"]) == (
        "food_parcel",
        "2026-R1",
        "PHSS",
    )
    assert (data["quantity"], data["recorded_by"], data["override"]) == ("1.00", "reporter", False)
    assert data["registration_number"] == family.registration_number
    detail = as_user(reporter).get(f"{BASE}/receipts/{data['id']}/").json()
    assert (detail["plan_code"], detail["id_checked"]) == ("PHSS-BA-2026-R1", True)
    assert AuditEntry.objects.filter(object_type="assistance.receipt", action="create").count() == 1


def test_a_second_receipt_is_a_409_naming_the_earlier_one(as_user, reporter, grants, family):
    earlier = receipt(grants, family, item=grants.items.get(assistance_type="food_parcel"))
    response = as_user(reporter).post(
        f"{BASE}/receipts/", receipt_body(grants, family, received_on="2026-02-20"), format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["code"] == "already_assisted"
    assert f"receipt {earlier.pk}" in body["errors"][0]["message"]
    assert body["earlier_receipt"] == {
        "id": earlier.pk,
        "received_on": "2026-02-01",
        "assistance_type": "food_parcel",
        "cycle": "2026-R1",
        "programme": "PHSS",
        "plan": {"id": grants.pk, "code": "PHSS-BA-2026-R1", "title": grants.title},
        "household": {"id": family.pk, "registration_number": family.registration_number},
        "same_household": True,
    }
    assert body["override"]["allowed"] is False
    assert body["override"]["field"] == "override_reason"
    assert "programme manager or an IM officer" in body["override"]["how"]
    assert Receipt.objects.count() == 1


def test_only_supervisors_override(as_user, reporter, manager, grants, family):
    earlier = receipt(grants, family, item=grants.items.get(assistance_type="food_parcel"))
    body = receipt_body(
        grants, family, received_on="2026-02-20", override_reason="The first parcel was spoiled."
    )
    response = as_user(reporter).post(f"{BASE}/receipts/", body, format="json")
    assert response.status_code == 403
    assert Receipt.objects.count() == 1
    refused = as_user(manager).post(
        f"{BASE}/receipts/", {**body, "override_reason": ""}, format="json"
    )
    assert (refused.status_code, refused.json()["override"]["allowed"]) == (409, True)
    response = as_user(manager).post(f"{BASE}/receipts/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["override"], data["overrides_receipt"], data["overridden_by"]) == (
        True,
        earlier.pk,
        "manager",
    )
    assert data["override_reason"] == "The first parcel was spoiled."


def test_receipts_need_a_known_item_and_an_approved_plan(
    as_user, reporter, grants, family, areas, ngo, programme
):
    client = as_user(reporter)
    body = receipt_body(grants, family)
    del body["assistance_type"]
    response = client.post(f"{BASE}/receipts/", body, format="json")
    assert response.json()["errors"][0]["field"] == "item"
    response = client.post(f"{BASE}/receipts/", {**body, "assistance_type": "water"}, format="json")
    assert response.json()["errors"][0]["message"] == "This plan gives no such assistance."
    draft = plan(ngo, programme, areas["basrah"], code="PHSS-DRAFT", approve=False)
    response = client.post(
        f"{BASE}/receipts/",
        receipt_body(draft, family, assistance_type="livelihood_grant"),
        format="json",
    )
    assert response.status_code == 400
    assert "only for approved plans" in response.json()["errors"][0]["message"]
    assert not Receipt.objects.exists()


def test_a_partner_records_and_reads_only_for_its_own_plans_and_households(
    as_user, reporter, grants, family, areas, ngo, other_ngo, programme
):
    theirs = plan(other_ngo, programme, areas["basrah"], code="PHSS-B", items=[FOOD])
    their_family = household(other_ngo, areas["zubair"])
    hidden = household(ngo, areas["zubair"], sensitivity="restricted")
    receipt(theirs, their_family)
    receipt(grants, hidden, item=grants.items.get(assistance_type="food_parcel"))
    client = as_user(reporter)
    response = client.post(f"{BASE}/receipts/", receipt_body(theirs, family), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "plan"
    response = client.post(
        f"{BASE}/receipts/",
        receipt_body(grants, hidden, assistance_type="livelihood_grant"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "household"
    assert client.get(f"{BASE}/receipts/").json()["count"] == 0
    mission_view = as_user(member("im_officer", grants.programme.lead_unit, username="officer"))
    assert mission_view.get(f"{BASE}/receipts/").json()["count"] == 2


def test_receipt_filters_and_query_count(
    as_user, manager, grants, family, areas, ngo, django_assert_num_queries
):
    food = grants.items.get(assistance_type="food_parcel")
    grant = grants.items.get(assistance_type="livelihood_grant")
    second = household(ngo, areas["zubair"])
    receipt(grants, family, item=food)
    receipt(grants, family, item=grant, received_on=datetime.date(2026, 3, 1))
    receipt(grants, second, item=food, received_on=datetime.date(2026, 3, 2))
    client = as_user(manager)

    def ids(**query):
        return [
            r["assistance_type"] for r in client.get(f"{BASE}/receipts/", query).json()["results"]
        ]

    assert ids() == ["food_parcel", "livelihood_grant", "food_parcel"]
    assert ids(assistance_type="food_parcel", received_from="2026-03-01") == ["food_parcel"]
    assert ids(household=family.registration_number) == ["livelihood_grant", "food_parcel"]
    assert ids(partner="NGO-B") == []
    client.get(f"{BASE}/receipts/")  # reads the user's memberships once
    with django_assert_num_queries(2):  # the count, the receipts with their joins
        client.get(f"{BASE}/receipts/")


# --- Reports --------------------------------------------------------------------------------


@pytest.fixture
def world(areas, ngo, other_ngo, programme):
    return build_world(areas, ngo, other_ngo, programme)


def test_assisted_report_by_district_with_filters(as_user, manager, world):
    client = as_user(manager)
    data = client.get(f"{BASE}/reports/assisted/", {"by": "district"}).json()
    assert data["by"] == "district"
    assert [(r["parent_code"], r["code"], r["households"]) for r in data["rows"]] == [
        ("IQG02", "IQG02Q04", 2),
        ("IQG08", "IQG08Q03", 1),
    ]
    assert figures_of(data["total"]) == TOTAL
    filtered = client.get(
        f"{BASE}/reports/assisted/",
        {"by": "donor", "donor": "JP-GOV", "date_from": "2026-02-05", "area": "IQG02"},
    ).json()
    assert filtered["filters"]["donor"] == "JP-GOV"
    assert [(r["code"], r["households"], r["individuals"]) for r in filtered["rows"]] == [
        ("JP-GOV", 2, 7)
    ]
    bad = client.get(f"{BASE}/reports/assisted/", {"by": "sector", "programme": "NOPE"})
    assert bad.status_code == 400
    assert {error["field"] for error in bad.json()["errors"]} == {"by", "programme"}


def test_report_scope_and_suppression(as_user, world, ngo, settings):
    partner = as_user(member("partner_reporter", ngo, username="reporter"))
    assert partner.get(f"{BASE}/reports/assisted/").json()["total"]["households"] == 2
    settings.MARSAD_SMALL_CELL_THRESHOLD = 2
    viewer = as_user(member("aggregate_viewer", username="viewer"))
    data = viewer.get(f"{BASE}/reports/assisted/").json()
    assert [(r["households"], "withheld" in r) for r in data["rows"]] == [
        (None, True),
        (None, False),
    ]
    assert data["suppression"] == {"suppressed": True, "threshold": 2}
    assert (
        as_user(UserFactory(username="nobody")).get(f"{BASE}/reports/assisted/").status_code == 403
    )


def test_five_w_is_paginated(as_user, manager, world):
    client = as_user(manager)
    data = client.get(f"{BASE}/reports/5w/", {"page_size": 3}).json()
    assert data["count"] == 4
    assert [r["plan_code"] for r in data["results"]] == ["PHSS-BA-2026-R1"] * 3
    first = data["results"][0]
    assert (first["date_start"], first["date_end"], first["households"], first["individuals"]) == (
        "2026-02-01",
        "2026-02-28",
        1,
        2,
    )
    page_two = client.get(f"{BASE}/reports/5w/", {"page_size": 3, "page": 2}).json()
    assert [r["partner_code"] for r in page_two["results"]] == ["NGO-B"]


def test_report_export_as_hxl_and_csv(as_user, manager, world):
    client = as_user(manager)
    response = client.get(f"{BASE}/reports/export/", {"file_format": "hxl", "partner": "NGO-A"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="assistance-5w-NGO-A.hxl.csv"'
    dataset = hxl.data(hxl.input.make_input(io.BytesIO(response.content)))
    assert [row[0] for row in dataset.values] == ["NGO-A", "NGO-A", "NGO-A"]
    response = client.get(f"{BASE}/reports/export/", {"report": "programme"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:4] == ["PHSS", world.programme.name_en, "3", "8"]
    entries = AuditEntry.objects.filter(action="export", object_type="assistance.report")
    assert [(e.context["table"], e.context["channel"]) for e in entries.order_by("id")] == [
        ("5w", "api"),
        ("programme", "api"),
    ]
