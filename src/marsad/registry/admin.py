"""Back-office view of the registry: scoped and audited like everywhere else. Households are
registered through the registration page or the API (members, documents and the source record
together), so the admin neither adds nor deletes; source records are read only."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marsad.core.admin import ScopedAdmin
from marsad.registry.models import Household, Person, SourceRecord


class _NoAddNoDelete(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(_NoAddNoDelete):
    list_display = ["registration_number", "area", "size", "status", "organisation"]
    list_filter = ["status", "shelter_type", "organisation"]
    search_fields = ["registration_number"]
    raw_id_fields = ["area", "origin_area"]
    readonly_fields = ["registration_number", "merged_into"]


@admin.register(Person)
class PersonAdmin(_NoAddNoDelete):
    list_display = ["given_name", "father_name", "family_name", "sex", "birth_date", "household"]
    list_filter = ["sex", "relationship", "is_active"]
    search_fields = ["search_text", "household__registration_number"]
    raw_id_fields = ["household"]
    readonly_fields = ["names_normalised", "names_latin", "given_key", "family_key"]
    exclude = ["search_text"]


@admin.register(SourceRecord)
class SourceRecordAdmin(_NoAddNoDelete):
    list_display = ["kind", "source_name", "source_key", "organisation", "created_at"]
    list_filter = ["kind", "organisation"]
    search_fields = ["source_key", "source_name"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
