"""Reading an MRZ: tidy the text, recognise the format, read every field, verify every check.

Nothing here touches the database. Every message is meant for the officer at the counter and
goes through gettext; each problem also carries a stable ``code`` for programs.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from marsad.border.mrz.alphabet import DIGIT_FOR_LETTER, FILLER
from marsad.border.mrz.checks import CheckDigits
from marsad.border.mrz.codes import UNKNOWN, CodeInfo, describe_code
from marsad.border.mrz.dates import (
    DEFAULT_EXPIRY_FUTURE_YEARS,
    DateError,
    MRZDate,
    read_birth_date,
    read_expiry_date,
)
from marsad.border.mrz.layouts import MRV_A, MRV_B, TD1, TD2, TD3, Layout, Span, layout_for
from marsad.border.mrz.names import MRZName, read_name
from marsad.border.mrz.results import (
    MRZFields,
    MRZResult,
    Problem,
    field_label,
)
from marsad.border.mrz.tidy import input_problems, tidy, where

SEXES = {"M": "M", "F": "F", "<": "X", "X": "X"}
# First letter of the document code each format expects (Doc 9303 Parts 4–7).
DOCUMENT_CODE_LETTERS = {TD3: "P", MRV_A: "V", MRV_B: "V", TD1: "ACI", TD2: "ACI"}
STATE_CODE = re.compile(r"[A-Z]{1,3}<*")


def parse(
    text: str | Sequence[str],
    *,
    today: date | None = None,
    expiry_future_years: int = DEFAULT_EXPIRY_FUTURE_YEARS,
) -> MRZResult:
    """Read an MRZ given as one text (lines separated by newlines) or as a list of lines.

    ``today`` decides the centuries: a date of birth is never after it, a date of expiry lies
    within the hundred years ending ``expiry_future_years`` after it.
    """
    lines, warnings = tidy(text)
    errors, guessed = input_problems(lines)
    if errors:
        return MRZResult(format=guessed, lines=tuple(lines), errors=errors, warnings=warnings)
    layout = layout_for(lines)
    assert layout is not None  # input_problems found none of the reasons it could be None
    reader = _Reader(layout, lines, today or date.today(), expiry_future_years)
    result = reader.read()
    result.warnings[:0] = warnings
    return result


class _Reader:
    """Reads one MRZ whose lines have the right count, lengths and characters."""

    def __init__(self, layout: Layout, lines: list[str], today: date, future_years: int) -> None:
        self.layout = layout
        self.lines = lines
        self.today = today
        self.future_years = future_years
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.details: dict[str, Any] = {"lines": list(lines)}

    def text(self, span: Span) -> str:
        return span.text(self.lines)

    def read(self) -> MRZResult:
        layout = self.layout
        document_type = self._document_code()
        issuing_state = self._state("issuing_state", layout.issuing_state)
        name = self._name()
        nationality = self._state("nationality", layout.nationality)
        birth = self._date("birth_date", layout.birth_date)
        sex = self._sex()
        expiry = self._date("expiry_date", layout.expiry_date)
        check_digits = CheckDigits(layout, self.lines)
        document_number, optional_data, checks = check_digits.read()
        self.errors += check_digits.errors
        self.details.update(check_digits.details)
        self._date_warnings(birth, expiry)
        if layout.optional_data_2 is not None:
            self.details["optional_data_2"] = self.text(layout.optional_data_2).strip(FILLER)
        fields = MRZFields(
            document_type=document_type,
            issuing_state=issuing_state,
            surname=name.surname,
            given_names=name.given_names,
            document_number=document_number,
            nationality=nationality,
            birth_date=birth.value if birth else None,
            sex=sex,
            expiry_date=expiry.value if expiry else None,
            optional_data=optional_data,
        )
        self.details["check_digits"] = {
            name: check.as_dict() for name, check in checks.items() if check is not None
        }
        return MRZResult(
            format=layout.format,
            lines=tuple(self.lines),
            fields=fields,
            checks=checks,
            errors=self.errors,
            warnings=self.warnings,
            details=self.details,
        )

    # --- fields -----------------------------------------------------------------------------

    def _document_code(self) -> str:
        span = self.layout.document_code
        raw = self.text(span)
        if not raw[0].isalpha():
            self.errors.append(
                Problem(
                    "document_code",
                    _("The document code (%(at)s) is '%(code)s', but it must begin with a letter.")
                    % {"at": span.describe(), "code": raw},
                    field="document_type",
                )
            )
        elif raw[1].isdigit():
            self.errors.append(
                Problem(
                    "document_code",
                    _(
                        "The document code (%(at)s) is '%(code)s', but a document code is made "
                        "of letters, with '<' as filler."
                    )
                    % {"at": span.describe(), "code": raw},
                    field="document_type",
                )
            )
        elif raw[0] not in DOCUMENT_CODE_LETTERS[self.layout.format]:
            self.warnings.append(
                Problem(
                    "document_code",
                    _(
                        "The document code '%(code)s' is unusual for a %(format)s document, "
                        "whose code begins with %(letters)s."
                    )
                    % {
                        "code": raw,
                        "format": self.layout.format,
                        "letters": " / ".join(DOCUMENT_CODE_LETTERS[self.layout.format]),
                    },
                    field="document_type",
                )
            )
        return raw.rstrip(FILLER)

    def _state(self, name: str, span: Span) -> str:
        raw = self.text(span)
        if not STATE_CODE.fullmatch(raw):
            message = _(
                "The %(field)s (%(at)s) is '%(value)s', but a state code is one to three "
                "letters followed by '<'."
            ) % {"field": field_label(name), "at": span.describe(), "value": raw}
            suggestion = None
            if any(character in DIGIT_FOR_LETTER for character in raw):
                suggestion = "".join(
                    DIGIT_FOR_LETTER.get(character, character) for character in raw
                )
                if STATE_CODE.fullmatch(suggestion):
                    suggestion = suggestion.rstrip(FILLER)
                    message += " " + _("Digits there are probably misread letters: %(value)s.") % {
                        "value": suggestion
                    }
                else:
                    suggestion = None
            self.errors.append(Problem("state_code", message, field=name, suggestion=suggestion))
            self.details[name] = CodeInfo(raw, UNKNOWN, "").as_dict()
            return raw.rstrip(FILLER)
        info = describe_code(raw)
        self.details[name] = info.as_dict()
        if info.kind == UNKNOWN:
            self.warnings.append(
                Problem(
                    "unknown_state_code",
                    _(
                        "The %(field)s code %(code)s is neither an ISO 3166 country code nor "
                        "one of the codes of Doc 9303."
                    )
                    % {"field": field_label(name), "code": info.code},
                    field=name,
                )
            )
        return info.code

    def _name(self) -> MRZName:
        span = self.layout.name
        raw = self.text(span)
        name = read_name(raw)
        self.details["name"] = {
            "primary_identifier": list(name.primary),
            "secondary_identifiers": list(name.secondary),
            "possibly_truncated": name.possibly_truncated,
        }
        digits = [(p, c) for p, c in enumerate(raw) if c.isdigit()]
        if not name.primary and not name.secondary:
            self.errors.append(
                Problem(
                    "name",
                    _("The name (%(at)s) is empty.") % {"at": span.describe()},
                    field="surname",
                )
            )
        elif digits:
            shifted = [(span.start + p, c) for p, c in digits]
            message = _(
                "The name (%(at)s) has digits (%(where)s), but a name in the MRZ has only "
                "letters and '<'."
            ) % {"at": span.describe(), "where": where(shifted)}
            suggestion = None
            if all(c in DIGIT_FOR_LETTER for _p, c in digits):
                suggestion = "".join(DIGIT_FOR_LETTER.get(c, c) for c in raw).rstrip(FILLER)
                message += " " + _("Read as letters it would be %(value)s.") % {"value": suggestion}
            self.errors.append(Problem("name", message, field="surname", suggestion=suggestion))
        elif name.possibly_truncated:
            self.warnings.append(
                Problem(
                    "name_truncated",
                    _(
                        "The name fills its whole field (%(at)s) and may have been cut short; "
                        "compare it with the name printed on the document."
                    )
                    % {"at": span.describe()},
                    field="surname",
                )
            )
        return name

    def _date(self, name: str, span: Span) -> MRZDate | None:
        raw = self.text(span)
        try:
            if name == "birth_date":
                result = read_birth_date(raw, today=self.today)
            else:
                result = read_expiry_date(raw, today=self.today, future_years=self.future_years)
        except DateError as error:
            values = {"field": field_label(name), "at": span.describe(), "value": raw}
            if error.reason == "characters":
                message = (
                    _(
                        "The %(field)s (%(at)s) is '%(value)s', but dates are written YYMMDD in "
                        "digits, with '<<' for an unknown part."
                    )
                    % values
                )
            else:
                message = (
                    _("The %(field)s (%(at)s) is '%(value)s', which is not a date in the calendar.")
                    % values
                )
            self.errors.append(Problem("date", message, field=name))
            return None
        if result.is_partial:
            self.details[f"{name}_parts"] = {
                "year": result.year,
                "month": result.month,
                "day": result.day,
            }
            self.warnings.append(
                Problem(
                    "date_partly_unknown",
                    _(
                        "The %(field)s is only partly known: '%(value)s', where '<<' marks an "
                        "unknown part."
                    )
                    % {"field": field_label(name), "value": raw},
                    field=name,
                )
            )
        return result

    def _date_warnings(self, birth: MRZDate | None, expiry: MRZDate | None) -> None:
        if expiry and expiry.value and expiry.value < self.today:
            self.warnings.append(
                Problem(
                    "expired",
                    _("The document expired on %(date)s.") % {"date": expiry.value.isoformat()},
                    field="expiry_date",
                )
            )
        if birth and birth.value and expiry and expiry.value and expiry.value < birth.value:
            self.warnings.append(
                Problem(
                    "expiry_before_birth",
                    _("The date of expiry %(expiry)s is before the date of birth %(birth)s.")
                    % {"expiry": expiry.value.isoformat(), "birth": birth.value.isoformat()},
                    field="expiry_date",
                )
            )

    def _sex(self) -> str | None:
        span = self.layout.sex
        raw = self.text(span)
        if raw in SEXES:
            return SEXES[raw]
        self.errors.append(
            Problem(
                "sex",
                _("The sex (%(at)s) is '%(value)s', but the MRZ writes M, F or '<' (unspecified).")
                % {"at": span.describe(), "value": raw},
                field="sex",
            )
        )
        return None

    # --- check digits -----------------------------------------------------------------------
