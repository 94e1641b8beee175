"""What a source-list import did (or would do, in a dry run), and each error by row and column."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marsad.core.tables import RowError

ERRORS_KEPT = 200


@dataclass
class SourceListReport:
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
    def ok(self) -> bool:
        return not self.errors

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

    @property
    def error_header(self) -> str:
        return ngettext(
            "Nothing was imported: the file has %(count)d error. Correct it and import the file "
            "again.",
            "Nothing was imported: the file has %(count)d errors. Correct them and import the "
            "file again.",
            len(self.errors),
        ) % {"count": len(self.errors)}

    def error_lines(self, limit: int | None = None) -> list[str]:
        errors = self.errors if limit is None else self.errors[:limit]
        return [str(error) for error in errors]

    @property
    def error_text(self) -> str:
        return "\n".join([self.error_header, *self.error_lines()])

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
