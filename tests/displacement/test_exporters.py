"""Exports: CSV, XLSX read back with openpyxl, HXL validated with libhxl, suppression for the
public, the audit row of every export, and the command line's ``run_export``."""

import csv
import io

import hxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from openpyxl import load_workbook

from marsad.core.models import AuditEntry
from marsad.displacement import cli_export, exporters
from tests.displacement.test_aggregates import build_world
from tests.factories import member


@pytest.fixture
def world(mission):
    return build_world(mission)


@pytest.fixture
def im_officer(world):
    return member("im_officer", world.mission, username="im")


@pytest.fixture
def viewer(world):
    return member("aggregate_viewer", username="viewer")


def exports():
    return AuditEntry.objects.filter(action="export", object_type="displacement.assessmentround")


def rows_of(text):
    return list(csv.reader(io.StringIO(text)))


def parse_hxl(content: bytes):
    return hxl.data(hxl.input.make_input(io.BytesIO(content)))


def test_governorate_csv_for_an_im_officer(world, im_officer):
    result = exporters.export(
        actor=im_officer, user=im_officer, table="governorate", file_format="csv", round=world.r2
    )
    rows = rows_of(result.content.decode())
    assert rows == [
        [
            "governorate_pcode",
            "governorate_name",
            "governorate_name_ar",
            "latitude",
            "longitude",
            "locations",
            "idp_families",
            "idp_individuals",
            "returnee_families",
            "returnee_individuals",
            "host_families",
            "host_individuals",
        ],
        ["IQG02", "Al-Basrah", "البصرة", "30.2", "47.7", "1", "30", "180", "2", "12", "0", "0"],
        ["IQG08", "Baghdad", "بغداد", "33.29", "44.31", "2", "35", "206", "12", "70", "0", "0"],
    ]
    assert result.filename == "displacement-round2-governorate.csv"
    assert result.content_type == "text/csv; charset=utf-8"
    entry = exports().get()
    assert entry.actor == im_officer
    assert entry.object_id == str(world.r2.pk)
    assert entry.context["table"] == "governorate"
    assert entry.context["format"] == "csv"
    assert entry.context["rows"] == 2
    assert entry.context["suppressed"] is False


def test_public_hxl_by_governorate_is_valid_and_suppressed(world, viewer):
    result = exporters.export(
        actor=viewer, user=viewer, table="governorate", file_format="hxl", round=world.r1
    )
    dataset = parse_hxl(result.content)
    tags = [column.display_tag for column in dataset.columns]
    for required in [
        "#adm1+name",
        "#adm1+code",
        "#affected+idps+hh",
        "#affected+idps+ind",
        "#affected+returnees+hh",
        "#affected+returnees+ind",
    ]:
        assert required in tags
    values = [dict(zip(tags, row, strict=True)) for row in dataset.values]
    assert [
        (
            v["#adm1+code"],
            v["#affected+idps+hh"],
            v["#affected+returnees+hh"],
            v["#affected+returnees+ind"],
        )
        for v in values
    ] == [("IQG02", "8", "0", "0"), ("IQG08", "30", "<5", "<5")]
    schema = hxl.schema(
        [
            ["#valid_tag", "#valid_required", "#valid_datatype"],
            ["#adm1+code", "true", ""],
            ["#adm1+name", "true", ""],
            ["#affected+idps+hh", "true", "number"],
            ["#affected+idps+ind", "true", "number"],
        ]
    )
    assert schema.validate(dataset) is True
    assert result.filename == "displacement-round1-governorate-public.hxl.csv"
    assert exports().get().context["suppressed"] is True


@pytest.mark.parametrize(
    ("level", "extra"),
    [
        ("district", ["#adm2+name", "#adm2+code"]),
        ("location", ["#adm2+name", "#adm2+code", "#loc+name", "#loc+code"]),
    ],
)
def test_hxl_at_finer_levels(world, im_officer, level, extra):
    result = exporters.export(
        actor=im_officer, user=im_officer, table=level, file_format="hxl", round=world.r2
    )
    dataset = parse_hxl(result.content)
    tags = [column.display_tag for column in dataset.columns]
    assert set(extra) <= set(tags)
    assert len(list(dataset.values)) == (2 if level == "district" else 3)


