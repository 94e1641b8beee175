"""REST API for administrative areas: read-only, looked up by P-code, filtered and searched."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marsad.core.api import ScopedReadOnlyViewSet
from marsad.geo import selectors
from marsad.geo.models import LEVEL_NAMES, AdminArea, parse_level


class AncestorSerializer(serializers.Serializer):
    pcode = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField(source="level_name")


class AdminAreaSerializer(serializers.ModelSerializer):
    level = serializers.CharField(
        source="level_name", read_only=True, help_text=_("country, governorate, district, ...")
    )
    name = serializers.CharField(read_only=True, help_text=_("The name in the active language."))
    parent_pcode = serializers.CharField(source="parent.pcode", read_only=True, allow_null=True)
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    has_boundary = serializers.BooleanField(read_only=True)

    class Meta:
        model = AdminArea
        fields = [
            "pcode",
            "level",
            "name_en",
            "name_ar",
            "name_ku",
            "name",
            "parent_pcode",
            "iso_code",
            "latitude",
            "longitude",
            "has_boundary",
        ]
        read_only_fields = fields


class AdminAreaDetailSerializer(AdminAreaSerializer):
    boundary = serializers.JSONField(
        read_only=True, allow_null=True, help_text=_("GeoJSON Polygon or MultiPolygon, or null.")
    )
    ancestors = serializers.SerializerMethodField(help_text=_("The areas above, country first."))

    class Meta(AdminAreaSerializer.Meta):
        fields = [*AdminAreaSerializer.Meta.fields, "boundary", "ancestors"]
        read_only_fields = fields

    @extend_schema_field(AncestorSerializer(many=True))
    def get_ancestors(self, area: AdminArea) -> list[dict[str, Any]]:
        return AncestorSerializer(area.ancestors(), many=True).data


class LevelField(forms.CharField):
    def clean(self, value: Any) -> int | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        level = parse_level(value)
        if level is None:
            raise forms.ValidationError(
                _("'%(value)s' is not a level; use one of %(levels)s or 0 to 4."),
                code="invalid_choice",
                params={"value": value, "levels": ", ".join(LEVEL_NAMES.values())},
            )
        return int(level)


@extend_schema_field(OpenApiTypes.STR)
class LevelFilter(filters.Filter):
    field_class = LevelField


class AdminAreaFilter(filters.FilterSet):
    level = LevelFilter(
        field_name="level", help_text=_("Level name (country ... location) or number (0-4).")
    )
    parent = filters.CharFilter(
        field_name="parent__pcode", help_text=_("P-code of the parent: its direct children.")
    )
    q = filters.CharFilter(
        method="filter_search",
        help_text=_(
            "P-code prefix, or part of a name in English, Arabic or Kurdish (letter variants "
            "such as ة/ه or ی/ي do not matter)."
        ),
    )
    iso_code = filters.CharFilter(field_name="iso_code", lookup_expr="iexact")

    class Meta:
        model = AdminArea
        fields = ["level", "parent", "q", "iso_code"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.search_filter(value))


class AdminAreaViewSet(ScopedReadOnlyViewSet):
    """Administrative areas (country > governorate > district > sub-district > location)."""

    queryset = AdminArea.objects.all()
    serializer_class = AdminAreaSerializer
    lookup_field = "pcode"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = AdminAreaFilter

    def get_queryset(self) -> QuerySet[AdminArea]:
        areas = selectors.areas(user=self.request.user).order_by("level", "pcode")
        if self.action == "retrieve":
            return areas.defer(None).select_related("parent")
        return areas

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "retrieve":
            return AdminAreaDetailSerializer
        return AdminAreaSerializer


ROUTES = [("areas", AdminAreaViewSet, "area")]
