"""Partners pages: English and Arabic, search and filters, role-gated forms that show the
services' errors next to the fields, focal points by scope, audited reads and exports."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from marsad.core.models import AuditEntry
from marsad.partners.models import Contact, Funding, Organisation, Programme
from tests.factories import ContactFactory, FundingFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db


def page(client, user, url, **headers):
    client.force_login(user)
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Lists and languages -------------------------------------------------------------------------


def test_organisation_list_in_english(client, ngo, ministry):
    html = page(client, member("field_monitor", ngo), reverse("partners:organisation-list"))
    assert '<html lang="en" dir="ltr">' in html
    assert "Ministry of Displacement and Migration" in html
    assert "وزارة الهجرة والمهجرين" not in html


def test_organisation_list_in_arabic_by_browser_language(client, ngo, ministry):
    html = page(
        client,
        member("field_monitor", ngo),
        reverse("partners:organisation-list"),
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert '<html lang="ar" dir="rtl">' in html
    assert "وزارة الهجرة والمهجرين" in html


def test_organisation_list_in_kurdish(client, ngo, ministry):
    html = page(
        client,
        member("field_monitor", ngo),
        reverse("partners:organisation-list"),
        HTTP_ACCEPT_LANGUAGE="ckb",
    )
    assert '<html lang="ckb" dir="rtl">' in html
    assert "وەزارەتی کۆچ و کۆچبەران" in html


def test_programme_pages_in_arabic_by_language_cookie(client, programme, ngo):
    client.cookies["django_language"] = "ar"
    html = page(client, member("partner_reporter", ngo), reverse("partners:programme-list"))
    assert 'dir="rtl"' in html
    assert "برنامج النازحين" in html
    html = page(client, member("partner_reporter", ngo), "/programmes/IDP/")
    assert "برنامج النازحين" in html
    assert "وزارة الهجرة والمهجرين" in html  # partner ministry, in Arabic
    assert "حكومة اليابان" in html  # donor, in Arabic


def test_organisation_search_and_kind_filter(client, ngo, ministry, donor):
    user = member("field_monitor", ngo)
    html = page(client, user, reverse("partners:organisation-list") + "?q=الهجرة")
    assert "MODM" in html
    assert "JPN" not in html
    html = page(client, user, reverse("partners:organisation-list") + "?kind=donor")
    assert "Government of Japan" in html
    assert "MODM" not in html


def test_organisation_list_is_paginated(client, ngo):
    for number in range(60):
        OrganisationFactory(code=f"ORG-{number:02d}", name_en=f"Org {number:02d}")
    user = member("field_monitor", ngo)
    first = page(client, user, reverse("partners:organisation-list"))
    assert "Page 1 of 2 (61 in all)" in first
    second = page(client, user, reverse("partners:organisation-list") + "?page=2")
    assert "Page 2 of 2 (61 in all)" in second


def test_programme_list_filters(client, programme, ngo):
    user = member("field_monitor", ngo)
    url = reverse("partners:programme-list")
    assert "IDP Programme" in page(client, user, url + "?donor=JPN")
    assert "IDP Programme" in page(client, user, url + "?ministry=MODM")
    assert "No programme matches." in page(client, user, url + "?q=nothing-like-this")


# --- Detail pages --------------------------------------------------------------------------------


def test_programme_detail_shows_funding_and_totals(client, programme, donor, ngo):
    FundingFactory(programme=programme, donor=donor, amount=Decimal("1000.00"))
    FundingFactory(programme=programme, donor=donor, amount=Decimal("250.00"))
    FundingFactory(programme=programme, donor=None, kind="appeal", amount=Decimal("9000.00"))
    FundingFactory(programme=programme, donor=donor, amount=Decimal("5.00"), currency="EUR")
    html = page(client, member("aggregate_viewer", ngo), "/programmes/IDP/")
    assert "Assistance to internally displaced families." in html
    assert "IDP unit" in html or "IOM IDP unit" in html
    assert "1,250.00" in html  # contributions in USD
    assert "9,000.00" in html  # the appeal
    assert "5.00" in html
    assert "EUR" in html
    assert "Add a funding line" not in html  # the aggregate viewer may not
    assert "Download (CSV)" not in html


def test_organisation_detail_lists_programmes_and_funding(client, programme, donor, ngo):
    FundingFactory(programme=programme, donor=donor, amount=Decimal("300.00"))
    html = page(client, member("field_monitor", ngo), "/organisations/JPN/")
    assert "Donor to" in html
    assert "IDP Programme" in html
    assert "Funding given" in html
    assert "300.00" in html
    html = page(client, member("field_monitor", ngo), "/organisations/IOM-IDP/")
    assert "Leads" in html
    assert "IDP Programme" in html


def test_unknown_codes_are_404(client, ngo):
    client.force_login(member("field_monitor", ngo))
    assert client.get("/organisations/NOPE/").status_code == 404
    assert client.get("/programmes/NOPE/").status_code == 404


@pytest.fixture
def focal_points(ngo, other_ngo):
    return {
        "normal": ContactFactory(organisation=ngo, full_name="Normal Person"),
        "restricted": ContactFactory(
            organisation=ngo, full_name="Restricted Person", sensitivity="restricted"
        ),
        "confidential": ContactFactory(
            organisation=ngo, full_name="Confidential Person", sensitivity="confidential"
        ),
        "other": ContactFactory(organisation=other_ngo, full_name="Other Person"),
    }


def test_focal_points_follow_scope_with_badges(client, ngo, focal_points):
    html = page(client, member("case_worker", ngo), "/organisations/NGO-A/")
    assert "Restricted Person" in html
    assert "badge-restricted" in html
    assert "Confidential Person" in html
    assert "badge-confidential" in html
    html = page(client, member("partner_reporter", ngo), "/organisations/NGO-A/")
    assert "Normal Person" in html
    assert "Restricted Person" not in html
    assert "Confidential Person" not in html
    html = page(client, member("partner_reporter", ngo), "/organisations/NGO-B/")
    assert "Other Person" not in html


def test_aggregate_viewer_sees_no_focal_points(client, ngo, focal_points):
    html = page(client, member("aggregate_viewer", ngo), "/organisations/NGO-A/")
    assert "Focal points" not in html
    assert "Normal Person" not in html
    client.force_login(member("aggregate_viewer", ngo))
    url = reverse("partners:contact-detail", args=["NGO-A", focal_points["normal"].pk])
    assert client.get(url).status_code == 403


def test_viewing_a_restricted_focal_point_is_audited(client, ngo, focal_points):
    user = member("border_officer", ngo)
    page(
        client, user, reverse("partners:contact-detail", args=["NGO-A", focal_points["normal"].pk])
    )
    assert not AuditEntry.objects.filter(action="read").exists()
    restricted = focal_points["restricted"]
    html = page(client, user, reverse("partners:contact-detail", args=["NGO-A", restricted.pk]))
    assert "Restricted Person" in html
    entry = AuditEntry.objects.get(action="read")
    assert (entry.object_type, entry.object_id, entry.actor_username) == (
        "partners.contact",
        str(restricted.pk),
        user.username,
    )


def test_focal_point_outside_scope_is_404(client, ngo, focal_points):
    client.force_login(member("partner_reporter", ngo))
    other = focal_points["other"]
    assert (
        client.get(reverse("partners:contact-detail", args=["NGO-B", other.pk])).status_code == 404
    )
    assert (
        client.get(reverse("partners:contact-detail", args=["NGO-A", other.pk])).status_code == 404
    )
    confidential = focal_points["confidential"]
    url = reverse("partners:contact-detail", args=["NGO-A", confidential.pk])
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="read").exists()


# --- Forms ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/organisations/new/", {"system_admin", "im_officer"}),
        ("/organisations/MODM/edit/", {"system_admin", "im_officer"}),
        ("/organisations/MODM/delete/", {"system_admin", "im_officer"}),
        ("/programmes/new/", {"system_admin", "programme_manager"}),
        ("/programmes/IDP/edit/", {"system_admin", "programme_manager"}),
        ("/programmes/IDP/funding/new/", {"system_admin", "programme_manager"}),
    ],
)
def test_forms_only_for_roles_allowed_to_change(client, programme, mission, url, allowed):
    for role in [
        "system_admin",
        "programme_manager",
        "im_officer",
        "field_monitor",
        "case_worker",
        "border_officer",
        "partner_reporter",
        "aggregate_viewer",
    ]:
        client.force_login(member(role, mission))
        expected = 200 if role in allowed else 403
        assert client.get(url).status_code == expected, role


def test_edit_links_are_shown_only_to_those_who_may_change(client, programme, mission):
    html = page(client, member("programme_manager", mission), "/programmes/IDP/")
    assert "/programmes/IDP/edit/" in html
    assert "/programmes/IDP/funding/new/" in html
    html = page(client, member("im_officer", mission), "/programmes/IDP/")
    assert "/programmes/IDP/edit/" not in html
    html = page(client, member("im_officer", mission), "/organisations/MODM/")
    assert "/organisations/MODM/edit/" in html
    html = page(client, member("programme_manager", mission), "/organisations/MODM/")
    assert "/organisations/MODM/edit/" not in html


def org_form(**extra):
    data = {
        "code": "UNHCR",
        "kind": "un_agency",
        "acronym": "UNHCR",
        "name_en": "UNHCR Iraq",
        "name_ar": "المفوضية",
        "name_ku": "",
        "parent": "",
        "country": "IQ",
        "website": "",
        "is_active": "on",
    }
    return {**data, **extra}


def test_organisation_create_form(client, mission):
    client.force_login(member("im_officer", mission))
    response = client.post("/organisations/new/", org_form())
    assert response.status_code == 302
    assert response["Location"] == "/organisations/UNHCR/"
    assert Organisation.objects.get(code="UNHCR").name_ar == "المفوضية"
    assert (
        AuditEntry.objects.filter(action="create", object_type="partners.organisation").count() == 1
    )


def test_organisation_form_shows_service_errors_next_to_fields(client, mission, ministry):
    client.force_login(member("im_officer", mission))
    response = client.post("/organisations/new/", org_form(code="MODM", country="ZZ"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["country"] == [
        '"ZZ" is not an ISO 3166-1 alpha-2 country code, e.g. IQ or JP.'
    ]
    assert form.errors["code"] == ["Organisation with this Code already exists."]
    html = response.content.decode()
    assert "is not an ISO 3166-1 alpha-2 country code" in html
    assert Organisation.objects.filter(code="MODM").count() == 1


def test_organisation_form_field_validation(client, mission):
    client.force_login(member("im_officer", mission))
    response = client.post("/organisations/new/", org_form(code="bad code", name_en=""))
    form = response.context["form"]
    assert set(form.errors) == {"code", "name_en"}
    assert not Organisation.objects.filter(name_en="UNHCR Iraq").exists()


def test_organisation_edit_form(client, mission, ministry):
    client.force_login(member("im_officer", mission))
    response = client.post(
        "/organisations/MODM/edit/",
        org_form(code="MODM", kind="government_ministry", name_en="Ministry of Migration"),
    )
    assert response.status_code == 302
    ministry.refresh_from_db()
    assert ministry.name_en == "Ministry of Migration"
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes["name_en"] == [
        "Ministry of Displacement and Migration",
        "Ministry of Migration",
    ]


def test_deleting_an_organisation_in_use_shows_why(client, programme, ministry, mission):
    client.force_login(member("im_officer", mission))
    response = client.post("/organisations/MODM/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/organisations/MODM/"
    html = response.content.decode()
    assert "MODM cannot be deleted: it is still used by 1 programme (partner ministries)." in html
    assert Organisation.objects.filter(code="MODM").exists()
    OrganisationFactory(code="UNUSED")
    response = client.post("/organisations/UNUSED/delete/")
    assert response["Location"] == "/organisations/"
    assert not Organisation.objects.filter(code="UNUSED").exists()


def test_programme_create_form(client, mission, ministry, donor):
    client.force_login(member("programme_manager", mission))
    response = client.post(
        "/programmes/new/",
        {
            "code": "PHSS",
            "name_en": "Human security",
            "name_ar": "الأمن البشري",
            "name_ku": "",
            "description": "",
            "lead_unit": mission.pk,
            "partner_ministries": [ministry.pk],
            "donors": [donor.pk],
            "start_date": "2008-01-01",
            "end_date": "",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(code="PHSS")
    assert list(programme.donors.all()) == [donor]


def test_programme_form_errors(client, mission, ngo):
    client.force_login(member("programme_manager", mission))
    response = client.post(
        "/programmes/new/",
        {
            "code": "PHSS",
            "name_en": "Human security",
            "lead_unit": ngo.pk,
            "start_date": "2010-01-01",
            "end_date": "2009-01-01",
        },
    )
    form = response.context["form"]
    assert list(form.errors["lead_unit"]) == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    response = client.post(
        "/programmes/new/",
        {
            "code": "PHSS",
            "name_en": "Human security",
            "lead_unit": mission.pk,
            "start_date": "2010-01-01",
            "end_date": "2009-01-01",
        },
    )
    assert response.context["form"].errors == {
        "end_date": ["The end date must not be before the start date."]
    }
    assert not Programme.objects.filter(code="PHSS").exists()


def funding_form(**extra):
    data = {
        "kind": "contribution",
        "donor": "",
        "amount": "2500.00",
        "currency": "USD",
        "period_start": "",
        "period_end": "",
        "appeal_line": "Shelter",
        "source_note": "",
    }
    return {**data, **extra}


def test_funding_create_form(client, programme, donor, mission):
    client.force_login(member("programme_manager", mission))
    response = client.post(
        "/programmes/IDP/funding/new/", funding_form(donor=donor.pk, currency="iqd")
    )
    assert response.status_code == 302
    funding = Funding.objects.get()
    assert (funding.programme, funding.currency, funding.amount) == (
        programme,
        "IQD",
        Decimal("2500.00"),
    )


def test_funding_form_errors_next_to_fields(client, programme, mission):
    client.force_login(member("programme_manager", mission))
    response = client.post("/programmes/IDP/funding/new/", funding_form(currency="XYZ"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "currency": ['"XYZ" is not an ISO 4217 currency code, e.g. USD or IQD.'],
        "donor": ["A contribution needs its donor."],
    }
    assert Funding.objects.count() == 0


def test_funding_edit_and_delete(client, programme, donor, mission):
    funding = FundingFactory(programme=programme, donor=donor)
    client.force_login(member("programme_manager", mission))
    url = reverse("partners:funding-edit", args=["IDP", funding.pk])
    response = client.post(url, funding_form(donor=donor.pk, amount="10.00"))
    assert response.status_code == 302
    funding.refresh_from_db()
    assert funding.amount == Decimal("10.00")
    client.force_login(member("im_officer", mission))
    assert (
        client.post(reverse("partners:funding-delete", args=["IDP", funding.pk])).status_code == 403
    )
    client.force_login(member("programme_manager", mission))
    assert (
        client.post(reverse("partners:funding-delete", args=["IDP", funding.pk])).status_code == 302
    )
    assert Funding.objects.count() == 0


def contact_form(**extra):
    data = {
        "full_name": "Rana Ali",
        "title": "Coordinator",
        "phone": "+964 770 1",
        "email": "",
        "programme": "",
        "area": "",
        "sensitivity": "normal",
        "notes": "",
    }
    return {**data, **extra}


def test_focal_point_create_by_partner_reporter(client, ngo, areas):
    client.force_login(member("partner_reporter", ngo))
    response = client.post("/organisations/NGO-A/focal-points/new/", contact_form(area="IQG08"))
    contact = Contact.objects.get()
    assert response["Location"] == f"/organisations/NGO-A/focal-points/{contact.pk}/"
    assert (contact.organisation, contact.area) == (ngo, areas["baghdad"])


def test_focal_point_form_errors(client, ngo, areas):
    client.force_login(member("partner_reporter", ngo))
    response = client.post(
        "/organisations/NGO-A/focal-points/new/",
        contact_form(area="IQ-NOWHERE", email="nope"),
    )
    assert response.context["form"].errors == {
        "area": ["No administrative area has this P-code."],
        "email": ["Enter a valid email address."],
    }
    response = client.post(
        "/organisations/NGO-A/focal-points/new/", contact_form(sensitivity="restricted")
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Your role may not record a focal point with this programme, area or sensitivity; "
        "choose values within your role."
    ]
    assert Contact.objects.count() == 0


def test_focal_point_forms_follow_scope(client, ngo, other_ngo, focal_points):
    client.force_login(member("partner_reporter", ngo))
    assert client.get("/organisations/NGO-B/focal-points/new/").status_code == 403
    other = focal_points["other"]
    assert client.get(reverse("partners:contact-edit", args=["NGO-B", other.pk])).status_code == 404
    client.force_login(member("aggregate_viewer", ngo))
    assert client.get("/organisations/NGO-A/focal-points/new/").status_code == 403


def test_focal_point_edit_shows_its_pcode_and_saves(client, ngo, areas):
    contact = ContactFactory(organisation=ngo, full_name="Old", area=areas["karkh"])
    client.force_login(member("partner_reporter", ngo))
    url = reverse("partners:contact-edit", args=["NGO-A", contact.pk])
    assert 'value="IQG08Q03"' in client.get(url).content.decode()
    response = client.post(url, contact_form(full_name="New", area="IQG08Q03"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.full_name == "New"
    assert (
        client.post(reverse("partners:contact-delete", args=["NGO-A", contact.pk])).status_code
        == 302
    )
    assert not Contact.objects.exists()


# --- Export --------------------------------------------------------------------------------------


def test_funding_export_is_csv_of_visible_funding_and_audited(client, programme, donor, ngo):
    FundingFactory(programme=programme, donor=donor, amount=Decimal("840000.00"))
    FundingFactory(programme=programme, donor=None, kind="appeal", appeal_line="=SUM(A1)")
    user = member("partner_reporter", ngo)
    client.force_login(user)
    response = client.get(reverse("partners:funding-export") + "?programme=IDP")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="funding-IDP-')
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2
    assert {row["amount"] for row in rows} == {"840000.00", "100000.00"}
    assert "'=SUM(A1)" in {row["appeal_line"] for row in rows}  # not run as a formula
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_username == user.username
    assert entry.context == {
        "format": "csv",
        "rows": 2,
        "programme": "IDP",
        "path": "/programmes/funding.csv",
        "method": "GET",
    }


def test_funding_export_needs_the_export_capability(client, programme, ngo):
    client.force_login(member("aggregate_viewer", ngo))
    assert client.get(reverse("partners:funding-export")).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_pages_need_sign_in(client, programme):
    response = client.get(reverse("partners:organisation-list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