def test_xlsx_reads_back(world, viewer):
    result = exporters.export(
        actor=viewer, user=viewer, table="location", file_format="xlsx", round=world.r2
    )
    sheet = load_workbook(io.BytesIO(result.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert sheet.title == "location"
    by_code = {row[header.index("location_pcode")]: row for row in rows[1:]}
    assert set(by_code) == {"IQG08Q03L001", "IQG08Q03L002"}
    first = by_code["IQG08Q03L001"]
    assert first[header.index("idp_families")] == 25
    assert first[header.index("returnee_individuals")] == 70
    assert first[header.index("location_name_ar")] == "حي الجهاد"
    assert result.content_type.startswith("application/vnd.openxmlformats")


def test_master_list_csv_and_public_suppression(world, im_officer, viewer):
    full = rows_of(
        exporters.export(
            actor=im_officer,
            user=im_officer,
            table="masterlist",
            file_format="csv",
            round=world.r2,
        ).content.decode()
    )
    assert full[0][:12] == [
        "location_id",
        "location_name",
        "location_name_ar",
        "parent_pcode",
        "latitude",
        "longitude",
        "population_type",
        "origin_pcode",
        "displacement_period",
        "shelter_category",
        "families",
        "individuals",
    ]
    assert len(full) == 7
    public = rows_of(
        exporters.export(
            actor=viewer, user=viewer, table="masterlist", file_format="csv", round=world.r2
        ).content.decode()
    )
    families = full[0].index("families")
    assert [(row[0], row[families], row[families + 1]) for row in public[1:]] == [
        ("IQG08Q03L001", "25", "150"),
        ("IQG08Q03L001", "12", "70"),
        ("IQG08Q03L002", "x", "x"),  # withheld: 10 less it would give the 4 below
        ("IQG08Q03L002", "<5", "<5"),
    ]


def test_master_list_of_unpublished_records_needs_the_export_capability(world):
    monitor = member("field_monitor", world.mission, username="monitor")
    with pytest.raises(PermissionDenied):
        exporters.export(
            actor=monitor, user=monitor, table="masterlist", file_format="csv", round=world.r2
        )
    assert not exports().exists()
    # The published master list is theirs to take, like any aggregate viewer's.
    result = exporters.export(
        actor=monitor,
        user=monitor,
        table="masterlist",
        file_format="csv",
        round=world.r2,
        public=True,
    )
    assert result.rows == 4


def test_a_user_without_figures_exports_nothing(world):
    from tests.factories import UserFactory

    nobody = UserFactory(username="nobody")
    with pytest.raises(PermissionDenied):
        exporters.export(
            actor=nobody, user=nobody, table="governorate", file_format="csv", round=world.r2
        )
    assert not exports().exists()


@pytest.mark.parametrize(
    ("table", "header", "first"),
    [
        ("totals", "population_type", ["idp", "IDPs", "2", "35", "206", "-3", "-12"]),
        (
            "trend",
            "round",
            ["1", "2008-01-01", "2008-01-28", "2", "38", "218", "<5", "<5", "0", "0"],
        ),
        ("flows", "origin_pcode", ["IQG15", "Ninewa", "IQG08", "Baghdad", "2", "29", "170"]),
        ("shelter", "shelter_group", ["camp", "camp", "Camp", "<5", "<5"]),
        ("intentions", "population_type", ["idp", "return", "Return to origin", "18"]),
    ],
)
def test_chart_tables_for_the_public(world, viewer, table, header, first):
    result = exporters.export(
        actor=viewer, user=viewer, table=table, file_format="csv", round=world.r2
    )
    rows = rows_of(result.content.decode())
    assert rows[0][0] == header
    assert rows[1] == first


def test_needs_table(world, im_officer):
    rows = rows_of(
        exporters.export(
            actor=im_officer, user=im_officer, table="needs", file_format="hxl", round=world.r2
        ).content.decode()
    )
    assert rows[1][:4] == ["#adm1+code", "#adm1+name", "#indicator+assessed+num", "#sector+code"]
    assert rows[2] == ["IQG02", "Al-Basrah", "1", "food", "Food", "1", "0", "3.0"]
    assert len(rows) == 2 + 20


def test_formula_like_text_is_quoted(world, im_officer):
    world.l1.name_en = "=HYPERLINK(1)"
    world.l1.save()
    rows = rows_of(
        exporters.export(
            actor=im_officer,
            user=im_officer,
            table="masterlist",
            file_format="csv",
            round=world.r2,
        ).content.decode()
    )
    assert rows[3][1] == "'=HYPERLINK(1)"


def test_unknown_table_and_format_are_refused(world, im_officer):
    with pytest.raises(ValueError, match="Unknown table provinces"):
        exporters.export(
            actor=im_officer,
            user=im_officer,
            table="provinces",
            file_format="csv",
            round=world.r2,
        )
    with pytest.raises(ValueError, match="Unknown format pdf"):
        exporters.export(
            actor=im_officer,
            user=im_officer,
            table="governorate",
            file_format="pdf",
            round=world.r2,
        )
    assert not exports().exists()


# --- the command line


def test_run_export_writes_hxl_to_standard_output(world):
    stdout = io.StringIO()
    cli_export.run_export({"round": 2, "level": "governorate", "format": "hxl"}, stdout)
    dataset = parse_hxl(stdout.getvalue().encode())
    assert [row[0] for row in dataset.values] == ["IQG02", "IQG08"]
    entry = exports().get()
    assert entry.actor is None
    assert entry.context["channel"] == "cli"


def test_run_export_public_suppresses(world):
    stdout = io.StringIO()
    cli_export.run_export(
        {"round": 1, "level": "governorate", "format": "csv", "public": True}, stdout
    )
    rows = rows_of(stdout.getvalue())
    assert rows[2][rows[0].index("returnee_families")] == "<5"
    assert len(rows) == 3


def test_run_export_xlsx_to_a_file(world, tmp_path):
    target = tmp_path / "out.xlsx"
    cli_export.run_export(
        {"round": 2, "level": "district", "format": "xlsx", "output": str(target)}, io.StringIO()
    )
    sheet = load_workbook(target).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "governorate_pcode",
        "IQG02",
        "IQG08",
    ]


def test_run_export_xlsx_to_a_binary_stream(world):
    class Out(io.StringIO):
        buffer = io.BytesIO()

    out = Out()
    cli_export.run_export({"round": 2, "level": "governorate", "format": "xlsx"}, out)
    assert load_workbook(io.BytesIO(Out.buffer.getvalue())).active.max_row == 3


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"round": 9}, "There is no round 9."),
        ({"round": "x"}, "--round takes a round number"),
        ({}, "--round is required"),
        ({"round": 2, "level": "province"}, "--level province is not known"),
        ({"round": 2, "format": "pdf"}, "--format pdf is not known"),
        ({"round": 2, "population_type": "refugee"}, "--population-type refugee is not known"),
        ({"round": 2, "area": "XX"}, "no area has the P-code XX"),
        ({"round": 2, "format": "xlsx"}, "XLSX is a binary file"),
    ],
)
def test_run_export_refuses_bad_options(world, options, message):
    with pytest.raises(CommandError, match=message):
        cli_export.run_export(options, io.StringIO())
    assert not exports().exists()


def test_run_export_by_area_and_population_type(world):
    stdout = io.StringIO()
    cli_export.run_export(
        {
            "round": 2,
            "level": "location",
            "format": "csv",
            "area": "IQG08",
            "population_type": "returnee",
        },
        stdout,
    )
    rows = rows_of(stdout.getvalue())
    assert [(r[4], r[rows[0].index("returnee_families")]) for r in rows[1:]] == [
        ("IQG08Q03L001", "12"),
    ]
