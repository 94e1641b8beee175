"""Master-list import: CSV (UTF-8, BOM, Windows-1256) and XLSX, every bad input reported by row
and column, all or nothing, dry run, idempotent re-import, progress, speed."""

import io
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from marsad.core.middleware import audit_context
from marsad.core.models import AuditEntry
from marsad.displacement import services
from marsad.displacement.generator import District, make_locations, masterlist_rows, to_csv
from marsad.displacement.importers import apply, read_table, write_orm, write_pg
from marsad.displacement.importers.clean_rows import clean_rows
from marsad.displacement.importers.masterlist import parse_rows
from marsad.displacement.models import LocationAssessment, PopulationGroup
from marsad.geo.models import AdminArea
from tests.displacement.factories import (
    MASTERLIST_HEADER,
    LocationAssessmentFactory,
    location,
    masterlist_csv,
    open_round,
)
from tests.factories import AdminAreaFactory, member

pytestmark = pytest.mark.django_db

GOOD_ROWS = (
    "IQG08Q03L001,Al-Mansour,المنصور,IQG08Q03,33.3,44.35,IDP,IQG02,2006-2008,rented,10,",
    "IQG08Q03L001,Al-Mansour,المنصور,IQG08Q03,33.3,44.35,Returnee,IQG02,,,4,20",
    "IQG02Q04L007,Safwan,صفوان,IQG02Q04,30.1,47.7,idp,IQG08,pre-2006,camp,3,",
)


@pytest.fixture
def round4(areas):
    return open_round(4)


def run(content, round_, organisation, filename="list.csv", **kwargs):
    return services.masterlist_import(
        actor=kwargs.pop("actor", None),
        round=round_,
        organisation=organisation,
        content=content,
        filename=filename,
        **kwargs,
    )


def test_import_creates_locations_assessments_groups(round4, ngo):
    progress = []
    report = run(masterlist_csv(*GOOD_ROWS), round4, ngo, progress=lambda *a: progress.append(a))
    assert report.ok
    assert not report.dry_run
    counts = (report.created, report.updated, report.unchanged)
    assert counts == (3, 0, 0)
    assert (report.locations_created, report.assessments_created) == (2, 2)
    mansour = AdminArea.objects.get(pcode="IQG08Q03L001")
    assert (mansour.level, mansour.parent.pcode, mansour.name_ar) == (4, "IQG08Q03", "المنصور")
    assert mansour.path == "IQ/IQG08/IQG08Q03/IQG08Q03L001/"
    assert str(mansour.latitude) == "33.300000"
    assessment = LocationAssessment.objects.get(area=mansour)
    assert (assessment.status, assessment.source, assessment.source_key) == (
        "draft",
        "masterlist",
        "IQG08Q03L001",
    )
    assert assessment.assessed_on == round4.period_end
    assert assessment.organisation == ngo
    groups = {
        (g.population_type, g.families, g.individuals, g.individuals_estimated)
        for g in PopulationGroup.objects.all()
    }
    assert groups == {("idp", 10, 60, True), ("returnee", 4, 20, False), ("idp", 3, 15, True)}
    actions = sorted(AuditEntry.objects.values_list("object_type", "action"))
    assert actions == [
        ("displacement.locationassessment", "create"),
        ("displacement.locationassessment", "create"),
        ("displacement.populationgroup", "create"),
        ("displacement.populationgroup", "create"),
        ("displacement.populationgroup", "create"),
        ("geo.adminarea", "create"),
        ("geo.adminarea", "create"),
    ]
    assert progress[0] == (0, 3, "Reading 3 rows")
    assert progress[-1][:2] == (3, 3)


def test_reimport_changes_nothing(round4, ngo):
    run(masterlist_csv(*GOOD_ROWS), round4, ngo)
    audit_rows = AuditEntry.objects.count()
    report = run(masterlist_csv(*GOOD_ROWS), round4, ngo)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (report.locations_created, report.assessments_created) == (0, 0)
    assert AuditEntry.objects.count() == audit_rows
    assert PopulationGroup.objects.count() == 3


