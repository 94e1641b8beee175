"""Parsing area files (no database): each format, encodings, and every error with its place."""

import json
from decimal import Decimal

import pytest

from marsad.geo import loaders
from marsad.geo.loaders import parse, polygon_centroid

HEADER = "pcode,level,name_en,name_ar,name_ku,parent_pcode,iso_code,latitude,longitude\n"
TREE = (
    HEADER + "IQ,country,Iraq,العراق,عێراق,,IQ,33.2232,43.6793\n"
    "IQG08,governorate,Baghdad,بغداد,بەغدا,IQ,IQ-BG,33.3,44.4\n"
    "IQG08Q03,district,Al-Karkh,الكرخ,کەرخ,IQG08,,,\n"
)


def messages(parsed):
    return [str(problem) for problem in parsed.problems]


def test_marsad_csv_rows_keep_their_line_and_values():
    parsed = parse(TREE.encode())
    assert parsed.format == loaders.MARSAD_CSV
    assert parsed.problems == []
    assert [(r.line, r.pcode, r.level, r.parent_pcode) for r in parsed.rows] == [
        (2, "IQ", 0, ""),
        (3, "IQG08", 1, "IQ"),
        (4, "IQG08Q03", 2, "IQG08"),
    ]
    assert parsed.rows[1].values == {
        "name_en": "Baghdad",
        "name_ar": "بغداد",
        "name_ku": "بەغدا",
        "iso_code": "IQ-BG",
        "latitude": Decimal("33.300000"),
        "longitude": Decimal("44.400000"),
    }
    assert parsed.rows[2].values["latitude"] is None
    assert parsed.rows[2].values["longitude"] is None


def test_bom_is_ignored_and_column_order_is_free():
    text = "\ufefflevel,name_en,pcode,parent_pcode\ncountry,Iraq,IQ,\ngovernorate,Basrah,IQG02,IQ\n"
    parsed = parse(text.encode("utf-8"))
    assert parsed.problems == []
    assert [(r.pcode, r.level, r.values) for r in parsed.rows] == [
        ("IQ", 0, {"name_en": "Iraq"}),
        ("IQG02", 1, {"name_en": "Basrah"}),
    ]


def test_columns_the_file_lacks_are_not_in_the_values():
    parsed = parse(b"pcode,level,name_en\nIQ,country,Iraq\n")
    assert parsed.rows[0].values == {"name_en": "Iraq"}


def test_levels_by_name_case_and_number():
    text = (
        "pcode,level,name_en,parent_pcode\n"
        "IQ,Country,Iraq,\nIQG01,1,Anbar,IQ\nS1,sub-district,S,X\n"
    )
    assert [row.level for row in parse(text.encode()).rows] == [0, 1, 3]


def test_blank_lines_are_skipped_and_lines_still_counted():
    parsed = parse(b"pcode,level,name_en\n\nIQ,country,Iraq\n\n,country,Nowhere\n")
    assert [row.line for row in parsed.rows] == [3]
    assert messages(parsed) == ["line 5, column pcode: the P-code is empty"]


def test_quoted_newline_counts_the_line_a_record_starts_on():
    text = 'pcode,level,name_en\nIQ,country,"Iraq\nRepublic"\nIQ,country,Again\n'
    parsed = parse(text.encode())
    assert parsed.rows[0].values["name_en"] == "Iraq\nRepublic"
    assert messages(parsed) == [
        "line 4, column pcode: the P-code IQ appears again (first on line 2)"
    ]


def test_semicolon_separated_file_is_read():
    parsed = parse(b"pcode;level;name_en\nIQ;country;Iraq\n")
    assert [row.pcode for row in parsed.rows] == ["IQ"]


