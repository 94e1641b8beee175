"""Assistance report files: each table of ``reports`` (by governorate, district, assistance
type, programme, donor, partner) and the 5W, as CSV, XLSX or HXL-tagged CSV.

``export`` is the one door (page download, API and command line): it reads through
``reports`` (so scope and small-cell suppression apply) and writes an EXPORT audit row. Files
are in English with the Arabic names of places beside; CSV and XLSX end with the total row and
show a suppressed figure as "<N>" (N = the small-cell threshold), and a figure withheld so that
a small row cannot be worked out from the total as "x"; the HXL file, meant for
machines, has no total row and leaves a suppressed figure empty.

HXL tags follow the HXL standard's 3W/5W practice: ``#org+impl`` (implementing partner),
``#org+funder`` (donor), ``#sector``, ``#activity``, ``#adm1``/``#adm2``/``#loc`` with ``+code``
for P-codes, ``#date+start``/``#date+end``, and ``#reached`` with ``+hh``, ``+ind``, ``+f``,
``+m``, ``+adults``, ``+children`` and the age groups as ``+age0_5`` … ``+age60_plus``.
"""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from marsad.assistance import counting, reports
from marsad.core import audit
from marsad.core.disclosure import WITHHELD_MARKER
from marsad.core.models import AuditAction

FORMATS = ("csv", "xlsx", "hxl")
FIVE_W = "5w"
TABLES = (*reports.DIMENSIONS, FIVE_W)
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
    figure: bool = False

    @property
    def source(self) -> str:
        return self.key or self.header


def _age_tag(cell: str) -> str:
    sex, group = cell.split("_", 1)
    return f"#reached+{sex[0]}+age{group}"


FIGURE_COLUMNS = [
    Column("households", "#reached+hh", figure=True),
    Column("individuals", "#reached+ind", figure=True),
    Column("women", "#reached+f+adults", figure=True),
    Column("men", "#reached+m+adults", figure=True),
    Column("girls", "#reached+f+children", figure=True),
    Column("boys", "#reached+m+children", figure=True),
    *[Column(cell, _age_tag(cell), figure=True) for cell in counting.AGE_CELLS],
    Column("not_disaggregated", "#reached+ind+unknown", figure=True),
    Column("receipts", "#output+receipts", figure=True),
]

LABEL_COLUMNS = {
    "governorate": [
        Column("governorate_code", "#adm1+code", "code"),
        Column("governorate_name", "#adm1+name", "name_en"),
        Column("governorate_name_ar", "#adm1+name+i_ar", "name_ar"),
    ],
    "district": [
        Column("governorate_code", "#adm1+code", "parent_code"),
        Column("governorate_name", "#adm1+name", "parent_name_en"),
        Column("district_code", "#adm2+code", "code"),
        Column("district_name", "#adm2+name", "name_en"),
        Column("district_name_ar", "#adm2+name+i_ar", "name_ar"),
    ],
    "assistance_type": [
        Column("sector_code", "#sector+code"),
        Column("sector_name", "#sector+name", "sector_name_en"),
        Column("assistance_type", "#activity+type+code", "code"),
        Column("assistance_name", "#activity+type+name", "name_en"),
    ],
    "programme": [
        Column("programme_code", "#activity+programme+code", "code"),
        Column("programme_name", "#activity+programme+name", "name_en"),
    ],
    "donor": [
        Column("donor_code", "#org+funder+code", "code"),
        Column("donor_name", "#org+funder+name", "name_en"),
    ],
    "partner": [
        Column("partner_code", "#org+impl+code", "code"),
        Column("partner_name", "#org+impl+name", "name_en"),
    ],
}
QUANTITY_COLUMNS = [
    Column("quantity", "#output+num", figure=True),
    Column("unit", "#output+unit", "unit_en"),
]

FIVE_W_COLUMNS = [
    Column("partner_code", "#org+impl+code"),
    Column("partner_name", "#org+impl+name"),
    Column("donor_code", "#org+funder+code"),
    Column("donor_name", "#org+funder+name"),
    Column("programme_code", "#activity+programme+code"),
    Column("programme_name", "#activity+programme+name"),
    Column("plan_code", "#activity+code"),
    Column("plan_title", "#activity+name"),
    Column("sector_code", "#sector+code"),
    Column("sector_name", "#sector+name"),
    Column("assistance_type", "#activity+type+code"),
    Column("assistance_name", "#activity+type+name"),
    Column("governorate_code", "#adm1+code"),
    Column("governorate_name", "#adm1+name"),
    Column("governorate_name_ar", "#adm1+name+i_ar"),
    Column("district_code", "#adm2+code"),
    Column("district_name", "#adm2+name"),
    Column("location_code", "#loc+code"),
    Column("location_name", "#loc+name"),
    Column("date_start", "#date+start"),
    Column("date_end", "#date+end"),
    *FIGURE_COLUMNS,
    *QUANTITY_COLUMNS[:1],
    Column("unit", "#output+unit"),
]


