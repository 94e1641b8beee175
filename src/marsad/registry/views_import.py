"""The source-list upload page: a user who registers households (changes records and sees
personal data) checks or imports a list of persons (CSV or XLSX) received from one of their
organisations; the task page follows the import."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.core.forms import TABLE_SUFFIXES, check_upload
from marsad.partners.models import Organisation, Programme
from marsad.registry import tasks
from marsad.registry.importers import COLUMNS, IMPORT_KINDS, REQUIRED_COLUMNS
from marsad.registry.importers.apply import import_organisations, may_import
from marsad.registry.models import SourceKind

UPLOAD_SUFFIXES = TABLE_SUFFIXES


class SourceListImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation the list came from"),
        queryset=Organisation.objects.none(),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind of list"))
    source_name = forms.CharField(
        label=gettext_lazy("Name of the list"),
        max_length=200,
        required=False,
        help_text=gettext_lazy(
            "Kept with every record it brings, e.g. “MoDM Baghdad register, March 2026”. The "
            "file's name when left empty."
        ),
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        help_text=gettext_lazy(
            "New households belong to this programme, so staff working on it see them. Leave "
            "empty when they belong to no programme."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: only check the file and report what would change"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = import_organisations(user)
        self.fields["kind"].choices = [(kind, SourceKind(kind).label) for kind in IMPORT_KINDS]
        self.fields["file"].help_text = _(
            "CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX, one row per person, with "
            "the columns %(columns)s; %(required)s must be there. Other columns are kept with "
            "each record as received."
        ) % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(
            upload,
            UPLOAD_SUFFIXES,
            too_large=_("The file is larger than %(max)d MB; split it by governorate."),
        )
        return upload


@login_required
def source_list_import(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        raise PermissionDenied(_("Your role does not let you import lists into the registry."))
    form = SourceListImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = tasks.source_list_import_start(
                actor=request.user,
                organisation=data["organisation"],
                kind=data["kind"],
                source_name=data["source_name"] or data["file"].name,
                programme=data["programme"],
                upload=data["file"],
                dry_run=data["dry_run"],
            )
        except PermissionDenied as error:
            form.add_error("organisation", str(error))
        else:
            messages.info(
                request, _("The list is being checked and imported; this page follows it.")
            )
            return redirect("core:task-detail", pk=run.pk)
    return render(
        request,
        "registry/import.html",
        {"form": form, "columns": COLUMNS, "required_columns": REQUIRED_COLUMNS},
    )
