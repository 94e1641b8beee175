"""Watchlist pages: the watchlists a user is cleared to see, one watchlist with its entries, and
the upload page that checks or imports a watchlist file (CSV or XLSX) into it in the
background; the task page follows the import. Only those who may change a watchlist (cleared for
its sensitivity, in its authority) see the upload page."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.border import selectors, tasks
from marsad.border.models import Watchlist, WatchlistAction
from marsad.border.views import require_border
from marsad.border.watchlist_import import IMPORT_COLUMNS, may_import
from marsad.core import audit
from marsad.core.forms import TABLE_SUFFIXES, check_upload
from marsad.core.models import AuditAction
from marsad.core.views import paginate

UPLOAD_SUFFIXES = TABLE_SUFFIXES


class WatchlistImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: only check the file and report what would change"),
        required=False,
        initial=True,
    )
    deactivate_missing = forms.BooleanField(
        label=gettext_lazy(
            "End the validity of entries that are not in the file (they are never deleted)"
        ),
        required=False,
        initial=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "CSV (UTF-8, or Windows-1256 from Arabic Excel) or XLSX with the columns "
            "%(columns)s; entry_id and full_name must be there."
        ) % {"columns": ", ".join(IMPORT_COLUMNS)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload, UPLOAD_SUFFIXES)
        return upload


def _watchlist(request: HttpRequest, pk: int) -> Watchlist:
    """The watchlist if the user is cleared to see it (404 otherwise, so that a confidential
    list's existence is not told); its read is audited."""
    require_border(request)
    watchlist = selectors.watchlists(request.user).filter(pk=pk).first()
    if watchlist is None:
        raise Http404(_("No such watchlist."))
    audit.record(actor=request.user, action=AuditAction.READ, instance=watchlist)
    return watchlist


@login_required
def watchlist_list(request: HttpRequest) -> HttpResponse:
    require_border(request)
    items = (
        selectors.watchlists(request.user)
        .annotate(entry_count=Count("entries"))
        .order_by("organisation__code", "name")
    )
    page = paginate(request, items)
    for watchlist in page:
        watchlist.may_import = may_import(request.user, watchlist)
    return render(request, "border/watchlist_list.html", {"page": page})


@login_required
def watchlist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    watchlist = _watchlist(request, pk)
    entries = (
        selectors.watchlist_entries(request.user)
        .filter(watchlist=watchlist)
        .order_by("reference", "pk")
    )
    return render(
        request,
        "border/watchlist_detail.html",
        {
            "watchlist": watchlist,
            "page": paginate(request, entries),
            "may_import": may_import(request.user, watchlist),
        },
    )


@login_required
def watchlist_import(request: HttpRequest, pk: int) -> HttpResponse:
    watchlist = _watchlist(request, pk)
    if not may_import(request.user, watchlist):
        raise PermissionDenied(_("You may not import entries into this watchlist."))
    form = WatchlistImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = tasks.watchlist_import_start(
            actor=request.user,
            watchlist=watchlist,
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            deactivate_missing=form.cleaned_data["deactivate_missing"],
        )
        messages.info(request, _("The file is being checked and imported; this page follows it."))
        return redirect("core:task-detail", pk=run.pk)
    return render(
        request,
        "border/watchlist_import.html",
        {"form": form, "watchlist": watchlist, "actions": WatchlistAction.choices},
    )
