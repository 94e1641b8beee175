"""REST API for rounds, assessments (with workflow steps), population groups, needs, intentions."""

import datetime

import pytest

from marsad.core.models import AuditEntry
from marsad.displacement.models import (
    AssessmentRound,
    Intention,
    LocationAssessment,
    PopulationGroup,
    SectorNeed,
)
from tests.displacement.factories import (
    IntentionFactory,
    LocationAssessmentFactory,
    PopulationGroupFactory,
    SectorNeedFactory,
    location,
    open_round,
    period,
)
from tests.factories import member

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def places(areas):
    return {
        **areas,
        "mansour": location("IQG08Q03L001", areas["karkh"]),
        "zubair_town": location("IQG02Q04L001", areas["zubair"]),
    }


@pytest.fixture
def round4(db):
    return open_round(4)


@pytest.fixture
def draft(round4, ngo, places):
    return LocationAssessmentFactory(
        round=round4,
        organisation=ngo,
        area=places["mansour"],
        assessed_on=datetime.date(2008, 1, 9),
    )


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.fixture
def officer(ngo):
    return member("im_officer", ngo, username="officer")


@pytest.fixture
def monitor(ngo, places):
    return member("field_monitor", ngo, areas=[places["baghdad"]], username="monitor")


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["rounds/", "assessments/", "population-groups/", "needs/", "intentions/"]
)
def test_aggregate_viewer_and_anonymous_refused(api_client, ngo, path):
    assert api_client.get(API + path).status_code in (401, 403)
    viewer = member("aggregate_viewer", ngo)
    assert as_user(api_client, viewer).get(API + path).status_code == 403


def test_other_organisation_sees_nothing(api_client, draft, other_ngo):
    PopulationGroupFactory(assessment=draft)
    outsider = as_user(api_client, member("field_monitor", other_ngo))
    assert outsider.get(API + "assessments/").json()["count"] == 0
    assert outsider.get(API + "population-groups/").json()["count"] == 0
    assert outsider.get(f"{API}assessments/{draft.pk}/").status_code == 404


# --- Rounds -----------------------------------------------------------------------------------


