"""The admin for plans, selections and receipts: listed and shown, in scope, never edited
there (their services carry the workflow and the double-assistance rule)."""

import pytest
from django.urls import reverse

from marsad.assistance import services
from tests.assistance.factories import AS_OF, household, plan, receipt
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, mission):
    client.force_login(member("system_admin", mission, username="sysadmin"))
    return client


def test_plans_selections_and_receipts_are_shown_read_only(
    admin_client, areas, ngo, programme, version
):
    grants = plan(ngo, programme, areas["basrah"], criteria_version=version)
    family = household(ngo, areas["zubair"], female=True)
    given = receipt(grants, family)
    selection = services.selection_run(actor=None, plan=grants, statuses=["displaced"], as_of=AS_OF)
    entry = selection.entries.get()
    for name, obj in [
        ("assistanceplan", grants),
        ("selection", selection),
        ("selectionentry", entry),
        ("receipt", given),
    ]:
        listing = admin_client.get(reverse(f"admin:assistance_{name}_changelist"))
        assert listing.status_code == 200
        page = admin_client.get(reverse(f"admin:assistance_{name}_change", args=[obj.pk]))
        assert page.status_code == 200
        assert admin_client.get(reverse(f"admin:assistance_{name}_add")).status_code == 403
    page = admin_client.get(reverse("admin:assistance_assistanceplan_change", args=[grants.pk]))
    assert "PHSS-BA-2026-R1" in page.content.decode()
    assert 'name="cycle"' not in page.content.decode()
    delete = admin_client.post(
        reverse("admin:assistance_receipt_delete", args=[given.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert type(given).objects.filter(pk=given.pk).exists()