def test_reimport_updates_changed_figures(round4, ngo):
    run(masterlist_csv(*GOOD_ROWS), round4, ngo)
    changed = GOOD_ROWS[0].replace(",10,", ",12,")
    extra = "IQG08Q03L001,Al-Mansour,,IQG08Q03,,,Host community,,,,50,"
    report = run(masterlist_csv(changed, GOOD_ROWS[1], GOOD_ROWS[2], extra), round4, ngo)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)
    group = PopulationGroup.objects.get(population_type="idp", families=12)
    assert (group.individuals, group.individuals_estimated) == (72, True)
    [entry] = AuditEntry.objects.filter(action="update")
    assert entry.changes == {"families": [10, 12], "individuals": [60, 72]}
    assert entry.context["row"] == 2
    assert entry.context["source"] == "list.csv"


def test_unchanged_reimport_writes_nothing(round4, ngo):
    run(masterlist_csv(*GOOD_ROWS), round4, ngo)
    audit_rows = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        report = run(masterlist_csv(*GOOD_ROWS), round4, ngo)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    written = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "COPY")
    ]
    assert written == []
    assert AuditEntry.objects.count() == audit_rows


def generated_masterlist(round_number, areas, count=60):
    """A generated master list of ``count`` new locations in the Al-Karkh district (with the
    governorates its rows name as origins)."""
    for number in range(1, 19):
        if not AdminArea.objects.filter(pcode=f"IQG{number:02d}").exists():
            AdminAreaFactory(pcode=f"IQG{number:02d}", level=1, parent=areas["country"])
    districts = [District(pcode="IQG08Q03", latitude=33.3, longitude=44.3)]
    return list(masterlist_rows(make_locations(districts, count), round_number=round_number))


def test_one_changed_row_in_an_otherwise_identical_file_is_updated_and_audited(round4, ngo, areas):
    rows = generated_masterlist(4, areas)
    run(to_csv(rows), round4, ngo)
    since = AuditEntry.objects.order_by("pk").last().pk
    position = next(
        n
        for n, row in enumerate(rows)
        if not row["individuals"] and row["shelter_category"] != "camp"
    )
    changed = dict(rows[position], individuals=str(int(rows[position]["families"]) * 7))
    report = run(to_csv([*rows[:position], changed, *rows[position + 1 :]]), round4, ngo)
    assert (report.created, report.updated, report.unchanged) == (0, 1, len(rows) - 1)
    [entry] = AuditEntry.objects.filter(pk__gt=since)
    families = int(changed["families"])
    assert (entry.action, entry.object_type) == ("update", "displacement.populationgroup")
    assert entry.changes == {
        "individuals": [families * 6, families * 7],
        "individuals_estimated": [True, False],
    }
    assert entry.context["row"] == position + 2  # the header is row 1
    group = PopulationGroup.objects.get(pk=entry.object_id)
    assert (group.families, group.individuals, group.individuals_estimated) == (
        families,
        families * 7,
        False,
    )
    again = run(to_csv([*rows[:position], changed, *rows[position + 1 :]]), round4, ngo)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))


def test_a_location_the_file_adds_is_no_stored_groups_origin(round4, ngo, areas):
    """A row whose origin is a location the same file adds is a new group, even where the
    location's stored group of the same kind has no origin."""
    run(
        masterlist_csv("IQG08Q03L001,Al-Mansour,,IQG08Q03,,,IDP,,2006-2008,rented,10,"), round4, ngo
    )
    report = run(
        masterlist_csv(
            "IQG08Q03L009,Hay Jadid,,IQG08Q03,,,Host community,,,,5,",
            "IQG08Q03L001,Al-Mansour,,IQG08Q03,,,IDP,IQG08Q03L009,2006-2008,rented,10,",
        ),
        round4,
        ngo,
    )
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    origins = PopulationGroup.objects.filter(assessment__area__pcode="IQG08Q03L001")
    assert set(origins.values_list("origin_area__pcode", flat=True)) == {None, "IQG08Q03L009"}


