"""REST API for displacement aggregates, in the spirit of DTM's public API: rounds, totals,
figures by admin level, trend, origin → current flows, shelter, needs, intentions, and file
exports. Read-only. Roles that see records get their scope (any status); every other holder of
the view-aggregates capability gets published figures, cells of fewer families than the
small-cell threshold returned as ``null``."""

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.core.api import HasCapability
from marsad.core.pagination import Pagination
from marsad.core.roles import Capability
from marsad.displacement import aggregates, exporters
from marsad.displacement.models import AssessmentRound, PopulationType
from marsad.geo.models import AdminArea

SUPPRESSION_NOTE = (
    "Aggregate viewers (and `public=true`) get published assessments of published rounds only; "
    "a cell of fewer families than the small-cell threshold is `null`, its individuals too."
)


# --- query parameters


class PublicQuery(serializers.Serializer):
    public = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "The published figures as the public sees them: small cells suppressed, with the "
            "cells that would give them away (see withheld)."
        ),
    )


class RoundQuery(PublicQuery):
    round = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("Round number; the newest round you may see when absent."),
    )
    area = serializers.CharField(
        required=False, help_text=_("P-code of an area: only locations within it.")
    )
    population_type = serializers.ChoiceField(
        choices=PopulationType.choices, required=False, help_text=_("idp, returnee or host.")
    )

    def validate_area(self, value: str) -> AdminArea:
        try:
            return AdminArea.objects.get(pcode=value)
        except AdminArea.DoesNotExist as error:
            raise serializers.ValidationError(
                _("No area has the P-code %(pcode)s.") % {"pcode": value}
            ) from error

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        vis = aggregates.visibility(self.context["request"].user, public=attrs.get("public"))
        attrs["visibility"] = vis
        visible = aggregates.rounds(user=vis)
        if attrs.get("round") is None:
            attrs["round"] = visible.first()
            if attrs["round"] is None and self.context.get("round_required", True):
                raise serializers.ValidationError(
                    {"round": _("There is no round you may see yet.")}
                )
        else:
            number = attrs["round"]
            attrs["round"] = visible.filter(number=number).first()
            if attrs["round"] is None:
                raise serializers.ValidationError(
                    {"round": _("There is no round %(number)s you may see.") % {"number": number}}
                )
        return attrs


class AreaLevelQuery(RoundQuery):
    level = serializers.ChoiceField(
        choices=aggregates.LEVELS, default="governorate", help_text=_("Admin level of the rows.")
    )


class FlowQuery(RoundQuery):
    origin = serializers.CharField(
        required=False, help_text=_("P-code of an origin area: only flows from within it.")
    )
    population_type = serializers.ChoiceField(
        choices=PopulationType.choices,
        required=False,
        default=PopulationType.IDP,
        help_text=_("idp (default) or returnee (origin = area of last displacement)."),
    )

    def validate_origin(self, value: str) -> AdminArea:
        return self.validate_area(value)


class ExportQuery(AreaLevelQuery):
    table = serializers.ChoiceField(
        choices=exporters.TABLES, default="governorate", help_text=_("What to export.")
    )
    file_format = serializers.ChoiceField(
        choices=exporters.FORMATS, default="csv", help_text=_("csv, xlsx or hxl (HXL-tagged CSV).")
    )


# --- responses


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()


def withheld_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_(
            "In the public figures: the fields of this row that are null not for being small "
            "but to protect a small figure elsewhere, which a total would otherwise give away. "
            "They hold at least as many families as the threshold."
        ),
    )


class SuppressionSerializer(serializers.Serializer):
    published_only = serializers.BooleanField()
    suppressed = serializers.BooleanField()
    threshold = serializers.IntegerField(allow_null=True)


class PopulationTotalSerializer(serializers.Serializer):
    label = serializers.CharField()
    families = serializers.IntegerField(allow_null=True)
    individuals = serializers.IntegerField(allow_null=True)
    withheld = withheld_field()
    locations = serializers.IntegerField()
    change_families = serializers.IntegerField(allow_null=True)
    change_individuals = serializers.IntegerField(allow_null=True)


class PopulationsSerializer(serializers.Serializer):
    idp = PopulationTotalSerializer()
    returnee = PopulationTotalSerializer()
    host = PopulationTotalSerializer()


class TotalsSerializer(serializers.Serializer):
    round = RoundSerializer()
    previous_round = RoundSerializer(allow_null=True)
    area = serializers.CharField(allow_null=True)
    population_type = serializers.CharField(allow_null=True)
    locations = serializers.IntegerField()
    populations = PopulationsSerializer()
    suppression = SuppressionSerializer()


