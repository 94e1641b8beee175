"""The page shell in a real browser: sign-in, role-based navigation, the three languages with
right-to-left mirroring, keyboard-only use, phone width and the login lockout."""

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from marsad.accounts.models import User
from tests.browser.conftest import PHONE, requires_chromium
from tests.factories import PASSWORD, member

pytestmark = [pytest.mark.browser, requires_chromium]

# What each language shows in the shell, taken from the catalogues (test_i18n checks these).
LANGUAGES = {
    "ar": {"home": "الرئيسية", "welcome": "مرحبًا", "brand": "مرصد", "audit": "سجل التدقيق"},
    "ckb": {"home": "سەرەکی", "welcome": "بەخێربێیت", "brand": "مەرسەد", "audit": "تۆماری وردبینی"},
}


def sign_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches ``selector``, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def nav_labels(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".main-nav a").all_inner_texts()]


def no_horizontal_scroll(page: Any) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_field_monitor_signs_in_and_sees_only_their_sections(page, live_server):
    member("field_monitor", username="monitor")

    sign_in(page, live_server, "monitor")

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Welcome, monitor")
    expect(page.locator(".role-list")).to_contain_text("Field monitor")
    assert nav_labels(page) == [
        "Home",
        "Dashboard",
        "Assessments",
        "Registry",
        "Assistance",
        "Areas",
        "Organisations",
        "Programmes",
        "Background tasks",
        "API",
    ]
    expect(page.locator(".main-nav a", has_text="Home")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)


def test_system_admin_sees_audit_log_and_administration(page, live_server, screenshot):
    member("system_admin", username="admin.baghdad")

    sign_in(page, live_server, "admin.baghdad")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert nav_labels(page) == [
        "Home",
        "Dashboard",
        "Assessments",
        "Registry",
        "Assistance",
        "Border",
        "Areas",
        "Organisations",
        "Programmes",
        "Background tasks",
        "Audit log",
        "Administration",
        "API",
    ]
    # Left to right: brand on the left of the tools, navigation running rightwards.
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".language-switcher").bounding_box()
    first, second = (page.locator(".main-nav li").nth(i).bounding_box() for i in (0, 1))
    assert brand["x"] + brand["width"] < tools["x"]
    assert first["x"] < second["x"]
    assert first["x"] < 1280 / 2
    screenshot(page, "en-home")

    page.get_by_role("link", name="Audit log").first.click()
    expect(page).to_have_url(f"{live_server.url}/audit/")
    expect(page.locator("h1")).to_have_text("Audit log")
    expect(page.locator(".main-nav a", has_text="Audit log")).to_have_attribute(
        "aria-current", "page"
    )


