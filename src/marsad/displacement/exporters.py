"""Displacement exports: the master list and the aggregates (by governorate, district or
location; totals, trend, flows, shelter, needs, intentions) as CSV, XLSX or HXL-tagged CSV.

``export`` is the one door (UI download, API and command line): it reads through
``aggregates`` (so scope, publication and small-cell suppression apply) and writes an EXPORT
audit row. Suppressed cells are written as "<N" (N = the small-cell threshold), and cells
hidden so that a small one cannot be worked out from a total as "x".
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from openpyxl import Workbook

from marsad.core import audit
from marsad.core.disclosure import WITHHELD_MARKER
from marsad.core.models import AuditAction
from marsad.core.roles import Capability
from marsad.core.scoping import has_capability
from marsad.displacement import aggregates
from marsad.displacement.models import AssessmentRound
from marsad.geo.models import AdminArea

FORMATS = ("csv", "xlsx", "hxl")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"csv": "csv", "hxl": "hxl.csv", "xlsx": "xlsx"}


@dataclass(frozen=True)
class Column:
    header: str
    tag: str
    key: str = ""
    suppressible: bool = False

    @property
    def source(self) -> str:
        return self.key or self.header


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    threshold: int | None = None  # set when small cells were suppressed
    title: str = ""

    @property
    def marker(self) -> str:
        return f"<{self.threshold}" if self.threshold else ""

    @property
    def withheld_marker(self) -> str:
        """A figure hidden so that a small one beside it cannot be worked out from a total."""
        return WITHHELD_MARKER if self.threshold else ""


def _population_columns() -> list[Column]:
    return [
        Column("locations", "#indicator+locations+num"),
        Column("idp_families", "#affected+idps+hh", suppressible=True),
        Column("idp_individuals", "#affected+idps+ind", suppressible=True),
        Column("returnee_families", "#affected+returnees+hh", suppressible=True),
        Column("returnee_individuals", "#affected+returnees+ind", suppressible=True),
        Column("host_families", "#population+host+hh", suppressible=True),
        Column("host_individuals", "#population+host+ind", suppressible=True),
    ]


ADM1 = [
    Column("governorate_pcode", "#adm1+code"),
    Column("governorate_name", "#adm1+name", key="governorate_name_en"),
]
ADM2 = [
    Column("district_pcode", "#adm2+code"),
    Column("district_name", "#adm2+name", key="district_name_en"),
]
GEO = [Column("latitude", "#geo+lat"), Column("longitude", "#geo+lon")]

AREA_COLUMNS = {
    "governorate": [*ADM1, Column("governorate_name_ar", "#adm1+name+i_ar", key="name_ar")],
    "district": [*ADM1, *ADM2, Column("district_name_ar", "#adm2+name+i_ar", key="name_ar")],
    "location": [
        *ADM1,
        *ADM2,
        Column("location_pcode", "#loc+code", key="pcode"),
        Column("location_name", "#loc+name", key="name_en"),
        Column("location_name_ar", "#loc+name+i_ar", key="name_ar"),
    ],
}

MASTER_LIST_COLUMNS = [
    Column("location_id", "#loc+code"),
    Column("location_name", "#loc+name"),
    Column("location_name_ar", "#loc+name+i_ar"),
    Column("parent_pcode", "#loc+code+parent"),
    Column("latitude", "#geo+lat"),
    Column("longitude", "#geo+lon"),
    Column("population_type", "#population+type"),
    Column("origin_pcode", "#loc+code+origin"),
    Column("displacement_period", "#date+displaced+code"),
    Column("shelter_category", "#indicator+shelter+code"),
    Column("families", "#affected+hh", suppressible=True),
    Column("individuals", "#affected+ind", suppressible=True),
    Column("individuals_estimated", "#meta+estimated"),
    Column("governorate_pcode", "#adm1+code"),
    Column("governorate_name", "#adm1+name"),
    Column("district_pcode", "#adm2+code"),
    Column("district_name", "#adm2+name"),
    Column("origin_governorate_pcode", "#adm1+code+origin"),
    Column("assessment_status", "#status+assessment"),
]

TOTALS_COLUMNS = [
    Column("population_type", "#population+type"),
    Column("population_label", "#population+type+name", key="label"),
    Column("locations", "#indicator+locations+num"),
    Column("families", "#affected+hh", suppressible=True),
    Column("individuals", "#affected+ind", suppressible=True),
    Column("change_families", "#affected+hh+change"),
    Column("change_individuals", "#affected+ind+change"),
]
TREND_COLUMNS = [
    Column("round", "#meta+round"),
    Column("period_start", "#date+start"),
    Column("period_end", "#date+end"),
    *_population_columns(),
]
FLOW_COLUMNS = [
    Column("origin_pcode", "#adm1+code+origin"),
    Column("origin_name", "#adm1+name+origin"),
    Column("current_pcode", "#adm1+code+current"),
    Column("current_name", "#adm1+name+current"),
    Column("locations", "#indicator+locations+num"),
    Column("families", "#affected+hh", suppressible=True),
    Column("individuals", "#affected+ind", suppressible=True),
]
SHELTER_COLUMNS = [
    Column("shelter_group", "#indicator+shelter+group", key="group"),
    Column("shelter_category", "#indicator+shelter+code", key="category"),
    Column("shelter_label", "#indicator+shelter+name", key="label"),
    Column("families", "#affected+hh", suppressible=True),
    Column("individuals", "#affected+ind", suppressible=True),
]
NEEDS_COLUMNS = [
    Column("governorate_pcode", "#adm1+code"),
    Column("governorate_name", "#adm1+name"),
    Column("assessed_locations", "#indicator+assessed+num"),
    Column("sector", "#sector+code"),
    Column("sector_label", "#sector+name"),
    Column("priority_locations", "#indicator+priority+num"),
    Column("first_priority_locations", "#indicator+priority+first+num"),
    Column("mean_severity", "#severity+mean"),
]
INTENTION_COLUMNS = [
    Column("population_type", "#population+type"),
    Column("intention", "#indicator+intention+code"),
    Column("intention_label", "#indicator+intention+name"),
    Column("families", "#affected+hh", suppressible=True),
]


@dataclass
class Query:
    """What to export: the round, and the filters every table shares."""

    round: AssessmentRound
    population_type: str | None = None
    area: AdminArea | None = None
    public: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _area_table(level: str) -> Callable[[Any, Query], Table]:
    def build(vis: Any, query: Query) -> Table:
        rows = aggregates.by_area(
            user=vis,
            round=query.round,
            level=level,
            population_type=query.population_type,
            area=query.area,
        )
        columns = [*AREA_COLUMNS[level], *GEO, *_population_columns()]
        return Table(level, columns, rows)

    return build


def _master_list(vis: Any, query: Query) -> Table:
    rows = aggregates.master_list(
        user=vis, round=query.round, area=query.area, population_type=query.population_type
    )
    return Table("masterlist", MASTER_LIST_COLUMNS, rows)


def _totals(vis: Any, query: Query) -> Table:
    result = aggregates.totals(
        user=vis, round=query.round, area=query.area, population_type=query.population_type
    )
    rows = [
        {"population_type": population_type, **values}
        for population_type, values in result["populations"].items()
    ]
    return Table("totals", TOTALS_COLUMNS, rows)


def _trend(vis: Any, query: Query) -> Table:
    rows = aggregates.trend(user=vis, area=query.area, population_type=query.population_type)
    return Table("trend", TREND_COLUMNS, rows)


def _flows(vis: Any, query: Query) -> Table:
    rows = aggregates.flows(
        user=vis,
        round=query.round,
        area=query.area,
        population_type=query.population_type or "idp",
        origin=query.extra.get("origin"),
    )
    return Table("flows", FLOW_COLUMNS, rows)


def _shelter(vis: Any, query: Query) -> Table:
    result = aggregates.shelter(
        user=vis, round=query.round, area=query.area, population_type=query.population_type
    )
    return Table("shelter", SHELTER_COLUMNS, result["categories"])


def _needs(vis: Any, query: Query) -> Table:
    result = aggregates.needs_by_governorate(user=vis, round=query.round, area=query.area)
    return Table("needs", NEEDS_COLUMNS, aggregates.needs_flat(result))


def _intentions(vis: Any, query: Query) -> Table:
    rows = aggregates.intentions(
        user=vis, round=query.round, area=query.area, population_type=query.population_type
    )
    return Table("intentions", INTENTION_COLUMNS, rows)


BUILDERS: dict[str, Callable[[Any, Query], Table]] = {
    "governorate": _area_table("governorate"),
    "district": _area_table("district"),
    "location": _area_table("location"),
    "masterlist": _master_list,
    "totals": _totals,
    "trend": _trend,
    "flows": _flows,
    "shelter": _shelter,
    "needs": _needs,
    "intentions": _intentions,
}
TABLES = tuple(BUILDERS)


def build_table(name: str, *, user: Any, query: Query) -> Table:
    """The table ``name`` as ``user`` may read it (raises PermissionDenied, ValueError)."""
    if name not in BUILDERS:
        raise ValueError(
            _("Unknown table %(name)s; use one of %(tables)s.")
            % {"name": name, "tables": ", ".join(TABLES)}
        )
    vis = aggregates.visibility(user, public=query.public)
    if (
        name == "masterlist"
        and user is not None
        and not vis.published_only
        and not has_capability(user, Capability.EXPORT)
    ):
        raise PermissionDenied(
            _(
                "Your role may not export the master list of unpublished assessments; "
                "ask for the published (public) master list instead."
            )
        )
    table = BUILDERS[name](vis, query)
    table.threshold = vis.threshold if vis.suppress else None
    return table


def _value(column: Column, row: dict[str, Any], table: Table) -> Any:
    value = row.get(column.source)
    if value is None:
        if not column.suppressible:
            return ""
        if column.source in row.get(aggregates.WITHHELD, ()):
            return table.withheld_marker
        return table.marker
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A spreadsheet would run this text as a formula.
        return "'" + value
    return value


def to_csv(table: Table, *, hxl: bool = False) -> str:
    """CSV with a header row; ``hxl`` adds the row of HXL hashtags under it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.header for column in table.columns])
    if hxl:
        writer.writerow([column.tag for column in table.columns])
    for row in table.rows:
        writer.writerow([_value(column, row, table) for column in table.columns])
    return buffer.getvalue()


