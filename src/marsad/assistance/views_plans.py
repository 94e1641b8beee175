"""Assistance plan pages: the plans in scope with filters and search, a plan with its items,
criteria, latest selection and receipts, drafting and editing a plan with its items, and a
supervisor's approve and close buttons. Thin: forms check types, ``services`` decide and write,
``selectors`` read."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marsad.assistance import selectors, services
from marsad.assistance.forms import (
    PlanFilterForm,
    PlanForm,
    PlanItemFormSet,
    item_rows,
    plan_organisations,
)
from marsad.assistance.forms_receipts import SelectionForm
from marsad.assistance.models import AssistancePlan, PlanStatus
from marsad.assistance.views_common import Column, SortedTable, form_errors, require
from marsad.core.errors import error_text
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, has_capability

PLAN_COLUMNS = [
    Column("code", gettext_lazy("Code"), ("code",)),
    Column("title", gettext_lazy("Title"), ("title",)),
    Column("partner", gettext_lazy("Implementing partner"), ("organisation__code",)),
    Column("programme", gettext_lazy("Programme"), ("programme__code",)),
    Column("cycle", gettext_lazy("Cycle"), ("cycle",)),
    Column("status", gettext_lazy("Status"), ("status",)),
    Column("start", gettext_lazy("Start date"), ("start_date",)),
]
RECEIPT_COLUMNS = [
    Column("date", gettext_lazy("Date received"), ("received_on",)),
    Column("household", gettext_lazy("Household"), ("household__registration_number",)),
    Column("item", gettext_lazy("Item"), ("assistance_type",)),
    Column("quantity", gettext_lazy("Quantity"), ("quantity",), numeric=True),
]
RECEIPTS_PER_PAGE = 25


def plan_in_scope(request: HttpRequest, pk: int) -> AssistancePlan:
    try:
        return selectors.plan_detail(request.user, pk)
    except AssistancePlan.DoesNotExist as error:
        raise Http404(_("No such plan.")) from error


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    require(request)
    form = PlanFilterForm(request.GET)
    form.is_valid()  # an invalid field shows its error; the valid ones still apply
    data = getattr(form, "cleaned_data", {})
    plans = selectors.plans(request.user)
    if data.get("q"):
        query = data["q"].strip()
        plans = plans.filter(
            Q(code__icontains=query)
            | Q(title__icontains=query)
            | Q(project_name__icontains=query)
            | Q(project_code__icontains=query)
        )
    if data.get("programme"):
        plans = plans.filter(programme=data["programme"])
    if data.get("partner"):
        plans = plans.filter(organisation=data["partner"])
    if data.get("status"):
        plans = plans.filter(status=data["status"])
    if data.get("cycle"):
        plans = plans.filter(cycle=data["cycle"].strip().upper())
    table = SortedTable(request, plans, PLAN_COLUMNS, default="-start", tie_break=("code",))
    return render(
        request,
        "assistance/plan_list.html",
        {
            "form": form,
            "table": table,
            "page": table.page,
            "querystring": table.querystring,
            "may_create": has_capability(request.user, Capability.CHANGE_RECORDS)
            and plan_organisations(request.user).exists(),
        },
    )


def _permissions(request: HttpRequest, plan: AssistancePlan) -> dict[str, bool]:
    may_change = can(request.user, CHANGE, plan)
    supervisor = services.is_supervisor(request.user)
    return {
        "may_edit": may_change and plan.status != PlanStatus.CLOSED,
        "may_approve": may_change and supervisor and plan.status == PlanStatus.DRAFT,
        "may_close": may_change and supervisor and plan.status == PlanStatus.APPROVED,
        "may_select": may_change and plan.status != PlanStatus.CLOSED,
        "may_record": may_change and plan.status == PlanStatus.APPROVED,
        "may_export": has_capability(request.user, Capability.EXPORT),
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    plan = plan_in_scope(request, pk)
    permissions = _permissions(request, plan)
    items = list(plan.items.all())
    receipts = selectors.receipts(request.user, plan=plan)
    table = SortedTable(
        request,
        receipts,
        RECEIPT_COLUMNS,
        default="-date",
        per_page=RECEIPTS_PER_PAGE,
        tie_break=("-pk",),
    )
    selections = selectors.selections(request.user, plan)
    context: dict[str, Any] = {
        "plan": plan,
        "items": items,
        "cost_per_household": plan.cost_per_household(),
        "latest": selections.first(),
        "selections": selections[:10],
        "receipts": table,
        "page": table.page,
        "querystring": table.querystring,
        "receipt_count": table.page.paginator.count,
        **permissions,
    }
    if permissions["may_select"]:
        context["selection_form"] = SelectionForm(plan=plan)
    return render(request, "assistance/plan_detail.html", context)


def _write_items(request: HttpRequest, plan: AssistancePlan, formset: Any) -> None:
    """Add, change and remove a draft plan's items as the formset says."""
    existing = {item.pk: item for item in plan.items.all()}
    for item_id, row, removed in item_rows(formset):
        item = existing.get(item_id) if item_id else None
        if item is not None and removed:
            services.plan_item_remove(actor=request.user, item=item)
        elif item is not None:
            changes = {name: value for name, value in row.items() if getattr(item, name) != value}
            if changes:
                services.plan_item_update(actor=request.user, item=item, data=changes)
        elif not removed:
            services.plan_item_add(actor=request.user, plan=plan, **row)


