"""Reading administrative-area files: Marsad's CSV, OCHA COD-AB tables and GeoJSON.

Parsing only — no database access. ``parse`` returns the areas a file describes, each with the
line (CSV) or feature (GeoJSON) it came from, and every problem found, so that the load service
can check parents against the database and report all errors at once.
"""

import csv
import io
import itertools
import json
import math
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


def _level_list() -> str:
    return ", ".join(LEVEL_NAMES[level] for level in AreaLevel)


def _level_label(level: int) -> str:
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


def parse(content: bytes | str, filename: str = "") -> ParsedFile:
    """Read a Marsad CSV, a COD-AB CSV or a GeoJSON file, detected from its content."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            parsed = ParsedFile(format="")
            parsed.problems.append(
                Problem(
                    line,
                    "",
                    _(
                        "the file is not UTF-8 text (byte %(byte)d); save it as UTF-8 "
                        "(in Excel: CSV UTF-8)"
                    )
                    % {"byte": error.start + 1},
                )
            )
            return parsed
    else:
        text = content.removeprefix("\ufeff")
    name = filename.lower()
    if text.lstrip().startswith(("{", "[")) or name.endswith((".geojson", ".json")):
        return parse_geojson(text)
    return parse_csv(text)


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


class _RowBuilder:
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
                    % {"value": raw_level, "levels": _level_list()},
                )
            else:
                self.problem(
                    "level",
                    _("the level is empty; use one of %(levels)s") % {"levels": _level_list()},
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
                    _("a %(level)s needs a parent P-code") % {"level": _level_label(area_level)},
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


def _first_occurrence(
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


# ---------------------------------------------------------------------------------------------
# CSV: Marsad's own columns, or the COD-AB tabular form


def _sniff_delimiter(header_line: str) -> str:
    if "," in header_line:
        return ","
    if ";" in header_line:
        return ";"
    if "\t" in header_line:
        return "\t"
    return ","


def _records(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank record with the line it starts on."""
    delimiter = _sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records = []
    previous_end = 0
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            continue
        records.append((start, cells))
    return header or [], records


def parse_csv(text: str) -> ParsedFile:
    try:
        header, records = _records(text)
    except csv.Error as error:
        parsed = ParsedFile(format=MARSAD_CSV)
        parsed.problems.append(Problem(1, "", _("the file is not readable CSV: %s") % error))
        return parsed
    if not header:
        parsed = ParsedFile(format=MARSAD_CSV)
        parsed.problems.append(Problem(1, "", _("the file is empty")))
        return parsed
    if any(COD_AB_PCODE.match(column) for column in header):
        return _parse_cod_ab(header, records)
    return _parse_marsad_csv(header, records)


def _header_index(parsed: ParsedFile, header: list[str]) -> dict[str, int]:
    """Lower-cased column name → position; duplicated columns are problems."""
    index: dict[str, int] = {}
    for position, column in enumerate(header):
        key = column.lower()
        if not key:
            continue
        if key in index:
            parsed.problems.append(Problem(1, column, _("the column appears twice in the header")))
            continue
        index[key] = position
    return index


def _cell_count_ok(parsed: ParsedFile, line: int, cells: list[str], header: list[str]) -> bool:
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        parsed.problems.append(
            Problem(
                line,
                "",
                _(
                    "the row has %(cells)d cells but the header has %(columns)d columns "
                    "(is a comma inside a name missing its quotes?)"
                )
                % {"cells": len(cells), "columns": len(header)},
            )
        )
        return False
    return True


def _parse_marsad_csv(header: list[str], records: list[tuple[int, list[str]]]) -> ParsedFile:
    parsed = ParsedFile(format=MARSAD_CSV)
    index = _header_index(parsed, header)
    for column in REQUIRED_COLUMNS:
        if column not in index:
            parsed.problems.append(
                Problem(
                    1,
                    column,
                    _(
                        "the header has no %(column)s column; Marsad's CSV needs %(required)s "
                        "and may have %(optional)s (or use the COD-AB columns ADM0_PCODE, ...)"
                    )
                    % {
                        "column": column,
                        "required": ", ".join(REQUIRED_COLUMNS),
                        "optional": ", ".join(
                            c for c in MARSAD_COLUMNS if c not in REQUIRED_COLUMNS
                        ),
                    },
                )
            )
    if parsed.problems:
        return parsed
    present = [column for column in MARSAD_COLUMNS if column in index]
    columns = {column: header[index[column]] for column in present}
    first_line: dict[str, int] = {}
    for line, cells in records:
        if not _cell_count_ok(parsed, line, cells, header):
            continue
        raw = {
            column: cells[index[column]] if index[column] < len(cells) else "" for column in present
        }
        level = raw.pop("level")
        row = _RowBuilder(parsed, line, columns).build(raw, level)
        pcode = raw["pcode"].strip()
        if _first_occurrence(parsed, pcode, line, columns["pcode"], first_line) and row:
            parsed.rows.append(row)
    return parsed


