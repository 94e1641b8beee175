"""What a distribution-list import did (or would do, in a dry run), and each error by row and
column."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from marsad.core.reports import ERRORS_KEPT, ErrorsReport
from marsad.core.tables import RowError


@dataclass
class ReceiptListReport(ErrorsReport):
    """Counts of rows read, receipts recorded (of which supervisors' overrides) and rows
    imported before, and every error. Nothing is written when there is any error."""

    plan: str = ""
    rows: int = 0
    receipts_created: int = 0
    overrides: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    format: str = ""
    encoding: str = ""

    @property
    def summary(self) -> str:
        counts = {
            "plan": self.plan,
            "rows": self.rows,
            "receipts": self.receipts_created,
            "overrides": self.overrides,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                _(
                    "Dry run for plan %(plan)s: %(rows)d rows read; %(receipts)d receipts would "
                    "be recorded (%(overrides)d of them overrides by a supervisor); "
                    "%(unchanged)d rows were imported before and would be left unchanged. "
                    "Nothing was written."
                )
                % counts
            )
        return (
            _(
                "Plan %(plan)s: %(rows)d rows read; %(receipts)d receipts recorded "
                "(%(overrides)d of them overrides by a supervisor); %(unchanged)d rows were "
                "imported before and were left unchanged."
            )
            % counts
        )

    def as_dict(self) -> dict[str, Any]:
        """The task's result: counts and the first 200 errors."""
        return {
            "plan": self.plan,
            "rows": self.rows,
            "receipts_created": self.receipts_created,
            "overrides": self.overrides,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "format": self.format,
            "encoding": self.encoding,
            "error_count": len(self.errors),
            "errors": self.error_lines(ERRORS_KEPT),
        }
