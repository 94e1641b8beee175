"""What a source-list import did (or would do, in a dry run), and each error by row and column
(the report's shape is ``core.reports.ListImportReport``)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from marsad.core.reports import ListImportReport


@dataclass
class SourceListReport(ListImportReport):
    """Counts of rows read, households and persons created and rows already received, and every
    error. Nothing is written when there is any error."""

    COUNTS = ("rows", "households_created", "persons_created", "unchanged")

    households_created: int = 0
    persons_created: int = 0

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