def _cod_ab_columns(parsed: ParsedFile, header: list[str]) -> dict[int, dict[str, str]]:
    """For each COD-AB level in the header, Marsad field name → the header's column name."""
    by_lower = {column.lower(): column for column in header if column}
    levels: dict[int, dict[str, str]] = {}
    for column in header:
        match = COD_AB_PCODE.match(column)
        if not match:
            continue
        number = int(match.group(1))
        if number > max(AreaLevel.values):
            parsed.problems.append(
                Problem(
                    1,
                    column,
                    _("Marsad has levels 0 (country) to %(max)d (location); ADM%(n)d is deeper")
                    % {"max": max(AreaLevel.values), "n": number},
                )
            )
            continue
        prefix = f"adm{number}_"
        mapping = {"pcode": column}
        for field_name, suffixes in (
            ("name_en", ("en",)),
            ("name_ar", ("ar",)),
            ("name_ku", ("ku", "ckb")),
        ):
            for suffix in suffixes:
                if prefix + suffix in by_lower:
                    mapping[field_name] = by_lower[prefix + suffix]
                    break
        if "name_en" not in mapping:
            parsed.problems.append(
                Problem(
                    1,
                    column,
                    _("the header has %(pcode)s but no ADM%(n)d_EN column for the English name")
                    % {"pcode": column, "n": number},
                )
            )
        levels[number] = mapping
    for number in sorted(levels):
        if number > 0 and number - 1 not in levels:
            parsed.problems.append(
                Problem(
                    1,
                    levels[number]["pcode"],
                    _(
                        "the header has ADM%(n)d_PCODE but no ADM%(above)d_PCODE: each area's "
                        "parent comes from the level above"
                    )
                    % {"n": number, "above": number - 1},
                )
            )
    for field_name in ("latitude", "longitude"):
        if field_name in by_lower:
            levels.setdefault(-1, {})[field_name] = by_lower[field_name]
    return levels


def _parse_cod_ab(header: list[str], records: list[tuple[int, list[str]]]) -> ParsedFile:
    """One area per distinct P-code at each level, its parent the P-code of the level above."""
    parsed = ParsedFile(format=COD_AB_CSV)
    levels = _cod_ab_columns(parsed, header)
    if parsed.problems:
        return parsed
    position = {column: number for number, column in enumerate(header)}
    extra = levels.pop(-1, {})
    by_pcode: dict[str, AreaRow] = {}
    for line, cells in records:
        if not _cell_count_ok(parsed, line, cells, header):
            continue

        def cell(column: str, cells: list[str] = cells) -> str:
            index = position[column]
            return cells[index].strip() if index < len(cells) else ""

        given = [number for number in sorted(levels) if cell(levels[number]["pcode"])]
        deepest = given[-1] if given else None
        for number in given:
            mapping = levels[number]
            columns = dict(mapping)
            raw = {name: cell(column) for name, column in mapping.items()}
            if number - 1 in levels:
                columns["parent_pcode"] = levels[number - 1]["pcode"]
                raw["parent_pcode"] = cell(columns["parent_pcode"])
            if number == deepest and extra:
                columns.update(extra)
                raw.update({name: cell(column) for name, column in extra.items()})
            row = _RowBuilder(parsed, line, columns).build(raw, number)
            if row is None:
                continue
            if row.pcode in by_pcode:
                _check_consistent(parsed, by_pcode[row.pcode], row)
            else:
                by_pcode[row.pcode] = row
                parsed.rows.append(row)
    return parsed


def _check_consistent(parsed: ParsedFile, first: AreaRow, again: AreaRow) -> None:
    """A P-code repeated on later COD-AB rows must say the same; coordinates fill in."""
    if first.level != again.level:
        parsed.problems.append(
            Problem(
                again.line,
                again.column("pcode"),
                _("the P-code %(pcode)s is a %(level)s here but a %(first_level)s on line %(n)d")
                % {
                    "pcode": again.pcode,
                    "level": _level_label(again.level),
                    "first_level": _level_label(first.level),
                    "n": first.line,
                },
            )
        )
        return
    if first.parent_pcode != again.parent_pcode:
        parsed.problems.append(
            Problem(
                again.line,
                again.column("parent_pcode"),
                _("%(pcode)s has the parent %(value)s here but %(first_value)s on line %(first)d")
                % {
                    "pcode": again.pcode,
                    "value": again.parent_pcode,
                    "first_value": first.parent_pcode,
                    "first": first.line,
                },
            )
        )
    for name, value in again.values.items():
        if value in ("", None) or first.values.get(name) == value:
            continue
        if first.values.get(name) in ("", None):
            # A later row fills in what the first left empty (e.g. coordinates of the deepest).
            first.values[name] = value
            first.columns = {**first.columns, name: again.column(name)}
            continue
        parsed.problems.append(
            Problem(
                again.line,
                again.column(name),
                _("%(pcode)s has '%(value)s' here but '%(first_value)s' on line %(first)d")
                % {
                    "pcode": again.pcode,
                    "value": value,
                    "first_value": first.values[name],
                    "first": first.line,
                },
            )
        )


