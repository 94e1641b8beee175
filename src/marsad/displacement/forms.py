"""Forms for the displacement pages: round and assessment fields, the rows of an assessment
(population groups, needs, intentions) as formsets, the round's assessment filters.

Forms check the fields; the services check the domain rules (individuals not fewer than
families, the date within the round, the workflow) and ``apply_errors`` shows their messages
next to the field or row they name.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marsad.displacement.models import (
    AGE_SEX_FIELDS,
    AssessmentRound,
    AssessmentStatus,
    DisplacementPeriod,
    IntentionChoice,
    LocationAssessment,
    PopulationGroup,
    PopulationType,
    Sector,
    ShelterCategory,
)
from marsad.displacement.selectors import period_label
from marsad.geo.models import AdminArea, AreaLevel
from marsad.partners.forms import DATE_WIDGET, ServiceValidatedModelForm, apply_errors
from marsad.partners.models import Organisation

__all__ = [
    "AssessmentEditForm",
    "AssessmentFilterForm",
    "AssessmentForm",
    "IntentionFormSet",
    "NeedFormSet",
    "PopulationGroupFormSet",
    "ReturnForm",
    "RoundForm",
    "apply_errors",
]

NUMBER = {"min_value": 0, "widget": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})}


class RoundForm(ServiceValidatedModelForm):
    class Meta:
        model = AssessmentRound
        fields = ["number", "kind", "period_start", "period_end", "notes"]
        widgets = {
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        }


_ASSESSMENT_FIELDS = [
    "assessed_on",
    "monitor_name",
    "method",
    "key_informants",
    "documentation_status",
    "property_status",
    "security_notes",
    "access_notes",
]
_ASSESSMENT_WIDGETS = {
    "assessed_on": DATE_WIDGET,
    "monitor_name": forms.TextInput(attrs={"dir": "auto"}),
    "security_notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    "access_notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
}


class AssessmentEditForm(ServiceValidatedModelForm):
    """The fields of an assessment that a correction may change (not its round or location)."""

    class Meta:
        model = LocationAssessment
        fields = _ASSESSMENT_FIELDS
        widgets = _ASSESSMENT_WIDGETS


class AssessmentForm(ServiceValidatedModelForm):
    """A new assessment of a location in a round, by one of the user's organisations."""

    area = forms.ModelChoiceField(
        label=_("Location (P-code)"),
        queryset=AdminArea.objects.filter(level=AreaLevel.LOCATION),
        to_field_name="pcode",
        widget=forms.TextInput(attrs={"class": "mono", "dir": "ltr"}),
        help_text=_("The P-code of the village or neighbourhood assessed."),
        error_messages={"invalid_choice": _("No location (level 4 area) has this P-code.")},
    )

    class Meta:
        model = LocationAssessment
        fields = ["area", "organisation", "programme", "sensitivity", *_ASSESSMENT_FIELDS]
        widgets = _ASSESSMENT_WIDGETS

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations
        self.fields["programme"].queryset = self.fields["programme"].queryset.order_by("code")


# --- Rows of an assessment -----------------------------------------------------------------------


