"""Reviewing possible duplicates in a real browser, as an IM officer: the queue lists the waiting
pairs best first, a pair shows both records side by side with the model's evidence, the keys S,
D and U decide (and the page goes on to the next pair), N skips, a key typed into the note does
not decide, the merge a "same" made is undone from the kept record's household page, and the
pair page reads right to left in Arabic."""

import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from marsad.core.models import AuditEntry
from marsad.linkage.models import CandidatePair, PairStatus
from marsad.registry.models import Person, PersonMerge
from tests.browser.conftest import requires_chromium
from tests.browser.test_shell import sign_in
from tests.factories import area_tree, member
from tests.registry.factories import head, register

pytestmark = [pytest.mark.browser, requires_chromium]

EVIDENCE = [
    {"field": "given_name", "label": "agrees: same name", "weight": 4.1},
    {"field": "father_name", "label": "agrees: same spelling", "weight": 3.0},
    {"field": "birth_date", "label": "close: within a year", "weight": 0.8},
    {"field": "phone", "label": "missing", "weight": 0.0},
    {"field": "sex", "label": "disagrees", "weight": -2.5},
]

# (given name in Arabic, the same name in Latin letters, match probability), best first.
PEOPLE = [
    ("محمد", "Mohammed", 0.97),
    ("علي", "Ali", 0.93),
    ("حسن", "Hassan", 0.88),
    ("عمر", "Omar", 0.84),
]


def _pair(organisation: Any, area: Any, arabic: str, latin: str, probability: float) -> Any:
    left = register(
        organisation,
        area,
        [
            head(
                given_name=arabic,
                source={"kind": "ministry", "source_key": f"M-{latin}", "payload": {"n": 1}},
            )
        ],
    ).head
    right = register(
        organisation,
        area,
        [
            head(
                given_name=latin,
                father_name="Jasim",
                family_name="Al-Jubouri",
                sex="female",
                birth_date=datetime.date(1981, 7, 1),
                phones=["07701234567"],
            )
        ],
    ).head
    return CandidatePair.objects.create(
        left=left,
        right=right,
        match_probability=probability,
        match_weight=5.5,
        evidence=EVIDENCE,
    )


@pytest.fixture
def world(transactional_db: None) -> dict[str, Any]:
    areas = area_tree()
    officer = member("im_officer", username="imofficer")
    organisation = officer.memberships.get().organisation
    pairs = [_pair(organisation, areas["karkh"], *person) for person in PEOPLE]
    return {"officer": officer, "organisation": organisation, "pairs": pairs}


def _url(live_server: Any, pair: Any) -> str:
    return f"{live_server.url}/linkage/pairs/{pair.pk}/"


