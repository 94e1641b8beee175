"""Distribution-list rows: one row per receipt. This module turns a table into checked rows —
every cell read, every row given its key (the list's ``row_key``, or a hash of the row), a key
repeated within the file refused. Whatever needs the database (households, persons, the plan's
items, keys already imported, the double-assistance rule) is checked in ``apply``. No database
access."""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from marsad.assistance.importers import columns
from marsad.assistance.importers.columns import CellError
from marsad.core.tables import RowError, Table


@dataclass
class ReceiptRow:
    """One receipt as the list gives it. ``assistance`` is an assistance type (None when the
    cell is empty: the plan's only item is meant); ``quantity`` None means the item's quantity
    per household; ``ok`` is False when a cell could not be read (the row is then not
    recorded, only reported)."""

    row: int
    key: str
    key_given: bool
    plan_code: str = ""
    registration_number: str = ""
    person: str = ""
    assistance: str | None = None
    assistance_text: str = ""
    quantity: Decimal | None = None
    received_on: datetime.date | None = None
    id_checked: bool = False
    signed: bool = False
    thumbprint: bool = False
    recorder: str = ""
    override_reason: str = ""
    ok: bool = True


@dataclass
class Parsed:
    rows: list[ReceiptRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Rows whose key repeats an earlier row of the file: never recorded.
    repeated: set[int] = field(default_factory=set)


def row_hash(payload: dict[str, str]) -> str:
    """The key of a row without a row_key: the same cells give the same key, whatever the
    file's encoding, format or column order (64 characters, the most a receipt keeps)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "row:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:60]


def _payload(header: list[str], cells: list[str]) -> dict[str, str]:
    """The row by the header's names (extra cells without a header too); empty cells left out,
    so that adding an empty column does not change a row's key."""
    payload: dict[str, str] = {}
    for index, value in enumerate(cells):
        if not value:
            continue
        name = header[index] if index < len(header) and header[index] else f"column_{index + 1}"
        if name in payload:
            name = f"{name}_{index + 1}"
        payload[name] = value
    return payload


def _header(table: Table, errors: list[RowError]) -> dict[str, int] | None:
    """Known columns by position; None when a required column is missing or one repeats."""
    positions: dict[str, int] = {}
    repeated = False
    for index, name in enumerate(table.header):
        key = columns.header_key(name)
        if key not in columns.COLUMNS:
            continue
        if key in positions:
            errors.append(RowError(1, key, _("the column appears twice; keep one")))
            repeated = True
            continue
        positions[key] = index
    missing = [column for column in columns.REQUIRED_COLUMNS if column not in positions]
    for column in missing:
        errors.append(RowError(1, column, _("the column is missing")))
    return None if missing or repeated else positions


class _Cells:
    """One row's cells by column, collecting every problem instead of stopping at the first."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors
        self.ok = True

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))
        self.ok = False

    def read(self, column: str, reader: Any) -> Any:
        try:
            return reader(self.text(column))
        except CellError as error:
            self.error(column, str(error))
            return None

    def limited(self, column: str, limit: int = columns.TEXT_MAX_LENGTH) -> str:
        value = self.text(column)
        if len(value) > limit:
            self.error(column, _("longer than %(max)d characters") % {"max": limit})
        return value


def parse_table(table: Table) -> Parsed:
    """Read every row; all problems are returned, none raised."""
    parsed = Parsed(errors=list(table.errors))
    if table.errors:
        return parsed
    positions = _header(table, parsed.errors)
    if positions is None:
        return parsed
    seen: dict[str, int] = {}
    for number, cells in table.records:
        known = {
            column: cells[index] if index < len(cells) else ""
            for column, index in positions.items()
        }
        reader = _Cells(number, known, parsed.errors)
        given_key = reader.limited(columns.ROW_KEY, columns.KEY_MAX_LENGTH)
        key = given_key or row_hash(_payload(table.header, cells))
        if key in seen:
            parsed.repeated.add(number)
            if given_key:
                reader.error(
                    columns.ROW_KEY,
                    _("%(key)s is also on row %(row)d; each receipt has its own key")
                    % {"key": given_key, "row": seen[key]},
                )
            else:
                reader.error("", _("the same row as row %(row)d") % {"row": seen[key]})
        else:
            seen[key] = number
        row = ReceiptRow(row=number, key=key, key_given=bool(given_key))
        row.plan_code = reader.text(columns.PLAN).strip()
        row.registration_number = reader.limited(columns.REGISTRATION_NUMBER).strip()
        if not row.registration_number:
            reader.error(
                columns.REGISTRATION_NUMBER,
                _("empty; give the household's registration number"),
            )
        row.person = reader.limited(columns.PERSON)
        row.assistance_text = reader.text(columns.ASSISTANCE)
        if row.assistance_text:
            row.assistance = reader.read(columns.ASSISTANCE, columns.assistance_type)
        row.quantity = reader.read(columns.QUANTITY, columns.quantity)
        row.received_on = reader.read(columns.RECEIVED_ON, columns.received_on)
        row.id_checked, row.signed, row.thumbprint = (
            bool(reader.read(column, columns.flag)) for column in columns.FLAG_COLUMNS
        )
        row.recorder = reader.limited(columns.RECORDER, 150).strip()
        row.override_reason = reader.limited(columns.OVERRIDE_REASON, 2000).strip()
        row.ok = reader.ok
        parsed.rows.append(row)
    return parsed