# ---------------------------------------------------------------------------------------------
# GeoJSON


def parse_geojson(text: str) -> ParsedFile:
    parsed = ParsedFile(format=GEOJSON, unit=FEATURE)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        parsed.problems.append(
            Problem(error.lineno, "", _("the file is not valid JSON: %s") % error.msg, LINE)
        )
        return parsed
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        kind = document.get("type") if isinstance(document, dict) else type(document).__name__
        parsed.problems.append(
            Problem(
                1,
                "",
                _("the file is a %(kind)s, not a GeoJSON FeatureCollection") % {"kind": kind},
                LINE,
            )
        )
        return parsed
    features = document.get("features")
    if not isinstance(features, list):
        parsed.problems.append(
            Problem(1, "", _("the FeatureCollection has no list of features"), LINE)
        )
        return parsed
    first_feature: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        row, pcode, column = _parse_feature(parsed, number, feature)
        if _first_occurrence(parsed, pcode, number, column, first_feature) and row:
            parsed.rows.append(row)
    return parsed


def _parse_feature(
    parsed: ParsedFile, number: int, feature: Any
) -> tuple[AreaRow | None, str, str]:
    """The feature's area (None if it has problems), its P-code and the P-code's property."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        parsed.problems.append(Problem(number, "", _("this is not a GeoJSON Feature"), FEATURE))
        return None, "", ""
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        parsed.problems.append(
            Problem(number, "properties", _("the properties are not an object"), FEATURE)
        )
        return None, "", ""
    by_lower = {str(key).lower(): key for key in properties}
    cod_levels = sorted(
        int(match.group(1))
        for key in by_lower
        if (match := COD_AB_PCODE.match(key)) and _present(properties[by_lower[key]])
    )
    if cod_levels:
        deepest = cod_levels[-1]
        prefix = f"adm{deepest}_"
        columns = {"pcode": by_lower[f"{prefix}pcode"]}
        for field_name, suffixes in (
            ("name_en", ("en",)),
            ("name_ar", ("ar",)),
            ("name_ku", ("ku", "ckb")),
        ):
            for suffix in suffixes:
                if prefix + suffix in by_lower:
                    columns[field_name] = by_lower[prefix + suffix]
                    break
            else:
                if field_name == "name_en":
                    columns[field_name] = f"ADM{deepest}_EN"
        if deepest > 0:
            parent_key = f"adm{deepest - 1}_pcode"
            columns["parent_pcode"] = by_lower.get(parent_key, parent_key.upper())
        for field_name in ("latitude", "longitude", "iso_code"):
            if field_name in by_lower:
                columns[field_name] = by_lower[field_name]
        level: Any = deepest
        if deepest > max(AreaLevel.values):
            level = f"ADM{deepest}"
    else:
        columns = {name: by_lower[name] for name in MARSAD_COLUMNS if name in by_lower}
        level = properties.get(columns["level"]) if "level" in columns else None
        columns.pop("level", None)
    cells = {name: properties.get(key) for name, key in columns.items()}
    for name in ("pcode", "name_en"):
        cells.setdefault(name, "")
    builder = _RowBuilder(parsed, number, {**columns, "level": "level"})
    geometry = feature.get("geometry")
    boundary, centroid = _geometry(builder, geometry)
    if centroid is not None and not any(_present(cells.get(n)) for n in ("latitude", "longitude")):
        cells["latitude"], cells["longitude"] = centroid
    row = builder.build(cells, level)
    if row is not None and boundary is not None:
        row.values["boundary"] = boundary
    pcode = "" if cells["pcode"] is None else str(cells["pcode"]).strip()
    return row, pcode, columns.get("pcode", "pcode")


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _geometry(builder: _RowBuilder, geometry: Any) -> tuple[dict | None, tuple[str, str] | None]:
    """The boundary to store and the centroid (latitude, longitude) the geometry gives."""
    if geometry is None:
        return None, None
    if not isinstance(geometry, dict):
        builder.problem("geometry", _("the geometry is not a GeoJSON object"))
        return None, None
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        error = _position_error(coordinates)
        if error:
            builder.problem("geometry", error)
            return None, None
        return None, (str(coordinates[1]), str(coordinates[0]))
    if kind not in ("Polygon", "MultiPolygon"):
        builder.problem(
            "geometry",
            _("a %(kind)s cannot be an area's boundary; use a Polygon or MultiPolygon")
            % {"kind": kind},
        )
        return None, None
    polygons = [coordinates] if kind == "Polygon" else coordinates
    error = _polygons_error(polygons)
    if error:
        builder.problem("geometry", error)
        return None, None
    centroid = polygon_centroid(polygons)
    point = None
    if centroid is not None:
        latitude, longitude = centroid
        point = (f"{latitude:.6f}", f"{longitude:.6f}")
    return {"type": kind, "coordinates": coordinates}, point


def boundary_error(geometry: Any) -> str:
    """Why ``geometry`` cannot be stored as a boundary, or "" when it is a valid polygon."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return _("a boundary must be a GeoJSON Polygon or MultiPolygon")
    coordinates = geometry.get("coordinates")
    return _polygons_error([coordinates] if geometry["type"] == "Polygon" else coordinates)


