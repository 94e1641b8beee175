"""Partners API: each role's answer on organisations, programmes, funding and focal points,
the error format, nested reads, filters and pinned query counts."""

import datetime
from decimal import Decimal

import pytest

from marsad.core.models import AuditEntry
from marsad.partners.models import Contact, Funding, Organisation, Programme
from tests.factories import (
    ContactFactory,
    FundingFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "system_admin",
    "programme_manager",
    "im_officer",
    "field_monitor",
    "case_worker",
    "border_officer",
    "partner_reporter",
    "aggregate_viewer",
]
REFERENCE_CHANGERS = {"system_admin", "im_officer"}
PROGRAMME_CHANGERS = {"system_admin", "programme_manager"}
PII_ROLES = set(ROLES) - {"aggregate_viewer"}


def login(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def field_errors(response):
    return {error["field"]: error["message"] for error in response.json()["errors"]}


# --- Organisations -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_organisations(api_client, ngo, ministry, role):
    client = login(api_client, member(role, ngo))
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["MODM", "NGO-A"]
    detail = client.get("/api/v1/organisations/MODM/")
    assert detail.status_code == 200
    assert detail.json()["name_ar"] == "وزارة الهجرة والمهجرين"


def test_user_without_membership_sees_no_organisation(api_client, ministry):
    client = login(api_client, UserFactory())
    assert client.get("/api/v1/organisations/").json()["count"] == 0
    assert client.get("/api/v1/organisations/MODM/").status_code == 404


def test_anonymous_is_refused(api_client, ministry):
    response = api_client.get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


@pytest.mark.parametrize("role", ROLES)
def test_organisation_create_by_role(api_client, ngo, role):
    client = login(api_client, member(role, ngo))
    response = client.post(
        "/api/v1/organisations/",
        {"code": "UNHCR", "kind": "un_agency", "name_en": "UNHCR", "country": "IQ"},
    )
    if role in REFERENCE_CHANGERS:
        assert response.status_code == 201
        assert response.json()["code"] == "UNHCR"
        assert AuditEntry.objects.filter(action="create", object_repr="UNHCR").count() == 1
    else:
        assert response.status_code == 403
        assert not Organisation.objects.filter(code="UNHCR").exists()
        assert not AuditEntry.objects.filter(action="create").exists()


def test_create_refusal_comes_before_validation(api_client, ngo):
    client = login(api_client, member("field_monitor", ngo))
    response = client.post("/api/v1/organisations/", {"code": "bad code"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


@pytest.mark.parametrize("role", ROLES)
def test_organisation_update_by_role(api_client, ngo, ministry, role):
    client = login(api_client, member(role, ngo))
    response = client.patch("/api/v1/organisations/MODM/", {"acronym": "MODM2"})
    ministry.refresh_from_db()
    if role in REFERENCE_CHANGERS:
        assert response.status_code == 200
        assert ministry.acronym == "MODM2"
    else:
        assert response.status_code == 403
        assert ministry.acronym == "MoDM"


def test_organisation_validation_errors_name_fields(api_client, mission):
    client = login(api_client, member("im_officer", mission))
    response = client.post(
        "/api/v1/organisations/",
        {"code": "X-1", "kind": "donor", "name_en": "X", "country": "ZZ"},
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "country": '"ZZ" is not an ISO 3166-1 alpha-2 country code, e.g. IQ or JP.'
    }
    assert not Organisation.objects.filter(code="X-1").exists()


def test_deleting_an_organisation_in_use_is_a_conflict(api_client, programme, ministry, mission):
    client = login(api_client, member("im_officer", mission))
    response = client.delete("/api/v1/organisations/MODM/")
    assert response.status_code == 409
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "code": "protected",
                "message": "MODM cannot be deleted: it is still used by 1 programme (partner "
                "ministries). Remove or reassign those first, or mark it inactive instead.",
            }
        ]
    }
    assert Organisation.objects.filter(code="MODM").exists()
    OrganisationFactory(code="UNUSED")
    assert client.delete("/api/v1/organisations/UNUSED/").status_code == 204
    assert not Organisation.objects.filter(code="UNUSED").exists()


def test_organisation_search_and_kind_filter(api_client, ngo, ministry, donor):
    client = login(api_client, member("field_monitor", ngo))
    codes = lambda url: [row["code"] for row in client.get(url).json()["results"]]  # noqa: E731
    assert codes("/api/v1/organisations/?search=الهجرة") == ["MODM"]
    assert codes("/api/v1/organisations/?search=japan") == ["JPN"]
    assert codes("/api/v1/organisations/?kind=donor") == ["JPN"]
    response = client.get("/api/v1/organisations/?kind=nonsense")
    assert response.status_code == 400
    assert list(field_errors(response)) == ["kind"]


