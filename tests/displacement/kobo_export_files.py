"""Builds the files Kobo and ODK Central export for the location-assessment form from the
recorded Kobo API pages (tests/displacement/data/kobo), so each export format is tested on the
same submissions as the JSON import."""

import csv
import io
import json
import zipfile
from pathlib import Path

from openpyxl import Workbook

DATA = Path(__file__).parent / "data" / "kobo"
MAIN_SHEET = "Location assessment"


def submissions() -> list[dict]:
    results = []
    for name in ("page1.json", "page2.json"):
        results += json.loads((DATA / name).read_text(encoding="utf-8"))["results"]
    return results


def _main_columns(results: list[dict]) -> list[str]:
    columns: list[str] = []
    for result in results:
        for key in result:
            if key != "population" and not key.startswith("_") and key not in columns:
                columns.append(key)
    return columns


def _repeat_columns(results: list[dict]) -> list[str]:
    columns: list[str] = []
    for result in results:
        for item in result["population"]:
            for key in item:
                if key not in columns:
                    columns.append(key)
    return columns


def kobo_tables(results: list[dict]) -> tuple[list[list], list[list]]:
    """The main and population tables of a Kobo export ("XML values and headers")."""
    answers = _main_columns(results)
    main = [[*answers, "_id", "_uuid", "_submission_time", "_index"]]
    repeat_answers = _repeat_columns(results)
    population = [
        [
            *repeat_answers,
            "_index",
            "_parent_table_name",
            "_parent_index",
            "_submission__id",
            "_submission__uuid",
        ]
    ]
    index = 0
    for parent, result in enumerate(results, start=1):
        main.append(
            [
                *[result.get(key, "") for key in answers],
                result["_id"],
                result["_uuid"],
                result["_submission_time"],
                parent,
            ]
        )
        for item in result["population"]:
            index += 1
            population.append(
                [
                    *[item.get(key, "") for key in repeat_answers],
                    index,
                    MAIN_SHEET,
                    parent,
                    result["_id"],
                    result["_uuid"],
                ]
            )
    return main, population


def kobo_xlsx(results: list[dict] | None = None) -> bytes:
    main, population = kobo_tables(results or submissions())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = MAIN_SHEET
    for row in main:
        sheet.append(row)
    repeat = workbook.create_sheet("population")
    for row in population:
        repeat.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_bytes(rows: list[list], delimiter: str = ",") -> bytes:
    output = io.StringIO()
    csv.writer(output, delimiter=delimiter).writerows(rows)
    return output.getvalue().encode("utf-8")


def kobo_csv_files(results: list[dict] | None = None) -> list[tuple[str, bytes]]:
    """Kobo's CSV export: ";"-separated, the main table and the population table."""
    main, population = kobo_tables(results or submissions())
    return [
        ("Location_assessment_2008.csv", csv_bytes(main, ";")),
        ("population.csv", csv_bytes(population, ";")),
    ]


def odk_central_zip(results: list[dict] | None = None) -> bytes:
    """ODK Central's "Download all records" ZIP: <form>.csv and <form>-population.csv, groups
    joined with "-", KEY / PARENT_KEY tying repeat rows to their submission."""
    results = results or submissions()
    answers = [key for key in _main_columns(results) if key != "meta/instanceID"]
    main = [
        [
            "SubmissionDate",
            *[key.replace("/", "-") for key in answers],
            "meta-instanceID",
            "KEY",
            "SubmitterID",
            "SubmitterName",
            "ReviewState",
            "FormVersion",
        ]
    ]
    repeat_answers = _repeat_columns(results)
    population = [[*[key.split("/")[-1] for key in repeat_answers], "PARENT_KEY", "KEY"]]
    for result in results:
        instance = "uuid:" + result["_uuid"]
        main.append(
            [
                result["_submission_time"] + ".000Z",
                *[result.get(key, "") for key in answers],
                instance,
                instance,
                "5",
                "monitor.basrah",
                "",
                "1",
            ]
        )
        for position, item in enumerate(result["population"], start=1):
            population.append(
                [
                    *[item.get(key, "") for key in repeat_answers],
                    instance,
                    f"{instance}/population[{position}]",
                ]
            )
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("location_assessment.csv", csv_bytes(main))
        archive.writestr("location_assessment-population.csv", csv_bytes(population))
    return output.getvalue()
