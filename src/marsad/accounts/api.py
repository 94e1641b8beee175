"""REST API for the signed-in user (``me``), memberships and users."""

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from marsad.accounts import services
from marsad.accounts.models import Membership, RoleChoice, User
from marsad.core.api import ScopedModelViewSet, ScopedViewSetMixin
from marsad.core.roles import Capability
from marsad.core.scoping import capabilities
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme


class MembershipSummarySerializer(serializers.ModelSerializer):
    """One of a user's roles: in which organisation, narrowed to which programmes and areas."""

    organisation = serializers.CharField(source="organisation.code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    programmes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    areas = serializers.SlugRelatedField(slug_field="pcode", many=True, read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "role",
            "role_display",
            "programmes",
            "areas",
            "is_active",
        ]
        read_only_fields = fields


@extend_schema_serializer(many=False)
class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    memberships = serializers.SerializerMethodField()
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "preferred_language",
            "memberships",
            "capabilities",
        ]
        read_only_fields = fields

    @extend_schema_field(MembershipSummarySerializer(many=True))
    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        memberships = (
            user.memberships.filter(is_active=True)
            .select_related("organisation")
            .prefetch_related("programmes", "areas")
            .order_by("organisation__code", "role")
        )
        return MembershipSummarySerializer(memberships, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_capabilities(self, user: User) -> list[str]:
        return sorted(str(capability) for capability in capabilities(user))


class MeViewSet(viewsets.GenericViewSet):
    """The signed-in user: names, language, roles and what they allow."""

    permission_classes = [IsAuthenticated]
    serializer_class = MeSerializer
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=MeSerializer, summary="The signed-in user", operation_id="me_retrieve")
    def list(self, request: Request) -> Response:
        return Response(MeSerializer(request.user, context={"request": request}).data)


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all()
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    role = serializers.ChoiceField(choices=RoleChoice.choices)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    programmes = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Programme.objects.all(), required=False
    )
    areas = serializers.SlugRelatedField(
        slug_field="pcode", many=True, queryset=AdminArea.objects.all(), required=False
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "organisation",
            "organisation_name",
            "role",
            "role_display",
            "programmes",
            "areas",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # The services check one active role per user and organisation (and restore revoked).
        validators: list = []


class MembershipFilter(filters.FilterSet):
    user = filters.CharFilter(field_name="user__username", label=_("user name"))
    organisation = filters.CharFilter(
        field_name="organisation__code", label=_("organisation (code)")
    )

    class Meta:
        model = Membership
        fields = ["user", "organisation", "role", "is_active"]


class MembershipViewSet(ScopedModelViewSet):
    """Memberships: readable where the scope shows them; granted, changed and revoked (DELETE
    deactivates, keeping the row for the audit trail) by holders of the manage-users role."""

    queryset = Membership.objects.select_related("user", "organisation").prefetch_related(
        "programmes", "areas"
    )
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["created_at", "role"]
    create_service = staticmethod(services.membership_create)
    update_service = staticmethod(services.membership_update)
    delete_service = staticmethod(services.membership_delete)

    @property
    def required_capability(self) -> Capability | None:  # type: ignore[override]
        if self.request is None or self.request.method in SAFE_METHODS:
            return None
        return Capability.MANAGE_USERS


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True,
        style={"input_type": "password"},
        trim_whitespace=False,
        help_text=_("Checked against the password rules; never returned."),
    )
    memberships = MembershipSummarySerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_language",
            "is_active",
            "date_joined",
            "last_login",
            "memberships",
        ]
        read_only_fields = ["is_active", "date_joined", "last_login"]


class UserViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Users, for holders of the manage-users role: list, read and add (roles are given as
    memberships)."""

    queryset = User.objects.prefetch_related(
        Prefetch(
            "memberships",
            Membership.objects.select_related("organisation").prefetch_related(
                "programmes", "areas"
            ),
        )
    )
    serializer_class = UserSerializer
    required_capability = Capability.MANAGE_USERS
    filterset_fields = ["is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "date_joined"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.user_create(
            actor=self.request.user, **serializer.validated_data
        )


ROUTES = [
    ("me", MeViewSet, "me"),
    ("memberships", MembershipViewSet, "membership"),
    ("users", UserViewSet, "user"),
]
