"""The partners admin: scoped lists, the domain rules on the forms, saves through the services."""

import pytest

from marsad.core.models import AuditEntry
from marsad.partners.models import Organisation, Programme
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, mission):
    client.force_login(member("system_admin", mission))
    return client


@pytest.mark.parametrize("model", ["organisation", "programme", "funding", "contact"])
def test_changelists_for_system_administrators(admin_client, programme, model):
    assert admin_client.get(f"/admin/partners/{model}/").status_code == 200
    assert admin_client.get(f"/admin/partners/{model}/?q=IDP").status_code == 200
    assert admin_client.get(f"/admin/partners/{model}/add/").status_code == 200


@pytest.mark.parametrize("role", ["im_officer", "programme_manager", "partner_reporter"])
def test_other_roles_are_sent_to_the_admin_login(client, mission, role):
    client.force_login(member(role, mission))
    response = client.get("/admin/partners/organisation/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_programme_admin_shows_filter_horizontal_and_limited_choices(admin_client, programme, ngo):
    html = admin_client.get(f"/admin/partners/programme/{programme.pk}/change/").content.decode()
    assert "selectfilter" in html  # filter_horizontal widgets for ministries and donors
    assert f'<option value="{ngo.pk}"' not in html  # an NGO is offered nowhere


def test_programme_admin_add_goes_through_the_services(admin_client, mission, ministry, donor):
    response = admin_client.post(
        "/admin/partners/programme/add/",
        {
            "code": "PHSS",
            "name_en": "Human security",
            "name_ar": "",
            "name_ku": "",
            "description": "",
            "lead_unit": mission.pk,
            "partner_ministries": [ministry.pk],
            "donors": [donor.pk],
            "start_date": "",
            "end_date": "",
        },
    )
    assert response.status_code == 302
    programme = Programme.objects.get(code="PHSS")
    assert list(programme.partner_ministries.all()) == [ministry]
    entry = AuditEntry.objects.get(action="create", object_type="partners.programme")
    assert entry.changes["partner_ministries"] == [None, [ministry.pk]]


def test_organisation_admin_shows_rule_errors(admin_client):
    response = admin_client.post(
        "/admin/partners/organisation/add/",
        {
            "code": "XX",
            "kind": "donor",
            "acronym": "",
            "name_en": "X",
            "name_ar": "",
            "name_ku": "",
            "parent": "",
            "country": "ZZ",
            "website": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "country": ['"ZZ" is not an ISO 3166-1 alpha-2 country code, e.g. IQ or JP.']
    }
    assert not Organisation.objects.filter(code="XX").exists()


def test_funding_admin_checks_the_donor(admin_client, programme, ministry):
    response = admin_client.post(
        "/admin/partners/funding/add/",
        {
            "kind": "contribution",
            "donor": ministry.pk,
            "programme": programme.pk,
            "amount": "10",
            "currency": "USD",
            "period_start": "",
            "period_end": "",
            "appeal_line": "",
            "source_note": "",
        },
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["donor"]


def test_admin_refuses_to_delete_a_ministry_still_partnered(admin_client, programme, ministry):
    url = f"/admin/partners/organisation/{ministry.pk}/delete/"
    html = admin_client.get(url).content.decode()
    assert "1 programme (partner ministries)" in html
    admin_client.post(url, {"post": "yes"})
    assert Organisation.objects.filter(code="MODM").exists()
