"""The admin for criteria: sets added through the services (audited), versions read only."""

import pytest
from django.urls import reverse

from marsad.assistance.models import CriteriaSet
from marsad.core.models import AuditAction, AuditEntry
from tests.assistance.factories import criteria_set, publish
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, mission):
    client.force_login(member("system_admin", mission, username="sysadmin"))
    return client


def test_a_set_added_in_the_admin_goes_through_the_services(admin_client, mission):
    response = admin_client.post(
        reverse("admin:assistance_criteriaset_add"),
        {
            "organisation": str(mission.pk),
            "programme": "",
            "name": "Winter NFI criteria",
            "description": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = CriteriaSet.objects.get()
    assert (created.name, created.organisation) == ("Winter NFI criteria", mission)
    entry = AuditEntry.objects.get(object_type="assistance.criteriaset")
    assert (entry.action, entry.actor_username) == (AuditAction.CREATE, "sysadmin")


def test_versions_are_shown_with_their_criteria_and_cannot_be_edited(admin_client, mission):
    version = publish(criteria_set(mission))
    listing = admin_client.get(reverse("admin:assistance_criteriasetversion_changelist"))
    assert listing.status_code == 200
    page = admin_client.get(
        reverse("admin:assistance_criteriasetversion_change", args=[version.pk])
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Head of household aged 60 or older" in text
    assert "Displaced within the last 6 months" in text
    assert 'name="high_min"' not in text  # read only
    add = admin_client.get(reverse("admin:assistance_criteriasetversion_add"))
    assert add.status_code == 403
    delete = admin_client.post(
        reverse("admin:assistance_criteriasetversion_delete", args=[version.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert version.criteria.count() == 13


def test_sets_are_retired_not_deleted(admin_client, mission):
    created = criteria_set(mission)
    response = admin_client.post(
        reverse("admin:assistance_criteriaset_delete", args=[created.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert CriteriaSet.objects.filter(pk=created.pk).exists()


def test_the_admin_is_refused_to_programme_managers(client, mission):
    client.force_login(member("programme_manager", mission))
    response = client.get(reverse("admin:assistance_criteriaset_changelist"))
    assert response.status_code == 302
