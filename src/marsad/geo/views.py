"""Pages for administrative areas: browse and search, one area, upload a file, CSV export."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from marsad.core.roles import Capability
from marsad.core.scoping import has_capability
from marsad.core.views import paginate
from marsad.geo import selectors, services, tasks
from marsad.geo.forms import AreaExportForm, AreaLoadForm, AreaSearchForm
from marsad.geo.models import LEVEL_NAMES, AdminArea, AreaLevel


@login_required
def area_list(request: HttpRequest) -> HttpResponse:
    form = AreaSearchForm(request.GET)
    form.is_valid()  # an invalid field is shown with its error; the valid ones still apply
    query = (form.cleaned_data.get("q") or "").strip()
    level = form.cleaned_data.get("level")
    parent = None
    if form.cleaned_data.get("parent"):
        parent = get_object_or_404(
            selectors.areas(user=request.user), pcode=form.cleaned_data["parent"]
        )
    if parent is not None and not query and level is None:
        areas = selectors.areas(user=request.user, parent=parent)
    else:
        areas = selectors.areas(user=request.user, level=level, below=parent, query=query)
    page = paginate(request, selectors.with_children_count(areas).order_by("path"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    export_query = {"level": LEVEL_NAMES[AreaLevel(level)] if level is not None else ""}
    if parent is not None:
        export_query["parent"] = parent.pcode
    return render(
        request,
        "geo/area_list.html",
        {
            "form": form,
            "page": page,
            "parent": parent,
            "ancestors": parent.ancestors() if parent is not None else [],
            "querystring": querystring.urlencode(),
            "export_query": urlencode(export_query),
            "can_load": has_capability(request.user, Capability.CHANGE_REFERENCE),
        },
    )


@login_required
def area_detail(request: HttpRequest, pcode: str) -> HttpResponse:
    area = get_object_or_404(selectors.areas(user=request.user), pcode=pcode)
    children = paginate(request, selectors.area_children(user=request.user, area=area))
    return render(
        request,
        "geo/area_detail.html",
        {"area": area, "ancestors": area.ancestors(), "page": children, "querystring": ""},
    )


@login_required
def area_load(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, Capability.CHANGE_REFERENCE):
        raise PermissionDenied(_("Your role may not change administrative areas."))
    form = AreaLoadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = tasks.areas_load_start(
            actor=request.user,
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        messages.info(request, _("The file is being checked and loaded; this page follows it."))
        return redirect("core:task-detail", pk=run.pk)
    return render(request, "geo/area_load.html", {"form": form})


@login_required
def area_export(request: HttpRequest) -> HttpResponse:
    form = AreaExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Unknown level; use one of %(levels)s.")
            % {"levels": ", ".join(LEVEL_NAMES.values())},
            content_type="text/plain; charset=utf-8",
        )
    below = None
    if form.cleaned_data["parent"]:
        try:
            below = selectors.area_for_pcode(user=request.user, pcode=form.cleaned_data["parent"])
        except AdminArea.DoesNotExist as error:
            raise Http404(_("No area has this P-code.")) from error
    level = form.cleaned_data["level"]
    text = services.areas_export(
        actor=request.user, user=request.user, level=level, below=below, export_format="csv"
    )
    name = "-".join(
        ["areas"]
        + ([LEVEL_NAMES[AreaLevel(level)]] if level is not None else [])
        + ([below.pcode] if below is not None else [])
    )
    # The byte-order mark lets Excel open Arabic and Kurdish names as UTF-8.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