def test_rounds_create_update_status(api_client, officer):
    client = as_user(api_client, officer)
    response = client.post(
        API + "rounds/",
        {"number": 8, "kind": "baseline", "period_start": "2008-08-01", "period_end": "2008-08-28"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "open"
    response = client.patch(API + "rounds/8/", {"notes": "Baseline"}, format="json")
    assert response.json()["notes"] == "Baseline"
    response = client.post(API + "rounds/8/status/", {"status": "closed"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    response = client.post(API + "rounds/8/status/", {"status": "open"}, format="json")
    assert response.json()["status"] == "open"
    response = client.post(API + "rounds/8/status/", {"status": "published"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "status",
                "code": "invalid",
                "message": "Round 8 is open; it cannot go straight to published.",
            }
        ]
    }


def test_round_writes_refused_to_monitor(api_client, monitor, round4):
    client = as_user(api_client, monitor)
    assert client.get(API + "rounds/").json()["count"] == 1
    response = client.post(
        API + "rounds/",
        {"number": 8, "kind": "baseline", "period_start": "2008-08-01", "period_end": "2008-08-28"},
        format="json",
    )
    assert response.status_code == 403
    assert (
        client.post(API + "rounds/4/status/", {"status": "closed"}, format="json").status_code
        == 403
    )
    assert not AssessmentRound.objects.filter(number=8).exists()
    assert AssessmentRound.objects.get(number=4).status == "open"


# --- Assessments ------------------------------------------------------------------------------


def test_assessment_create_and_error_format(api_client, monitor, round4, places):
    client = as_user(api_client, monitor)
    body = {
        "round": 4,
        "area": "IQG08Q03L001",
        "organisation": "NGO-A",
        "assessed_on": "2008-03-03",
        "method": "key_informants",
        "key_informants": 3,
    }
    response = client.post(API + "assessments/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "assessed_on",
                "code": "invalid",
                "message": "3 March 2008 is outside round 4 (1 January – 28 January 2008).",
            }
        ]
    }
    response = client.post(
        API + "assessments/", {**body, "assessed_on": "2008-01-20"}, format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["area"], data["round"]) == ("draft", "IQG08Q03L001", 4)
    assert data["population_groups"] == []
    response = client.post(
        API + "assessments/",
        {**body, "area": "IQG02Q04L001", "assessed_on": "2008-01-20"},
        format="json",
    )
    assert response.status_code == 403
    assert LocationAssessment.objects.count() == 1


def test_assessment_list_nested_filters_and_query_count(
    api_client, officer, round4, ngo, places, django_assert_num_queries
):
    for number in range(1, 6):
        assessment = LocationAssessmentFactory(
            round=round4,
            organisation=ngo,
            area=location(f"IQG08Q03L1{number:02d}", places["karkh"]),
        )
        PopulationGroupFactory(
            assessment=assessment,
            origin_area=places["basrah"],
            displacement_period=period("2006-2008"),
            shelter_category="rented",
        )
        SectorNeedFactory(assessment=assessment)
        IntentionFactory(assessment=assessment)
    LocationAssessmentFactory(round=round4, organisation=ngo, area=places["zubair_town"])
    client = as_user(api_client, officer)
    client.get(API + "assessments/")  # warm the memberships cache of this user object
    with django_assert_num_queries(5):  # count, page, groups, needs, intentions
        response = client.get(API + "assessments/")
    data = response.json()
    assert data["count"] == 6
    first = next(item for item in data["results"] if item["area"] == "IQG08Q03L101")
    assert first["population_groups"][0]["origin_area"] == "IQG02"
    assert first["population_groups"][0]["displacement_period"] == "2006-2008"
    assert first["needs"] == [
        {"id": first["needs"][0]["id"], "sector": "food", "priority": 1, "severity": None}
    ]
    assert first["intentions"][0]["intention"] == "return"
    assert client.get(API + "assessments/?area=IQG08Q03").json()["count"] == 5
    assert client.get(API + "assessments/?area=IQG02").json()["count"] == 1
    assert client.get(API + "assessments/?round=4&status=draft").json()["count"] == 6
    assert client.get(API + "assessments/?round=5").json()["count"] == 0
    assert client.get(API + "assessments/?organisation=NGO-B").json()["count"] == 0


def test_workflow_actions(api_client, draft, monitor, officer):
    monitor_client = as_user(api_client, monitor)
    url = f"{API}assessments/{draft.pk}/"
    response = monitor_client.post(url + "submit/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "population_groups"
    PopulationGroupFactory(assessment=draft)
    assert monitor_client.post(url + "submit/").json()["status"] == "submitted"
    assert monitor_client.post(url + "validate/").status_code == 403
    assert monitor_client.patch(url, {"key_informants": 9}, format="json").status_code == 403
    officer_client = as_user(api_client, officer)
    response = officer_client.post(url + "return/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "reason"
    response = officer_client.post(url + "return/", {"reason": "Check origin"}, format="json")
    assert response.json()["status"] == "draft"
    assert AuditEntry.objects.filter(action="update").first().context["reason"] == "Check origin"
    as_user(api_client, monitor).post(url + "submit/")
    officer_client = as_user(api_client, officer)
    assert officer_client.post(url + "validate/").json()["status"] == "validated"
    response = officer_client.post(url + "publish/")
    assert response.json()["status"] == "published"
    response = officer_client.patch(url, {"key_informants": 9}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_assessment_delete_not_offered(api_client, draft, officer):
    response = as_user(api_client, officer).delete(f"{API}assessments/{draft.pk}/")
    assert response.status_code == 405
    assert LocationAssessment.objects.filter(pk=draft.pk).exists()


# --- Rows -------------------------------------------------------------------------------------


def test_population_group_crud(api_client, draft, monitor):
    client = as_user(api_client, monitor)
    response = client.post(
        API + "population-groups/",
        {
            "assessment": draft.pk,
            "population_type": "idp",
            "origin_area": "IQG02",
            "displacement_period": "2006-2008",
            "shelter_category": "camp",
            "families": 10,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["individuals"], data["individuals_estimated"]) == (50, True)
    url = f"{API}population-groups/{data['id']}/"
    response = client.patch(url, {"individuals": 7}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "individuals"
    response = client.patch(url, {"individuals": 44}, format="json")
    assert (response.json()["individuals"], response.json()["individuals_estimated"]) == (44, False)
    assert client.delete(url).status_code == 204
    assert not PopulationGroup.objects.exists()


def test_rows_refused_outside_scope(api_client, round4, ngo, places, monitor):
    basrah = LocationAssessmentFactory(round=round4, organisation=ngo, area=places["zubair_town"])
    client = as_user(api_client, monitor)
    response = client.post(
        API + "population-groups/",
        {"assessment": basrah.pk, "population_type": "idp", "families": 3},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "assessment"
    assert not PopulationGroup.objects.exists()


def test_needs_and_intentions_api(api_client, draft, monitor):
    client = as_user(api_client, monitor)
    response = client.post(
        API + "needs/", {"assessment": draft.pk, "sector": "water", "severity": 4}, format="json"
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        API + "intentions/",
        {"assessment": draft.pk, "population_type": "idp", "intention": "integrate", "families": 6},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert client.get(f"{API}needs/?assessment={draft.pk}").json()["count"] == 1
    assert client.get(API + "intentions/?round=4").json()["count"] == 1
    assert SectorNeed.objects.get().severity == 4
    assert Intention.objects.get().families == 6


def test_row_list_query_count(api_client, draft, officer, django_assert_num_queries):
    for shelter in ("rented", "camp", "hotel", "school"):
        PopulationGroupFactory(assessment=draft, shelter_category=shelter)
    client = as_user(api_client, officer)
    client.get(API + "population-groups/")
    with django_assert_num_queries(2):
        response = client.get(API + "population-groups/")
    assert response.json()["count"] == 4
