"""Master-list rows: one row per location × population group, with the columns ``location_id,
location_name, location_name_ar, parent_pcode, latitude, longitude, population_type,
origin_pcode, displacement_period, shelter_category, families, individuals``. This module turns
a table into checked rows; whatever needs the database (P-codes, periods) is checked in
``apply``. No database access."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from marsad.displacement.importers.report import RowError
from marsad.displacement.importers.tables import Table
from marsad.displacement.models import PopulationType, ShelterCategory

COLUMNS = (
    "location_id",
    "location_name",
    "location_name_ar",
    "parent_pcode",
    "latitude",
    "longitude",
    "population_type",
    "origin_pcode",
    "displacement_period",
    "shelter_category",
    "families",
    "individuals",
)
# Columns a file may leave out entirely (coordinates and Arabic names are often missing).
OPTIONAL_COLUMNS = ("location_name_ar", "latitude", "longitude")
REQUIRED_COLUMNS = tuple(column for column in COLUMNS if column not in OPTIONAL_COLUMNS)

PCODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
COORDINATE_STEP = Decimal("0.000001")
NAME_MAX_LENGTH = 255

POPULATION_TYPES = {
    "idp": PopulationType.IDP,
    "idps": PopulationType.IDP,
    "returnee": PopulationType.RETURNEE,
    "returnees": PopulationType.RETURNEE,
    "host": PopulationType.HOST,
    "host community": PopulationType.HOST,
    "host_community": PopulationType.HOST,
}


def _key(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


SHELTERS = {_key(value): value for value in ShelterCategory.values} | {
    _key(str(label)): value for value, label in ShelterCategory.choices
}


@dataclass
class MasterRow:
    row: int
    location_pcode: str
    location_name: str
    location_name_ar: str
    parent_pcode: str
    latitude: Decimal | None
    longitude: Decimal | None
    population_type: str
    origin_pcode: str
    period_code: str
    shelter_category: str
    families: int | None
    individuals: int | None
    valid: bool = True  # False when a cell has an error; its references are still checked

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What makes a row one population group (and a re-import idempotent)."""
        return (
            self.location_pcode,
            self.population_type,
            self.origin_pcode,
            self.period_code,
            self.shelter_category,
        )


def _whole_number(text: str, column: str, row: int, errors: list[RowError]) -> int | None:
    try:
        number = Decimal(text.replace(",", "") if re.fullmatch(r"[\d,]+", text) else text)
    except InvalidOperation:
        errors.append(RowError(row, column, _("%(value)s is not a number") % {"value": text}))
        return None
    if not number.is_finite() or number != number.to_integral_value():
        errors.append(RowError(row, column, _("%(value)s is not a whole number") % {"value": text}))
        return None
    if number < 0:
        errors.append(
            RowError(row, column, _("%(value)s is below zero; give 0 or more") % {"value": text})
        )
        return None
    return int(number)


def _coordinate(
    text: str, column: str, limit: int, row: int, errors: list[RowError]
) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(
            RowError(row, column, _("%(value)s is not a number in degrees") % {"value": text})
        )
        return None
    if not value.is_finite() or not -limit <= value <= limit:
        errors.append(
            RowError(
                row,
                column,
                _("%(value)s is outside -%(limit)d to %(limit)d degrees")
                % {"value": text, "limit": limit},
            )
        )
        return None
    return value.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP)


