"""Aggregates against totals computed by hand on a small world (see ``world`` below), for an
IM officer (every status, every area), a field monitor narrowed to Basrah, an aggregate viewer
(published only, small cells suppressed) and the command line."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from marsad.displacement import aggregates
from marsad.displacement.models import AssessmentTotals, LocationAssessment, PopulationGroup
from marsad.geo.models import AdminArea, AreaLevel
from tests.displacement.factories import (
    AssessmentRoundFactory,
    IntentionFactory,
    LocationAssessmentFactory,
    PopulationGroupFactory,
    SectorNeedFactory,
    location,
    period,
)
from tests.factories import AdminAreaFactory, OrganisationFactory, UserFactory, area_tree, member


def build_world(mission):
    """Two published rounds and an open one, three locations in Baghdad and Basrah.

    Round 1 (published): L1 (Karkh, Baghdad) and L3 (Zubair, Basrah, under a sub-district),
    both published. Round 2 (published): L1 and L2 published, L3 only validated.
    Round 3 (open): L1 draft.
    """
    areas = area_tree()
    ninewa = AdminAreaFactory(
        pcode="IQG15",
        level=AreaLevel.GOVERNORATE,
        parent=areas["country"],
        name_en="Ninewa",
        name_ar="نينوى",
    )
    mosul = AdminAreaFactory(
        pcode="IQG15Q01", level=AreaLevel.DISTRICT, parent=ninewa, name_en="Mosul"
    )
    zubair_centre = AdminAreaFactory(
        pcode="IQG02Q04S01",
        level=AreaLevel.SUBDISTRICT,
        parent=areas["zubair"],
        name_en="Zubair centre",
    )
    l1 = location(
        "IQG08Q03L001",
        areas["karkh"],
        name_en="Hay al-Jihad",
        name_ar="حي الجهاد",
        latitude=Decimal("33.300000"),
        longitude=Decimal("44.300000"),
    )
    l2 = location(
        "IQG08Q03L002",
        areas["karkh"],
        name_en="Al-Amil",
        latitude=Decimal("33.280000"),
        longitude=Decimal("44.320000"),
    )
    l3 = location(
        "IQG02Q04L001",
        zubair_centre,
        name_en="Khor al-Zubair",
        latitude=Decimal("30.200000"),
        longitude=Decimal("47.700000"),
    )
    r1 = AssessmentRoundFactory(number=1, status="published")
    r2 = AssessmentRoundFactory(number=2, status="published")
    r3 = AssessmentRoundFactory(number=3, status="open")

    def assessment(round, area, status):
        return LocationAssessmentFactory(
            round=round, area=area, organisation=mission, status=status
        )

    def group(assessment, population_type, families, individuals, origin=None, shelter=""):
        return PopulationGroupFactory(
            assessment=assessment,
            population_type=population_type,
            families=families,
            individuals=individuals,
            origin_area=origin,
            shelter_category=shelter,
            displacement_period=period("2006-2008") if population_type == "idp" else None,
        )

    a1 = assessment(r1, l1, "published")
    group(a1, "idp", 20, 120, ninewa, "rented")
    group(a1, "idp", 10, 50, mosul, "camp")
    group(a1, "returnee", 3, 18)
    a2 = assessment(r1, l3, "published")
    group(a2, "idp", 8, 48, l1, "host_family")

    b1 = assessment(r2, l1, "published")
    group(b1, "idp", 25, 150, ninewa, "rented")
    group(b1, "returnee", 12, 70)
    b2 = assessment(r2, l2, "published")
    group(b2, "idp", 4, 20, mosul, "camp")
    group(b2, "idp", 6, 36, None, "school")
    b3 = assessment(r2, l3, "validated")
    group(b3, "idp", 30, 180, areas["baghdad"], "informal_settlement")
    group(b3, "returnee", 2, 12)

    c1 = assessment(r3, l1, "draft")
    group(c1, "idp", 40, 240, ninewa, "rented")

    SectorNeedFactory(assessment=b1, sector="food", priority=1, severity=4)
    SectorNeedFactory(assessment=b1, sector="health", priority=2, severity=3)
    SectorNeedFactory(assessment=b2, sector="food", priority=1, severity=2)
    SectorNeedFactory(assessment=b2, sector="water", priority=None, severity=5)
    SectorNeedFactory(assessment=b3, sector="food", priority=2, severity=3)

    IntentionFactory(assessment=b1, intention="return", families=15)
    IntentionFactory(assessment=b1, intention="integrate", families=10)
    IntentionFactory(assessment=b2, intention="return", families=3)
    IntentionFactory(assessment=b2, intention="undecided", families=7)
    IntentionFactory(assessment=b3, intention="return", families=20)

    return SimpleNamespace(
        **areas,
        ninewa=ninewa,
        mosul=mosul,
        l1=l1,
        l2=l2,
        l3=l3,
        r1=r1,
        r2=r2,
        r3=r3,
        mission=mission,
    )


@pytest.fixture
def world(mission):
    return build_world(mission)


@pytest.fixture
def im_officer(world):
    return member("im_officer", world.mission, username="im")


@pytest.fixture
def viewer(world):
    return member("aggregate_viewer", username="viewer")


@pytest.fixture
def monitor(world):
    return member("field_monitor", world.mission, areas=[world.basrah], username="monitor")


def pop(result, population_type):
    entry = result["populations"][population_type]
    return (
        entry["families"],
        entry["individuals"],
        entry["change_families"],
        entry["change_individuals"],
    )


# --- totals


def test_totals_for_an_im_officer_count_every_status_and_compare_with_the_previous_round(
    world, im_officer
):
    result = aggregates.totals(user=im_officer, round=world.r2)

    assert pop(result, "idp") == (65, 386, 27, 168)
    assert pop(result, "returnee") == (14, 82, 11, 64)
    assert pop(result, "host") == (0, 0, 0, 0)
    assert result["locations"] == 3
    assert result["populations"]["idp"]["locations"] == 3
    assert result["populations"]["returnee"]["locations"] == 2
    assert result["previous_round"]["number"] == 1
    assert result["suppression"] == {
        "published_only": False,
        "suppressed": False,
        "threshold": None,
    }


def test_totals_for_an_aggregate_viewer_count_published_only_and_suppress_small_cells(
    world, viewer
):
    result = aggregates.totals(user=viewer, round=world.r2)

    assert pop(result, "idp") == (35, 206, -3, -12)
    # 12 returnee families now; round 1 had 3 (suppressed), so no change can be shown.
    assert pop(result, "returnee") == (12, 70, None, None)
    assert result["locations"] == 2
    assert result["suppression"] == {"published_only": True, "suppressed": True, "threshold": 5}

    first = aggregates.totals(user=viewer, round=world.r1)
    assert pop(first, "returnee") == (None, None, None, None)
    assert first["previous_round"] is None


def test_totals_for_the_first_round_have_no_change(world, im_officer):
    result = aggregates.totals(user=im_officer, round=world.r1)
    assert pop(result, "idp") == (38, 218, None, None)


def test_totals_filter_by_area_and_population_type(world, im_officer):
    result = aggregates.totals(
        user=im_officer, round=world.r2, area=world.baghdad, population_type="idp"
    )
    assert pop(result, "idp") == (35, 206, 5, 36)
    assert pop(result, "returnee") == (0, 0, 0, 0)
    assert result["area"] == "IQG08"


def test_a_field_monitor_sums_only_the_areas_of_their_membership(world, monitor):
    assert pop(aggregates.totals(user=monitor, round=world.r2), "idp") == (30, 180, 22, 132)


def test_the_public_view_of_a_record_viewer_is_the_aggregate_viewers_view(world, im_officer):
    result = aggregates.totals(user=im_officer, round=world.r2, public=True)
    assert pop(result, "idp") == (35, 206, -3, -12)


def test_the_command_line_sees_every_assessment(world):
    assert pop(aggregates.totals(user=None, round=world.r2), "idp") == (65, 386, 27, 168)
    assert pop(aggregates.totals(user=None, round=world.r2, public=True), "idp") == (
        35,
        206,
        -3,
        -12,
    )


@pytest.mark.parametrize("role", [None, "no_membership"])
def test_a_user_without_figures_is_refused(world, role):
    user = UserFactory(username="nobody")
    with pytest.raises(PermissionDenied):
        aggregates.totals(user=user, round=world.r2)


# --- by area


def cells(rows):
    return {
        row["pcode"]: (
            row["idp_families"],
            row["idp_individuals"],
            row["returnee_families"],
            row["returnee_individuals"],
            row["locations"],
        )
        for row in rows
    }


def test_by_governorate_for_an_im_officer(world, im_officer):
    rows = aggregates.by_area(user=im_officer, round=world.r2, level="governorate")
    assert cells(rows) == {"IQG02": (30, 180, 2, 12, 1), "IQG08": (35, 206, 12, 70, 2)}
    assert [row["name"] for row in rows] == ["Al-Basrah", "Baghdad"]
    assert rows[0]["governorate_pcode"] == "IQG02"
    assert rows[0]["district_pcode"] is None


def test_by_governorate_for_an_aggregate_viewer(world, viewer):
    assert cells(aggregates.by_area(user=viewer, round=world.r2, level="governorate")) == {
        "IQG08": (35, 206, 12, 70, 2)
    }
    assert cells(aggregates.by_area(user=viewer, round=world.r1, level="governorate")) == {
        "IQG02": (8, 48, 0, 0, 1),
        "IQG08": (30, 170, None, None, 1),
    }


def test_by_district_goes_through_a_sub_district(world, im_officer):
    rows = aggregates.by_area(user=im_officer, round=world.r1, level="district")
    assert cells(rows) == {"IQG02Q04": (8, 48, 0, 0, 1), "IQG08Q03": (30, 170, 3, 18, 1)}
    zubair = rows[0]
    assert (zubair["name"], zubair["governorate_pcode"], zubair["governorate_name"]) == (
        "Al-Zubair",
        "IQG02",
        "Al-Basrah",
    )
    # The district has no coordinates of its own: the mean of its assessed locations.
    assert (zubair["latitude"], zubair["longitude"]) == (30.2, 47.7)


def test_by_location_within_a_governorate(world, viewer):
    rows = aggregates.by_area(user=viewer, round=world.r2, level="location", area=world.baghdad)
    assert cells(rows) == {
        "IQG08Q03L001": (25, 150, 12, 70, 1),
        "IQG08Q03L002": (10, 56, 0, 0, 1),
    }
    first = rows[0]
    assert (first["name_ar"], first["district_pcode"], first["latitude"]) == (
        "حي الجهاد",
        "IQG08Q03",
        33.3,
    )


def test_by_area_with_a_population_type(world, im_officer):
    rows = aggregates.by_area(
        user=im_officer, round=world.r2, level="governorate", population_type="returnee"
    )
    assert cells(rows) == {"IQG02": (0, 0, 2, 12, 1), "IQG08": (0, 0, 12, 70, 1)}


def test_by_area_refuses_an_unknown_level(world, im_officer):
    with pytest.raises(ValueError, match="Unknown level 'province'"):
        aggregates.by_area(user=im_officer, round=world.r2, level="province")


def test_names_follow_the_active_language(world, im_officer):
    from django.utils import translation

    with translation.override("ar"):
        rows = aggregates.by_area(user=im_officer, round=world.r2, level="governorate")
    assert [row["name"] for row in rows] == ["البصرة", "بغداد"]


# --- trend


def test_trend_across_rounds(world, im_officer, viewer):
    def summary(rows):
        return [
            (r["round"], r["idp_families"], r["idp_individuals"], r["returnee_families"])
            for r in rows
        ]

    assert summary(aggregates.trend(user=im_officer)) == [
        (1, 38, 218, 3),
        (2, 65, 386, 14),
        (3, 40, 240, 0),
    ]
    assert summary(aggregates.trend(user=viewer)) == [(1, 38, 218, None), (2, 35, 206, 12)]
    assert summary(aggregates.trend(user=im_officer, area=world.basrah)) == [
        (1, 8, 48, 0),
        (2, 30, 180, 2),
        (3, 0, 0, 0),
    ]


def test_trend_counts_the_locations_with_rows_of_the_population_type(world, im_officer):
    def locations(rows):
        return [(r["round"], r["locations"]) for r in rows]

    assert locations(aggregates.trend(user=im_officer)) == [(1, 2), (2, 3), (3, 1)]
    assert locations(aggregates.trend(user=im_officer, population_type="returnee")) == [
        (1, 1),
        (2, 2),
        (3, 0),
    ]
    rows = aggregates.trend(user=im_officer, population_type="returnee")
    assert [(r["idp_families"], r["returnee_families"]) for r in rows] == [(0, 3), (0, 14), (0, 0)]


TREND_FILTERS = [
    {},
    {"population_type": "idp"},
    {"population_type": "returnee"},
    {"population_type": "host"},
    {"population_type": "refugee"},
    {"area_name": "basrah"},
    {"area_name": "karkh"},
    {"area_name": "zubair_centre", "population_type": "idp"},
]


def assert_trend_as_summed_from_the_rows(world, *readers):
    """The trend read from AssessmentTotals equals the trend summed from every population row,
    for each reader, area and population type."""
    places = {"basrah": world.basrah, "karkh": world.karkh}
    places["zubair_centre"] = AdminArea.objects.get(pcode="IQG02Q04S01")
    for reader in readers:
        for filters in TREND_FILTERS:
            arguments = dict(filters)
            if "area_name" in arguments:
                arguments["area"] = places[arguments.pop("area_name")]
            for public in (False, True):
                fast = aggregates.trend(user=reader, public=public, **arguments)
                assert fast == aggregates.trend_from_groups(user=reader, public=public, **arguments)


def stored_totals():
    return {
        row["assessment"]: row
        for row in AssessmentTotals.objects.values(
            "assessment",
            "round",
            "organisation",
            "programme",
            "area",
            "sensitivity",
            "status",
            *[f"{t}_{f}" for t in ("idp", "returnee", "host") for f in FIGURES],
        )
    }


FIGURES = ("families", "individuals", "groups")


def totals_from_the_rows():
    expected = {}
    for group in PopulationGroup.objects.select_related("assessment"):
        assessment = group.assessment
        row = expected.setdefault(
            assessment.pk,
            {
                "assessment": assessment.pk,
                "round": assessment.round_id,
                "organisation": assessment.organisation_id,
                "programme": assessment.programme_id,
                "area": assessment.area_id,
                "sensitivity": assessment.sensitivity,
                "status": assessment.status,
                **{f"{t}_{f}": 0 for t in ("idp", "returnee", "host") for f in FIGURES},
            },
        )
        row[f"{group.population_type}_families"] += group.families
        row[f"{group.population_type}_individuals"] += group.individuals
        row[f"{group.population_type}_groups"] += 1
    return expected


def test_assessment_totals_follow_every_write(world, im_officer, viewer, monitor):
    def check():
        assert stored_totals() == totals_from_the_rows()
        assert_trend_as_summed_from_the_rows(world, im_officer, viewer, monitor, None)

    check()
    b1 = LocationAssessment.objects.get(round=world.r2, area=world.l1)
    b3 = LocationAssessment.objects.get(round=world.r2, area=world.l3)
    group = PopulationGroup.objects.filter(assessment=b1, population_type="idp").get()
    group.families, group.individuals = 26, 160
    group.save()
    check()
    PopulationGroup.objects.filter(assessment__round=world.r1).update(families=F("families") + 1)
    check()
    PopulationGroup.objects.filter(pk=group.pk).update(assessment=b3, population_type="host")
    check()
    for shelter in ("rented", "camp", "school"):
        PopulationGroupFactory(
            assessment=b1, population_type="host", families=7, shelter_category=shelter
        )
    PopulationGroup.objects.bulk_create(
        [
            PopulationGroup(
                assessment=b3,
                population_type="returnee",
                shelter_category="camp",
                families=1,
                individuals=5,
            )
        ]
    )
    check()
    PopulationGroup.objects.filter(assessment=b1, population_type="returnee").delete()
    check()
    LocationAssessment.objects.filter(pk=b3.pk).update(status="published")
    LocationAssessment.objects.filter(pk=b1.pk).update(
        status="validated",
        area=location("IQG08Q03L009", world.karkh),
        organisation=OrganisationFactory(),
        sensitivity="restricted",
    )
    check()
    LocationAssessment.objects.filter(round=world.r1).delete()
    check()
    # A row saved before its assessment exists (foreign keys are checked at commit).
    later = LocationAssessment.objects.order_by("-pk").first().pk + 10
    with transaction.atomic():
        PopulationGroup.objects.create(
            assessment_id=later, population_type="returnee", families=2, individuals=9
        )
        LocationAssessmentFactory(
            pk=later, round=world.r3, area=world.l2, organisation=world.mission
        )
    check()
    assert set(stored_totals()) == set(
        LocationAssessment.objects.filter(population_groups__isnull=False).values_list(
            "pk", flat=True
        )
    )


# --- flows


def flow_cells(rows):
    return {
        (r["origin_pcode"], r["current_pcode"]): (r["families"], r["individuals"]) for r in rows
    }


def test_flows_reduce_origins_at_every_level_to_their_governorate(world, im_officer):
    # Round 1: origins Ninewa (governorate), Mosul (district) and a Karkh location.
    assert flow_cells(aggregates.flows(user=im_officer, round=world.r1)) == {
        ("IQG08", "IQG02"): (8, 48),
        ("IQG15", "IQG08"): (30, 170),
    }
    rows = aggregates.flows(user=im_officer, round=world.r2)
    assert flow_cells(rows) == {
        ("IQG08", "IQG02"): (30, 180),
        ("IQG15", "IQG08"): (29, 170),
        (None, "IQG08"): (6, 36),
    }
    assert [(r["origin_name"], r["current_name"]) for r in rows] == [
        ("Baghdad", "Al-Basrah"),
        ("Ninewa", "Baghdad"),
        ("Not recorded", "Baghdad"),
    ]


def test_flows_for_an_aggregate_viewer_and_by_origin(world, viewer, im_officer):
    assert flow_cells(aggregates.flows(user=viewer, round=world.r2)) == {
        ("IQG15", "IQG08"): (29, 170),
        (None, "IQG08"): (6, 36),
    }
    assert flow_cells(aggregates.flows(user=im_officer, round=world.r2, origin=world.ninewa)) == {
        ("IQG15", "IQG08"): (29, 170)
    }


def test_small_flows_are_suppressed(world, viewer):
    rows = aggregates.flows(user=viewer, round=world.r2, origin=world.mosul)
    assert flow_cells(rows) == {("IQG15", "IQG08"): (None, None)}


# --- shelter


def test_shelter_by_category_and_group(world, im_officer, viewer):
    result = aggregates.shelter(user=im_officer, round=world.r2)
    categories = {c["category"]: (c["families"], c["individuals"]) for c in result["categories"]}
    assert categories == {
        "camp": (4, 20),
        "rented": (25, 150),
        "host_family": (0, 0),
        "hotel": (0, 0),
        "informal_settlement": (30, 180),
        "religious_building": (0, 0),
        "school": (6, 36),
        "unfinished_building": (0, 0),
        "other": (0, 0),
    }
    assert [(g["group"], g["families"], g["individuals"]) for g in result["groups"]] == [
        ("camp", 4, 20),
        ("private", 25, 150),
        ("critical", 36, 216),
    ]

    public = aggregates.shelter(user=viewer, round=world.r2)
    # 35 published IDP families less private (25) and critical (6) would give camp's 4: the
    # smallest other group is withheld with it.
    assert [
        (g["group"], g["families"], g["individuals"], g["withheld"]) for g in public["groups"]
    ] == [
        ("camp", None, None, []),
        ("private", 25, 150, []),
        ("critical", None, None, ["families", "individuals"]),
    ]
    # Within critical shelter, school (6) is its only category: it goes with its group.
    hidden = {c["category"] for c in public["categories"] if c["families"] is None}
    assert hidden == {"camp", "school"}


def test_shelter_of_all_population_types_lists_rows_without_a_shelter(world, im_officer):
    result = aggregates.shelter(user=im_officer, round=world.r2, population_type=None)
    assert result["categories"][-1] == {
        "category": "not_recorded",
        "label": "Not recorded",
        "group": "not_recorded",
        "families": 14,
        "individuals": 82,
    }
    assert result["groups"][-1]["families"] == 14


# --- needs


def test_needs_heat_map(world, im_officer, viewer):
    def grid(result):
        return {
            (row["governorate_pcode"], cell["sector"]): (
                cell["priority_locations"],
                cell["first_priority_locations"],
                cell["mean_severity"],
            )
            for row in result["governorates"]
            for cell in row["cells"]
            if cell["priority_locations"] or cell["mean_severity"] is not None
        }

    result = aggregates.needs_by_governorate(user=im_officer, round=world.r2)
    assert grid(result) == {
        ("IQG02", "food"): (1, 0, 3.0),
        ("IQG08", "food"): (2, 2, 3.0),
        ("IQG08", "health"): (1, 0, 3.0),
        ("IQG08", "water"): (0, 0, 5.0),
    }
    assert [(r["governorate_pcode"], r["assessed_locations"]) for r in result["governorates"]] == [
        ("IQG02", 1),
        ("IQG08", 2),
    ]
    assert len(result["sectors"]) == 10
    assert len(result["governorates"][0]["cells"]) == 10
    assert grid(aggregates.needs_by_governorate(user=viewer, round=world.r2)) == {
        ("IQG08", "food"): (2, 2, 3.0),
        ("IQG08", "health"): (1, 0, 3.0),
        ("IQG08", "water"): (0, 0, 5.0),
    }
    flat = aggregates.needs_flat(result)
    assert len(flat) == 20
    assert flat[0]["governorate_name"] == "Al-Basrah"


# --- intentions


def test_intentions(world, im_officer, viewer):
    def table(rows):
        return {(r["population_type"], r["intention"]): r["families"] for r in rows}

    assert table(aggregates.intentions(user=im_officer, round=world.r2)) == {
        ("idp", "return"): 38,
        ("idp", "integrate"): 10,
        ("idp", "settle_elsewhere"): 0,
        ("idp", "undecided"): 7,
    }
    assert table(aggregates.intentions(user=viewer, round=world.r2)) == {
        ("idp", "return"): 18,
        ("idp", "integrate"): 10,
        ("idp", "settle_elsewhere"): 0,
        ("idp", "undecided"): 7,
    }
    assert table(aggregates.intentions(user=viewer, round=world.r2, area=world.l2)) == {
        ("idp", "return"): None,
        ("idp", "integrate"): 0,
        ("idp", "settle_elsewhere"): 0,
        ("idp", "undecided"): 7,
    }


# --- master list and rounds


def test_master_list(world, im_officer, viewer):
    rows = aggregates.master_list(user=im_officer, round=world.r2)
    assert [
        (r["location_id"], r["population_type"], r["origin_pcode"], r["families"]) for r in rows
    ] == [
        ("IQG02Q04L001", "idp", "IQG08", 30),
        ("IQG02Q04L001", "returnee", None, 2),
        ("IQG08Q03L001", "idp", "IQG15", 25),
        ("IQG08Q03L001", "returnee", None, 12),
        ("IQG08Q03L002", "idp", None, 6),
        ("IQG08Q03L002", "idp", "IQG15Q01", 4),
    ]
    assert rows[0] == {
        "location_id": "IQG02Q04L001",
        "location_name": "Khor al-Zubair",
        "location_name_ar": rows[0]["location_name_ar"],
        "parent_pcode": "IQG02Q04S01",
        "latitude": 30.2,
        "longitude": 47.7,
        "population_type": "idp",
        "origin_pcode": "IQG08",
        "displacement_period": "2006-2008",
        "shelter_category": "informal_settlement",
        "families": 30,
        "individuals": 180,
        "individuals_estimated": False,
        "governorate_pcode": "IQG02",
        "governorate_name": "Al-Basrah",
        "district_pcode": "IQG02Q04",
        "district_name": "Al-Zubair",
        "origin_governorate_pcode": "IQG08",
        "assessment_status": "validated",
    }
    public = aggregates.master_list(user=viewer, round=world.r2)
    # Al-Amil's 10 IDP families (by_area) less its 6 would give the 4: the 6 is withheld too.
    assert [(r["location_id"], r["families"], r["individuals"], r["withheld"]) for r in public] == [
        ("IQG08Q03L001", 25, 150, []),
        ("IQG08Q03L001", 12, 70, []),
        ("IQG08Q03L002", None, None, ["families", "individuals"]),
        ("IQG08Q03L002", None, None, []),
    ]


def test_rounds_visible(world, im_officer, viewer):
    assert [r.number for r in aggregates.rounds(user=im_officer)] == [3, 2, 1]
    assert [r.number for r in aggregates.rounds(user=viewer)] == [2, 1]
    assert aggregates.latest_round(user=viewer).number == 2
