"""The shell's own stylesheet and script are found by the static files finders and served."""

import pytest
from django.contrib.staticfiles import finders

from tests.browser.conftest import requires_chromium

ASSETS = ["marsad/marsad.css", "marsad/marsad.js"]


@pytest.mark.parametrize("asset", ASSETS)
def test_asset_is_found_by_the_static_files_finders(asset):
    # src/marsad/static is not an app's static folder: settings.STATICFILES_DIRS must list it,
    # or every page renders unstyled and collectstatic leaves the stylesheet out.
    assert finders.find(asset) is not None, f"{asset} is not found; check STATICFILES_DIRS"


@pytest.mark.browser
@requires_chromium
def test_every_page_asset_is_served(page, live_server):
    statuses = {}
    page.on("response", lambda response: statuses.setdefault(response.url, response.status))

    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")

    static = {
        url.removeprefix(live_server.url): status
        for url, status in statuses.items()
        if "/static/" in url
    }
    assert static == {
        "/static/marsad/marsad.css": 200,
        "/static/marsad/marsad.js": 200,
        "/static/django_htmx/htmx-2.min.js": 200,
    }
