"""Pulling submissions from a Kobo server: a local HTTP server serves the recorded pages."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from marsad.displacement.kobo.client import KoboError, fetch_pages
from marsad.displacement.models import LocationAssessment
from tests.displacement.factories import location, open_round

DATA = Path(__file__).parent / "data" / "kobo"
TOKEN = "s3cret-token"
ASSET = "aBcD1234"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def kobo_server():
    requests: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append((self.path, self.headers.get("Authorization", "")))
            base = f"http://127.0.0.1:{self.server.server_port}"
            prefix = f"/api/v2/assets/{ASSET}/data/"
            if self.headers.get("Authorization") != f"Token {TOKEN}":
                return self._send(401, {"detail": "Invalid token."})
            if self.path == f"{prefix}?format=json&limit=1000&start=0":
                text = (DATA / "page1.json").read_text(encoding="utf-8")
                text = text.replace("NEXT_URL", f"{base}{prefix}?format=json&limit=1000&start=1")
            elif self.path == f"{prefix}?format=json&limit=1000&start=1":
                text = (DATA / "page2.json").read_text(encoding="utf-8")
                text = text.replace(
                    "PREVIOUS_URL", f"{base}{prefix}?format=json&limit=1000&start=0"
                )
            else:
                return self._send(404, {"detail": "Not found."})
            return self._send(200, json.loads(text))

        def _send(self, status, payload):
            body = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetch_follows_next_with_the_token(kobo_server):
    url, requests = kobo_server
    pages = fetch_pages(url=url + "/", token=TOKEN, asset=ASSET)
    assert [len(page["results"]) for page in pages] == [1, 1]
    assert pages[1]["next"] is None
    assert requests == [
        (f"/api/v2/assets/{ASSET}/data/?format=json&limit=1000&start=0", f"Token {TOKEN}"),
        (f"/api/v2/assets/{ASSET}/data/?format=json&limit=1000&start=1", f"Token {TOKEN}"),
    ]


def test_refused_token(kobo_server):
    url, requests = kobo_server
    with pytest.raises(KoboError) as raised:
        fetch_pages(url=url, token="wrong", asset=ASSET)
    assert str(raised.value) == (
        f"The Kobo server at {url}/api/v2/assets/{ASSET}/data/?format=json&limit=1000&start=0 "
        "refused the token (HTTP 401)."
    )
    assert len(requests) == 1


def test_unknown_asset(kobo_server):
    url, _requests = kobo_server
    with pytest.raises(KoboError, match=r"has no form at .* \(HTTP 404\); check the asset id\."):
        fetch_pages(url=url, token=TOKEN, asset="nope")


def test_network_error_is_named():
    with pytest.raises(KoboError, match=r"^Cannot reach the Kobo server at http://127\.0\.0\.1:9/"):
        fetch_pages(url="http://127.0.0.1:9", token=TOKEN, asset=ASSET, timeout=5)


@pytest.fixture
def round4(areas):
    location("IQG08Q03L001", areas["karkh"])
    location("IQG08Q03L002", areas["karkh"])
    return open_round(4)


def test_command_pulls_and_imports(kobo_server, round4, ngo):
    url, _requests = kobo_server
    args = ["displacement", "kobo-pull", "--url", url, "--asset", ASSET]
    args += ["--round", "4", "--organisation", ngo.code]
    out = io.StringIO()
    call_command(*args, "--token", TOKEN, stdout=out)
    assert out.getvalue().strip() == (
        "3 population rows created, 0 updated, 0 unchanged; 0 new locations, 2 new assessments."
    )
    assert sorted(LocationAssessment.objects.values_list("source_key", flat=True)) == [
        "5b1e0c2a-0001-4c1e-9d6e-000000000001",
        "5b1e0c2a-0002-4c1e-9d6e-000000000002",
    ]


def test_command_refused_token_writes_nothing(kobo_server, round4, ngo):
    url, _requests = kobo_server
    with pytest.raises(CommandError, match=r"refused the token \(HTTP 401\)\.$"):
        call_command(
            "displacement",
            "kobo-pull",
            "--url",
            url,
            "--token",
            "wrong",
            "--asset",
            ASSET,
            "--round",
            "4",
            "--organisation",
            ngo.code,
        )
    assert LocationAssessment.objects.count() == 0


def test_only_http_addresses():
    with pytest.raises(KoboError, match=r"^file:///etc/api/v2/.* is not an http:// or https://"):
        fetch_pages(url="file:///etc", token=TOKEN, asset=ASSET)
