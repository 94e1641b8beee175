"""Back-office view of the vulnerability criteria, scoped and audited like everywhere else.
Criteria sets are added and changed through the services (via ``ScopedAdmin``); versions are
published by ``services.criteria_version_publish`` and never change, so they are read only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marsad.assistance.models import CriteriaSet, CriteriaSetVersion, Criterion
from marsad.core.admin import ScopedAdmin


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ScopedAdmin):
    list_display = ["name", "organisation", "programme", "is_active", "updated_at"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["name"]
    fields = ["organisation", "programme", "name", "description", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire a set instead: its versions explain past selections


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "display_label", "kind", "parameter", "weight", "label"]
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("criterion"))
    def display_label(self, obj: Criterion) -> str:
        return obj.display_label

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CriteriaSetVersion)
class CriteriaSetVersionAdmin(ScopedAdmin):
    list_display = ["criteria_set", "number", "high_min", "medium_min", "created_by", "created_at"]
    list_filter = ["criteria_set__organisation"]
    search_fields = ["criteria_set__name", "note"]
    fields = [
        "criteria_set",
        "number",
        "high_min",
        "medium_min",
        "note",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [CriterionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
