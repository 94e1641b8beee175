"""What a parsed area file holds (rows with their line or feature, problems) and the checks
every format shares. No database access."""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from marsad.geo.models import LEVEL_NAMES, AreaLevel, parse_level

MARSAD_CSV = "marsad-csv"
COD_AB_CSV = "cod-ab-csv"
GEOJSON = "geojson"

LINE = "line"
FEATURE = "feature"

MARSAD_COLUMNS = (
    "pcode",
    "level",
    "name_en",
    "name_ar",
    "name_ku",
    "parent_pcode",
    "iso_code",
    "latitude",
    "longitude",
)
REQUIRED_COLUMNS = ("pcode", "level", "name_en")
NAME_MAX_LENGTH = 255
ISO_CODE_MAX_LENGTH = 8
PCODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{2,32}$")
COD_AB_PCODE = re.compile(r"^adm(\d+)_pcode$", re.IGNORECASE)
COORDINATE_STEP = Decimal("0.000001")


def level_list() -> str:
    return ", ".join(LEVEL_NAMES[level] for level in AreaLevel)


def level_label(level: int) -> str:
    return str(AreaLevel(level).label).lower()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, where it is, in plain words."""

    line: int
    column: str
    message: str
    unit: str = LINE

    def __str__(self) -> str:
        place = {"unit": self.unit_label(), "number": self.line, "column": self.column}
        if not self.column:
            return _("%(unit)s %(number)s: %(message)s") % {**place, "message": self.message}
        if self.unit == FEATURE:
            where = _("%(unit)s %(number)s, property %(column)s") % place
        else:
            where = _("%(unit)s %(number)s, column %(column)s") % place
        return f"{where}: {self.message}"

    def unit_label(self) -> str:
        return _("feature") if self.unit == FEATURE else _("line")


@dataclass
class AreaRow:
    """One area as the file gives it. ``values`` holds only the fields the file provides, so a
    load never clears what a file says nothing about (e.g. a CSV keeps a stored boundary)."""

    line: int
    pcode: str
    level: int
    parent_pcode: str
    values: dict[str, Any]
    unit: str = LINE
    columns: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        """The file's own name for a field, for messages (e.g. ``ADM1_PCODE``)."""
        return self.columns.get(name, name)


@dataclass
class ParsedFile:
    format: str
    unit: str = LINE
    rows: list[AreaRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Every P-code the file mentions as an area, even on rows with problems, and its level
    # (None when unreadable), so that a broken parent row does not also report its children.
    seen: dict[str, int | None] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Shared field checks


def _coordinate(raw: Any, low: int, high: int, label: str) -> tuple[Decimal | None, str]:
    """A coordinate from text or a number, rounded to 6 decimals; or an error message."""
    if isinstance(raw, bool):
        return None, _("%(value)s is not a number") % {"value": raw}
    text = str(raw).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, _("'%(value)s' is not a number") % {"value": text}
    if not number.is_finite():
        return None, _("'%(value)s' is not a number") % {"value": text}
    if not low <= number <= high:
        return None, _("%(label)s %(value)s is outside %(low)d to %(high)d") % {
            "label": label,
            "value": text,
            "low": low,
            "high": high,
        }
    return number.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP), ""


