"""What every import report says about its errors: nothing is written when there is any, and
the errors are listed by row and column, the first ones kept with the task's result."""

from django.utils.translation import ngettext

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