def _item_initial(plan: AssistancePlan) -> list[dict[str, Any]]:
    return [
        {
            "id": item.pk,
            "assistance_type": item.assistance_type,
            "description": item.description,
            "quantity": item.quantity,
            "unit_value_usd": item.unit_value_usd,
        }
        for item in plan.items.order_by("assistance_type")
    ]


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    require(request, Capability.CHANGE_RECORDS)
    form = PlanForm(request.POST or None, user=request.user)
    items = PlanItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        rows = [row for _id, row, removed in item_rows(items) if not removed]
        try:
            plan = services.plan_create(actor=request.user, data=form.changes(), items=rows)
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Plan %(code)s is saved as a draft; a supervisor approves it.")
                % {"code": plan.code},
            )
            return redirect("assistance:plan-detail", pk=plan.pk)
    return render(request, "assistance/plan_form.html", {"form": form, "items": items})


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    plan = plan_in_scope(request, pk)
    if not can(request.user, CHANGE, plan):
        raise PermissionDenied(_("You may see this plan but not change it."))
    if plan.status == PlanStatus.CLOSED:
        messages.error(request, _("A closed plan does not change."))
        return redirect("assistance:plan-detail", pk=plan.pk)
    form = PlanForm(request.POST or None, user=request.user, plan=plan)
    items = None
    if plan.status == PlanStatus.DRAFT:
        items = (
            PlanItemFormSet(request.POST, prefix="items")
            if request.method == "POST"
            else PlanItemFormSet(prefix="items", initial=_item_initial(plan))
        )
    if request.method == "POST" and form.is_valid() and (items is None or items.is_valid()):
        try:
            with transaction.atomic():
                changes = form.changes()
                if changes:
                    plan = services.plan_update(actor=request.user, plan=plan, data=changes)
                if items is not None:
                    _write_items(request, plan, items)
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The plan is saved."))
            return redirect("assistance:plan-detail", pk=plan.pk)
    return render(
        request, "assistance/plan_form.html", {"form": form, "items": items, "plan": plan}
    )


def _transition(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    require(request)
    plan = plan_in_scope(request, pk)
    if not services.is_supervisor(request.user):
        raise PermissionDenied(
            _("Only a programme manager or an IM officer may approve or close a plan.")
        )
    try:
        plan = action(actor=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done % {"code": plan.code})
    return redirect("assistance:plan-detail", pk=plan.pk)


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.plan_approve,
        _("Plan %(code)s is approved: receipts may be recorded from now on."),
    )


@login_required
@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request,
        pk,
        services.plan_close,
        _("Plan %(code)s is closed: no more receipts, no more changes."),
    )