class PopulationCellsSerializer(serializers.Serializer):
    locations = serializers.IntegerField()
    idp_families = serializers.IntegerField(allow_null=True)
    idp_individuals = serializers.IntegerField(allow_null=True)
    returnee_families = serializers.IntegerField(allow_null=True)
    returnee_individuals = serializers.IntegerField(allow_null=True)
    host_families = serializers.IntegerField(allow_null=True)
    host_individuals = serializers.IntegerField(allow_null=True)
    withheld = withheld_field()


class AreaFiguresSerializer(PopulationCellsSerializer):
    level = serializers.CharField()
    pcode = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    name_ar = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    governorate_pcode = serializers.CharField()
    governorate_name = serializers.CharField()
    district_pcode = serializers.CharField(allow_null=True)
    district_name = serializers.CharField(allow_null=True)


class TrendSerializer(PopulationCellsSerializer):
    round = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class FlowSerializer(serializers.Serializer):
    origin_pcode = serializers.CharField(allow_null=True, help_text=_("null: not recorded."))
    origin_name = serializers.CharField()
    current_pcode = serializers.CharField()
    current_name = serializers.CharField()
    locations = serializers.IntegerField()
    families = serializers.IntegerField(allow_null=True)
    individuals = serializers.IntegerField(allow_null=True)
    withheld = withheld_field()


class ShelterCategorySerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    families = serializers.IntegerField(allow_null=True)
    individuals = serializers.IntegerField(allow_null=True)
    withheld = withheld_field()


class ShelterGroupSerializer(serializers.Serializer):
    group = serializers.CharField()
    label = serializers.CharField()
    families = serializers.IntegerField(allow_null=True)
    individuals = serializers.IntegerField(allow_null=True)
    withheld = withheld_field()


class ShelterSerializer(serializers.Serializer):
    categories = ShelterCategorySerializer(many=True)
    groups = ShelterGroupSerializer(many=True)
    suppression = SuppressionSerializer()


class NeedSerializer(serializers.Serializer):
    governorate_pcode = serializers.CharField()
    governorate_name = serializers.CharField()
    assessed_locations = serializers.IntegerField()
    sector = serializers.CharField()
    sector_label = serializers.CharField()
    priority_locations = serializers.IntegerField()
    first_priority_locations = serializers.IntegerField()
    mean_severity = serializers.FloatField(allow_null=True)


class IntentionSerializer(serializers.Serializer):
    population_type = serializers.CharField()
    population_label = serializers.CharField()
    intention = serializers.CharField()
    intention_label = serializers.CharField()
    families = serializers.IntegerField(allow_null=True)


# --- viewsets