class _RowForm(forms.Form):
    """One row of a formset; ``id`` is the saved row's id, empty for a new row."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def label_cells(self) -> None:
        """Inputs in a table cell have no <label>: name them for screen readers."""
        for name, field in self.fields.items():
            if name != "id" and field.label:
                field.widget.attrs.setdefault("aria-label", str(field.label))

    def service_data(self) -> dict[str, Any]:
        return {
            name: value for name, value in self.cleaned_data.items() if name not in ("id", "DELETE")
        }


class _PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DisplacementPeriod) -> str:
        return period_label(obj)


class PopulationGroupRowForm(_RowForm):
    population_type = forms.ChoiceField(label=_("Population type"), choices=PopulationType.choices)
    origin_area = forms.ModelChoiceField(
        label=_("Origin (P-code)"),
        required=False,
        queryset=AdminArea.objects.all(),
        to_field_name="pcode",
        widget=forms.TextInput(attrs={"class": "mono", "dir": "ltr", "size": 10}),
        error_messages={"invalid_choice": _("No administrative area has this P-code.")},
    )
    displacement_period = _PeriodChoiceField(
        label=_("Displacement period"),
        required=False,
        queryset=DisplacementPeriod.objects.all(),
        empty_label="—",
    )
    shelter_category = forms.ChoiceField(
        label=_("Shelter"), required=False, choices=[("", "—"), *ShelterCategory.choices]
    )
    families = forms.IntegerField(label=_("Families"), **NUMBER)
    individuals = forms.IntegerField(
        label=_("Individuals"),
        required=False,
        help_text=_("Leave empty to estimate from families."),
        **NUMBER,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in AGE_SEX_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=PopulationGroup._meta.get_field(name).verbose_name,
                required=False,
                **NUMBER,
            )
        self.label_cells()

    @staticmethod
    def initial_of(group: PopulationGroup) -> dict[str, Any]:
        initial = {
            "id": group.pk,
            "population_type": group.population_type,
            "origin_area": group.origin_area.pcode if group.origin_area_id else "",
            "displacement_period": group.displacement_period_id,
            "shelter_category": group.shelter_category,
            "families": group.families,
            # An estimate is shown empty, so that changing families re-estimates it.
            "individuals": None if group.individuals_estimated else group.individuals,
        }
        initial.update({name: getattr(group, name) for name in AGE_SEX_FIELDS})
        return initial


class NeedRowForm(_RowForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_cells()

    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    priority = forms.IntegerField(
        label=_("Priority"),
        required=False,
        min_value=1,
        help_text=_("1 = the first need."),
        widget=forms.NumberInput(attrs={"min": 1}),
    )
    severity = forms.IntegerField(
        label=_("Severity"),
        required=False,
        min_value=1,
        max_value=5,
        help_text=_("1 = minimal, 5 = catastrophic."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 5}),
    )

    @staticmethod
    def initial_of(need: Any) -> dict[str, Any]:
        return {
            "id": need.pk,
            "sector": need.sector,
            "priority": need.priority,
            "severity": need.severity,
        }


class IntentionRowForm(_RowForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_cells()

    population_type = forms.ChoiceField(label=_("Population type"), choices=PopulationType.choices)
    intention = forms.ChoiceField(label=_("Intention"), choices=IntentionChoice.choices)
    families = forms.IntegerField(label=_("Families"), **NUMBER)

    @staticmethod
    def initial_of(intention: Any) -> dict[str, Any]:
        return {
            "id": intention.pk,
            "population_type": intention.population_type,
            "intention": intention.intention,
            "families": intention.families,
        }


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = str(_("Delete this row"))


def _rows(form: type[forms.Form]) -> type[forms.BaseFormSet]:
    return forms.formset_factory(form, formset=RowFormSet, extra=2, can_delete=True)


PopulationGroupFormSet = _rows(PopulationGroupRowForm)
NeedFormSet = _rows(NeedRowForm)
IntentionFormSet = _rows(IntentionRowForm)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning it to the monitor"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
        error_messages={"required": _("Say why the assessment goes back to draft.")},
    )


# --- Filters -------------------------------------------------------------------------------------


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Location"),
        required=False,
        help_text=_("P-code or name in any language"),
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    area = forms.ModelChoiceField(
        label=_("Within area (P-code)"),
        required=False,
        queryset=AdminArea.objects.all(),
        to_field_name="pcode",
        widget=forms.TextInput(attrs={"class": "mono", "dir": "ltr", "size": 10}),
        error_messages={"invalid_choice": _("No administrative area has this P-code.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *AssessmentStatus.choices],
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("Any organisation"),
    )
    population_type = forms.ChoiceField(
        label=_("Population type"),
        required=False,
        choices=[("", _("Any population")), *PopulationType.choices],
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "area": data.get("area"),
            "status": data.get("status") or None,
            "organisation": data.get("organisation"),
            "population_type": data.get("population_type") or None,
        }
