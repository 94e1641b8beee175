"""A quick parse of a master list that has no problems at all: the same rows as
``masterlist.parse_rows`` gives, built several times faster by converting each distinct cell
value once (a master list repeats its P-codes, types, shelters and figures thousands of times).

At the first thing that is not plainly right it gives up and returns ``None``; the caller then
runs ``parse_rows``, which words every error. So the rules live in one place (``masterlist``)
and this module only decides that none of them is broken. No database access."""

from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from typing import Any

from marsad.displacement.importers.masterlist import (
    COLUMNS,
    NAME_MAX_LENGTH,
    PCODE_PATTERN,
    POPULATION_TYPES,
    REQUIRED_COLUMNS,
    SHELTERS,
    MasterRow,
    _coordinate,
    _key,
    _whole_number,
)
from marsad.displacement.importers.report import RowError
from marsad.displacement.importers.tables import Table
from marsad.displacement.models import PopulationType

IDP = PopulationType.IDP
_BAD = object()  # a cached "this text breaks a rule"
_MISSING = object()  # not in the cache yet


def _number(text: str) -> Any:
    if text.isascii() and text.isdigit():
        return int(text)  # what ``_whole_number`` makes of plain digits, without a Decimal
    if not text:
        return _BAD  # families is required; an empty individuals cell never gets here
    errors: list[RowError] = []
    value = _whole_number(text, "", 0, errors)
    return _BAD if errors or value is None else value


def _coordinate_of(limit: int) -> Callable[[str], Any]:
    def convert(text: str) -> Decimal | object | None:
        errors: list[RowError] = []
        value = _coordinate(text, "", limit, 0, errors)
        return _BAD if errors else value

    return convert


def _population_type(text: str) -> Any:
    value = POPULATION_TYPES.get(text.lower().strip())
    return _BAD if value is None else value


def _shelter(text: str) -> Any:
    if not text:
        return ""
    value = SHELTERS.get(_key(text), None)
    return _BAD if value is None else value


def _pcode(text: str) -> Any:
    return text if text and PCODE_PATTERN.match(text) else _BAD


def _cells(table: Table) -> Callable[[list[str]], tuple[str, ...]] | None:
    """A function picking the master-list columns of a record, in ``COLUMNS`` order."""
    index: dict[str, int] = {}
    for position, name in enumerate(table.header):
        if name and name not in index:
            index[name] = position
    if any(column not in index for column in REQUIRED_COLUMNS):
        return None
    positions = [index.get(column) for column in COLUMNS]
    if all(position is not None for position in positions):
        pick = itemgetter(*positions)
        width = max(positions) + 1  # type: ignore[type-var]

        def fast(cells: list[str]) -> tuple[str, ...]:
            if len(cells) >= width:
                return pick(cells)
            return tuple(cells[p] if p < len(cells) else "" for p in positions)  # type: ignore[operator]

        return fast

    def slow(cells: list[str]) -> tuple[str, ...]:
        return tuple(cells[p] if p is not None and p < len(cells) else "" for p in positions)

    return slow


def clean_rows(table: Table) -> list[MasterRow] | None:
    """The rows of ``table`` exactly as ``parse_rows`` makes them when it finds no error;
    ``None`` as soon as any cell or row breaks a rule (duplicates included)."""
    if table.errors or not table.header:
        return None
    pick = _cells(table)
    if pick is None:
        return None
    # One cache per column: raw text -> value, or _BAD. The loop is written out flat because
    # it runs once per row of files with tens of thousands of rows (grouping the cells into
    # fewer, larger keys was tried: building and hashing the tuples costs more).
    pcodes: dict[str, Any] = {}
    types: dict[str, Any] = {}
    shelters: dict[str, Any] = {}
    numbers: dict[str, Any] = {}
    latitudes: dict[str, Any] = {}
    longitudes: dict[str, Any] = {}
    to_latitude, to_longitude = _coordinate_of(90), _coordinate_of(180)
    rows: list[MasterRow] = []
    keys: set[tuple[str, str, str, str, str]] = set()
    bad, missing = _BAD, _MISSING
    for row_number, cells in table.records:
        (
            location_text,
            name,
            name_ar,
            parent,
            latitude_text,
            longitude_text,
            type_text,
            origin,
            period,
            shelter_text,
            families_text,
            individuals_text,
        ) = pick(cells)
        location = pcodes.get(location_text, missing)
        if location is missing:
            location = pcodes[location_text] = _pcode(location_text.strip())
        kind = types.get(type_text, missing)
        if kind is missing:
            kind = types[type_text] = _population_type(type_text.strip())
        shelter = shelters.get(shelter_text, missing)
        if shelter is missing:
            shelter = shelters[shelter_text] = _shelter(shelter_text.strip())
        families = numbers.get(families_text, missing)
        if families is missing:
            families = numbers[families_text] = _number(families_text.strip())
        if individuals_text:
            individuals = numbers.get(individuals_text, missing)
            if individuals is missing:
                individuals = numbers[individuals_text] = _number(individuals_text.strip())
        else:
            individuals = None
        latitude = latitudes.get(latitude_text, missing)
        if latitude is missing:
            latitude = latitudes[latitude_text] = to_latitude(latitude_text.strip())
        longitude = longitudes.get(longitude_text, missing)
        if longitude is missing:
            longitude = longitudes[longitude_text] = to_longitude(longitude_text.strip())
        if (
            location is bad
            or kind is bad
            or shelter is bad
            or families is bad
            or individuals is bad
            or latitude is bad
            or longitude is bad
        ):
            return None
        name, name_ar, period = name.strip(), name_ar.strip(), period.strip()
        if (
            len(name) > NAME_MAX_LENGTH
            or len(name_ar) > NAME_MAX_LENGTH
            or (kind == IDP and (not shelter or not period))
            or (individuals is not None and individuals < families)
            or (latitude is None) != (longitude is None)
        ):
            return None
        origin = origin.strip()
        key = (location, kind, origin, period, shelter)
        if key in keys:
            return None
        keys.add(key)
        rows.append(
            MasterRow(
                row_number,
                location,
                name,
                name_ar,
                parent.strip(),
                latitude,
                longitude,
                kind,
                origin,
                period,
                shelter,
                families,
                individuals,
            )
        )
    return rows
