"""Border reads: flow statistics against hand-computed totals (scoped, and suppressed for
aggregate viewers), days that stand out against the previous four weeks, overstays, hits with
their entry only for those cleared to read it, and the points an officer may record at."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from marsad.border import selectors, services
from marsad.core.models import AuditAction, AuditEntry
from tests.border.factories import (
    TODAY,
    World,
    at,
    cross,
    entry,
    quick_crossings,
    watchlist,
)
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

D0, D1, D2, D3, D4 = (datetime.date(2026, 2, 28) + datetime.timedelta(days=n) for n in range(5))


@pytest.fixture
def world(areas):
    return World(areas)


@pytest.fixture
def flows(world):
    """Crossings on 1–3 March 2026, and some just outside:

    =====  ==============  ===================  =========================
    day    Safwan entries  Safwan exits         Baghdad airport
    =====  ==============  ===================  =========================
    28 Feb 5 (outside)
    1 Mar  3 IRN pilgrims                       1 GBR business entry
    2 Mar  2 IRN pilgrims  1 IRN pilgrim
    3 Mar                                       4 GBR business entries (one at 23:30),
                                                2 IRQ exits (return)
    4 Mar                                       1 GBR entry at 00:30 (outside)
    =====  ==============  ===================  =========================
    """
    quick_crossings(world.safwan_point, {D0: 5, D1: 3, D2: 2}, number="S101")
    quick_crossings(world.safwan_point, {D2: 1}, direction="exit", number="S102")
    quick_crossings(world.bgw, {D1: 1, D3: 3}, nationality="GBR", purpose="business", number="B201")
    quick_crossings(
        world.bgw, {D3: 1}, nationality="GBR", purpose="business", number="B202", hour=23, minute=30
    )
    quick_crossings(
        world.bgw, {D4: 1}, nationality="GBR", purpose="business", number="B203", hour=0, minute=30
    )
    quick_crossings(
        world.bgw, {D3: 2}, direction="exit", nationality="IRQ", purpose="return", number="B204"
    )


def flow(user, **kwargs):
    return selectors.flow_statistics(user, date_from=D1, date_to=D3, **kwargs)


def test_flow_statistics_match_the_hand_counted_totals(world, flows):
    stats = flow(None)
    assert stats["totals"] == {"entries": 10, "exits": 3, "net": 7}
    assert stats["by_point"] == [
        {
            "point": "BGW",
            "name": "Bgw",
            "kind": "air",
            "entries": 5,
            "exits": 2,
            "net": 3,
        },
        {
            "point": "SAFWAN",
            "name": "Safwan",
            "kind": "land",
            "entries": 5,
            "exits": 1,
            "net": 4,
        },
    ]
    assert stats["by_day"] == [
        {"day": "2026-03-01", "entries": 4, "exits": 0, "net": 4},
        {"day": "2026-03-02", "entries": 2, "exits": 1, "net": 1},
        {"day": "2026-03-03", "entries": 4, "exits": 2, "net": 2},
    ]
    assert stats["by_nationality"] == [
        {"nationality": "IRN", "entries": 5, "exits": 1, "net": 4},
        {"nationality": "GBR", "entries": 5, "exits": 0, "net": 5},
        {"nationality": "IRQ", "entries": 0, "exits": 2, "net": -2},
    ]
    assert [(row["purpose"], row["entries"], row["exits"]) for row in stats["by_purpose"]] == [
        ("pilgrimage", 5, 1),
        ("business", 5, 0),
        ("return", 0, 2),
    ]
    assert stats["by_purpose"][0]["label"] == "Religious visit or pilgrimage"
    assert stats["visibility"] == {"suppressed": False, "threshold": None}


def test_flow_statistics_of_one_point(world, flows):
    stats = flow(None, point=world.safwan_point)
    assert stats["point"] == "SAFWAN"
    assert stats["totals"] == {"entries": 5, "exits": 1, "net": 4}
    assert [row["point"] for row in stats["by_point"]] == ["SAFWAN"]


def test_a_border_officer_counts_only_their_point(world, flows):
    stats = flow(world.safwan)
    assert stats["totals"] == {"entries": 5, "exits": 1, "net": 4}
    assert [row["nationality"] for row in stats["by_nationality"]] == ["IRN"]
    assert flow(world.im)["totals"] == {"entries": 10, "exits": 3, "net": 7}
    assert flow(member("field_monitor"))["totals"] == {"entries": 0, "exits": 0, "net": 0}


def test_aggregate_viewers_get_every_crossing_with_small_cells_hidden(world, flows, settings):
    settings.MARSAD_SMALL_CELL_THRESHOLD = 5
    stats = flow(world.donor)
    assert stats["visibility"] == {"suppressed": True, "threshold": 5}
    assert stats["totals"] == {"entries": 10, "exits": None, "net": None, "withheld": []}
    assert stats["by_point"][0] == {
        "point": "BGW",
        "name": "Bgw",
        "kind": "air",
        "entries": 5,
        "exits": None,
        "net": None,
        "withheld": [],
    }
    assert stats["by_day"][0] == {
        "day": "2026-03-01",
        "entries": None,
        "exits": 0,
        "net": None,
        "withheld": [],
    }
    # A record viewer may ask for the same public figures.
    assert flow(world.safwan, public=True)["totals"] == stats["totals"]


def test_a_cell_that_would_give_a_small_one_away_is_withheld(world, flows, settings, client):
    # With a threshold of 3, 2 March's 2 entries are small; the 10 entries less 1 and 3 March
    # (4 each) would give them, so the first of those is withheld. Every exit cell is small.
    settings.MARSAD_SMALL_CELL_THRESHOLD = 3
    stats = flow(world.donor)
    assert stats["totals"]["entries"] == 10
    assert [(row["day"], row["entries"], row["withheld"]) for row in stats["by_day"]] == [
        ("2026-03-01", None, ["entries"]),
        ("2026-03-02", None, []),
        ("2026-03-03", 4, []),
    ]
    assert [row["entries"] for row in stats["by_point"]] == [5, 5]
    # Baghdad airport's busy 3 March stands out; that day's figure is shown, so is its count.
    assert [(row["day"], row["count"]) for row in stats["outliers"]] == [("2026-03-03", 4)]

    client.force_login(world.donor)
    page = client.get(reverse("border:flows"), {"date_from": D1, "date_to": D3}).content.decode()
    assert "shown as x" in page
    export = client.get(
        reverse("border:flows-export"),
        {"table": "by_day", "format": "csv", "date_from": D1, "date_to": D3},
    ).content.decode()
    assert export.splitlines()[1:] == ["2026-03-01,x,0,", "2026-03-02,<3,<3,", "2026-03-03,4,<3,"]


def test_one_nationality_asked_for_alone_keeps_its_withheld_figure_hidden(world, flows, settings):
    # Two Syrians enter at Safwan on 1 March. By nationality the 2 is small, and 12 entries
    # less GBR's 5 would give it with Iran's 5 shown: Iran's is withheld. Asked for Iranians
    # alone, their 5 entries must not show as the totals, nor as the one point they used.
    quick_crossings(world.safwan_point, {D1: 2}, nationality="SYR", number="S103")
    settings.MARSAD_SMALL_CELL_THRESHOLD = 3
    everyone = flow(world.donor)
    entries = {row["nationality"]: row["entries"] for row in everyone["by_nationality"]}
    assert entries == {"IRN": None, "GBR": 5, "SYR": None, "IRQ": 0}
    iranians = flow(world.donor, nationality="IRN")
    assert iranians["totals"]["entries"] is None
    assert "entries" in iranians["totals"]["withheld"]
    assert [(row["point"], row["entries"]) for row in iranians["by_point"]] == [("SAFWAN", None)]
    # The command line and record viewers still see the figures.
    assert flow(None, nationality="IRN")["totals"]["entries"] == 5


def test_flow_statistics_are_refused_to_users_without_a_role(world):
    with pytest.raises(PermissionDenied):
        flow(UserFactory())


def test_flow_statistics_narrowed_by_direction_nationality_and_purpose(world, flows):
    gbr = flow(None, nationality="GBR")
    assert gbr["totals"] == {"entries": 5, "exits": 0, "net": 5}
    assert [row["point"] for row in gbr["by_point"]] == ["BGW"]
    assert [row["nationality"] for row in gbr["by_nationality"]] == ["GBR"]
    assert gbr["filters"] == {"direction": None, "nationality": "GBR", "purpose": None}
    exits = flow(None, direction="exit")
    assert exits["totals"] == {"entries": 0, "exits": 3, "net": -3}
    assert [row["day"] for row in exits["by_day"] if row["exits"]] == ["2026-03-02", "2026-03-03"]
    pilgrims = flow(None, purpose="pilgrimage", point=world.safwan_point)
    assert pilgrims["totals"] == {"entries": 5, "exits": 1, "net": 4}
    assert flow(None, purpose="")["totals"] == {"entries": 0, "exits": 0, "net": 0}


def test_flow_statistics_take_a_fixed_number_of_queries(world, flows, django_assert_num_queries):
    with django_assert_num_queries(9):
        flow(None)


# --- Days that stand out -----------------------------------------------------------------------


def days(start, end):
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def test_a_surge_stands_out_against_a_steady_month(world):
    surge = datetime.date(2026, 3, 20)  # Arbaeen-like: five times the usual pilgrims
    steady = dict.fromkeys(days(surge - datetime.timedelta(days=28), surge), 4)
    steady[surge] = 20
    steady[surge + datetime.timedelta(days=1)] = 8
    quick_crossings(world.safwan_point, steady)
    found = selectors.outlier_days(
        None, date_from=surge, date_to=surge + datetime.timedelta(days=1)
    )
    # Mean 4, deviation 0 (floored at √4 = 2): 3 × 2 above 4 is 10, and 20 > 10. The next
    # day's 8 stays under both bands (10 on the weekday, 13.64 with the surge in the month).
    assert found == [
        {
            "day": "2026-03-20",
            "point": "SAFWAN",
            "name": "Safwan",
            "direction": "entry",
            "count": 20,
            "kind": "high",
            "baselines": [
                {"baseline": "previous_28_days", "mean": 4.0, "sd": 0.0, "high": 10.0, "low": -2.0},
                {"baseline": "same_weekday", "mean": 4.0, "sd": 0.0, "high": 10.0, "low": -2.0},
            ],
        }
    ]


def test_a_busy_weekday_is_measured_against_the_same_weekday(world):
    # 30 on Fridays, 5 on other days, from 6 February to 10 March 2026 (a Tuesday).
    friday, tuesday = datetime.date(2026, 3, 6), datetime.date(2026, 3, 10)
    counts = {
        day: 30 if day.weekday() == 4 else 5
        for day in days(datetime.date(2026, 2, 6), tuesday - datetime.timedelta(days=1))
    }
    counts[tuesday] = 30
    quick_crossings(world.bgw, counts, direction="exit")
    found = selectors.outlier_days(None, date_from=friday, date_to=tuesday)
    # The usual Friday: 28 days of 4 × 30 and 24 × 5 give mean 8.57 and sd 8.91 (band up to
    # 35.30), and Fridays alone 30 each. The Tuesday's 30 is under the month's 35.30 but far
    # above Tuesdays' 5 + 3 × √5 = 11.71.
    assert found == [
        {
            "day": "2026-03-10",
            "point": "BGW",
            "name": "Bgw",
            "direction": "exit",
            "count": 30,
            "kind": "high",
            "baselines": [
                {"baseline": "same_weekday", "mean": 5.0, "sd": 0.0, "high": 11.71, "low": -1.71}
            ],
        }
    ]
    friday_only = selectors.outlier_days(
        None, date_from=friday, date_to=friday, point=world.bgw, spread=2.0
    )
    # With 2 deviations the month's band is 8.57 + 2 × 8.91 = 26.39: the Friday stands out.
    assert [(row["day"], [b["baseline"] for b in row["baselines"]]) for row in friday_only] == [
        ("2026-03-06", ["previous_28_days"])
    ]
    assert friday_only[0]["baselines"][0]["high"] == 26.39


def test_a_drop_stands_out_too(world):
    closed = datetime.date(2026, 3, 1)
    counts = dict.fromkeys(days(closed - datetime.timedelta(days=28), closed), 25)
    counts[closed] = 9
    counts[closed + datetime.timedelta(days=1)] = 11
    quick_crossings(world.safwan_point, counts)
    found = selectors.outlier_days(
        None, date_from=closed, date_to=closed + datetime.timedelta(days=1)
    )
    # Mean 25, deviation floored at √25 = 5: below 25 − 15 = 10 stands out; 11 does not.
    assert [(row["day"], row["kind"], row["count"]) for row in found] == [("2026-03-01", "low", 9)]
    stats = selectors.flow_statistics(None, date_from=closed, date_to=closed)
    assert stats["outliers"] == found[:1]


# --- Overstays ---------------------------------------------------------------------------------


@pytest.fixture
def stays(world):
    """Visitors as of 2 March 2026, each on their own passport (see the test for who stays)."""
    feb = lambda day: at(datetime.date(2026, 2, day))  # noqa: E731
    visa = {"permit_type": "visa", "permit_expiry": datetime.date(2026, 2, 20)}
    safwan, bgw = world.safwan_point, world.bgw
    made = {
        "A": cross(safwan, number="A100", when=feb(1), **visa),
        "B": cross(safwan, number="B100", when=feb(1), **visa),
        "C": cross(
            safwan,
            number="C100",
            when=feb(1),
            permit_type="visa",
            permit_expiry=datetime.date(2026, 3, 10),
        ),
        "D": cross(safwan, number="D100", when=feb(1), **visa),
        "E": cross(safwan, number="E100", when=feb(1), **visa),
        "G": cross(safwan, number="G100", when=feb(1)),
        "H": cross(bgw, number="H100", when=feb(1), **visa),
    }
    cross(safwan, number="B100", when=feb(15), direction="exit")
    cross(safwan, number="D100", when=at(datetime.date(2026, 3, 5)), direction="exit")
    cross(bgw, number="E100", when=feb(25), direction="exit")
    cross(
        safwan,
        number="F100",
        when=at(datetime.date(2026, 1, 5)),
        permit_type="visa",
        permit_expiry=datetime.date(2026, 1, 30),
    )
    cross(safwan, number="F100", when=at(datetime.date(2026, 1, 20)), direction="exit")
    made["F"] = cross(
        safwan,
        number="F100",
        when=feb(1),
        permit_type="visa",
        permit_expiry=datetime.date(2026, 2, 10),
    )
    return made


def test_overstays_are_entries_past_their_permit_with_no_crossing_after(world, stays):
    # A stays; B left in time; C's visa runs to 10 March; D left only after 2 March; E left
    # through Baghdad airport; F came back on a new visa that ran out on 10 February; G needs
    # no visa; H entered at the airport and stays.
    as_of = TODAY
    found = list(selectors.overstays(None, as_of=as_of))
    assert found == [stays["F"], stays["A"], stays["D"], stays["H"]]
    assert [selectors.overstay_days(crossing, as_of) for crossing in found] == [20, 10, 10, 10]
    # The officer at Safwan sees their own entries, and E's exit elsewhere still counts.
    assert list(selectors.overstays(world.safwan, as_of=as_of)) == [
        stays["F"],
        stays["A"],
        stays["D"],
    ]
    assert list(selectors.overstays(world.donor, as_of=as_of)) == []
    assert list(selectors.overstays(None, as_of=as_of, point=world.bgw)) == [stays["H"]]
    assert selectors.flow_statistics(None, date_from=as_of, date_to=as_of)["overstays"] == 4
    # Narrowed like the figures: by nationality (none of these is British), never by direction.
    assert list(selectors.overstays(None, as_of=as_of, nationality="GBR")) == []
    narrowed = selectors.flow_statistics(
        None, date_from=as_of, date_to=as_of, direction="exit", nationality=stays["A"].nationality
    )
    assert narrowed["overstays"] == 4
    # After D's exit on 5 March, D no longer overstays.
    assert stays["D"] not in selectors.overstays(None, as_of=datetime.date(2026, 3, 5))


# --- Hits, documents, points -------------------------------------------------------------------


@pytest.fixture
def hit(world):
    crossing = cross(world.safwan_point, actor=world.safwan)
    listed = entry(watchlist(world.bpc))
    return services.hits_raise(
        actor=world.safwan,
        document=crossing.document,
        crossing=crossing,
        matches=[services.ScreeningMatch(entry_id=listed.pk, score=83)],
    ).created[0]


def reads(object_type):
    return AuditEntry.objects.filter(action=AuditAction.READ, object_type=object_type).count()


def test_a_border_officer_sees_a_hits_score_and_action_but_not_the_entry(world, hit):
    view = selectors.hit_detail(world.safwan, hit.pk)
    assert (view.hit.score, view.hit.action) == (83, "refer")
    assert view.entry is None
    assert not view.entry_visible
    assert (reads("border.screeninghit"), reads("border.watchlistentry")) == (1, 0)
    cleared = selectors.hit_detail(world.registrar, hit.pk)
    assert cleared.entry.reason == "Wanted for questioning in a smuggling investigation."
    assert (reads("border.screeninghit"), reads("border.watchlistentry")) == (2, 1)
    with pytest.raises(hit.DoesNotExist):
        selectors.hit_detail(world.airport, hit.pk)


def test_the_supervisors_queue_puts_the_strongest_open_hits_first(world, hit):
    crossing = cross(world.safwan_point, actor=world.safwan, number="Z9", when=at(TODAY, 11))
    stronger = services.hits_raise(
        actor=None,
        document=crossing.document,
        crossing=crossing,
        matches=[services.ScreeningMatch(entry_id=hit.entry_id, score=97)],
    ).created[0]
    assert list(selectors.open_hits(world.safwan)) == [stronger, hit]
    # The list is confidential: the supervisor posted at Safwan decides, not the officer.
    services.hit_decide(actor=world.supervisor, hit=stronger, status="confirmed", note="Same man.")
    assert list(selectors.open_hits(world.safwan)) == [hit]
    assert list(selectors.open_hits(world.airport)) == []


def test_documents_are_found_by_number_however_it_is_written(world):
    crossing = cross(world.safwan_point, actor=world.safwan, number="A1234567")
    assert list(selectors.find_documents(world.safwan, "a-123 4567")) == [crossing.document]
    assert list(selectors.find_documents(world.safwan, "A١٢٣٤٥٦٧", "irq")) == [crossing.document]
    assert list(selectors.find_documents(world.airport, "A1234567")) == []
    assert list(selectors.traveller_history(world.safwan, crossing.traveller)) == [crossing]


def test_an_officer_records_at_their_posts_only(world):
    assert list(selectors.recordable_points(world.safwan)) == [world.safwan_point]
    assert {p.code for p in selectors.recordable_points(world.hq)} == {
        "SAFWAN",
        "SHALAMCHEH",
        "BGW",
    }
    assert list(selectors.recordable_points(world.unposted)) == []
    assert list(selectors.recordable_points(world.donor)) == []
    narrowed = member("border_officer", world.bpc, areas=[world.areas["baghdad"]])
    services.post_assign(actor=None, officer=narrowed, point=None)
    assert [p.code for p in selectors.recordable_points(narrowed)] == ["BGW"]
