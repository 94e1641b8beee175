"""Kobo XLSX and CSV exports and ODK Central CSV exports of the assessment form: each format
gives the same assessments as the Kobo JSON, keeps the same keys (so formats re-import as
unchanged), and reports every problem by sheet, row and field, importing nothing."""

import copy
import io
import zipfile

import pytest
from django.utils import translation

from marsad.displacement.kobo.exports import (
    FORMAT_KOBO_CSV,
    FORMAT_KOBO_XLSX,
    FORMAT_ODK_CSV,
    read_export,
)
from marsad.displacement.kobo.load import files_import, submissions_import
from marsad.displacement.models import LocationAssessment, PopulationGroup
from tests.displacement import kobo_export_files as export
from tests.displacement.factories import location, open_round
from tests.factories import ProgrammeFactory

UUID_1 = "5b1e0c2a-0001-4c1e-9d6e-000000000001"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def round4(areas):
    location("IQG08Q03L001", areas["karkh"], name_en="Hay al-Jihad")
    location("IQG08Q03L002", areas["karkh"], name_en="Al-Amiriya")
    return open_round(4)


def run(files, round_, organisation, **kwargs):
    return files_import(actor=None, round=round_, organisation=organisation, files=files, **kwargs)


def state() -> list[tuple]:
    """Everything the import wrote that a format could get wrong."""
    rows = []
    for assessment in LocationAssessment.objects.order_by("area__pcode"):
        rows.append(
            (
                assessment.area.pcode,
                assessment.source_key,
                assessment.assessed_on.isoformat(),
                assessment.method,
                assessment.key_informants,
                assessment.monitor_name,
                assessment.documentation_status,
                assessment.security_notes,
                sorted(
                    (g.population_type, g.shelter_category, g.families, g.individuals)
                    for g in assessment.population_groups.all()
                ),
                sorted(assessment.needs.values_list("sector", "priority")),
                sorted(assessment.intentions.values_list("intention", "families")),
            )
        )
    return rows


@pytest.fixture
def from_json(round4, ngo):
    report = submissions_import(
        actor=None,
        round=round4,
        organisation=ngo,
        submissions=export.submissions(),
        source="pages.json",
    )
    assert report.ok, report.error_text
    expected = state()
    LocationAssessment.objects.all().delete()
    return expected


FORMATS = {
    "kobo xlsx": (lambda: [("assessment.xlsx", export.kobo_xlsx())], FORMAT_KOBO_XLSX),
    "kobo csv files": (export.kobo_csv_files, FORMAT_KOBO_CSV),
    "kobo csv zip": (
        lambda: [("assessment.zip", _zip(export.kobo_csv_files()))],
        FORMAT_KOBO_CSV,
    ),
    "odk central zip": (
        lambda: [("location_assessment.zip", export.odk_central_zip())],
        FORMAT_ODK_CSV,
    ),
}


def _zip(files):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in files:
            archive.writestr(name, content)
    return output.getvalue()


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_gives_what_the_json_gives(from_json, round4, ngo, name):
    files, format = FORMATS[name]
    report = run(files(), round4, ngo)
    assert report.ok, report.error_text
    assert report.format == format
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.assessments_created == 2
    assert state() == from_json
    assert LocationAssessment.objects.get(area__pcode="IQG08Q03L001").source_key == UUID_1


@pytest.mark.parametrize("name", FORMATS)
def test_a_format_after_the_json_changes_nothing(round4, ngo, name):
    first = submissions_import(
        actor=None,
        round=round4,
        organisation=ngo,
        submissions=export.submissions(),
        source="pages.json",
    )
    assert first.ok
    files, _format = FORMATS[name]
    again = run(files(), round4, ngo)
    assert again.ok, again.error_text
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert LocationAssessment.objects.count() == 2


def test_read_export_ties_population_rows_to_their_submission():
    data = read_export([("a.xlsx", export.kobo_xlsx())])
    assert not data.errors
    first = data.results[0]
    assert first["_uuid"] == UUID_1
    assert first["general/location_pcode"] == "IQG08Q03L001"
    assert [item["population/shelter_category"] for item in first["population"]] == [
        "rented",
        "camp",
    ]
    assert [item["__row__"] for item in first["population"]] == [2, 3]
    assert len(data.results[1]["population"]) == 1


def test_odk_instance_id_loses_its_prefix_for_the_key():
    files = [("odk.zip", export.odk_central_zip())]
    first = read_export(files).results[0]
    assert first["_uuid"] == UUID_1
    assert first["meta/instanceID"] == "uuid:" + UUID_1
    assert first["_submission_time"].startswith("2008-01-10T09:12:44")


def test_columns_without_groups_are_understood(round4, ngo):
    main, population = export.kobo_tables(export.submissions())
    main[0] = [column.rsplit("/", 1)[-1] for column in main[0]]
    population[0] = [column.rsplit("/", 1)[-1] for column in population[0]]
    files = [("main.csv", export.csv_bytes(main)), ("population.csv", export.csv_bytes(population))]
    report = run(files, round4, ngo)
    assert report.ok, report.error_text
    assert report.created == 3