def test_every_error_is_reported_with_line_and_column():
    text = (
        "pcode,level,name_en,parent_pcode,latitude,longitude,iso_code\n"
        "IQ,country,Iraq,,33,44,IQ\n"  # 2: fine
        "IQG01,province,Anbar,IQ,,,\n"  # 3: unknown level
        ",governorate,Basrah,IQ,,,\n"  # 4: missing P-code
        "IQG03,governorate,,IQ,,,\n"  # 5: missing English name
        "IQG01,governorate,Anbar again,IQ,,,\n"  # 6: duplicate P-code
        "IQG05,governorate,Babil,IQ,north,44,\n"  # 7: latitude not a number
        "IQG06,governorate,Kerbala,IQ,32,200,\n"  # 8: longitude out of range
        "IQX,country,Other,IQ,,,\n"  # 9: country with a parent
        "IQG07,governorate,Diyala,,,,\n"  # 10: no parent
        "IQG09,governorate,Thi-Qar,IQ,31,,\n"  # 11: latitude without longitude
        "IQ G10,governorate,Bad code,IQ,,,\n"  # 12: invalid P-code
        "IQG11,governorate,Long ISO,IQ,,,IQ-TOOLONG\n"  # 13: ISO code too long
        "IQG12,governorate,Self,IQG12,,,\n"  # 14: own parent
    )
    parsed = parse(text.encode())
    assert messages(parsed) == [
        "line 3, column level: 'province' is not a level; use one of country, governorate, "
        "district, subdistrict, location",
        "line 4, column pcode: the P-code is empty",
        "line 5, column name_en: the English name is empty",
        "line 6, column pcode: the P-code IQG01 appears again (first on line 3)",
        "line 7, column latitude: 'north' is not a number",
        "line 8, column longitude: longitude 200 is outside -180 to 180",
        "line 9, column parent_pcode: a country has no parent, but the parent P-code is IQ",
        "line 10, column parent_pcode: a governorate needs a parent P-code",
        "line 11, column longitude: latitude is given, so longitude is needed too",
        "line 12, column pcode: 'IQ G10' is not a valid P-code: use 2 to 32 letters, digits, "
        "hyphens or underscores, e.g. IQG08Q03",
        "line 13, column iso_code: 'IQ-TOOLONG' is too long for an ISO 3166 code (at most 8 "
        "characters)",
        "line 14, column parent_pcode: an area cannot be its own parent",
    ]
    assert [row.pcode for row in parsed.rows] == ["IQ"]
    # Rows with problems are still known by P-code, so their children do not cascade errors.
    assert parsed.seen["IQG01"] is None
    assert parsed.seen["IQG03"] == 1


def test_empty_level_and_latitude_out_of_range():
    text = "pcode,level,name_en,latitude,longitude\nIQ,,Iraq,95,40\n"
    assert messages(parse(text.encode())) == [
        "line 2, column level: the level is empty; use one of country, governorate, district, "
        "subdistrict, location",
        "line 2, column latitude: latitude 95 is outside -90 to 90",
    ]


def test_missing_required_columns_are_reported_on_the_header():
    parsed = parse(b"code,name\nIQ,Iraq\n")
    assert [(p.line, p.column) for p in parsed.problems] == [
        (1, "pcode"),
        (1, "level"),
        (1, "name_en"),
    ]
    assert parsed.rows == []


def test_a_row_with_too_many_cells_is_reported():
    parsed = parse(b"pcode,level,name_en\nIQ,country,Iraq,Republic of\n")
    assert messages(parsed) == [
        "line 2: the row has 4 cells but the header has 3 columns (is a comma inside a name "
        "missing its quotes?)"
    ]


def test_not_utf8_names_the_line():
    content = b"pcode,level,name_en\nIQ,country,Iraq\n" + "IQG01,x,بغداد\n".encode("cp1256")
    assert messages(parse(content)) == [
        "line 3: the file is not UTF-8 text (byte 45); save it as UTF-8 (in Excel: CSV UTF-8)"
    ]


def test_empty_file():
    assert messages(parse(b"")) == ["line 1: the file is empty"]


def test_coordinates_are_rounded_to_six_decimals():
    parsed = parse(b"pcode,level,name_en,latitude,longitude\nIQ,country,Iraq,33.12345678,44.1\n")
    assert parsed.rows[0].values["latitude"] == Decimal("33.123457")


# COD-AB tables


COD_AB = (
    "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM1_AR,ADM1_KU,ADM2_PCODE,ADM2_EN,ADM2_AR,Shape_Area\n"
    "IQ,Iraq,IQG08,Baghdad,بغداد,بەغدا,IQG08Q03,Al-Karkh,الكرخ,0.1\n"
    "IQ,Iraq,IQG08,Baghdad,بغداد,بەغدا,IQG08Q01,Abu Ghraib,أبو غريب,0.2\n"
    "IQ,Iraq,IQG02,Al-Basrah,البصرة,بەسرە,IQG02Q04,Al-Zubair,الزبير,0.3\n"
)


