"""Back-office maintenance of displacement records: scoped like everywhere else, and saved through
``displacement.services`` so the workflow and editing rules and the audit log apply here too."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from marsad.core.admin import ScopedAdmin
from marsad.displacement import services
from marsad.displacement.models import (
    AssessmentRound,
    DisplacementPeriod,
    Intention,
    LocationAssessment,
    PopulationGroup,
    SectorNeed,
)

ROW_SERVICES = {
    PopulationGroup: (services.population_group_save, services.population_group_delete),
    SectorNeed: (services.need_save, services.need_delete),
    Intention: (services.intention_save, services.intention_delete),
}


def _editable(model: type, cleaned: dict[str, Any], names: Any) -> dict[str, Any]:
    fields = {field.name for field in model._meta.concrete_fields if field.editable}
    return {
        name: cleaned[name]
        for name in names
        if name in fields and name in cleaned and name not in ("id", "assessment")
    }


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(ScopedAdmin):
    list_display = ["number", "kind", "period_start", "period_end", "status"]
    list_filter = ["status", "kind"]
    readonly_fields = ["status", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = _editable(
            AssessmentRound, form.cleaned_data, form.changed_data if change else form.cleaned_data
        )
        if change:
            saved = services.round_update(actor=request.user, instance=obj, data=data)
        else:
            saved = services.round_create(actor=request.user, **data)
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(DisplacementPeriod)
class DisplacementPeriodAdmin(ScopedAdmin):
    list_display = ["code", "label_en", "label_ar", "start_date", "end_date", "sort_order"]
    ordering = ["sort_order", "code"]


class RowInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.site.has_permission(request)


class PopulationGroupInline(RowInline):
    model = PopulationGroup
    fields = [
        "population_type",
        "origin_area",
        "displacement_period",
        "shelter_category",
        "families",
        "individuals",
        "individuals_estimated",
    ]
    readonly_fields = ["individuals_estimated"]
    autocomplete_fields = ["origin_area"]


class SectorNeedInline(RowInline):
    model = SectorNeed
    fields = ["sector", "priority", "severity"]


class IntentionInline(RowInline):
    model = Intention
    fields = ["population_type", "intention", "families"]


class LocationAssessmentAdminForm(forms.ModelForm):
    """Shows the round, date and location rules on the form instead of failing on save."""

    class Meta:
        model = LocationAssessment
        fields = [
            "round",
            "area",
            "organisation",
            "programme",
            "sensitivity",
            "assessed_on",
            "monitor",
            "monitor_name",
            "method",
            "key_informants",
            "documentation_status",
            "property_status",
            "security_notes",
            "access_notes",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            services.check_assessment_values(
                {**cleaned, "round": cleaned.get("round"), "area": cleaned.get("area")},
                actor=None,
                creating=self.instance.pk is None,
            )
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field_name if field_name in self.fields else None, message)
        return cleaned


@admin.register(LocationAssessment)
class LocationAssessmentAdmin(ScopedAdmin):
    form = LocationAssessmentAdminForm
    list_display = ["round", "area", "organisation", "assessed_on", "status", "source"]
    list_filter = ["status", "round", "source"]
    search_fields = ["area__pcode", "area__name_en", "area__name_ar", "monitor_name"]
    list_select_related = ["round", "area", "organisation"]
    autocomplete_fields = ["area"]
    readonly_fields = ["status", "source", "source_key", "created_at", "updated_at"]
    raw_id_fields = ["monitor"]
    inlines = [PopulationGroupInline, SectorNeedInline, IntentionInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Through the services: the round, date and editing rules apply."""
        names = form.changed_data if change else form.cleaned_data
        data = _editable(LocationAssessment, form.cleaned_data, names)
        if change:
            saved = services.assessment_update(actor=request.user, instance=obj, data=data)
        else:
            saved = services.assessment_create(actor=request.user, data=data)
        obj.pk = saved.pk
        obj._state.adding = False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Each inline row through its service (validated, scoped, audited)."""
        save, delete = ROW_SERVICES[formset.model]
        assessment = form.instance
        # What the admin's change message reads (formset.save() would set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row_form in formset.forms:
            instance = row_form.instance if row_form.instance.pk else None
            if row_form in formset.deleted_forms:
                if instance is not None:
                    delete(actor=request.user, instance=formset.model.objects.get(pk=instance.pk))
                    formset.deleted_objects.append(instance)
                continue
            if not row_form.has_changed():
                continue
            names = row_form.changed_data if instance is not None else row_form.cleaned_data
            data = _editable(formset.model, row_form.cleaned_data, names)
            if instance is not None:
                instance = formset.model.objects.get(pk=instance.pk)
            saved = save(actor=request.user, assessment=assessment, data=data, instance=instance)
            if instance is None:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, row_form.changed_data))
