"""Forms of the assistance pages: criteria sets and the next version of their criteria, plans
with their items. They check types and choices only; the rules (cut-offs, catalogue, plan
states) are the services', whose refusals the views show on the form."""

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.assistance import selectors
from marsad.assistance.models import (
    CRITERION_KINDS,
    AssistancePlan,
    AssistanceType,
    CriteriaSetVersion,
    PlanStatus,
)
from marsad.assistance.scoring import RULE_PARAMETERS, RuleKind
from marsad.core.roles import Capability
from marsad.core.scoping import is_superuser, membership_scopes
from marsad.partners.models import Funding, Organisation, OrganisationKind, Programme
from marsad.registry.forms import PcodeField

#: What each rule of the catalogue reads, in a sentence (shown beside the criteria).
RULE_HELP = {
    RuleKind.FEMALE_HEAD: gettext_lazy("Fires when the head of household is a woman."),
    RuleKind.ELDERLY_HEAD: gettext_lazy(
        "Fires when the head of household is at least the given age on the scoring date."
    ),
    RuleKind.CHILD_HEAD: gettext_lazy(
        "Fires when the head of household is younger than the given age on the scoring date."
    ),
    RuleKind.MEMBER_DISABILITY: gettext_lazy(
        "Fires when at least one active member lives with a disability."
    ),
    RuleKind.MEMBER_CHRONIC_ILLNESS: gettext_lazy(
        "Fires when at least one active member has a chronic illness."
    ),
    RuleKind.PREGNANT_OR_LACTATING: gettext_lazy(
        "Fires when at least one active member is pregnant or lactating."
    ),
    RuleKind.SEPARATED_CHILD: gettext_lazy(
        "Fires when at least one member is a separated or unaccompanied child."
    ),
    RuleKind.WIDOWED_HEAD: gettext_lazy("Fires when the head of household is widowed."),
    RuleKind.LARGE_HOUSEHOLD: gettext_lazy(
        "Fires when the household has more people than the given number."
    ),
    RuleKind.NO_INCOME: gettext_lazy(
        "Fires when the household is recorded as having no regular income (not when unknown)."
    ),
    RuleKind.CRITICAL_SHELTER: gettext_lazy(
        "Fires when the household lives in an informal settlement, a religious or school "
        "building, an unfinished building or another critical shelter."
    ),
    RuleKind.MISSING_DOCUMENTS: gettext_lazy(
        "Fires when the household's civil documents are partly or entirely missing."
    ),
    RuleKind.RECENT_DISPLACEMENT: gettext_lazy(
        "Fires when the household was displaced within the given number of months before "
        "the scoring date."
    ),
}


def _number_input(**attrs: Any) -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", **attrs})


# --- Criteria -------------------------------------------------------------------------------


def criteria_organisations(user: Any) -> Any:
    """Organisations the user may own criteria sets for: those where they manage programmes
    (every active one, for a superuser)."""
    organisations = Organisation.objects.filter(is_active=True)
    if not is_superuser(user):
        organisations = organisations.filter(
            pk__in=[
                scope.organisation_id
                for scope in membership_scopes(user)
                if Capability.CHANGE_PROGRAMMES in scope.capabilities
            ]
        )
    return organisations.order_by("code")


class CriteriaSetForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        help_text=gettext_lazy("Leave empty for criteria used across programmes."),
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("In use"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "Retired sets keep their versions but are no longer offered for plans."
        ),
    )

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["organisation"]  # a set's organisation never changes
        else:
            del self.fields["is_active"]
            organisations = criteria_organisations(user)
            self.fields["organisation"].queryset = organisations
            if len(organisations) == 1:
                self.fields["organisation"].initial = organisations[0].pk


def kind_choices() -> list[tuple[str, Any]]:
    return [("", "—"), *CRITERION_KINDS]


