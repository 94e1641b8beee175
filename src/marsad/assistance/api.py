"""REST API of vulnerability targeting and assistance: criteria sets and their published
versions (programme managers publish the next version), plans (created as drafts with their
items, approved and closed by supervisors), selections (run on a plan; their entries, included
or left out with the reason), receipts (a second receipt of an assistance in a cycle is a 409
Conflict naming the earlier receipt; supervisors override it with ``override_reason``), and the
reports (households and individuals assisted, the 5W, files).

Reads go through ``assistance.selectors`` and ``assistance.reports`` (so through the scope);
writes through ``assistance.services``. Routes for ``marsad.api_router`` are in ``ROUTES``.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.assistance import reports, reports_export, selectors, services
from marsad.assistance.importers import COLUMNS as RECEIPT_COLUMNS
from marsad.assistance.importers import REQUIRED_COLUMNS as RECEIPT_REQUIRED_COLUMNS
from marsad.assistance.importers.apply import may_import
from marsad.assistance.importers.tasks import receipt_list_import_start
from marsad.assistance.models import (
    AssistancePlan,
    AssistanceType,
    CriteriaSetVersion,
    Receipt,
    Selection,
)
from marsad.assistance.serializers import (
    CriteriaSetSerializer,
    CriteriaVersionPublishSerializer,
    CriteriaVersionSerializer,
    DoubleAssistanceSerializer,
    PlanItemSerializer,
    PlanSerializer,
    PlanUpdateSerializer,
    ReceiptCreateSerializer,
    ReceiptSerializer,
    ReceiptVoidSerializer,
    SelectionEntrySerializer,
    SelectionRunSerializer,
    SelectionSerializer,
    earlier_receipt_data,
)
from marsad.assistance.serializers_reports import (
    AssistedQuery,
    AssistedReportSerializer,
    FiveWRowSerializer,
    ReportExportQuery,
    ReportQuery,
)
from marsad.core.api import HasCapability, ScopedModelViewSet, ScopedReadOnlyViewSet
from marsad.core.api_uploads import UploadField, accepted, upload_action
from marsad.core.pagination import Pagination
from marsad.core.roles import Capability

# --- Criteria --------------------------------------------------------------------------------


class CriteriaSetViewSet(ScopedReadOnlyViewSet):
    """Household vulnerability criteria sets in your scope, with their latest version number."""

    serializer_class = CriteriaSetSerializer
    required_capability = Capability.VIEW_RECORDS
    filterset_fields = ["is_active"]
    search_fields = ["name"]

    def get_queryset(self) -> QuerySet:
        return (
            selectors.criteria_sets(self.request.user)
            .prefetch_related("versions")
            .order_by("organisation__code", "name")
        )


class CriteriaVersionFilter(filters.FilterSet):
    criteria_set = filters.NumberFilter(field_name="criteria_set_id")

    class Meta:
        model = CriteriaSetVersion
        fields = ["criteria_set"]


class CriteriaVersionViewSet(ScopedReadOnlyViewSet):
    """Published criteria versions, newest first, each with its criteria. ``POST`` publishes
    the next version of a set (programme managers and system administrators); a published
    version never changes."""

    serializer_class = CriteriaVersionSerializer
    required_capability = Capability.VIEW_RECORDS
    filterset_class = CriteriaVersionFilter

    def get_queryset(self) -> QuerySet:
        return selectors.criteria_versions(self.request.user)

    @extend_schema(
        request=CriteriaVersionPublishSerializer, responses={201: CriteriaVersionSerializer}
    )
    def create(self, request: Request) -> Response:
        body = CriteriaVersionPublishSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        data = body.validated_data
        version = services.criteria_version_publish(
            actor=request.user,
            criteria_set=data["criteria_set"],
            criteria=[
                {
                    "kind": row["rule"],
                    "weight": row["weight"],
                    **({"parameter": row["parameter"]} if row.get("parameter") is not None else {}),
                    **({"label": row["label"]} if row.get("label") else {}),
                }
                for row in data["criteria"]
            ],
            high_min=data["high_min"],
            medium_min=data["medium_min"],
            note=data["note"],
        )
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(
            CriteriaVersionSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# --- Plans -----------------------------------------------------------------------------------


class PlanFilter(filters.FilterSet):
    status = filters.CharFilter(field_name="status", label=_("draft, approved or closed"))
    programme = filters.CharFilter(field_name="programme__code", lookup_expr="iexact")
    organisation = filters.CharFilter(field_name="organisation__code", lookup_expr="iexact")
    cycle = filters.CharFilter(field_name="cycle", lookup_expr="iexact")

    class Meta:
        model = AssistancePlan
        fields = ["status", "programme", "organisation", "cycle"]


class ReceiptListImportSerializer(serializers.Serializer):
    file = UploadField(
        too_large=gettext_lazy("The file is larger than %(max)d MB; split it by location."),
        help_text="CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX, one row per receipt, "
        "with the columns "
        + ", ".join(RECEIPT_COLUMNS)
        + "; "
        + ", ".join(RECEIPT_REQUIRED_COLUMNS)
        + " must be there.",
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Only check the file and report what would change."
    )


class PlanViewSet(ScopedModelViewSet):
    """Assistance plans in your scope (a partner's staff see their organisation's). ``POST``
    creates a draft with its items; ``PATCH`` changes a draft, or an approved plan's end date
    and notes. Supervisors (programme managers, IM officers) approve and close plans.
    ``POST plans/{id}/import-receipts/`` queues a completed distribution list's import as the
    upload page does and answers ``202`` with the task run to follow."""

    required_capability = Capability.VIEW_RECORDS
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = PlanFilter
    search_fields = ["code", "title", "project_name"]
    ordering_fields = ["start_date", "code", "created_at"]

    def get_queryset(self) -> QuerySet:
        return selectors.plans(self.request.user).prefetch_related("items")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action in ("update", "partial_update"):
            return PlanUpdateSerializer
        return PlanSerializer

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        items = [dict(item) for item in data.pop("items", [])]
        serializer.instance = services.plan_create(actor=self.request.user, data=data, items=items)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.plan_update(
            actor=self.request.user, plan=serializer.instance, data=serializer.validated_data
        )

    def _fresh(self, plan: AssistancePlan) -> Response:
        fresh = self.get_queryset().get(pk=plan.pk)
        return Response(PlanSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        """Approve a draft plan (supervisors): it takes receipts from now on."""
        return self._fresh(services.plan_approve(actor=request.user, plan=self.get_object()))

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """Close an approved plan (supervisors): no more receipts, no more changes."""
        return self._fresh(services.plan_close(actor=request.user, plan=self.get_object()))

    @upload_action("import-receipts", ReceiptListImportSerializer)
    def import_receipts(self, request: Request, pk: Any = None) -> Response:
        """Import a completed distribution list (one row per receipt) into an approved plan,
        in the background: idempotent, all or nothing, every row checked."""
        if not may_import(request.user):
            raise exceptions.PermissionDenied(
                _("Your role does not let you import distribution lists.")
            )
        plan = self.get_object()
        body = ReceiptListImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = receipt_list_import_start(
            actor=request.user,
            plan=plan,
            upload=body.validated_data["file"],
            dry_run=body.validated_data["dry_run"],
        )
        return accepted(request, run)

    @extend_schema(request=PlanItemSerializer, responses={201: PlanItemSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: Any = None) -> Response:
        """Add what each household of a draft plan receives."""
        plan = self.get_object()
        body = PlanItemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.plan_item_add(actor=request.user, plan=plan, **body.validated_data)
        return Response(PlanItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SelectionRunSerializer, responses={201: SelectionSerializer})
    @action(detail=True, methods=["post"])
    def select(self, request: Request, pk: Any = None) -> Response:
        """Run a beneficiary selection for the plan with its criteria version: every household
        of the areas ranked, included or left out with the reason."""
        plan = self.get_object()
        body = SelectionRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        selection = services.selection_run(
            actor=request.user,
            plan=plan,
            areas=data["areas"],
            statuses=data["statuses"],
            quota=data.get("quota"),
            budget=data.get("budget"),
            minimum_category=data.get("minimum_category"),
            as_of=data["as_of"],
        )
        fresh = selectors.selections(request.user).get(pk=selection.pk)
        return Response(
            SelectionSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# --- Selections ------------------------------------------------------------------------------


class SelectionFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")

    class Meta:
        model = Selection
        fields = ["plan"]


class EntryQuery(serializers.Serializer):
    included = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: the beneficiaries; false: those left out, with the reason."),
    )


class SelectionViewSet(ScopedReadOnlyViewSet):
    """Selections run on plans in your scope, latest first (a plan's latest is its beneficiary
    list). ``entries`` lists its households in rank order."""

    serializer_class = SelectionSerializer
    required_capability = Capability.VIEW_PII
    filterset_class = SelectionFilter

    def get_queryset(self) -> QuerySet:
        return selectors.selections(self.request.user)

    @extend_schema(parameters=[EntryQuery], responses=SelectionEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None)
    def entries(self, request: Request, pk: Any = None) -> Response:
        """The selection's households in rank order, each with its score, category, stored
        explanation and, when left out, the reason."""
        selection = self.get_object()
        query = EntryQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        entries = selectors.selection_entries(
            request.user, selection, included=query.validated_data["included"]
        )
        page = self.paginate_queryset(entries)
        data = SelectionEntrySerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(data.data)


# --- Receipts --------------------------------------------------------------------------------


class ReceiptFilter(filters.FilterSet):
    plan = filters.NumberFilter(field_name="plan_id")
    household = filters.CharFilter(
        field_name="household__registration_number", label=_("registration number")
    )
    programme = filters.CharFilter(field_name="programme__code", lookup_expr="iexact")
    partner = filters.CharFilter(field_name="plan__organisation__code", lookup_expr="iexact")
    cycle = filters.CharFilter(field_name="cycle", lookup_expr="iexact")
    assistance_type = filters.ChoiceFilter(choices=AssistanceType.choices)
    received_from = filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_to = filters.DateFilter(field_name="received_on", lookup_expr="lte")
    override = filters.BooleanFilter()
    voided = filters.BooleanFilter(
        field_name="voided_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("voided (true) or standing (false)"),
    )

    class Meta:
        model = Receipt
        fields = [
            "plan",
            "household",
            "programme",
            "partner",
            "cycle",
            "assistance_type",
            "received_from",
            "received_to",
            "override",
            "voided",
        ]


class ReceiptViewSet(ScopedReadOnlyViewSet):
    """Assistance received, latest first. ``POST`` records a receipt for an approved plan of
    your organisation: a second receipt of the same assistance in the cycle by the household,
    or by a registration linkage tied to it, is refused with 409 Conflict naming the earlier
    receipt; a programme manager or IM officer records it anyway by sending ``override_reason``.
    ``POST …/void/`` voids a receipt recorded in error, with the reason (the same supervisors).
    """

    serializer_class = ReceiptSerializer
    required_capability = Capability.VIEW_PII
    filterset_class = ReceiptFilter
    ordering_fields = ["received_on", "id"]

    def get_queryset(self) -> QuerySet:
        return selectors.receipts(self.request.user).order_by("-received_on", "-pk")

    @extend_schema(
        request=ReceiptCreateSerializer,
        responses={
            201: ReceiptSerializer,
            409: OpenApiResponse(
                DoubleAssistanceSerializer,
                description="Already assisted in this cycle; the earlier receipt is named.",
            ),
        },
    )
    def create(self, request: Request) -> Response:
        body = ReceiptCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            receipt = services.receipt_record(actor=request.user, **data)
        except services.AlreadyAssisted as refusal:
            return self._conflict(refusal, data["household"])
        fresh = self.get_queryset().get(pk=receipt.pk)
        return Response(
            ReceiptSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ReceiptVoidSerializer, responses=ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request: Request, pk: Any = None) -> Response:
        """Void a receipt recorded in error, with the reason (programme managers and IM
        officers): it stays, marked voided, but no longer counts in reports nor blocks another
        receipt of the assistance in the cycle."""
        receipt = self.get_object()
        body = ReceiptVoidSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.receipt_void(
            actor=request.user, receipt=receipt, reason=body.validated_data["reason"]
        )
        fresh = self.get_queryset().get(pk=receipt.pk)
        return Response(ReceiptSerializer(fresh, context=self.get_serializer_context()).data)

    def _conflict(self, refusal: Any, household: Any) -> Response:
        allowed = services.is_supervisor(self.request.user)
        how = (
            _(
                "You may record it anyway: send the same request again with override_reason "
                "saying why this household receives it a second time."
            )
            if allowed
            else _(
                "Only a programme manager or an IM officer may record it anyway, by sending the "
                "same request with override_reason saying why."
            )
        )
        body = {
            "errors": [{"field": None, "code": "already_assisted", "message": refusal.messages[0]}],
            "earlier_receipt": earlier_receipt_data(refusal.receipt, household),
            "override": {"allowed": allowed, "field": "override_reason", "how": how},
        }
        return Response(DoubleAssistanceSerializer(body).data, status=status.HTTP_409_CONFLICT)


# --- Reports ---------------------------------------------------------------------------------

REPORT_NOTE = (
    "Roles that see records count the receipts of their scope; aggregate viewers count every "
    "receipt with rows of fewer households than the small-cell threshold suppressed (null). "
    "Individuals: the households' registered size for household assistance, the person named "
    "for training; sex and age from the members' records on the receipt date (0-5, 6-17, "
    "18-59, 60+); not_disaggregated makes up the rest."
)


class ReportViewSet(viewsets.ViewSet):
    permission_classes = [HasCapability]
    required_capability = Capability.VIEW_AGGREGATES
    pagination_class = Pagination
    query_class: type[ReportQuery] = ReportQuery

    def query(self, request: Request) -> ReportQuery:
        query = self.query_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query


class OneObjectSchema(AutoSchema):
    """For report endpoints routed as ``list`` that answer one object or a file."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class AssistedReportViewSet(ReportViewSet):
    schema = OneObjectSchema()
    query_class = AssistedQuery
    pagination_class = None

    @extend_schema(
        parameters=[AssistedQuery],
        responses=AssistedReportSerializer,
        description="Households and individuals assisted, one row per governorate, district, "
        "assistance type, programme, donor or implementing partner (by), by sex and age, with "
        "the total (each household once). " + REPORT_NOTE,
    )
    def list(self, request: Request) -> Response:
        query = self.query(request)
        result = reports.assisted(
            user=request.user, by=query.validated_data["by"], filters=query.filters()
        )
        return Response(AssistedReportSerializer(result).data)


