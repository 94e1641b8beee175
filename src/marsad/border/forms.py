"""Forms of the officers' screens: the counter, a hit decision, a DAFEC case, the flow filters."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marsad.border.models import (
    EXAMINATION_FEATURES,
    BorderCrossingPoint,
    Decision,
    Direction,
    ExaminationOutcome,
    FeatureFinding,
    HitStatus,
    PermitType,
    Purpose,
    Suspicion,
)
from marsad.border.mrz import parse_typed_date

SEX_CHOICES = [("", _("—")), ("M", _("Male")), ("F", _("Female")), ("X", _("Unspecified"))]
SEX_VALUES = {"M": "male", "F": "female", "X": "unspecified"}


class TypedDateField(forms.CharField):
    """A date as printed on a data page: 1974-08-12, 12/08/1974, 12.08.1974 or 12 AUG 1974."""

    def to_python(self, value: Any) -> datetime.date | None:
        text = super().to_python(value)
        if not text:
            return None
        parsed = parse_typed_date(text)
        if parsed is None:
            raise forms.ValidationError(
                _("Type the date as on the page, e.g. 12 AUG 1974 or 12/08/1974.")
            )
        return parsed


class VisualZoneForm(forms.Form):
    """What the officer may type from the data page to compare with the MRZ."""

    document_number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    surname = forms.CharField(label=_("Surname"), max_length=200, required=False)
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    nationality = forms.CharField(label=_("Nationality"), max_length=3, required=False)
    birth_date = TypedDateField(label=_("Date of birth"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    expiry_date = TypedDateField(label=_("Date of expiry"), required=False)

    def typed(self) -> dict[str, Any]:
        """The typed values under the MRZ reader's names (blanks and invalid ones left out)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {name: value for name, value in data.items() if value not in (None, "")}


class CounterForm(VisualZoneForm):
    mrz = forms.CharField(
        label=_("Machine readable zone"),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "spellcheck": "false",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autofocus": True,
                "class": "mrz-input",
                "dir": "ltr",
            }
        ),
        help_text=_("Scan the document or type the lines; each line ends with Enter."),
    )
    name_other_script = forms.CharField(
        label=_("Name in Arabic script (optional)"), max_length=200, required=False
    )
    point = forms.ModelChoiceField(
        label=_("Crossing point"), queryset=BorderCrossingPoint.objects.none(), empty_label=None
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices, required=False)
    permit_type = forms.ChoiceField(
        label=_("Visa or permit"), choices=PermitType.choices, required=False
    )
    permit_number = forms.CharField(label=_("Visa or permit number"), max_length=40, required=False)
    permit_expiry = TypedDateField(label=_("Visa or permit valid until"), required=False)
    conveyance = forms.CharField(label=_("Flight or vehicle"), max_length=40, required=False)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        initial=Decision.ADMITTED,
        widget=forms.RadioSelect,
    )
    crossed_at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.TextInput)

    def __init__(self, *args: Any, points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points

    def clean_crossed_at(self) -> datetime.datetime | None:
        value = self.cleaned_data.get("crossed_at")
        if value is not None and value > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError(_("A crossing cannot be recorded in the future."))
        return value

    def typed_document(self) -> dict[str, Any]:
        """The visual-zone fields as ``crossing_record`` takes a typed document."""
        data = self.cleaned_data
        document: dict[str, Any] = {}
        for name in ("surname", "given_names", "nationality", "birth_date", "expiry_date"):
            if data.get(name) not in (None, ""):
                document[name] = data[name]
        if data.get("document_number"):
            document["number"] = data["document_number"]
        if data.get("sex"):
            document["sex"] = SEX_VALUES[data["sex"]]
        if data.get("nationality"):
            document["nationality"] = data["nationality"].upper()
        return document


class HitDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (HitStatus.CLEARED, _("Clear: not the listed person")),
            (HitStatus.CONFIRMED, _("Confirm: the listed person")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what you checked and why you decided so."),
    )


class CaseOpenForm(forms.Form):
    suspicion = forms.ChoiceField(label=_("Suspicion"), choices=Suspicion.choices)
    findings = forms.CharField(
        label=_("First observations"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseUpdateForm(forms.Form):
    """The features-examined checklist, the findings and a referral."""

    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    referred_to = forms.CharField(label=_("Referred to"), max_length=200, required=False)

    def __init__(self, *args: Any, features: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        features = features or {}
        for key, label in EXAMINATION_FEATURES.items():
            current = features.get(key) or {}
            self.fields[f"feature_{key}"] = forms.ChoiceField(
                label=label,
                choices=FeatureFinding.choices,
                initial=current.get("finding", FeatureFinding.NOT_EXAMINED),
                required=False,
            )
            self.fields[f"note_{key}"] = forms.CharField(
                label=_("Note on %(feature)s") % {"feature": label},
                max_length=500,
                required=False,
                initial=current.get("note", ""),
            )

    def checklist(self) -> list[tuple[Any, Any]]:
        return [(self[f"feature_{key}"], self[f"note_{key}"]) for key in EXAMINATION_FEATURES]

    def features(self) -> dict[str, Any]:
        found = {}
        for key in EXAMINATION_FEATURES:
            finding = self.cleaned_data.get(f"feature_{key}") or FeatureFinding.NOT_EXAMINED
            note = (self.cleaned_data.get(f"note_{key}") or "").strip()
            if finding == FeatureFinding.NOT_EXAMINED and not note:
                continue
            found[key] = {"finding": finding, **({"note": note} if note else {})}
        return found


class CaseCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (value, label)
            for value, label in ExaminationOutcome.choices
            if value != ExaminationOutcome.PENDING
        ],
    )
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    referred_to = forms.CharField(label=_("Referred to"), max_length=200, required=False)


class FlowFilterForm(forms.Form):
    point = forms.ModelChoiceField(
        label=_("Crossing point"),
        queryset=BorderCrossingPoint.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All points"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("", _("Both")), *Direction.choices], required=False
    )
    nationality = forms.CharField(label=_("Nationality"), max_length=3, required=False)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("Any purpose")), *[(v or "-", lbl) for v, lbl in Purpose.choices]],
        required=False,
    )

    def __init__(self, *args: Any, points: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points

    def clean_nationality(self) -> str:
        return (self.cleaned_data.get("nationality") or "").strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError(_("The period ends before it starts."))
        if start and end and (end - start).days > 366:
            raise forms.ValidationError(_("Choose a period of at most a year."))
        return data
