"""Complementary suppression of the public figures: no small cell follows from a total.

The world below has one published round of IDPs (families by location):

    Baghdad 104: Karkh 43 (L1 40, L2 3), Adhamiya 30 (L3 30), Kadhimiya 27 (L4 20, L5 7),
                 Mahmudiya 4 (L8 4)
    Basrah 2:    Zubair 2 (L6 2)
    Ninewa 60:   Mosul 60 (L7 60)
    Iraq 166

With a threshold of 5: Basrah, Zubair, Mahmudiya, L2, L6 and L8 are small. Iraq less Baghdad
gives Basrah + Ninewa, so Ninewa is withheld, and with it everything below it (each of its
lines has one member); Baghdad less its visible districts would give Mahmudiya, so the smallest
other (Kadhimiya) is withheld, and then L5 within it; Karkh less L1 would give L2, so L1 is
withheld.
"""

import csv
import io
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.core.disclosure import Line, Protection, protect
from marsad.displacement import aggregates, exporters
from marsad.displacement.aggregates import EVERYWHERE, GROUP, protect_hierarchy
from marsad.geo.models import AdminArea, AreaLevel
from tests.displacement.factories import (
    AssessmentRoundFactory,
    LocationAssessmentFactory,
    PopulationGroupFactory,
    location,
    period,
)
from tests.factories import AdminAreaFactory, area_tree, member

SMALL = {"IQG02", "IQG02Q04", "IQG08Q04", "L2", "L6", "L8"}
WITHHELD = {"IQG15", "IQG15Q01", "L7", "IQG08Q02", "L5", "L1"}


@pytest.fixture(autouse=True)
def threshold():
    with override_settings(MARSAD_SMALL_CELL_THRESHOLD=5):
        yield


@pytest.fixture
def world(mission):
    areas = area_tree()
    baghdad, karkh, zubair = areas["baghdad"], areas["karkh"], areas["zubair"]
    adhamiya = AdminAreaFactory(pcode="IQG08Q01", level=AreaLevel.DISTRICT, parent=baghdad)
    kadhimiya = AdminAreaFactory(pcode="IQG08Q02", level=AreaLevel.DISTRICT, parent=baghdad)
    mahmudiya = AdminAreaFactory(pcode="IQG08Q04", level=AreaLevel.DISTRICT, parent=baghdad)
    ninewa = AdminAreaFactory(
        pcode="IQG15", level=AreaLevel.GOVERNORATE, parent=areas["country"], name_en="Ninewa"
    )
    mosul = AdminAreaFactory(pcode="IQG15Q01", level=AreaLevel.DISTRICT, parent=ninewa)
    round_ = AssessmentRoundFactory(number=1, status="published")
    groups = {}
    for pcode, district, families in (
        ("L1", karkh, 40),
        ("L2", karkh, 3),
        ("L3", adhamiya, 30),
        ("L4", kadhimiya, 20),
        ("L5", kadhimiya, 7),
        ("L6", zubair, 2),
        ("L7", mosul, 60),
        ("L8", mahmudiya, 4),
    ):
        assessment = LocationAssessmentFactory(
            round=round_,
            area=location(pcode, district),
            organisation=mission,
            status="published",
        )
        groups[pcode] = PopulationGroupFactory(
            assessment=assessment,
            population_type="idp",
            families=families,
            individuals=families * 6,
            displacement_period=period("2006-2008"),
        )
    return {"round": round_, "kadhimiya": kadhimiya, "ninewa": ninewa, "groups": groups}


@pytest.fixture
def viewer(world):
    return member("aggregate_viewer", username="viewer")


def hidden(rows, key="pcode"):
    """Each hidden row's P-code: 'small' or 'withheld'."""
    return {
        row[key]: "withheld" if "idp_families" in row["withheld"] else "small"
        for row in rows
        if row["idp_families"] is None
    }


def expected(pcodes):
    return {
        pcode: "withheld" if pcode in WITHHELD else "small"
        for pcode in pcodes
        if pcode in SMALL | WITHHELD
    }


