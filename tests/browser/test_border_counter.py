"""The border counter in a real browser: an officer types the Doc 9303 TD3 specimen line by
line (as a keyboard-wedge scanner does, Enter after each line) and sees the fields and every
check at once; then a watchlisted traveller's MRZ, sees the hit with its action and reason,
and records the crossing with Ctrl+Enter. The same screen in Arabic, right to left."""

from typing import Any

import pytest
from playwright.sync_api import expect

from marsad.border.models import Crossing, ScreeningHit
from marsad.core.models import Sensitivity
from tests.border.factories import World, entry, mrz_lines, watchlist
from tests.browser.conftest import requires_chromium
from tests.browser.test_shell import sign_in
from tests.factories import area_tree

pytestmark = [pytest.mark.browser, requires_chromium]

SPECIMEN = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
]


@pytest.fixture
def world(transactional_db: None) -> World:
    world = World(area_tree())
    entry(watchlist(world.bpc, sensitivity=Sensitivity.RESTRICTED))
    return world


def _scan(page: Any, lines: list[str]) -> None:
    box = page.locator("textarea.mrz-input")
    box.fill("")
    box.focus()
    for line in lines:
        box.press_sequentially(line, delay=2)
        box.press("Enter")


def test_the_counter_reads_checks_screens_and_records(
    page: Any, live_server: Any, world: World, screenshot: Any
) -> None:
    sign_in(page, live_server, "safwan")
    page.goto(f"{live_server.url}/border/counter/")
    _scan(page, SPECIMEN)
    reading = page.locator("#reading")
    expect(reading.locator("#mrz-verdict")).to_contain_text("MRZ valid (TD3)")
    expect(reading).to_contain_text("ERIKSSON")
    expect(reading).to_contain_text("L898902C3")
    expect(reading.locator(".check-ok")).to_have_count(5)
    expect(reading).to_contain_text("Watchlist: no match")
    screenshot(page, "border-counter-specimen-en")

    # An O read for a 0 in the birth date: the check fails and the confusion is named.
    _scan(page, [SPECIMEN[0], SPECIMEN[1].replace("7408122", "74O8122")])
    expect(reading.locator(".check-bad").first).to_contain_text("Date of birth")
    expect(reading).to_contain_text("Possible OCR confusion")
    screenshot(page, "border-counter-ocr-en")

    _scan(page, mrz_lines(number="A1111111").split("\n"))
    expect(reading).to_contain_text("Watchlist: 1 possible match")
    expect(reading).to_contain_text("Refer to a supervisor")
    expect(reading).to_contain_text("smuggling investigation")
    screenshot(page, "border-counter-hit-en")

    page.get_by_label("Flight or vehicle").fill("BUS 7")
    page.get_by_label("Referred").check()
    page.keyboard.press("Control+Enter")
    expect(page.locator("h1")).to_contain_text("Entry at Safwan")
    expect(page.locator("body")).to_contain_text("Watchlist hits")
    screenshot(page, "border-counter-recorded-en")
    crossing = Crossing.objects.get()
    assert crossing.decision == "referred"
    assert crossing.conveyance == "BUS 7"
    assert ScreeningHit.objects.get().crossing == crossing


def test_the_counter_in_arabic(page: Any, live_server: Any, world: World, screenshot: Any) -> None:
    sign_in(page, live_server, "safwan")
    page.goto(f"{live_server.url}/border/counter/")
    page.locator(".language-switcher button[value='ar']").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _scan(page, mrz_lines(number="A1111111").split("\n"))
    reading = page.locator("#reading")
    expect(reading.locator(".hit-card")).to_have_count(1)
    expect(page.locator("textarea.mrz-input")).to_have_attribute("dir", "ltr")
    screenshot(page, "border-counter-hit-ar")
