"""GeoJSON area files: features with Marsad or COD-AB properties; boundaries and centroids."""

import itertools
import json
import math
from typing import Any

from django.utils.translation import gettext as _

from marsad.geo.loaders.rows import (
    COD_AB_PCODE,
    FEATURE,
    GEOJSON,
    LINE,
    MARSAD_COLUMNS,
    AreaRow,
    ParsedFile,
    Problem,
    RowBuilder,
    first_occurrence,
)
from marsad.geo.models import AreaLevel

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
        if first_occurrence(parsed, pcode, number, column, first_feature) and row:
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
    builder = RowBuilder(parsed, number, {**columns, "level": "level"})
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


def _geometry(builder: RowBuilder, geometry: Any) -> tuple[dict | None, tuple[str, str] | None]:
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
