"""The one scoping function: each role, in and out of its organisation, programmes and areas."""

import pytest

from marsad.core.scoping import CHANGE, VIEW, can, can_create, scope
from marsad.partners.models import Contact
from tests.factories import (
    ContactFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


def visible(user, action=VIEW):
    return set(scope(Contact.objects.all(), user, action).values_list("full_name", flat=True))


@pytest.fixture
def contacts(areas, ngo, other_ngo, mission):
    prog_a = ProgrammeFactory(code="IDP", lead_unit=mission)
    prog_b = ProgrammeFactory(code="PHSS", lead_unit=mission)
    ContactFactory(full_name="ngo-karkh", organisation=ngo, programme=prog_a, area=areas["karkh"])
    ContactFactory(full_name="ngo-zubair", organisation=ngo, programme=prog_b, area=areas["zubair"])
    ContactFactory(full_name="ngo-secret", organisation=ngo, sensitivity="confidential")
    ContactFactory(full_name="ngo-restricted", organisation=ngo, sensitivity="restricted")
    ContactFactory(
        full_name="other-karkh", organisation=other_ngo, programme=prog_a, area=areas["karkh"]
    )
    ContactFactory(full_name="mission-own", organisation=mission)
    return {"idp": prog_a, "phss": prog_b}


def test_partner_reporter_sees_only_its_organisations_normal_records(contacts, ngo):
    user = member("partner_reporter", ngo)
    assert visible(user) == {"ngo-karkh", "ngo-zubair"}


def test_aggregate_viewer_sees_no_records(contacts, ngo):
    assert visible(member("aggregate_viewer", ngo)) == set()


def test_user_without_membership_sees_nothing(contacts):
    assert visible(UserFactory()) == set()


def test_inactive_membership_grants_nothing(contacts, ngo):
    user = member("partner_reporter", ngo)
    user.memberships.update(is_active=False)
    assert visible(user) == set()


def test_area_narrowing_includes_areas_below(contacts, ngo, areas):
    user = member("field_monitor", ngo, areas=[areas["baghdad"]])
    assert visible(user) == {"ngo-karkh"}


def test_programme_narrowing(contacts, ngo):
    user = member("field_monitor", ngo, programmes=[contacts["phss"]])
    assert visible(user) == {"ngo-zubair"}


def test_sensitivity_levels_follow_role(contacts, ngo):
    assert "ngo-restricted" in visible(member("border_officer", ngo))
    assert "ngo-secret" not in visible(member("border_officer", ngo))
    assert {"ngo-restricted", "ngo-secret"} <= visible(member("case_worker", ngo))


def test_mission_programme_manager_oversees_partners_in_programmes(contacts, mission):
    user = member("programme_manager", mission, programmes=[contacts["idp"]])
    assert visible(user) == {"ngo-karkh", "other-karkh"}


def test_mission_im_officer_unnarrowed_sees_partner_programme_records_and_own(contacts, mission):
    user = member("im_officer", mission)
    assert visible(user) == {"ngo-karkh", "ngo-zubair", "other-karkh", "mission-own"}


def test_ngo_programme_manager_has_no_oversight(contacts, ngo):
    user = member("programme_manager", ngo)
    assert visible(user) == {"ngo-karkh", "ngo-zubair", "ngo-restricted"}


def test_system_admin_sees_everything(contacts, ngo):
    user = member("system_admin", ngo)
    assert len(visible(user)) == Contact.objects.count()


def test_change_requires_change_capability(contacts, ngo):
    reporter = member("partner_reporter", ngo)
    viewer = member("aggregate_viewer", ngo)
    record = Contact.objects.get(full_name="ngo-karkh")
    assert can(reporter, CHANGE, record)
    assert not can(viewer, CHANGE, record)
    assert not can(viewer, VIEW, record)


def test_can_create_checks_owner_values(contacts, ngo, other_ngo, areas):
    monitor = member("field_monitor", ngo, areas=[areas["basrah"]])
    assert can_create(monitor, Contact, organisation=ngo, area=areas["zubair"])
    assert not can_create(monitor, Contact, organisation=ngo, area=areas["karkh"])
    assert not can_create(monitor, Contact, organisation=other_ngo, area=areas["zubair"])
    assert not can_create(
        monitor, Contact, organisation=ngo, area=areas["zubair"], sensitivity="restricted"
    )
    # Contacts have an area: one left out is outside any narrowing.
    assert not can_create(monitor, Contact, organisation=ngo)


def test_a_narrowing_applies_to_creating_only_where_the_model_has_that_dimension(ngo, areas):
    """As for viewing: an area-narrowed border officer views travellers (they have no area) and
    so may create them; a programme-narrowed manager creates crossings (they have no
    programme) — the organisation and sensitivity rules still hold."""
    from marsad.border.models import Crossing, Traveller

    officer = member("border_officer", ngo, areas=[areas["basrah"]])
    assert can_create(officer, Traveller, organisation=ngo, sensitivity="restricted")
    assert not can_create(officer, Traveller, organisation=OrganisationFactory())
    assert can_create(officer, Crossing, organisation=ngo, area=areas["basrah"])
    assert not can_create(officer, Crossing, organisation=ngo, area=areas["baghdad"])
    assert not can_create(officer, Crossing, organisation=ngo)
    manager = member("programme_manager", ngo, programmes=[ProgrammeFactory()])
    assert can_create(manager, Crossing, organisation=ngo, sensitivity="restricted")
