"""The demo/benchmark master-list generator: deterministic, valid by construction, realistic."""

import csv
import io

from marsad.displacement.generator import COLUMNS, District, make_locations, masterlist_rows, to_csv

DISTRICTS = [District("IQG08Q03", 33.31, 44.35), District("IQG02Q06", 30.38, 47.70)]


def test_locations_are_unique_and_near_their_district():
    locations = make_locations(DISTRICTS, 40)
    assert len({location.pcode for location in locations}) == 40
    for location in locations:
        district = next(d for d in DISTRICTS if d.pcode == location.district)
        assert location.pcode.startswith(district.pcode)
        assert abs(location.latitude - district.latitude) <= 0.25
        assert abs(location.longitude - district.longitude) <= 0.25


def test_rows_are_deterministic_and_well_formed():
    locations = make_locations(DISTRICTS, 30)
    first = list(masterlist_rows(locations, 3))
    assert first == list(masterlist_rows(locations, 3))
    keys = set()
    for row in first:
        assert set(row) == set(COLUMNS)
        assert int(row["families"]) >= 1
        if row["individuals"]:
            assert int(row["individuals"]) >= int(row["families"])
        key = (
            row["location_id"],
            row["population_type"],
            row["origin_pcode"],
            row["displacement_period"],
            row["shelter_category"],
        )
        assert key not in keys
        keys.add(key)
        assert row["origin_pcode"][:5] != row["parent_pcode"][:5]


def test_returnees_appear_from_round_two_in_baghdad():
    locations = make_locations(DISTRICTS, 30)
    assert not [r for r in masterlist_rows(locations, 1) if r["population_type"] == "returnee"]
    returnees = [r for r in masterlist_rows(locations, 3) if r["population_type"] == "returnee"]
    assert returnees
    assert all(r["location_id"].startswith("IQG08") for r in returnees)


def test_csv_round_trips():
    rows = list(masterlist_rows(make_locations(DISTRICTS, 5), 1))
    assert list(csv.DictReader(io.StringIO(to_csv(rows).decode("utf-8")))) == rows