def test_pcodes_are_looked_up_as_written_whatever_characters_they_hold(round4, ngo):
    cells = {  # the CSV cell: the P-code it holds
        '"IQG""02"': 'IQG"02',
        "IQG\\02": "IQG\\02",
        '"IQG02,IQG08"': "IQG02,IQG08",
        "{IQG02}": "{IQG02}",
    }
    rows = [f"IQG08Q03L001,Al-Mansour,,IQG08Q03,,,Returnee,{cell},,,4," for cell in cells]
    known = "IQG08Q03L001,Al-Mansour,,IQG08Q03,,,Host,IQG02,,,4,"
    report = run(masterlist_csv(*rows, known), round4, ngo)
    assert report.error_lines(10) == [
        f"row {number}, column origin_pcode: unknown P-code {code}: no administrative area has it"
        for number, code in enumerate(cells.values(), start=2)
    ]


def test_dry_run_writes_nothing(round4, ngo):
    report = run(masterlist_csv(*GOOD_ROWS), round4, ngo, dry_run=True)
    assert report.ok
    assert report.dry_run
    assert (report.created, report.locations_created, report.assessments_created) == (3, 2, 2)
    assert report.summary.startswith("Dry run: 3 population rows would be created")
    assert not AdminArea.objects.filter(level=4).exists()
    assert not LocationAssessment.objects.exists()
    assert not PopulationGroup.objects.exists()
    assert not AuditEntry.objects.exists()


def test_every_error_reported_and_nothing_written(round4, ngo):
    rows = (
        GOOD_ROWS[0],
        "IQG08Q03L002,Hay A,,IQG99,,,IDP,IQG77,2006-2008,rented,5,",  # unknown parent, origin
        "IQG08Q03L003,Hay B,,IQG08Q03,,,refugee,,2006-2008,tent,-3,",  # type, shelter, families
        "IQG08Q03L004,Hay C,,IQG08Q03,,,IDP,IQG02,1990s,rented,2.5,",  # period, families
        "IQG08Q03L005,Hay D,,IQG08Q03,95,44,IDP,IQG02,2006-2008,rented,10,9",  # lat, individuals
        "IQG08Q03L006,Hay E,,IQG08Q03,north,,Returnee,,,,ten,",  # lat, lon, families
        GOOD_ROWS[0].replace(",10,", ",11,"),  # duplicate of row 2
        "IQG08Q03,Karkh,,IQG08,,,Host,,,,5,",  # a district, not a location
        "IQG08Q03L009,Hay F,,IQG08,,,Host,,,,5,",  # parent is a governorate
    )
    report = run(masterlist_csv(*rows), round4, ngo)
    assert not report.ok
    assert report.error_lines() == [
        "row 3, column parent_pcode: unknown P-code IQG99: no district or sub-district has it",
        "row 3, column origin_pcode: unknown P-code IQG77: no administrative area has it",
        "row 4, column population_type: refugee is not a population type; use IDP, Returnee or "
        "Host community",
        "row 4, column shelter_category: tent is not a shelter category; use one of camp, rented, "
        "host_family, hotel, informal_settlement, religious_building, school, "
        "unfinished_building, other",
        "row 4, column families: -3 is below zero; give 0 or more",
        "row 5, column displacement_period: 1990s is not a known displacement period; use one of "
        "pre-2006, 2006-2008, 2009-2013, jan-may-2014, jun-jul-2014, aug-2014, "
        "sep-2014-mar-2016, apr-2016-oct-2016, post-oct-2016",
        "row 5, column families: 2.5 is not a whole number",
        "row 6, column latitude: 95 is outside -90 to 90 degrees",
        "row 6, column individuals: 9 individuals is fewer than the 10 families; leave it empty "
        "to estimate it",
        "row 7, column latitude: north is not a number in degrees",
        "row 7, column longitude: empty while latitude is given; give both or neither",
        "row 7, column families: ten is not a number",
        "row 8, column location_id: repeats row 2: the same location, population type, origin, "
        "displacement period and shelter",
        "row 9, column location_id: IQG08Q03 is a district, not a location (a village or "
        "neighbourhood)",
        "row 10, column parent_pcode: IQG08 is a governorate; a location belongs to a district or "
        "sub-district",
    ]
    assert report.error_text.startswith("Nothing was imported: the file has 15 errors.")
    assert not AdminArea.objects.filter(level=4).exists()
    assert not LocationAssessment.objects.exists()
    assert not PopulationGroup.objects.exists()
    assert not AuditEntry.objects.exists()