@pytest.mark.parametrize(
    ("level", "pcodes"),
    [
        ("governorate", ["IQG02", "IQG08", "IQG15"]),
        ("district", ["IQG02Q04", "IQG08Q01", "IQG08Q02", "IQG08Q03", "IQG08Q04", "IQG15Q01"]),
        ("location", ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"]),
    ],
)
def test_every_level_hides_the_small_cells_and_those_that_would_give_them_away(
    world, viewer, level, pcodes
):
    rows = aggregates.by_area(user=viewer, round=world["round"], level=level)
    assert sorted(row["pcode"] for row in rows) == pcodes
    assert hidden(rows) == expected(pcodes)
    # What stays visible adds up to no hidden figure: in each line, none or two or more hidden.
    if level == "governorate":
        total = aggregates.totals(user=viewer, round=world["round"])["populations"]["idp"]
        assert total["families"] == 166


def test_a_filter_hides_the_same_cells_as_the_whole_table(world, viewer):
    rows = aggregates.by_area(
        user=viewer, round=world["round"], level="location", area=world["kadhimiya"]
    )
    assert {row["pcode"]: row["idp_families"] for row in rows} == {"L4": 20, "L5": None}
    assert hidden(rows) == {"L5": "withheld"}
    totals = aggregates.totals(user=viewer, round=world["round"], area=world["kadhimiya"])
    assert totals["populations"]["idp"]["families"] is None
    assert totals["populations"]["idp"]["withheld"] == ["families", "individuals"]


def test_the_trend_of_an_area_hides_what_its_round_hides(world, viewer):
    l5 = AdminArea.objects.get(pcode="L5")  # below a district: read by assessment
    for area in (world["ninewa"], world["kadhimiya"], l5):
        (row,) = aggregates.trend(user=viewer, area=area)
        assert (row["idp_families"], row["idp_individuals"]) == (None, None)
        assert row["withheld"] == ["idp_families", "idp_individuals"]
    (everywhere,) = aggregates.trend(user=viewer)
    assert everywhere["idp_families"] == 166


def test_the_master_list_withholds_the_population_rows_of_withheld_locations(world, viewer):
    rows = aggregates.master_list(user=viewer, round=world["round"])
    as_area_rows = [
        {
            "location_id": row["location_id"],
            "idp_families": row["families"],
            "withheld": [f"idp_{name}" for name in row["withheld"]],
        }
        for row in rows
    ]
    assert hidden(as_area_rows, key="location_id") == expected(
        ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8"]
    )


def test_roles_that_see_records_see_every_figure(world, mission):
    officer = member("im_officer", mission, username="im")
    rows = aggregates.by_area(user=officer, round=world["round"], level="location")
    assert all(row["idp_families"] is not None for row in rows)
    assert all(aggregates.WITHHELD not in row for row in rows)


def test_exports_mark_a_withheld_cell_apart_from_a_small_one(world, viewer):
    export = exporters.export(
        actor=viewer, user=viewer, table="district", file_format="csv", round=world["round"]
    )
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    marks = {row["district_pcode"]: row["idp_families"] for row in rows}
    assert marks == {
        "IQG02Q04": "<5",
        "IQG08Q01": "30",
        "IQG08Q02": "x",
        "IQG08Q03": "43",
        "IQG08Q04": "<5",
        "IQG15Q01": "x",
    }


def test_the_dashboard_explains_a_withheld_cell(world, viewer, client):
    client.force_login(viewer)
    page = client.get(reverse("displacement:dashboard")).content.decode()
    assert "withheld so that a figure of fewer than 5 families cannot be worked out" in page
    assert ">x</abbr>" in page
    assert ">&lt;5</abbr>" in page


def test_flows_are_protected_by_row_and_by_column(world, viewer):
    # IDPs by origin: Basrah's 40 in L1 (Baghdad); Ninewa's 30 + 20 in L3, L4 (Baghdad) and 2
    # in L6 (Basrah); the rest (Baghdad 14, Ninewa 60) not recorded.
    groups = world["groups"]
    basrah, ninewa = AdminArea.objects.get(pcode="IQG02"), world["ninewa"]
    for pcode, origin in (("L1", basrah), ("L3", ninewa), ("L4", ninewa), ("L6", ninewa)):
        groups[pcode].origin_area = origin
        groups[pcode].save()
    rows = aggregates.flows(user=viewer, round=world["round"])
    cells = {
        (row["origin_pcode"], row["current_pcode"]): (row["families"], bool(row["withheld"]))
        for row in rows
    }
    # Ninewa → Basrah (2) is small; Basrah's figure is hidden in by_area too. Ninewa's column
    # (52) less Ninewa → Baghdad would give it: that goes. Ninewa's own figure (60) is withheld
    # in by_area, and its row holds only "not recorded": that goes. Then "not recorded" (74)
    # less its Ninewa cell would give its Baghdad cell, and Baghdad's row (104, shown in
    # by_area) has two hidden cells: the 40 from Basrah stays.
    assert cells == {
        ("IQG02", "IQG08"): (40, False),
        ("IQG15", "IQG02"): (None, False),
        ("IQG15", "IQG08"): (None, True),
        (None, "IQG08"): (None, True),
        (None, "IQG15"): (None, True),
    }
    # Baghdad's row alone has nothing small in it; it hides what the whole table hides.
    baghdad = AdminArea.objects.get(pcode="IQG08")
    row = aggregates.flows(user=viewer, round=world["round"], area=baghdad)
    assert [(r["origin_pcode"], r["families"]) for r in row] == [
        ("IQG02", 40),
        ("IQG15", None),
        (None, None),
    ]


def test_an_origin_asked_for_alone_hides_what_the_whole_table_hides(world, viewer):
    # Baghdad's IDPs by origin: Basrah 3 (L2), Ninewa 30 (L3), not recorded 71. The whole
    # table withholds Ninewa → Baghdad, or 104 less 30 and 71 would give Basrah's 3. Alone,
    # Ninewa's column has nothing small in it; it must not show the 30 all the same.
    groups = world["groups"]
    groups["L2"].origin_area = AdminArea.objects.get(pcode="IQG02")
    groups["L3"].origin_area = world["ninewa"]
    for group in (groups["L2"], groups["L3"]):
        group.save()
    whole = aggregates.flows(user=viewer, round=world["round"])
    cells = {(row["origin_pcode"], row["current_pcode"]): row["families"] for row in whole}
    assert cells[("IQG02", "IQG08")] is None
    assert cells[("IQG15", "IQG08")] is None
    alone = aggregates.flows(user=viewer, round=world["round"], origin=world["ninewa"])
    assert [(row["current_pcode"], row["families"], row["withheld"]) for row in alone] == [
        ("IQG08", None, ["families", "individuals"])
    ]
    # Baghdad's row alone is the whole table's row: the same cells hidden.
    baghdad = AdminArea.objects.get(pcode="IQG08")
    row = aggregates.flows(user=viewer, round=world["round"], area=baghdad)
    assert {(r["origin_pcode"], r["families"]) for r in row} == {
        (o, f) for (o, c), f in cells.items() if c == "IQG08"
    }


def test_a_governorate_s_shelter_and_the_country_s_are_protected_together(mission):
    # Baghdad: 40 families rented (L1), 3 in a camp (L2); Ninewa: 50 in a camp, 20 rented.
    # The country's camp figure (53) less Ninewa's (50) would give Baghdad's 3: Ninewa's camp
    # figure goes too, and then its rented one (its 70 less the camp's would give it).
    areas = area_tree()
    ninewa = AdminAreaFactory(
        pcode="IQG15", level=AreaLevel.GOVERNORATE, parent=areas["country"], name_en="Ninewa"
    )
    mosul = AdminAreaFactory(pcode="IQG15Q01", level=AreaLevel.DISTRICT, parent=ninewa)
    round_ = AssessmentRoundFactory(number=1, status="published")
    viewer = member("aggregate_viewer", username="viewer")
    for pcode, district, rows in (
        ("L1", areas["karkh"], [(40, "rented")]),
        ("L2", areas["karkh"], [(3, "camp")]),
        ("L7", mosul, [(50, "camp"), (20, "rented")]),
    ):
        assessment = LocationAssessmentFactory(
            round=round_, area=location(pcode, district), organisation=mission, status="published"
        )
        for families, shelter in rows:
            PopulationGroupFactory(
                assessment=assessment,
                population_type="idp",
                families=families,
                individuals=families * 6,
                shelter_category=shelter,
                displacement_period=period("2006-2008"),
            )

    def shown(area):
        table = aggregates.shelter(user=viewer, round=round_, area=area)
        return {
            row["category"]: row["families"]
            for row in table["categories"]
            if row["category"] in ("camp", "rented")
        }

    assert shown(None) == {"camp": 53, "rented": 60}
    assert shown(areas["country"]) == shown(None)
    assert shown(areas["baghdad"]) == {"camp": None, "rented": None}
    assert shown(ninewa) == {"camp": None, "rented": None}
    # A district's table hides at least what its governorate's does.
    assert shown(mosul) == {"camp": None, "rented": None}


@st.composite
def paths(draw):
    """Population rows (type, families, path) over a random tree of areas, each row under its
    location as a level of its own (as the master list's rows are)."""
    rows = []
    for index in range(draw(st.integers(1, 30))):
        governorate = draw(st.sampled_from(["G1", "G2", "G3"]))
        district = governorate + draw(st.sampled_from(["D1", "D2", "D3"]))
        place = district + draw(st.sampled_from(["L1", "L2", "L3", "L4"]))
        families = draw(st.sampled_from([0, 1, 2, 3, 4, 6, 9, 20, 50]))
        kind = draw(st.sampled_from(["idp", "returnee"]))
        rows.append((kind, families, f"IQ/{governorate}/{district}/{place}/{place}R{index}/"))
    return rows


@settings(max_examples=200, deadline=None)
@given(paths(), st.integers(1, 3))
def test_the_levels_above_a_cut_are_hidden_as_in_the_whole_hierarchy(rows, depth):
    whole = protect_hierarchy(rows, 5)
    cut = protect_hierarchy(rows, 5, depth=depth)

    def level(pcode):  # IQ 1, G1 2, G1D1 3, G1D1L1 4, G1D1L1R7 5
        if pcode in (EVERYWHERE, "IQ"):
            return 0 if pcode == EVERYWHERE else 1
        return 5 if "R" in pcode else len(pcode) // 2 + 1

    def above(protection):
        return {key for key in protection.hidden if level(key[0]) <= depth}

    assert above(cut) == above(whole)


@st.composite
def master_rows(draw):
    """Master-list rows (key, location, population type, families) and which locations'
    figures the area hierarchy hides."""
    rows = [
        (
            index,
            draw(st.sampled_from(["L1", "L2", "L3", "L4", "L5"])),
            draw(st.sampled_from(["idp", "returnee"])),
            draw(st.sampled_from([0, 1, 2, 4, 5, 6, 9, 30])),
        )
        for index in range(draw(st.integers(0, 25)))
    ]
    locations = sorted({(row[1], row[2]) for row in rows})
    hidden = {location for location in locations if draw(st.booleans())}
    return rows, hidden


@settings(max_examples=300, deadline=None)
@given(master_rows())
def test_the_master_list_hides_what_protecting_every_location_would(data):
    rows, hidden_there = data
    there = Protection(frozenset(hidden_there), frozenset())  # the area hierarchy's verdict
    visibility = aggregates.Visibility(None, published_only=True, suppress=True, threshold=5)
    with mock.patch.object(aggregates, "area_protection", return_value=there):
        trimmed = aggregates._group_protection(visibility, None, rows)
    # The reference: every location's line handed to ``protect``, none left out.
    values, cells = {}, {}
    for key, pcode, kind, families in rows:
        values[(GROUP, key)] = families
        values[(pcode, kind)] = values.get((pcode, kind), 0) + families
        cells.setdefault((pcode, kind), []).append((GROUP, key))
    whole = protect(
        values,
        [Line(location, members) for location, members in cells.items()],
        5,
        fixed=set(cells) - hidden_there,
        hidden_elsewhere=hidden_there,
    )
    assert (trimmed.small, trimmed.complements) == (whole.small, whole.complements)
