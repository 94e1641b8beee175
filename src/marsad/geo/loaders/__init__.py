"""Reading administrative-area files: Marsad's CSV, OCHA COD-AB tables and GeoJSON.

Parsing only — no database access. ``parse`` returns the areas a file describes, each with the
line (CSV) or feature (GeoJSON) it came from, and every problem found, so that the load service
can check parents against the database and report all errors at once.
"""

from django.utils.translation import gettext as _

from marsad.geo.loaders.csv_files import parse_csv
from marsad.geo.loaders.geojson import boundary_error, parse_geojson, polygon_centroid
from marsad.geo.loaders.rows import (
    COD_AB_CSV,
    FEATURE,
    GEOJSON,
    LINE,
    MARSAD_CSV,
    AreaRow,
    ParsedFile,
    Problem,
)

__all__ = [
    "COD_AB_CSV",
    "FEATURE",
    "GEOJSON",
    "LINE",
    "MARSAD_CSV",
    "AreaRow",
    "ParsedFile",
    "Problem",
    "boundary_error",
    "parse",
    "parse_csv",
    "parse_geojson",
    "polygon_centroid",
]


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