def to_xlsx(table: Table) -> bytes:
    """One worksheet: the header row, then the rows (numbers stay numbers)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([column.header for column in table.columns])
    for row in table.rows:
        sheet.append([_value(column, row, table) for column in table.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def render(table: Table, file_format: str) -> bytes:
    if file_format == "xlsx":
        return to_xlsx(table)
    if file_format in ("csv", "hxl"):
        return to_csv(table, hxl=file_format == "hxl").encode("utf-8")
    raise ValueError(
        _("Unknown format %(format)s; use one of %(formats)s.")
        % {"format": file_format, "formats": ", ".join(FORMATS)}
    )


def export(
    *,
    actor: Any,
    user: Any,
    table: str,
    file_format: str,
    round: AssessmentRound,
    population_type: str | None = None,
    area: AdminArea | None = None,
    public: bool = False,
    origin: AdminArea | None = None,
    channel: str = "ui",
) -> ExportFile:
    """Build, render and audit one export. ``user`` None is the command line (sees all)."""
    if file_format not in FORMATS:
        raise ValueError(
            _("Unknown format %(format)s; use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(FORMATS)}
        )
    query = Query(
        round=round,
        population_type=population_type or None,
        area=area,
        public=public,
        extra={"origin": origin} if origin is not None else {},
    )
    built = build_table(table, user=user, query=query)
    content = render(built, file_format)
    parts = ["displacement", f"round{round.number}", table]
    if area is not None:
        parts.append(area.pcode)
    if population_type:
        parts.append(population_type)
    if built.threshold:
        parts.append("public")
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        instance=round,
        context={
            "table": table,
            "format": file_format,
            "channel": channel,
            "area": area.pcode if area is not None else None,
            "population_type": population_type or None,
            "origin": origin.pcode if origin is not None else None,
            "suppressed": bool(built.threshold),
            "rows": len(built.rows),
        },
    )
    return ExportFile(
        content=content,
        filename="-".join(parts) + "." + EXTENSIONS[file_format],
        content_type=CONTENT_TYPES[file_format],
        rows=len(built.rows),
    )
