"""The displacement dashboard in a real browser: headline totals against sums taken straight from
the database, Plotly charts and the Leaflet map drawn, no script errors and no missing assets,
the per-chart CSV download, Arabic right to left, and the aggregate viewer's published-only,
small-cell-suppressed view without links to the records.

The world is ``build_world`` of tests/displacement/test_aggregates.py: rounds 1 and 2 published,
round 3 open (one draft location assessment)."""

from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from marsad.displacement.models import (
    AssessmentRound,
    AssessmentStatus,
    PopulationGroup,
    RoundStatus,
)
from marsad.geo.models import AreaLevel
from tests.browser.conftest import requires_chromium
from tests.browser.test_shell import sign_in
from tests.displacement.test_aggregates import build_world
from tests.factories import member

pytestmark = [pytest.mark.browser, requires_chromium]

SEED_PERIODS = "marsad.displacement.migrations.0002_standard_displacement_periods"
DASHBOARD = reverse("displacement:dashboard")
ALL_CHARTS = ["governorates", "trend", "flows", "shelter", "needs", "intentions"]
# Round 3 holds one draft assessment with IDPs only: no needs and no intentions to draw.
ROUND_3_CHARTS = ["governorates", "trend", "flows", "shelter"]
# The bubbles are the only red circles (governorate labels are grey dots, none here: the
# fixture's governorates have no coordinates).
BUBBLE = "#dashboard-map path.leaflet-interactive[fill='#f04438']"
POPULATIONS = ("idp", "returnee", "host")


class Watch:
    """Script errors and static assets that failed or answered with an error, on one page."""

    def __init__(self, page: Any) -> None:
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        self.failed_assets: list[str] = []
        self.assets: dict[str, int] = {}
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("console", self._console)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # Chromium asks for /favicon.ico on its own; its 404 is not the dashboard's.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def _request_failed(self, request: Any) -> None:
        if "/static/" in request.url:
            self.failed_assets.append(f"{request.url}: {request.failure}")

    def _response(self, response: Any) -> None:
        if "/static/" in response.url:
            self.assets[response.url.split("/static/", 1)[1]] = response.status
            if response.status >= 400:
                self.failed_assets.append(f"{response.url}: HTTP {response.status}")

    def assert_clean(self) -> None:
        assert self.page_errors == []
        assert self.console_errors == []
        assert self.failed_assets == []
        assert self.assets["vendor/plotly/plotly.min.js"] == 200
        assert self.assets["vendor/leaflet/leaflet.js"] == 200
        assert self.assets["vendor/leaflet/leaflet.css"] == 200
        assert self.assets["marsad/displacement/dashboard.js"] == 200


def expected_totals(round: AssessmentRound, *, published_only: bool) -> list[list[str]]:
    """Families, individuals and locations per population card, summed with the plain ORM."""
    groups = PopulationGroup.objects.filter(assessment__round=round)
    if published_only:
        groups = groups.filter(assessment__status=AssessmentStatus.PUBLISHED)
    threshold = settings.MARSAD_SMALL_CELL_THRESHOLD
    cards = []
    for population_type in POPULATIONS:
        sums = groups.filter(population_type=population_type).aggregate(
            families=Sum("families"),
            individuals=Sum("individuals"),
            locations=Count("assessment", distinct=True),
        )
        families, individuals = sums["families"] or 0, sums["individuals"] or 0
        if population_type == "host" and not families:
            continue  # the dashboard leaves out an empty host-community card
        if published_only and 0 < families < threshold:
            families = individuals = f"<{threshold}"
        cards.append([str(families), str(individuals), str(sums["locations"])])
    return cards


def expected_bubbles(round: AssessmentRound, *, published_only: bool) -> int:
    """Districts with an assessment in ``round``: one map bubble each."""
    groups = PopulationGroup.objects.filter(assessment__round=round).select_related(
        "assessment__area"
    )
    if published_only:
        groups = groups.filter(assessment__status=AssessmentStatus.PUBLISHED)
    districts = set()
    for group in groups:
        area = group.assessment.area
        while area.level != AreaLevel.DISTRICT:
            area = area.parent
        districts.add(area.pcode)
    return len(districts)


