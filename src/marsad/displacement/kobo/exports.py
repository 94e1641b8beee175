"""Submissions of the location-assessment form from files: Kobo API v2 JSON, Kobo's XLSX and
CSV exports, and ODK Central's CSV export, turned into the submissions the Kobo API returns
(``kobo.submissions`` reads those), so every format is checked and loaded the same way.

- **Kobo XLSX** ("XML values and headers"): a main sheet, one row a submission with ``_uuid``
  and ``_index``, and a sheet per repeat group (``population``) whose rows point at their
  submission by ``_parent_index`` (or ``_submission__uuid``).
- **Kobo CSV**: the same tables as separate CSV files (Kobo separates with ";" by default):
  the main file and the ``population`` file, uploaded together or in one ZIP.
- **ODK Central CSV** (the ZIP of "Download all records"): ``<form>.csv`` with ``KEY`` (the
  instance ID) and ``<form>-population.csv`` whose rows point at it by ``PARENT_KEY``.

Column names may carry their group in any of the usual ways (``general/location_pcode``,
``general-location_pcode``, ``general.location_pcode``) or leave it out (``location_pcode``).
"""

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from marsad.displacement.importers.report import RowError
from marsad.displacement.importers.tables import cell_text, read_table
from marsad.displacement.kobo.submissions import ROW_KEY, SHEET_KEY, SubmissionError
from marsad.displacement.kobo.xlsform import field_paths, repeat_names

SUFFIXES = (".json", ".xlsx", ".csv", ".zip")
SEPARATORS = ("/", "-", ".", ":")

# Columns the servers add; each maps to the key the Kobo API uses for it.
META_COLUMNS = {
    "_uuid": "_uuid",
    "meta/instanceid": "meta/instanceID",
    "instanceid": "meta/instanceID",
    "_submission_time": "_submission_time",
    "submissiondate": "_submission_time",
    "_index": "_index",
    "key": "KEY",
    "_parent_index": "_parent_index",
    "_submission__uuid": "_submission__uuid",
    "parent_key": "PARENT_KEY",
}
FORMAT_KOBO_JSON = "kobo-json"
FORMAT_KOBO_XLSX = "kobo-xlsx"
FORMAT_KOBO_CSV = "kobo-csv"
FORMAT_ODK_CSV = "odk-central-csv"


@dataclass
class Sheet:
    """One table of an export: its name (sheet or file), header mapped to submission keys and
    its rows as ``(row number, {key: text})``."""

    name: str
    columns: list[str | None]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return key in self.columns


@dataclass
class ExportData:
    """What the files held: the submissions in Kobo API form, the format and any error."""

    format: str = ""
    results: Any = field(default_factory=list)  # Kobo JSON as read, or the results list
    errors: list[RowError] = field(default_factory=list)


def _key_of(column: str, paths: dict[str, str]) -> str | None:
    """The submission key a column stands for, or None when the form has no such question."""
    text = column.strip().lower()
    if text in META_COLUMNS:
        return META_COLUMNS[text]
    for separator in SEPARATORS[1:]:
        text = text.replace(separator, "/")
    if text in META_COLUMNS:
        return META_COLUMNS[text]
    name = text.rsplit("/", 1)[-1]
    return paths.get(name)


def _sheet(name: str, header: list[str], records: Iterable[tuple[int, list[str]]]) -> Sheet:
    paths = field_paths()
    columns = [_key_of(column, paths) for column in header]
    sheet = Sheet(name=name, columns=columns)
    for number, cells in records:
        values = {
            key: cells[position]
            for position, key in enumerate(columns)
            if key and position < len(cells) and cells[position] != ""
        }
        sheet.rows.append((number, values))
    return sheet


