"""Watchlist entries and travellers as plain values, and the small parsers their fields need.

No Django and no database: the models step stores these, the CLI reads them from files, the
benchmark generates them. :func:`identity_fingerprint` is the one rule for "the entry changed":
a cleared hit is remembered by (entry, fingerprint, document number) — here as
:func:`entry_version`, in the database as ``WatchlistEntry.fingerprint`` — and raised again
once what screening matches on changes (names, aliases, birth date, nationality, document
numbers), not when the reason, the action or the validity does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
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
    "identity_fingerprint",
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


def identity_fingerprint(
    *,
    names: Iterable[str],
    birth_date: PartialDate | None,
    nationality: str,
    document_numbers: Iterable[str],
) -> str:
    """A hash (64 hex digits) of what screening matches an entry on: its names and aliases as
    written (spaces tidied, in any order), the birth date to its precision, and the nationality
    and document numbers in their matching forms (IQ = IRQ, ``a-765 4321`` = ``A7654321``).

    A reviewer who cleared a hit judged the traveller against exactly this, so any change to
    it raises the hit again; the reason, the action and the validity are not in it (they do
    not change who is listed), nor is the entry's identifier (the memory keys on it apart).
    """
    content = json.dumps(
        [
            sorted({" ".join(name.split()) for name in names if name and name.strip()}),
            birth_date.isoformat() if birth_date is not None else "",
            normalise_nationality(nationality),
            sorted({normalise_document(number) for number in document_numbers} - {""}),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def entry_version(entry: WatchlistEntry) -> str:
    """The entry's :func:`identity_fingerprint`: a cleared hit's memory key holds it."""
    return identity_fingerprint(
        names=entry.names,
        birth_date=entry.birth_date,
        nationality=entry.nationality,
        document_numbers=entry.document_numbers,
    )


@dataclass(frozen=True, slots=True)
class Traveller:
    """A person presenting a document: the names as the document gives them."""

    traveller_id: str
    surname: str = ""
    given_names: str = ""
    birth_date: PartialDate | None = None
    nationality: str = ""
    document_number: str = ""
