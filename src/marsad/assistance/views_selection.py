"""Beneficiary selection pages: running a selection for a plan, its beneficiary list and its
excluded households with their reasons (two tabs, each a sortable paginated table), and one
household's score explained criterion by criterion."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import HttpResponseClientRedirect

from marsad.assistance import selectors, selectors_ui, services, tasks_selection
from marsad.assistance.explanations import CATEGORY_NAMES, criterion_label, explain, summary
from marsad.assistance.forms_receipts import SelectionForm
from marsad.assistance.models import REASON_NAMES, PlanStatus, Selection, SelectionEntry
from marsad.assistance.ranking import Reason
from marsad.assistance.scoring import Category
from marsad.assistance.views_common import Column, SortedTable, form_errors, require
from marsad.assistance.views_plans import plan_in_scope
from marsad.core import selectors as core_selectors
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, has_capability
from marsad.registry.models import HouseholdStatus

INCLUDED, EXCLUDED = "included", "excluded"
#: From this many households in the chosen areas, a selection runs in the background and the
#: page follows it; below, the page waits for it (a few seconds).
BACKGROUND_FROM = 20_000
ENTRY_COLUMNS = [
    Column("rank", gettext_lazy("Rank"), ("rank",), numeric=True),
    Column(
        "registration",
        gettext_lazy("Registration number"),
        ("household__registration_number",),
    ),
    Column("size", gettext_lazy("Size"), ("household__size",), numeric=True),
    Column("score", gettext_lazy("Score"), ("score",), numeric=True),
]
EXCLUDED_COLUMNS = [*ENTRY_COLUMNS, Column("reason", gettext_lazy("Reason"), ("reason",))]


def fired_labels(entry: SelectionEntry) -> list[str]:
    """The criteria that fired for the entry's household, from its stored explanation."""
    return [
        criterion_label(outcome["kind"], outcome["parameter"], outcome["label"])
        for outcome in entry.result.get("outcomes", ())
        if outcome["fired"]
    ]


def head_name(entry: SelectionEntry) -> str:
    heads = getattr(entry.household, "heads", None)
    if heads is None:
        head = entry.household.head
        return head.full_name if head else ""
    return heads[0].full_name if heads else ""


def category_name(value: str) -> str:
    try:
        return str(CATEGORY_NAMES[Category(value)])
    except ValueError:
        return value


def status_name(value: str) -> str:
    try:
        return str(HouseholdStatus(value).label)
    except ValueError:
        return value


def reason_name(value: str) -> str:
    try:
        return str(REASON_NAMES[Reason(value)])
    except ValueError:
        return value


def entry_row(entry: SelectionEntry) -> dict[str, Any]:
    """One household of a selection as the lists show it."""
    return {
        "entry": entry,
        "household": entry.household,
        "head": head_name(entry),
        "category": category_name(entry.category),
        "fired": fired_labels(entry),
        "reason": reason_name(entry.reason) if entry.reason else "",
    }


def selection_in_scope(request: HttpRequest, pk: int) -> Selection:
    found = selectors.selections(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such selection."))
    return found


@login_required
def selection_run(request: HttpRequest, pk: int) -> HttpResponse:
    """The selection form (also on the plan's page); running it stores the selection and
    opens its lists."""
    require(request)
    plan = plan_in_scope(request, pk)
    if not can(request.user, CHANGE, plan):
        raise PermissionDenied(_("You may not select beneficiaries for this plan."))
    form = SelectionForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        arguments = form.arguments()
        areas = arguments["areas"] or [plan.location]
        if selectors_ui.households_within(request.user, areas) >= BACKGROUND_FROM:
            run = tasks_selection.selection_start(
                actor=request.user, plan=plan, arguments=arguments
            )
            return redirect("assistance:selection-progress", pk=plan.pk, run=run.pk)
        try:
            selection = services.selection_run(actor=request.user, plan=plan, **form.arguments())
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "The selection is done: %(included)d of %(considered)d households are on "
                    "the beneficiary list."
                )
                % {
                    "included": selection.included_count,
                    "considered": selection.considered_count,
                },
            )
            return redirect("assistance:selection-detail", pk=selection.pk)
    return render(
        request,
        "assistance/selection_form.html",
        {"plan": plan, "form": form, "closed": plan.status == PlanStatus.CLOSED},
    )


@login_required
def selection_progress(request: HttpRequest, pk: int, run: str) -> HttpResponse:
    """A selection running in the background: its progress, then its beneficiary list."""
    require(request)
    plan = plan_in_scope(request, pk)
    task_run = get_object_or_404(
        core_selectors.task_runs(user=request.user),
        pk=run,
        kind=tasks_selection.selection_task.name,
    )
    if task_run.result.get("plan", plan.pk) != plan.pk:
        raise Http404(_("This task selects for another plan."))
    done = task_run.result.get("selection") if task_run.status == "succeeded" else None
    if done:
        target = reverse("assistance:selection-detail", args=[done])
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)
    template = (
        "assistance/_selection_progress.html"
        if request.htmx
        else "assistance/selection_progress.html"
    )
    return render(request, template, {"plan": plan, "run": task_run})


@login_required
def selection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    selection = selection_in_scope(request, pk)
    tab = EXCLUDED if request.GET.get("tab") == EXCLUDED else INCLUDED
    entries = selectors_ui.entries_with_heads(request.user, selection, included=tab == INCLUDED)
    table = SortedTable(
        request,
        entries,
        ENTRY_COLUMNS if tab == INCLUDED else EXCLUDED_COLUMNS,
        default="rank",
        tie_break=("rank",),
    )
    plan = selection.plan
    latest = selectors.latest_selection(request.user, plan)
    return render(
        request,
        "assistance/selection_detail.html",
        {
            "selection": selection,
            "plan": plan,
            "tab": tab,
            "table": table,
            "page": table.page,
            "querystring": table.querystring,
            "rows": [entry_row(entry) for entry in table.page],
            "excluded_count": selection.considered_count - selection.included_count,
            "reasons": [
                (reason_name(reason), count)
                for reason, count in selectors_ui.reason_counts(request.user, selection)
            ],
            "areas": list(selection.areas.all()),
            "statuses": [status_name(value) for value in selection.statuses],
            "minimum_category": category_name(selection.minimum_category)
            if selection.minimum_category
            else "",
            "is_latest": latest is not None and latest.pk == selection.pk,
            "may_export": has_capability(request.user, Capability.EXPORT),
            "may_record": plan.status == PlanStatus.APPROVED and can(request.user, CHANGE, plan),
        },
    )


@login_required
def selection_entry(request: HttpRequest, pk: int, household: int) -> HttpResponse:
    """One household's place in a selection, with its score explained criterion by criterion
    (from the stored explanation, so exactly as it was scored)."""
    require(request)
    selection = selection_in_scope(request, pk)
    entry = (
        selectors_ui.entries_with_heads(request.user, selection)
        .filter(household_id=household)
        .first()
    )
    if entry is None:
        raise Http404(_("This household is not in the selection."))
    result = entry.score_result()
    return render(
        request,
        "assistance/selection_entry.html",
        {
            "selection": selection,
            "plan": selection.plan,
            "row": entry_row(entry),
            "lines": explain(result),
            "summary": summary(result),
        },
    )
