"""The dashboard page, its JSON and its downloads: an IM officer sees every status in scope,
an aggregate viewer published figures with small cells suppressed; assets come from installed
packages through the static files finders, never from a CDN."""

import csv
import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from marsad.core.models import AuditEntry
from tests.displacement.test_aggregates import build_world
from tests.factories import UserFactory, member

URL = reverse("displacement:dashboard")
DATA_URL = reverse("displacement:dashboard-data")
EXPORT_URL = reverse("displacement:dashboard-export")


def vendor_dirs():
    """The STATICFILES_DIRS entries the lead adds to settings (see the report)."""
    plotly = Path(importlib.util.find_spec("plotly").origin).parent / "package_data"
    leaflet = Path(importlib.util.find_spec("xstatic.pkg.leaflet").origin).parent / "data"
    return [("vendor/plotly", str(plotly)), ("vendor/leaflet", str(leaflet))]


@pytest.fixture(autouse=True)
def vendor_static(settings):
    if not finders.find("vendor/plotly/plotly.min.js"):
        settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, *vendor_dirs()]


@pytest.fixture
def world(mission):
    return build_world(mission)


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def im_client(client, world):
    return signed_in(client, member("im_officer", world.mission, username="im"))


@pytest.fixture
def viewer_client(client, world):
    return signed_in(client, member("aggregate_viewer", username="viewer"))


def exports():
    return AuditEntry.objects.filter(action="export", object_type="displacement.assessmentround")


def embedded(response):
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    "asset",
    [
        "vendor/plotly/plotly.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
        "marsad/displacement/dashboard.js",
        "marsad/displacement/dashboard.css",
    ],
)
def test_assets_are_found_by_the_static_files_finders(asset):
    assert finders.find(asset) is not None


def test_im_officer_sees_the_newest_round_with_every_status(im_client, world):
    response = im_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "round 3" in html
    data = embedded(response)
    assert data["totals"]["round"]["number"] == 3
    assert data["totals"]["populations"]["idp"]["families"] == 40
    # Assets from the installed packages, no CDN.
    assert '/static/vendor/plotly/plotly.min.js"' in html
    assert '/static/vendor/leaflet/leaflet.js"' in html
    assert not re.search(r'(src|href)="https?://', html)


def test_im_officer_filters_by_round_area_and_population(im_client, world):
    response = im_client.get(URL, {"round": 2, "area": "IQG08", "population_type": "idp"})
    data = embedded(response)
    assert data["totals"]["populations"]["idp"]["families"] == 35
    assert data["totals"]["populations"]["idp"]["change_families"] == 5
    assert data["totals"]["populations"]["returnee"]["families"] == 0
    assert data["map"]["level"] == "location"
    assert [(p["pcode"], p["individuals"]) for p in data["map"]["points"]] == [
        ("IQG08Q03L001", 150),
        ("IQG08Q03L002", 56),
    ]
    html = response.content.decode()
    assert "chart=flows&amp;format=csv&amp;round=2&amp;area=IQG08&amp;population_type=idp" in html


def test_im_officer_whole_round_tables(im_client, world):
    response = im_client.get(URL, {"round": 2})
    data = embedded(response)
    assert [(r["pcode"], r["idp_families"]) for r in data["governorates"]] == [
        ("IQG02", 30),
        ("IQG08", 35),
    ]
    assert data["map"]["level"] == "district"
    assert [(p["pcode"], p["individuals"]) for p in data["map"]["points"]] == [
        ("IQG02Q04", 192),
        ("IQG08Q03", 276),
    ]
    html = response.content.decode()
    for heading in [
        "By governorate",
        "By district",
        "Trend across rounds",
        "Shelter",
        "Priority needs by governorate",
        "Intentions (families)",
        "Master list",
    ]:
        assert heading in html
    # The flow matrix: Ninewa → Baghdad 29 families.
    matrix = response.context["matrix"]
    assert [c["pcode"] for c in matrix["columns"]] == ["IQG02", "IQG08"]
    assert [
        (row["pcode"], [c["families"] if c else 0 for c in row["cells"]]) for row in matrix["rows"]
    ] == [("IQG08", [30, 0]), ("IQG15", [0, 29]), (None, [0, 6])]


