"""Search and edit forms for organisations, programmes, funding lines and focal points.

Edit forms check fields only; the services check the domain rules, uniqueness and scope, and
``apply_errors`` puts their messages next to the fields they name.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from marsad.geo.models import AdminArea
from marsad.partners.models import (
    Contact,
    Funding,
    Organisation,
    OrganisationKind,
    Programme,
)
from marsad.partners.rules import LEAD_UNIT_KINDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``: by field where the form has that field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)


class ServiceValidatedModelForm(forms.ModelForm):
    """A ModelForm that checks fields only: uniqueness and the check constraints are left to the
    services, which name the field (an end date before the start is an ``end_date`` error,
    where the constraint could only say it about the whole form)."""

    def _post_clean(self) -> None:
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
        except ValidationError as error:
            self._update_errors(error)
        try:
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# --- Search forms --------------------------------------------------------------------------------


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Code, acronym or name in any language"),
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *OrganisationKind.choices],
    )


def _organisations_of(kinds: set[str] | list[str]) -> Any:
    return Organisation.objects.filter(kind__in=list(kinds)).order_by("code")


class ProgrammeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Code, name or description"),
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"),
        required=False,
        queryset=_organisations_of(LEAD_UNIT_KINDS),
        to_field_name="code",
        empty_label=_("Any lead unit"),
    )
    donor = forms.ModelChoiceField(
        label=_("Donor"),
        required=False,
        queryset=_organisations_of([OrganisationKind.DONOR]),
        to_field_name="code",
        empty_label=_("Any donor"),
    )
    ministry = forms.ModelChoiceField(
        label=_("Partner ministry"),
        required=False,
        queryset=_organisations_of([OrganisationKind.GOVERNMENT_MINISTRY]),
        to_field_name="code",
        empty_label=_("Any ministry"),
    )
    active_on = forms.DateField(label=_("Active on"), required=False, widget=DATE_WIDGET)

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "query": data.get("q") or "",
            "lead_unit": data["lead_unit"].code if data.get("lead_unit") else "",
            "donor": data["donor"].code if data.get("donor") else "",
            "ministry": data["ministry"].code if data.get("ministry") else "",
            "active_on": data.get("active_on"),
        }


# --- Edit forms ----------------------------------------------------------------------------------


class OrganisationForm(ServiceValidatedModelForm):
    website = forms.URLField(
        label=_("website"), required=False, assume_scheme="https", max_length=200
    )

    class Meta:
        model = Organisation
        fields = [
            "code",
            "kind",
            "acronym",
            "name_en",
            "name_ar",
            "name_ku",
            "parent",
            "country",
            "website",
            "is_active",
        ]
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "name_ku": forms.TextInput(attrs={"dir": "rtl", "lang": "ckb"}),
            "code": forms.TextInput(attrs={"class": "mono", "autocapitalize": "characters"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.order_by("code")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents


class ProgrammeForm(ServiceValidatedModelForm):
    class Meta:
        model = Programme
        fields = [
            "code",
            "name_en",
            "name_ar",
            "name_ku",
            "description",
            "lead_unit",
            "partner_ministries",
            "donors",
            "start_date",
            "end_date",
        ]
        widgets = {
            "name_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
            "name_ku": forms.TextInput(attrs={"dir": "rtl", "lang": "ckb"}),
            "code": forms.TextInput(attrs={"class": "mono", "autocapitalize": "characters"}),
            "description": forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
            "partner_ministries": forms.CheckboxSelectMultiple,
            "donors": forms.CheckboxSelectMultiple,
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = _organisations_of(LEAD_UNIT_KINDS)
        self.fields["partner_ministries"].queryset = _organisations_of(
            [OrganisationKind.GOVERNMENT_MINISTRY]
        )
        self.fields["donors"].queryset = _organisations_of([OrganisationKind.DONOR])

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("partner_ministries", "donors"):
            data[name] = list(data[name])
        return data


class FundingForm(ServiceValidatedModelForm):
    class Meta:
        model = Funding
        fields = [
            "kind",
            "donor",
            "amount",
            "currency",
            "period_start",
            "period_end",
            "appeal_line",
            "source_note",
        ]
        widgets = {
            "currency": forms.TextInput(
                attrs={"class": "mono", "maxlength": 3, "autocapitalize": "characters"}
            ),
            "period_start": DATE_WIDGET,
            "period_end": DATE_WIDGET,
            "source_note": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = _organisations_of([OrganisationKind.DONOR])


class ContactForm(ServiceValidatedModelForm):
    area = forms.ModelChoiceField(
        label=_("Area (P-code)"),
        required=False,
        queryset=AdminArea.objects.all(),
        to_field_name="pcode",
        widget=forms.TextInput(attrs={"class": "mono"}),
        help_text=_("The P-code of the governorate, district or location, e.g. IQG08."),
        error_messages={"invalid_choice": _("No administrative area has this P-code.")},
    )

    class Meta:
        model = Contact
        fields = [
            "full_name",
            "title",
            "phone",
            "email",
            "programme",
            "area",
            "sensitivity",
            "notes",
        ]
        widgets = {
            "full_name": forms.TextInput(attrs={"dir": "auto"}),
            "title": forms.TextInput(attrs={"dir": "auto"}),
            "phone": forms.TextInput(attrs={"type": "tel", "dir": "ltr"}),
            "notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.order_by("code")
        if self.instance.pk and self.instance.area_id and not self.is_bound:
            self.initial["area"] = self.instance.area.pcode