def test_review_the_queue_with_the_keyboard(page: Any, live_server: Any, world, screenshot):
    first, second, third, fourth = world["pairs"]
    sign_in(page, live_server, "imofficer")
    page.goto(f"{live_server.url}/registry/")
    page.get_by_role("link", name="Possible duplicates").click()
    page.wait_for_url("**/linkage/review/")
    expect(page.locator("h1")).to_have_text("Possible duplicates")
    expect(page.locator(".summary-counts")).to_contain_text("Waiting for review: 4")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(4)
    # Most probable first, each pair's two records by name and registration number.
    expect(rows.first).to_contain_text("0.970")
    expect(rows.first).to_contain_text("Mohammed")
    expect(rows.first).to_contain_text(first.right.household.registration_number)
    expect(rows.last).to_contain_text("0.840")
    expect(rows.last).to_contain_text("Omar")
    screenshot(page, "linkage-queue-en")

    page.get_by_role("link", name="Start reviewing").click()
    page.wait_for_url(_url(live_server, first))
    expect(page.locator("h1")).to_have_text("Are these the same person?")
    expect(page.locator(".page-header")).to_contain_text("match probability 0.970 (weight 5.5)")
    table = page.locator("table.pair-table")
    given = table.locator("tr", has=page.locator("th", has_text="Given name"))
    expect(given.locator("td").nth(0)).to_have_text("محمد")
    expect(given.locator("td").nth(1)).to_have_text("Mohammed")
    expect(given.locator(".verdict-agrees")).to_have_text(
        "agrees: same name in another spelling or script"
    )
    expect(given).to_contain_text("(4.1)")
    birth = table.locator("tr", has=page.locator("th", has_text="Birth date"))
    expect(birth.locator("td").nth(0)).to_have_text("1980")
    expect(birth.locator("td").nth(1)).to_have_text("1981")
    expect(birth.locator(".verdict-close")).to_have_text("close: within a year")
    phone = table.locator("tr", has=page.locator("th", has_text="Phone"))
    expect(phone.locator("td").nth(1)).to_have_text("07701234567")
    expect(phone.locator(".verdict-missing")).to_have_text("missing on one side")
    sex = table.locator("tr", has=page.locator("th", has_text="Sex"))
    expect(sex.locator(".verdict-disagrees")).to_have_text("disagrees")
    expect(sex).to_contain_text("(-2.5)")
    # A field the model did not compare has no evidence.
    mother = table.locator("tr", has=page.locator("th", has_text="Mother's name"))
    expect(mother.locator("td").nth(2)).to_have_text("—")
    registered = table.locator("tr", has=page.locator("th", has_text="Registered by"))
    expect(registered.locator("td").nth(0)).to_contain_text("Ministry")
    screenshot(page, "linkage-pair-en")

    # N skips to the next pair without deciding; it goes on down the queue (not back to the
    # top) and from the last pair round to the first.
    for following in (second, third, fourth, first):
        page.keyboard.press("n")
        page.wait_for_url(_url(live_server, following))
    assert set(CandidatePair.objects.values_list("status", flat=True)) == {PairStatus.REVIEW}

    # S on the first pair: the two records are merged and the page goes on to the next pair.
    page.keyboard.press("s")
    page.wait_for_url(_url(live_server, second))
    expect(page.locator(".messages")).to_contain_text("Decision saved: Same person.")
    first.refresh_from_db()
    assert (first.status, first.decided_by) == (PairStatus.SAME, world["officer"])
    merge = PersonMerge.objects.get()
    assert first.merge == merge
    assert {merge.survivor_id, merge.merged_id} == {first.left_id, first.right_id}
    assert merge.decided_by == world["officer"]
    assert not Person.objects.get(pk=merge.merged_id).is_active
    entry = AuditEntry.objects.get(object_type="linkage.candidatepair", object_id=str(first.pk))
    assert (entry.actor_username, entry.changes["status"]) == ("imofficer", ["review", "same"])

    # D on the second, U on the third: no merge, each goes on to the next pair.
    page.keyboard.press("d")
    page.wait_for_url(_url(live_server, third))
    expect(page.locator(".messages")).to_contain_text("Decision saved: Different people.")
    page.keyboard.press("u")
    page.wait_for_url(_url(live_server, fourth))
    expect(page.locator(".messages")).to_contain_text("Decision saved: Unsure.")
    statuses = dict(CandidatePair.objects.values_list("pk", "status"))
    assert [statuses[pair.pk] for pair in world["pairs"]] == [
        PairStatus.SAME,
        PairStatus.DIFFERENT,
        PairStatus.UNSURE,
        PairStatus.REVIEW,
    ]
    assert PersonMerge.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="linkage.candidatepair").count() == 3

    # The last waiting pair: no pair to skip to, and letters typed into the note are text.
    expect(page.locator("[data-key='n']")).to_have_count(0)
    note = page.get_by_label("Note (optional)")
    note.click()
    page.keyboard.type("sdu n")
    expect(note).to_have_value("sdu n")
    page.locator("h1").click()
    page.keyboard.press("n")
    page.wait_for_timeout(300)
    assert page.url == _url(live_server, fourth)
    fourth.refresh_from_db()
    assert fourth.status == PairStatus.REVIEW
    screenshot(page, "linkage-pair-last-en")

    # The queue counts the decisions; the decided pairs are listed under their status.
    page.get_by_role("link", name="Possible duplicates").first.click()
    expect(page.locator(".summary-counts")).to_contain_text("Waiting for review: 1")
    expect(page.locator(".summary-counts")).to_contain_text("Same person: 1")
    page.locator(".summary-counts").get_by_role("link", name="Same person").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("imofficer")
    screenshot(page, "linkage-queue-same-en")


def test_undo_a_merge_from_the_household_page(page: Any, live_server: Any, world, screenshot):
    pair = world["pairs"][0]
    sign_in(page, live_server, "imofficer")
    page.goto(_url(live_server, pair))
    page.get_by_label("Note (optional)").fill("Same ID card")
    page.get_by_role("button", name="Same person").click()
    page.wait_for_url(_url(live_server, world["pairs"][1]))
    pair.refresh_from_db()
    assert (pair.status, pair.note) == (PairStatus.SAME, "Same ID card")
    merge = pair.merge
    survivor, merged = merge.survivor, merge.merged

    # The pair page marks the record that was merged away.
    page.goto(_url(live_server, pair))
    expect(page.locator("table.pair-table thead .badge")).to_have_text("merged")

    page.goto(f"{live_server.url}/registry/households/{survivor.household_id}/")
    merges = page.locator("table", has=page.locator("th", has_text="Merged record"))
    row = merges.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(merged.household.registration_number)
    expect(row).to_contain_text(f"Reviewed: same person (pair {pair.pk})")
    expect(row).to_contain_text("imofficer")
    screenshot(page, "linkage-merge-household-en")

    row.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("The merge is undone")
    expect(row).to_contain_text("undone ")
    expect(row.get_by_role("button", name="Undo")).to_have_count(0)
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert merge.undone_by == world["officer"]
    assert Person.objects.get(pk=merged.pk).is_active
    assert Person.objects.filter(is_active=True).count() == 2 * len(world["pairs"])
    screenshot(page, "linkage-merge-undone-en")


def test_pair_page_in_arabic(page: Any, live_server: Any, world, screenshot):
    pair = world["pairs"][0]
    sign_in(page, live_server, "imofficer")
    page.goto(_url(live_server, pair))
    page.locator(".language-switcher button[value='ar']").click()
    page.wait_for_url(_url(live_server, pair))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("h1")).to_have_text("هل هذان السجلان للشخص نفسه؟")
    expect(page.locator("button[data-key='s']")).to_contain_text("الشخص نفسه")
    table = page.locator("table.pair-table")
    # Field names and the evidence are in Arabic, not the model's English words.
    expect(table).not_to_contain_text("Given name")
    expect(table).not_to_contain_text("agrees")
    expect(table).not_to_contain_text("disagrees")
    expect(table).to_contain_text("Mohammed")
    screenshot(page, "linkage-pair-ar")
    # The keys are the same in Arabic: S decides.
    page.keyboard.press("s")
    page.wait_for_url(_url(live_server, world["pairs"][1]))
    pair.refresh_from_db()
    assert pair.status == PairStatus.SAME
