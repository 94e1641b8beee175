"""Back-office maintenance of administrative areas, scoped and saved through the geo services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from marsad.core.admin import ScopedAdmin
from marsad.geo import services
from marsad.geo.models import AdminArea


@admin.register(AdminArea)
class AdminAreaAdmin(ScopedAdmin):
    list_display = ["pcode", "name_en", "name_ar", "name_ku", "level", "parent", "iso_code"]
    list_filter = ["level"]
    search_fields = ["pcode", "name_en", "name_ar", "name_ku", "search_text"]
    list_select_related = ["parent"]
    readonly_fields = ["path", "updated_at"]
    autocomplete_fields = ["parent"]
    ordering = ["path"]
    fields = [
        "pcode",
        "level",
        "parent",
        "name_en",
        "name_ar",
        "name_ku",
        "iso_code",
        "latitude",
        "longitude",
        "boundary",
        "path",
        "updated_at",
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Through the geo services: validated, audited, and a new parent re-paths below."""
        editable = {field.name for field in AdminArea._meta.concrete_fields if field.editable}
        data = {name: value for name, value in form.cleaned_data.items() if name in editable}
        if change:
            data = {name: value for name, value in data.items() if name in form.changed_data}
            saved = services.area_update(actor=request.user, area=obj, data=data)
        else:
            saved = services.area_create(actor=request.user, data=data)
        obj.pk = saved.pk
        obj._state.adding = False
