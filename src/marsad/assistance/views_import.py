"""The distribution-list upload page of a plan: a user who may record the plan's receipts checks
or imports a completed list (CSV or XLSX, one row per receipt); the task page follows the
import."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.assistance import selectors
from marsad.assistance.importers import COLUMNS, REQUIRED_COLUMNS
from marsad.assistance.importers.apply import may_import
from marsad.assistance.importers.tasks import receipt_list_import_start
from marsad.assistance.models import AssistancePlan, AssistanceType
from marsad.assistance.plans import is_supervisor
from marsad.core.errors import error_text
from marsad.core.forms import TABLE_SUFFIXES, check_upload
from marsad.core.scoping import CHANGE, can

UPLOAD_SUFFIXES = TABLE_SUFFIXES


class ReceiptListImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: only check the file and report what would change"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX, one row per receipt, with "
            "the columns %(columns)s; %(required)s must be there. Other columns are ignored."
        ) % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(
            upload,
            UPLOAD_SUFFIXES,
            too_large=_("The file is larger than %(max)d MB; split it by location."),
        )
        return upload


@login_required
def receipt_import(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_import(request.user):
        raise PermissionDenied(_("Your role does not let you import distribution lists."))
    try:
        plan = selectors.plan_detail(request.user, pk)
    except AssistancePlan.DoesNotExist as error:
        raise Http404(_("No such plan.")) from error
    if not can(request.user, CHANGE, plan):
        raise PermissionDenied(_("You may not record receipts for this plan."))
    form = ReceiptListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = receipt_list_import_start(
                actor=request.user,
                plan=plan,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except (PermissionDenied, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            messages.info(
                request, _("The list is being checked and imported; this page follows it.")
            )
            return redirect("core:task-detail", pk=run.pk)
    items = [(AssistanceType(item.assistance_type).label, item) for item in plan.items.all()]
    return render(
        request,
        "assistance/import/receipts.html",
        {
            "plan": plan,
            "items": items,
            "form": form,
            "columns": COLUMNS,
            "required_columns": REQUIRED_COLUMNS,
            "may_override": is_supervisor(request.user),
        },
    )
