"""Comparing the MRZ with the fields an officer typed from the visual zone of the data page.

A forger who alters the printed page often leaves the MRZ alone (or the reverse), so any
difference between the two deserves a look.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext as _

from marsad.border.mrz.alphabet import FILLER, fold_confusions
from marsad.border.mrz.codes import same_state
from marsad.border.mrz.names import contains_arabic, to_mrz_text
from marsad.border.mrz.results import FIELD_NAMES, MRZResult, field_label

MISMATCH = "mismatch"
OCR_CONFUSION = "ocr_confusion"
NOT_COMPARABLE = "not_comparable"
UNREADABLE = "unreadable"

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("JAN",),
            ("FEB", "FEV"),
            ("MAR",),
            ("APR", "AVR"),
            ("MAY", "MAI"),
            ("JUN", "JUIN"),
            ("JUL", "JUIL"),
            ("AUG", "AOU", "AOUT"),
            ("SEP",),
            ("OCT",),
            ("NOV",),
            ("DEC",),
        ),
        start=1,
    )
    for name in names
}
NUMERIC_DATE = re.compile(r"(\d{1,2})[./\- ](\d{1,2})[./\- ](\d{4})")
WORDED_DATE = re.compile(r"(\d{1,2})\s+([A-Z]+)(?:/[A-Z]+)?\s+(\d{4})")
SEX_WORDS = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F", "X": "X", "<": "X"}


@dataclass(frozen=True)
class Difference:
    """One field where the typed visual zone and the MRZ disagree (or cannot be compared)."""

    field: str
    mrz: str | None
    typed: str
    kind: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "mrz": self.mrz,
            "typed": self.typed,
            "kind": self.kind,
            "message": self.message,
        }


def parse_typed_date(value: date | str) -> date | None:
    """A date typed from the page: 1974-08-12, 12/08/1974, 12.08.1974 or 12 AUG 1974."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip().upper()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = NUMERIC_DATE.fullmatch(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = WORDED_DATE.fullmatch(text)
        if match and match[2] in MONTHS:
            return date(int(match[3]), MONTHS[match[2]], int(match[1]))
    except ValueError:
        return None
    return None


def compare_visual(result: MRZResult, typed: Mapping[str, Any]) -> list[Difference]:
    """The differences between the MRZ read in ``result`` and ``typed``, a mapping from the
    field names of ``MRZResult.fields`` to what was typed from the visual zone. Empty values
    are skipped; an empty list means everything typed agrees with the MRZ."""
    if result.fields is None:
        raise ValueError("the MRZ could not be read, so there is nothing to compare")
    unknown = set(typed) - set(FIELD_NAMES)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}; expected some of {FIELD_NAMES}")
    fields = result.fields
    differences = []
    for name in FIELD_NAMES:
        value = typed.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        shown = value.isoformat() if isinstance(value, date) else str(value).strip()
        mrz_value = getattr(fields, name)
        mrz_shown = mrz_value.isoformat() if isinstance(mrz_value, date) else mrz_value
        difference = _compare(result, name, value, shown, mrz_shown)
        if difference is not None:
            kind, message = difference
            differences.append(Difference(name, mrz_shown, shown, kind, message))
    return differences


def _compare(
    result: MRZResult, name: str, value: Any, shown: str, mrz_shown: str | None
) -> tuple[str, str] | None:
    values = {"field": field_label(name), "typed": shown, "mrz": mrz_shown}
    mismatch = (
        MISMATCH,
        _("The %(field)s typed from the page, '%(typed)s', differs from the MRZ, '%(mrz)s'.")
        % values,
    )
    if name in ("birth_date", "expiry_date"):
        typed_date = parse_typed_date(value)
        if typed_date is None:
            return UNREADABLE, _(
                "The %(field)s typed from the page, '%(typed)s', is not a date (write it as "
                "YYYY-MM-DD)."
            ) % values
        if mrz_shown is not None:
            return None if typed_date.isoformat() == mrz_shown else mismatch
        raw = _raw_date(result, name)
        wanted = typed_date.strftime("%y%m%d")
        if raw is None or all(r in (FILLER, w) for r, w in zip(raw, wanted, strict=True)):
            return None
        return mismatch
    if mrz_shown is None:
        return None
    if name in ("surname", "given_names"):
        if contains_arabic(shown):
            return NOT_COMPARABLE, _(
                "The %(field)s was typed in Arabic script, which cannot be compared with the "
                "Latin letters of the MRZ; compare '%(typed)s' with '%(mrz)s' by eye."
            ) % values
        mrz_form = mrz_shown.replace(" ", FILLER)
        truncated = result.details.get("name", {}).get("possibly_truncated", False)
        for expand in (True, False):
            candidate = to_mrz_text(shown, expand=expand)
            if candidate == mrz_form or (truncated and candidate.startswith(mrz_form)):
                return None
        return mismatch
    if name in ("issuing_state", "nationality"):
        return None if same_state(mrz_shown, shown) else mismatch
    if name == "sex":
        typed_sex = SEX_WORDS.get(shown.upper())
        return None if typed_sex == mrz_shown else mismatch
    # document_type, document_number, optional_data: compare without blanks and hyphens
    typed_text = re.sub(r"[\s\-]", "", shown.upper()).rstrip(FILLER)
    mrz_text = mrz_shown.replace(" ", "")
    if typed_text == mrz_text:
        return None
    if fold_confusions(typed_text) == fold_confusions(mrz_text):
        return OCR_CONFUSION, _(
            "The %(field)s typed from the page, '%(typed)s', differs from the MRZ, '%(mrz)s', "
            "only by letters and digits that look alike (O/0, I/1, B/8, S/5, Z/2): check "
            "which one the document shows."
        ) % values
    return mismatch


def _raw_date(result: MRZResult, name: str) -> str | None:
    parts = result.details.get(f"{name}_parts")
    if parts is None:
        return None
    return "".join(
        FILLER * 2 if parts[key] is None else f"{parts[key] % 100:02d}"
        for key in ("year", "month", "day")
    )
