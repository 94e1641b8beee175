"""Forms shared by every app: the audit log's search, and the check of an uploaded file."""

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marsad.core.models import AuditAction

#: What an upload page takes at most (a bigger list is split; the message says how).
UPLOAD_MAX_BYTES = 50 * 1024 * 1024
#: The spreadsheet formats every list import reads.
TABLE_SUFFIXES = (".csv", ".xlsx")


def check_upload(
    upload: Any,
    suffixes: tuple[str, ...] = TABLE_SUFFIXES,
    *,
    max_bytes: int = UPLOAD_MAX_BYTES,
    too_large: Any = None,
) -> None:
    """Refuse an uploaded file whose kind is not among ``suffixes`` or that is larger than
    ``max_bytes``, in words the user can act on; ``too_large`` words the second with the way
    to split that kind of list (it takes ``%(max)d``, the limit in MB)."""
    if Path(upload.name or "").suffix.lower() not in suffixes:
        raise forms.ValidationError(
            _("%(name)s is not a file this page reads; upload %(suffixes)s."),
            params={"name": upload.name, "suffixes": ", ".join(suffixes)},
        )
    if upload.size > max_bytes:
        raise forms.ValidationError(
            too_large or _("The file is larger than %(max)d MB; split it in parts."),
            params={"max": max_bytes // (1024 * 1024)},
        )


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