def shown_totals(page: Any) -> list[list[str]]:
    """Families, individuals and locations of each total card, in page order."""
    return page.eval_on_selector_all(
        ".dashboard-total",
        """cards => cards.map(card => Array.from(card.querySelectorAll("dd"))
            .slice(0, 3).map(dd => dd.textContent.trim()))""",
    )


def drawn_charts(page: Any) -> list[str]:
    """The chart containers Plotly has drawn into (an SVG inside a .js-plotly-plot)."""
    return page.eval_on_selector_all(
        ".dashboard-chart.js-plotly-plot",
        """charts => charts.filter(chart => chart.querySelector("svg.main-svg"))
            .map(chart => chart.id.replace("chart-", ""))""",
    )


@pytest.fixture
def world(mission: Any, transactional_db: None) -> Any:
    # A browser test's flush empties every table, the displacement periods the migrations seed
    # among them (serialized rollback cannot restore them: Playwright's greenlet gets its own
    # database connection); build_world needs them, so seed them again, as the migration does.
    import_module(SEED_PERIODS).add_periods(django_apps, None)
    return build_world(mission)


def open_dashboard(page: Any, live_server: Any, query: str = "") -> None:
    page.goto(f"{live_server.url}{DASHBOARD}{query}")
    page.wait_for_load_state("networkidle")


def assert_drawn(page: Any, charts: list[str], bubbles: int) -> None:
    expect(page.locator(".dashboard-chart.js-plotly-plot")).to_have_count(len(charts))
    assert drawn_charts(page) == charts
    expect(page.locator(BUBBLE)).to_have_count(bubbles)
    assert bubbles > 0


def csv_download(page: Any, live_server: Any, section: str) -> tuple[Any, str]:
    """Fetch the CSV link of a dashboard section with the signed-in browser's cookies."""
    link = page.locator(f"section[aria-labelledby='{section}-heading'] a[href*='format=csv']")
    href = link.first.get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    return response, response.text()


def test_im_officer_sees_every_round_with_charts_map_and_downloads(
    world, page, live_server, screenshot
):
    member("im_officer", world.mission, username="im.officer")
    watch = Watch(page)
    sign_in(page, live_server, "im.officer")

    # The newest round first: an IM officer sees the open round 3 and its draft.
    open_dashboard(page, live_server)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Displacement dashboard — round 3")
    assert expected_totals(world.r3, published_only=False) == [
        ["40", "240", "1"],
        ["0", "0", "0"],
    ]
    assert shown_totals(page) == expected_totals(world.r3, published_only=False)
    assert_drawn(page, ROUND_3_CHARTS, expected_bubbles(world.r3, published_only=False))
    expect(page.locator("#dashboard-map .leaflet-pane")).not_to_have_count(0)

    # Round 2 through the filter form: every chart has something to draw.
    page.get_by_label("Round", exact=True).select_option("2")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("Displacement dashboard — round 2")
    assert expected_totals(world.r2, published_only=False) == [
        ["65", "386", "3"],
        ["14", "82", "2"],
    ]
    assert shown_totals(page) == expected_totals(world.r2, published_only=False)
    assert_drawn(page, ALL_CHARTS, expected_bubbles(world.r2, published_only=False))
    assert expected_bubbles(world.r2, published_only=False) == 2
    watch.assert_clean()
    screenshot(page, "dashboard-en")

    response, body = csv_download(page, live_server, "governorates")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "Baghdad" in body
    assert "Al-Basrah" in body


