"""The check digits of one MRZ: verdicts, what each guards, and OCR-confusion corrections."""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from marsad.border.mrz.alphabet import (
    FILLER,
    LETTER_FOR_DIGIT,
    check_digit,
    verdict,
)
from marsad.border.mrz.layouts import TD3, Layout, Span, describe_spans
from marsad.border.mrz.results import (
    CHECK_NAMES,
    CheckResult,
    Correction,
    Position,
    Problem,
    field_label,
)


class CheckDigits:
    """Verifies every check digit of one MRZ whose characters are all legal."""

    def __init__(self, layout: Layout, lines: Sequence[str]) -> None:
        self.layout = layout
        self.lines = lines
        self.errors: list[Problem] = []
        self.details: dict[str, Any] = {}

    def text(self, span: Span) -> str:
        return span.text(self.lines)

    def _check(
        self,
        name: str,
        data_spans: Iterable[Span],
        check_span: Span,
        guards: tuple[str, ...],
        lines: Sequence[str] | None = None,
    ) -> CheckResult:
        lines = self.lines if lines is None else lines
        data_spans = tuple(data_spans)
        data = "".join(span.text(lines) for span in data_spans)
        found = check_span.text(lines)
        computed = check_digit(data)
        return CheckResult(
            name=name,
            passed=verdict(data, found, computed, filler_when_empty=name == "optional_data"),
            found=found,
            computed=computed,
            data=data,
            data_spans=data_spans,
            check_span=check_span,
            guards=guards,
        )

    def read(self) -> tuple[str, str, dict[str, CheckResult | None]]:
        """The document number (with any continuation), the optional data, and the checks."""
        layout = self.layout
        number_span = layout.document_number
        number_check_span = layout.document_number_check
        optional_span = layout.optional_data
        optional_raw = self.text(optional_span)
        number_spans: tuple[Span, ...] = (number_span,)
        long_number_broken = False
        self.details["document_number_long"] = False
        if layout.long_document_numbers and self.text(number_check_span) == FILLER:
            # The number goes on in the optional data, up to the first filler; its last
            # character there is the check digit over the whole number.
            end = optional_raw.find(FILLER)
            end = len(optional_raw) if end < 0 else end
            if end == 0:
                # The number's check position holds '<' and fails; this says why.
                long_number_broken = True
            else:
                start = optional_span.start
                number_spans = (number_span, Span(optional_span.line, start, start + end - 1))
                number_check_span = Span(optional_span.line, start + end - 1, start + end)
                optional_raw = optional_raw[end + 1 :]
                self.details["document_number_long"] = True
        document_number = "".join(span.text(self.lines) for span in number_spans)
        if len(number_spans) == 1:
            document_number = document_number.rstrip(FILLER)

        checks: dict[str, CheckResult | None] = dict.fromkeys(CHECK_NAMES)
        checks["document_number"] = self._check(
            "document_number", number_spans, number_check_span, ("document_number",)
        )
        checks["birth_date"] = self._check(
            "birth_date", (layout.birth_date,), layout.birth_date_check, ("birth_date",)
        )
        checks["expiry_date"] = self._check(
            "expiry_date", (layout.expiry_date,), layout.expiry_date_check, ("expiry_date",)
        )
        if layout.optional_data_check is not None:
            checks["optional_data"] = self._check(
                "optional_data", (optional_span,), layout.optional_data_check, ("optional_data",)
            )
        if layout.composite is not None:
            guarded = ("document_number", "birth_date", "expiry_date", "optional_data")
            checks["composite"] = self._check(
                "composite", layout.composite_data, layout.composite, guarded
            )
        checks = self._suggest(checks)
        if long_number_broken:
            self.errors.append(
                Problem(
                    "document_number_continuation",
                    _(
                        "The document number's check digit position (%(at)s) holds '<', which "
                        "means the number is longer than 9 characters and goes on in the "
                        "optional data, but the optional data (%(optional_at)s) begins with '<'."
                    )
                    % {
                        "at": layout.document_number_check.describe(),
                        "optional_at": optional_span.describe(),
                    },
                    field="document_number",
                )
            )
        for name in CHECK_NAMES:
            check = checks[name]
            if (
                check is not None
                and not check.passed
                and not (name == "document_number" and long_number_broken)
            ):
                self.errors.append(self._check_problem(check, checks))
        return document_number, optional_raw.strip(FILLER), checks

    def _numeric_positions(self, checks: dict[str, CheckResult | None]) -> set[Position]:
        """Positions that hold digits only: dates and check digits."""
        spans = [self.layout.birth_date, self.layout.expiry_date]
        spans += [check.check_span for check in checks.values() if check is not None]
        return {(span.line, position) for span in spans for position in span.positions()}

    def _patched(self, replacements: dict[Position, str]) -> list[str]:
        lines = [list(line) for line in self.lines]
        for (line, position), character in replacements.items():
            lines[line][position] = character
        return ["".join(line) for line in lines]

    def _recheck(self, check: CheckResult, lines: Sequence[str]) -> CheckResult:
        return self._check(check.name, check.data_spans, check.check_span, check.guards, lines)

    def _suggest(self, checks: dict[str, CheckResult | None]) -> dict[str, CheckResult | None]:
        """Attach OCR-confusion corrections to the failed checks they would make pass.

        Only digits-only positions (dates and check digits) are corrected: there a confusable
        letter is certainly wrong. In the document number, letters and digits are both
        legitimate, and the composite cannot confirm a swap there (it weighs the number's
        characters exactly as the number's own check digit does), so nothing is guessed.
        """
        numeric_fixes = {
            (line, position): LETTER_FOR_DIGIT[self.lines[line][position]]
            for line, position in self._numeric_positions(checks)
            if self.lines[line][position] in LETTER_FOR_DIGIT
        }
        result = dict(checks)
        for name, check in checks.items():
            if check is None or check.passed:
                continue
            fixes = {key: value for key, value in numeric_fixes.items() if key in check.covers()}
            if not fixes:
                continue
            patched = self._recheck(check, self._patched(fixes))
            if patched.passed:
                result[name] = _with_corrections(
                    check,
                    self.lines,
                    fixes,
                    corrected_value=None if name == "composite" else patched.data.strip(FILLER),
                )
        return result

    def _check_problem(self, check: CheckResult, checks: dict[str, CheckResult | None]) -> Problem:
        check_at = check.check_span.describe()
        data_at = describe_spans(check.data_spans)
        if check.name == "composite":
            guarded = ", ".join(field_label(name, self.layout) for name in check.guards)
            message = _(
                "The composite check digit failed: %(check_at)s holds '%(found)s', but the data "
                "it guards (%(guarded)s, with their check digits: %(data_at)s) gives %(computed)d."
            ) % {
                "check_at": check_at,
                "found": check.found,
                "guarded": guarded,
                "data_at": data_at,
                "computed": check.computed,
            }
            others = [c for n, c in checks.items() if c is not None and n != "composite"]
            if not check.corrections and all(c.passed for c in others):
                if self.layout.format == TD3:
                    message += " " + _(
                        "Every other check digit passes, so the composite check digit itself "
                        "was probably misread."
                    )
                else:
                    message += " " + _(
                        "Every other check digit passes, so the fault is in the optional data, "
                        "which only the composite guards, or in the composite check digit itself."
                    )
        else:
            values = {
                "field": field_label(check.name, self.layout),
                "check_at": check_at,
                "found": check.found,
                "value": check.data,
                "data_at": data_at,
                "computed": check.computed,
            }
            if check.found.isdigit():
                message = (
                    _(
                        "The check digit of the %(field)s failed: %(check_at)s holds %(found)s, "
                        "but the %(field)s as read, %(value)s (%(data_at)s), gives %(computed)d."
                    )
                    % values
                )
            else:
                message = (
                    _(
                        "The check digit of the %(field)s failed: %(check_at)s holds '%(found)s', "
                        "which is not a digit; the %(field)s as read, %(value)s (%(data_at)s), "
                        "gives %(computed)d."
                    )
                    % values
                )
        if check.corrections:
            readings = "; ".join(correction.describe() for correction in check.corrections)
            if check.corrected_value is not None:
                message += " " + _(
                    "Reading %(readings)s (a common OCR confusion) makes it pass: %(value)s."
                ) % {"readings": readings, "value": check.corrected_value}
            else:
                message += " " + _(
                    "Reading %(readings)s (a common OCR confusion) makes it pass."
                ) % {"readings": readings}
        return Problem(
            "check_digit",
            message,
            field=check.name,
            line=check.check_span.line + 1,
            suggestion=check.corrected_value,
            corrections=check.corrections,
        )


def _with_corrections(
    check: CheckResult,
    lines: Sequence[str],
    fixes: dict[Position, str],
    *,
    corrected_value: str | None,
) -> CheckResult:
    corrections = tuple(
        Correction(line + 1, position + 1, lines[line][position], replacement)
        for (line, position), replacement in sorted(fixes.items())
    )
    return replace(check, corrections=corrections, corrected_value=corrected_value)
