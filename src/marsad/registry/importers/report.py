"""What a source-list import did (or would do, in a dry run), and each error by row and column."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from marsad.core.reports import ERRORS_KEPT, ErrorsReport
from marsad.core.tables import RowError


@dataclass
class SourceListReport(ErrorsReport):
    """Counts of rows read, households and persons created and rows already received, and every
    error. Nothing is written when there is any error."""

    rows: int = 0
    households_created: int = 0
    persons_created: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    format: str = ""
    encoding: str = ""

    @property
    def summary(self) -> str:
        counts = {
            "rows": self.rows,
            "households": self.households_created,
            "persons": self.persons_created,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                _(
                    "Dry run: %(rows)d rows read; %(households)d households and %(persons)d "
                    "persons would be created; %(unchanged)d rows were already received and "
                    "would be left unchanged. Nothing was written."
                )
                % counts
            )
        return (
            _(
                "%(rows)d rows read; %(households)d households and %(persons)d persons created; "
                "%(unchanged)d rows were already received and were left unchanged."
            )
            % counts
        )

    def as_dict(self) -> dict[str, Any]:
        """The task's result: counts and the first 200 errors."""
        return {
            "rows": self.rows,
            "households_created": self.households_created,
            "persons_created": self.persons_created,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "format": self.format,
            "encoding": self.encoding,
            "error_count": len(self.errors),
            "errors": self.error_lines(ERRORS_KEPT),
        }
