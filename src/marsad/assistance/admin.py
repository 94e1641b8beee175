"""Back-office view of vulnerability targeting and assistance, scoped and audited like everywhere
else. Criteria sets are added and changed through the services (via ``ScopedAdmin``); versions
are published by ``services.criteria_version_publish`` and never change, so they are read only.

Plans, selections and receipts are read only here: their writes carry workflow rules (plan
status, the double-assistance check, overrides) that only their services apply."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marsad.assistance.models import (
    AssistancePlan,
    CriteriaSet,
    CriteriaSetVersion,
    Criterion,
    PlanItem,
    Receipt,
    Selection,
    SelectionEntry,
)
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


class _ReadOnly(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    fields = ["assistance_type", "description", "quantity", "unit_value_usd"]
    readonly_fields = fields
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssistancePlan)
class AssistancePlanAdmin(_ReadOnly):
    list_display = ["code", "title", "organisation", "programme", "cycle", "status", "start_date"]
    list_filter = ["status", "programme", "organisation"]
    search_fields = ["code", "title", "project_name", "project_code"]
    inlines = [PlanItemInline]


@admin.register(Selection)
class SelectionAdmin(_ReadOnly):
    list_display = [
        "plan",
        "criteria_version",
        "as_of",
        "considered_count",
        "included_count",
        "run_by",
        "created_at",
    ]
    list_filter = ["plan__programme"]
    search_fields = ["plan__code"]


@admin.register(SelectionEntry)
class SelectionEntryAdmin(_ReadOnly):
    list_display = ["selection", "rank", "household", "score", "category", "included", "reason"]
    list_filter = ["included", "reason", "category"]
    search_fields = ["household__registration_number", "selection__plan__code"]
    list_select_related = ["selection__plan", "household"]
    raw_id_fields = ["household", "other_household", "earlier_receipt"]


@admin.register(Receipt)
class ReceiptAdmin(_ReadOnly):
    list_display = [
        "received_on",
        "household",
        "assistance_type",
        "quantity",
        "plan",
        "cycle",
        "override",
        "recorded_by",
    ]
    list_filter = ["assistance_type", "override", "cycle", "programme"]
    search_fields = ["household__registration_number", "plan__code", "source_key"]
    list_select_related = ["household", "plan", "recorded_by"]
    raw_id_fields = ["household", "person", "overrides_receipt"]
