"""The aggregates API: every endpoint against the hand-computed world, suppression for aggregate
viewers, query errors in the project's error format, refusals, exports audited."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from marsad.core.models import AuditEntry
from tests.displacement.test_aggregates import build_world
from tests.factories import UserFactory, member

BASE = "/api/v1/aggregates"


@pytest.fixture
def world(mission):
    return build_world(mission)


@pytest.fixture
def im(api_client, world):
    api_client.force_authenticate(member("im_officer", world.mission, username="im"))
    return api_client


@pytest.fixture
def viewer(world):
    client = APIClient()  # its own client: a test may use both the IM officer and the viewer
    client.force_authenticate(member("aggregate_viewer", username="viewer"))
    return client


def exports():
    return AuditEntry.objects.filter(action="export", object_type="displacement.assessmentround")


def test_rounds(im):
    body = im.get(f"{BASE}/rounds/").json()
    assert body["count"] == 3
    assert [r["number"] for r in body["results"]] == [3, 2, 1]
    assert body["results"][1] == {
        "number": 2,
        "kind": "location_assessment",
        "status": "published",
        "period_start": "2008-01-31",
        "period_end": "2008-02-27",
    }
    assert [r["number"] for r in im.get(f"{BASE}/rounds/?public=true").json()["results"]] == [
        2,
        1,
    ]


def test_rounds_for_an_aggregate_viewer(viewer):
    assert [r["number"] for r in viewer.get(f"{BASE}/rounds/").json()["results"]] == [2, 1]


def test_totals(im):
    body = im.get(f"{BASE}/totals/?round=2").json()
    assert body["populations"]["idp"] == {
        "label": "IDPs",
        "families": 65,
        "individuals": 386,
        "locations": 3,
        "change_families": 27,
        "change_individuals": 168,
    }
    assert body["previous_round"]["number"] == 1
    assert body["suppression"] == {"published_only": False, "suppressed": False, "threshold": None}
    # No round: the newest.
    assert im.get(f"{BASE}/totals/").json()["round"]["number"] == 3


def test_totals_public(viewer):
    body = viewer.get(f"{BASE}/totals/?round=1").json()
    assert body["populations"]["returnee"]["families"] is None
    assert body["populations"]["returnee"]["individuals"] is None
    assert body["suppression"] == {"published_only": True, "suppressed": True, "threshold": 5}


def test_admin_areas(im, viewer):
    body = im.get(f"{BASE}/admin-areas/?round=2&level=governorate&population_type=idp").json()
    assert body["count"] == 2
    assert [(r["pcode"], r["idp_families"], r["returnee_families"]) for r in body["results"]] == [
        ("IQG02", 30, 0),
        ("IQG08", 35, 0),
    ]
    body = viewer.get(f"{BASE}/admin-areas/?round=1&level=location").json()
    assert [
        (r["pcode"], r["idp_individuals"], r["returnee_families"], r["district_pcode"])
        for r in body["results"]
    ] == [("IQG02Q04L001", 48, 0, "IQG02Q04"), ("IQG08Q03L001", 170, None, "IQG08Q03")]


def test_admin_areas_within_an_area_and_paginated(im):
    body = im.get(f"{BASE}/admin-areas/?round=2&level=location&area=IQG08&page_size=1").json()
    assert body["count"] == 2
    assert [r["pcode"] for r in body["results"]] == ["IQG08Q03L001"]
    assert "page=2" in body["next"]


def test_trend(viewer):
    body = viewer.get(f"{BASE}/trend/").json()
    assert [(r["round"], r["idp_families"], r["returnee_families"]) for r in body["results"]] == [
        (1, 38, None),
        (2, 35, 12),
    ]


def test_flows(im, viewer):
    body = im.get(f"{BASE}/flows/?round=2").json()
    assert [
        (r["origin_pcode"], r["current_pcode"], r["families"], r["individuals"])
        for r in body["results"]
    ] == [("IQG08", "IQG02", 30, 180), ("IQG15", "IQG08", 29, 170), (None, "IQG08", 6, 36)]
    body = viewer.get(f"{BASE}/flows/?round=2&origin=IQG15Q01").json()
    assert [(r["families"], r["individuals"]) for r in body["results"]] == [(None, None)]


def test_shelter(viewer):
    body = viewer.get(f"{BASE}/shelter/?round=2&population_type=idp").json()
    assert [(g["group"], g["families"], g["withheld"]) for g in body["groups"]] == [
        ("camp", None, []),
        ("private", 25, []),
        ("critical", None, ["families", "individuals"]),
    ]
    assert len(body["categories"]) == 9


def test_needs(im):
    body = im.get(f"{BASE}/needs/?round=2").json()
    assert body["count"] == 20
    food = [r for r in body["results"] if r["sector"] == "food"]
    assert [
        (r["governorate_pcode"], r["priority_locations"], r["mean_severity"]) for r in food
    ] == [
        ("IQG02", 1, 3.0),
        ("IQG08", 2, 3.0),
    ]


def test_intentions(viewer):
    body = viewer.get(f"{BASE}/intentions/?round=2").json()
    assert [(r["intention"], r["families"]) for r in body["results"]] == [
        ("return", 18),
        ("integrate", 10),
        ("settle_elsewhere", 0),
        ("undecided", 7),
    ]


def test_export_hxl_is_audited(viewer):
    response = viewer.get(f"{BASE}/export/?round=1&table=governorate&file_format=hxl")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:2] == ["#adm1+code", "#adm1+name"]
    assert rows[3][0] == "IQG08"
    entry = exports().get()
    assert entry.context["channel"] == "api"
    assert entry.context["suppressed"] is True


def test_master_list_export_needs_the_export_capability(api_client, world):
    api_client.force_authenticate(member("field_monitor", world.mission, username="monitor"))
    response = api_client.get(f"{BASE}/export/?round=2&table=masterlist")
    assert response.status_code == 403
    assert not exports().exists()
    assert api_client.get(f"{BASE}/export/?round=2&table=masterlist&public=true").status_code == 200


@pytest.mark.parametrize(
    ("url", "field", "message"),
    [
        ("totals/?round=3", "round", "There is no round 3 you may see."),
        ("totals/?round=0", "round", "Ensure this value is greater than or equal to 1."),
        ("admin-areas/?level=province", "level", '"province" is not a valid choice.'),
        ("admin-areas/?area=XX", "area", "No area has the P-code XX."),
        ("flows/?origin=ZZ", "origin", "No area has the P-code ZZ."),
        ("export/?file_format=pdf", "file_format", '"pdf" is not a valid choice.'),
        (
            "intentions/?population_type=refugee",
            "population_type",
            '"refugee" is not a valid choice.',
        ),
    ],
)
def test_bad_queries(viewer, url, field, message):
    response = viewer.get(f"{BASE}/{url}")
    assert response.status_code == 400
    assert {"field": field, "code": response.json()["errors"][0]["code"], "message": message} in (
        response.json()["errors"]
    )
    assert not exports().exists()


def test_no_round_yet(api_client, mission):
    api_client.force_authenticate(member("aggregate_viewer", username="viewer"))
    response = api_client.get(f"{BASE}/totals/")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "There is no round you may see yet."
    assert api_client.get(f"{BASE}/trend/").json()["results"] == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "rounds",
        "totals",
        "admin-areas",
        "trend",
        "flows",
        "shelter",
        "needs",
        "intentions",
        "export",
    ],
)
def test_refusals(api_client, world, endpoint):
    assert api_client.get(f"{BASE}/{endpoint}/").status_code == 401
    api_client.force_authenticate(UserFactory(username="nobody"))
    assert api_client.get(f"{BASE}/{endpoint}/").status_code == 403
    assert not exports().exists()


def test_read_only(im):
    assert im.post(f"{BASE}/totals/", {}).status_code == 405
