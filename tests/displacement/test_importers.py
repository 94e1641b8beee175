"""Master-list import: CSV (UTF-8, BOM, Windows-1256) and XLSX, every bad input reported by row
and column, all or nothing, dry run, idempotent re-import, progress, speed."""

import io
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from marsad.core.models import AuditEntry
from marsad.displacement import services
from marsad.displacement.generator import District, make_locations, masterlist_rows, to_csv
from marsad.displacement.importers import read_table
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
