"""Back-office view of border management, scoped and audited like everywhere else.

Crossing points, postings, watchlists and their entries are maintained here, through the
services (validated, scoped, audited). Crossings, hits and examination cases carry workflow
rules (MRZ reading, the cleared-hit memory, closed cases) that only their services apply, so
they are read only here; travellers and documents may be corrected but not added or deleted.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from marsad.border import services
from marsad.border.models import (
    BorderCrossingPoint,
    Crossing,
    DocumentExaminationCase,
    PostAssignment,
    ScreeningHit,
    TravelDocument,
    Traveller,
    Watchlist,
    WatchlistEntry,
)
from marsad.core.admin import ScopedAdmin


class _NoDelete(ScopedAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: crossings and hits refer to these rows


class _ReadOnly(_NoDelete):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BorderCrossingPoint)
class BorderCrossingPointAdmin(_NoDelete):
    list_display = [
        "code",
        "name_en",
        "name_ar",
        "kind",
        "governorate",
        "neighbouring_country",
        "authority",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "neighbouring_country"]
    search_fields = ["code", "name_en", "name_ar", "name_ku"]
    raw_id_fields = ["governorate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["code"] if obj is not None else []


class PostAssignmentForm(forms.ModelForm):
    class Meta:
        model = PostAssignment
        fields = ["officer", "point", "is_active"]

    def clean_officer(self) -> Any:
        officer = self.cleaned_data["officer"]
        if not services.is_border_officer(officer):
            raise forms.ValidationError(
                _("%(user)s holds no active border officer membership.") % {"user": officer}
            )
        return officer


@admin.register(PostAssignment)
class PostAssignmentAdmin(_NoDelete):
    form = PostAssignmentForm
    list_display = ["officer", "point", "is_active", "created_at"]
    list_filter = ["is_active", "point"]
    search_fields = ["officer__username", "point__code"]
    raw_id_fields = ["officer"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new posting goes through the service, which checks the officer's role.
        saved = services.post_assign(
            actor=request.user,
            officer=form.cleaned_data["officer"],
            point=form.cleaned_data.get("point"),
        )
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(Traveller)
class TravellerAdmin(_NoDelete):
    list_display = ["surname", "given_names", "nationality", "birth_date", "sex", "organisation"]
    list_filter = ["nationality", "sex", "organisation"]
    search_fields = ["search_text", "documents__number_normalised"]
    readonly_fields = ["names_normalised", "names_latin", "name_key"]
    exclude = ["search_text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # travellers come with the crossing that presents their document


@admin.register(TravelDocument)
class TravelDocumentAdmin(_NoDelete):
    list_display = [
        "issuing_state",
        "document_type",
        "number",
        "surname",
        "given_names",
        "expiry_date",
        "mrz_valid",
    ]
    list_filter = ["document_type", "mrz_valid", "issuing_state"]
    search_fields = ["number_normalised", "search_text"]
    raw_id_fields = ["traveller"]
    readonly_fields = [
        "mrz_text",
        "mrz_format",
        "mrz_valid",
        "mrz_checks",
        "visual_differences",
        "names_normalised",
        "names_latin",
        "name_key",
    ]
    exclude = ["search_text"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Crossing)
class CrossingAdmin(_ReadOnly):
    list_display = [
        "crossed_at",
        "point",
        "direction",
        "traveller",
        "nationality",
        "purpose",
        "screening_outcome",
        "decision",
    ]
    list_filter = ["direction", "decision", "screening_outcome", "purpose", "point"]
    search_fields = ["document__number_normalised", "traveller__search_text", "conveyance"]
    date_hierarchy = "crossed_at"


@admin.register(Watchlist)
class WatchlistAdmin(_NoDelete):
    list_display = ["name", "organisation", "sensitivity", "is_active", "updated_at"]
    list_filter = ["sensitivity", "is_active", "organisation"]
    search_fields = ["name"]


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(_NoDelete):
    list_display = ["__str__", "watchlist", "nationality", "birth_date", "action", "is_active"]
    list_filter = ["action", "is_active", "watchlist"]
    search_fields = ["search_text", "reference"]
    readonly_fields = ["fingerprint", "names_normalised", "names_latin", "name_key"]
    exclude = ["search_text", "document_numbers_normalised"]


@admin.register(ScreeningHit)
class ScreeningHitAdmin(_ReadOnly):
    list_display = ["created_at", "document", "entry", "score", "action", "status", "decided_by"]
    list_filter = ["status", "action"]
    search_fields = ["document__number_normalised"]


@admin.register(DocumentExaminationCase)
class DocumentExaminationCaseAdmin(_ReadOnly):
    list_display = ["number", "document", "suspicion", "status", "outcome", "examiner"]
    list_filter = ["status", "suspicion", "outcome"]
    search_fields = ["number", "document__number_normalised"]
