"""What an import did (or would do, in a dry run), and each error by row and column."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from marsad.core.reports import ERRORS_KEPT, ErrorsReport


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


@dataclass
class ImportReport(ErrorsReport):
    """Counts of population rows created, updated and unchanged, of locations and assessments
    created, and every error. Nothing is written when there is any error."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locations_created: int = 0
    assessments_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    format: str = ""
    rows: int = 0

    @property
    def summary(self) -> str:
        counts = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "locations": self.locations_created,
            "assessments": self.assessments_created,
        }
        if self.dry_run:
            return (
                _(
                    "Dry run: %(created)d population rows would be created, %(updated)d updated, "
                    "%(unchanged)d unchanged; %(locations)d new locations, %(assessments)d new "
                    "assessments. Nothing was written."
                )
                % counts
            )
        return (
            _(
                "%(created)d population rows created, %(updated)d updated, %(unchanged)d "
                "unchanged; %(locations)d new locations, %(assessments)d new assessments."
            )
            % counts
        )

    def as_dict(self) -> dict[str, Any]:
        """The task's result: counts and the first 200 errors."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "locations_created": self.locations_created,
            "assessments_created": self.assessments_created,
            "rows": self.rows,
            "dry_run": self.dry_run,
            "format": self.format,
            "error_count": len(self.errors),
            "errors": self.error_lines(ERRORS_KEPT),
        }
