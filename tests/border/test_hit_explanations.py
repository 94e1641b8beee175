"""A hit's explanation is put into words for its reader: an officer who may not read the
confidential entry it was raised on gets the same sentence without the listed person's names,
aliases, birth date, nationality or document numbers — on the hit pages, at the counter and in
the API — while a reader cleared for the list sees them as before."""

import datetime
import json

import pytest
from django.urls import reverse

from marsad.border import counter, selectors
from marsad.border.models import ScreeningHit
from marsad.border.screening import Explanation
from marsad.core.models import Sensitivity
from tests.border.factories import World, cross, entry, mrz_lines, passport, watchlist

pytestmark = pytest.mark.django_db

LISTED_NAME = "Kareem Hasan al-Mawsili"
LISTED_ALIAS = "كريم حسن الموصلي"
LISTED_BIRTH = datetime.date(1979, 2, 3)
LISTED_DOCUMENT = "C1234567"
# The traveller's own values differ from the listed ones (other spelling, day and month the
# other way round, another passport), so that any listed value on a page was leaked.
BIRTH = datetime.date(1979, 3, 2)
NUMBER = "B9999999"
#: What an uncleared reader must never be shown (compared in lower case).
SECRETS = (
    LISTED_NAME,
    "Kareem",
    "Mawsili",  # the listed spelling of the family name, as the name parts give it
    LISTED_ALIAS,
    "الموصلي",
    LISTED_BIRTH.isoformat(),
    LISTED_DOCUMENT,
)


def leaked(text: str) -> list[str]:
    lowered = text.lower()
    return [secret for secret in SECRETS if secret.lower() in lowered]


@pytest.fixture
def world(areas):
    return World(areas)


@pytest.fixture
def secret(world):
    """An entry on a confidential list: the supervisor posted at Safwan reads it, the officers
    posted there do not."""
    return entry(
        watchlist(world.bpc, name="Secret", sensitivity=Sensitivity.CONFIDENTIAL),
        names=[LISTED_NAME, LISTED_ALIAS],
        birth_date=LISTED_BIRTH,
        birth_date_precision="day",
        nationality="IRQ",
        document_numbers=[LISTED_DOCUMENT],
        reason="Top secret reason.",
    )


@pytest.fixture
def secret_hit(world, secret):
    crossing = cross(
        world.safwan_point,
        number=NUMBER,
        document=passport(
            NUMBER, surname="AL-MOSULI", given_names="KARIM HASSAN", birth_date=BIRTH
        ),
    )
    counter.screen_crossing(actor=None, crossing=crossing)
    hit = ScreeningHit.objects.get(entry=secret)
    # Stored as the screening gave it: every listed value is in the record.
    assert set(leaked(json.dumps(hit.explanation, ensure_ascii=False))) >= {
        LISTED_NAME,
        "Mawsili",
        LISTED_BIRTH.isoformat(),
        LISTED_DOCUMENT,
    }
    return hit


# --- Pages ---------------------------------------------------------------------------------


def test_the_hit_page_words_the_explanation_for_its_reader(client, world, secret_hit):
    url = reverse("border:hit-detail", args=[secret_hit.pk])
    client.force_login(world.safwan)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert leaked(html) == []
    words = page.context["explanation"]["words"]
    assert words.startswith("name ")
    assert "against the listed name" in words
    assert "nationality agrees (IRQ)" in words
    assert f"document number {NUMBER} is not the listed …" in words
    assert words in html
    client.force_login(world.supervisor)
    html = client.get(url).content.decode()
    assert set(leaked(html)) >= {LISTED_NAME, "Mawsili", LISTED_DOCUMENT}
    assert f"“{LISTED_NAME}”" in html
    assert f"listed {LISTED_BIRTH.isoformat()}" in html


def test_the_queue_and_the_crossing_page_word_the_explanation_for_their_reader(
    client, world, secret_hit
):
    pages = (
        reverse("border:hit-list"),
        reverse("border:crossing-detail", args=[secret_hit.crossing_id]),
        reverse("border:counter-done", args=[secret_hit.crossing_id]),
    )
    client.force_login(world.safwan)
    for url in pages:
        html = client.get(url).content.decode()
        assert leaked(html) == [], url
        assert "against the listed name" in html, url
    client.force_login(world.supervisor)
    for url in pages:
        html = client.get(url).content.decode()
        assert f"“{LISTED_NAME}”" in html, url
        assert LISTED_DOCUMENT in html, url


# --- The counter ---------------------------------------------------------------------------


