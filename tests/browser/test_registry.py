"""Registering a household in a real browser: the "possibly already registered" panel fills
while the officer types a name in Arabic that was registered in Latin letters, "Add a member"
adds a numbered member form, and the registration lands on the household's page. Arabic right
to left."""

from typing import Any

import pytest
from playwright.sync_api import expect

from marsad.registry.models import Household
from tests.browser.conftest import requires_chromium
from tests.browser.test_shell import sign_in
from tests.factories import area_tree, member
from tests.registry.factories import head, register

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    areas = area_tree()
    officer = member("case_worker", username="registrar")
    organisation = officer.memberships.get().organisation
    existing = register(
        organisation,
        areas["karkh"],
        [head(given_name="Mohammed", father_name="Jassim", family_name="Al-Jubouri")],
    )
    return {"areas": areas, "organisation": organisation, "existing": existing}


def test_register_with_the_duplicates_panel(page: Any, live_server: Any, world, screenshot):
    sign_in(page, live_server, "registrar")
    page.goto(f"{live_server.url}/registry/register/")
    page.get_by_label("Current location (P-code)").fill("IQG08Q03")
    page.get_by_label("Household size").fill("3")
    first = page.locator("fieldset.member").first
    first.get_by_label("Given name").fill("محمد")
    first.get_by_label("Father's name", exact=True).fill("جاسم")
    first.get_by_label("Family or tribe name").fill("الجبوري")
    panel = page.locator("#duplicates")
    expect(panel).to_contain_text(world["existing"].registration_number)
    expect(panel).to_contain_text("Given name: agrees")
    screenshot(page, "registry-register-duplicates-en")

    page.get_by_role("button", name="Add a member").click()
    second = page.locator("fieldset.member").nth(1)
    expect(second.locator("legend")).to_have_text("Member 2")
    second.get_by_label("Relationship to the head").select_option("daughter")
    second.get_by_label("Given name").fill("Noor")
    second.get_by_label("Sex").select_option("female")
    second.get_by_label("Birth date").fill("2010")
    page.get_by_role("button", name="Register", exact=True).click()
    screenshot(page, "registry-register-submitted-en")
    expect(page.locator("h1")).to_contain_text("Household ")
    household = Household.objects.exclude(pk=world["existing"].pk).get()
    assert sorted(household.members.values_list("given_name", flat=True)) == ["Noor", "محمد"]
    expect(page.get_by_text("Noor")).to_be_visible()
    screenshot(page, "registry-household-en")


def test_register_page_in_arabic(page: Any, live_server: Any, world, screenshot):
    sign_in(page, live_server, "registrar")
    page.goto(f"{live_server.url}/registry/register/")
    page.locator(".language-switcher button[value='ar']").click()
    page.wait_for_url("**/registry/register/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    first = page.locator("fieldset.member").first
    first.locator("input[name$=-given_name]").fill("Mohamed")
    first.locator("input[name$=-father_name]").fill("Jasim")
    expect(page.locator("#duplicates")).to_contain_text(world["existing"].registration_number)
    screenshot(page, "registry-register-duplicates-ar")
