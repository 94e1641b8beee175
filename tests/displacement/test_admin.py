"""The admin for displacement records: scoped, and saving through the displacement services."""

import datetime

import pytest

from marsad.core.models import AuditEntry
from marsad.displacement.models import LocationAssessment, PopulationGroup
from tests.displacement.factories import (
    LocationAssessmentFactory,
    PopulationGroupFactory,
    location,
    open_round,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(areas, ngo):
    return LocationAssessmentFactory(
        round=open_round(4),
        organisation=ngo,
        area=location("IQG08Q03L001", areas["karkh"]),
        assessed_on=datetime.date(2008, 1, 9),
    )


@pytest.fixture
def admin_client(client, mission):
    client.force_login(member("system_admin", mission, username="sysadmin"))
    return client


def formset(prefix, rows=(), total=None):
    data = {
        f"{prefix}-TOTAL_FORMS": str(total if total is not None else len(rows)),
        f"{prefix}-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def change_form(assessment, **overrides):
    return {
        "round": str(assessment.round_id),
        "organisation": str(assessment.organisation_id),
        "programme": "",
        "area": str(assessment.area_id),
        "sensitivity": "normal",
        "assessed_on": "2008-01-09",
        "monitor": "",
        "monitor_name": "Ali",
        "method": "key_informants",
        "key_informants": "3",
        "documentation_status": "unknown",
        "property_status": "unknown",
        "security_notes": "",
        "access_notes": "",
        **overrides,
    }


def test_changelist_lists_assessments(admin_client, assessment):
    response = admin_client.get("/admin/displacement/locationassessment/")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [assessment]
    assert admin_client.get("/admin/displacement/assessmentround/").status_code == 200
    assert admin_client.get("/admin/displacement/displacementperiod/").status_code == 200


def test_change_with_inline_rows_goes_through_services(admin_client, assessment):
    group = PopulationGroupFactory(assessment=assessment)
    data = {
        **change_form(assessment, key_informants="5"),
        **formset(
            "population_groups",
            [
                {
                    "id": str(group.pk),
                    "assessment": str(assessment.pk),
                    "population_type": "idp",
                    "shelter_category": "",
                    "families": "12",
                    "individuals": "60",
                },
                {
                    "assessment": str(assessment.pk),
                    "population_type": "host",
                    "shelter_category": "",
                    "families": "4",
                    "individuals": "30",
                },
            ],
        ),
        **formset("needs"),
        **formset("intentions"),
    }
    url = f"/admin/displacement/locationassessment/{assessment.pk}/change/"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert LocationAssessment.objects.get(pk=assessment.pk).key_informants == 5
    assert sorted(PopulationGroup.objects.values_list("population_type", "families")) == [
        ("host", 4),
        ("idp", 12),
    ]
    actions = sorted(
        AuditEntry.objects.filter(
            actor_username="sysadmin", object_type__startswith="displacement."
        ).values_list("object_type", "action")
    )
    assert actions == [
        ("displacement.locationassessment", "update"),
        ("displacement.populationgroup", "create"),
        ("displacement.populationgroup", "update"),
    ]


def test_admin_refuses_date_outside_round(admin_client, assessment):
    data = {
        **change_form(assessment, assessed_on="2008-03-03"),
        **formset("population_groups"),
        **formset("needs"),
        **formset("intentions"),
    }
    url = f"/admin/displacement/locationassessment/{assessment.pk}/change/"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["assessed_on"] == [
        "3 March 2008 is outside round 4 (1 January – 28 January 2008)."
    ]
    assert LocationAssessment.objects.get(pk=assessment.pk).assessed_on == datetime.date(2008, 1, 9)


def test_monitor_has_no_admin(client, assessment, ngo):
    client.force_login(member("field_monitor", ngo))
    response = client.get("/admin/displacement/locationassessment/")
    assert response.status_code == 302