def test_dashboard_in_arabic_is_right_to_left_with_the_same_numbers(
    world, page, live_server, screenshot
):
    member("im_officer", world.mission, username="im.officer")
    watch = Watch(page)
    sign_in(page, live_server, "im.officer")
    open_dashboard(page, live_server, "?round=2")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator(".language-switcher button[value='ar']").click()
    page.wait_for_load_state("networkidle")

    expect(page).to_have_url(f"{live_server.url}{DASHBOARD}?round=2")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    with translation.override("ar"):
        heading = translation.gettext("Displacement dashboard")
    assert heading != "Displacement dashboard"
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.locator("h1")).not_to_contain_text("Displacement dashboard")
    assert shown_totals(page) == expected_totals(world.r2, published_only=False)
    assert_drawn(page, ALL_CHARTS, expected_bubbles(world.r2, published_only=False))
    # Area names follow the language: the governorate table shows بغداد, not Baghdad.
    expect(page.locator("section[aria-labelledby='governorates-heading'] tbody")).to_contain_text(
        world.baghdad.name_ar
    )
    watch.assert_clean()
    screenshot(page, "dashboard-ar")


def test_aggregate_viewer_sees_published_figures_with_small_cells_suppressed(
    world, page, live_server, screenshot
):
    member("aggregate_viewer", username="viewer")
    threshold = settings.MARSAD_SMALL_CELL_THRESHOLD
    marker = f"<{threshold}"
    published = AssessmentStatus.PUBLISHED
    # The fixture's small published cells: 3 returnee families in round 1, 4 IDP families in
    # camps in round 2 (the validated and draft assessments must not count at all).
    assert (
        PopulationGroup.objects.filter(
            assessment__round=world.r1, assessment__status=published, population_type="returnee"
        ).aggregate(families=Sum("families"))["families"]
        == 3
    )
    camp = PopulationGroup.objects.filter(
        assessment__round=world.r2, assessment__status=published, shelter_category="camp"
    ).aggregate(families=Sum("families"))["families"]
    assert 0 < camp < threshold
    watch = Watch(page)
    sign_in(page, live_server, "viewer")

    open_dashboard(page, live_server)

    # The newest published round, and only published rounds to choose from.
    expect(page.locator("h1")).to_have_text("Displacement dashboard — round 2")
    latest = AssessmentRound.objects.filter(status=RoundStatus.PUBLISHED).order_by("-number")[0]
    assert latest == world.r2
    round_choices = page.locator("#id_round option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert round_choices == ["2", "1"]
    expect(page.get_by_role("note")).to_contain_text(marker)
    assert expected_totals(world.r2, published_only=True) == [
        ["35", "206", "2"],
        ["12", "70", "1"],
    ]
    assert shown_totals(page) == expected_totals(world.r2, published_only=True)

    # Suppression markers where the cells are small, with the explanation on hover.
    trend = page.locator("section[aria-labelledby='trend-heading'] tbody tr")
    expect(trend).to_have_count(2)
    first_round = trend.filter(has=page.locator("th", has_text="1"))
    expect(first_round.locator("td")).to_have_text(["38", "218", marker, marker])
    # Camp is a group of one category: one row reads "Camp".
    shelter = page.locator("section[aria-labelledby='shelter-heading'] tbody tr")
    camp_row = shelter.filter(has=page.get_by_role("rowheader", name="Camp", exact=True))
    expect(camp_row).to_have_count(1)
    expect(camp_row.locator("td")).to_have_text([marker, marker])
    expect(camp_row.locator("abbr").first).to_have_attribute(
        "title", f"fewer than {threshold} families"
    )

    assert_drawn(page, ALL_CHARTS, expected_bubbles(world.r2, published_only=True))
    assert expected_bubbles(world.r2, published_only=True) == 1
    watch.assert_clean()

    # Nothing leads to the records, and asking for one directly is refused.
    expect(page.locator("a[href*='/displacement/assessments/']")).to_have_count(0)
    expect(page.locator("a[href*='/displacement/rounds/']")).to_have_count(0)
    expect(page.locator(".main-nav a", has_text="Assessments")).to_have_count(0)
    record = world.r2.assessments.filter(status=published).first()
    refused = page.request.get(
        f"{live_server.url}{reverse('displacement:assessment-detail', args=[record.pk])}"
    )
    assert refused.status in (403, 404)

    # The download carries the same suppression and no unpublished figure.
    response, body = csv_download(page, live_server, "shelter")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "camp" in body
    screenshot(page, "dashboard-viewer")
