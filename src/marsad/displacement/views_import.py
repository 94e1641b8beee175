"""The master-list upload page: IM officers and system administrators check or import a CSV or
XLSX file into a round for one of their organisations; the task page follows the import."""

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.core.roles import Capability
from marsad.core.scoping import has_capability, is_superuser
from marsad.displacement import tasks
from marsad.displacement.importers.masterlist import COLUMNS
from marsad.displacement.models import AssessmentRound
from marsad.partners.models import Organisation

UPLOAD_SUFFIXES = (".csv", ".xlsx")
UPLOAD_MAX_BYTES = 50 * 1024 * 1024


def user_organisations(user: Any) -> Any:
    """The organisations the user holds an active membership in (all, for a superuser)."""
    organisations = Organisation.objects.filter(is_active=True)
    if not is_superuser(user):
        organisations = organisations.filter(
            memberships__user=user, memberships__is_active=True
        ).distinct()
    return organisations.order_by("code")


class MasterListImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Assessing organisation"), queryset=Organisation.objects.none()
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: only check the file and report what would change"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = user_organisations(user)
        self.fields["file"].help_text = _(
            "CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX with the columns %(columns)s. "
            "Individuals may be left empty: they are estimated from families."
        ) % {"columns": ", ".join(COLUMNS)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                _("Upload a .csv or .xlsx file; %(name)s is neither."),
                params={"name": upload.name},
            )
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(max)d MB; split it by governorate."),
                params={"max": UPLOAD_MAX_BYTES // (1024 * 1024)},
            )
        return upload


@login_required
def masterlist_import(request: HttpRequest, number: int) -> HttpResponse:
    if not has_capability(request.user, Capability.CHANGE_REFERENCE):
        raise PermissionDenied(_("Only IM officers and system administrators import master lists."))
    round_ = get_object_or_404(AssessmentRound, number=number)
    form = MasterListImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        run = tasks.masterlist_import_start(
            actor=request.user,
            round_=round_,
            organisation=form.cleaned_data["organisation"],
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        messages.info(request, _("The file is being checked and imported; this page follows it."))
        return redirect("core:task-detail", pk=run.pk)
    return render(
        request,
        "displacement/import_masterlist.html",
        {"form": form, "round": round_, "columns": COLUMNS},
    )
