"""REST API for displacement records: rounds, location assessments (with their workflow steps),
population groups, sector needs and intentions. Reads through the scope; writes through
``displacement.services``. Aggregate viewers use the aggregate endpoints (``api_aggregates``)."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.core.api import ScopedModelViewSet
from marsad.core.api_uploads import UploadField, accepted, upload_action
from marsad.core.roles import Capability
from marsad.core.scoping import VIEW, scope
from marsad.displacement import services, tasks
from marsad.displacement.importers.masterlist import COLUMNS as MASTERLIST_COLUMNS
from marsad.displacement.kobo.exports import SUFFIXES as SUBMISSION_SUFFIXES
from marsad.displacement.models import (
    AGE_SEX_FIELDS,
    AssessmentRound,
    AssessmentStatus,
    DisplacementPeriod,
    Intention,
    LocationAssessment,
    PopulationGroup,
    RoundStatus,
    SectorNeed,
    ShareLevel,
)
from marsad.displacement.selectors import user_organisations
from marsad.geo.models import AdminArea
from marsad.partners.api import ImportOwnerSerializer
from marsad.partners.models import Organisation, Programme

# --- Serializers ---------------------------------------------------------------------------------


class ScopedAssessmentField(serializers.PrimaryKeyRelatedField):
    """An assessment the requesting user may see (others are "does not exist")."""

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return scope(LocationAssessment.objects.all(), getattr(request, "user", None), VIEW)


@extend_schema_field(
    {"type": "string", "enum": RoundStatus.values, "description": "open, closed, published"},
    component_name="RoundStatus",
)
class RoundStatusField(serializers.ChoiceField):
    """A round's status; a component of its own (other models' "status" differ)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RoundStatus.choices, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "enum": AssessmentStatus.values,
        "description": "draft, submitted, validated, published",
    },
    component_name="AssessmentStatus",
)
class AssessmentStatusField(serializers.ChoiceField):
    """An assessment's workflow status."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=AssessmentStatus.choices, **kwargs)


class AssessmentRoundSerializer(serializers.ModelSerializer):
    status = RoundStatusField(read_only=True)

    class Meta:
        model = AssessmentRound
        fields = [
            "number",
            "kind",
            "period_start",
            "period_end",
            "status",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]


class AssessmentRoundStatusSerializer(serializers.Serializer):
    status = RoundStatusField()


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Why the assessment goes back to its monitor."))


class PopulationGroupSerializer(serializers.ModelSerializer):
    assessment = ScopedAssessmentField()
    origin_area = serializers.SlugRelatedField(
        slug_field="pcode", queryset=AdminArea.objects.all(), allow_null=True, required=False
    )
    displacement_period = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DisplacementPeriod.objects.all(),
        allow_null=True,
        required=False,
    )
    individuals = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text=_("Leave out or null to estimate from families (6 a family, 5 in camps)."),
    )

    class Meta:
        model = PopulationGroup
        fields = [
            "id",
            "assessment",
            "population_type",
            "origin_area",
            "displacement_period",
            "shelter_category",
            "families",
            "individuals",
            "individuals_estimated",
            *AGE_SEX_FIELDS,
        ]
        read_only_fields = ["individuals_estimated"]
        validators: list = []  # the service checks the row key (nulls included)


class SectorNeedSerializer(serializers.ModelSerializer):
    assessment = ScopedAssessmentField()

    class Meta:
        model = SectorNeed
        fields = ["id", "assessment", "sector", "priority", "severity"]
        validators: list = []


class IntentionRecordSerializer(serializers.ModelSerializer):
    assessment = ScopedAssessmentField()

    class Meta:
        model = Intention
        fields = ["id", "assessment", "population_type", "intention", "families"]
        validators: list = []


class NestedPopulationGroupSerializer(PopulationGroupSerializer):
    class Meta(PopulationGroupSerializer.Meta):
        fields = [name for name in PopulationGroupSerializer.Meta.fields if name != "assessment"]
        read_only_fields = fields


class NestedSectorNeedSerializer(SectorNeedSerializer):
    class Meta(SectorNeedSerializer.Meta):
        fields = ["id", "sector", "priority", "severity"]
        read_only_fields = fields


class NestedIntentionRecordSerializer(IntentionRecordSerializer):
    class Meta(IntentionRecordSerializer.Meta):
        fields = ["id", "population_type", "intention", "families"]
        read_only_fields = fields


@extend_schema_field(
    {
        "type": "string",
        "enum": ShareLevel.values,
        "description": "none, few, some, most, all, unknown",
    },
    component_name="ShareLevel",
)
class ShareLevelField(serializers.ChoiceField):
    """A share of families (``ShareLevel``); one schema for both fields that use it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ShareLevel.choices, **kwargs)


