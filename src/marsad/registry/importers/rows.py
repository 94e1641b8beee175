"""Source-list rows: one row per person, rows sharing a ``household_id`` forming one household.
This module turns a table into checked rows and households: every cell read, every household
checked for one head, a size no smaller than its rows and one value per household column.
Whatever needs the database (P-codes, keys already received, permissions) is checked in
``apply``. No database access."""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from marsad.core.tables import RowError, Table
from marsad.linkage import normalise
from marsad.registry.importers import columns
from marsad.registry.importers.columns import CellError
from marsad.registry.models import DatePrecision, DocumentKind, Relationship, Sex


@dataclass
class SourceRow:
    """One person's row: where it is in the file, its key, the row as received, and the
    member it describes (the data ``household_register`` takes)."""

    row: int
    key: str
    household_key: str  # the source's household key; "" when the person is their own household
    payload: dict[str, str]
    person: dict[str, Any] = field(default_factory=dict)
    # Household columns this row gives: column → (text as written, value read).
    household: dict[str, tuple[str, Any]] = field(default_factory=dict)
    relationship_given: bool = True


@dataclass
class HouseholdRows:
    """The rows of one household and the household's values (P-codes still as text)."""

    key: str
    rows: list[SourceRow]
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def first_row(self) -> int:
        return self.rows[0].row


@dataclass
class Parsed:
    rows: list[SourceRow] = field(default_factory=list)
    households: list[HouseholdRows] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def row_hash(payload: dict[str, str]) -> str:
    """The key of a row without a record_id: the same cells give the same key, whatever the
    file's encoding, format or column order."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _header(table: Table, errors: list[RowError]) -> dict[str, int] | None:
    """Known columns by position; None when a required column is missing."""
    positions: dict[str, int] = {}
    for index, name in enumerate(table.header):
        key = columns.column_key(name)
        if key not in columns.COLUMNS:
            continue
        if key in positions:
            errors.append(
                RowError(1, key, _("the column appears twice; keep one")),
            )
            continue
        positions[key] = index
    missing = [column for column in columns.REQUIRED_COLUMNS if column not in positions]
    for column in missing:
        errors.append(RowError(1, column, _("the column is missing")))
    return None if missing or errors else positions


def _payload(header: list[str], cells: list[str]) -> dict[str, str]:
    """The row as received, by the header's names (extra cells without a header kept too)."""
    payload: dict[str, str] = {}
    for index in range(max(len(header), len(cells))):
        value = cells[index] if index < len(cells) else ""
        name = header[index] if index < len(header) and header[index] else ""
        if not name:
            if not value:
                continue
            name = f"column_{index + 1}"
        if name in payload:
            name = f"{name}_{index + 1}"
        payload[name] = value
    return payload