def test_organisation_list_query_count(api_client, django_assert_num_queries, ngo):
    for number in range(5):
        OrganisationFactory(code=f"UNIT-{number}", kind="mission_unit", parent=ngo)
    client = login(api_client, member("field_monitor", ngo))
    # memberships (+ their programmes and areas), count, page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/organisations/")
    assert response.json()["count"] == 6


# --- Programmes ----------------------------------------------------------------------------------


def test_programme_nested_read(api_client, programme, ngo):
    client = login(api_client, member("partner_reporter", ngo))
    [row] = client.get("/api/v1/programmes/").json()["results"]
    assert row["lead_unit"] == "IOM-IDP"
    assert row["partner_ministries"] == ["MODM"]
    assert row["partner_ministries_detail"] == [
        {"code": "MODM", "acronym": "MoDM", "name": "Ministry of Displacement and Migration"}
    ]
    assert row["donors_detail"] == [{"code": "JPN", "acronym": "", "name": "Government of Japan"}]
    assert "funding_totals" not in row


def test_programme_names_follow_the_request_language(api_client, programme, ngo):
    client = login(api_client, member("partner_reporter", ngo))
    row = client.get("/api/v1/programmes/IDP/", HTTP_ACCEPT_LANGUAGE="ar").json()
    assert row["name"] == "برنامج النازحين"
    assert row["donors_detail"][0]["name"] == "حكومة اليابان"


def test_programme_detail_has_funding_totals(api_client, programme, donor, ngo):
    FundingFactory(programme=programme, donor=donor, amount=Decimal("100.00"))
    FundingFactory(programme=programme, donor=donor, amount=Decimal("50.50"))
    FundingFactory(programme=programme, donor=donor, amount=Decimal("7.00"), currency="EUR")
    FundingFactory(programme=programme, donor=None, kind="appeal", amount=Decimal("1000.00"))
    client = login(api_client, member("aggregate_viewer", ngo))
    totals = client.get("/api/v1/programmes/IDP/").json()["funding_totals"]
    assert totals == [
        {"kind": "appeal", "currency": "USD", "total": "1000.00", "lines": 1},
        {"kind": "contribution", "currency": "EUR", "total": "7.00", "lines": 1},
        {"kind": "contribution", "currency": "USD", "total": "150.50", "lines": 2},
    ]


def test_programme_filters(api_client, programme, mission, ministry, donor, ngo):
    ProgrammeFactory(
        code="OLD",
        lead_unit=OrganisationFactory(code="IOM-IBM", kind="mission_unit"),
        start_date=datetime.date(2004, 1, 1),
        end_date=datetime.date(2006, 12, 31),
    )
    client = login(api_client, member("field_monitor", ngo))
    codes = lambda query: [  # noqa: E731
        row["code"] for row in client.get(f"/api/v1/programmes/?{query}").json()["results"]
    ]
    assert codes("") == ["IDP", "OLD"]
    assert codes("donor=JPN") == ["IDP"]
    assert codes("ministry=MODM") == ["IDP"]
    assert codes("lead_unit=IOM-IBM") == ["OLD"]
    assert codes("active_on=2005-06-01") == ["IDP", "OLD"]
    assert codes("active_on=2010-06-01") == ["IDP"]
    assert codes("search=displaced") == ["IDP"]


@pytest.mark.parametrize("role", ROLES)
def test_programme_create_by_role(api_client, mission, ministry, donor, role):
    client = login(api_client, member(role, mission))
    response = client.post(
        "/api/v1/programmes/",
        {
            "code": "PHSS",
            "name_en": "Human security",
            "lead_unit": "IOM-IDP",
            "partner_ministries": ["MODM"],
            "donors": ["JPN"],
        },
    )
    if role in PROGRAMME_CHANGERS:
        assert response.status_code == 201
        assert response.json()["donors_detail"][0]["code"] == "JPN"
    else:
        assert response.status_code == 403
        assert not Programme.objects.filter(code="PHSS").exists()


def test_programme_domain_rules_are_field_errors(api_client, mission, ministry, donor, ngo):
    client = login(api_client, member("programme_manager", mission))
    response = client.post(
        "/api/v1/programmes/",
        {"code": "PHSS", "name_en": "P", "lead_unit": "NGO-A", "donors": ["MODM"]},
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "lead_unit": "The lead unit must be a mission unit or a UN agency; NGO-A is of kind "
        "“National NGO”.",
        "donors": "A donor must be an organisation of kind Donor; MODM is of kind "
        "“Government ministry”.",
    }
    response = client.post(
        "/api/v1/programmes/", {"code": "PHSS", "name_en": "P", "lead_unit": "NOPE"}
    )
    assert response.status_code == 400
    assert list(field_errors(response)) == ["lead_unit"]
    assert not Programme.objects.filter(code="PHSS").exists()