def _position_error(position: Any) -> str:
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            for value in position
        )
    ):
        return _("%(value)s is not a position [longitude, latitude]") % {
            "value": json.dumps(position)[:60]
        }
    longitude, latitude = position[0], position[1]
    if not -180 <= longitude <= 180:
        return _("longitude %(value)s is outside -180 to 180") % {"value": longitude}
    if not -90 <= latitude <= 90:
        return _("latitude %(value)s is outside -90 to 90") % {"value": latitude}
    return ""


def _polygons_error(polygons: Any) -> str:
    if not isinstance(polygons, list) or not polygons:
        return _("the geometry has no polygons")
    for polygon_number, polygon in enumerate(polygons, start=1):
        if not isinstance(polygon, list) or not polygon:
            return _("polygon %(n)d has no rings") % {"n": polygon_number}
        for ring_number, ring in enumerate(polygon, start=1):
            if not isinstance(ring, list) or len(ring) < 4:
                return _("ring %(ring)d of polygon %(polygon)d has fewer than 4 positions") % {
                    "ring": ring_number,
                    "polygon": polygon_number,
                }
            for position_number, position in enumerate(ring, start=1):
                error = _position_error(position)
                if error:
                    return _(
                        "position %(position)d of ring %(ring)d of polygon %(polygon)d: %(error)s"
                    ) % {
                        "position": position_number,
                        "ring": ring_number,
                        "polygon": polygon_number,
                        "error": error,
                    }
    return ""


def polygon_centroid(polygons: list) -> tuple[float, float] | None:
    """The area-weighted centroid (latitude, longitude) of polygons given as GeoJSON rings.

    Planar on longitude/latitude, which is plenty for placing a label or a map marker. Holes
    (every ring after a polygon's first) subtract. Degenerate shapes fall back to the mean of
    the outer rings' vertices.
    """
    weight_total = 0.0
    x_total = 0.0
    y_total = 0.0
    vertices: list[tuple[float, float]] = []
    for polygon in polygons:
        for ring_index, ring in enumerate(polygon):
            points = [(float(p[0]), float(p[1])) for p in ring]
            if ring_index == 0:
                vertices.extend(points[:-1] if points[0] == points[-1] else points)
            area, x, y = _ring_centroid(points)
            if area == 0:
                continue
            weight = abs(area) if ring_index == 0 else -abs(area)
            weight_total += weight
            x_total += weight * x
            y_total += weight * y
    if weight_total > 1e-15:
        return y_total / weight_total, x_total / weight_total
    if not vertices:
        return None
    return (
        sum(point[1] for point in vertices) / len(vertices),
        sum(point[0] for point in vertices) / len(vertices),
    )


def _ring_centroid(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and centroid of one ring (shoelace), shifted to its first vertex for accuracy."""
    if points[0] != points[-1]:
        points = [*points, points[0]]
    origin_x, origin_y = points[0]
    area = 0.0
    x_sum = 0.0
    y_sum = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        x0, y0, x1, y1 = x0 - origin_x, y0 - origin_y, x1 - origin_x, y1 - origin_y
        cross = x0 * y1 - x1 * y0
        area += cross
        x_sum += (x0 + x1) * cross
        y_sum += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, origin_x, origin_y
    return area, x_sum / (6 * area) + origin_x, y_sum / (6 * area) + origin_y