class _RowReader:
    """Reads one row's cells, collecting every problem instead of stopping at the first."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def read(self, column: str, reader: Any, *args: Any) -> Any:
        try:
            return reader(self.text(column), *args)
        except CellError as error:
            self.errors.append(RowError(self.number, column, str(error)))
            return None


def _person(reader: _RowReader, today: datetime.date) -> tuple[dict[str, Any], bool]:
    """The member a row describes, and whether its relationship was given."""
    person: dict[str, Any] = {}
    for column in columns.NAME_COLUMNS:
        value = reader.text(column)
        if len(value) > columns.NAME_MAX_LENGTH:
            reader.errors.append(
                RowError(
                    reader.number,
                    column,
                    _("longer than %(max)d characters") % {"max": columns.NAME_MAX_LENGTH},
                )
            )
        person[column] = value
    if not person["given_name"]:
        reader.errors.append(RowError(reader.number, "given_name", _("empty; give the name")))
    given = bool(reader.text("relationship"))
    person["relationship"] = reader.read("relationship", columns.relationship) if given else ""
    person["sex"] = reader.read("sex", columns.sex)
    birth = reader.read("birth_date", columns.birth_date, today)
    person["birth_date"], person["birth_date_precision"] = birth or (None, DatePrecision.DAY)
    for column in columns.FLAG_COLUMNS:
        person[column] = bool(reader.read(column, columns.flag))
    if person["pregnant_or_lactating"] and person["sex"] == Sex.MALE:
        reader.errors.append(
            RowError(
                reader.number,
                "pregnant_or_lactating",
                _("yes, but the sex is male; only a woman can be pregnant or lactating"),
            )
        )
    phone = reader.text("phone")
    if phone and any(char.isdigit() for char in phone):
        if len(phone) > columns.PHONE_MAX_LENGTH or not normalise.normalise_phone(phone):
            reader.errors.append(
                RowError(
                    reader.number, "phone", _("%(value)s is not a phone number") % {"value": phone}
                )
            )
        else:
            person["phones"] = [phone]
    national_id = reader.text("national_id")
    if normalise.normalise_id(national_id):  # "N/A", "لا يوجد" and "-" say there is none
        if len(national_id) > columns.DOCUMENT_MAX_LENGTH:
            reader.errors.append(
                RowError(
                    reader.number,
                    "national_id",
                    _("longer than %(max)d characters") % {"max": columns.DOCUMENT_MAX_LENGTH},
                )
            )
        else:
            person["documents"] = [{"kind": DocumentKind.NATIONAL_ID, "number": national_id}]
    return person, given


HOUSEHOLD_READERS: dict[str, Any] = {
    "location_pcode": lambda text, today: columns.pcode(text),
    "origin_pcode": lambda text, today: columns.pcode(text),
    "address": lambda text, today: text,
    "household_size": lambda text, today: columns.household_size(text),
    "displacement_date": columns.displacement_date,
    "shelter_type": lambda text, today: columns.shelter_type(text),
    "status": lambda text, today: columns.status(text),
}


def parse_table(table: Table, *, today: datetime.date | None = None) -> Parsed:
    """Read every row and check every household; all problems are returned, none raised."""
    today = today or datetime.date.today()
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
        payload = _payload(table.header, cells)
        reader = _RowReader(number, known, parsed.errors)
        record_id = known.get(columns.RECORD_ID, "")
        key = record_id or row_hash(payload)
        if len(key) > columns.KEY_MAX_LENGTH:
            parsed.errors.append(
                RowError(
                    number,
                    columns.RECORD_ID,
                    _("longer than %(max)d characters") % {"max": columns.KEY_MAX_LENGTH},
                )
            )
        elif key in seen:
            parsed.errors.append(
                RowError(
                    number,
                    columns.RECORD_ID,
                    _("%(key)s is also on row %(row)d") % {"key": record_id, "row": seen[key]},
                )
                if record_id
                else RowError(number, "", _("the same row as row %(row)d") % {"row": seen[key]})
            )
        else:
            seen[key] = number
        person, given = _person(reader, today)
        row = SourceRow(
            row=number,
            key=key,
            household_key=known.get(columns.HOUSEHOLD_ID, ""),
            payload=payload,
            person=person,
            relationship_given=given,
        )
        for column, read in HOUSEHOLD_READERS.items():
            text = reader.text(column)
            if text:
                value = reader.read(column, read, today)
                if value is not None:
                    row.household[column] = (text, value)
        parsed.rows.append(row)
    parsed.households = _households(parsed.rows, parsed.errors)
    return parsed


def _households(rows: list[SourceRow], errors: list[RowError]) -> list[HouseholdRows]:
    groups: dict[str, HouseholdRows] = {}
    for row in rows:
        group_key = row.household_key or f"\x00{row.row}"
        groups.setdefault(group_key, HouseholdRows(key=row.household_key, rows=[])).rows.append(row)
    for household in groups.values():
        _check_household(household, errors)
    return list(groups.values())


def _check_household(household: HouseholdRows, errors: list[RowError]) -> None:
    for column in HOUSEHOLD_READERS:
        first: tuple[int, str, Any] | None = None
        for row in household.rows:
            if column not in row.household:
                continue
            text, value = row.household[column]
            if first is None:
                first = (row.row, text, value)
            elif value != first[2]:
                errors.append(
                    RowError(
                        row.row,
                        column,
                        _("%(value)s differs from %(other)s on row %(row)d of the same household")
                        % {"value": text, "other": first[1], "row": first[0]},
                    )
                )
        if first is not None:
            household.values[column] = first[2]
    _check_relationships(household, errors)
    size = household.values.get("household_size")
    if size is not None and size < len(household.rows):
        size_row = next(row.row for row in household.rows if "household_size" in row.household)
        errors.append(
            RowError(
                size_row,
                "household_size",
                _("the household size is %(size)d but household %(household)s has %(rows)d rows")
                % {"size": size, "household": household.key, "rows": len(household.rows)},
            )
        )


def _check_relationships(household: HouseholdRows, errors: list[RowError]) -> None:
    alone = len(household.rows) == 1
    for row in household.rows:
        if not row.relationship_given:
            if alone:
                row.person["relationship"] = Relationship.HEAD
            else:
                errors.append(
                    RowError(
                        row.row,
                        "relationship",
                        _("empty; say how the person is related to the head (head, spouse, son…)"),
                    )
                )
    heads = [row for row in household.rows if row.person.get("relationship") == Relationship.HEAD]
    unread = any(row.person.get("relationship") is None for row in household.rows)
    if not heads and not unread:
        if household.key:
            message = _("household %(household)s has no head; mark one member as head") % {
                "household": household.key
            }
        else:
            message = _(
                "a person without a household_id is their own household and must be its head"
            )
        errors.append(RowError(household.first_row, "relationship", message))
    for row in heads[1:]:
        errors.append(
            RowError(
                row.row,
                "relationship",
                _("household %(household)s already has a head on row %(row)d")
                % {"household": household.key, "row": heads[0].row},
            )
        )
