"""REST API for organisations, programmes, funding and focal points: reads through the scope,
writes through ``partners.services``."""

from typing import Any

from django.db.models import ProtectedError, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.core.api import ScopedModelViewSet
from marsad.core.roles import Capability
from marsad.core.scoping import can_create
from marsad.geo.models import AdminArea
from marsad.partners import selectors, services
from marsad.partners.models import (
    Contact,
    Funding,
    Organisation,
    OrganisationKind,
    Programme,
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This record is still used by other records.")
    default_code = "protected"


def _code_field(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), **kwargs
    )


# --- Serializers ---------------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    """An organisation referred to from another record: its code and its name."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["code", "acronym", "name"]
        read_only_fields = fields


class ImportOwnerSerializer(serializers.Serializer):
    """What an import of records asks besides its files, as the upload pages ask it: the
    organisation the records belong to (by code, among ``organisations(user)``), the programme
    (by code, or none) and whether only to check. A subclass names the organisations and words
    the help of the first two."""

    organisation_help = ""
    programme_help = ""

    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.none()
    )
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=Programme.objects.all(), required=False, allow_null=True
    )
    dry_run = serializers.BooleanField(
        default=False, help_text="Only check the file(s) and report what would change."
    )

    @staticmethod
    def organisations(user: Any) -> QuerySet:
        return Organisation.objects.none()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].help_text = self.organisation_help
        self.fields["programme"].help_text = self.programme_help
        request = self.context.get("request")  # none when the schema is generated
        if request is not None:
            self.fields["organisation"].queryset = self.organisations(request.user)


class OrganisationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    parent = _code_field(allow_null=True, required=False)

    class Meta:
        model = Organisation
        fields = [
            "code",
            "kind",
            "acronym",
            "name",
            "name_en",
            "name_ar",
            "name_ku",
            "parent",
            "country",
            "website",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class FundingTotalSerializer(serializers.Serializer):
    # Plain text, not a second enum named "kind" (that would collide in the schema's names).
    kind = serializers.CharField(help_text=_("appeal or contribution"))
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=16, decimal_places=2)
    lines = serializers.IntegerField()


class ProgrammeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    lead_unit = _code_field()
    lead_unit_detail = OrganisationRefSerializer(source="lead_unit", read_only=True)
    partner_ministries = _code_field(many=True, required=False)
    partner_ministries_detail = OrganisationRefSerializer(
        source="partner_ministries", many=True, read_only=True
    )
    donors = _code_field(many=True, required=False)
    donors_detail = OrganisationRefSerializer(source="donors", many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "code",
            "name",
            "name_en",
            "name_ar",
            "name_ku",
            "description",
            "lead_unit",
            "lead_unit_detail",
            "partner_ministries",
            "partner_ministries_detail",
            "donors",
            "donors_detail",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class ProgrammeDetailSerializer(ProgrammeSerializer):
    funding_totals = serializers.SerializerMethodField()

    class Meta(ProgrammeSerializer.Meta):
        fields = [*ProgrammeSerializer.Meta.fields, "funding_totals"]

    @extend_schema_field(FundingTotalSerializer(many=True))
    def get_funding_totals(self, programme: Programme) -> list[dict[str, Any]]:
        funding = selectors.funding_list(user=self.context["request"].user).filter(
            programme=programme
        )
        return FundingTotalSerializer(selectors.funding_totals(funding), many=True).data


class FundingSerializer(serializers.ModelSerializer):
    donor = _code_field(allow_null=True, required=False)
    donor_name = serializers.SerializerMethodField()
    programme = serializers.SlugRelatedField(slug_field="code", queryset=Programme.objects.all())
    programme_name = serializers.CharField(source="programme.name", read_only=True)

    class Meta:
        model = Funding
        fields = [
            "id",
            "kind",
            "donor",
            "donor_name",
            "programme",
            "programme_name",
            "amount",
            "currency",
            "period_start",
            "period_end",
            "appeal_line",
            "source_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The services check the funding line's identity (null donor and dates included).
        validators: list = []

    def get_donor_name(self, funding: Funding) -> str | None:
        return funding.donor.name if funding.donor else None


class ContactSerializer(serializers.ModelSerializer):
    organisation = _code_field()
    programme = serializers.SlugRelatedField(
        slug_field="code", queryset=Programme.objects.all(), allow_null=True, required=False
    )
    area = serializers.SlugRelatedField(
        slug_field="pcode", queryset=AdminArea.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "organisation",
            "programme",
            "area",
            "sensitivity",
            "full_name",
            "title",
            "phone",
            "email",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


# --- Filters -------------------------------------------------------------------------------------


class OrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=OrganisationKind.choices)
    parent = filters.CharFilter(field_name="parent__code", label=_("part of (code)"))

    class Meta:
        model = Organisation
        fields = ["kind", "country", "is_active", "parent"]


class ProgrammeFilter(filters.FilterSet):
    lead_unit = filters.CharFilter(method="by_codes", label=_("lead unit (code)"))
    donor = filters.CharFilter(method="by_codes", label=_("donor (code)"))
    ministry = filters.CharFilter(method="by_codes", label=_("partner ministry (code)"))
    active_on = filters.DateFilter(method="by_date", label=_("active on (YYYY-MM-DD)"))

    class Meta:
        model = Programme
        fields = ["lead_unit", "donor", "ministry", "active_on"]

    def by_codes(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.filter_programmes(queryset, **{name: value})

    def by_date(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return selectors.filter_programmes(queryset, active_on=value)


class FundingFilter(filters.FilterSet):
    programme = filters.CharFilter(field_name="programme__code", label=_("programme (code)"))
    donor = filters.CharFilter(field_name="donor__code", label=_("donor (code)"))

    class Meta:
        model = Funding
        fields = ["kind", "programme", "donor", "currency"]


class ContactFilter(filters.FilterSet):
    organisation = filters.CharFilter(
        field_name="organisation__code", label=_("organisation (code)")
    )
    programme = filters.CharFilter(field_name="programme__code", label=_("programme (code)"))
    area = filters.CharFilter(field_name="area__pcode", label=_("area (P-code)"))

    class Meta:
        model = Contact
        fields = ["organisation", "programme", "area", "sensitivity"]


# --- Viewsets ------------------------------------------------------------------------------------


class PartnersViewSet(ScopedModelViewSet):
    """Refuses creates the role may not make before validating them; a delete of a record still
    in use is a 409 naming what uses it."""

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        model = self.get_queryset().model
        if model.scope_spec.kind == "reference" and not can_create(request.user, model):
            raise exceptions.PermissionDenied(_("Your role may not add these records."))
        return super().create(request, *args, **kwargs)

    def perform_destroy(self, instance: Any) -> None:
        try:
            super().perform_destroy(instance)
        except ProtectedError as error:
            raise Conflict(error.args[0]) from error


class OrganisationViewSet(PartnersViewSet):
    """Organisations: ministries, UN agencies, NGOs, donors and mission units, by code."""

    queryset = Organisation.objects.select_related("parent")
    serializer_class = OrganisationSerializer
    lookup_field = "code"
    lookup_value_regex = "[A-Z0-9][A-Z0-9-]*"
    filterset_class = OrganisationFilter
    search_fields = ["code", "acronym", "name_en", "name_ar", "name_ku"]
    ordering_fields = ["code", "name_en", "kind"]
    create_service = staticmethod(services.organisation_create)
    update_service = staticmethod(services.organisation_update)
    delete_service = staticmethod(services.organisation_delete)


class ProgrammeViewSet(PartnersViewSet):
    """Programmes with their lead unit, partner ministries and donors; funding totals on detail."""

    queryset = selectors.programme_queryset()
    lookup_field = "code"
    lookup_value_regex = "[A-Z0-9][A-Z0-9-]*"
    filterset_class = ProgrammeFilter
    search_fields = ["code", "name_en", "name_ar", "name_ku", "description"]
    ordering_fields = ["code", "name_en", "start_date", "end_date"]
    create_service = staticmethod(services.programme_create)
    update_service = staticmethod(services.programme_update)
    delete_service = staticmethod(services.programme_delete)

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ProgrammeDetailSerializer if self.action == "retrieve" else ProgrammeSerializer


class FundingViewSet(PartnersViewSet):
    """Funding lines: appeals and donors' contributions to programmes."""

    queryset = Funding.objects.select_related("programme", "donor")
    serializer_class = FundingSerializer
    filterset_class = FundingFilter
    search_fields = ["appeal_line", "source_note", "programme__code", "donor__code"]
    ordering_fields = ["amount", "period_start", "programme__code"]
    create_service = staticmethod(services.funding_create)
    update_service = staticmethod(services.funding_update)
    delete_service = staticmethod(services.funding_delete)


class ContactViewSet(PartnersViewSet):
    """Focal points (person-level data): only for roles that may see personal data, in scope."""

    queryset = Contact.objects.select_related("organisation", "programme", "area")
    serializer_class = ContactSerializer
    required_capability = Capability.VIEW_PII
    filterset_class = ContactFilter
    search_fields = ["full_name", "title", "email"]
    ordering_fields = ["full_name", "organisation__code"]
    create_service = staticmethod(services.contact_create)
    update_service = staticmethod(services.contact_update)
    delete_service = staticmethod(services.contact_delete)


ROUTES = [
    ("organisations", OrganisationViewSet, "organisation"),
    ("programmes", ProgrammeViewSet, "programme"),
    ("funding", FundingViewSet, "funding"),
    ("contacts", ContactViewSet, "contact"),
]
