"""Writing administrative areas out: the four-column CSV and a GeoJSON FeatureCollection."""

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from marsad.geo.models import AdminArea

CSV_COLUMNS = ("pcode", "name_en", "name_ar", "parent_pcode")


def areas_csv(areas: Iterable[AdminArea]) -> str:
    """``pcode,name_en,name_ar,parent_pcode``, header first, one line per area, as given."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for area in areas:
        writer.writerow(
            [area.pcode, area.name_en, area.name_ar, area.parent.pcode if area.parent_id else ""]
        )
    return buffer.getvalue()


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def area_feature(area: AdminArea) -> dict[str, Any]:
    """A GeoJSON Feature: the boundary when known, else a point at the centroid, else none.

    The properties use Marsad's own field names, so the file loads back unchanged.
    """
    if area.boundary:
        geometry = area.boundary
    elif area.latitude is not None and area.longitude is not None:
        geometry = {"type": "Point", "coordinates": [float(area.longitude), float(area.latitude)]}
    else:
        geometry = None
    return {
        "type": "Feature",
        "id": area.pcode,
        "geometry": geometry,
        "properties": {
            "pcode": area.pcode,
            "level": area.level_name,
            "name_en": area.name_en,
            "name_ar": area.name_ar,
            "name_ku": area.name_ku,
            "parent_pcode": area.parent.pcode if area.parent_id else "",
            "iso_code": area.iso_code,
            "latitude": _number(area.latitude),
            "longitude": _number(area.longitude),
        },
    }


def areas_geojson(areas: Iterable[AdminArea]) -> str:
    collection = {"type": "FeatureCollection", "features": [area_feature(a) for a in areas]}
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