def test_cod_ab_gives_one_area_per_pcode_with_the_parent_from_the_level_above():
    parsed = parse(COD_AB.encode())
    assert parsed.format == loaders.COD_AB_CSV
    assert parsed.problems == []
    assert [(r.line, r.pcode, r.level, r.parent_pcode) for r in parsed.rows] == [
        (2, "IQ", 0, ""),
        (2, "IQG08", 1, "IQ"),
        (2, "IQG08Q03", 2, "IQG08"),
        (3, "IQG08Q01", 2, "IQG08"),
        (4, "IQG02", 1, "IQ"),
        (4, "IQG02Q04", 2, "IQG02"),
    ]
    assert parsed.rows[1].values == {"name_en": "Baghdad", "name_ar": "بغداد", "name_ku": "بەغدا"}
    assert parsed.rows[0].values == {"name_en": "Iraq"}


def test_cod_ab_ckb_column_gives_the_kurdish_name():
    text = "ADM0_PCODE,ADM0_EN,adm1_pcode,adm1_en,adm1_ckb\nIQ,Iraq,IQG08,Baghdad,بەغدا\n"
    assert parse(text.encode()).rows[1].values["name_ku"] == "بەغدا"


def test_cod_ab_conflicting_repeats_and_missing_parent_are_reported():
    text = (
        "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,ADM2_PCODE,ADM2_EN\n"
        "IQ,Iraq,IQG08,Baghdad,IQG08Q03,Al-Karkh\n"
        "IQ,Iraq,IQG08,Bagdad,IQG08Q01,Abu Ghraib\n"
        "IQ,Iraq,IQG02,Basrah,IQG08Q03,Al-Karkh\n"
        "IQ,Iraq,,,IQG05Q01,Orphan\n"
    )
    assert messages(parse(text.encode())) == [
        "line 3, column ADM1_EN: IQG08 has 'Bagdad' here but 'Baghdad' on line 2",
        "line 4, column ADM1_PCODE: IQG08Q03 has the parent IQG02 here but IQG08 on line 2",
        "line 5, column ADM1_PCODE: a district needs a parent P-code",
    ]


def test_cod_ab_header_needs_english_names_and_every_level_above():
    parsed = parse(b"ADM1_PCODE,ADM1_EN,ADM2_PCODE\nIQG08,Baghdad,IQG08Q03\n")
    assert messages(parsed) == [
        "line 1, column ADM2_PCODE: the header has ADM2_PCODE but no ADM2_EN column for the "
        "English name",
        "line 1, column ADM1_PCODE: the header has ADM1_PCODE but no ADM0_PCODE: each area's "
        "parent comes from the level above",
    ]


def test_cod_ab_coordinates_go_to_the_deepest_area_of_the_row():
    text = (
        "ADM0_PCODE,ADM0_EN,ADM1_PCODE,ADM1_EN,latitude,longitude\n"
        "IQ,Iraq,IQG08,Baghdad,33.3,44.4\n"
    )
    rows = parse(text.encode()).rows
    assert "latitude" not in rows[0].values
    assert rows[1].values["latitude"] == Decimal("33.300000")


# GeoJSON


def feature(properties, geometry=None):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


SQUARE = {"type": "Polygon", "coordinates": [[[44, 33], [46, 33], [46, 35], [44, 35], [44, 33]]]}


def test_geojson_with_marsad_properties_keeps_the_boundary_and_computes_the_centroid():
    parsed = parse(
        collection(
            feature(
                {
                    "pcode": "IQG08",
                    "level": "governorate",
                    "name_en": "Baghdad",
                    "parent_pcode": "IQ",
                },
                SQUARE,
            )
        ),
        "areas.geojson",
    )
    assert parsed.format == loaders.GEOJSON
    assert parsed.problems == []
    row = parsed.rows[0]
    assert (row.line, row.unit, row.pcode, row.level, row.parent_pcode) == (
        1,
        "feature",
        "IQG08",
        1,
        "IQ",
    )
    assert row.values["boundary"] == SQUARE
    assert (row.values["latitude"], row.values["longitude"]) == (Decimal("34"), Decimal("45"))


def test_geojson_given_coordinates_win_over_the_geometry():
    props = {
        "pcode": "IQ",
        "level": 0,
        "name_en": "Iraq",
        "latitude": 33.2232,
        "longitude": 43.6793,
    }
    row = parse(collection(feature(props, SQUARE))).rows[0]
    assert (row.values["latitude"], row.values["longitude"]) == (
        Decimal("33.223200"),
        Decimal("43.679300"),
    )


