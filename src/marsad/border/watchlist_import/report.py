"""What a watchlist import did (or, in a dry run, would do), or why it did nothing: counts,
notes and every error by row and column; never the entries themselves."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marsad.core.reports import ERRORS_KEPT, ErrorsReport
from marsad.core.tables import RowError


@dataclass
class WatchlistImportReport(ErrorsReport):
    """What an import did (or, in a dry run, would do), or why it did nothing. It counts and
    lists row errors, never the entries themselves."""

    watchlist: int
    filename: str
    dry_run: bool = False
    deactivate_missing: bool = False
    format: str = ""
    encoding: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Entries of the watchlist with a reference that the file does not have (kept).
    missing: int = 0
    #: Of those, the entries whose validity was ended (``deactivate_missing``).
    ended: int = 0
    #: Why the file could not be used at all (a missing column, not a table); empty otherwise.
    problem: str = ""
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problem

    @property
    def error_header(self) -> str:
        if self.problem:
            return _("Nothing was imported: the file cannot be used.")
        return super().error_header

    def error_lines(self, limit: int | None = None) -> list[str]:
        lines = super().error_lines(limit)
        return [self.problem, *lines] if self.problem else lines

    @property
    def summary(self) -> str:
        counts = {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "ended": self.ended,
        }
        if self.dry_run:
            text = (
                _(
                    "Dry run: %(rows)d rows read; %(created)d entries would be created, "
                    "%(updated)d updated, %(unchanged)d left unchanged. Nothing was written."
                )
                % counts
            )
        else:
            text = (
                _(
                    "%(rows)d rows read; %(created)d entries created, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % counts
            )
        return " ".join([text, *self.notes])

    def as_dict(self) -> dict[str, Any]:
        """The task's result and the API's answer: counts, notes and the first errors."""
        return {
            "watchlist": self.watchlist,
            "filename": self.filename,
            "dry_run": self.dry_run,
            "deactivate_missing": self.deactivate_missing,
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "missing": self.missing,
            "ended": self.ended,
            "notes": list(self.notes),
            "error_count": len(self.errors) + bool(self.problem),
            "errors": self.error_lines(ERRORS_KEPT),
        }


def add_notes(report: WatchlistImportReport, *, inactive: int, today: datetime.date) -> None:
    """Say what happened to the entries the file does not have, and to deactivated ones."""
    if not report.ok:
        return
    if report.missing and not report.deactivate_missing:
        report.notes.append(
            ngettext(
                "%(count)d entry of the watchlist is not in the file; it was kept as it is "
                "(an import never deletes entries).",
                "%(count)d entries of the watchlist are not in the file; they were kept as they "
                "are (an import never deletes entries).",
                report.missing,
            )
            % {"count": report.missing}
        )
    elif report.missing:
        values = {
            "count": report.missing,
            "ended": report.ended,
            "day": (today - datetime.timedelta(days=1)).isoformat(),
        }
        report.notes.append(
            (
                ngettext(
                    "%(count)d entry of the watchlist is not in the file; the validity of "
                    "%(ended)d would end on %(day)s (none is deleted).",
                    "%(count)d entries of the watchlist are not in the file; the validity of "
                    "%(ended)d would end on %(day)s (none is deleted).",
                    report.missing,
                )
                if report.dry_run
                else ngettext(
                    "%(count)d entry of the watchlist is not in the file; the validity of "
                    "%(ended)d ended on %(day)s (none is deleted).",
                    "%(count)d entries of the watchlist are not in the file; the validity of "
                    "%(ended)d ended on %(day)s (none is deleted).",
                    report.missing,
                )
            )
            % values
        )
    if inactive:
        report.notes.append(
            ngettext(
                "%(count)d entry of the file is deactivated in Marsad and stays deactivated.",
                "%(count)d entries of the file are deactivated in Marsad and stay deactivated.",
                inactive,
            )
            % {"count": inactive}
        )
