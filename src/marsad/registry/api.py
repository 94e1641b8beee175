"""REST API for the household registry: households with their members (registering one creates
the household, its members, their documents and phones and the source record in one step),
persons with search by name in either script, document or phone, a person's possible
duplicates, the source records as received, and merging a household registered twice into
the other (``POST households/{id}/merge/``; ``POST household-merges/{id}/undo/``). Reads
through the scope; writes through ``registry.services``."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from marsad.core.api_uploads import UploadField, accepted, upload_action
from marsad.core.roles import Capability
from marsad.geo.models import AdminArea
from marsad.partners.api import ImportOwnerSerializer
from marsad.partners.models import Organisation, Programme
from marsad.registry import selectors, services, tasks
from marsad.registry.importers import COLUMNS as SOURCE_LIST_COLUMNS
from marsad.registry.importers import IMPORT_KINDS, REQUIRED_COLUMNS
from marsad.registry.importers.apply import import_organisations, may_import
from marsad.registry.models import (
    Household,
    HouseholdMerge,
    IdentityDocument,
    Person,
    Phone,
    SourceKind,
    SourceRecord,
)

# --- Serializers ---------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdentityDocument
        fields = ["kind", "number"]


class PhoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phone
        fields = ["number"]


PERSON_FIELDS = [
    "id",
    "household",
    "relationship",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "names_latin",
    "sex",
    "birth_date",
    "birth_date_precision",
    "marital_status",
    "disability",
    "chronic_illness",
    "pregnant_or_lactating",
    "separated_child",
    "is_active",
    "documents",
    "phones",
    "created_at",
    "updated_at",
]


class PersonSerializer(serializers.ModelSerializer):
    documents = DocumentSerializer(many=True, required=False)
    phones = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False, write_only=True
    )
    phone_numbers = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [*PERSON_FIELDS, "phone_numbers"]
        read_only_fields = ["household", "names_latin", "is_active", "created_at", "updated_at"]

    def get_phone_numbers(self, person: Person) -> list[str]:
        return [phone.number for phone in person.phones.all()]

    def to_representation(self, instance: Person) -> dict[str, Any]:
        data = super().to_representation(instance)
        data.pop("phones", None)
        return data


class PersonUpdateSerializer(serializers.ModelSerializer):
    """A person's recorded facts; documents and phones are added, not replaced."""

    class Meta:
        model = Person
        fields = [
            name
            for name in PERSON_FIELDS
            if name
            not in (
                "id",
                "household",
                "names_latin",
                "is_active",
                "documents",
                "phones",
                "created_at",
                "updated_at",
            )
        ]


class HouseholdSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(
        slug_field="pcode",
        queryset=AdminArea.objects.all(),
        help_text=_("P-code of where the household lives now."),
    )
    origin_area = serializers.SlugRelatedField(
        slug_field="pcode",
        queryset=AdminArea.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("P-code of where it was displaced from."),
    )
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all()
    )
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=Programme.objects.all(), allow_null=True, required=False
    )
    members = PersonSerializer(many=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "registration_number",
            "organisation",
            "programme",
            "sensitivity",
            "area",
            "address",
            "origin_area",
            "displacement_date",
            "size",
            "shelter_type",
            "status",
            "documentation_status",
            "property_status",
            "has_income",
            "notes",
            "merged_into",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["registration_number", "merged_into", "created_at", "updated_at"]

    def create(self, validated_data: dict[str, Any]) -> Household:
        members = []
        for member in validated_data.pop("members"):
            member = dict(member)
            member["documents"] = [dict(d) for d in member.get("documents") or []]
            members.append(member)
        return services.household_register(
            actor=self.context["request"].user, data=validated_data, members=members
        )


class HouseholdUpdateSerializer(HouseholdSerializer):
    members = PersonSerializer(many=True, read_only=True)


class SourceRecordSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = SourceRecord
        fields = [
            "id",
            "organisation",
            "kind",
            "source_name",
            "source_key",
            "payload",
            "person",
            "household",
            "created_at",
        ]


class HouseholdMergeSerializer(serializers.ModelSerializer):
    survivor_number = serializers.CharField(source="survivor.registration_number", read_only=True)
    merged_number = serializers.CharField(source="merged.registration_number", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    undone_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reason = serializers.CharField(
        source="reason_text",
        read_only=True,
        help_text=_(
            "Why the households were merged, in the language asked for: what the person who "
            "merged them wrote, or the words of the linkage run or review that merged them."
        ),
    )

    class Meta:
        model = HouseholdMerge
        fields = [
            "id",
            "survivor",
            "survivor_number",
            "merged",
            "merged_number",
            "merged_status",
            "filled_fields",
            "moved_members",
            "moved_sources",
            "reason",
            "linkage_run",
            "review_pair",
            "decided_by",
            "undone_at",
            "undone_by",
            "created_at",
        ]
        read_only_fields = fields


class HouseholdMergeRequestSerializer(serializers.Serializer):
    survivor = serializers.IntegerField(
        help_text=_("The household kept (its id): this one is closed and merged into it.")
    )
    reason = serializers.CharField(max_length=200)


class DuplicateQuerySerializer(serializers.Serializer):
    given_name = serializers.CharField(required=False, allow_blank=True)
    father_name = serializers.CharField(required=False, allow_blank=True)
    grandfather_name = serializers.CharField(required=False, allow_blank=True)
    family_name = serializers.CharField(required=False, allow_blank=True)
    sex = serializers.CharField(required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    document_number = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)


class EvidenceSerializer(serializers.Serializer):
    field = serializers.CharField()
    verdict = serializers.ChoiceField(choices=["agrees", "close", "disagrees", "missing"])


class CandidateSerializer(serializers.Serializer):
    person = PersonSerializer()
    score = serializers.IntegerField()
    evidence = EvidenceSerializer(many=True)


# --- Viewsets ------------------------------------------------------------------------------------


def _person_queryset() -> QuerySet:
    return Person.objects.select_related("household").prefetch_related("documents", "phones")


class HouseholdFilter(filters.FilterSet):
    area = filters.CharFilter(
        method="by_area", label=_("area (P-code): where it lives, or any area containing it")
    )
    status = filters.CharFilter(field_name="status")
    organisation = filters.CharFilter(field_name="organisation__code")
    merged = filters.BooleanFilter(
        field_name="merged_into",
        lookup_expr="isnull",
        exclude=True,
        label=_("merged into another household (listed only when true; false by default)"),
    )

    class Meta:
        model = Household
        fields = ["area", "status", "organisation", "merged"]

    def by_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        area = AdminArea.objects.filter(pcode=value.strip().upper()).first()
        if area is None:
            return queryset.none()
        return queryset.filter(area__path__startswith=area.path)


class SourceListImportSerializer(ImportOwnerSerializer):
    """A list of persons received from one of your organisations, to import into the registry."""

    organisation_help = (
        "Code of the organisation the list came from: one where you register households."
    )
    programme_help = "Code of the programme new households belong to; empty for none."
    organisations = staticmethod(import_organisations)

    file = UploadField(
        too_large=_("The file is larger than %(max)d MB; split it by governorate."),
        help_text="CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX, one row per person, "
        "with the columns "
        + ", ".join(SOURCE_LIST_COLUMNS)
        + "; "
        + ", ".join(REQUIRED_COLUMNS)
        + " must be there.",
    )
    kind = serializers.ChoiceField(
        choices=[(kind, SourceKind(kind).label) for kind in IMPORT_KINDS],
        help_text="The kind of list.",
    )
    source_name = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Kept with every record the list brings; the file's name when empty.",
    )


class HouseholdViewSet(ScopedModelViewSet):
    """Registered households with their members. ``POST`` registers a household with its
    members (exactly one head) in one step; the registration number is given by the registry.
    ``POST households/import/`` queues a source list's import as the upload page does and
    answers ``202`` with the task run to follow; its result is the import's report, row errors
    included."""

    queryset = Household.objects.select_related(
        "area", "origin_area", "organisation", "programme"
    ).prefetch_related(Prefetch("members", queryset=_person_queryset()))
    required_capability = Capability.VIEW_PII
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = HouseholdFilter
    search_fields = ["registration_number"]
    ordering_fields = ["registration_number", "created_at"]
    update_service = staticmethod(services.household_update)

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.action == "list" and "merged" not in self.request.query_params:
            # a merged household is its survivor: listed only when asked for
            queryset = queryset.filter(merged_into__isnull=True)
        return queryset

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action in ("update", "partial_update"):
            return HouseholdUpdateSerializer
        if self.action == "merge":
            return HouseholdMergeRequestSerializer
        if self.action == "import_list":
            return SourceListImportSerializer
        return HouseholdSerializer

    def perform_create(self, serializer: Any) -> None:
        serializer.save()

    @upload_action("import", SourceListImportSerializer, detail=False)
    def import_list(self, request: Request) -> Response:
        if not may_import(request.user):
            raise exceptions.PermissionDenied(
                _("Your role does not let you import lists into the registry.")
            )
        body = SourceListImportSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run = tasks.source_list_import_start(
            actor=request.user,
            organisation=data["organisation"],
            kind=data["kind"],
            source_name=data.get("source_name") or data["file"].name,
            programme=data.get("programme"),
            upload=data["file"],
            dry_run=data["dry_run"],
        )
        return accepted(request, run)

    @extend_schema(
        request=HouseholdMergeRequestSerializer,
        responses={201: HouseholdMergeSerializer},
        description=(
            "Merge this household into ``survivor`` (a household registered twice): its "
            "active members and source records move to the survivor, empty fields of the "
            "survivor take its values, and it is closed. Undo with "
            "``POST household-merges/{id}/undo/``."
        ),
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: Any = None) -> Response:
        household = self.get_object()
        body = HouseholdMergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = (
            selectors.households(request.user, merged=True)
            .filter(pk=body.validated_data["survivor"])
            .first()
        )
        if found is None:
            raise exceptions.ValidationError(
                {
                    "survivor": _("No household %(pk)d in your scope.")
                    % {"pk": body.validated_data["survivor"]}
                }
            )
        merge = services.household_merge(
            actor=request.user,
            survivor=found,
            merged=household,
            reason=body.validated_data["reason"],
        )
        merge = HouseholdMerge.objects.select_related(
            "survivor", "merged", "decided_by", "undone_by"
        ).get(pk=merge.pk)
        return Response(
            HouseholdMergeSerializer(merge, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class PersonViewSet(ScopedModelViewSet):
    """Persons in scope; ``?q=`` searches names in either script, document and phone numbers.
    ``PATCH`` corrects a person's recorded facts (the audit log keeps what they said)."""

    queryset = _person_queryset().filter(is_active=True)
    required_capability = Capability.VIEW_PII
    http_method_names = ["get", "patch", "post", "head", "options"]
    update_service = staticmethod(services.person_update)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action in ("update", "partial_update"):
            return PersonUpdateSerializer
        return PersonSerializer

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        query = self.request.query_params.get("q", "").strip()
        if query and self.action == "list":
            found = selectors.search_persons(self.request.user, query).values("pk")
            queryset = queryset.filter(pk__in=found)
        return queryset.order_by("household__registration_number", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.MethodNotAllowed(
            "POST", detail=_("Register persons with their household (POST households/).")
        )

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="A name, document or phone number.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DuplicateQuerySerializer, responses=CandidateSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="possible-duplicates")
    def possible_duplicates(self, request: Request) -> Response:
        body = DuplicateQuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        candidates = selectors.possible_duplicates(request.user, dict(body.validated_data))
        data = [
            {
                "person": PersonSerializer(c.person, context=self.get_serializer_context()).data,
                "score": c.score,
                "evidence": [{"field": f, "verdict": v} for f, v in c.evidence],
            }
            for c in candidates
        ]
        return Response(data)


class SourceRecordViewSet(ScopedReadOnlyViewSet):
    """Registrations exactly as their sources sent them (read only: never changed)."""

    queryset = SourceRecord.objects.select_related("organisation")
    serializer_class = SourceRecordSerializer
    required_capability = Capability.VIEW_PII
    filterset_fields = ["kind", "household", "person"]
    search_fields = ["source_key", "source_name"]


class HouseholdMergeViewSet(ScopedReadOnlyViewSet):
    """Households merged into another (undone ones too), newest first; scoped by the kept
    household. ``POST household-merges/{id}/undo/`` puts both households back as they were."""

    queryset = HouseholdMerge.objects.select_related(
        "survivor", "merged", "decided_by", "undone_by"
    ).order_by("-created_at", "-pk")
    serializer_class = HouseholdMergeSerializer
    required_capability = Capability.VIEW_PII
    filterset_fields = ["survivor", "merged"]

    @extend_schema(request=None, responses=HouseholdMergeSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: Any = None) -> Response:
        merge = services.household_merge_undo(actor=request.user, merge=self.get_object())
        merge = self.get_queryset().get(pk=merge.pk)
        return Response(HouseholdMergeSerializer(merge, context=self.get_serializer_context()).data)


ROUTES = [
    ("registry/households", HouseholdViewSet, "household"),
    ("registry/household-merges", HouseholdMergeViewSet, "household-merge"),
    ("registry/persons", PersonViewSet, "person"),
    ("registry/source-records", SourceRecordViewSet, "source-record"),
]