def test_geojson_cod_ab_properties_take_the_deepest_level():
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    props = {
        "ADM0_PCODE": "IQ",
        "ADM0_EN": "Iraq",
        "ADM1_PCODE": "IQG08",
        "ADM1_EN": "Baghdad",
        "ADM2_PCODE": "IQG08Q03",
        "ADM2_EN": "Al-Karkh",
        "ADM2_AR": "الكرخ",
        "ADM3_PCODE": None,
    }
    row = parse(collection(feature(props, multi))).rows[0]
    assert (row.pcode, row.level, row.parent_pcode) == ("IQG08Q03", 2, "IQG08")
    assert row.values["name_ar"] == "الكرخ"
    assert row.values["boundary"] == multi


def test_geojson_point_gives_the_centroid_without_a_boundary():
    props = {"pcode": "IQ", "level": "country", "name_en": "Iraq"}
    row = parse(collection(feature(props, {"type": "Point", "coordinates": [43.5, 33.25]}))).rows[0]
    assert "boundary" not in row.values
    assert (row.values["latitude"], row.values["longitude"]) == (Decimal("33.25"), Decimal("43.5"))


def test_geojson_errors_are_reported_by_feature_number():
    line = {"type": "LineString", "coordinates": [[44, 33], [45, 34]]}
    open_ring = {"type": "Polygon", "coordinates": [[[44, 33], [45, 33], [44, 33]]]}
    far = {"type": "Polygon", "coordinates": [[[44, 33], [190, 33], [45, 34], [44, 33]]]}
    parsed = parse(
        collection(
            feature({"pcode": "IQ", "level": "country", "name_en": "Iraq"}),
            feature(
                {"pcode": "IQG01", "level": "governorate", "name_en": "A", "parent_pcode": "IQ"},
                line,
            ),
            feature(
                {"pcode": "IQG02", "level": "governorate", "name_en": "B", "parent_pcode": "IQ"},
                open_ring,
            ),
            feature(
                {"pcode": "IQG03", "level": "governorate", "name_en": "C", "parent_pcode": "IQ"},
                far,
            ),
            feature({"pcode": "IQ", "level": "country", "name_en": "Iraq"}),
            {"type": "Point"},
            feature({"pcode": "IQG04", "level": "state", "name_en": "", "parent_pcode": "IQ"}),
        )
    )
    assert messages(parsed) == [
        "feature 2, property geometry: a LineString cannot be an area's boundary; use a Polygon "
        "or MultiPolygon",
        "feature 3, property geometry: ring 1 of polygon 1 has fewer than 4 positions",
        "feature 4, property geometry: position 2 of ring 1 of polygon 1: longitude 190 is outside "
        "-180 to 180",
        "feature 5, property pcode: the P-code IQ appears again (first on feature 1)",
        "feature 6: this is not a GeoJSON Feature",
        "feature 7, property level: 'state' is not a level; use one of country, governorate, "
        "district, subdistrict, location",
        "feature 7, property name_en: the English name is empty",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"type": "FeatureCollection", "features": [', "line 1: the file is not valid JSON: "),
        (b'{"type": "Feature"}', "line 1: the file is a Feature, not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection"}', "line 1: the FeatureCollection has no list of features"),
    ],
)
def test_geojson_file_level_errors(content, expected):
    assert messages(parse(content))[0].startswith(expected)


def test_centroid_is_area_weighted_and_subtracts_holes():
    big = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[0, 0], [0, 2], [2, 2], [2, 0], [0, 0]]
    latitude, longitude = polygon_centroid([[big, hole]])
    # An L-shape of 12 units: (4*4*2 - 2*2*1) / 12 on each axis.
    assert (round(latitude, 9), round(longitude, 9)) == (round(28 / 12, 9), round(28 / 12, 9))
    far_square = [[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]
    latitude, longitude = polygon_centroid([[big], [far_square]])
    assert (round(latitude, 9), round(longitude, 9)) == (
        round((2 * 16 + 10.5) / 17, 9),
        round((2 * 16 + 10.5) / 17, 9),
    )


def test_degenerate_polygon_falls_back_to_the_mean_of_its_vertices():
    flat = [[0, 0], [2, 0], [4, 0], [0, 0]]
    assert polygon_centroid([[flat]]) == (0.0, 2.0)