class CriterionForm(forms.Form):
    """One criterion row of the next version; a row left without a rule is ignored."""

    kind = forms.ChoiceField(label=gettext_lazy("Rule"), choices=kind_choices)
    parameter = forms.IntegerField(
        label=gettext_lazy("Number"),
        required=False,
        min_value=0,
        widget=_number_input(),
        help_text=gettext_lazy("Age, people or months; empty for the rule's usual value."),
    )
    weight = forms.IntegerField(label=gettext_lazy("Weight"), min_value=0, widget=_number_input())
    label = forms.CharField(
        label=gettext_lazy("Own wording"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty to use the standard wording in every language."),
    )

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        row: dict[str, Any] = {"kind": data["kind"], "weight": data["weight"]}
        if data.get("parameter") is not None:
            row["parameter"] = data["parameter"]
        elif RULE_PARAMETERS.get(RuleKind(data["kind"])) is not None:
            row["parameter"] = RULE_PARAMETERS[RuleKind(data["kind"])].default
        if data.get("label"):
            row["label"] = data["label"].strip()
        return row


CriterionFormSet = formset_factory(CriterionForm, extra=1, can_delete=True, max_num=60)


def criteria_rows(formset: Any) -> list[dict[str, Any]]:
    """The rows of a valid formset that name a rule and are not marked for removal."""
    return [
        form.row()
        for form in formset.forms
        if form.cleaned_data.get("kind") and not form.cleaned_data.get("DELETE")
    ]


class VersionForm(forms.Form):
    high_min = forms.IntegerField(
        label=gettext_lazy("High from score"),
        min_value=0,
        widget=_number_input(),
        help_text=gettext_lazy("A score at or above this is high vulnerability."),
    )
    medium_min = forms.IntegerField(
        label=gettext_lazy("Medium from score"),
        min_value=0,
        widget=_number_input(),
        help_text=gettext_lazy(
            "A score at or above this (and below the high cut-off) is medium; below, low."
        ),
    )
    note = forms.CharField(
        label=gettext_lazy("What changed and why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Plans ----------------------------------------------------------------------------------


def plan_organisations(user: Any) -> Any:
    """Implementing partners the user may draft plans for: their own organisations where they
    change records; every partner when they oversee from a mission unit (or are superuser)."""
    organisations = Organisation.objects.filter(is_active=True).exclude(kind=OrganisationKind.DONOR)
    if is_superuser(user):
        return organisations.order_by("code")
    scopes = [
        scope
        for scope in membership_scopes(user)
        if Capability.CHANGE_RECORDS in scope.capabilities
    ]
    if any(
        scope.organisation_is_mission
        and (
            Capability.OVERSIGHT in scope.capabilities
            or Capability.ALL_RECORDS in scope.capabilities
        )
        for scope in scopes
    ):
        return organisations.order_by("code")
    return organisations.filter(pk__in=[scope.organisation_id for scope in scopes]).order_by("code")


def criteria_version_choices(user: Any, current: CriteriaSetVersion | None = None) -> Any:
    """Published versions the user may choose for a plan: of sets in use, in scope."""
    versions = selectors.criteria_versions(user).filter(criteria_set__is_active=True)
    if current is not None:
        versions = versions | selectors.criteria_versions(user).filter(pk=current.pk)
    return versions.order_by("criteria_set__name", "-number")


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CriteriaSetVersion) -> str:
        return _("%(set)s, version %(number)d") % {
            "set": obj.criteria_set.name,
            "number": obj.number,
        }


class PlanForm(forms.Form):
    """A plan's fields; on an approved plan only its end date and notes remain."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Implementing partner"), queryset=Organisation.objects.none()
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"), queryset=Programme.objects.order_by("code")
    )
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("The plan's reference, e.g. PHSS-BA-2026-R1."),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    project_name = forms.CharField(label=gettext_lazy("Project"), max_length=200, required=False)
    project_code = forms.CharField(
        label=gettext_lazy("Project code"), max_length=64, required=False
    )
    donor = forms.ModelChoiceField(
        label=gettext_lazy("Donor"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.DONOR).order_by("code"),
        required=False,
        help_text=gettext_lazy("Taken from the funding line when left empty."),
    )
    funding = forms.ModelChoiceField(
        label=gettext_lazy("Funding line"),
        queryset=Funding.objects.select_related("programme", "donor").order_by(
            "programme__code", "pk"
        ),
        required=False,
    )
    location = PcodeField(
        label=gettext_lazy("Location (P-code)"),
        help_text=gettext_lazy("The area the plan serves; its beneficiaries live in it."),
    )
    start_date = forms.DateField(
        label=gettext_lazy("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=gettext_lazy("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    cycle = forms.CharField(
        label=gettext_lazy("Cycle"),
        max_length=24,
        help_text=gettext_lazy(
            "e.g. 2026-R1. A household receives each kind of assistance once per cycle of a "
            "programme."
        ),
    )
    criteria_version = VersionChoiceField(
        label=gettext_lazy("Vulnerability criteria"),
        queryset=CriteriaSetVersion.objects.none(),
        required=False,
        help_text=gettext_lazy("The published criteria version beneficiaries are selected with."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    APPROVED_FIELDS = ("end_date", "notes")

    def __init__(
        self, *args: Any, user: Any, plan: AssistancePlan | None = None, **kwargs: Any
    ) -> None:
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = plan_initial(plan)
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan is not None and plan.status != PlanStatus.DRAFT:
            for name in list(self.fields):
                if name not in self.APPROVED_FIELDS:
                    del self.fields[name]
            return
        organisations = plan_organisations(user)
        if plan is not None:
            organisations = organisations | Organisation.objects.filter(pk=plan.organisation_id)
        self.fields["organisation"].queryset = organisations.distinct().order_by("code")
        if plan is None and len(self.fields["organisation"].queryset) == 1:
            self.fields["organisation"].initial = self.fields["organisation"].queryset[0].pk
        self.fields["criteria_version"].queryset = criteria_version_choices(
            user, plan.criteria_version if plan is not None else None
        )

    def clean_code(self) -> str:
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean_cycle(self) -> str:
        return (self.cleaned_data.get("cycle") or "").strip().upper()

    def changes(self) -> dict[str, Any]:
        """The fields to write: every field for a new plan, the changed ones otherwise."""
        if self.plan is None:
            return dict(self.cleaned_data)
        return {name: self.cleaned_data[name] for name in self.changed_data}


def plan_initial(plan: AssistancePlan) -> dict[str, Any]:
    return {
        "organisation": plan.organisation_id,
        "programme": plan.programme_id,
        "code": plan.code,
        "title": plan.title,
        "project_name": plan.project_name,
        "project_code": plan.project_code,
        "donor": plan.donor_id,
        "funding": plan.funding_id,
        "location": plan.location.pcode,
        "start_date": plan.start_date,
        "end_date": plan.end_date,
        "cycle": plan.cycle,
        "criteria_version": plan.criteria_version_id,
        "notes": plan.notes,
    }


class PlanItemForm(forms.Form):
    """What each household receives: one row per assistance type."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    assistance_type = forms.ChoiceField(
        label=gettext_lazy("Assistance"),
        choices=[("", "—"), *AssistanceType.choices],
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity per household"),
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy("For a cash grant, the amount in US dollars."),
    )
    unit_value_usd = forms.DecimalField(
        label=gettext_lazy("Value of a unit (USD)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("Required for an in-kind grant; empty for a cash grant."),
    )

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "assistance_type": data["assistance_type"],
            "description": data.get("description") or "",
            "quantity": data["quantity"],
            "unit_value_usd": data.get("unit_value_usd"),
        }


PlanItemFormSet = formset_factory(
    PlanItemForm, extra=1, can_delete=True, max_num=len(AssistanceType)
)


def item_rows(formset: Any) -> list[tuple[int | None, dict[str, Any], bool]]:
    """(existing item id or None, row, removed) for each row of a valid items formset that
    names an assistance type."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data.get("assistance_type"):
            continue
        rows.append((data.get("id"), form.row(), bool(data.get("DELETE"))))
    return rows


class PlanFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        help_text=gettext_lazy("Code, title or project."),
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("Any programme"),
        to_field_name="code",
    )
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Implementing partner"),
        queryset=Organisation.objects.exclude(kind=OrganisationKind.DONOR).order_by("code"),
        required=False,
        empty_label=gettext_lazy("Any partner"),
        to_field_name="code",
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *PlanStatus.choices],
    )
    cycle = forms.CharField(label=gettext_lazy("Cycle"), required=False, max_length=24)