def _xlsx_sheets(name: str, content: bytes, errors: list[RowError]) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        errors.append(
            SubmissionError(
                0,
                "",
                _("%(name)s is not a readable XLSX workbook (%(reason)s).")
                % {"name": name, "reason": error},
            )
        )
        return []
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            header: list[str] = []
            records = []
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                if not any(cells):
                    continue
                if not header:
                    header = cells
                else:
                    records.append((number, cells))
            if header:
                sheets.append(_sheet(worksheet.title, header, records))
    finally:
        workbook.close()
    return sheets


def _csv_sheet(name: str, content: bytes, errors: list[RowError]) -> list[Sheet]:
    table = read_table(content, "file.csv")
    for error in table.errors:
        errors.append(SubmissionError(error.row, error.column, error.message, sheet=name))
    if table.errors:
        return []
    return [_sheet(Path(name).stem, table.header, table.records)]


def _zip_sheets(name: str, content: bytes, errors: list[RowError]) -> list[Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        errors.append(SubmissionError(0, "", _("%(name)s is not a ZIP file.") % {"name": name}))
        return []
    sheets = []
    with archive:
        for member in archive.namelist():
            if member.lower().endswith(".csv") and not member.startswith("__MACOSX"):
                sheets += _csv_sheet(Path(member).name, archive.read(member), errors)
    if not sheets and not errors:
        errors.append(SubmissionError(0, "", _("%(name)s holds no CSV file.") % {"name": name}))
    return sheets


def _main_and_repeats(
    sheets: list[Sheet], errors: list[RowError]
) -> tuple[Sheet | None, list[Sheet]]:
    paths = field_paths()
    repeat_keys = {paths[name] for name in paths if paths[name].split("/")[0] in repeat_names()}
    main = [sheet for sheet in sheets if sheet.has("general/location_pcode")]
    repeats = [
        sheet
        for sheet in sheets
        if sheet not in main and any(key in repeat_keys for key in sheet.columns if key)
    ]
    if not main:
        errors.append(
            SubmissionError(
                0,
                "",
                _(
                    "No sheet or file has the location_pcode question, so these are not "
                    'submissions of the location-assessment form. Export with "XML values and '
                    'headers" (Kobo) or download the CSV ZIP (ODK Central).'
                ),
            )
        )
        return None, []
    if len(main) > 1:
        errors.append(
            SubmissionError(
                0,
                "",
                _("%(names)s all hold submissions; import one export at a time.")
                % {"names": ", ".join(sheet.name for sheet in main)},
            )
        )
        return None, []
    if not repeats:
        errors.append(
            SubmissionError(
                0,
                "",
                _(
                    "The population groups are missing: they come in a table of their own "
                    "(the population sheet of a Kobo XLSX export, population.csv from Kobo, "
                    "<form>-population.csv from ODK Central). Give that file with %(main)s, or "
                    "the whole export as XLSX or ZIP."
                )
                % {"main": main[0].name},
            )
        )
        return None, []
    return main[0], repeats


def _uuid(values: dict[str, str]) -> str:
    """Kobo's ``_uuid`` is the instance ID without its ``uuid:`` prefix; ODK Central gives the
    instance ID as ``KEY`` and ``meta-instanceID``. One submission keeps one key either way."""
    if values.get("_uuid"):
        return values["_uuid"]
    instance = values.get("meta/instanceID") or values.get("KEY") or ""
    return instance.removeprefix("uuid:")


def _link_keys(sheet: Sheet, main: Sheet) -> tuple[str, str] | None:
    """Which repeat column points at which main column."""
    for child, parent in (("PARENT_KEY", "KEY"), ("_parent_index", "_index")):
        if sheet.has(child) and main.has(parent):
            return child, parent
    if sheet.has("_submission__uuid"):
        return "_submission__uuid", "_uuid"
    return None


def _assemble(main: Sheet, repeats: list[Sheet], data: ExportData) -> None:
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for number, values in main.rows:
        submission: dict[str, Any] = {
            key: value
            for key, value in values.items()
            if key not in ("_index", "KEY", "_parent_index", "PARENT_KEY", "_submission__uuid")
        }
        submission["_uuid"] = _uuid(values)
        if values.get("KEY") and "meta/instanceID" not in submission:
            submission["meta/instanceID"] = values["KEY"]
        submission[SHEET_KEY] = main.name
        submission[ROW_KEY] = number
        for name in repeat_names():
            submission[name] = []
        data.results.append(submission)
        for key in ("_index", "KEY"):
            if values.get(key):
                by_key[(key, values[key])] = submission
        by_key[("_uuid", submission["_uuid"])] = submission
    for sheet in repeats:
        link = _link_keys(sheet, main)
        if link is None:
            data.errors.append(
                SubmissionError(
                    0,
                    "",
                    _(
                        "%(sheet)s has no _parent_index, _submission__uuid or PARENT_KEY column, "
                        "so its rows cannot be tied to their submissions."
                    )
                    % {"sheet": sheet.name},
                    sheet=sheet.name,
                )
            )
            continue
        child, parent = link
        repeat = next(
            (
                key.split("/")[0]
                for key in sheet.columns
                if key and key.split("/")[0] in repeat_names()
            ),
            repeat_names()[0],
        )
        for number, values in sheet.rows:
            owner = by_key.get((parent, values.get(child, "")))
            if owner is None:
                data.errors.append(
                    SubmissionError(
                        number,
                        child,
                        _("%(value)s is not a submission in %(main)s.")
                        % {"value": values.get(child, "") or _("(empty)"), "main": main.name},
                        sheet=sheet.name,
                    )
                )
                continue
            item = {key: value for key, value in values.items() if key.split("/")[0] == repeat}
            item[SHEET_KEY] = sheet.name
            item[ROW_KEY] = number
            owner[repeat].append(item)
    if data.format == FORMAT_KOBO_CSV and main.has("KEY"):
        data.format = FORMAT_ODK_CSV


def read_export(files: list[tuple[str, bytes]]) -> ExportData:
    """The submissions in ``files`` (name, content): one Kobo JSON file, one Kobo XLSX export,
    or the CSV files of a Kobo or ODK Central export (loose or in a ZIP). Errors about the
    files themselves (unreadable, no main table, a repeat row without its submission) are
    returned with the sheet and row they concern; the answers are checked later."""
    data = ExportData()
    if not files:
        data.errors.append(SubmissionError(0, "", _("No file was given.")))
        return data
    suffixes = {Path(name).suffix.lower() for name, _content in files}
    unknown = suffixes - set(SUFFIXES)
    if unknown:
        data.errors.append(
            SubmissionError(
                0,
                "",
                _("%(suffixes)s files cannot be read; give %(known)s.")
                % {"suffixes": ", ".join(sorted(unknown)), "known": ", ".join(SUFFIXES)},
            )
        )
        return data
    if ".json" in suffixes:
        if len(files) > 1:
            data.errors.append(
                SubmissionError(0, "", _("Give a JSON file of submissions on its own."))
            )
            return data
        name, content = files[0]
        data.format = FORMAT_KOBO_JSON
        try:
            data.results = json.loads(content)
        except ValueError as error:
            data.errors.append(
                SubmissionError(
                    0, "", _("%(name)s is not JSON: %(reason)s.") % {"name": name, "reason": error}
                )
            )
        return data
    sheets: list[Sheet] = []
    for name, content in files:
        suffix = Path(name).suffix.lower()
        if suffix == ".xlsx":
            data.format = FORMAT_KOBO_XLSX
            sheets += _xlsx_sheets(name, content, data.errors)
        elif suffix == ".zip":
            data.format = data.format or FORMAT_KOBO_CSV
            sheets += _zip_sheets(name, content, data.errors)
        else:
            data.format = data.format or FORMAT_KOBO_CSV
            sheets += _csv_sheet(name, content, data.errors)
    if data.errors:
        return data
    main, repeats = _main_and_repeats(sheets, data.errors)
    if main is not None:
        _assemble(main, repeats, data)
    return data
