"""Importing a watchlist file (CSV or XLSX, the columns ``marsad border screen`` reads) into a
stored :class:`~marsad.border.models.Watchlist`.

The file is read by ``screening.files.read_watchlist`` (one reader for screening and import), then
every row is checked as the model checks an entry; a birth date that screening would treat as
missing is an error here. All or nothing: with any error, every error is reported by row and
column and nothing is written. Idempotent: a row is keyed by its ``entry_id``, kept as the
entry's ``reference``; a row whose entry already reads the same changes nothing, a changed row
updates its entry (a change to the names, birth date, nationality or document numbers gives the
entry a new fingerprint, so hits cleared on the old content are raised again). A column the file
does not have leaves that field of existing entries as it is. Entries missing from the file are
never deleted; with ``deactivate_missing`` their validity ends yesterday. Entries added by hand
without a reference are never touched.

Writes are bulk (``bulk_create``; ``core.bulk.update_rows`` for changed entries), with one
audit row per created or changed entry (context: the file and row) and one import row for the
whole file, in one transaction under a lock on the watchlist.
"""

from marsad.border.watchlist_import.apply import check_may_import, may_import, watchlist_import
from marsad.border.watchlist_import.report import WatchlistImportReport
from marsad.border.watchlist_import.rows import IMPORT_COLUMNS

__all__ = [
    "IMPORT_COLUMNS",
    "WatchlistImportReport",
    "check_may_import",
    "may_import",
    "watchlist_import",
]