class OneObjectSchema(AutoSchema):
    """For endpoints routed as ``list`` that answer one object (totals, shelter, a file)."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class AggregateViewSet(viewsets.ViewSet):
    """Common plumbing: capability check, query validation, pagination of lists."""

    permission_classes = [HasCapability]
    required_capability = Capability.VIEW_AGGREGATES
    pagination_class = Pagination
    query_class: type[RoundQuery] = RoundQuery
    round_required = True

    def query(self, request: Request) -> dict[str, Any]:
        serializer = self.query_class(
            data=request.query_params,
            context={"request": request, "round_required": self.round_required},
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def paginated(self, request: Request, rows: list[dict[str, Any]], serializer: Any) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(serializer(page, many=True).data)


class RoundAggregateViewSet(AggregateViewSet):
    """Assessment rounds you may read figures of, newest first (published ones for the public)."""

    @extend_schema(parameters=[PublicQuery], responses=RoundSerializer(many=True))
    def list(self, request: Request) -> Response:
        query = PublicQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rounds: list[AssessmentRound] = list(
            aggregates.rounds(user=request.user, public=query.validated_data["public"])
        )
        return self.paginated(request, rounds, RoundSerializer)


class TotalsViewSet(AggregateViewSet):
    schema = OneObjectSchema()
    pagination_class = None

    @extend_schema(
        parameters=[RoundQuery],
        responses=TotalsSerializer,
        description="Families, individuals and locations by population type in a round, with "
        "the change since the previous round. " + SUPPRESSION_NOTE,
    )
    def list(self, request: Request) -> Response:
        q = self.query(request)
        return Response(
            aggregates.totals(
                user=q["visibility"],
                round=q["round"],
                area=q.get("area"),
                population_type=q.get("population_type"),
            )
        )


class AdminAreaAggregateViewSet(AggregateViewSet):
    query_class = AreaLevelQuery

    @extend_schema(
        parameters=[AreaLevelQuery],
        responses=AreaFiguresSerializer(many=True),
        description="Families and individuals by population type for each governorate, "
        "district or location of a round. " + SUPPRESSION_NOTE,
    )
    def list(self, request: Request) -> Response:
        q = self.query(request)
        rows = aggregates.by_area(
            user=q["visibility"],
            round=q["round"],
            level=q["level"],
            population_type=q.get("population_type"),
            area=q.get("area"),
        )
        return self.paginated(request, rows, AreaFiguresSerializer)


class TrendViewSet(AggregateViewSet):
    round_required = False

    @extend_schema(
        parameters=[RoundQuery],
        responses=TrendSerializer(many=True),
        description="Families and individuals by population type for every round, oldest "
        "first (the round parameter is ignored). " + SUPPRESSION_NOTE,
    )
    def list(self, request: Request) -> Response:
        q = self.query(request)
        rows = aggregates.trend(
            user=q["visibility"], area=q.get("area"), population_type=q.get("population_type")
        )
        return self.paginated(request, rows, TrendSerializer)


class FlowViewSet(AggregateViewSet):
    query_class = FlowQuery

    @extend_schema(
        parameters=[FlowQuery],
        responses=FlowSerializer(many=True),
        description="Families and individuals from each origin governorate to each current "
        "governorate (origins recorded at district or location level are reduced to their "
        "governorate). " + SUPPRESSION_NOTE,
    )
    def list(self, request: Request) -> Response:
        q = self.query(request)
        rows = aggregates.flows(
            user=q["visibility"],
            round=q["round"],
            area=q.get("area"),
            population_type=q["population_type"],
            origin=q.get("origin"),
        )
        return self.paginated(request, rows, FlowSerializer)


class ShelterViewSet(AggregateViewSet):
    schema = OneObjectSchema()
    pagination_class = None

    @extend_schema(
        parameters=[RoundQuery],
        responses=ShelterSerializer,
        description="Families and individuals by shelter category and by group (camp, private, "
        "critical). Every population type when population_type is absent. " + SUPPRESSION_NOTE,
    )
    def list(self, request: Request) -> Response:
        q = self.query(request)
        return Response(
            aggregates.shelter(
                user=q["visibility"],
                round=q["round"],
                area=q.get("area"),
                population_type=q.get("population_type"),
            )
        )


class NeedViewSet(AggregateViewSet):
    @extend_schema(
        parameters=[RoundQuery],
        responses=NeedSerializer(many=True),
        description="For each governorate × sector: the locations that ranked it a priority, "
        "those that ranked it first and the mean severity (1–5). Not suppressed: counts of "
        "locations, not of people. population_type is ignored.",
    )
    def list(self, request: Request) -> Response:
        q = self.query(request)
        result = aggregates.needs_by_governorate(
            user=q["visibility"], round=q["round"], area=q.get("area")
        )
        return self.paginated(request, aggregates.needs_flat(result), NeedSerializer)


class IntentionViewSet(AggregateViewSet):
    @extend_schema(
        parameters=[RoundQuery],
        responses=IntentionSerializer(many=True),
        description="Families by intention (return, integrate, settle elsewhere, undecided) "
        "for each population type that reported intentions. " + SUPPRESSION_NOTE,
    )
    def list(self, request: Request) -> Response:
        q = self.query(request)
        rows = aggregates.intentions(
            user=q["visibility"],
            round=q["round"],
            area=q.get("area"),
            population_type=q.get("population_type"),
        )
        return self.paginated(request, rows, IntentionSerializer)


class ExportViewSet(AggregateViewSet):
    query_class = ExportQuery
    schema = OneObjectSchema()
    pagination_class = None

    @extend_schema(
        parameters=[ExportQuery],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.BINARY, description="CSV, or HXL-tagged CSV."
            ),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX workbook."),
        },
        description="One table as a file: the master list, figures by governorate, district "
        "or location, or a chart's numbers. Suppressed cells read '<N>'. Every export is "
        "written to the audit log. The master list of unpublished assessments needs the "
        "export capability.",
    )
    def list(self, request: Request) -> HttpResponse:
        q = self.query(request)
        result = exporters.export(
            actor=request.user,
            user=request.user,
            table=q["table"],
            file_format=q["file_format"],
            round=q["round"],
            population_type=q.get("population_type"),
            area=q.get("area"),
            public=q["public"],
            channel="api",
        )
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response


ROUTES = [
    ("aggregates/rounds", RoundAggregateViewSet, "aggregate-round"),
    ("aggregates/totals", TotalsViewSet, "aggregate-totals"),
    ("aggregates/admin-areas", AdminAreaAggregateViewSet, "aggregate-area"),
    ("aggregates/trend", TrendViewSet, "aggregate-trend"),
    ("aggregates/flows", FlowViewSet, "aggregate-flow"),
    ("aggregates/shelter", ShelterViewSet, "aggregate-shelter"),
    ("aggregates/needs", NeedViewSet, "aggregate-need"),
    ("aggregates/intentions", IntentionViewSet, "aggregate-intention"),
    ("aggregates/export", ExportViewSet, "aggregate-export"),
]
