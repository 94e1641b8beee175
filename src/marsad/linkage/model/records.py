"""Black-box person records → the columns the linkage model compares.

Each name gets its normal form, phonetic key and listed name (``marsad.linkage.normalise``); the
birth date its year and, only when the day is really known, the date; phones and ID numbers
their matching form, plus a blocking copy that is empty for values shared by too many records;
the household, when the records say it, for the household evidence (``households``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa

from marsad.linkage.normalise import analyse, normalise_id, normalise_phone
from marsad.linkage.normalise.tables import DIGITS

#: The black-box input columns, in order (ARCHITECTURE.md, "Black-box interfaces").
INPUT_COLUMNS = (
    "record_id",
    "source",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "phone",
    "national_id",
    "origin_pcode",
)
#: Columns a file may add to the black-box ones: the household a record was registered in (the
#: records of one household share a value; ``marsad.linkage.model.households``).
OPTIONAL_COLUMNS = ("household_id",)
#: Name columns and the prefix of the columns derived from each.
NAME_COLUMNS = {
    "given_name": "given",
    "father_name": "father",
    "grandfather_name": "grandfather",
    "family_name": "family",
    "mother_name": "mother",
}
#: A phone or ID number shared by more records than this is an office number or a placeholder:
#: it is still compared, but it does not make a block of its own.
BLOCK_VALUE_LIMIT = 25
#: 1 July and 1 January stand in for an unknown day and month: such dates count as a year.
ESTIMATED_DAYS = frozenset({(7, 1), (1, 1)})

_SEX = {
    "m": "m",
    "male": "m",
    "man": "m",
    "ذكر": "m",
    "نێر": "m",
    "f": "f",
    "female": "f",
    "woman": "f",
    "انثى": "f",
    "أنثى": "f",
    "انثي": "f",
    "مێ": "f",
}
_YEAR = re.compile(r"^\d{4}$")
_FULL_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DIGITS = str.maketrans(DIGITS)
_PHONE_SEPARATOR = re.compile(r"[;,/|]")
_GOVERNORATE = re.compile(r"^IQG\d{2}")


@dataclass(frozen=True)
class BirthDate:
    """A birth year, and the day when the source really knew it (not a 1 July stand-in)."""

    year: int
    day: date | None

    @property
    def precision(self) -> str:
        return "day" if self.day else "year"


def parse_birth_date(
    value: str | None, *, today: date | None = None
) -> tuple[BirthDate | None, bool]:
    """Read ``YYYY-MM-DD`` or ``YYYY``; return the date and whether the value was malformed.

    An empty value is missing, not malformed. A value in another shape, an impossible date or a
    year outside 1900..next year is malformed: the caller treats it as missing and counts it.
    """
    text = (value or "").translate(_DIGITS).strip()
    if not text:
        return None, False
    latest = (today or date.today()).year + 1
    if _YEAR.match(text):
        year = int(text)
        return (BirthDate(year=year, day=None), False) if 1900 <= year <= latest else (None, True)
    match = _FULL_DATE.match(text)
    if not match:
        return None, True
    year, month, day = (int(part) for part in match.groups())
    if not 1900 <= year <= latest:
        return None, True
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None, True
    if (month, day) in ESTIMATED_DAYS:
        return BirthDate(year=year, day=None), False
    return BirthDate(year=year, day=parsed), False


def _first_phone(value: str | None) -> str:
    for part in _PHONE_SEPARATOR.split(value or ""):
        if phone := normalise_phone(part):
            return phone
    return ""


@dataclass
class PreparedRecords:
    """The records as Splink reads them, and what preparing them found."""

    table: pa.Table
    record_count: int
    malformed_dates: list[str] = field(default_factory=list)  # record_ids


_SCHEMA_FIELDS: list[tuple[str, pa.DataType]] = [
    ("record_id", pa.string()),
    ("source", pa.string()),
]
for _prefix in NAME_COLUMNS.values():
    _SCHEMA_FIELDS += [(f"{_prefix}_{part}", pa.string()) for part in ("norm", "key", "listed")]
_SCHEMA_FIELDS += [
    ("sex", pa.string()),
    ("birth_year", pa.int32()),
    ("birth_day", pa.string()),
    ("phone", pa.string()),
    ("phone_block", pa.string()),
    ("national_id", pa.string()),
    ("id_block", pa.string()),
    ("origin_pcode", pa.string()),
    ("origin_gov", pa.string()),
    ("household", pa.string()),
]
SCHEMA = pa.schema(_SCHEMA_FIELDS)


def prepare(records: Iterable[Mapping[str, str | None]]) -> PreparedRecords:
    """Derive the compared columns from black-box records (any column may be absent or empty)."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    malformed: list[str] = []
    for record in records:
        record_id = (record.get("record_id") or "").strip()
        columns["record_id"].append(record_id)
        columns["source"].append((record.get("source") or "").strip() or None)
        for column, prefix in NAME_COLUMNS.items():
            forms = analyse(record.get(column))
            columns[f"{prefix}_norm"].append(forms.normal or None)
            columns[f"{prefix}_key"].append(forms.key or None)
            columns[f"{prefix}_listed"].append(forms.listed or None)
        columns["sex"].append(_SEX.get((record.get("sex") or "").strip().casefold()))
        birth, is_malformed = parse_birth_date(record.get("birth_date"))
        if is_malformed:
            malformed.append(record_id)
        columns["birth_year"].append(birth.year if birth else None)
        columns["birth_day"].append(birth.day.isoformat() if birth and birth.day else None)
        columns["phone"].append(_first_phone(record.get("phone")) or None)
        columns["national_id"].append(normalise_id(record.get("national_id")) or None)
        pcode = re.sub(r"\s+", "", record.get("origin_pcode") or "").upper()
        columns["origin_pcode"].append(pcode or None)
        governorate = _GOVERNORATE.match(pcode)
        columns["origin_gov"].append(governorate.group(0) if governorate else None)
        columns["household"].append((record.get("household_id") or "").strip() or None)
    for value_column, block_column in (("phone", "phone_block"), ("national_id", "id_block")):
        counts = Counter(value for value in columns[value_column] if value)
        columns[block_column] = [
            value if value and counts[value] <= BLOCK_VALUE_LIMIT else None
            for value in columns[value_column]
        ]
    table = pa.table(columns, schema=SCHEMA)
    return PreparedRecords(table=table, record_count=table.num_rows, malformed_dates=malformed)
