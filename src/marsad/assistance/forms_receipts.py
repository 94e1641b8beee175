"""Forms of a plan's work: running a beneficiary selection, finding a household and recording
what it received (with a supervisor's override when it was already assisted)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.assistance.explanations import CATEGORY_NAMES
from marsad.assistance.models import AssistancePlan, PlanItem
from marsad.assistance.scoring import Category
from marsad.geo.models import AdminArea
from marsad.registry.models import Household, HouseholdStatus, Person


class SelectionForm(forms.Form):
    areas = forms.CharField(
        label=gettext_lazy("Areas (P-codes)"),
        required=False,
        help_text=gettext_lazy(
            "P-codes within the plan's location, separated by spaces or commas; empty for the "
            "whole location."
        ),
    )
    statuses = forms.MultipleChoiceField(
        label=gettext_lazy("Household statuses"),
        choices=HouseholdStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[HouseholdStatus.DISPLACED],
    )
    quota = forms.IntegerField(
        label=gettext_lazy("Quota (households)"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=gettext_lazy("At most this many households; empty for no limit."),
    )
    budget = forms.DecimalField(
        label=gettext_lazy("Budget (USD)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=gettext_lazy("At most this much at the plan's cost per household."),
    )
    minimum_category = forms.ChoiceField(
        label=gettext_lazy("Minimum vulnerability category"),
        required=False,
        choices=[
            ("", gettext_lazy("Any category")),
            *[(category.value, CATEGORY_NAMES[category]) for category in Category],
        ],
    )
    as_of = forms.DateField(
        label=gettext_lazy("Score on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Ages and months since displacement count to this date."),
    )

    def __init__(self, *args: Any, plan: AssistancePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["as_of"].initial = timezone.localdate()
        self.fields["areas"].widget.attrs["placeholder"] = plan.location.pcode

    def clean_areas(self) -> list[AdminArea]:
        codes = [
            code.strip().upper()
            for code in (self.cleaned_data.get("areas") or "").replace(",", " ").split()
            if code.strip()
        ]
        found = {area.pcode: area for area in AdminArea.objects.filter(pcode__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("Not known P-codes: %(codes)s."), params={"codes": ", ".join(unknown)}
            )
        return [found[code] for code in dict.fromkeys(codes)]

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "areas": data["areas"],
            "statuses": data["statuses"],
            "quota": data.get("quota"),
            "budget": data.get("budget"),
            "minimum_category": data.get("minimum_category") or None,
            "as_of": data["as_of"],
        }


class HouseholdSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Find the household"),
        required=False,
        help_text=gettext_lazy(
            "Its registration number, or a member's name in Arabic or Latin letters, a "
            "document or a phone number."
        ),
    )


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PlanItem) -> str:
        text = obj.get_assistance_type_display()
        return f"{text} — {obj.description}" if obj.description else text


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.full_name} ({obj.get_relationship_display()})"


class ReceiptForm(forms.Form):
    """A receipt for one household of an approved plan. ``override_reason`` appears only when
    a supervisor is asked to override a refusal."""

    household = forms.ModelChoiceField(queryset=Household.objects.none(), widget=forms.HiddenInput)
    item = ItemChoiceField(label=gettext_lazy("Item"), queryset=PlanItem.objects.none())
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=gettext_lazy("Empty for the plan's quantity per household."),
    )
    received_on = forms.DateField(
        label=gettext_lazy("Date received"), widget=forms.DateInput(attrs={"type": "date"})
    )
    id_checked = forms.BooleanField(label=gettext_lazy("ID checked"), required=False)
    signed = forms.BooleanField(label=gettext_lazy("Signed"), required=False)
    thumbprint = forms.BooleanField(label=gettext_lazy("Thumbprint"), required=False)
    person = PersonChoiceField(
        label=gettext_lazy("Person"),
        queryset=Person.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Who collected the assistance; required for training and courses: who attended."
        ),
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Why this household may receive the assistance a second time in the cycle; kept "
            "in the audit log."
        ),
    )

    def __init__(
        self,
        *args: Any,
        plan: AssistancePlan,
        households: Any,
        household: Household | None = None,
        override: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        if household is not None:
            self.fields["household"].initial = household.pk
            self.fields["person"].queryset = household.members.filter(is_active=True).order_by("pk")
        self.fields["item"].queryset = plan.items.order_by("assistance_type")
        items = list(self.fields["item"].queryset)
        if len(items) == 1:
            self.fields["item"].initial = items[0].pk
        today = timezone.localdate()
        self.fields["received_on"].initial = min(today, plan.end_date or today)
        if override:
            self.fields["override_reason"].required = True
        else:
            del self.fields["override_reason"]

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "item": data["item"],
            "household": data["household"],
            "received_on": data["received_on"],
            "quantity": data.get("quantity"),
            "person": data.get("person"),
            "id_checked": data.get("id_checked", False),
            "signed": data.get("signed", False),
            "thumbprint": data.get("thumbprint", False),
            "override_reason": (data.get("override_reason") or "").strip(),
        }


class ReceiptVoidForm(forms.Form):
    """A supervisor voids a receipt recorded in error, saying why."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for voiding"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Why this receipt was recorded in error, e.g. the wrong household or date. The "
            "receipt stays, marked voided; it no longer counts in reports."
        ),
    )
