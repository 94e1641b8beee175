"""Reading a watchlist (WL.csv) and a travellers file (T.csv) for screening.

The columns are the black-box interface of ARCHITECTURE.md:

- watchlist: ``entry_id, full_name, aliases`` (";"-separated), ``birth_date, nationality,
  document_number`` (";"-separated when there are several), and optionally ``reason, action,
  valid_from, valid_until``;
- travellers: ``traveller_id, surname, given_names, birth_date, nationality, document_number``.

CSV (UTF-8 with or without a byte-order mark, UTF-16 with one, or Windows-1256 as Arabic Excel
saves it; comma, semicolon or tab) or XLSX (the first sheet), through ``marsad.core.tables``.
Only the identifier and name columns must be there; a missing optional column is reported and
its values are treated as empty. A file that cannot be used at all raises :class:`FileProblem`;
a row that cannot be used is a ``RowError`` (row and column in plain words); a malformed birth
date is not an error: it is treated as missing and counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from marsad.border.screening.records import (
    DEFAULT_ACTION,
    PartialDate,
    Traveller,
    WatchlistEntry,
    parse_partial_date,
)
from marsad.core.tables import RowError, read_table

__all__ = [
    "TRAVELLER_COLUMNS",
    "WATCHLIST_COLUMNS",
    "FileProblem",
    "FileReport",
    "read_travellers",
    "read_watchlist",
]

WATCHLIST_COLUMNS = (
    "entry_id",
    "full_name",
    "aliases",
    "birth_date",
    "nationality",
    "document_number",
)
WATCHLIST_OPTIONAL = ("reason", "action", "valid_from", "valid_until")
TRAVELLER_COLUMNS = (
    "traveller_id",
    "surname",
    "given_names",
    "birth_date",
    "nationality",
    "document_number",
)
SEPARATOR = ";"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FileProblem(Exception):
    """The file cannot be used at all; the message says why in plain words."""


@dataclass
class FileReport:
    """How a file was read: what to tell the person who gave it."""

    name: str
    encoding: str = ""
    format: str = ""
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: Rows whose birth date was not YYYY-MM-DD or YYYY, treated as missing: (row, value).
    malformed_dates: list[tuple[int, str]] = field(default_factory=list)
    #: Columns of the interface the file lacks (their values are treated as empty).
    missing_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: The file's header as read (trimmed, lower-cased), so that an import can tell a column
    #: left empty from a column the file does not have.
    columns: list[str] = field(default_factory=list)


@dataclass
class WatchlistFile:
    entries: list[WatchlistEntry]
    report: FileReport
    #: The row of the file each entry was read from (row 1 is the header), in step with
    #: ``entries``.
    rows: list[int] = field(default_factory=list)


@dataclass
class TravellerFile:
    travellers: list[Traveller]
    report: FileReport


def _content(source: Path | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return source.read_bytes()
    except OSError as error:
        raise FileProblem(
            _("cannot read %(name)s: %(reason)s") % {"name": name, "reason": error.strerror}
        ) from error


def _text_bytes(content: bytes, name: str) -> bytes:
    """CSV bytes that ``read_table`` can decode: UTF-16 re-encoded, binary refused."""
    if content.startswith(b"PK\x03\x04"):
        return content  # XLSX
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise FileProblem(
                _("%(name)s starts as UTF-16 text but is not valid UTF-16") % {"name": name}
            ) from error
    if b"\x00" in content:
        raise FileProblem(
            _(
                "%(name)s is not a text file (it contains NUL bytes); save it as CSV UTF-8 "
                "or as an XLSX workbook"
            )
            % {"name": name}
        )
    return content


def _read(
    source: Path | bytes,
    name: str,
    *,
    required: tuple[str, ...],
    contract: tuple[str, ...],
    optional: tuple[str, ...] = (),
    one_of: tuple[str, ...] = (),
) -> tuple[FileReport, list[tuple[int, dict[str, str]]]]:
    content = _text_bytes(_content(source, name), name)
    if not content.strip():
        raise FileProblem(
            _("%(name)s is empty; expected a header row with the columns %(columns)s")
            % {"name": name, "columns": ", ".join(contract)}
        )
    table = read_table(content, name)
    report = FileReport(name=name, encoding=table.encoding, format=table.format)
    if not table.header:
        raise FileProblem(f"{name}: " + "; ".join(str(error) for error in table.errors))
    header = [column.strip().lstrip("\ufeff").lower() for column in table.header]
    duplicated = sorted({column for column in header if column and header.count(column) > 1})
    if duplicated:
        raise FileProblem(
            _("%(name)s: the column %(columns)s appears more than once")
            % {"name": name, "columns": ", ".join(duplicated)}
        )
    missing = [column for column in required if column not in header]
    if one_of and not any(column in header for column in one_of):
        missing.append(_(" or ").join(one_of))
    if missing:
        raise FileProblem(
            _(
                "%(name)s: the column %(missing)s is missing. Expected the columns "
                "%(expected)s; found %(found)s."
            )
            % {
                "name": name,
                "missing": ", ".join(missing),
                "expected": ", ".join(contract),
                "found": ", ".join(column for column in header if column) or _("none"),
            }
        )
    report.columns = [column for column in header if column]
    report.missing_columns = [column for column in contract if column not in header]
    report.ignored_columns = [
        column for column in header if column and column not in contract + optional
    ]
    report.errors.extend(table.errors)
    rows = []
    for number, cells in table.records:
        padded = cells + [""] * (len(header) - len(cells))
        rows.append((number, {column: padded[i] for i, column in enumerate(header) if column}))
    report.rows = len(rows)
    return report, rows


def _birth_date(report: FileReport, number: int, value: str, today: date) -> PartialDate | None:
    try:
        return parse_partial_date(value, today=today)
    except ValueError:
        report.malformed_dates.append((number, value))
        return None


def _validity(report: FileReport, number: int, column: str, value: str) -> date | None:
    if not value:
        return None
    day = value.split("T", 1)[0].strip()
    try:
        if not _ISO_DAY.match(day):
            raise ValueError(day)
        return date.fromisoformat(day)
    except ValueError:
        report.errors.append(
            RowError(number, column, _("“%(value)s” is not a date YYYY-MM-DD") % {"value": value})
        )
        return None


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in value.split(SEPARATOR) if part.strip()))


def _unique(report: FileReport, column: str) -> Callable[[int, str], bool]:
    """A check that an identifier was not seen on an earlier row (reporting when it was)."""
    seen: dict[str, int] = {}

    def check(number: int, value: str) -> bool:
        if value in seen:
            report.errors.append(
                RowError(
                    number,
                    column,
                    _("%(value)s is already used on row %(row)d")
                    % {"value": value, "row": seen[value]},
                )
            )
            return False
        seen[value] = number
        return True

    return check


def read_watchlist(
    source: Path | bytes, name: str = "", *, today: date | None = None
) -> WatchlistFile:
    """Watchlist entries from a WL.csv or XLSX; :class:`FileProblem` if it cannot be used."""
    name = name or (source.name if isinstance(source, Path) else "watchlist")
    today = today or date.today()
    report, rows = _read(
        source,
        name,
        required=("entry_id", "full_name"),
        contract=WATCHLIST_COLUMNS,
        optional=WATCHLIST_OPTIONAL,
    )
    unique = _unique(report, "entry_id")
    entries = []
    entry_rows = []
    for number, row in rows:
        entry_id, full_name = row["entry_id"], row["full_name"]
        errors_before = len(report.errors)
        if not entry_id:
            report.errors.append(RowError(number, "entry_id", _("the entry has no entry_id")))
        else:
            unique(number, entry_id)
        if not full_name:
            report.errors.append(RowError(number, "full_name", _("the entry has no name")))
        valid_from = _validity(report, number, "valid_from", row.get("valid_from", ""))
        valid_until = _validity(report, number, "valid_until", row.get("valid_until", ""))
        if valid_from and valid_until and valid_until < valid_from:
            report.errors.append(
                RowError(number, "valid_until", _("valid_until is before valid_from"))
            )
        if len(report.errors) > errors_before:
            continue
        entries.append(
            WatchlistEntry(
                entry_id=entry_id,
                names=(full_name, *(a for a in _split(row.get("aliases", "")) if a != full_name)),
                birth_date=_birth_date(report, number, row.get("birth_date", ""), today),
                nationality=row.get("nationality", "").upper(),
                document_numbers=_split(row.get("document_number", "")),
                reason=row.get("reason", ""),
                action=row.get("action", "") or DEFAULT_ACTION,
                valid_from=valid_from,
                valid_until=valid_until,
            )
        )
        entry_rows.append(number)
    return WatchlistFile(entries=entries, report=report, rows=entry_rows)


def read_travellers(
    source: Path | bytes, name: str = "", *, today: date | None = None
) -> TravellerFile:
    """Travellers from a T.csv or XLSX; :class:`FileProblem` if it cannot be used."""
    name = name or (source.name if isinstance(source, Path) else "travellers")
    today = today or date.today()
    report, rows = _read(
        source,
        name,
        required=("traveller_id",),
        contract=TRAVELLER_COLUMNS,
        one_of=("surname", "given_names"),
    )
    unique = _unique(report, "traveller_id")
    travellers = []
    for number, row in rows:
        traveller_id = row["traveller_id"]
        surname, given_names = row.get("surname", ""), row.get("given_names", "")
        errors_before = len(report.errors)
        if not traveller_id:
            report.errors.append(
                RowError(number, "traveller_id", _("the traveller has no traveller_id"))
            )
        else:
            unique(number, traveller_id)
        if not surname and not given_names:
            report.errors.append(
                RowError(number, "surname", _("the traveller has neither surname nor given names"))
            )
        if len(report.errors) > errors_before:
            continue
        travellers.append(
            Traveller(
                traveller_id=traveller_id,
                surname=surname,
                given_names=given_names,
                birth_date=_birth_date(report, number, row.get("birth_date", ""), today),
                nationality=row.get("nationality", "").upper(),
                document_number=row.get("document_number", ""),
            )
        )
    return TravellerFile(travellers=travellers, report=report)