class RowBuilder:
    """Checks one area's cells and turns them into an ``AreaRow``, collecting problems."""

    def __init__(self, parsed: ParsedFile, line: int, columns: dict[str, str]) -> None:
        self.parsed = parsed
        self.line = line
        self.columns = columns
        self.ok = True

    def problem(self, name: str, message: str) -> None:
        self.ok = False
        column = self.columns.get(name, name) if name else ""
        self.parsed.problems.append(Problem(self.line, column, message, self.parsed.unit))

    def build(self, cells: dict[str, Any], level: Any) -> AreaRow | None:
        """``cells`` maps Marsad field names to the file's raw values (only fields present)."""
        text = {
            key: ("" if value is None else str(value).strip())
            for key, value in cells.items()
            if key not in ("latitude", "longitude")
        }
        pcode = text.get("pcode", "")
        if not pcode:
            self.problem("pcode", _("the P-code is empty"))
        elif not PCODE_PATTERN.match(pcode):
            self.problem(
                "pcode",
                _(
                    "'%(value)s' is not a valid P-code: use 2 to 32 letters, digits, hyphens or "
                    "underscores, e.g. IQG08Q03"
                )
                % {"value": pcode},
            )
        area_level = parse_level(level)
        if area_level is None:
            raw_level = "" if level is None else str(level).strip()
            if raw_level:
                self.problem(
                    "level",
                    _("'%(value)s' is not a level; use one of %(levels)s")
                    % {"value": raw_level, "levels": level_list()},
                )
            else:
                self.problem(
                    "level",
                    _("the level is empty; use one of %(levels)s") % {"levels": level_list()},
                )
        if pcode:
            self.parsed.seen.setdefault(pcode, None if area_level is None else int(area_level))

        if not text.get("name_en"):
            self.problem("name_en", _("the English name is empty"))
        for name in ("name_en", "name_ar", "name_ku"):
            if len(text.get(name, "")) > NAME_MAX_LENGTH:
                self.problem(
                    name,
                    _("the name is %(length)d characters long; at most %(max)d are allowed")
                    % {"length": len(text[name]), "max": NAME_MAX_LENGTH},
                )
        if len(text.get("iso_code", "")) > ISO_CODE_MAX_LENGTH:
            self.problem(
                "iso_code",
                _("'%(value)s' is too long for an ISO 3166 code (at most %(max)d characters)")
                % {"value": text["iso_code"], "max": ISO_CODE_MAX_LENGTH},
            )

        parent_pcode = text.get("parent_pcode", "")
        if area_level is not None:
            if area_level == AreaLevel.COUNTRY and parent_pcode:
                self.problem(
                    "parent_pcode",
                    _("a country has no parent, but the parent P-code is %(parent)s")
                    % {"parent": parent_pcode},
                )
            elif area_level != AreaLevel.COUNTRY and not parent_pcode:
                self.problem(
                    "parent_pcode",
                    _("a %(level)s needs a parent P-code") % {"level": level_label(area_level)},
                )
        if parent_pcode and parent_pcode == pcode:
            self.problem("parent_pcode", _("an area cannot be its own parent"))

        values: dict[str, Any] = {
            name: text[name]
            for name in ("name_en", "name_ar", "name_ku", "iso_code")
            if name in text
        }
        coordinates = self._coordinates(cells)
        if coordinates is not None:
            values.update(coordinates)
        if not self.ok or area_level is None:
            return None
        return AreaRow(
            line=self.line,
            pcode=pcode,
            level=int(area_level),
            parent_pcode=parent_pcode,
            values=values,
            unit=self.parsed.unit,
            columns=self.columns,
        )

    def _coordinates(self, cells: dict[str, Any]) -> dict[str, Decimal | None] | None:
        """Latitude and longitude if the file has them: both, or neither (both empty)."""
        if "latitude" not in cells and "longitude" not in cells:
            return None
        raw = {
            name: cells.get(name)
            for name in ("latitude", "longitude")
            if cells.get(name) is not None and str(cells.get(name)).strip() != ""
        }
        if not raw:
            return {"latitude": None, "longitude": None}
        result: dict[str, Decimal | None] = {}
        limits = {"latitude": (-90, 90, _("latitude")), "longitude": (-180, 180, _("longitude"))}
        for name, (low, high, label) in limits.items():
            if name not in raw:
                other = "longitude" if name == "latitude" else "latitude"
                self.problem(
                    name,
                    _("%(other)s is given, so %(name)s is needed too")
                    % {"other": limits[other][2], "name": label},
                )
                continue
            number, error = _coordinate(raw[name], low, high, label)
            if error:
                self.problem(name, error)
            result[name] = number
        return result


def first_occurrence(
    parsed: ParsedFile, pcode: str, line: int, column: str, first_line: dict[str, int]
) -> bool:
    """Whether ``pcode`` is new in the file; a repeat is a problem naming the first place."""
    if not pcode:
        return True
    if pcode in first_line:
        parsed.problems.append(
            Problem(
                line,
                column,
                _("the P-code %(pcode)s appears again (first on %(unit)s %(first)d)")
                % {
                    "pcode": pcode,
                    "unit": _("feature") if parsed.unit == FEATURE else _("line"),
                    "first": first_line[pcode],
                },
                parsed.unit,
            )
        )
        return False
    first_line[pcode] = line
    return True
