"""Reading a watchlist file (through ``screening.files.read_watchlist``, the reader screening
uses too) and checking each row as the model checks an entry, without queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from marsad.border.models import DatePrecision, Watchlist, WatchlistAction, WatchlistEntry
from marsad.border.screening import records
from marsad.border.screening.files import (
    WATCHLIST_COLUMNS,
    WATCHLIST_OPTIONAL,
    FileProblem,
    read_watchlist,
)
from marsad.border.watchlist_import.report import WatchlistImportReport
from marsad.core.tables import RowError, row_errors

ProgressCallback = Callable[..., None]

IMPORT_COLUMNS = WATCHLIST_COLUMNS + WATCHLIST_OPTIONAL
PROGRESS_EVERY = 500
#: The model fields an import writes, and the column each comes from.
FIELD_COLUMNS = {
    "reference": "entry_id",
    "names": "full_name",
    "birth_date": "birth_date",
    "birth_date_precision": "birth_date",
    "nationality": "nationality",
    "document_numbers": "document_number",
    "document_numbers_normalised": "document_number",
    "reason": "reason",
    "action": "action",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    NON_FIELD_ERRORS: "",
}


@dataclass
class Row:
    """One row of the file as the entry it asks for."""

    row: int
    reference: str
    #: The entry as a new one would be stored (derived forms and fingerprint computed).
    fresh: WatchlistEntry


def _words(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").split()).lower()


def _actions() -> dict[str, str]:
    """Each action on a hit by its code and by its label (in the active language), as
    ``_words`` writes them."""
    actions = {_words(str(choice.label)): choice.value for choice in WatchlistAction}
    actions.update((_words(choice.value), choice.value) for choice in WatchlistAction)
    return actions


def _birth(value: records.PartialDate | None) -> tuple[datetime.date | None, str]:
    if value is None:
        return None, DatePrecision.DAY
    if value.year_only:
        return datetime.date(value.year, 7, 1), DatePrecision.YEAR
    return datetime.date(value.year, value.month, value.day), DatePrecision.DAY


def _validity_problem(entry: WatchlistEntry, row: int) -> RowError | None:
    if entry.valid_from and entry.valid_until and entry.valid_until < entry.valid_from:
        return RowError(row, "valid_until", _("valid_until is before valid_from"))
    return None


def validate(entry: WatchlistEntry, row: int, errors: list[RowError]) -> bool:
    """Check ``entry`` as the model does, without queries (its derived forms are refreshed)."""
    try:
        entry.clean_fields(exclude=["watchlist"])
        entry.clean()
    except ValidationError as error:
        errors.extend(row_errors(error, row, FIELD_COLUMNS))
        return False
    problem = _validity_problem(entry, row)
    if problem is not None:
        errors.append(problem)
        return False
    return True


def _fresh(
    watchlist: Watchlist,
    entry: records.WatchlistEntry,
    row: int,
    errors: list[RowError],
    actions: dict[str, str],
) -> WatchlistEntry | None:
    action = actions.get(_words(entry.action))
    if action is None:
        errors.append(
            RowError(
                row,
                "action",
                _("“%(value)s” is not an action on a hit; use one of %(actions)s")
                % {"value": entry.action, "actions": ", ".join(WatchlistAction.values)},
            )
        )
    birth_date, precision = _birth(entry.birth_date)
    fresh = WatchlistEntry(
        watchlist=watchlist,
        reference=entry.entry_id,
        names=list(entry.names),
        birth_date=birth_date,
        birth_date_precision=precision,
        nationality=records.normalise_nationality(entry.nationality),
        document_numbers=list(entry.document_numbers),
        reason=entry.reason,
        action=action or records.DEFAULT_ACTION,  # the rest of the row is checked still
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
    )
    return fresh if validate(fresh, row, errors) and action is not None else None


def read_rows(
    watchlist: Watchlist,
    content: bytes,
    filename: str,
    report: WatchlistImportReport,
    today: datetime.date,
    notify: ProgressCallback,
) -> tuple[list[Row], set[str]]:
    """The file's rows as entries, and its columns; problems and row errors into ``report``."""
    try:
        read = read_watchlist(content, filename, today=today)
    except FileProblem as problem:
        report.problem = str(problem)
        return [], set()
    file_report = read.report
    report.format, report.encoding, report.rows = (
        file_report.format,
        file_report.encoding,
        file_report.rows,
    )
    errors = list(file_report.errors)
    errors += [
        RowError(
            row,
            "birth_date",
            _(
                "“%(value)s” is not a birth date: write YYYY-MM-DD or the year alone (YYYY), "
                "from 1880 to this year"
            )
            % {"value": value},
        )
        for row, value in file_report.malformed_dates
    ]
    rows = []
    actions = _actions()
    for number, (row, entry) in enumerate(zip(read.rows, read.entries, strict=True), start=1):
        fresh = _fresh(watchlist, entry, row, errors, actions)
        if fresh is not None:
            rows.append(Row(row=row, reference=entry.entry_id, fresh=fresh))
        if number % PROGRESS_EVERY == 0:
            notify(
                number,
                report.rows,
                _("%(done)d of %(total)d rows checked") % {"done": number, "total": report.rows},
            )
    report.errors = sorted(errors, key=error_order)
    columns = set(file_report.columns)
    absent = [column for column in IMPORT_COLUMNS if column not in columns]
    if absent:
        report.notes.append(
            _(
                "The file has no column %(columns)s: existing entries keep what they hold there; "
                "new entries leave it empty."
            )
            % {"columns": ", ".join(absent)}
        )
    if file_report.ignored_columns:
        report.notes.append(
            _("Columns ignored: %(columns)s.") % {"columns": ", ".join(file_report.ignored_columns)}
        )
    return rows, columns


def error_order(error: RowError) -> tuple[int, int]:
    order = {column: position for position, column in enumerate(IMPORT_COLUMNS)}
    return error.row, order.get(error.column, -1)