class AssessmentSerializer(serializers.ModelSerializer):
    status = AssessmentStatusField(read_only=True)
    documentation_status = ShareLevelField(required=False)
    property_status = ShareLevelField(required=False)
    round = serializers.SlugRelatedField(
        slug_field="number", queryset=AssessmentRound.objects.all()
    )
    area = serializers.SlugRelatedField(
        slug_field="pcode",
        queryset=AdminArea.objects.all(),
        help_text=_("The location's P-code."),
    )
    area_name = serializers.CharField(source="area.name", read_only=True)
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all()
    )
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=Programme.objects.all(), allow_null=True, required=False
    )
    population_groups = NestedPopulationGroupSerializer(many=True, read_only=True)
    needs = NestedSectorNeedSerializer(many=True, read_only=True)
    intentions = NestedIntentionRecordSerializer(many=True, read_only=True)

    class Meta:
        model = LocationAssessment
        fields = [
            "id",
            "round",
            "area",
            "area_name",
            "organisation",
            "programme",
            "sensitivity",
            "assessed_on",
            "monitor",
            "monitor_name",
            "method",
            "key_informants",
            "status",
            "documentation_status",
            "property_status",
            "security_notes",
            "access_notes",
            "source",
            "source_key",
            "population_groups",
            "needs",
            "intentions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "monitor",
            "status",
            "source",
            "source_key",
            "created_at",
            "updated_at",
        ]
        validators: list = []  # one assessment per location and round: checked by full_clean


# --- Filters -------------------------------------------------------------------------------------


class AssessmentFilter(filters.FilterSet):
    round = filters.NumberFilter(field_name="round__number", label=_("round (number)"))
    area = filters.CharFilter(
        field_name="area__path",
        method="by_area",
        label=_("area (P-code): the location or any area containing it"),
    )
    status = filters.ChoiceFilter(choices=AssessmentStatus.choices)
    organisation = filters.CharFilter(
        field_name="organisation__code", label=_("organisation (code)")
    )

    class Meta:
        model = LocationAssessment
        fields = ["round", "area", "status", "organisation"]

    def by_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(area__path__contains=f"{value.strip()}/")


class RowFilter(filters.FilterSet):
    assessment = filters.NumberFilter(field_name="assessment_id", label=_("assessment (id)"))
    round = filters.NumberFilter(field_name="assessment__round__number", label=_("round (number)"))


class PopulationGroupFilter(RowFilter):
    class Meta:
        model = PopulationGroup
        fields = ["assessment", "round", "population_type", "shelter_category"]


class SectorNeedFilter(RowFilter):
    class Meta:
        model = SectorNeed
        fields = ["assessment", "round", "sector"]


class IntentionFilter(RowFilter):
    class Meta:
        model = Intention
        fields = ["assessment", "round", "population_type", "intention"]


# --- Viewsets ------------------------------------------------------------------------------------


def _round_create(*, actor: Any, data: dict) -> AssessmentRound:
    return services.round_create(actor=actor, **data)


SPLIT_BY_GOVERNORATE = _("The file is larger than %(max)d MB; split it by governorate.")


class _ImportSerializer(ImportOwnerSerializer):
    """What every import into a round asks besides the files (as the upload pages do)."""

    organisation_help = "Code of the assessing organisation: one you are a member of."
    programme_help = "Code of the programme new assessments belong to; empty for none."
    organisations = staticmethod(user_organisations)


class MasterListImportSerializer(_ImportSerializer):
    file = UploadField(
        too_large=SPLIT_BY_GOVERNORATE,
        help_text="CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX, one row per location "
        "and population group, with the columns " + ", ".join(MASTERLIST_COLUMNS) + ".",
    )


class SubmissionsImportSerializer(_ImportSerializer):
    files = serializers.ListField(
        child=UploadField(suffixes=SUBMISSION_SUFFIXES, too_large=SPLIT_BY_GOVERNORATE),
        allow_empty=False,
        help_text="Kobo: the API's JSON, the XLSX export, or its CSV files (the main table and "
        "population.csv); ODK Central: the ZIP of all records or its two CSV files. Send the "
        "field once per file.",
    )