class FiveWReportViewSet(ReportViewSet):
    @extend_schema(
        parameters=[ReportQuery],
        responses=FiveWRowSerializer(many=True),
        description="The 5W: one row per plan, assistance type, place (governorate, district, "
        "location with P-codes) and month, with the implementing partner, donor, programme and "
        "sector, and the households and people reached by sex and age. " + REPORT_NOTE,
    )
    def list(self, request: Request) -> Response:
        query = self.query(request)
        rows = reports.five_w(user=request.user, filters=query.filters())["rows"]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(FiveWRowSerializer(page, many=True).data)


class ReportExportViewSet(ReportViewSet):
    schema = OneObjectSchema()
    query_class = ReportExportQuery
    pagination_class = None

    @extend_schema(
        parameters=[ReportExportQuery],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        description="The 5W or a table of households and individuals assisted as CSV, XLSX or "
        "HXL-tagged CSV (audited). " + REPORT_NOTE,
    )
    def list(self, request: Request) -> HttpResponse:
        query = self.query(request)
        data = query.validated_data
        result = reports_export.export(
            actor=request.user,
            user=request.user,
            table=data["report"],
            file_format=data["file_format"],
            filters=query.filters(),
            channel="api",
        )
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        return response


ROUTES = [
    ("assistance/criteria-sets", CriteriaSetViewSet, "assistance-criteria-set"),
    ("assistance/criteria-versions", CriteriaVersionViewSet, "assistance-criteria-version"),
    ("assistance/plans", PlanViewSet, "assistance-plan"),
    ("assistance/selections", SelectionViewSet, "assistance-selection"),
    ("assistance/receipts", ReceiptViewSet, "assistance-receipt"),
    ("assistance/reports/assisted", AssistedReportViewSet, "assistance-report-assisted"),
    ("assistance/reports/5w", FiveWReportViewSet, "assistance-report-5w"),
    ("assistance/reports/export", ReportExportViewSet, "assistance-report-export"),
]
