"""Forms of the registry pages: search, registering a household with its members, editing."""

import datetime
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme
from marsad.registry.models import (
    DatePrecision,
    DocumentKind,
    Household,
    HouseholdStatus,
    MaritalStatus,
    Person,
    Relationship,
    Sex,
)

BIRTH_YEAR_DAY = (7, 1)  # a birth year alone is stored as 1 July, the usual stand-in


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        help_text=gettext_lazy(
            "A name in Arabic or Latin letters, a document number or a phone number."
        ),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *HouseholdStatus.choices],
    )
    area = forms.CharField(
        label=gettext_lazy("Area P-code"),
        required=False,
        help_text=gettext_lazy("Households living in this area or below it."),
    )
    merged = forms.BooleanField(
        label=gettext_lazy("Show merged households"),
        required=False,
        help_text=gettext_lazy("Registrations found to be another household, kept closed."),
    )

    def clean_area(self) -> AdminArea | None:
        code = (self.cleaned_data.get("area") or "").strip().upper()
        if not code:
            return None
        area = AdminArea.objects.filter(pcode=code).first()
        if area is None:
            raise forms.ValidationError(_("%(code)s is not a known P-code."), params={"code": code})
        return area


class PcodeField(forms.CharField):
    """An admin area typed as its P-code."""

    def clean(self, value: Any) -> AdminArea | None:
        code = (super().clean(value) or "").strip().upper()
        if not code:
            return None
        area = AdminArea.objects.filter(pcode=code).first()
        if area is None:
            raise forms.ValidationError(_("%(code)s is not a known P-code."), params={"code": code})
        return area


def member_organisations(user: Any) -> Any:
    """Organisations the user may register households for (all, for a superuser)."""
    from marsad.core.scoping import is_superuser

    organisations = Organisation.objects.filter(is_active=True)
    if not is_superuser(user):
        organisations = organisations.filter(
            memberships__user=user, memberships__is_active=True
        ).distinct()
    return organisations.order_by("code")


