"""Partners services: each domain rule, scope and audit; on refusal no row and no audit entry."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError

from marsad.core.models import AuditEntry
from marsad.partners import services
from marsad.partners.models import Contact, Funding, Organisation, Programme
from tests.factories import ContactFactory, FundingFactory, OrganisationFactory, member

pytestmark = pytest.mark.django_db


def messages_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Organisations -------------------------------------------------------------------------------


def test_organisation_create_is_audited(mission):
    actor = member("im_officer", mission)
    organisation = services.organisation_create(
        actor=actor,
        data={"code": "UNHCR", "kind": "un_agency", "name_en": "UNHCR", "country": "iq"},
    )
    assert organisation.country == "IQ"
    entry = AuditEntry.objects.get(object_type="partners.organisation", object_id=organisation.pk)
    assert (entry.action, entry.actor_username) == ("create", actor.username)
    assert entry.changes["code"] == [None, "UNHCR"]


def test_organisation_create_refused_without_reference_capability(mission, audit_count):
    actor = member("programme_manager", mission)
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=actor, data={"code": "UNHCR", "kind": "un_agency", "name_en": "UNHCR"}
        )
    assert not Organisation.objects.filter(code="UNHCR").exists()
    assert audit_count() == before


def test_organisation_country_must_be_iso_3166(audit_count):
    before = audit_count()
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(
            actor=None, data={"code": "XX", "kind": "donor", "name_en": "X", "country": "ZZ"}
        )
    assert messages_of(excinfo) == {
        "country": ['"ZZ" is not an ISO 3166-1 alpha-2 country code, e.g. IQ or JP.']
    }
    assert not Organisation.objects.filter(code="XX").exists()
    assert audit_count() == before


def test_organisation_duplicate_code_names_the_field(ministry):
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_create(
            actor=None, data={"code": "MODM", "kind": "donor", "name_en": "Again"}
        )
    assert list(messages_of(excinfo)) == ["code"]
    assert Organisation.objects.filter(code="MODM").count() == 1


def test_organisation_cannot_be_part_of_itself(mission):
    unit = OrganisationFactory(code="IOM-IBM", kind="mission_unit", parent=mission)
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_update(actor=None, instance=mission, data={"parent": unit})
    assert messages_of(excinfo) == {"parent": ["An organisation cannot be part of itself."]}
    mission.refresh_from_db()
    assert mission.parent is None


def test_organisation_update_records_before_and_after(ministry):
    actor = member("im_officer", ministry)
    services.organisation_update(actor=actor, instance=ministry, data={"acronym": "MODM"})
    entry = AuditEntry.objects.get(action="update", object_id=ministry.pk)
    assert entry.changes == {"acronym": ["MoDM", "MODM"]}


def test_update_refused_for_a_role_that_only_sees_reference_data(ministry, audit_count):
    actor = member("field_monitor", ministry)
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=actor, instance=ministry, data={"acronym": "X"})
    ministry.refresh_from_db()
    assert ministry.acronym == "MoDM"
    assert audit_count() == before


def test_deleting_an_unused_organisation(audit_count):
    organisation = OrganisationFactory(code="OLD")
    services.organisation_delete(actor=None, instance=organisation)
    assert not Organisation.objects.filter(code="OLD").exists()
    assert (
        AuditEntry.objects.filter(action="delete", object_type="partners.organisation").count() == 1
    )


def test_deleting_an_organisation_in_use_says_by_what(programme, ministry, donor, audit_count):
    before = audit_count()
    with pytest.raises(ProtectedError) as excinfo:
        services.organisation_delete(actor=None, instance=ministry)
    assert excinfo.value.args[0] == (
        "MODM cannot be deleted: it is still used by 1 programme (partner ministries). "
        "Remove or reassign those first, or mark it inactive instead."
    )
    FundingFactory(donor=donor, programme=programme)
    ContactFactory(organisation=donor)
    with pytest.raises(ProtectedError) as excinfo:
        services.organisation_delete(actor=None, instance=donor)
    assert "1 programme (donors)" in excinfo.value.args[0]
    assert "1 funding (donor)" in excinfo.value.args[0]
    assert "1 focal point (organisation)" in excinfo.value.args[0]
    assert Organisation.objects.filter(code__in=["MODM", "JPN"]).count() == 2
    assert audit_count() == before


def test_deleting_an_organisation_with_a_member_is_refused(ngo):
    member("partner_reporter", ngo)
    with pytest.raises(ProtectedError, match="1 membership"):
        services.organisation_delete(actor=None, instance=ngo)


# --- Programmes ----------------------------------------------------------------------------------


def programme_data(lead_unit, **extra):
    return {"code": "PHSS", "name_en": "Human security", "lead_unit": lead_unit, **extra}


def test_programme_create_with_partners(mission, ministry, donor):
    actor = member("programme_manager", mission)
    programme = services.programme_create(
        actor=actor,
        data=programme_data(mission, partner_ministries=[ministry], donors=[donor]),
    )
    assert list(programme.partner_ministries.values_list("code", flat=True)) == ["MODM"]
    entry = AuditEntry.objects.get(object_type="partners.programme", action="create")
    assert entry.changes["donors"] == [None, [donor.pk]]


def test_programme_lead_unit_must_be_mission_unit_or_un_agency(ngo, audit_count):
    before = audit_count()
    with pytest.raises(ValidationError) as excinfo:
        services.programme_create(actor=None, data=programme_data(ngo))
    assert messages_of(excinfo) == {
        "lead_unit": [
            "The lead unit must be a mission unit or a UN agency; NGO-A is of kind “National NGO”."
        ]
    }
    assert not Programme.objects.filter(code="PHSS").exists()
    assert audit_count() == before


def test_un_agency_may_lead():
    agency = OrganisationFactory(code="UNDP", kind="un_agency")
    assert services.programme_create(actor=None, data=programme_data(agency)).lead_unit == agency


def test_partner_ministries_must_be_government_ministries(mission, donor):
    with pytest.raises(ValidationError) as excinfo:
        services.programme_create(
            actor=None, data=programme_data(mission, partner_ministries=[donor])
        )
    assert messages_of(excinfo) == {
        "partner_ministries": [
            "Partner ministries must be government ministries; JPN is of kind “Donor”."
        ]
    }
    assert not Programme.objects.filter(code="PHSS").exists()


def test_programme_donors_must_be_donors(mission, ministry):
    with pytest.raises(ValidationError) as excinfo:
        services.programme_create(actor=None, data=programme_data(mission, donors=[ministry]))
    assert messages_of(excinfo) == {
        "donors": [
            "A donor must be an organisation of kind Donor; MODM is of kind “Government ministry”."
        ]
    }


def test_programme_end_before_start_names_end_date(mission):
    with pytest.raises(ValidationError) as excinfo:
        services.programme_create(
            actor=None,
            data=programme_data(
                mission, start_date=datetime.date(2020, 1, 1), end_date=datetime.date(2019, 1, 1)
            ),
        )
    assert messages_of(excinfo) == {"end_date": ["The end date must not be before the start date."]}


def test_programme_update_checks_the_merged_values(programme, ministry, audit_count):
    before = audit_count()
    with pytest.raises(ValidationError) as excinfo:
        services.programme_update(actor=None, instance=programme, data={"donors": [ministry]})
    assert list(messages_of(excinfo)) == ["donors"]
    assert list(programme.donors.values_list("code", flat=True)) == ["JPN"]
    assert audit_count() == before


def test_programme_change_needs_the_programmes_capability(programme, mission, audit_count):
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.programme_update(
            actor=member("im_officer", mission), instance=programme, data={"name_en": "X"}
        )
    services.programme_update(
        actor=member("programme_manager", mission), instance=programme, data={"name_en": "X"}
    )
    programme.refresh_from_db()
    assert programme.name_en == "X"
    assert audit_count() == before + 1


def test_programme_with_funding_cannot_be_deleted(programme):
    FundingFactory(programme=programme, donor=programme.donors.get())
    with pytest.raises(ProtectedError, match=r"1 funding \(programme\)"):
        services.programme_delete(actor=None, instance=programme)
    assert Programme.objects.filter(code="IDP").exists()


# --- Funding -------------------------------------------------------------------------------------


def funding_data(programme, **extra):
    return {"programme": programme, "amount": Decimal("1000.00"), **extra}


def test_contribution_is_created_and_audited(programme, donor, mission):
    actor = member("programme_manager", mission)
    funding = services.funding_create(
        actor=actor, data=funding_data(programme, donor=donor, currency="jpy")
    )
    assert (funding.kind, funding.currency) == ("contribution", "JPY")
    assert AuditEntry.objects.filter(object_type="partners.funding", action="create").count() == 1


def test_contribution_needs_a_donor(programme, audit_count):
    before = audit_count()
    with pytest.raises(ValidationError) as excinfo:
        services.funding_create(actor=None, data=funding_data(programme, kind="contribution"))
    assert messages_of(excinfo) == {"donor": ["A contribution needs its donor."]}
    assert Funding.objects.count() == 0
    assert audit_count() == before


def test_appeal_needs_no_donor(programme):
    funding = services.funding_create(actor=None, data=funding_data(programme, kind="appeal"))
    assert funding.donor is None


def test_funding_donor_must_be_a_donor(programme, ministry):
    with pytest.raises(ValidationError) as excinfo:
        services.funding_create(actor=None, data=funding_data(programme, donor=ministry))
    assert messages_of(excinfo) == {
        "donor": [
            "A donor must be an organisation of kind Donor; MODM is of kind “Government ministry”."
        ]
    }
    assert Funding.objects.count() == 0


@pytest.mark.parametrize("currency", ["XYZ", "US", "dollars", ""])
def test_currency_must_be_iso_4217(programme, donor, currency):
    with pytest.raises(ValidationError) as excinfo:
        services.funding_create(
            actor=None, data=funding_data(programme, donor=donor, currency=currency)
        )
    assert "currency" in messages_of(excinfo)
    assert Funding.objects.count() == 0


def test_currency_error_message(programme, donor):
    with pytest.raises(ValidationError) as excinfo:
        services.funding_create(
            actor=None, data=funding_data(programme, donor=donor, currency="XYZ")
        )
    assert messages_of(excinfo) == {
        "currency": ['"XYZ" is not an ISO 4217 currency code, e.g. USD or IQD.']
    }


def test_funding_period_must_be_ordered(programme, donor):
    with pytest.raises(ValidationError) as excinfo:
        services.funding_create(
            actor=None,
            data=funding_data(
                programme,
                donor=donor,
                period_start=datetime.date(2020, 6, 1),
                period_end=datetime.date(2020, 1, 1),
            ),
        )
    assert messages_of(excinfo) == {"period_end": ["The period must not end before it starts."]}


def test_duplicate_appeal_line_is_refused_even_without_donor_or_dates(programme, audit_count):
    services.funding_create(
        actor=None, data=funding_data(programme, kind="appeal", appeal_line="Shelter")
    )
    before = audit_count()
    with pytest.raises(ValidationError) as excinfo:
        services.funding_create(
            actor=None, data=funding_data(programme, kind="appeal", appeal_line="Shelter")
        )
    assert list(messages_of(excinfo)) == ["appeal_line"]
    assert Funding.objects.count() == 1
    assert audit_count() == before


def test_funding_update_and_delete_need_programmes_capability(programme, donor, mission):
    funding = FundingFactory(programme=programme, donor=donor)
    with pytest.raises(PermissionDenied):
        services.funding_delete(actor=member("im_officer", mission), instance=funding)
    manager = member("programme_manager", mission)
    services.funding_update(actor=manager, instance=funding, data={"amount": Decimal("5")})
    funding.refresh_from_db()
    assert funding.amount == Decimal("5.00")
    services.funding_delete(actor=manager, instance=funding)
    assert Funding.objects.count() == 0


# --- Focal points --------------------------------------------------------------------------------


def test_partner_reporter_adds_a_focal_point_of_its_organisation(ngo):
    contact = services.contact_create(
        actor=member("partner_reporter", ngo),
        data={"organisation": ngo, "full_name": "Rana Ali", "phone": "+964 770 1"},
    )
    assert AuditEntry.objects.filter(object_type="partners.contact", object_id=contact.pk).exists()


def test_partner_reporter_cannot_add_to_another_organisation(ngo, other_ngo, audit_count):
    before = audit_count()
    with pytest.raises(PermissionDenied):
        services.contact_create(
            actor=member("partner_reporter", ngo),
            data={"organisation": other_ngo, "full_name": "Rana Ali"},
        )
    assert Contact.objects.count() == 0
    assert audit_count() == before


def test_partner_reporter_cannot_record_a_restricted_focal_point(ngo):
    with pytest.raises(PermissionDenied):
        services.contact_create(
            actor=member("partner_reporter", ngo),
            data={"organisation": ngo, "full_name": "Rana Ali", "sensitivity": "restricted"},
        )
    assert Contact.objects.count() == 0


def test_contact_update_and_delete(ngo):
    actor = member("partner_reporter", ngo)
    contact = ContactFactory(organisation=ngo, full_name="Old")
    services.contact_update(actor=actor, instance=contact, data={"full_name": "New"})
    contact.refresh_from_db()
    assert contact.full_name == "New"
    services.contact_delete(actor=actor, instance=contact)
    assert not Contact.objects.exists()
    assert list(
        AuditEntry.objects.filter(object_type="partners.contact").values_list("action", flat=True)
    ) == ["delete", "update"]


def test_contact_email_is_validated(ngo):
    with pytest.raises(ValidationError) as excinfo:
        services.contact_create(
            actor=None, data={"organisation": ngo, "full_name": "A", "email": "not-an-email"}
        )
    assert list(messages_of(excinfo)) == ["email"]