def test_missing_columns_reported_once_by_name(round4, ngo):
    header = MASTERLIST_HEADER.replace(",families", "").replace(",population_type", "")
    report = run(masterlist_csv("IQG08Q03L001,A,,IQG08Q03,,,,,,", header=header), round4, ngo)
    assert [(e.row, e.column) for e in report.errors] == [
        (1, "population_type"),
        (1, "families"),
    ]
    assert report.errors[1].message.startswith("the header has no families column")


def test_new_location_needs_parent_and_name(round4, ngo):
    report = run(masterlist_csv("IQG08Q03L001,,,,,,Host,,,,5,"), round4, ngo)
    assert [(e.row, e.column) for e in report.errors] == [
        (2, "location_name"),
        (2, "parent_pcode"),
    ]


def test_empty_required_cells(round4, ngo):
    report = run(masterlist_csv(",A,,IQG08Q03,,,,,,,,"), round4, ngo)
    assert [e.column for e in report.errors] == ["location_id", "population_type", "families"]


def test_existing_location_used_and_published_refused(round4, ngo, areas):
    mansour = location("IQG08Q03L001", areas["karkh"])
    assessment = LocationAssessmentFactory(
        round=round4, organisation=ngo, area=mansour, status="published"
    )
    report = run(masterlist_csv(GOOD_ROWS[0]), round4, ngo)
    assert report.error_lines() == [
        "row 2, column location_id: the assessment of IQG08Q03L001 in this round is published; "
        "its figures cannot change any more"
    ]
    LocationAssessment.objects.filter(pk=assessment.pk).update(status="draft")
    report = run(masterlist_csv(GOOD_ROWS[0]), round4, ngo)
    assert (report.created, report.locations_created, report.assessments_created) == (1, 0, 0)
    assert PopulationGroup.objects.get().assessment == assessment


def test_other_organisations_assessment_refused(round4, ngo, other_ngo, areas):
    mansour = location("IQG08Q03L001", areas["karkh"])
    LocationAssessmentFactory(round=round4, organisation=other_ngo, area=mansour)
    report = run(masterlist_csv(GOOD_ROWS[0]), round4, ngo)
    assert report.error_lines() == [
        "row 2, column location_id: IQG08Q03L001 was already assessed in this round by NGO-B; "
        "only one organisation assesses a location in a round"
    ]


def test_closed_round_refused(areas, ngo):
    closed = open_round(6, status="closed")
    with pytest.raises(ValidationError) as error:
        run(masterlist_csv(*GOOD_ROWS), closed, ngo)
    assert list(error.value.message_dict) == ["round"]


def test_only_reference_holders_import(round4, ngo):
    monitor = member("field_monitor", ngo)
    with pytest.raises(PermissionDenied):
        run(masterlist_csv(*GOOD_ROWS), round4, ngo, actor=monitor)
    assert not PopulationGroup.objects.exists()


def test_im_officer_imports_for_own_organisation_only(round4, ngo, other_ngo):
    officer = member("im_officer", ngo, username="officer")
    report = run(masterlist_csv(*GOOD_ROWS), round4, other_ngo, actor=officer)
    assert [e.column for e in report.errors] == ["location_id", "location_id"]
    assert report.errors[0].message == "IQG08Q03L001 is outside what you may assess for NGO-B"
    report = run(masterlist_csv(*GOOD_ROWS), round4, ngo, actor=officer)
    assert report.ok
    assert report.created == 3
    assert set(AuditEntry.objects.values_list("actor_username", flat=True)) == {"officer"}


