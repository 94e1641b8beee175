"""The columns of a source list (one row per person) and how each cell is read: relationships,
sex, yes/no flags, shelter and status by value or English label, dates, whole numbers. Each
reader returns the value or raises ``CellError`` with the problem in plain words. No database
access."""

import datetime
import functools
import re
from collections.abc import Iterable

from django import forms
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from marsad.core.errors import error_text
from marsad.registry.forms import parse_birth_date
from marsad.registry.models import (
    DatePrecision,
    HouseholdStatus,
    Relationship,
    Sex,
    ShelterType,
)

RECORD_ID = "record_id"
HOUSEHOLD_ID = "household_id"
PERSON_COLUMNS = (
    "relationship",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "phone",
    "national_id",
)
# Columns that describe the household: every row of a household gives the same value or none.
HOUSEHOLD_COLUMNS = (
    "location_pcode",
    "origin_pcode",
    "address",
    "household_size",
    "displacement_date",
    "shelter_type",
    "status",
)
FLAG_COLUMNS = ("disability", "chronic_illness", "pregnant_or_lactating", "separated_child")
COLUMNS = (RECORD_ID, HOUSEHOLD_ID, *PERSON_COLUMNS, *HOUSEHOLD_COLUMNS, *FLAG_COLUMNS)
REQUIRED_COLUMNS = ("given_name", "location_pcode")
NAME_COLUMNS = ("given_name", "father_name", "grandfather_name", "family_name", "mother_name")

NAME_MAX_LENGTH = 100  # Person name fields
KEY_MAX_LENGTH = 100  # SourceRecord.source_key
PHONE_MAX_LENGTH = 32  # Phone.number
DOCUMENT_MAX_LENGTH = 40  # IdentityDocument.number
SIZE_MAX = 99  # Household.size
EARLIEST_BIRTH_YEAR = 1900

YES = frozenset({"yes", "y", "1", "true", "نعم", "بەڵێ"})
NO = frozenset({"no", "n", "0", "false", "لا", "نەخێر"})
SEXES = {
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "أنثى": Sex.FEMALE,
    "انثى": Sex.FEMALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "ذكر": Sex.MALE,
}


class CellError(ValueError):
    """A cell that cannot be read; the message says why, in plain words."""


def column_key(text: str) -> str:
    """A header or choice as a comparable key: "Given name" and "given-name" → "given_name"."""
    return re.sub(r"[\s-]+", "_", (text or "").strip().lower())


def _labels(choices: type[TextChoices]) -> dict[str, str]:
    """Each choice by its stored value and by its English label, with and without the
    "Private: " / "Critical: " group a shelter label starts with."""
    lookup: dict[str, str] = {}
    with translation.override("en"):
        for value, label in choices.choices:
            text = str(label)
            keys = [value, text, text.split(": ", 1)[-1]]
            for key in keys:
                lookup.setdefault(column_key(key), value)
    return lookup


@functools.cache
def _lookups() -> dict[str, dict[str, str]]:
    return {
        "relationship": _labels(Relationship),
        "shelter_type": _labels(ShelterType),
        "status": _labels(HouseholdStatus),
    }


def _examples(values: Iterable[str]) -> str:
    return ", ".join(value for value in values if value)


def relationship(text: str) -> str:
    value = _lookups()["relationship"].get(column_key(text))
    if value is None:
        raise CellError(
            _("%(value)s is not a relationship; write one of %(choices)s")
            % {"value": text, "choices": _examples(Relationship.values)}
        )
    return value


def sex(text: str) -> str:
    if not text:
        return Sex.UNKNOWN
    value = SEXES.get(text.strip().lower())
    if value is None:
        raise CellError(
            _("%(value)s is not a sex; write female or male (f, m, أنثى, ذكر)") % {"value": text}
        )
    return value


def flag(text: str) -> bool:
    key = text.strip().lower()
    if not key or key in NO:
        return False
    if key in YES:
        return True
    raise CellError(_("%(value)s is not yes or no; write yes, no, 1 or 0") % {"value": text})


def shelter_type(text: str) -> str:
    if not text:
        return ShelterType.UNKNOWN
    value = _lookups()["shelter_type"].get(column_key(text))
    if value is None:
        raise CellError(
            _("%(value)s is not a shelter type; write one of %(choices)s")
            % {"value": text, "choices": _examples(ShelterType.values)}
        )
    return value


def status(text: str) -> str:
    if not text:
        return HouseholdStatus.DISPLACED
    value = _lookups()["status"].get(column_key(text))
    if value is None:
        raise CellError(
            _("%(value)s is not a household status; write one of %(choices)s")
            % {"value": text, "choices": _examples(HouseholdStatus.values)}
        )
    return value


def household_size(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise CellError(_("%(value)s is not a whole number") % {"value": text})
    size = int(text)
    if not 1 <= size <= SIZE_MAX:
        raise CellError(
            _("%(value)s is not a household size; give a number from 1 to %(max)d")
            % {"value": text, "max": SIZE_MAX}
        )
    return size


def birth_date(text: str, today: datetime.date) -> tuple[datetime.date | None, str]:
    """``YYYY-MM-DD``, ``DD/MM/YYYY`` or a year alone (1 July, precision "year"); not in the
    future and not before 1900."""
    try:
        value, precision = parse_birth_date(text)
    except forms.ValidationError as error:
        raise CellError(error_text(error)) from error
    if value is None:
        return None, DatePrecision.DAY
    future = value.year > today.year if precision == DatePrecision.YEAR else value > today
    if future:
        raise CellError(_("%(value)s is in the future") % {"value": text})
    if value.year < EARLIEST_BIRTH_YEAR:
        raise CellError(
            _("%(value)s is before %(year)d; check the year")
            % {"value": text, "year": EARLIEST_BIRTH_YEAR}
        )
    return value, precision


def displacement_date(text: str, today: datetime.date) -> datetime.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            value = datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if value > today:
            raise CellError(_("%(value)s is in the future") % {"value": text})
        return value
    raise CellError(_("%(value)s is not a date; write 2014-06-10 or 10/06/2014") % {"value": text})


def pcode(text: str) -> str:
    return text.strip().upper()