@pytest.mark.parametrize("role", ROLES)
def test_programme_update_by_role(api_client, programme, ngo, role):
    client = login(api_client, member(role, ngo))
    response = client.patch("/api/v1/programmes/IDP/", {"name_en": "Renamed"})
    programme.refresh_from_db()
    if role in PROGRAMME_CHANGERS:
        assert (response.status_code, programme.name_en) == (200, "Renamed")
    else:
        assert (response.status_code, programme.name_en) == (403, "IDP Programme")


def test_programme_list_query_count(api_client, django_assert_num_queries, mission, ngo):
    ministries = [OrganisationFactory(kind="government_ministry") for _ in range(3)]
    for number in range(4):
        programme = ProgrammeFactory(code=f"P{number}", lead_unit=mission)
        programme.partner_ministries.set(ministries)
    client = login(api_client, member("field_monitor", ngo))
    # memberships (+ programmes, areas), count, page, partner ministries, donors
    with django_assert_num_queries(7):
        response = client.get("/api/v1/programmes/")
    assert response.json()["count"] == 4


# --- Funding -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_funding_create_by_role(api_client, programme, ngo, role):
    client = login(api_client, member(role, ngo))
    response = client.post(
        "/api/v1/funding/",
        {"programme": "IDP", "donor": "JPN", "amount": "2500.00", "currency": "USD"},
    )
    if role in PROGRAMME_CHANGERS:
        assert response.status_code == 201
        assert response.json()["donor_name"] == "Government of Japan"
    else:
        assert response.status_code == 403
        assert Funding.objects.count() == 0


def test_funding_rules_are_field_errors(api_client, programme, ngo, mission):
    client = login(api_client, member("programme_manager", mission))
    response = client.post(
        "/api/v1/funding/",
        {"programme": "IDP", "kind": "contribution", "amount": "10", "currency": "XYZ"},
    )
    assert response.status_code == 400
    assert field_errors(response) == {
        "currency": '"XYZ" is not an ISO 4217 currency code, e.g. USD or IQD.',
        "donor": "A contribution needs its donor.",
    }
    response = client.post(
        "/api/v1/funding/", {"programme": "IDP", "donor": "NGO-A", "amount": "-5"}
    )
    assert response.status_code == 400
    assert field_errors(response) == {"amount": "Ensure this value is greater than or equal to 0."}
    response = client.post(
        "/api/v1/funding/", {"programme": "IDP", "donor": "NGO-A", "amount": "5"}
    )
    assert field_errors(response) == {
        "donor": "A donor must be an organisation of kind Donor; NGO-A is of kind “National NGO”."
    }
    assert Funding.objects.count() == 0


def test_appeal_without_donor(api_client, programme, mission):
    client = login(api_client, member("programme_manager", mission))
    response = client.post(
        "/api/v1/funding/", {"programme": "IDP", "kind": "appeal", "amount": "17000000"}
    )
    assert response.status_code == 201
    assert response.json()["donor"] is None


@pytest.mark.parametrize("role", ["programme_manager", "im_officer", "partner_reporter"])
def test_funding_update_and_delete_by_role(api_client, programme, donor, ngo, role):
    funding = FundingFactory(programme=programme, donor=donor)
    client = login(api_client, member(role, ngo))
    patched = client.patch(f"/api/v1/funding/{funding.pk}/", {"amount": "1.00"})
    deleted = client.delete(f"/api/v1/funding/{funding.pk}/")
    if role in PROGRAMME_CHANGERS:
        assert (patched.status_code, deleted.status_code) == (200, 204)
        assert Funding.objects.count() == 0
    else:
        assert (patched.status_code, deleted.status_code) == (403, 403)
        funding.refresh_from_db()
        assert funding.amount == Decimal("100000.00")


def test_funding_filters(api_client, programme, donor, ngo):
    FundingFactory(programme=programme, donor=donor, currency="EUR")
    FundingFactory(programme=programme, donor=None, kind="appeal")
    client = login(api_client, member("aggregate_viewer", ngo))
    assert client.get("/api/v1/funding/?kind=appeal").json()["count"] == 1
    assert client.get("/api/v1/funding/?donor=JPN").json()["count"] == 1
    assert client.get("/api/v1/funding/?currency=EUR").json()["count"] == 1
    assert client.get("/api/v1/funding/?programme=IDP").json()["count"] == 2


def test_funding_list_query_count(api_client, django_assert_num_queries, programme, donor, ngo):
    for number in range(5):
        FundingFactory(programme=programme, donor=donor, appeal_line=f"Line {number}")
    client = login(api_client, member("aggregate_viewer", ngo))
    # memberships (+ programmes, areas), count, page with programme and donor joined
    with django_assert_num_queries(5):
        response = client.get("/api/v1/funding/")
    assert response.json()["count"] == 5