@pytest.mark.parametrize("language", ["ar", "ckb"])
def test_keyboard_language_switch_mirrors_the_page(page, live_server, screenshot, language):
    member("system_admin", username="officer")
    sign_in(page, live_server, "officer")
    expect(page.locator("h1")).to_have_text("Welcome, officer")

    # Keyboard only: Tab to the language's button, press Enter.
    page.locator("body").focus()
    tab_to(page, f".language-switcher button[value='{language}']")
    page.keyboard.press("Enter")

    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", language)
    expect(page).to_have_url(f"{live_server.url}/")
    words = LANGUAGES[language]
    expect(page.locator("h1")).to_contain_text(words["welcome"])
    expect(page.locator(".brand-name")).to_have_text(words["brand"])
    expect(page.locator(".main-nav a").first).to_have_text(words["home"])
    expect(page.locator(".main-nav")).to_contain_text(words["audit"])
    expect(page.locator(".language-current")).to_have_attribute("lang", language)
    # Mirrored: the brand sits at the right, the tools on its left, and the navigation starts
    # at the right edge and runs leftwards.
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".language-switcher").bounding_box()
    first, second = (page.locator(".main-nav li").nth(i).bounding_box() for i in (0, 1))
    assert brand["x"] > tools["x"] + tools["width"]
    assert first["x"] > second["x"]
    assert first["x"] + first["width"] > 1280 / 2
    assert abs((brand["x"] + brand["width"]) - (first["x"] + first["width"])) < 24
    assert no_horizontal_scroll(page)
    screenshot(page, f"{language}-home")

    # The choice is kept: the next page is in the same language.
    page.goto(f"{live_server.url}/tasks/")
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_phone_width_has_no_sideways_scroll_and_a_keyboard_menu(
    phone_page, live_server, screenshot
):
    page = phone_page
    member("system_admin", username="phone.user")
    sign_in(page, live_server, "phone.user")
    expect(page.locator("h1")).to_have_text("Welcome, phone.user")

    assert no_horizontal_scroll(page)
    toggle = page.locator(".nav-toggle")
    expect(toggle).to_be_visible()
    expect(page.locator(".main-nav")).to_be_hidden()
    screenshot(page, "phone-home")

    page.locator("body").focus()
    tab_to(page, ".nav-toggle")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".main-nav")).to_be_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "phone-menu-open")
    page.keyboard.press("Tab")
    expect(page.locator(".main-nav a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".main-nav")).to_be_hidden()
    expect(toggle).to_be_focused()

    page.locator(".language-switcher button[value='ar']").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert no_horizontal_scroll(page)
    screenshot(page, "phone-ar-home")


def test_skip_link_and_account_menu_work_with_the_keyboard(page, live_server):
    member("field_monitor", username="keyboard")
    sign_in(page, live_server, "keyboard")
    expect(page.locator("h1")).to_have_text("Welcome, keyboard")

    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["y"] >= 0
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.locator("body").focus()
    tab_to(page, ".user-menu > summary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="My account")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="My account")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="My account")).to_be_hidden()
    expect(page.locator(".user-menu > summary")).to_be_focused()

    page.keyboard.press("Enter")
    tab_to(page, ".logout-form button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Sign in to Marsad")


def test_login_page_in_kurdish_without_signing_in(page, live_server, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("body").focus()
    tab_to(page, ".language-switcher button[value='ckb']")
    page.keyboard.press("Enter")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ckb")
    expect(page.locator("h1")).to_have_text("چوونەژوورەوە بۆ مەرسەد")
    expect(page.get_by_label("ناوی بەکارهێنەر")).to_be_visible()
    screenshot(page, "ckb-login")


def test_wrong_password_shows_the_error_then_locks_out(page, live_server, screenshot):
    user = member("field_monitor", username="clumsy")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 3

    sign_in(page, live_server, "clumsy", "not the password")
    error = page.get_by_role("alert")
    expect(error).to_contain_text("Please enter a correct username and password")
    expect(page.get_by_label("User name")).to_have_value("clumsy")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "login-error")

    for _ in range(limit - 1):
        sign_in(page, live_server, "clumsy", "still not the password")
    expect(page.locator("h1")).to_have_text("Too many failed sign-in attempts")
    expect(page.get_by_role("alert")).to_contain_text("locked for a while")
    screenshot(page, "locked-out")

    # Locked means locked: the right password is refused too, and no session was opened.
    sign_in(page, live_server, "clumsy")
    expect(page.locator("h1")).to_have_text("Too many failed sign-in attempts")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    user.refresh_from_db()
    assert User.objects.get(pk=user.pk).last_login is None


def test_without_javascript_the_menu_stays_open_and_languages_still_switch(
    browser, live_server, transactional_db, screenshot
):
    member("field_monitor", username="no.script")
    context = browser.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "no.script")
        expect(page.locator("h1")).to_have_text("Welcome, no.script")
        expect(page.locator(".nav-toggle")).to_be_hidden()
        expect(page.locator(".main-nav")).to_be_visible()
        assert no_horizontal_scroll(page)

        page.locator("body").focus()
        tab_to(page, ".language-switcher button[value='ar']")
        page.keyboard.press("Enter")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator(".main-nav a").first).to_have_text(LANGUAGES["ar"]["home"])
        assert no_horizontal_scroll(page)
        screenshot(page, "phone-ar-no-javascript")
    finally:
        context.close()
