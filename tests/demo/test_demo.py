"""`marsad demo` prepares everything a newcomer needs, and running it twice adds nothing."""

import io

import pytest
from django.core.management import call_command

from marsad.accounts.models import Membership, User
from marsad.assistance.models import AssistancePlan, CriteriaSet, Receipt, Selection
from marsad.core.models import AuditEntry
from marsad.demo.users import DEMO_PASSWORD, DEMO_USERS
from marsad.displacement.demo import DEMO_LOCATIONS
from marsad.displacement.models import AssessmentRound, LocationAssessment
from marsad.geo.models import AdminArea
from marsad.partners.models import Contact, Funding, Organisation, Programme

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            AdminArea,
            Organisation,
            Programme,
            Funding,
            Contact,
            User,
            Membership,
            CriteriaSet,
            AssistancePlan,
            Selection,
            Receipt,
            AuditEntry,
        )
    }


def test_demo_loads_reference_data_users_for_every_role_and_is_idempotent(client):
    output = io.StringIO()
    call_command("demo", "--no-serve", stdout=output)
    first = counts()
    assert AdminArea.objects.filter(level__lte=2).count() == 120
    assert AdminArea.objects.filter(level=1).count() == 18
    assert AdminArea.objects.filter(level=4).count() == DEMO_LOCATIONS
    assert AssessmentRound.objects.count() == 4
    assert AssessmentRound.objects.filter(status="published").count() == 3
    assert LocationAssessment.objects.filter(round__number=1, status="published").count() == (
        DEMO_LOCATIONS
    )
    assert first["Programme"] == 12
    assert (
        Programme.objects.filter(
            code__in=[
                "CBMMP",
                "CBIBM",
                "IDP",
                "PHSS",
                "ROC",
                "SAIT",
                "IRI",
                "MODM-CB",
                "ICBP",
                "MH",
            ]
        ).count()
        == 10
    )
    assert {spec.role for spec in DEMO_USERS} == {
        choice for choice, _ in Membership._meta.get_field("role").choices
    }
    assert first["Membership"] == len(DEMO_USERS)
    assert f"Every demo user's password: {DEMO_PASSWORD}" in output.getvalue()
    # Assistance on the registry: the mission's criteria, two plans selected and distributed,
    # one receipt overridden and one voided.
    assert (first["CriteriaSet"], first["AssistancePlan"], first["Selection"]) == (1, 2, 2)
    assert first["Receipt"] > 20
    assert Receipt.objects.filter(override=True).count() == 1
    assert Receipt.objects.filter(voided_at__isnull=False).count() == 1
    assert "recorded as an override" in output.getvalue()

    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert counts() == first

    signed_in = client.post(
        "/accounts/login/", {"username": "pm.idp", "password": DEMO_PASSWORD}, follow=True
    )
    assert signed_in.status_code == 200
    assert "Programme manager" in signed_in.content.decode()
