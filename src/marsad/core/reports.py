"""What every import report says about its errors: nothing is written when there is any, and
the errors are listed by row and column, the first ones kept with the task's result. Imports
of lists of rows (registrations, receipts) share one report shape, ``ListImportReport``."""

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.utils.translation import ngettext

from marsad.core.tables import RowError

ERRORS_KEPT = 200


class ErrorsReport:
    """For an import report (a dataclass with an ``errors`` list of row errors)."""

    errors: list

    @property
    def ok(self) -> bool:
        return not self.errors

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


@dataclass
class ListImportReport(ErrorsReport):
    """What the import of a list of rows did (or would do, in a dry run): the rows read, the
    rows imported before and left unchanged, every error, and the file's format and encoding.
    A subclass adds its own counts as fields and names them in ``COUNTS`` (in the order of the
    task's result), and words its ``summary``."""

    COUNTS: ClassVar[tuple[str, ...]] = ("rows", "unchanged")

    rows: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    format: str = ""
    encoding: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The task's result: the counts and the first ``ERRORS_KEPT`` errors."""
        return {
            **{name: getattr(self, name) for name in self.COUNTS},
            "dry_run": self.dry_run,
            "format": self.format,
            "encoding": self.encoding,
            "error_count": len(self.errors),
            "errors": self.error_lines(ERRORS_KEPT),
        }