def test_bom_and_windows_1256(round4, ngo):
    bom = b"\xef\xbb\xbf" + masterlist_csv(GOOD_ROWS[0])
    assert run(bom, round4, ngo, dry_run=True).created == 1
    arabic = masterlist_csv(GOOD_ROWS[2]).decode("utf-8").encode("cp1256")
    report = run(arabic, round4, ngo)
    assert report.ok
    assert AdminArea.objects.get(pcode="IQG02Q04L007").name_ar == "صفوان"
    assert read_table(arabic, "x.csv").encoding == "windows-1256"


def test_semicolon_delimited(round4, ngo):
    content = masterlist_csv(GOOD_ROWS[1]).decode().replace(",", ";").encode()
    assert run(content, round4, ngo).created == 1


def xlsx(rows, header=MASTERLIST_HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_import(round4, ngo):
    content = xlsx(
        [
            [
                "IQG08Q03L001",
                "Al-Mansour",
                "المنصور",
                "IQG08Q03",
                33.3,
                44.35,
                "IDP",
                "IQG02",
                "2006-2008",
                "rented",
                10,
                None,
            ],
            [None] * 12,
            [
                "IQG08Q03L001",
                "Al-Mansour",
                "المنصور",
                "IQG08Q03",
                33.3,
                44.35,
                "Returnee",
                "IQG02",
                None,
                None,
                4.0,
                20,
            ],
            ["IQG08Q03L002", "B", None, "IQG08Q03", None, None, "Host", None, None, None, -1, None],
        ]
    )
    report = run(content, round4, ngo, filename="list.xlsx")
    assert report.format == "xlsx"
    assert report.error_lines() == ["row 5, column families: -1 is below zero; give 0 or more"]
    fixed = xlsx(
        [
            [
                "IQG08Q03L001",
                "Al-Mansour",
                "المنصور",
                "IQG08Q03",
                33.3,
                44.35,
                "IDP",
                "IQG02",
                "2006-2008",
                "rented",
                10,
                None,
            ],
            [
                "IQG08Q03L001",
                "Al-Mansour",
                "المنصور",
                "IQG08Q03",
                33.3,
                44.35,
                "Returnee",
                "IQG02",
                None,
                None,
                4.0,
                20,
            ],
        ]
    )
    report = run(fixed, round4, ngo, filename="list.xlsx")
    assert (report.created, report.locations_created) == (2, 1)
    assert run(fixed, round4, ngo, filename="list.xlsx").unchanged == 2


def test_broken_xlsx_and_empty_file(round4, ngo):
    report = run(b"PK\x03\x04broken", round4, ngo, filename="list.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(1, "")]
    assert report.error_lines()[0].startswith("row 1: the file is not a readable XLSX workbook")
    assert run(b"", round4, ngo).error_lines() == ["row 1: the file is empty"]


def test_as_dict_keeps_first_200_errors(round4, ngo):
    rows = [f"IQG08Q03L{n:03d},A,,IQG08Q03,,,Host,,,,-1," for n in range(250)]
    result = run(masterlist_csv(*rows), round4, ngo).as_dict()
    assert result["error_count"] == 250
    assert len(result["errors"]) == 200
    assert result["errors"][0] == "row 2, column families: -1 is below zero; give 0 or more"


def test_three_thousand_rows_in_seconds(areas, ngo):
    round_ = open_round(9)
    districts = []
    for number in range(10):
        districts.append(District(pcode=f"IQG08Q1{number}", latitude=33.0, longitude=44.0))
        AdminAreaFactory(pcode=f"IQG08Q1{number}", level=2, parent=areas["baghdad"])
    for number in range(1, 19):
        AdminAreaFactory(pcode=f"IQG{number:02d}", level=1, parent=areas["country"])
    rows = list(masterlist_rows(make_locations(districts, 1500), round_number=9))[:3000]
    content = to_csv(rows)
    started = time.perf_counter()
    report = run(content, round_, ngo)
    first = time.perf_counter() - started
    assert report.ok, report.error_lines(5)
    assert report.created == len(rows) >= 2500
    started = time.perf_counter()
    again = run(content, round_, ngo)
    second = time.perf_counter() - started
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
    assert first < 15
    assert second < first


# --- the quick parse of clean files, and the two writers


BAD_ROWS = (
    "IQG08Q03L003,Hay B,,IQG08Q03,,,refugee,,2006-2008,rented,3,",  # population type
    "IQG08Q03L003,Hay B,,IQG08Q03,,,IDP,,2006-2008,tent,3,",  # shelter
    "IQG08Q03L003,Hay B,,IQG08Q03,,,IDP,,,rented,3,",  # IDP without a period
    "IQG08Q03L003,Hay B,,IQG08Q03,,,IDP,,2006-2008,,3,",  # IDP without a shelter
    "IQG08Q03L003,Hay B,,IQG08Q03,,,Host,,,,-3,",  # families below zero
    "IQG08Q03L003,Hay B,,IQG08Q03,,,Host,,,,,",  # no families
    "IQG08Q03L004,Hay C,,IQG08Q03,,,Host,,,,2.5,",  # not whole
    "IQG08Q03L005,Hay D,,IQG08Q03,95,44,Host,,,,10,",  # latitude
    "IQG08Q03L005,Hay D,,IQG08Q03,33,,Host,,,,10,",  # longitude missing
    "IQG08Q03L005,Hay D,,IQG08Q03,,,Host,,,,10,9",  # individuals < families
    "IQG08Q03L!,Hay E,,IQG08Q03,,,Host,,,,10,",  # not a P-code
    ",Hay E,,IQG08Q03,,,Host,,,,10,",  # no P-code
    "IQG08Q03L006," + "x" * 256 + ",,IQG08Q03,,,Host,,,,10,",  # name too long
    GOOD_ROWS[0].replace(",10,", ",11,"),  # repeats the first row
)


@pytest.mark.parametrize("bad", BAD_ROWS)
def test_quick_parse_gives_up_on_any_problem(bad):
    table = read_table(masterlist_csv(GOOD_ROWS[0], bad), "list.csv")
    assert parse_rows(table)[1]
    assert clean_rows(table) is None


def test_quick_parse_gives_the_rows_of_the_careful_one(round4):
    districts = [District(pcode=f"IQG08Q1{n}", latitude=33.0, longitude=44.0) for n in range(5)]
    generated = to_csv(masterlist_rows(make_locations(districts, 400), round_number=3))
    padded = masterlist_csv(
        " IQG08Q03L001 ,Al-Mansour ,, IQG08Q03,33.3000001,44.35,idps, IQG02,2006-2008,Rented,"
        "1,000,",
        "IQG08Q03L001,Al-Mansour,,IQG08Q03,33.3,44.35,Host community,,,,٣,",
        "IQG08Q03L002,B,,IQG08Q03,,,returnees,,,Private: host family,4,20",
    ).replace(b"1,000,", b'"1,000",')
    workbook = xlsx(
        [
            [
                "IQG08Q03L001",
                "A",
                None,
                "IQG08Q03",
                33.3,
                44.35,
                "IDP",
                "IQG02",
                "2006-2008",
                "camp",
                10.0,
                None,
            ]
        ]
    )
    for content, name in [
        (generated, "list.csv"),
        (masterlist_csv(*GOOD_ROWS), "list.csv"),
        (padded, "list.csv"),
        (workbook, "list.xlsx"),
    ]:
        table = read_table(content, name)
        rows, errors = parse_rows(table)
        assert not errors
        assert clean_rows(table) == rows
    assert len(parse_rows(read_table(generated, "list.csv"))[0]) > 400


def snapshot(since_audit_id):
    """What imports wrote, with database ids replaced by P-codes and round numbers (two runs
    of the same import get different ids) and times left out."""
    pcode = dict(AdminArea.objects.values_list("pk", "pcode"))
    assessment_key = {
        pk: (number, pcode[area])
        for pk, number, area in LocationAssessment.objects.values_list(
            "pk", "round__number", "area_id"
        )
    }
    groups = {}
    for group in PopulationGroup.objects.values():
        key = (assessment_key[group.pop("assessment_id")], group.pop("source_key"))
        group["origin_area_id"] = pcode.get(group["origin_area_id"])
        groups[group.pop("id")] = key
        groups[key] = group
    natural = {
        "geo.adminarea": pcode,
        "displacement.locationassessment": assessment_key,
        "displacement.populationgroup": groups,
    }
    references = {"area": pcode, "parent": pcode, "origin_area": pcode}
    references["assessment"] = assessment_key
    entries = []
    for entry in AuditEntry.objects.filter(pk__gt=since_audit_id).order_by("pk").values():
        changes = entry["changes"]
        for name in ("created_at", "updated_at"):
            changes.pop(name, None)
        if "id" in changes:
            changes["id"] = [None, natural[entry["object_type"]][changes["id"][1]]]
        for name, lookup in references.items():
            if name in changes:
                changes[name] = [lookup.get(value) for value in changes[name]]
        entries.append(
            (
                entry["action"],
                entry["object_type"],
                natural[entry["object_type"]][int(entry["object_id"])],
                entry["object_repr"],
                entry["organisation_id"],
                entry["actor_id"],
                entry["actor_username"],
                entry["ip_address"],
                changes,
                entry["context"],
            )
        )
    locations = list(
        AdminArea.objects.filter(level=4)
        .order_by("pcode")
        .values_list(
            "pcode", "parent__pcode", "path", "search_text", "name_en", "name_ar", "latitude"
        )
    )
    assessments = []
    for values in LocationAssessment.objects.values():
        key = assessment_key[values.pop("id")]
        values["area_id"] = pcode[values["area_id"]]
        del values["created_at"], values["updated_at"]
        assessments.append((key, sorted(values.items())))
    assessments.sort()
    group_rows = sorted(
        (key, sorted(value.items())) for key, value in groups.items() if isinstance(key, tuple)
    )
    return locations, assessments, group_rows, entries


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one writer on SQLite")
def test_both_writers_write_the_same_rows_and_audit(round4, ngo, areas, monkeypatch):
    officer = member("im_officer", ngo, username="officer")
    location("IQG02Q04L009", areas["zubair"], name_en="Old", name_ar="قديم")
    run(masterlist_csv(*GOOD_ROWS), round4, ngo, actor=officer)
    since = AuditEntry.objects.order_by("pk").last().pk
    changed = (
        GOOD_ROWS[0].replace(",10,", ",12,"),  # updated
        GOOD_ROWS[1],  # unchanged
        "IQG08Q03L001,Al-Mansour,,IQG08Q03,,,Host community,,,,50,",  # new row, old assessment
        "IQG02Q04L009,,,,,,idp,IQG08,2006-2008,camp,7,",  # old location, new assessment
        "IQG02Q04L010,Safwan 2,صفوان 2,IQG02Q04,30.1,47.7,Returnee,IQG08,,,4,30",  # new location
        "IQG02Q04L010,Safwan 2,صفوان 2,IQG02Q04,30.1,47.7,IDP,IQG02Q04L009,pre-2006,school,2,",
    )
    results = []
    for writer in (write_orm.write, write_pg.write):
        monkeypatch.setattr(apply, "_writer", lambda writer=writer: writer)
        try:
            with transaction.atomic(), translation.override("ar"), audit_context(reason="test"):
                report = run(masterlist_csv(*changed), round4, ngo, actor=officer)
                results.append((report.as_dict(), snapshot(since)))
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    (orm_report, orm_rows), (pg_report, pg_rows) = results
    assert orm_report == pg_report
    assert (orm_report["created"], orm_report["updated"], orm_report["unchanged"]) == (4, 1, 1)
    assert (orm_report["locations_created"], orm_report["assessments_created"]) == (1, 2)
    assert orm_rows == pg_rows
    entries = pg_rows[3]
    assert len(entries) == 1 + 2 + 4 + 1
    assert {entry[3] for entry in entries if entry[1].endswith("locationassessment")} == {
        "الجولة 4 — قديم (IQG02Q04L009)",
        "الجولة 4 — صفوان 2 (IQG02Q04L010)",
    }
