"""Watchlist entries and travellers as plain values, and the small parsers their fields need.

No Django and no database: the models step stores these, the CLI reads them from files, the
benchmark generates them. An entry's :func:`entry_version` changes whenever anything that
screening or a reviewer relies on changes, so a cleared hit can be keyed by
(entry id, entry version, document number) and raised again once the entry is edited.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from marsad.linkage.normalise import normalise_id

__all__ = [
    "DEFAULT_ACTION",
    "PartialDate",
    "Traveller",
    "WatchlistEntry",
    "entry_version",
    "normalise_document",
    "normalise_nationality",
    "parse_partial_date",
]

#: What the officer is told to do on a hit when the list does not say.
DEFAULT_ACTION = "refer"
EARLIEST_YEAR = 1880

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A birth date known to the day, or only its year (``month`` and ``day`` are 0)."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def year_only(self) -> bool:
        return self.month == 0

    def isoformat(self) -> str:
        if self.year_only:
            return f"{self.year:04d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def __str__(self) -> str:
        return self.isoformat()


def parse_partial_date(text: str | None, *, today: date | None = None) -> PartialDate | None:
    """``YYYY-MM-DD`` or ``YYYY`` (Arabic-Indic digits allowed) → a date; "" → None.

    Raise ValueError for anything else, for an impossible day and for a year before 1880 or
    after today: the reader counts those as malformed and treats the date as missing.
    """
    text = (text or "").strip().translate(_DIGITS)
    if not text:
        return None
    latest = (today or date.today()).year
    if match := _YEAR.match(text):
        year = int(match.group(1))
        if not EARLIEST_YEAR <= year <= latest:
            raise ValueError(text)
        return PartialDate(year)
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
        date(year, month, day)  # raises ValueError for 2001-02-30
        if not EARLIEST_YEAR <= year <= latest:
            raise ValueError(text)
        return PartialDate(year, month, day)
    raise ValueError(text)


@lru_cache(maxsize=65536)
def normalise_document(number: str | None) -> str:
    """A document number in its matching form (the project's one rule: upper case, no
    punctuation or leading zeros, Arabic-Indic digits as ASCII); "" for no number."""
    return normalise_id(number)


@lru_cache(maxsize=4096)
def normalise_nationality(value: str | None) -> str:
    """A nationality as the ICAO / ISO 3166 alpha-3 code passports print (IRQ, SYR, ...).

    Alpha-2 codes and English country names are looked up in ISO 3166; a three-letter code is
    kept as given (ICAO also uses D, XXA, UNO ...); anything else is kept upper-cased so that two
    lists writing it the same way still agree.
    """
    text = (value or "").strip().upper().strip("<")
    if not text:
        return ""
    if len(text) == 3 and text.isalpha():
        return text
    if text == "D":
        return "DEU"
    import pycountry

    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        return text
    return str(country.alpha_3)


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    """One listed person: names and aliases in any script, and what to do on a hit."""

    entry_id: str
    #: The full name first, then the aliases, as written.
    names: tuple[str, ...]
    birth_date: PartialDate | None = None
    nationality: str = ""
    document_numbers: tuple[str, ...] = ()
    reason: str = ""
    action: str = DEFAULT_ACTION
    valid_from: date | None = None
    valid_until: date | None = None

    @property
    def full_name(self) -> str:
        return self.names[0] if self.names else ""

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.names[1:]

    def valid_on(self, day: date | None) -> bool:
        """Whether the entry is in force on ``day`` (None: always)."""
        if day is None:
            return True
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


def entry_version(entry: WatchlistEntry) -> str:
    """A short fingerprint of everything in the entry: any edit gives a new version."""
    content = json.dumps(
        [
            entry.entry_id,
            list(entry.names),
            entry.birth_date.isoformat() if entry.birth_date else "",
            entry.nationality,
            sorted(normalise_document(number) for number in entry.document_numbers),
            entry.reason,
            entry.action,
            entry.valid_from.isoformat() if entry.valid_from else "",
            entry.valid_until.isoformat() if entry.valid_until else "",
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Traveller:
    """A person presenting a document: the names as the document gives them."""

    traveller_id: str
    surname: str = ""
    given_names: str = ""
    birth_date: PartialDate | None = None
    nationality: str = ""
    document_number: str = ""
