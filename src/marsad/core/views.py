"""Home page, background task pages and the audit log search."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from marsad.core import selectors
from marsad.core.forms import AuditSearchForm
from marsad.core.home import home_sections
from marsad.core.roles import Capability
from marsad.core.scoping import has_capability, membership_scopes


def paginate(request: HttpRequest, items: Any, per_page: int = 50) -> Any:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = request.user.memberships.filter(is_active=True).select_related("organisation")
    return render(
        request,
        "core/home.html",
        {
            "memberships": memberships,
            "sections": home_sections(request.user),
            "has_membership": bool(membership_scopes(request.user)) or request.user.is_superuser,
        },
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.task_runs(user=request.user))
    return render(request, "core/task_list.html", {"page": page})


@login_required
def task_detail(request: HttpRequest, pk: str) -> HttpResponse:
    run = get_object_or_404(selectors.task_runs(user=request.user), pk=pk)
    template = "core/_task_progress.html" if request.htmx else "core/task_detail.html"
    return render(request, template, {"run": run})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied
    form = AuditSearchForm(
        request.GET or None, object_types=selectors.audit_object_types(user=request.user)
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "query": form.cleaned_data["q"],
            "action": form.cleaned_data["action"],
            "object_type": form.cleaned_data["object_type"],
            "actor": form.cleaned_data["actor"],
            "since": form.cleaned_data["since"],
            "until": form.cleaned_data["until"],
        }
    entries = selectors.audit_entries(user=request.user, **filters)
    page = paginate(request, entries)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "querystring": querystring.urlencode()},
    )