class HouseholdForm(forms.ModelForm):
    area = PcodeField(
        label=gettext_lazy("Current location (P-code)"),
        help_text=gettext_lazy("The location, sub-district or district where it lives now."),
    )
    origin_area = PcodeField(
        label=gettext_lazy("Area of origin (P-code)"),
        required=False,
        help_text=gettext_lazy("Where it was displaced from."),
    )

    class Meta:
        model = Household
        fields = [
            "organisation",
            "programme",
            "area",
            "address",
            "origin_area",
            "displacement_date",
            "size",
            "shelter_type",
            "status",
            "documentation_status",
            "property_status",
            "has_income",
            "sensitivity",
            "notes",
        ]
        widgets = {
            "displacement_date": forms.DateInput(attrs={"type": "date"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "has_income": forms.NullBooleanSelect(),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = member_organisations(user)
        self.fields["organisation"].queryset = organisations
        if not self.instance.pk and len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["programme"].queryset = Programme.objects.order_by("code")
        self.fields["programme"].required = False
        if self.instance.pk:
            self.fields["area"].initial = self.instance.area.pcode if self.instance.area else ""
            self.initial["area"] = self.fields["area"].initial
            self.initial["origin_area"] = (
                self.instance.origin_area.pcode if self.instance.origin_area else ""
            )

    def clean_displacement_date(self) -> datetime.date | None:
        value = self.cleaned_data.get("displacement_date")
        if value and value > datetime.date.today():
            raise forms.ValidationError(_("The displacement date is in the future."))
        return value


def parse_birth_date(text: str) -> tuple[datetime.date | None, str]:
    """``YYYY-MM-DD``, ``DD/MM/YYYY`` or a year alone (→ 1 July, precision "year")."""
    text = (text or "").strip()
    if not text:
        return None, DatePrecision.DAY
    if text.isdigit() and len(text) == 4:
        return datetime.date(int(text), *BIRTH_YEAR_DAY), DatePrecision.YEAR
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date(), DatePrecision.DAY
        except ValueError:
            continue
    raise forms.ValidationError(
        _("%(value)s is not a date: write 1985-03-14, 14/03/1985 or the year alone (1985)."),
        params={"value": text},
    )


class MemberForm(forms.Form):
    relationship = forms.ChoiceField(
        label=gettext_lazy("Relationship to the head"), choices=Relationship.choices
    )
    given_name = forms.CharField(label=gettext_lazy("Given name"), max_length=100)
    father_name = forms.CharField(
        label=gettext_lazy("Father's name"), max_length=100, required=False
    )
    grandfather_name = forms.CharField(
        label=gettext_lazy("Grandfather's name"), max_length=100, required=False
    )
    family_name = forms.CharField(
        label=gettext_lazy("Family or tribe name"), max_length=100, required=False
    )
    mother_name = forms.CharField(
        label=gettext_lazy("Mother's name"), max_length=100, required=False
    )
    sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=Sex.choices, required=False)
    birth_date = forms.CharField(
        label=gettext_lazy("Birth date"),
        required=False,
        help_text=gettext_lazy("1985-03-14, 14/03/1985, or the year alone."),
    )
    birth_date_estimated = forms.BooleanField(label=gettext_lazy("Estimated"), required=False)
    marital_status = forms.ChoiceField(
        label=gettext_lazy("Marital status"), choices=MaritalStatus.choices, required=False
    )
    disability = forms.BooleanField(label=gettext_lazy("Disability"), required=False)
    chronic_illness = forms.BooleanField(label=gettext_lazy("Chronic illness"), required=False)
    pregnant_or_lactating = forms.BooleanField(
        label=gettext_lazy("Pregnant or lactating"), required=False
    )
    separated_child = forms.BooleanField(
        label=gettext_lazy("Separated or unaccompanied child"), required=False
    )
    document_kind = forms.ChoiceField(
        label=gettext_lazy("Document"),
        choices=[("", "—"), *DocumentKind.choices],
        required=False,
    )
    document_number = forms.CharField(
        label=gettext_lazy("Document number"), max_length=40, required=False
    )
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)

    def clean_birth_date(self) -> tuple[datetime.date | None, str]:
        value, precision = parse_birth_date(self.cleaned_data.get("birth_date") or "")
        if value and value > datetime.date.today():
            raise forms.ValidationError(_("The birth date is in the future."))
        return value, precision

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("pregnant_or_lactating") and data.get("sex") == Sex.MALE:
            self.add_error(
                "pregnant_or_lactating", _("Only a woman can be recorded as pregnant or lactating.")
            )
        if bool(data.get("document_kind")) != bool(data.get("document_number")):
            self.add_error(
                "document_number", _("Give both the kind of document and its number, or neither.")
            )
        return data

    def member_data(self) -> dict[str, Any]:
        """The member as ``registry.services.household_register`` takes it."""
        data = self.cleaned_data
        birth_date, precision = data["birth_date"]
        if birth_date and data.get("birth_date_estimated"):
            precision = DatePrecision.ESTIMATED
        member = {
            name: data.get(name) or ""
            for name in (
                "relationship",
                "given_name",
                "father_name",
                "grandfather_name",
                "family_name",
                "mother_name",
                "sex",
                "marital_status",
            )
        }
        member.update(
            {
                name: bool(data.get(name))
                for name in (
                    "disability",
                    "chronic_illness",
                    "pregnant_or_lactating",
                    "separated_child",
                )
            }
        )
        member["birth_date"] = birth_date
        member["birth_date_precision"] = precision
        if data.get("document_kind"):
            member["documents"] = [
                {"kind": data["document_kind"], "number": data["document_number"]}
            ]
        if data.get("phone"):
            member["phones"] = [data["phone"]]
        return member


MemberFormSet = formset_factory(MemberForm, extra=0, min_num=1, validate_min=True, max_num=40)


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "relationship",
            "given_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "mother_name",
            "sex",
            "birth_date",
            "birth_date_precision",
            "marital_status",
            "disability",
            "chronic_illness",
            "pregnant_or_lactating",
            "separated_child",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}


class HouseholdMergeForm(forms.Form):
    """Merge the household whose page this is into another one, picked by registration
    number, saying why."""

    into = forms.CharField(
        label=gettext_lazy("Registration number of the household to merge into"),
        max_length=40,
        help_text=gettext_lazy(
            "The household that stays: this household's members and registrations move into "
            "it, and this household is closed."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Why the two registrations are one household."),
    )

    def __init__(self, *args: Any, user: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.household = household

    def clean_into(self) -> Household:
        from marsad.registry import selectors

        number = (self.cleaned_data.get("into") or "").strip()
        found = (
            selectors.households(self.user, merged=True)
            .filter(registration_number__iexact=number)
            .first()
        )
        if found is None:
            raise forms.ValidationError(
                _("No household %(number)s in your scope."), params={"number": number}
            )
        if found.merged_into_id is not None:
            raise forms.ValidationError(
                _("Household %(number)s is already merged into household %(survivor)s.")
                % {
                    "number": found.registration_number,
                    "survivor": found.merged_into.registration_number,
                }
            )
        if found.pk == self.household.pk:
            raise forms.ValidationError(_("Choose another household than this one."))
        return found
