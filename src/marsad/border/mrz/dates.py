"""MRZ dates (YYMMDD, unknown parts as '<<') and the century each belongs to."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

DEFAULT_EXPIRY_FUTURE_YEARS = 50


@dataclass(frozen=True)
class MRZDate:
    """A date read from the MRZ. ``value`` is set when year, month and day are all known and
    form a real date; ``year``, ``month`` and ``day`` hold whatever parts are known."""

    raw: str
    year: int | None
    month: int | None
    day: int | None
    value: date | None

    @property
    def is_complete(self) -> bool:
        return self.value is not None

    @property
    def is_partial(self) -> bool:
        """Some parts written as '<<' (unknown), the others readable."""
        return "<" in self.raw


class DateError(ValueError):
    """The six characters are not a date: ``reason`` is "characters" or "calendar"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _pairs(raw: str) -> tuple[int | None, int | None, int | None]:
    if len(raw) != 6:
        raise DateError("characters")
    parts: list[int | None] = []
    for index in (0, 2, 4):
        pair = raw[index : index + 2]
        if pair == "<<":
            parts.append(None)
        elif pair.isdigit() and pair.isascii():
            parts.append(int(pair))
        else:
            raise DateError("characters")
    year, month, day = parts
    if month is not None and not 1 <= month <= 12:
        raise DateError("calendar")
    if day is not None and not 1 <= day <= 31:
        raise DateError("calendar")
    return year, month, day


def _read(raw: str, choose_year: Callable[[int, int, int], int]) -> MRZDate:
    two_digit_year, month, day = _pairs(raw)
    if two_digit_year is None:
        return MRZDate(raw, None, month, day, None)
    year = choose_year(two_digit_year, month or 1, day or 1)
    value = None
    if month is not None and day is not None:
        try:
            value = date(year, month, day)
        except ValueError as error:
            raise DateError("calendar") from error
    return MRZDate(raw, year, month, day, value)


def read_birth_date(raw: str, *, today: date) -> MRZDate:
    """A date of birth: the latest century that does not put it after ``today``."""

    def choose(two_digit_year: int, month: int, day: int) -> int:
        year = 2000 + two_digit_year
        while (year, month, day) > (today.year, today.month, today.day):
            year -= 100
        return year

    return _read(raw, choose)


def read_expiry_date(
    raw: str, *, today: date, future_years: int = DEFAULT_EXPIRY_FUTURE_YEARS
) -> MRZDate:
    """A date of expiry: the century that puts it within the hundred years that end
    ``future_years`` after ``today`` (with 50: from 50 years ago to 50 years ahead)."""
    latest = (today.year + future_years, today.month, today.day)

    def choose(two_digit_year: int, month: int, day: int) -> int:
        year = 2000 + two_digit_year
        while (year, month, day) > latest:
            year -= 100
        while (year + 100, month, day) <= latest:
            year += 100
        return year

    return _read(raw, choose)
