"""What a distribution-list import did (or would do, in a dry run), and each error by row and
column (the report's shape is ``core.reports.ListImportReport``)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from marsad.core.reports import ListImportReport


@dataclass
class ReceiptListReport(ListImportReport):
    """Counts of rows read, receipts recorded (of which supervisors' overrides) and rows
    imported before, and every error. Nothing is written when there is any error."""

    COUNTS = ("plan", "rows", "receipts_created", "overrides", "unchanged")

    plan: str = ""
    receipts_created: int = 0
    overrides: int = 0

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