def columns(table: str) -> list[Column]:
    """The columns of ``table`` (a name of ``TABLES``)."""
    if table == FIVE_W:
        return FIVE_W_COLUMNS
    extra = QUANTITY_COLUMNS if table == "assistance_type" else []
    return [*LABEL_COLUMNS[table], *FIGURE_COLUMNS, *extra]


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    total: dict[str, Any] | None
    threshold: int | None  # set when small rows were suppressed

    @property
    def marker(self) -> str:
        return f"<{self.threshold}" if self.threshold else ""


def build_table(table: str, *, user: Any, filters: reports.Filters | None = None) -> Table:
    """The rows of ``table`` as ``user`` (or a ``reports.Visibility``) may read them
    (PermissionDenied, ValueError)."""
    if table not in TABLES:
        raise ValueError(
            _("Unknown table %(name)s; use one of %(tables)s.")
            % {"name": table, "tables": ", ".join(TABLES)}
        )
    vis = reports.resolve_visibility(user)
    if table == FIVE_W:
        result = reports.five_w(user=vis, filters=filters)
        total = None
    else:
        result = reports.assisted(user=vis, by=table, filters=filters)
        total = result["total"]
    return Table(
        table,
        columns(table),
        result["rows"],
        total,
        vis.threshold if vis.suppress else None,
    )


def _value(column: Column, row: dict[str, Any], marker: str) -> Any:
    value = row.get(column.source)
    if value is None:
        if not (column.figure and marker):
            return ""
        return WITHHELD_MARKER if column.source in row.get("withheld", ()) else marker
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A spreadsheet would run this text as a formula.
        return "'" + value
    return value


def _total_row(table: Table) -> dict[str, Any] | None:
    """The total row as a file shows it: "Total" in the first text column."""
    if table.total is None:
        return None
    first_text = next(column for column in table.columns if not column.figure)
    row = {key: value for key, value in table.total.items() if key in counting.FIGURES}
    row[first_text.source] = "Total"
    return row


def to_csv(table: Table, *, hxl: bool = False) -> str:
    """CSV with a header row; ``hxl`` adds the row of HXL hashtags under it and leaves the
    total row and suppression markers out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([column.header for column in table.columns])
    marker = "" if hxl else table.marker
    if hxl:
        writer.writerow([column.tag for column in table.columns])
    rows = list(table.rows)
    total = None if hxl else _total_row(table)
    if total is not None:
        rows.append(total)
    for row in rows:
        writer.writerow([_value(column, row, marker) for column in table.columns])
    return buffer.getvalue()


def to_xlsx(table: Table) -> bytes:
    """One worksheet: the header row, the rows (numbers stay numbers) and the total row."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.name[:31])
    sheet.append([column.header for column in table.columns])
    rows = list(table.rows)
    total = _total_row(table)
    if total is not None:
        rows.append(total)
    for row in rows:
        sheet.append([_value(column, row, table.marker) for column in table.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, file_format: str) -> bytes:
    if file_format == "xlsx":
        return to_xlsx(table)
    if file_format in ("csv", "hxl"):
        return to_csv(table, hxl=file_format == "hxl").encode("utf-8")
    raise ValueError(
        _("Unknown format %(format)s; use one of %(formats)s.")
        % {"format": file_format, "formats": ", ".join(FORMATS)}
    )


@dataclass
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def _filename(table: str, filters: reports.Filters, file_format: str, suppressed: bool) -> str:
    parts = ["assistance", table]
    chosen = filters.as_dict()
    for key in ("programme", "donor", "partner", "assistance_type", "area"):
        if chosen[key]:
            parts.append(str(chosen[key]))
    if chosen["date_from"] or chosen["date_to"]:
        parts.append(f"{chosen['date_from'] or ''}_{chosen['date_to'] or ''}")
    if suppressed:
        parts.append("public")
    return "-".join(parts) + "." + EXTENSIONS[file_format]


def export(
    *,
    actor: Any,
    user: Any,
    table: str,
    file_format: str,
    filters: reports.Filters | None = None,
    channel: str = "ui",
) -> ExportFile:
    """Build, render and audit one export. ``user`` None is the command line (sees all)."""
    if file_format not in FORMATS:
        raise ValueError(
            _("Unknown format %(format)s; use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(FORMATS)}
        )
    filters = filters or reports.Filters()
    with translation.override("en"):
        built = build_table(table, user=user, filters=filters)
    content = render(built, file_format)
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="assistance.report",
        object_id=table,
        object_repr=f"Assistance report: {table}",
        context={
            "table": table,
            "format": file_format,
            "channel": channel,
            "filters": filters.as_dict(),
            "suppressed": bool(built.threshold),
            "rows": len(built.rows),
        },
    )
    return ExportFile(
        content=content,
        filename=_filename(table, filters, file_format, bool(built.threshold)),
        content_type=CONTENT_TYPES[file_format],
        rows=len(built.rows),
    )
