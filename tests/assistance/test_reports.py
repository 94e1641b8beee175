"""Assistance reports against hand-computed figures: households and individuals by governorate,
district, assistance type, programme, donor and partner; sex and age on the receipt date; the
filters; scope and small-cell suppression; the 5W; files (CSV, XLSX, HXL validated with libhxl)
with their audit rows; the report page and its downloads; ``marsad assistance export``.

The world (``build_world``), with each figure worked out by hand:

- plan GRANTS (NGO-A, PHSS, Al-Basrah, funded by Japan): a food parcel and an in-kind grant;
  plan TRAINING (NGO-B, PHSS, Baghdad, no donor): vocational training.
- H1 (NGO-A, a location in Al-Zubair, size 5, four registered): a woman head born 1980
  (45: F 18–59), her son born 2015-03-01 (10: M 6–17), her daughter born 2020-02-20 (5 on
  1 Feb 2026: F 0–5; 6 on 5 March: F 6–17), her mother born 1960 (66: F 60+); the fifth person
  is not registered (not disaggregated). Food on 1 Feb 2026, the grant on 5 March.
- H2 (NGO-A, Al-Zubair district, size 3): a man head born 1990 (35: M 18–59), his wife born
  1995 (F 18–59), a son born 15 Feb 2026 — after the food of 10 Feb, so not counted: 2 people.
- H3 (NGO-B, Al-Karkh, size 6): the grandson, born 2 April 2008, trained on 1 April 2026 the
  day before his 18th birthday (M 6–17); training reaches him alone: 1 person.

Totals: 3 households, 8 people: F 0–5 1, F 18–59 2, F 60+ 1, M 6–17 2, M 18–59 1, 1 not
disaggregated; women 3, men 1, girls 1, boys 2; 4 receipts.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

import hxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from marsad.assistance import counting, reports, reports_export
from marsad.core.models import AuditEntry
from marsad.geo.models import AdminArea
from tests.assistance.factories import FOOD, GRANT, japan, plan, receipt
from tests.factories import AdminAreaFactory, UserFactory, member
from tests.registry.factories import register

pytestmark = pytest.mark.django_db

TRAINING = {"assistance_type": "vocational_training", "quantity": 1}
EMPTY_CELLS = dict.fromkeys(counting.AGE_CELLS, 0)


def person(relationship: str, name: str, sex: str, born: Any, **extra: Any) -> dict[str, Any]:
    return {
        "relationship": relationship,
        "given_name": name,
        "sex": sex,
        "birth_date": born,
        "birth_date_precision": "day",
        **extra,
    }


@dataclass
class World:
    areas: dict[str, Any]
    location: AdminArea
    grants: Any
    training: Any
    h1: Any
    h2: Any
    h3: Any
    donor: Any
    ngo: Any
    other_ngo: Any
    programme: Any


def build_world(areas: dict[str, Any], ngo: Any, other_ngo: Any, programme: Any) -> World:
    location = AdminAreaFactory(
        pcode="IQG02Q04L001",
        level=4,
        parent=areas["zubair"],
        name_en="Khor Al-Zubair",
        name_ar="خور الزبير",
    )
    donor = japan()
    grants = plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD], donor=donor)
    training = plan(
        other_ngo,
        programme,
        areas["baghdad"],
        items=[TRAINING],
        code="PHSS-BG-2026-R1",
        title="Vocational training, Baghdad",
    )
    h1 = register(
        ngo,
        location,
        [
            person("head", "زينب", "female", datetime.date(1980, 7, 1), marital_status="widowed"),
            person("son", "علي", "male", datetime.date(2015, 3, 1)),
            person("daughter", "مريم", "female", datetime.date(2020, 2, 20)),
            person("mother", "فاطمة", "female", datetime.date(1960, 1, 1)),
        ],
        size=5,
    )
    h2 = register(
        ngo,
        areas["zubair"],
        [
            person("head", "حسن", "male", datetime.date(1990, 5, 5)),
            person("spouse", "سارة", "female", datetime.date(1995, 6, 1)),
            person("son", "يوسف", "male", datetime.date(2026, 2, 15)),
        ],
        size=3,
    )
    h3 = register(
        other_ngo,
        areas["karkh"],
        [
            person("head", "كاظم", "male", datetime.date(1950, 2, 1)),
            person("grandchild", "عباس", "male", datetime.date(2008, 4, 2)),
            person("other_relative", "نور", "female", None),
            person("other_relative", "سما", "", datetime.date(2000, 1, 1)),
        ],
        size=6,
    )
    food = grants.items.get(assistance_type="food_parcel")
    grant = grants.items.get(assistance_type="livelihood_grant")
    receipt(grants, h1, item=food, received_on=datetime.date(2026, 2, 1))
    receipt(grants, h1, item=grant, received_on=datetime.date(2026, 3, 5))
    receipt(grants, h2, item=food, received_on=datetime.date(2026, 2, 10))
    grandson = h3.members.get(given_name="عباس")
    receipt(training, h3, person=grandson, received_on=datetime.date(2026, 4, 1))
    return World(areas, location, grants, training, h1, h2, h3, donor, ngo, other_ngo, programme)


@pytest.fixture
def world(areas, ngo, other_ngo, programme):
    return build_world(areas, ngo, other_ngo, programme)


def cells(**values: int) -> dict[str, int]:
    return {**EMPTY_CELLS, **values}


def figures_of(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in counting.FIGURES}


TOTAL = {
    "households": 3,
    "individuals": 8,
    "women": 3,
    "men": 1,
    "girls": 1,
    "boys": 2,
    **cells(female_0_5=1, female_18_59=2, female_60_plus=1, male_6_17=2, male_18_59=1),
    "not_disaggregated": 1,
    "receipts": 4,
}
H1_FEB = {
    "households": 1,
    "individuals": 5,
    "women": 2,
    "men": 0,
    "girls": 1,
    "boys": 1,
    **cells(female_0_5=1, female_18_59=1, female_60_plus=1, male_6_17=1),
    "not_disaggregated": 1,
}
H2_FEB = {
    "households": 1,
    "individuals": 2,
    "women": 1,
    "men": 1,
    "girls": 0,
    "boys": 0,
    **cells(female_18_59=1, male_18_59=1),
    "not_disaggregated": 0,
}
H3_APR = {
    "households": 1,
    "individuals": 1,
    "women": 0,
    "men": 0,
    "girls": 0,
    "boys": 1,
    **cells(male_6_17=1),
    "not_disaggregated": 0,
}


def combined(*parts: dict[str, int], receipts: int) -> dict[str, int]:
    keys = [key for key in counting.FIGURES if key != "receipts"]
    return {
        **{key: sum(part[key] for part in parts) for key in keys},
        "receipts": receipts,
    }


# --- Counting ---------------------------------------------------------------------------------


def test_total_and_by_governorate(world):
    result = reports.assisted(user=None, by="governorate")
    assert figures_of(result["total"]) == TOTAL
    assert [(row["code"], row["name"]) for row in result["rows"]] == [
        ("IQG02", "Al-Basrah"),
        ("IQG08", "Baghdad"),
    ]
    basrah, baghdad = result["rows"]
    assert figures_of(basrah) == combined(H1_FEB, H2_FEB, receipts=3)
    assert figures_of(baghdad) == {**H3_APR, "receipts": 1}
    assert result["suppression"] == {"suppressed": False, "threshold": None}


def test_by_district_names_the_governorate(world):
    rows = reports.assisted(user=None, by="district")["rows"]
    assert [(row["parent_code"], row["code"], row["name_en"]) for row in rows] == [
        ("IQG02", "IQG02Q04", "Al-Zubair"),
        ("IQG08", "IQG08Q03", "Al-Karkh"),
    ]
    assert [row["households"] for row in rows] == [2, 1]


def test_by_assistance_type_counts_ages_on_each_receipt_date(world):
    rows = reports.assisted(user=None, by="assistance_type")["rows"]
    assert [row["code"] for row in rows] == [
        "food_parcel",
        "livelihood_grant",
        "vocational_training",
    ]
    food, grant, training = rows
    assert figures_of(food) == combined(H1_FEB, H2_FEB, receipts=2)
    # On 5 March the daughter is six: girl 6–17, no longer 0–5.
    assert figures_of(grant) == {
        **H1_FEB,
        **cells(female_6_17=1, female_18_59=1, female_60_plus=1, male_6_17=1),
        "receipts": 1,
    }
    assert figures_of(training) == {**H3_APR, "receipts": 1}
    assert (food["quantity"], food["unit"], food["sector_code"]) == (2, "parcels", "food_security")
    assert (grant["quantity"], grant["sector_code"]) == (1, "livelihoods")


def test_by_programme_donor_and_partner(world):
    programme = reports.assisted(user=None, by="programme")["rows"]
    assert [(row["code"], figures_of(row)) for row in programme] == [("PHSS", TOTAL)]
    donors = reports.assisted(user=None, by="donor")["rows"]
    assert [
        (row["code"], row["name"], row["households"], row["individuals"]) for row in donors
    ] == [
        ("JP-GOV", "Government of Japan", 2, 7),
        (None, "No donor recorded", 1, 1),
    ]
    partners = reports.assisted(user=None, by="partner")["rows"]
    assert [
        (row["code"], row["households"], row["individuals"], row["receipts"]) for row in partners
    ] == [
        ("NGO-A", 2, 7, 3),
        ("NGO-B", 1, 1, 1),
    ]


def test_a_household_counts_once_in_a_row_and_in_the_total(world):
    # H1 has two receipts (food and grant) under the same partner and in the same place.
    partner = reports.assisted(user=None, by="partner")["rows"][0]
    assert (partner["households"], partner["receipts"]) == (2, 3)
    types = reports.assisted(user=None, by="assistance_type")
    assert sum(row["households"] for row in types["rows"]) == 4
    assert types["total"]["households"] == 3


def test_an_override_adds_a_receipt_not_a_household(world):
    food = world.grants.items.get(assistance_type="food_parcel")
    receipt(
        world.grants,
        world.h2,
        item=food,
        received_on=datetime.date(2026, 2, 20),
        override_reason="The first parcel was spoiled by flooding.",
    )
    total = reports.assisted(user=None, by="governorate")["total"]
    assert (total["households"], total["individuals"], total["receipts"]) == (3, 8, 5)


@pytest.mark.parametrize(
    ("filters", "households", "individuals", "receipts"),
    [
        ({}, 3, 8, 4),
        ({"assistance_type": "food_parcel"}, 2, 7, 2),
        ({"date_from": datetime.date(2026, 2, 5), "date_to": datetime.date(2026, 3, 31)}, 2, 7, 2),
        ({"date_to": datetime.date(2026, 1, 31)}, 0, 0, 0),
    ],
)
def test_filters(world, filters, households, individuals, receipts):
    total = reports.assisted(user=None, by="governorate", filters=reports.Filters(**filters))[
        "total"
    ]
    assert (total["households"], total["individuals"], total["receipts"]) == (
        households,
        individuals,
        receipts,
    )


def test_filters_by_programme_donor_partner_and_area(world):
    def households(**chosen: Any) -> int:
        filters = reports.Filters(**chosen)
        return reports.assisted(user=None, by="governorate", filters=filters)["total"]["households"]

    assert households(programme=world.programme) == 3
    assert households(donor=world.donor) == 2
    assert households(partner=world.other_ngo) == 1
    assert households(area=world.areas["baghdad"]) == 1
    assert households(area=world.location) == 1
    assert households(area=world.areas["zubair"], partner=world.other_ngo) == 0


def test_a_period_moves_the_first_date_counted(world):
    # From 5 February, H1 is counted from its grant on 5 March: the daughter is six then.
    filters = reports.Filters(date_from=datetime.date(2026, 2, 5))
    rows = reports.assisted(user=None, by="partner", filters=filters)["rows"]
    assert rows[0]["female_0_5"] == 0
    assert rows[0]["female_6_17"] == 1


def test_age_groups_at_their_edges():
    on = datetime.date(2026, 4, 1)
    assert counting.age_group(datetime.date(2020, 4, 2), on) == "0_5"  # five, six tomorrow
    assert counting.age_group(datetime.date(2020, 4, 1), on) == "6_17"
    assert counting.age_group(datetime.date(2008, 4, 2), on) == "6_17"
    assert counting.age_group(datetime.date(2008, 4, 1), on) == "18_59"
    assert counting.age_group(datetime.date(1966, 4, 2), on) == "18_59"
    assert counting.age_group(datetime.date(1966, 4, 1), on) == "60_plus"
    with pytest.raises(ValueError, match="Born after"):
        counting.age_group(datetime.date(2026, 4, 2), on)


def test_the_report_reads_a_fixed_number_of_queries(world, django_assert_num_queries):
    # The receipts, the households' sizes, their members, the persons named on receipts and
    # the governorates' names: five queries however many receipts there are.
    with django_assert_num_queries(5):
        reports.assisted(user=None, by="governorate")


# --- Scope and suppression --------------------------------------------------------------------


def test_a_partner_counts_only_its_own_receipts(world):
    reporter = member("partner_reporter", world.ngo, username="reporter")
    total = reports.assisted(user=reporter, by="partner")
    assert [row["code"] for row in total["rows"]] == ["NGO-A"]
    assert total["total"]["households"] == 2
    other = member("partner_reporter", world.other_ngo, username="reporter_b")
    assert reports.assisted(user=other, by="partner")["total"]["households"] == 1


def test_a_mission_manager_counts_the_partners_receipts(world, mission):
    manager = member("programme_manager", mission, username="manager")
    assert reports.assisted(user=manager, by="partner")["total"]["households"] == 3


def test_aggregate_viewers_see_small_rows_suppressed(world, settings):
    settings.MARSAD_SMALL_CELL_THRESHOLD = 2
    viewer = member("aggregate_viewer", username="viewer")
    result = reports.assisted(user=viewer, by="governorate")
    basrah, baghdad = result["rows"]
    # Baghdad's one household is too few to show; the total (3) less Basrah's 2 would give it,
    # so Basrah's row is withheld too.
    assert all(baghdad[key] is None for key in counting.FIGURES)
    assert "withheld" not in baghdad
    assert baghdad["name"] == "Baghdad"
    assert all(basrah[key] is None for key in counting.FIGURES)
    assert set(basrah["withheld"]) == {*counting.FIGURES, "quantity"}
    assert result["total"]["households"] == 3
    assert result["suppression"] == {"suppressed": True, "threshold": 2}


def test_districts_are_withheld_as_their_governorates_are(world, settings):
    settings.MARSAD_SMALL_CELL_THRESHOLD = 2
    viewer = member("aggregate_viewer", username="viewer")
    governorates = reports.assisted(user=viewer, by="governorate")["rows"]
    districts = reports.assisted(user=viewer, by="district")["rows"]
    # Basrah is withheld in its own table; its one district would give it back, so that goes too.
    assert [(row["code"], row["households"], "withheld" in row) for row in governorates] == [
        ("IQG02", None, True),
        ("IQG08", None, False),
    ]
    assert all(row["households"] is None for row in districts)
    assert ["withheld" in row for row in districts] == [True, False]


def test_a_user_without_figures_is_refused(world):
    with pytest.raises(PermissionDenied):
        reports.assisted(user=UserFactory(username="nobody"), by="governorate")


# --- The 5W -----------------------------------------------------------------------------------


def test_five_w_rows(world):
    rows = reports.five_w(user=None)["rows"]
    described = [
        (
            row["date_start"].isoformat(),
            row["date_end"].isoformat(),
            row["partner_code"],
            row["donor_code"],
            row["plan_code"],
            row["sector_code"],
            row["assistance_type"],
            row["governorate_code"],
            row["district_code"],
            row["location_code"],
        )
        for row in rows
    ]
    assert described == [
        (
            "2026-02-01",
            "2026-02-28",
            "NGO-A",
            "JP-GOV",
            "PHSS-BA-2026-R1",
            "food_security",
            "food_parcel",
            "IQG02",
            "IQG02Q04",
            "",
        ),
        (
            "2026-02-01",
            "2026-02-28",
            "NGO-A",
            "JP-GOV",
            "PHSS-BA-2026-R1",
            "food_security",
            "food_parcel",
            "IQG02",
            "IQG02Q04",
            "IQG02Q04L001",
        ),
        (
            "2026-03-01",
            "2026-03-31",
            "NGO-A",
            "JP-GOV",
            "PHSS-BA-2026-R1",
            "livelihoods",
            "livelihood_grant",
            "IQG02",
            "IQG02Q04",
            "IQG02Q04L001",
        ),
        (
            "2026-04-01",
            "2026-04-30",
            "NGO-B",
            "",
            "PHSS-BG-2026-R1",
            "livelihoods",
            "vocational_training",
            "IQG08",
            "IQG08Q03",
            "",
        ),
    ]
    assert {key: rows[0][key] for key in H2_FEB} == H2_FEB
    assert {key: rows[1][key] for key in H1_FEB} == H1_FEB
    assert rows[2]["female_6_17"] == 1
    assert {key: rows[3][key] for key in H3_APR} == H3_APR
    assert (rows[1]["location_name"], rows[1]["governorate_name_ar"]) == (
        "Khor Al-Zubair",
        "البصرة",
    )
    assert (rows[2]["quantity"], rows[2]["unit"]) == (1, "grants")


def test_five_w_period_bounds_are_clipped_to_the_filter(world):
    filters = reports.Filters(
        date_from=datetime.date(2026, 2, 5), date_to=datetime.date(2026, 3, 20)
    )
    rows = reports.five_w(user=None, filters=filters)["rows"]
    assert [(row["date_start"], row["date_end"], row["households"]) for row in rows] == [
        (datetime.date(2026, 2, 5), datetime.date(2026, 2, 28), 1),
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 20), 1),
    ]


# --- Files ------------------------------------------------------------------------------------


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def parse_hxl(content: bytes) -> Any:
    return hxl.data(hxl.input.make_input(io.BytesIO(content)))


def exports():
    return AuditEntry.objects.filter(action="export", object_type="assistance.report")


def test_governorate_csv_with_its_total_row(world, mission):
    manager = member("programme_manager", mission, username="manager")
    result = reports_export.export(
        actor=manager, user=manager, table="governorate", file_format="csv"
    )
    rows = rows_of(result.content)
    assert rows[0][:5] == [
        "governorate_code",
        "governorate_name",
        "governorate_name_ar",
        "households",
        "individuals",
    ]
    assert rows[1][:5] == ["IQG02", "Al-Basrah", "البصرة", "2", "7"]
    assert rows[2][:5] == ["IQG08", "Baghdad", "بغداد", "1", "1"]
    assert rows[3][:5] == ["Total", "", "", "3", "8"]
    header = rows[0]
    assert rows[3][header.index("not_disaggregated")] == "1"
    assert result.filename == "assistance-governorate.csv"
    entry = exports().get()
    assert (entry.actor, entry.object_id) == (manager, "governorate")
    assert entry.context == {
        "table": "governorate",
        "format": "csv",
        "channel": "ui",
        "filters": reports.Filters().as_dict(),
        "suppressed": False,
        "rows": 2,
    }


def test_five_w_hxl_is_valid_hxl(world):
    result = reports_export.export(actor=None, user=None, table="5w", file_format="hxl")
    dataset = parse_hxl(result.content)
    tags = [column.display_tag for column in dataset.columns]
    for required in [
        "#org+impl+code",
        "#org+impl+name",
        "#org+funder+name",
        "#sector+code",
        "#activity+type+code",
        "#adm1+name",
        "#adm1+code",
        "#adm2+name",
        "#adm2+code",
        "#loc+code",
        "#date+start",
        "#date+end",
        "#reached+hh",
        "#reached+ind",
        "#reached+f+adults",
        "#reached+m+adults",
        "#reached+f+children",
        "#reached+m+children",
        "#reached+f+age0_5",
        "#reached+m+age60_plus",
    ]:
        assert required in tags, required
    values = [dict(zip(tags, row, strict=True)) for row in dataset.values]
    assert [
        (v["#org+impl+code"], v["#adm2+code"], v["#reached+hh"], v["#reached+ind"]) for v in values
    ] == [
        ("NGO-A", "IQG02Q04", "1", "2"),
        ("NGO-A", "IQG02Q04", "1", "5"),
        ("NGO-A", "IQG02Q04", "1", "5"),
        ("NGO-B", "IQG08Q03", "1", "1"),
    ]
    schema = hxl.schema(
        [
            ["#valid_tag", "#valid_required", "#valid_datatype"],
            ["#org+impl", "true", ""],
            ["#adm1+code", "true", ""],
            ["#date+start", "true", "date"],
            ["#date+end", "true", "date"],
            ["#reached+hh", "true", "number"],
            ["#reached+ind", "true", "number"],
            ["#reached+f", "true", "number"],
            ["#reached+m", "true", "number"],
        ]
    )
    assert schema.validate(dataset) is True
    # HXL's own default schema (numbers are numbers, dates are dates) finds no error either.
    problems: list[Any] = []
    hxl.schema(callback=problems.append).validate(parse_hxl(result.content))
    assert [problem for problem in problems if problem.rule.severity == "error"] == []
    assert result.filename == "assistance-5w.hxl.csv"


def test_suppressed_hxl_leaves_figures_empty_and_csv_marks_them(world, settings):
    settings.MARSAD_SMALL_CELL_THRESHOLD = 2
    viewer = member("aggregate_viewer", username="viewer")
    hxl_file = reports_export.export(
        actor=viewer, user=viewer, table="governorate", file_format="hxl"
    )
    dataset = parse_hxl(hxl_file.content)
    tags = [column.display_tag for column in dataset.columns]
    values = [dict(zip(tags, row, strict=True)) for row in dataset.values]
    assert [(v["#adm1+code"], v["#reached+hh"]) for v in values] == [("IQG02", ""), ("IQG08", "")]
    assert hxl_file.filename == "assistance-governorate-public.hxl.csv"
    csv_file = reports_export.export(
        actor=viewer, user=viewer, table="governorate", file_format="csv"
    )
    rows = rows_of(csv_file.content)
    assert rows[1][3:5] == ["x", "x"]  # withheld: the total less it would give Baghdad's
    assert rows[2][3:5] == ["<2", "<2"]
    assert [entry.context["suppressed"] for entry in exports()] == [True, True]


def test_xlsx_reads_back_with_numbers(world):
    result = reports_export.export(
        actor=None,
        user=None,
        table="assistance_type",
        file_format="xlsx",
        filters=reports.Filters(programme=world.programme),
    )
    sheet = load_workbook(io.BytesIO(result.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:6] == (
        "sector_code",
        "sector_name",
        "assistance_type",
        "assistance_name",
        "households",
        "individuals",
    )
    assert rows[1][:6] == ("food_security", "Food security", "food_parcel", "Food parcel", 2, 7)
    assert rows[1][header.index("quantity")] == 2
    assert rows[1][header.index("unit")] == "parcels"
    assert rows[-1][0] == "Total"
    assert result.filename == "assistance-assistance_type-PHSS.xlsx"


def test_unknown_table_or_format_is_refused_without_audit(world):
    with pytest.raises(ValueError, match="Unknown format pdf"):
        reports_export.export(actor=None, user=None, table="5w", file_format="pdf")
    with pytest.raises(ValueError, match="Unknown table sector"):
        reports_export.export(actor=None, user=None, table="sector", file_format="csv")
    assert not exports().exists()


# --- The report page and its downloads --------------------------------------------------------


def test_report_page_shows_the_tables(client, world, mission):
    client.force_login(member("programme_manager", mission, username="manager"))
    response = client.get("/assistance/reports/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ["Assistance reports", "By governorate", "By implementing partner", "Al-Basrah"]:
        assert text in page
    tables = {table["by"]: table for table in response.context["tables"]}
    assert figures_of(tables["governorate"]["total"]) == TOTAL
    assert response.context["total"]["households"] == 3


def test_report_page_filters(client, world, mission):
    client.force_login(member("programme_manager", mission, username="manager"))
    response = client.get("/assistance/reports/", {"partner": "NGO-B", "area": "IQG08"})
    assert response.context["total"]["households"] == 1
    assert response.context["export_query"] == "partner=NGO-B&area=IQG08"
    assert "report=5w&amp;format=hxl&amp;partner=NGO-B&amp;area=IQG08" in response.content.decode()
    response = client.get(
        "/assistance/reports/", {"date_from": "2026-03-01", "date_to": "2026-02-01"}
    )
    assert "The end of the period must not be before its start." in response.content.decode()


def test_report_page_in_arabic_is_right_to_left(client, world, mission):
    client.force_login(member("programme_manager", mission, username="manager"))
    response = client.get("/assistance/reports/", HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in response.content.decode()


def test_report_page_refuses_a_user_without_figures(client, world):
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/assistance/reports/").status_code == 403
    client.logout()
    assert client.get("/assistance/reports/").status_code == 302


def test_download_5w_csv_with_filters(client, world):
    client.force_login(member("partner_reporter", world.ngo, username="reporter"))
    response = client.get("/assistance/reports/download/", {"report": "5w", "format": "csv"})
    assert response.status_code == 200
    content = response.content
    assert content.startswith("\ufeff".encode())
    rows = rows_of(content[3:])
    assert [row[0] for row in rows[1:]] == ["NGO-A", "NGO-A", "NGO-A"]
    assert response["Content-Disposition"] == 'attachment; filename="assistance-5w.csv"'
    entry = exports().get()
    assert (entry.actor.username, entry.context["channel"]) == ("reporter", "ui")


def test_download_refuses_bad_input(client, world):
    client.force_login(member("partner_reporter", world.ngo, username="reporter"))
    response = client.get(
        "/assistance/reports/download/",
        {"report": "sector", "format": "pdf", "programme": "NOPE"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "report: sector is not a report" in text
    assert "format: pdf is not a format" in text
    assert "programme:" in text
    assert not exports().exists()


# --- marsad assistance export -----------------------------------------------------------------


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("assistance", "export", *args, stdout=out)
    return out.getvalue()


def test_cli_writes_the_5w_as_hxl_to_standard_output(world):
    out = command("--format", "hxl", "--programme", "PHSS", "--from", "2026-02-05")
    dataset = parse_hxl(out.encode())
    values = list(dataset.values)
    assert len(values) == 3
    assert values[0][0] == "NGO-A"
    entry = exports().get()
    assert entry.actor is None
    assert entry.context["channel"] == "cli"
    assert entry.context["filters"]["date_from"] == "2026-02-05"


def test_cli_csv_table_and_filters(world):
    rows = rows_of(command("--table", "partner", "--to", "2026-03-01").encode())
    assert rows[0][:4] == ["partner_code", "partner_name", "households", "individuals"]
    assert rows[1][:4] == ["NGO-A", "Partner NGO A", "2", "7"]
    assert rows[-1][:4] == ["Total", "", "2", "7"]


def test_cli_xlsx_to_a_file(world, tmp_path):
    target = tmp_path / "5w.xlsx"
    command("--format", "xlsx", "--output", str(target))
    sheet = load_workbook(target).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "partner_code",
        "NGO-A",
        "NGO-A",
        "NGO-A",
        "NGO-B",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf"], "--format pdf is not known"),
        (["--table", "sector"], "--table sector is not known"),
        (["--programme", "NOPE"], "--programme: nothing has the code NOPE."),
        (["--from", "05/02/2026"], "--from takes a date YYYY-MM-DD, not 05/02/2026."),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "--from must not be after --to."),
        (["--type", "rice"], "--type rice is not known"),
        (["--format", "xlsx"], "XLSX is a binary file: give --output FILE."),
    ],
)
def test_cli_errors(world, args, message):
    with pytest.raises(CommandError, match=message):
        command(*args)
    assert not exports().exists()
