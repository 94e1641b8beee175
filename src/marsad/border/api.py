"""REST API for border management: crossing points (read), crossings (list, read, record one
with its MRZ: read, checked, screened), screening hits (the queue, one hit with its entry only
for readers cleared to see it, and the decision), watchlists (list, read, import a file into
one), and the flow statistics with the filters of the flows page. Thin: ``services`` and
``watchlist_import`` write, ``selectors`` read, ``counter`` screens."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.border import counter, selectors, services
from marsad.border.models import (
    BorderCrossingPoint,
    Crossing,
    Decision,
    Direction,
    HitStatus,
    PermitType,
    Purpose,
    ScreeningHit,
    Watchlist,
)
from marsad.border.tasks import watchlist_import_start
from marsad.border.views_flows import flow_report
from marsad.border.watchlist_import import check_may_import, watchlist_import
from marsad.core.api import HasCapability, ScopedReadOnlyViewSet
from marsad.core.api_uploads import IMPORT_RESPONSES, accepted, upload_action
from marsad.core.forms import UPLOAD_MAX_BYTES
from marsad.core.roles import Capability


class PointSerializer(serializers.ModelSerializer):
    governorate = serializers.SlugRelatedField(slug_field="pcode", read_only=True)
    authority = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = BorderCrossingPoint
        fields = [
            "code",
            "name_en",
            "name_ar",
            "kind",
            "governorate",
            "latitude",
            "longitude",
            "neighbouring_country",
            "authority",
            "is_active",
        ]


class PointViewSet(viewsets.ReadOnlyModelViewSet):
    """Border crossing points (reference data: every signed-in user reads them)."""

    serializer_class = PointSerializer
    permission_classes = [HasCapability]
    lookup_field = "code"

    def get_queryset(self) -> QuerySet:
        return selectors.points(self.request.user).order_by("code")


class TravelDocumentSerializer(serializers.Serializer):
    document_type = serializers.CharField(read_only=True)
    issuing_state = serializers.CharField(read_only=True)
    number = serializers.CharField(read_only=True)
    surname = serializers.CharField(read_only=True)
    given_names = serializers.CharField(read_only=True)
    nationality = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)
    sex = serializers.CharField(read_only=True)
    expiry_date = serializers.DateField(read_only=True)
    mrz_format = serializers.CharField(read_only=True)
    mrz_valid = serializers.BooleanField(read_only=True, allow_null=True)
    mrz_checks = serializers.JSONField(read_only=True)


class CrossingSerializer(serializers.ModelSerializer):
    point = serializers.SlugRelatedField(slug_field="code", read_only=True)
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    traveller = serializers.CharField(source="traveller.full_name", read_only=True)
    document = TravelDocumentSerializer(read_only=True)

    class Meta:
        model = Crossing
        fields = [
            "id",
            "point",
            "direction",
            "crossed_at",
            "officer",
            "traveller",
            "document",
            "nationality",
            "permit_type",
            "permit_number",
            "permit_expiry",
            "purpose",
            "conveyance",
            "screening_outcome",
            "screened_at",
            "decision",
            "warnings",
            "notes",
        ]


class CrossingCreateSerializer(serializers.Serializer):
    point = serializers.SlugRelatedField(
        slug_field="code", queryset=BorderCrossingPoint.objects.filter(is_active=True)
    )
    direction = serializers.ChoiceField(choices=Direction.choices)
    decision = serializers.ChoiceField(choices=Decision.choices, default=Decision.ADMITTED)
    mrz = serializers.CharField(help_text="The MRZ lines, separated by newlines.")
    crossed_at = serializers.DateTimeField(required=False, allow_null=True)
    name_other_script = serializers.CharField(required=False, allow_blank=True, default="")
    permit_type = serializers.ChoiceField(
        choices=PermitType.choices, required=False, allow_blank=True, default=""
    )
    permit_number = serializers.CharField(required=False, allow_blank=True, default="")
    permit_expiry = serializers.DateField(required=False, allow_null=True, default=None)
    purpose = serializers.ChoiceField(
        choices=Purpose.choices, required=False, allow_blank=True, default=""
    )
    conveyance = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class CrossingViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Crossings you may see, newest first (a border officer: their points' crossings).
    ``POST`` records one from its MRZ at a point where you may record, screens the document
    and answers the crossing with its warnings and screening outcome."""

    queryset = Crossing.objects.all()
    serializer_class = CrossingSerializer
    required_capability = Capability.VIEW_RESTRICTED

    def get_queryset(self) -> QuerySet:
        return selectors.crossings(self.request.user).order_by("-crossed_at", "-pk")

    @extend_schema(request=CrossingCreateSerializer, responses={201: CrossingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = CrossingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        try:
            with transaction.atomic():
                crossing = services.crossing_record(
                    actor=request.user,
                    point=data.pop("point"),
                    direction=data.pop("direction"),
                    decision=data.pop("decision"),
                    mrz_text=data.pop("mrz"),
                    **data,
                )
                counter.screen_crossing(actor=request.user, crossing=crossing)
        except DjangoValidationError as error:
            detail = getattr(error, "message_dict", None) or {"detail": error.messages}
            raise exceptions.ValidationError(detail) from error
        fresh = selectors.crossings(request.user).get(pk=crossing.pk)
        return Response(CrossingSerializer(fresh).data, status=201)


class HitSerializer(serializers.ModelSerializer):
    crossing = serializers.PrimaryKeyRelatedField(read_only=True)
    point = serializers.CharField(source="crossing.point.code", read_only=True, default=None)
    traveller = serializers.CharField(source="document.traveller.full_name", read_only=True)
    document_number = serializers.CharField(source="document.number", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    explanation = serializers.SerializerMethodField()
    entry = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningHit
        fields = [
            "id",
            "crossing",
            "point",
            "traveller",
            "document_number",
            "score",
            "action",
            "explanation",
            "algorithm",
            "status",
            "decided_by",
            "decided_at",
            "note",
            "created_at",
            "entry",
        ]

    @extend_schema_field(serializers.JSONField())
    def get_explanation(self, hit: ScreeningHit) -> dict[str, Any]:
        """Why it matched, in words and as data; for a reader not cleared for the entry's list,
        without the listed person (``listed_hidden``: every listed value is "…")."""
        visible = self.context.get("visible_entries") or {}
        return selectors.explanation_as_read(
            hit.explanation or {}, entry_readable=hit.entry_id in visible
        )

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_entry(self, hit: ScreeningHit) -> dict[str, Any] | None:
        """The watchlist entry, only for a reader cleared for its list's sensitivity."""
        visible = self.context.get("visible_entries")
        if visible is None:
            return None
        entry = visible.get(hit.entry_id)
        if entry is None:
            return None
        return {
            "id": entry.pk,
            "watchlist": entry.watchlist.name,
            "names": list(entry.names),
            "birth_date": entry.birth_date.isoformat() if entry.birth_date else None,
            "birth_date_precision": entry.birth_date_precision,
            "nationality": entry.nationality,
            "document_numbers": list(entry.document_numbers),
            "reason": entry.reason,
        }


class HitDecisionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(HitStatus.CLEARED, "cleared"), (HitStatus.CONFIRMED, "confirmed")]
    )
    note = serializers.CharField(max_length=2000)


class HitViewSet(ScopedReadOnlyViewSet):
    """Screening hits, highest score first; ``?status=open`` (the default), ``cleared`` or
    ``confirmed``. ``POST hits/{id}/decide/`` clears or confirms an open hit with a note."""

    queryset = ScreeningHit.objects.all()
    serializer_class = HitSerializer
    required_capability = Capability.VIEW_RESTRICTED

    def get_queryset(self) -> QuerySet:
        status = self.request.query_params.get("status") or HitStatus.OPEN
        if self.action != "list":
            return selectors.hits(self.request.user).order_by("-score", "pk")
        if status not in HitStatus.values:
            raise exceptions.ValidationError({"status": f"one of {', '.join(HitStatus.values)}"})
        return selectors.hits(self.request.user).filter(status=status).order_by("-score", "pk")

    def _visible(self, hits: list[ScreeningHit]) -> dict[int, Any]:
        return selectors.readable_entries(self.request.user, {hit.entry_id for hit in hits})

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(HitStatus.values), required=False)]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "visible_entries": self._visible(page)}
        return self.get_paginated_response(HitSerializer(page, many=True, context=context).data)

    def _one(self, pk: Any) -> Response:
        try:
            view = selectors.hit_detail(self.request.user, int(pk))
        except (ScreeningHit.DoesNotExist, ValueError) as error:
            raise exceptions.NotFound() from error
        visible = {view.entry.pk: view.entry} if view.entry is not None else {}
        context = {**self.get_serializer_context(), "visible_entries": visible}
        return Response(HitSerializer(view.hit, context=context).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._one(kwargs["pk"])

    @extend_schema(request=HitDecisionSerializer, responses=HitSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        hit = self.get_object()
        body = HitDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.hit_decide(actor=request.user, hit=hit, **body.validated_data)
        except DjangoValidationError as error:
            detail = getattr(error, "message_dict", None) or {"detail": error.messages}
            raise exceptions.ValidationError(detail) from error
        return self._one(hit.pk)


class WatchlistSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # A plain string: the choices are two of the project's sensitivity levels.
    sensitivity = serializers.CharField(read_only=True, help_text="restricted or confidential")
    entry_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Watchlist
        fields = [
            "id",
            "name",
            "organisation",
            "description",
            "sensitivity",
            "is_active",
            "entry_count",
            "created_at",
            "updated_at",
        ]


class WatchlistImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV (UTF-8, UTF-8 with BOM, UTF-16 or Windows-1256) or XLSX with the columns "
        "entry_id, full_name, aliases, birth_date, nationality, document_number and optionally "
        "reason, action, valid_from, valid_until."
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Only check the file and report what would change."
    )
    deactivate_missing = serializers.BooleanField(
        default=False,
        help_text="End (yesterday) the validity of entries whose entry_id is not in the file.",
    )
    background = serializers.BooleanField(
        default=False,
        help_text="Import in the background (for large lists): the answer is 202 with the task "
        "run to follow, whose result is the report. Otherwise the report is the answer.",
    )

    def validate_file(self, upload: Any) -> Any:
        if upload.size > UPLOAD_MAX_BYTES:
            raise serializers.ValidationError(
                _("The file is larger than %(max)d MB; split it in parts.")
                % {"max": UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload


_REPORT_FIELDS = {
    "watchlist": serializers.IntegerField(),
    "filename": serializers.CharField(),
    "dry_run": serializers.BooleanField(),
    "deactivate_missing": serializers.BooleanField(),
    "format": serializers.CharField(),
    "encoding": serializers.CharField(),
    "rows": serializers.IntegerField(),
    "created": serializers.IntegerField(),
    "updated": serializers.IntegerField(),
    "unchanged": serializers.IntegerField(),
    "missing": serializers.IntegerField(),
    "ended": serializers.IntegerField(),
    "notes": serializers.ListField(child=serializers.CharField()),
    "error_count": serializers.IntegerField(),
}
WatchlistImportReportSerializer = inline_serializer(
    "WatchlistImportReport",
    {**_REPORT_FIELDS, "errors": serializers.ListField(child=serializers.CharField())},
)
WatchlistImportErrorSerializer = inline_serializer(
    "WatchlistImportErrors",
    {
        "errors": serializers.ListField(
            child=inline_serializer(
                "WatchlistImportError",
                {
                    "field": serializers.CharField(),
                    "code": serializers.CharField(),
                    "message": serializers.CharField(),
                    "row": serializers.IntegerField(allow_null=True),
                    "column": serializers.CharField(allow_null=True),
                },
            )
        ),
        "report": inline_serializer("WatchlistImportReportWithErrors", _REPORT_FIELDS),
    },
)


class WatchlistViewSet(ScopedReadOnlyViewSet):
    """Watchlists you are cleared to see (restricted or confidential), with their entry counts.
    ``POST watchlists/{id}/import/`` imports a watchlist file (multipart: ``file``, ``dry_run``,
    ``deactivate_missing``) into one you may change: all or nothing, idempotent by
    ``entry_id``; entries not in the file are never deleted. It answers the report: 201 when
    entries were written, 200 for a dry run or when nothing changed, 400 with every error by
    row and column (nothing written). With ``background`` it answers ``202`` with the task run
    to follow instead, as the upload page does: the way for lists too large for one request."""

    queryset = Watchlist.objects.all()
    serializer_class = WatchlistSerializer
    required_capability = Capability.VIEW_RESTRICTED

    def get_queryset(self) -> QuerySet:
        return (
            selectors.watchlists(self.request.user)
            .annotate(entry_count=Count("entries"))
            .order_by("organisation__code", "name")
        )

    @upload_action(
        "import",
        WatchlistImportSerializer,
        responses={
            200: WatchlistImportReportSerializer,
            201: WatchlistImportReportSerializer,
            202: IMPORT_RESPONSES[202],
            400: WatchlistImportErrorSerializer,
        },
    )
    def import_file(self, request: Request, pk: Any = None) -> Response:
        watchlist = self.get_object()
        check_may_import(request.user, watchlist)
        body = WatchlistImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if body.validated_data["background"]:
            run = watchlist_import_start(
                actor=request.user,
                watchlist=watchlist,
                upload=upload,
                dry_run=body.validated_data["dry_run"],
                deactivate_missing=body.validated_data["deactivate_missing"],
            )
            return accepted(request, run)
        report = watchlist_import(
            actor=request.user,
            watchlist=watchlist,
            content=upload.read(),
            filename=upload.name or "watchlist",
            dry_run=body.validated_data["dry_run"],
            deactivate_missing=body.validated_data["deactivate_missing"],
        )
        data = report.as_dict()
        if not report.ok:
            problems = [{"row": None, "column": None, "message": report.problem}] * bool(
                report.problem
            )
            problems += [
                {"row": error.row, "column": error.column or None, "message": str(error)}
                for error in report.errors
            ]
            data.pop("errors")
            return Response(
                {
                    "errors": [
                        {"field": "file", "code": "invalid", **problem} for problem in problems
                    ],
                    "report": data,
                },
                status=400,
            )
        written = not report.dry_run and (report.created or report.updated or report.ended)
        return Response(data, status=201 if written else 200)


class FlowQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    point = serializers.SlugRelatedField(
        slug_field="code", queryset=BorderCrossingPoint.objects.all(), required=False
    )
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    nationality = serializers.CharField(max_length=3, required=False)
    purpose = serializers.ChoiceField(choices=Purpose.choices, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": "before date_from"})
        if (attrs["date_to"] - attrs["date_from"]).days > 366:
            raise serializers.ValidationError({"date_to": "at most a year after date_from"})
        return attrs


FLOW_ROW = {
    "entries": serializers.IntegerField(allow_null=True),
    "exits": serializers.IntegerField(allow_null=True),
    "net": serializers.IntegerField(allow_null=True),
    "withheld": serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_(
            "In the public figures: the fields of this row that are null not for being small "
            "but to protect a small figure elsewhere, which a total would otherwise give away. "
            "They hold at least as many crossings as the threshold."
        ),
    ),
}


class FlowStatisticsViewSet(viewsets.ViewSet):
    """Entries, exits and net flow in total and by day, point, nationality and purpose; the
    days that stand out; the overstays (a count, and the list for roles that see records).
    Aggregate viewers get every crossing with cells under the small-cell threshold null, and
    the cells that would give those away null too (listed in the row's ``withheld``)."""

    permission_classes = [HasCapability]
    required_capability = Capability.VIEW_AGGREGATES
    pagination_class = None

    @extend_schema(
        parameters=[FlowQuerySerializer],
        responses=inline_serializer(
            "BorderFlowStatistics",
            {
                "date_from": serializers.DateField(),
                "date_to": serializers.DateField(),
                "point": serializers.CharField(allow_null=True),
                "visibility": serializers.JSONField(),
                "filters": serializers.JSONField(),
                "totals": inline_serializer("BorderFlowTotals", FLOW_ROW),
                "by_day": serializers.ListField(child=serializers.JSONField()),
                "by_point": serializers.ListField(child=serializers.JSONField()),
                "by_nationality": serializers.ListField(child=serializers.JSONField()),
                "by_purpose": serializers.ListField(child=serializers.JSONField()),
                "outliers": serializers.ListField(child=serializers.JSONField()),
                "overstays": serializers.IntegerField(allow_null=True),
                "overstay_list": serializers.ListField(
                    child=serializers.JSONField(), allow_null=True
                ),
            },
        ),
    )
    def list(self, request: Request) -> Response:
        query = FlowQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        purpose = data.get("purpose")
        return Response(
            flow_report(
                request.user,
                date_from=data["date_from"],
                date_to=data["date_to"],
                point=data.get("point"),
                direction=data.get("direction", ""),
                nationality=(data.get("nationality") or "").upper(),
                purpose=purpose if "purpose" in data else None,
            )
        )


ROUTES = [
    ("border/points", PointViewSet, "border-point"),
    ("border/crossings", CrossingViewSet, "border-crossing"),
    ("border/hits", HitViewSet, "border-hit"),
    ("border/watchlists", WatchlistViewSet, "border-watchlist"),
    ("border/flows", FlowStatisticsViewSet, "border-flows"),
]
