"""Search forms for the audit log."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marsad.core.models import AuditAction


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, help_text=_("Object, user name or id"))
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    actor = forms.CharField(label=_("User"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, object_types: list[str] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", _("Any type"))] + [(t, t) for t in object_types]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            self.add_error("until", _("The end date must not be before the start date."))
        return cleaned