def test_aggregate_viewer_sees_published_rounds_suppressed(viewer_client, world):
    response = viewer_client.get(URL)
    assert response.status_code == 200
    data = embedded(response)
    assert data["totals"]["round"]["number"] == 2
    assert data["totals"]["populations"]["idp"]["families"] == 35
    html = response.content.decode()
    assert "Published figures only" in html
    assert [choice[0] for choice in response.context["form"].fields["round"].choices] == [2, 1]

    first = viewer_client.get(URL, {"round": 1})
    assert embedded(first)["totals"]["populations"]["returnee"]["families"] is None
    assert "&lt;5</abbr>" in first.content.decode()


def test_aggregate_viewer_cannot_pick_an_unpublished_round(viewer_client, world):
    response = viewer_client.get(URL, {"round": 3})
    assert embedded(response)["totals"]["round"]["number"] == 2


def test_page_in_arabic(im_client, world):
    im_client.cookies["django_language"] = "ar"
    response = im_client.get(URL, {"round": 2}, HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in response.content.decode()
    assert [r["name"] for r in embedded(response)["governorates"]] == ["البصرة", "بغداد"]


def test_no_rounds_yet(client, mission):
    signed_in(client, member("im_officer", mission, username="im"))
    response = client.get(URL)
    assert response.status_code == 200
    assert "No assessment round yet." in response.content.decode()
    assert client.get(DATA_URL).json() == {"round": None, "rounds": []}


def test_without_a_membership_the_dashboard_is_refused(client, world):
    signed_in(client, UserFactory(username="nobody"))
    assert client.get(URL).status_code == 403
    assert client.get(DATA_URL).status_code == 403
    assert client.get(EXPORT_URL, {"chart": "governorate"}).status_code == 403
    assert not exports().exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    assert client.get(URL).status_code == 302


def test_data_json(viewer_client, world):
    response = viewer_client.get(DATA_URL, {"round": 1})
    data = response.json()
    assert data["rounds"] == [2, 1]
    assert data["totals"]["populations"]["idp"]["individuals"] == 218
    assert data["trend"][0]["returnee_families"] is None
    assert data["map"]["tile_url"] == ""


def test_tile_url_setting_reaches_the_map(im_client, world, settings):
    settings.MARSAD_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert im_client.get(DATA_URL).json()["map"]["tile_url"] == settings.MARSAD_MAP_TILE_URL


def test_chart_csv_download_is_audited(viewer_client, world):
    response = viewer_client.get(EXPORT_URL, {"chart": "governorate", "format": "csv", "round": 1})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="displacement-round1-governorate-public.csv"'
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    returnees = rows[0].index("returnee_families")
    assert [(row[0], row[returnees]) for row in rows[1:]] == [("IQG02", "0"), ("IQG08", "<5")]
    entry = exports().get()
    assert entry.actor.username == "viewer"
    assert entry.context["channel"] == "ui"
    assert entry.context["suppressed"] is True


def test_xlsx_download(im_client, world):
    response = im_client.get(
        EXPORT_URL, {"chart": "district", "format": "xlsx", "round": 2, "area": "IQG02"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [row[2] for row in sheet.iter_rows(values_only=True)] == ["district_pcode", "IQG02Q04"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"chart": "pie"}, "chart: pie is not a chart"),
        ({}, "chart: — is not a chart"),
        ({"chart": "trend", "format": "pdf"}, "format: pdf is not a format"),
    ],
)
def test_bad_download_requests(im_client, world, query, message):
    response = im_client.get(EXPORT_URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not exports().exists()


def test_field_monitor_master_list_needs_export(client, world):
    signed_in(client, member("field_monitor", world.mission, username="monitor"))
    assert client.get(EXPORT_URL, {"chart": "masterlist", "round": 2}).status_code == 403
    assert client.get(EXPORT_URL, {"chart": "governorate", "round": 2}).status_code == 200
    assert exports().count() == 1
