"""The main navigation: every role that may open the assistance reports reaches them — from
the menu when it has no assistance section (aggregate viewers), from the assistance section's
plan list otherwise — and no role is offered a section it would be refused."""

import pytest
from django.urls import reverse

from marsad.core.roles import ROLE_CAPABILITIES, Capability, Role
from tests.factories import OrganisationFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def menu(client) -> dict[str, str]:
    return {
        str(item["label"]): item["url"] for item in client.get("/").context["marsad_navigation"]
    }


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_role_allowed_the_assistance_reports_reaches_them(client, role):
    user = member(role, OrganisationFactory())
    client.force_login(user)
    entries = menu(client)
    reports = reverse("assistance:reports")
    plans = reverse("assistance:plan-list")
    held = ROLE_CAPABILITIES[Role(role)]
    allowed = Capability.VIEW_RECORDS in held or Capability.VIEW_AGGREGATES in held
    assert client.get(reports).status_code == (200 if allowed else 403)
    if Capability.VIEW_PII in held:
        # The assistance section; its plan list links to the reports.
        assert entries["Assistance"] == plans
        assert reports not in entries.values()
        page = client.get(plans)
        assert page.status_code == 200
        assert f'href="{reports}"' in page.content.decode()
    elif allowed:
        assert entries["Assistance reports"] == reports
        assert plans not in entries.values()
        assert client.get(plans).status_code == 403
    else:
        assert reports not in entries.values()


def test_the_aggregate_viewer_s_menu_has_the_reports_and_no_personal_sections(client):
    client.force_login(member("aggregate_viewer", OrganisationFactory(kind="donor")))
    entries = menu(client)
    assert "Assistance reports" in entries
    assert not {"Registry", "Assistance", "Assessments", "Border"} & set(entries)
    page = client.get(entries["Assistance reports"])
    assert page.status_code == 200
    assert [item["current"] for item in page.context["marsad_navigation"]].count(True) == 1


def test_without_a_membership_there_is_no_assistance_entry(client):
    client.force_login(UserFactory())
    entries = menu(client)
    assert "Assistance" not in entries
    assert "Assistance reports" not in entries


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_the_home_page_offers_only_sections_the_role_may_open(client, role):
    """Each card of the home page opens (200) for the role that sees it, and the assistance and
    border sections are offered to the roles that work there."""
    user = member(role, OrganisationFactory())
    client.force_login(user)
    sections = {str(s["title"]): s["url"] for s in client.get("/").context["sections"]}
    for title, url in sections.items():
        if url.startswith("/admin/"):
            continue
        assert client.get(url).status_code == 200, title
    held = ROLE_CAPABILITIES[Role(role)]
    assert ("Border management" in sections) == (Capability.VIEW_RESTRICTED in held)
    assert ("Assistance" in sections) == (Capability.VIEW_PII in held)
    assert ("Assistance reports" in sections) == (Capability.VIEW_AGGREGATES in held)
