"""Reading a table from CSV (UTF-8 with or without BOM, or Windows-1256 for Arabic files saved by
older Excel) or XLSX (the first sheet) into a header and numbered rows, for every app's imports.
No database access.

Each problem is a ``RowError`` (row and column in plain words); row 1 is the header.
"""

import csv
import datetime
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = ["CSV", "XLSX", "RowError", "Table", "cell_text", "read_table"]

CSV = "csv"
XLSX = "xlsx"
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row (row 1 is the header), in plain words."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return _("row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def row_errors(
    error: ValidationError, row: int, columns: Mapping[str, str] | None = None
) -> list[RowError]:
    """A model's validation error as errors of file row ``row``: each field's messages under
    the file's column for it (``columns`` maps field names to column names; a field not in it
    is named as it is), and errors of no field under no column."""
    columns = columns or {}
    if hasattr(error, "error_dict"):
        return [
            RowError(row, columns.get(name, name), message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [RowError(row, "", message) for message in error.messages]


@dataclass
class Table:
    """A header (lower-cased, trimmed) and the non-blank rows with their row number in the file
    (the header is row 1 in a spreadsheet; in CSV the line a record starts on)."""

    format: str
    header: list[str] = field(default_factory=list)
    records: list[tuple[int, list[str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""


def read_table(content: bytes, filename: str = "") -> Table:
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".xlsx" or content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    return _read_csv(content)


def _decode(content: bytes) -> tuple[str, str]:
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # Excel on Arabic Windows saves CSV in Windows-1256; it decodes any byte sequence the
        # way Excel wrote it.
        return content.decode("cp1256", errors="strict"), "windows-1256"


def _delimiter(header_line: str) -> str:
    for candidate in (",", ";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def _read_csv(content: bytes) -> Table:
    table = Table(format=CSV)
    try:
        text, table.encoding = _decode(content)
    except UnicodeDecodeError:
        table.errors.append(
            RowError(
                1, "", _("the file is neither UTF-8 nor Windows-1256 text; save it as CSV UTF-8")
            )
        )
        return table
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            stripped = [cell.strip() for cell in cells]
            if not any(stripped):
                continue
            if not table.header:
                table.header = [cell.lower() for cell in stripped]
                continue
            table.records.append((start, stripped))
    except csv.Error as error:
        table.errors.append(
            RowError(previous_end + 1, "", _("the file is not readable CSV: %s") % error)
        )
    if not table.header and not table.errors:
        table.errors.append(RowError(1, "", _("the file is empty")))
    return table


def cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (12.0 → "12")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    table = Table(format=XLSX)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        table.errors.append(
            RowError(1, "", _("the file is not a readable XLSX workbook (%s)") % error)
        )
        return table
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if not any(cells):
                continue
            if not table.header:
                table.header = [cell.lower() for cell in cells]
                continue
            table.records.append((number, cells))
    finally:
        workbook.close()
    if not table.header:
        table.errors.append(RowError(1, "", _("the first sheet is empty")))
    return table