class RoundViewSet(ScopedModelViewSet):
    """Assessment rounds by number; status changes through ``POST rounds/{number}/status/``.
    ``POST rounds/{number}/import-masterlist/`` and ``…/import-submissions/`` (IM officers and
    system administrators) queue an import as the upload pages do and answer ``202`` with the
    task run to follow; its result is the import's report, row errors included."""

    queryset = AssessmentRound.objects.all()
    serializer_class = AssessmentRoundSerializer
    required_capability = Capability.VIEW_RECORDS
    lookup_field = "number"
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["status", "kind"]
    ordering_fields = ["number", "period_start"]
    create_service = staticmethod(_round_create)
    update_service = staticmethod(services.round_update)

    @extend_schema(request=AssessmentRoundStatusSerializer, responses=AssessmentRoundSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, number: str | None = None) -> Response:
        round_ = self.get_object()
        body = AssessmentRoundStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        round_ = services.round_set_status(
            actor=request.user, instance=round_, status=body.validated_data["status"]
        )
        return Response(
            AssessmentRoundSerializer(round_, context=self.get_serializer_context()).data
        )

    @upload_action("import-masterlist", MasterListImportSerializer)
    def import_masterlist(self, request: Request, number: str | None = None) -> Response:
        return self._import(
            request,
            MasterListImportSerializer,
            _("Only IM officers and system administrators may import master lists."),
            tasks.masterlist_import_start,
            upload="file",
        )

    @upload_action("import-submissions", SubmissionsImportSerializer)
    def import_submissions(self, request: Request, number: str | None = None) -> Response:
        return self._import(
            request,
            SubmissionsImportSerializer,
            _("Only IM officers and system administrators may import Kobo submissions."),
            tasks.submissions_import_start,
            uploads="files",
        )

    def _import(
        self,
        request: Request,
        body_class: type[_ImportSerializer],
        refusal: str,
        start: Any,
        **files: str,
    ) -> Response:
        """Queue ``start`` on the round with the checked request; ``files`` maps the start
        function's file argument to the request's field."""
        tasks.require_importer(request.user, refusal)
        round_ = self.get_object()
        body = body_class(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run = start(
            actor=request.user,
            round_=round_,
            organisation=data["organisation"],
            programme=data.get("programme"),
            dry_run=data["dry_run"],
            **{argument: data[field] for argument, field in files.items()},
        )
        return accepted(request, run)


def _assessment_queryset() -> QuerySet:
    return LocationAssessment.objects.select_related(
        "round", "area", "organisation", "programme"
    ).prefetch_related(
        Prefetch(
            "population_groups",
            queryset=PopulationGroup.objects.select_related("origin_area", "displacement_period"),
        ),
        "needs",
        "intentions",
    )


class AssessmentViewSet(ScopedModelViewSet):
    """Location assessments in scope, with their population groups, needs and intentions; the
    workflow steps are ``submit``, ``validate``, ``publish`` and ``return`` (with a reason)."""

    queryset = _assessment_queryset()
    serializer_class = AssessmentSerializer
    required_capability = Capability.VIEW_RECORDS
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_class = AssessmentFilter
    search_fields = ["area__pcode", "area__name_en", "area__name_ar", "monitor_name"]
    ordering_fields = ["assessed_on", "area__pcode", "round__number"]
    create_service = staticmethod(services.assessment_create)
    update_service = staticmethod(services.assessment_update)

    def _step(self, request: Request, step: Any, **kwargs: Any) -> Response:
        assessment = step(actor=request.user, instance=self.get_object(), **kwargs)
        fresh = _assessment_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.assessment_submit)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.assessment_validate)

    @extend_schema(request=None, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, services.assessment_publish)

    @extend_schema(request=ReturnSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request: Request, pk: str | None = None) -> Response:
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._step(request, services.assessment_return, reason=body.validated_data["reason"])


def _row_create(save: Any) -> Any:
    """The viewset's create service for an assessment's rows: ``save`` without an instance."""

    def create(*, actor: Any, data: dict) -> Any:
        data = dict(data)
        return save(actor=actor, assessment=data.pop("assessment"), data=data)

    return staticmethod(create)


def _row_update(save: Any) -> Any:
    """The update service: a row stays with its assessment (moving it is refused)."""

    def update(*, actor: Any, instance: Any, data: dict) -> Any:
        data = dict(data)
        assessment = data.pop("assessment", instance.assessment)
        return save(actor=actor, assessment=assessment, data=data, instance=instance)

    return staticmethod(update)


class PopulationGroupViewSet(ScopedModelViewSet):
    """Population groups of the assessments in scope; individuals left out are estimated."""

    queryset = PopulationGroup.objects.select_related(
        "assessment", "origin_area", "displacement_period"
    ).order_by("assessment_id", "population_type", "id")
    serializer_class = PopulationGroupSerializer
    required_capability = Capability.VIEW_RECORDS
    filterset_class = PopulationGroupFilter
    ordering_fields = ["families", "individuals"]
    create_service = _row_create(services.population_group_save)
    update_service = _row_update(services.population_group_save)
    delete_service = staticmethod(services.population_group_delete)


class SectorNeedViewSet(ScopedModelViewSet):
    """Sector needs (priority and/or severity) of the assessments in scope."""

    queryset = SectorNeed.objects.select_related("assessment").order_by("assessment_id", "id")
    serializer_class = SectorNeedSerializer
    required_capability = Capability.VIEW_RECORDS
    filterset_class = SectorNeedFilter
    create_service = _row_create(services.need_save)
    update_service = _row_update(services.need_save)
    delete_service = staticmethod(services.need_delete)


class IntentionViewSet(ScopedModelViewSet):
    """Intentions (families returning, integrating, settling elsewhere, undecided) in scope."""

    queryset = Intention.objects.select_related("assessment").order_by("assessment_id", "id")
    serializer_class = IntentionRecordSerializer
    required_capability = Capability.VIEW_RECORDS
    filterset_class = IntentionFilter
    create_service = _row_create(services.intention_save)
    update_service = _row_update(services.intention_save)
    delete_service = staticmethod(services.intention_delete)


ROUTES = [
    ("rounds", RoundViewSet, "assessment-round"),
    ("assessments", AssessmentViewSet, "location-assessment"),
    ("population-groups", PopulationGroupViewSet, "population-group"),
    ("needs", SectorNeedViewSet, "sector-need"),
    ("intentions", IntentionViewSet, "intention"),
]
