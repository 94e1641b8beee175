"""REST API for the household registry: households with their members (registering one creates
the household, its members, their documents and phones and the source record in one step),
persons with search by name in either script, document or phone, a person's possible
duplicates, and the source records as received. Reads through the scope; writes through
``registry.services``."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from marsad.core.roles import Capability
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme
from marsad.registry import selectors, services
from marsad.registry.models import (
    Household,
    IdentityDocument,
    Person,
    Phone,
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
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["registration_number", "created_at", "updated_at"]

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

    class Meta:
        model = Household
        fields = ["area", "status", "organisation"]

    def by_area(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        area = AdminArea.objects.filter(pcode=value.strip().upper()).first()
        if area is None:
            return queryset.none()
        return queryset.filter(area__path__startswith=area.path)


class HouseholdViewSet(ScopedModelViewSet):
    """Registered households with their members. ``POST`` registers a household with its
    members (exactly one head) in one step; the registration number is given by the registry."""

    queryset = Household.objects.select_related(
        "area", "origin_area", "organisation", "programme"
    ).prefetch_related(Prefetch("members", queryset=_person_queryset()))
    required_capability = Capability.VIEW_PII
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_class = HouseholdFilter
    search_fields = ["registration_number"]
    ordering_fields = ["registration_number", "created_at"]
    update_service = staticmethod(services.household_update)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action in ("update", "partial_update"):
            return HouseholdUpdateSerializer
        return HouseholdSerializer

    def perform_create(self, serializer: Any) -> None:
        serializer.save()


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


ROUTES = [
    ("registry/households", HouseholdViewSet, "household"),
    ("registry/persons", PersonViewSet, "person"),
    ("registry/source-records", SourceRecordViewSet, "source-record"),
]
