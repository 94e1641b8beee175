"""The upload pages: IM officers and system administrators check or import a master list (CSV or
XLSX) or field submissions (Kobo JSON, XLSX or CSV exports; ODK Central CSV) into a round for one
of their organisations; the task page follows the import."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.core.forms import TABLE_SUFFIXES, check_upload
from marsad.core.roles import Capability
from marsad.core.scoping import has_capability
from marsad.displacement import tasks
from marsad.displacement.importers.masterlist import COLUMNS
from marsad.displacement.kobo.exports import SUFFIXES
from marsad.displacement.models import AssessmentRound
from marsad.displacement.selectors import user_organisations
from marsad.partners.models import Organisation, Programme

UPLOAD_SUFFIXES = TABLE_SUFFIXES
SUBMISSION_SUFFIXES = SUFFIXES


class _ImportForm(forms.Form):
    """What every import asks besides the file: whose assessments, in which programme, and
    whether only to check."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Assessing organisation"), queryset=Organisation.objects.none()
    )
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"),
        queryset=Programme.objects.order_by("code"),
        required=False,
        help_text=gettext_lazy(
            "New assessments belong to this programme, so staff working on it see them. Leave "
            "empty when the assessments belong to no programme."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: only check the file and report what would change"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = user_organisations(user)


def _check_upload(upload: Any, suffixes: tuple[str, ...]) -> None:
    check_upload(
        upload,
        suffixes,
        too_large=_("The file is larger than %(max)d MB; split it by governorate."),
    )


class MasterListImportForm(_ImportForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    field_order = ["file", "organisation", "programme", "dry_run"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX with the columns %(columns)s. "
            "Individuals may be left empty: they are estimated from families."
        ) % {"columns": ", ".join(COLUMNS)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        _check_upload(upload, UPLOAD_SUFFIXES)
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SubmissionsImportForm(_ImportForm):
    files = MultipleFileField(
        label=gettext_lazy("Files"),
        widget=MultipleFileInput(attrs={"accept": ",".join(SUBMISSION_SUFFIXES)}),
        help_text=gettext_lazy(
            'Kobo: the JSON of the API, or the XLSX export with "XML values and headers", or '
            "its CSV files (the main table and population.csv). ODK Central: the ZIP of "
            '"Download all records", or its two CSV files. Select several files together.'
        ),
    )
    field_order = ["files", "organisation", "programme", "dry_run"]

    def clean_files(self) -> list[Any]:
        uploads = self.cleaned_data["files"]
        for upload in uploads:
            _check_upload(upload, SUBMISSION_SUFFIXES)
        return uploads


def _may_import(request: HttpRequest, message: str) -> None:
    if not has_capability(request.user, Capability.CHANGE_REFERENCE):
        raise PermissionDenied(message)


@login_required
def masterlist_import(request: HttpRequest, number: int) -> HttpResponse:
    _may_import(request, _("Only IM officers and system administrators import master lists."))
    round_ = get_object_or_404(AssessmentRound, number=number)
    form = MasterListImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        run = tasks.masterlist_import_start(
            actor=request.user,
            round_=round_,
            organisation=form.cleaned_data["organisation"],
            programme=form.cleaned_data["programme"],
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


@login_required
def submissions_import(request: HttpRequest, number: int) -> HttpResponse:
    _may_import(request, _("Only IM officers and system administrators import submissions."))
    round_ = get_object_or_404(AssessmentRound, number=number)
    form = SubmissionsImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        run = tasks.submissions_import_start(
            actor=request.user,
            round_=round_,
            organisation=form.cleaned_data["organisation"],
            programme=form.cleaned_data["programme"],
            uploads=form.cleaned_data["files"],
            dry_run=form.cleaned_data["dry_run"],
        )
        messages.info(
            request, _("The submissions are being checked and imported; this page follows them.")
        )
        return redirect("core:task-detail", pk=run.pk)
    return render(request, "displacement/import_submissions.html", {"form": form, "round": round_})


@login_required
def xlsform_download(request: HttpRequest) -> HttpResponse:
    """The location-assessment XLSForm, for loading into KoboToolbox or ODK Central."""
    from marsad.displacement.kobo.xlsform import FORM_ID, build_xlsform

    response = HttpResponse(
        build_xlsform(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{FORM_ID}.xlsx"'
    return response