def parse_rows(table: Table) -> tuple[list[MasterRow], list[RowError]]:
    """The table's rows checked one by one; every problem is reported, none stops the parse."""
    errors: list[RowError] = list(table.errors)
    if errors and not table.header:
        return [], errors
    index: dict[str, int] = {}
    for position, name in enumerate(table.header):
        if name and name not in index:
            index[name] = position
    missing = [column for column in REQUIRED_COLUMNS if column not in index]
    for column in missing:
        errors.append(
            RowError(
                1,
                column,
                _("the header has no %(column)s column; a master list needs %(required)s")
                % {"column": column, "required": ", ".join(REQUIRED_COLUMNS)},
            )
        )
    if missing:
        return [], errors

    rows: list[MasterRow] = []
    first_row_of: dict[tuple[str, ...], int] = {}
    for number, cells in table.records:
        before = len(errors)

        def cell(column: str, cells: list[str] = cells) -> str:
            position = index.get(column)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        pcode = cell("location_id")
        if not pcode:
            errors.append(RowError(number, "location_id", _("empty; give the location's P-code")))
        elif not PCODE_PATTERN.match(pcode):
            errors.append(
                RowError(
                    number,
                    "location_id",
                    _("%(value)s is not a P-code (2 to 32 letters, digits, hyphens or underscores)")
                    % {"value": pcode},
                )
            )
        for column in ("location_name", "location_name_ar"):
            if len(cell(column)) > NAME_MAX_LENGTH:
                errors.append(
                    RowError(
                        number,
                        column,
                        _("longer than %(max)d characters") % {"max": NAME_MAX_LENGTH},
                    )
                )
        text_type = cell("population_type")
        population_type = POPULATION_TYPES.get(text_type.lower().strip())
        if population_type is None:
            errors.append(
                RowError(
                    number,
                    "population_type",
                    (
                        _("%(value)s is not a population type; use IDP, Returnee or Host community")
                        % {"value": text_type}
                    )
                    if text_type
                    else _("empty; use IDP, Returnee or Host community"),
                )
            )
        shelter_text = cell("shelter_category")
        shelter = SHELTERS.get(_key(shelter_text), None) if shelter_text else ""
        if shelter is None:
            errors.append(
                RowError(
                    number,
                    "shelter_category",
                    _("%(value)s is not a shelter category; use one of %(choices)s")
                    % {"value": shelter_text, "choices": ", ".join(ShelterCategory.values)},
                )
            )
        elif not shelter and population_type == PopulationType.IDP:
            errors.append(
                RowError(
                    number,
                    "shelter_category",
                    _("empty; IDP rows need a shelter category (%(choices)s)")
                    % {"choices": ", ".join(ShelterCategory.values)},
                )
            )
        period_code = cell("displacement_period")
        if not period_code and population_type == PopulationType.IDP:
            errors.append(
                RowError(
                    number,
                    "displacement_period",
                    _("empty; IDP rows need a displacement period code"),
                )
            )
        families_text = cell("families")
        families = None
        if not families_text:
            errors.append(RowError(number, "families", _("empty; give the number of families")))
        else:
            families = _whole_number(families_text, "families", number, errors)
        individuals_text = cell("individuals")
        individuals = None
        if individuals_text:
            individuals = _whole_number(individuals_text, "individuals", number, errors)
            if individuals is not None and families is not None and individuals < families:
                errors.append(
                    RowError(
                        number,
                        "individuals",
                        _(
                            "%(individuals)d individuals is fewer than the %(families)d "
                            "families; leave it empty to estimate it"
                        )
                        % {"individuals": individuals, "families": families},
                    )
                )
        latitude = _coordinate(cell("latitude"), "latitude", 90, number, errors)
        longitude = _coordinate(cell("longitude"), "longitude", 180, number, errors)
        for present, absent in (("latitude", "longitude"), ("longitude", "latitude")):
            if cell(present) and not cell(absent):
                errors.append(
                    RowError(
                        number,
                        absent,
                        _("empty while %(other)s is given; give both or neither")
                        % {"other": present},
                    )
                )
        parsed = MasterRow(
            row=number,
            location_pcode=pcode,
            location_name=cell("location_name"),
            location_name_ar=cell("location_name_ar"),
            parent_pcode=cell("parent_pcode"),
            latitude=latitude,
            longitude=longitude,
            population_type=population_type or "",
            origin_pcode=cell("origin_pcode"),
            period_code=period_code,
            shelter_category=shelter,
            families=families,
            individuals=individuals,
            valid=len(errors) == before,
        )
        if not parsed.valid:
            rows.append(parsed)
            continue
        first = first_row_of.setdefault(parsed.key, number)
        if first != number:
            errors.append(
                RowError(
                    number,
                    "location_id",
                    _(
                        "repeats row %(first)d: the same location, population type, origin, "
                        "displacement period and shelter"
                    )
                    % {"first": first},
                )
            )
            continue
        rows.append(parsed)
    return rows, errors
