"""The displacement dashboard: headline totals, tables and charts of one round, a map, and the
numbers of every chart as a download. Aggregate viewers see published figures with small cells
suppressed; roles that see records see their scope (see ``aggregates``)."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.core.disclosure import WITHHELD_MARKER
from marsad.displacement import aggregates, exporters
from marsad.displacement.models import AssessmentRound, PopulationType
from marsad.geo.models import AdminArea, AreaLevel

CHARTS = exporters.TABLES


class DashboardFilterForm(forms.Form):
    round = forms.TypedChoiceField(label=gettext_lazy("Round"), coerce=int, required=False)
    area = forms.ModelChoiceField(
        label=gettext_lazy("Governorate"),
        queryset=AdminArea.objects.none(),
        to_field_name="pcode",
        required=False,
        empty_label=gettext_lazy("All governorates"),
    )
    population_type = forms.ChoiceField(
        label=gettext_lazy("Population"),
        choices=[("", gettext_lazy("IDPs and returnees")), *PopulationType.choices],
        required=False,
    )

    def __init__(self, *args: Any, rounds: list[AssessmentRound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [
            (
                each.number,
                _("Round %(number)s (%(end)s)") % {"number": each.number, "end": each.period_end},
            )
            for each in rounds
        ]
        self.fields["area"].queryset = AdminArea.objects.filter(
            level=AreaLevel.GOVERNORATE
        ).order_by("name_en")


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, dict[str, Any]]:
    """The filter form and the chosen round, area and population type (defaults for bad input:
    the newest round, everywhere, every population)."""
    vis = aggregates.visibility(request.user)
    rounds = list(aggregates.rounds(user=vis))
    form = DashboardFilterForm(request.GET or None, rounds=rounds)
    cleaned: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        cleaned = form.cleaned_data
    by_number = {each.number: each for each in rounds}
    chosen = by_number.get(cleaned.get("round")) if cleaned.get("round") else None
    return form, {
        "visibility": vis,
        "rounds": rounds,
        "round": chosen or (rounds[0] if rounds else None),
        "area": cleaned.get("area"),
        "population_type": cleaned.get("population_type") or None,
    }


def _matrix(flows: list[dict[str, Any]]) -> dict[str, Any]:
    """Origin governorates (rows) × current governorates (columns), families in the cells."""
    origins: dict[Any, str] = {}
    currents: dict[Any, str] = {}
    cells: dict[tuple[Any, Any], Any] = {}
    for flow in flows:
        origins.setdefault(flow["origin_pcode"], flow["origin_name"])
        currents.setdefault(flow["current_pcode"], flow["current_name"])
        cells[(flow["origin_pcode"], flow["current_pcode"])] = flow
    columns = sorted(currents, key=lambda pcode: pcode or "~")
    return {
        "columns": [{"pcode": pcode, "name": currents[pcode]} for pcode in columns],
        "rows": [
            {
                "pcode": origin,
                "name": origins[origin],
                "cells": [cells.get((origin, current)) for current in columns],
            }
            for origin in sorted(origins, key=lambda pcode: pcode or "~")
        ],
    }


def _map_points(rows: list[dict[str, Any]], population_type: str | None) -> list[dict[str, Any]]:
    types = [population_type] if population_type else ["idp", "returnee"]
    points = []
    for row in rows:
        if row["latitude"] is None or row["longitude"] is None:
            continue
        values = [row[f"{each}_individuals"] for each in types]
        points.append(
            {
                "pcode": row["pcode"],
                "name": row["name"],
                "latitude": row["latitude"],
                "longitude": row["longitude"],
                "individuals": sum(value for value in values if value is not None),
                "suppressed": any(value is None for value in values),
                "withheld": any(
                    f"{each}_individuals" in row.get(aggregates.WITHHELD, ()) for each in types
                ),
            }
        )
    return points


def dashboard_payload(
    *,
    visibility: aggregates.Visibility,
    round: AssessmentRound,
    area: AdminArea | None,
    population_type: str | None,
) -> dict[str, Any]:
    """Every figure the dashboard shows, as JSON-ready data."""
    common = {"user": visibility, "round": round, "area": area}
    governorates = aggregates.by_area(
        level="governorate", population_type=population_type, **common
    )
    districts = aggregates.by_area(level="district", population_type=population_type, **common)
    map_level = "location" if area is not None else "district"
    map_rows = (
        aggregates.by_area(level="location", population_type=population_type, **common)
        if area is not None
        else districts
    )
    flows = aggregates.flows(population_type=population_type or "idp", **common)
    labels = AdminArea.objects.filter(
        level=AreaLevel.GOVERNORATE, latitude__isnull=False, longitude__isnull=False
    ).values("pcode", "name_en", "name_ar", "name_ku", "latitude", "longitude")
    return {
        "totals": aggregates.totals(population_type=population_type, **common),
        "governorates": governorates,
        "districts": districts,
        "trend": aggregates.trend(user=visibility, area=area, population_type=population_type),
        "flows": flows,
        "shelter": aggregates.shelter(population_type=population_type or "idp", **common),
        "needs": aggregates.needs_by_governorate(**common),
        "intentions": aggregates.intentions(population_type=population_type, **common),
        "map": {
            "level": map_level,
            "points": _map_points(map_rows, population_type),
            "tile_url": settings.MARSAD_MAP_TILE_URL,
            "labels": [
                {
                    "pcode": label["pcode"],
                    "name": aggregates.localised(
                        label["name_en"], label["name_ar"], label["name_ku"]
                    ),
                    "latitude": float(label["latitude"]),
                    "longitude": float(label["longitude"]),
                }
                for label in labels
            ],
        },
    }


def _chart_labels() -> dict[str, str]:
    return {
        "idps": _("IDPs"),
        "returnees": _("Returnees"),
        "host": _("Host community"),
        "families": _("Families"),
        "individuals": _("Individuals"),
        "round": _("Round"),
        "suppressed": _("fewer than %(n)s families") % {"n": settings.MARSAD_SMALL_CELL_THRESHOLD},
        "withheld": _(
            "withheld so that a figure of fewer than %(n)s families cannot be worked out from "
            "the totals"
        )
        % {"n": settings.MARSAD_SMALL_CELL_THRESHOLD},
        "priority_locations": _("Locations ranking it a priority"),
        "mean_severity": _("Mean severity"),
        "not_recorded": _("Not recorded"),
        "origin": _("Origin"),
        "current": _("Now in"),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, chosen = _filters(request)
    context: dict[str, Any] = {
        "form": form,
        "round": chosen["round"],
        "area": chosen["area"],
        "population_type": chosen["population_type"],
        "visibility": chosen["visibility"],
        "marker": f"<{chosen['visibility'].threshold}",
        "withheld_marker": WITHHELD_MARKER,
        "charts": CHARTS,
    }
    if chosen["round"] is not None:
        payload = dashboard_payload(
            visibility=chosen["visibility"],
            round=chosen["round"],
            area=chosen["area"],
            population_type=chosen["population_type"],
        )
        query = {"round": chosen["round"].number}
        if chosen["area"] is not None:
            query["area"] = chosen["area"].pcode
        if chosen["population_type"]:
            query["population_type"] = chosen["population_type"]
        context.update(
            payload=payload,
            matrix=_matrix(payload["flows"]),
            export_query="&".join(f"{key}={value}" for key, value in query.items()),
            labels=_chart_labels(),
        )
    return render(request, "displacement/dashboard.html", context)


@login_required
def dashboard_data(request: HttpRequest) -> JsonResponse:
    _form, chosen = _filters(request)
    if chosen["round"] is None:
        return JsonResponse({"round": None, "rounds": []})
    payload = dashboard_payload(
        visibility=chosen["visibility"],
        round=chosen["round"],
        area=chosen["area"],
        population_type=chosen["population_type"],
    )
    payload["rounds"] = [each.number for each in chosen["rounds"]]
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """``?chart=<table>&format=csv|xlsx|hxl`` plus the dashboard's filters: one download."""
    _form, chosen = _filters(request)
    chart = request.GET.get("chart", "")
    file_format = request.GET.get("format", "csv")
    problems = []
    if chart not in CHARTS:
        problems.append(
            _("chart: %(chart)s is not a chart; use one of %(charts)s.")
            % {"chart": chart or "—", "charts": ", ".join(CHARTS)}
        )
    if file_format not in exporters.FORMATS:
        problems.append(
            _("format: %(format)s is not a format; use one of %(formats)s.")
            % {"format": file_format, "formats": ", ".join(exporters.FORMATS)}
        )
    if chosen["round"] is None:
        problems.append(_("round: there is no round to export yet."))
    if problems:
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain; charset=utf-8")
    result = exporters.export(
        actor=request.user,
        user=request.user,
        table=chart,
        file_format=file_format,
        round=chosen["round"],
        population_type=chosen["population_type"],
        area=chosen["area"],
        channel="ui",
    )
    content = result.content
    if file_format == "csv":
        # The byte-order mark lets Excel open Arabic and Kurdish names as UTF-8.
        content = "\ufeff".encode() + content
    response = HttpResponse(content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
