"""Registry API: registering with members in one request, search, corrections, duplicates."""

import pytest

from marsad.core.models import AuditEntry
from marsad.registry.models import Household, SourceRecord
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db

BODY = {
    "organisation": "NGO-A",
    "area": "IQG08Q03",
    "origin_area": "IQG02",
    "size": 3,
    "status": "displaced",
    "shelter_type": "rented",
    "members": [
        {
            "relationship": "head",
            "given_name": "زينب",
            "father_name": "كاظم",
            "family_name": "الموسوي",
            "sex": "female",
            "birth_date": "1979-07-01",
            "birth_date_precision": "year",
            "marital_status": "widowed",
            "documents": [{"kind": "national_id", "number": "198877776666"}],
            "phones": ["07801234567"],
        },
        {"relationship": "son", "given_name": "حسن", "sex": "male", "separated_child": False},
    ],
}


@pytest.fixture
def officer(ngo, areas, api_client):
    user = member("case_worker", ngo)
    api_client.force_authenticate(user)
    return user


def test_register_with_members_in_one_request(api_client, officer):
    response = api_client.post("/api/v1/registry/households/", BODY, format="json")
    assert response.status_code == 201, response.data
    household = Household.objects.get()
    assert response.data["registration_number"] == household.registration_number
    assert [m["given_name"] for m in response.data["members"]] == ["زينب", "حسن"]
    assert response.data["members"][0]["phone_numbers"] == ["07801234567"]
    assert response.data["members"][0]["documents"] == [
        {"kind": "national_id", "number": "198877776666"}
    ]
    assert "kadhim" in response.data["members"][0]["names_latin"]
    assert SourceRecord.objects.get().household == household


def test_register_refuses_two_heads_with_the_rule(api_client, officer):
    body = {**BODY, "members": [BODY["members"][0], BODY["members"][0]]}
    response = api_client.post("/api/v1/registry/households/", body, format="json")
    assert response.status_code == 400
    assert "exactly one head" in str(response.data)
    assert not Household.objects.exists()


def test_search_patch_and_duplicates(api_client, officer, ngo, areas):
    household = register(ngo, areas["karkh"])
    response = api_client.get("/api/v1/registry/persons/", {"q": "Muhammad Jasim"})
    assert response.status_code == 200
    assert [p["household"] for p in response.data["results"]] == [household.pk]
    person = household.head
    response = api_client.patch(
        f"/api/v1/registry/persons/{person.pk}/", {"mother_name": "Zahra"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert AuditEntry.objects.filter(object_type="registry.person", action="update").exists()
    response = api_client.post(
        "/api/v1/registry/persons/possible-duplicates/",
        {"given_name": "Mohamed", "father_name": "Jassim", "family_name": "Al-Jubouri"},
        format="json",
    )
    assert response.status_code == 200
    assert response.data[0]["person"]["id"] == person.pk
    assert {"field": "given_name", "verdict": "agrees"} in response.data[0]["evidence"]


def test_persons_are_not_created_alone_and_sources_are_read_only(api_client, officer, ngo, areas):
    register(ngo, areas["karkh"], [head()])
    assert api_client.post("/api/v1/registry/persons/", {}, format="json").status_code == 405
    source = SourceRecord.objects.get()
    url = f"/api/v1/registry/source-records/{source.pk}/"
    assert api_client.get(url).status_code == 200
    assert api_client.patch(url, {"payload": {}}, format="json").status_code == 405
    assert api_client.delete(url).status_code == 405