def test_programme_and_progress(round4, ngo):
    programme = ProgrammeFactory(lead_unit=ngo)
    calls = []
    report = run(
        [("a.xlsx", export.kobo_xlsx())],
        round4,
        ngo,
        programme=programme,
        progress=lambda done, total, message: calls.append((done, total)),
    )
    assert report.ok, report.error_text
    assert set(LocationAssessment.objects.values_list("programme", flat=True)) == {programme.pk}
    assert calls[-1] == (2, 2)


def test_dry_run_writes_nothing(round4, ngo):
    report = run([("a.xlsx", export.kobo_xlsx())], round4, ngo, dry_run=True)
    assert report.ok
    assert report.dry_run
    assert report.created == 3
    assert not LocationAssessment.objects.exists()


def test_bad_answers_named_by_sheet_row_and_field_and_nothing_written(round4, ngo):
    results = copy.deepcopy(export.submissions())
    results[0]["population"][1]["population/families"] = "-4"
    results[1]["general/location_pcode"] = "IQG99Q99L999"
    report = run([("a.xlsx", export.kobo_xlsx(results))], round4, ngo)
    assert not report.ok
    messages = [str(error) for error in report.errors]
    assert (
        "Location assessment, row 2, field population row 3/families: "
        "-4 is negative; a count cannot be below 0."
    ) in messages
    assert (
        "Location assessment, row 3, field general/location_pcode: "
        "IQG99Q99L999 is not a known P-code."
    ) in messages
    assert not LocationAssessment.objects.exists()
    assert not PopulationGroup.objects.exists()


def test_population_row_without_its_submission(round4, ngo):
    main, population = export.kobo_tables(export.submissions())
    parent = population[0].index("_parent_index")
    uuid = population[0].index("_submission__uuid")
    population[2][parent] = 9
    population[2][uuid] = "nobody"
    files = [("main.csv", export.csv_bytes(main)), ("population.csv", export.csv_bytes(population))]
    report = run(files, round4, ngo)
    assert not report.ok
    assert [str(error) for error in report.errors] == [
        "population, row 3, field _parent_index: 9 is not a submission in main."
    ]
    assert not LocationAssessment.objects.exists()


def test_main_table_alone_asks_for_the_population_table(round4, ngo):
    files = export.kobo_csv_files()[:1]
    report = run(files, round4, ngo)
    assert not report.ok
    assert "The population groups are missing" in report.error_text
    assert "Location_assessment_2008" in report.error_text


def test_labels_instead_of_names(round4, ngo):
    rows = [["Location P-code", "Families"], ["IQG08Q03L001", "3"]]
    report = run([("labels.csv", export.csv_bytes(rows))], round4, ngo)
    assert not report.ok
    assert 'Export with "XML values and headers"' in report.error_text


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "No file was given."),
        ([("a.txt", b"x")], ".txt files cannot be read"),
        ([("a.xlsx", b"PK\x03\x04broken")], "a.xlsx is not a readable XLSX workbook"),
        ([("a.zip", b"not a zip")], "a.zip is not a ZIP file."),
        ([("a.zip", _zip([("readme.txt", b"hi")]))], "a.zip holds no CSV file."),
        ([("a.json", b"{"), ("b.json", b"{}")], "Give a JSON file of submissions on its own."),
        ([("a.json", b"{")], "a.json is not JSON"),
    ],
)
def test_unreadable_files(round4, ngo, files, message):
    report = run(files, round4, ngo)
    assert not report.ok
    assert message in report.error_text


def test_command_reads_xlsx_and_loose_csv_files(round4, ngo, tmp_path):
    from django.core.management import call_command

    workbook = tmp_path / "assessment.xlsx"
    workbook.write_bytes(export.kobo_xlsx())
    base = ["displacement", "import-kobo", "--round", "4", "--organisation", ngo.code]
    out = io.StringIO()
    call_command(*base[:2], str(workbook), *base[2:], stdout=out)
    assert out.getvalue().strip() == (
        "3 population rows created, 0 updated, 0 unchanged; 0 new locations, 2 new assessments."
    )
    paths = []
    for name, content in export.kobo_csv_files():
        (tmp_path / name).write_bytes(content)
        paths.append(str(tmp_path / name))
    out = io.StringIO()
    call_command(*base[:2], *paths, *base[2:], stdout=out)
    assert out.getvalue().strip() == (
        "0 population rows created, 0 updated, 3 unchanged; 0 new locations, 0 new assessments."
    )


def test_command_reports_a_missing_population_file(round4, ngo, tmp_path):
    from django.core.management import CommandError, call_command

    name, content = export.kobo_csv_files()[0]
    (tmp_path / name).write_bytes(content)
    with pytest.raises(CommandError, match="The population groups are missing"):
        call_command(
            "displacement",
            "import-kobo",
            str(tmp_path / name),
            "--round",
            "4",
            "--organisation",
            ngo.code,
        )
    with pytest.raises(CommandError, match="There is no programme with the code NOPE"):
        call_command(
            "displacement",
            "import-kobo",
            str(tmp_path / name),
            "--round",
            "4",
            "--organisation",
            ngo.code,
            "--programme",
            "NOPE",
        )
