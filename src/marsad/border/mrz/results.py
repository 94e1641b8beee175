"""What reading an MRZ gives: fields, check digits, errors and warnings, as objects and JSON."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from marsad.border.mrz.layouts import MRV_A, MRV_B, Layout, Span

FIELD_NAMES = (
    "document_type",
    "issuing_state",
    "surname",
    "given_names",
    "document_number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
    "optional_data",
)
CHECK_NAMES = ("document_number", "birth_date", "expiry_date", "optional_data", "composite")

Position = tuple[int, int]  # (line, position), both 0-based


def field_label(name: str, layout: Layout | None = None) -> str:
    """The field's name in words, as messages use it."""
    if name == "optional_data" and layout is not None and layout.optional_data_check:
        return _("personal number")
    labels = {
        "document_type": _("document code"),
        "issuing_state": _("issuing state"),
        "name": _("name"),
        "surname": _("surname"),
        "given_names": _("given names"),
        "document_number": _("document number"),
        "nationality": _("nationality"),
        "birth_date": _("date of birth"),
        "sex": _("sex"),
        "expiry_date": _("date of expiry"),
        "optional_data": _("optional data"),
        "composite": _("composite check digit"),
    }
    return labels[name]


@dataclass(frozen=True)
class Correction:
    """Reading ``found`` at ``line``/``position`` (1-based) as ``replacement``."""

    line: int
    position: int
    found: str
    replacement: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "position": self.position,
            "found": self.found,
            "replace_with": self.replacement,
        }

    def describe(self) -> str:
        return _("'%(found)s' at line %(line)d, position %(position)d as '%(replacement)s'") % {
            "found": self.found,
            "line": self.line,
            "position": self.position,
            "replacement": self.replacement,
        }


@dataclass(frozen=True)
class Problem:
    """One error or warning: ``code`` for programs, ``message`` for people."""

    code: str
    message: str
    field: str | None = None
    line: int | None = None
    suggestion: str | None = None
    corrections: tuple[Correction, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            result["field"] = self.field
        if self.line is not None:
            result["line"] = self.line
        if self.suggestion is not None:
            result["suggestion"] = self.suggestion
        if self.corrections:
            result["corrections"] = [correction.as_dict() for correction in self.corrections]
        return result


@dataclass(frozen=True)
class CheckResult:
    """One check digit: what it guards, what it holds, what the data gives.

    ``corrections`` are OCR confusions (a letter in a digits-only position) whose correction
    makes the check pass, and ``corrected_value`` the guarded field so corrected (None for the
    composite, which guards several fields).
    """

    name: str
    passed: bool
    found: str
    computed: int
    data: str
    data_spans: tuple[Span, ...]
    check_span: Span
    guards: tuple[str, ...]
    corrections: tuple[Correction, ...] = ()
    corrected_value: str | None = None

    def covers(self) -> set[Position]:
        spans = (*self.data_spans, self.check_span)
        return {(span.line, position) for span in spans for position in span.positions()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "found": self.found,
            "computed": self.computed,
            "guards": list(self.guards),
            "data": self.data,
            "data_at": [span.as_dict() for span in self.data_spans],
            "check_at": self.check_span.as_dict(),
            "corrections": [correction.as_dict() for correction in self.corrections],
            "corrected_value": self.corrected_value,
        }


@dataclass(frozen=True)
class MRZFields:
    """The fields of the black-box contract; dates as ``date`` (None when not a full date)."""

    document_type: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date | None
    sex: str | None
    expiry_date: date | None
    optional_data: str

    def as_dict(self) -> dict[str, Any]:
        result = {name: getattr(self, name) for name in FIELD_NAMES}
        for name in ("birth_date", "expiry_date"):
            result[name] = result[name].isoformat() if result[name] else None
        return result


@dataclass
class MRZResult:
    """Everything read from one MRZ. ``fields`` and ``checks`` are None when the text could not
    be read as an MRZ at all (see ``errors``)."""

    format: str | None
    lines: tuple[str, ...]
    fields: MRZFields | None = None
    checks: dict[str, CheckResult | None] | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """Read, every check digit passes, and no error: the MRZ is internally consistent."""
        return (
            self.fields is not None
            and not self.errors
            and all(check is None or check.passed for check in (self.checks or {}).values())
        )

    @property
    def is_visa(self) -> bool:
        return self.format in (MRV_A, MRV_B)

    def verdicts(self) -> dict[str, bool | None] | None:
        """Each check's verdict: True, False, or None where the format has no such check."""
        if self.checks is None:
            return None
        return {
            name: None if self.checks[name] is None else self.checks[name].passed  # type: ignore[union-attr]
            for name in CHECK_NAMES
        }

    def as_dict(self) -> dict[str, Any]:
        """The JSON document of ``marsad border mrz``."""
        return {
            "format": self.format,
            "fields": self.fields.as_dict() if self.fields else None,
            "checks": self.verdicts(),
            "valid": self.valid,
            "errors": [problem.as_dict() for problem in self.errors],
            "warnings": [problem.as_dict() for problem in self.warnings],
            "details": self.details,
        }
