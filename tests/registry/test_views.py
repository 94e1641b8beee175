"""Registry pages: list and search, household page, registering with the duplicates panel,
editing a household and a member."""

import pytest
from django.urls import reverse
from django.utils import translation

from marsad.core.models import AuditEntry
from marsad.registry.models import Household, Person
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def officer(ngo, areas):
    return member("case_worker", ngo, username="registrar")


@pytest.fixture
def household(areas, ngo):
    return register(
        ngo,
        areas["karkh"],
        [head(phones=["07701234567"]), head(relationship="son", given_name="علي", sex="male")],
    )


def registration(ngo, **overrides):
    data = {
        "household-organisation": ngo.pk,
        "household-area": "iqg08q03",
        "household-origin_area": "IQG02",
        "household-size": "4",
        "household-status": "displaced",
        "household-documentation_status": "unknown",
        "household-property_status": "unknown",
        "household-sensitivity": "normal",
        "household-has_income": "unknown",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "40",
        "members-0-relationship": "head",
        "members-0-given_name": "Khalid",
        "members-0-father_name": "Hamid",
        "members-0-family_name": "Al-Obaidi",
        "members-0-sex": "male",
        "members-0-birth_date": "1975",
        "members-0-document_kind": "national_id",
        "members-0-document_number": "200011112222",
        "members-0-phone": "0790 111 2233",
        "members-1-relationship": "spouse",
        "members-1-given_name": "Amal",
        "members-1-sex": "female",
        "members-1-birth_date": "14/03/1980",
        "members-1-pregnant_or_lactating": "on",
    }
    data.update(overrides)
    return data


def test_list_shows_households_in_scope(client, officer, household, areas, other_ngo):
    register(other_ngo, areas["karkh"])
    client.force_login(officer)
    response = client.get(reverse("registry:household-list"))
    page = response.content.decode()
    assert household.registration_number in page
    assert "1 household" in page
    assert "محمد جاسم علي الجبوري" in page


def test_search_in_the_other_script_lists_persons(client, officer, household):
    client.force_login(officer)
    page = client.get(reverse("registry:household-list"), {"q": "Muhammad Jasim"}).content
    page = page.decode()
    assert "1 person found" in page
    assert household.registration_number in page
    page = client.get(reverse("registry:household-list"), {"q": "0770 123 4567"}).content
    assert "1 person found" in page.decode()


def test_filters_and_bad_pcode(client, officer, household):
    client.force_login(officer)
    response = client.get(reverse("registry:household-list"), {"area": "IQG02"})
    assert "No households are registered" in response.content.decode()
    response = client.get(reverse("registry:household-list"), {"area": "XX"})
    assert "XX is not a known P-code." in response.content.decode()
    response = client.get(reverse("registry:household-list"), {"status": "displaced"})
    assert household.registration_number in response.content.decode()


def test_detail_shows_members_documents_and_sources(client, officer, household):
    client.force_login(officer)
    page = client.get(reverse("registry:household-detail", args=[household.pk])).content
    page = page.decode()
    assert "علي" in page
    assert "07701234567" in page
    assert "Registration form" in page
    assert "Registrations received" in page


def test_register_a_household(client, officer, ngo):
    client.force_login(officer)
    response = client.post(reverse("registry:household-register"), registration(ngo))
    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:household-detail", args=[household.pk])
    assert household.area.pcode == "IQG08Q03"
    assert household.origin_area.pcode == "IQG02"
    khalid = household.members.get(relationship="head")
    assert (khalid.birth_date.isoformat(), khalid.birth_date_precision) == ("1975-07-01", "year")
    assert khalid.documents.get().number_normalised == "200011112222"
    assert khalid.phones.get().number_normalised == "7901112233"
    amal = household.members.get(relationship="spouse")
    assert (amal.birth_date.isoformat(), amal.pregnant_or_lactating) == ("1980-03-14", True)
    assert household.source_records.get().payload["members"][1]["given_name"] == "Amal"
    assert AuditEntry.objects.filter(actor_username="registrar", action="create").count() >= 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"members-1-relationship": "head"}, "exactly one head; 2 members are marked as head"),
        ({"household-area": "IQG99"}, "IQG99 is not a known P-code."),
        ({"members-0-birth_date": "31/31/1980"}, "31/31/1980 is not a date"),
        ({"household-size": "1"}, "2 members are registered but the household size is 1."),
        ({"members-0-pregnant_or_lactating": "on"}, "Only a woman can be recorded as pregnant"),
        ({"members-0-document_number": ""}, "Give both the kind of document and its number"),
    ],
)
def test_register_errors_are_shown_and_nothing_saved(client, officer, ngo, overrides, message):
    client.force_login(officer)
    response = client.post(reverse("registry:household-register"), registration(ngo, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Household.objects.exists()
    assert not Person.objects.exists()


def test_register_page_has_the_duplicates_panel(client, officer):
    client.force_login(officer)
    page = client.get(reverse("registry:household-register")).content.decode()
    assert 'id="duplicates"' in page
    assert reverse("registry:possible-duplicates") in page
    assert 'id="member-template"' in page


def test_duplicates_panel_lists_candidates_across_scripts(client, officer, household):
    client.force_login(officer)
    response = client.get(
        reverse("registry:possible-duplicates"),
        {
            "members-3-given_name": "Mohammed",
            "members-3-father_name": "Jassim",
            "members-3-family_name": "Al-Jubouri",
            "members-3-birth_date": "1980",
        },
    )
    page = response.content.decode()
    assert household.registration_number in page
    assert "Given name: agrees" in page
    response = client.get(
        reverse("registry:possible-duplicates"),
        {"members-0-given_name": "Zzyzx", "members-0-father_name": "Qwerty"},
    )
    assert "Nobody registered matches these names so far." in response.content.decode()


def test_edit_household_and_person(client, officer, household):
    client.force_login(officer)
    url = reverse("registry:household-edit", args=[household.pk])
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name in form.fields
    }
    data.update(
        {
            "organisation": household.organisation.pk,
            "area": "IQG08Q03",
            "status": "returned",
            "has_income": "unknown",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    household.refresh_from_db()
    assert household.status == "returned"
    son = household.members.get(relationship="son")
    url = reverse("registry:person-edit", args=[son.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data["given_name"] = "Ali"
    data["birth_date"] = "2005-02-01"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    son.refresh_from_db()
    assert " ali" in son.search_text
    assert AuditEntry.objects.filter(object_type="registry.person", action="update").exists()


def test_restricted_household_read_is_audited(client, officer, household):
    Household.objects.filter(pk=household.pk).update(sensitivity="restricted")
    client.force_login(officer)
    client.get(reverse("registry:household-detail", args=[household.pk]))
    assert AuditEntry.objects.filter(action="read", object_type="registry.household").exists()