def test_the_counter_words_the_explanation_for_its_reader(client, world, secret):
    text = mrz_lines(surname="AL MOSULI", given_names="KARIM HASSAN", number=NUMBER, birth=BIRTH)
    client.force_login(world.safwan)
    answer = client.post(reverse("border:counter-read"), {"mrz": text})
    reading = answer.context["reading"]
    (hit,) = reading.hits
    assert leaked(answer.content.decode()) == []
    assert "against the listed name" in hit.words
    assert leaked(json.dumps(reading.as_dict(), ensure_ascii=False)) == []
    page = client.post(reverse("border:counter"), {"mrz": text, "read": "1"})
    assert "against the listed name" in page.content.decode()
    assert leaked(page.content.decode()) == []
    client.force_login(world.supervisor)
    answer = client.post(reverse("border:counter-read"), {"mrz": text})
    (hit,) = answer.context["reading"].hits
    assert f"“{LISTED_NAME}”" in hit.words
    assert LISTED_DOCUMENT in json.dumps(answer.context["reading"].as_dict())


# --- The API -------------------------------------------------------------------------------


def test_the_api_returns_the_explanation_for_its_reader(api_client, world, secret_hit):
    detail = f"/api/v1/border/hits/{secret_hit.pk}/"
    api_client.force_authenticate(world.safwan)
    one = api_client.get(detail).json()
    rows = api_client.get("/api/v1/border/hits/").json()["results"]
    assert [row["id"] for row in rows] == [secret_hit.pk]
    for body in (one, rows[0]):
        explanation = body["explanation"]
        assert leaked(json.dumps(body, ensure_ascii=False)) == []
        assert explanation["listed_hidden"] is True
        assert "against the listed name" in explanation["words"]
        assert explanation["listed_name"] == "…"
        assert {part["listed"] for part in explanation["parts"]} <= {"…", ""}
        listed = {item["feature"]: item["listed"] for item in explanation["evidence"]}
        assert listed["birth_date"] == listed["document_number"] == listed["nationality"] == "…"
        assert "entry_version" not in explanation  # a hash of the listed person's identity
        # The verdicts and the traveller's side stay: the officer sees why it matched.
        assert explanation["score"] == secret_hit.score
        assert [part["traveller"] for part in explanation["parts"]] == [
            part["traveller"] for part in secret_hit.explanation["parts"]
        ]
    api_client.force_authenticate(world.supervisor)
    for body in (api_client.get(detail).json(), api_client.get("/api/v1/border/hits/").json()):
        text = json.dumps(body, ensure_ascii=False)
        assert set(leaked(text)) >= {LISTED_NAME, LISTED_ALIAS, "Mawsili", LISTED_DOCUMENT}
    explanation = api_client.get(detail).json()["explanation"]
    assert explanation["listed_hidden"] is False
    assert explanation["listed_name"] == LISTED_NAME
    assert f"“{LISTED_NAME}”" in explanation["words"]


# --- The one rule --------------------------------------------------------------------------


def test_cleared_readers_read_the_explanation_as_the_screening_gave_it(world, secret_hit):
    stored = Explanation.from_dict(secret_hit.explanation)
    for reader in (world.supervisor, world.admin, None):
        (view,) = selectors.hit_views(reader, [secret_hit])
        assert view.entry_visible, reader
        assert view.explanation["words"] == stored.words() == secret_hit.explanation["words"]
        assert view.explanation["listed_name"] == LISTED_NAME
    # Officers posted there or everywhere, and the mission's IM officer (oversight, who may not
    # decide the hit either): none reads the confidential entry.
    for reader in (world.safwan, world.hq, world.im):
        (view,) = selectors.hit_views(reader, [secret_hit])
        assert not view.entry_visible
        assert leaked(json.dumps(view.explanation, ensure_ascii=False)) == []


def test_an_explanation_stored_without_its_structure_shows_no_listed_value(world, secret_hit):
    ScreeningHit.objects.filter(pk=secret_hit.pk).update(
        explanation={"score": 90, "listed_name": LISTED_NAME, "words": f"against “{LISTED_NAME}”"}
    )
    hit = ScreeningHit.objects.get(pk=secret_hit.pk)
    (hidden,) = selectors.hit_views(world.safwan, [hit])
    assert hidden.explanation == {"score": 90, "listed_hidden": True, "words": ""}
    (shown,) = selectors.hit_views(world.supervisor, [hit])
    assert shown.explanation["words"] == f"against “{LISTED_NAME}”"


def test_an_explanation_an_earlier_algorithm_worded_shows_no_listed_value(world, secret_hit):
    stored = dict(secret_hit.explanation)
    stored["evidence"] = [
        {**item, "verdict": "retired_verdict"} if item["feature"] == "birth_date" else item
        for item in stored["evidence"]
    ]
    ScreeningHit.objects.filter(pk=secret_hit.pk).update(explanation=stored)
    hit = ScreeningHit.objects.get(pk=secret_hit.pk)
    (hidden,) = selectors.hit_views(world.safwan, [hit])
    assert hidden.explanation["words"] == ""
    assert leaked(json.dumps(hidden.explanation, ensure_ascii=False)) == []
    (shown,) = selectors.hit_views(world.supervisor, [hit])
    assert shown.explanation["words"] == secret_hit.explanation["words"]
