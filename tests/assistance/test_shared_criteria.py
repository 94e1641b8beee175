"""The mission's vulnerability criteria are shared with partners: a partner reporter or a
partner's programme manager reads the mission's published criteria sets in use (within the
programmes their membership is narrowed to, plus the mission-wide ones) and selects with them,
but never edits them; another partner's sets, retired sets and sets with nothing published stay
hidden."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from marsad.assistance import selectors, services
from marsad.assistance.models import CriteriaSet, CriteriaSetVersion, Criterion
from marsad.core.scoping import CHANGE, VIEW, can, scope
from tests.assistance.factories import FOOD, criteria_set, household, plan, publish
from tests.factories import ProgrammeFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_manager(ngo):
    return member("programme_manager", ngo, username="ngo.manager")


@pytest.fixture
def reporter(ngo):
    return member("partner_reporter", ngo, username="reporter")


@pytest.mark.parametrize("role", ["partner_reporter", "programme_manager", "field_monitor"])
def test_partners_read_the_mission_s_published_sets_in_use_and_no_others(
    ngo, other_ngo, mission, version, role
):
    user = member(role, ngo)
    retired = criteria_set(mission, name="Winter NFI 2015")
    publish(retired)
    services.criteria_set_update(actor=None, instance=retired, data={"is_active": False})
    criteria_set(mission, name="Draft criteria, nothing published")
    publish(criteria_set(other_ngo, name="NGO-B criteria"))
    own = criteria_set(ngo, name="NGO-A criteria")

    assert set(selectors.criteria_sets(user)) == {version.criteria_set, own}
    assert list(selectors.criteria_versions(user)) == [version]
    assert set(scope(Criterion.objects.all(), user, VIEW)) == set(version.criteria.all())
    assert selectors.version_spec(version).number == 1


def test_a_membership_narrowed_to_programmes_shares_those_and_the_mission_wide(
    ngo, mission, programme, version
):
    other = ProgrammeFactory(code="ROC", lead_unit=mission)
    phss_set = publish(criteria_set(mission, name="PHSS grants", programme=programme))
    publish(criteria_set(mission, name="Return assistance", programme=other))
    narrowed = member("partner_reporter", ngo, programmes=[programme])
    assert set(selectors.criteria_sets(narrowed)) == {
        version.criteria_set,  # mission-wide (no programme)
        phss_set.criteria_set,
    }
    everywhere = member("partner_reporter", ngo)
    assert selectors.criteria_sets(everywhere).count() == 3


def test_roles_without_records_and_inactive_missions_share_nothing(ngo, mission, version):
    assert not selectors.criteria_sets(member("aggregate_viewer", ngo)).exists()
    mission.is_active = False
    mission.save(update_fields=["is_active"])
    assert not selectors.criteria_sets(member("partner_reporter", ngo)).exists()


def test_shared_is_to_read_only(partner_manager, version):
    mission_set = version.criteria_set
    assert can(partner_manager, VIEW, mission_set)
    assert not can(partner_manager, CHANGE, mission_set)
    assert not scope(CriteriaSetVersion.objects.all(), partner_manager, CHANGE).exists()
    with pytest.raises(PermissionDenied):
        services.criteria_set_update(
            actor=partner_manager, instance=mission_set, data={"name": "Renamed by a partner"}
        )
    with pytest.raises(PermissionDenied):
        services.criteria_version_publish(
            actor=partner_manager,
            criteria_set=mission_set,
            criteria=[{"kind": "female_head", "weight": 9}],
            high_min=7,
            medium_min=4,
        )
    mission_set.refresh_from_db()
    assert mission_set.name == "IOM Household Vulnerability Criteria"
    assert mission_set.versions.count() == 1


def test_pages_show_the_set_and_refuse_its_editing(client, partner_manager, version):
    mission_set = version.criteria_set
    client.force_login(partner_manager)
    detail = client.get(reverse("assistance:criteria-set-detail", args=[mission_set.pk]))
    assert detail.status_code == 200
    assert reverse("assistance:criteria-set-edit", args=[mission_set.pk]) not in (
        detail.content.decode()
    )
    version_page = client.get(reverse("assistance:criteria-version-detail", args=[version.pk]))
    assert version_page.status_code == 200
    edit = reverse("assistance:criteria-set-edit", args=[mission_set.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"name": "Renamed", "is_active": "on"}).status_code == 403
    publish_url = reverse("assistance:criteria-version-create", args=[mission_set.pk])
    assert client.get(publish_url).status_code == 403
    assert CriteriaSet.objects.get(pk=mission_set.pk).name == "IOM Household Vulnerability Criteria"


def test_the_api_reads_and_refuses_publishing(api_client, partner_manager, version):
    api_client.force_authenticate(partner_manager)
    assert (
        api_client.get(
            reverse("assistance-criteria-set-detail", args=[version.criteria_set_id])
        ).status_code
        == 200
    )
    refused = api_client.post(
        reverse("assistance-criteria-version-list"),
        {
            "criteria_set": version.criteria_set_id,
            "criteria": [{"rule": "female_head", "weight": 3}],
            "high_min": 7,
            "medium_min": 4,
        },
        format="json",
    )
    assert refused.status_code == 403
    assert CriteriaSetVersion.objects.count() == 1


def test_a_partner_selects_its_beneficiaries_with_the_mission_s_criteria(
    areas, ngo, programme, reporter, version
):
    drafted = plan(
        ngo,
        programme,
        areas["basrah"],
        actor=reporter,
        items=[FOOD],
        approve=False,
        criteria_version=version,
    )
    approved = services.plan_approve(actor=None, plan=drafted)
    chosen = household(ngo, areas["zubair"], female=True, no_income=True, school=True)
    selection = services.selection_run(
        actor=reporter, plan=approved, statuses=["displaced"], as_of=datetime.date(2026, 3, 1)
    )
    assert selection.criteria_version == version
    assert list(selection.entries.filter(included=True).values_list("household", flat=True)) == [
        chosen.pk
    ]
