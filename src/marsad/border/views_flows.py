"""Border flow statistics: entries and exits by day, point, nationality and purpose, net flow,
the days that stand out against the previous four weeks, and the overstays list; Plotly charts
and a CSV or XLSX download of every table. Roles that see records sum their scope; aggregate
viewers see every crossing with small cells suppressed (``selectors.flow_visibility``)."""

import csv
import datetime
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from marsad.border import selectors
from marsad.border.forms import FlowFilterForm
from marsad.core import audit
from marsad.core.disclosure import WITHHELD_MARKER
from marsad.core.models import AuditAction
from marsad.core.roles import Capability
from marsad.core.scoping import has_capability

DEFAULT_DAYS = 28
TABLES = ("by_day", "by_point", "by_nationality", "by_purpose", "outliers", "overstays")
FORMATS = ("csv", "xlsx")
NOT_RECORDED = "-"  # the purpose filter's value for crossings without a purpose


def flow_report(
    user: Any,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    point: Any = None,
    direction: str = "",
    nationality: str = "",
    purpose: str | None = None,
) -> dict[str, Any]:
    """Every figure of the flows page (and the API's flow endpoint), as JSON-ready data.
    Raises PermissionDenied for a role that sees neither records nor aggregates."""
    vis = selectors.flow_visibility(user)
    report = selectors.flow_statistics(
        vis,
        date_from=date_from,
        date_to=date_to,
        point=point,
        direction=direction,
        nationality=nationality,
        purpose=purpose,
    )
    overstays: list[dict[str, Any]] = []
    if vis.scoped:
        found = selectors.overstays(
            user, as_of=date_to, point=point, nationality=nationality, purpose=purpose
        )
        for crossing in found[:500]:
            overstays.append(
                {
                    "crossing": crossing.pk,
                    "traveller": crossing.traveller.full_name,
                    "document": crossing.document.number,
                    "nationality": crossing.nationality,
                    "point": crossing.point.code,
                    "entered": timezone.localtime(crossing.crossed_at).date().isoformat(),
                    "permit_expiry": crossing.permit_expiry.isoformat(),
                    "days_over": selectors.overstay_days(crossing, date_to),
                }
            )
    report["overstay_list"] = overstays if vis.scoped else None
    return report


def _filters(request: HttpRequest) -> tuple[FlowFilterForm, dict[str, Any]]:
    points = selectors.points(None).order_by("name_en")
    form = FlowFilterForm(request.GET or None, points=points)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    today = timezone.localdate()
    date_to = data.get("date_to") or today
    date_from = data.get("date_from") or (date_to - datetime.timedelta(days=DEFAULT_DAYS - 1))
    purpose = data.get("purpose") or None
    if purpose == NOT_RECORDED:
        purpose = ""
    return form, {
        "date_from": date_from,
        "date_to": date_to,
        "point": data.get("point"),
        "direction": data.get("direction") or "",
        "nationality": data.get("nationality") or "",
        "purpose": purpose,
    }


def _labels() -> dict[str, str]:
    return {
        "entries": _("Entries"),
        "exits": _("Exits"),
        "net": _("Net flow (entries − exits)"),
        "day": _("Day"),
        "point": _("Crossing point"),
        "crossings": _("Crossings"),
    }


@login_required
def flows(request: HttpRequest) -> HttpResponse:
    form, chosen = _filters(request)
    report = flow_report(request.user, **chosen)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "border/flows.html",
        {
            "form": form,
            "report": report,
            "chosen": chosen,
            "labels": _labels(),
            "marker": f"<{report['visibility']['threshold']}"
            if report["visibility"]["suppressed"]
            else "",
            "withheld_marker": WITHHELD_MARKER,
            "export_query": query.urlencode(),
            "records": has_capability(request.user, Capability.VIEW_RECORDS),
        },
    )


def _columns(table: str) -> list[tuple[str, str]]:
    flows_columns = [("entries", _("Entries")), ("exits", _("Exits")), ("net", _("Net flow"))]
    return {
        "by_day": [("day", _("Day")), *flows_columns],
        "by_point": [("point", _("Code")), ("name", _("Crossing point")), *flows_columns],
        "by_nationality": [("nationality", _("Nationality")), *flows_columns],
        "by_purpose": [("purpose", _("Purpose code")), ("label", _("Purpose")), *flows_columns],
        "outliers": [
            ("day", _("Day")),
            ("point", _("Code")),
            ("name", _("Crossing point")),
            ("direction", _("Direction")),
            ("count", _("Crossings")),
            ("kind", _("Above or below")),
        ],
        "overstays": [
            ("traveller", _("Traveller")),
            ("document", _("Document")),
            ("nationality", _("Nationality")),
            ("point", _("Entered at")),
            ("entered", _("Entered on")),
            ("permit_expiry", _("Permitted until")),
            ("days_over", _("Days over")),
        ],
    }[table]


def _hidden_as(key: str, row: dict[str, Any], marker: str) -> str:
    """What a hidden cell reads as: "x" when withheld to protect another, the small-cell marker
    when small, nothing for a net flow (a difference, never a count of travellers)."""
    if key == "net":
        return ""
    return WITHHELD_MARKER if key in row.get("withheld", ()) else marker


def _safe(value: Any, marker: str) -> Any:
    if value is None:
        return marker
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@login_required
def flows_export(request: HttpRequest) -> HttpResponse:
    """``?table=<table>&format=csv|xlsx`` plus the page's filters: one table as a download."""
    table = request.GET.get("table", "")
    file_format = request.GET.get("format", "csv")
    if table not in TABLES or file_format not in FORMATS:
        return HttpResponseBadRequest(
            _("Choose a table (%(tables)s) and a format (%(formats)s).")
            % {"tables": ", ".join(TABLES), "formats": ", ".join(FORMATS)},
            content_type="text/plain; charset=utf-8",
        )
    _form, chosen = _filters(request)
    report = flow_report(request.user, **chosen)
    rows = report["overstay_list"] if table == "overstays" else report[table]
    if rows is None:
        return HttpResponseBadRequest(
            _("The overstays list names travellers: your role sees only their number."),
            content_type="text/plain; charset=utf-8",
        )
    columns = _columns(table)
    marker = f"<{report['visibility']['threshold']}" if report["visibility"]["suppressed"] else ""
    matrix = [[header for _key, header in columns]] + [
        [_safe(row.get(key), _hidden_as(key, row, marker)) for key, _header in columns]
        for row in rows
    ]
    name = f"border-flows-{table}-{chosen['date_from']}-{chosen['date_to']}"
    if file_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=table[:31])
        for line in matrix:
            sheet.append(line)
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows(matrix)
        content = text.getvalue().encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="border.flows",
        object_repr=name,
        context={
            "table": table,
            "format": file_format,
            "rows": len(rows),
            "date_from": chosen["date_from"].isoformat(),
            "date_to": chosen["date_to"].isoformat(),
            "point": chosen["point"].code if chosen["point"] else None,
        },
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    return response