# --- Focal points --------------------------------------------------------------------------------


@pytest.fixture
def contacts(ngo, other_ngo):
    return {
        "own": ContactFactory(organisation=ngo, full_name="Own Normal"),
        "own_restricted": ContactFactory(
            organisation=ngo, full_name="Own Restricted", sensitivity="restricted"
        ),
        "other": ContactFactory(organisation=other_ngo, full_name="Other Normal"),
    }


def test_aggregate_viewer_gets_403_on_contacts(api_client, ngo, contacts):
    client = login(api_client, member("aggregate_viewer", ngo))
    assert client.get("/api/v1/contacts/").status_code == 403
    assert client.get(f"/api/v1/contacts/{contacts['own'].pk}/").status_code == 403
    response = client.post("/api/v1/contacts/", {"organisation": "NGO-A", "full_name": "X"})
    assert response.status_code == 403
    assert Contact.objects.count() == 3


def test_partner_reporter_never_sees_another_organisations_contact(api_client, ngo, contacts):
    client = login(api_client, member("partner_reporter", ngo))
    names = [row["full_name"] for row in client.get("/api/v1/contacts/").json()["results"]]
    assert names == ["Own Normal"]
    assert client.get(f"/api/v1/contacts/{contacts['other'].pk}/").status_code == 404
    assert client.get(f"/api/v1/contacts/{contacts['own_restricted'].pk}/").status_code == 404
    response = client.patch(f"/api/v1/contacts/{contacts['other'].pk}/", {"full_name": "Mine"})
    assert response.status_code == 404
    assert client.delete(f"/api/v1/contacts/{contacts['other'].pk}/").status_code == 404
    contacts["other"].refresh_from_db()
    assert contacts["other"].full_name == "Other Normal"


@pytest.mark.parametrize("role", sorted(PII_ROLES))
def test_contact_list_by_role(api_client, ngo, contacts, role):
    client = login(api_client, member(role, ngo))
    names = {row["full_name"] for row in client.get("/api/v1/contacts/").json()["results"]}
    expected = {
        "system_admin": {"Own Normal", "Own Restricted", "Other Normal"},
        "programme_manager": {"Own Normal", "Own Restricted"},
        "im_officer": {"Own Normal", "Own Restricted"},
        "field_monitor": {"Own Normal"},
        "case_worker": {"Own Normal", "Own Restricted"},
        "border_officer": {"Own Normal", "Own Restricted"},
        "partner_reporter": {"Own Normal"},
    }
    assert names == expected[role]


def test_reading_a_restricted_contact_is_audited(api_client, ngo, contacts):
    user = member("case_worker", ngo)
    client = login(api_client, user)
    client.get("/api/v1/contacts/")
    assert not AuditEntry.objects.filter(action="read").exists()
    response = client.get(f"/api/v1/contacts/{contacts['own_restricted'].pk}/")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="read")
    assert (entry.object_type, entry.object_id, entry.actor_username) == (
        "partners.contact",
        str(contacts["own_restricted"].pk),
        user.username,
    )


def test_partner_reporter_creates_only_for_its_organisation(api_client, ngo, other_ngo):
    client = login(api_client, member("partner_reporter", ngo))
    response = client.post("/api/v1/contacts/", {"organisation": "NGO-B", "full_name": "Not mine"})
    assert response.status_code == 403
    assert not Contact.objects.exists()
    response = client.post(
        "/api/v1/contacts/",
        {"organisation": "NGO-A", "full_name": "Rana Ali", "email": "rana@example.org"},
    )
    assert response.status_code == 201
    assert response.json()["organisation"] == "NGO-A"
    assert AuditEntry.objects.filter(action="create", object_type="partners.contact").count() == 1


def test_contact_filters(api_client, ngo, contacts, areas):
    Contact.objects.filter(pk=contacts["own"].pk).update(area=areas["karkh"])
    client = login(api_client, member("im_officer", ngo))
    assert client.get("/api/v1/contacts/?area=IQG08Q03").json()["count"] == 1
    assert client.get("/api/v1/contacts/?sensitivity=restricted").json()["count"] == 1
    assert client.get("/api/v1/contacts/?search=restricted").json()["count"] == 1


def test_contact_list_query_count(api_client, django_assert_num_queries, ngo, areas):
    for number in range(5):
        ContactFactory(organisation=ngo, full_name=f"Person {number}", area=areas["karkh"])
    client = login(api_client, member("field_monitor", ngo))
    # memberships (+ programmes, areas), count, page with organisation/programme/area joined
    with django_assert_num_queries(5):
        response = client.get("/api/v1/contacts/")
    assert response.json()["count"] == 5
