"""Recording a receipt from a plan's page: find the household (registration number or a
member's name in either script), then the item, quantity, date and verification. A second
receipt in the cycle is refused naming the earlier receipt; a supervisor may then record it
as an override with a reason. A receipt's own page shows everything recorded about it, and a
supervisor's button to void it when it was recorded in error."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marsad.assistance import selectors, selectors_ui, services
from marsad.assistance.forms_receipts import HouseholdSearchForm, ReceiptForm, ReceiptVoidForm
from marsad.assistance.models import AssistancePlan, PlanStatus, Receipt
from marsad.assistance.views_common import form_errors, require
from marsad.assistance.views_plans import plan_in_scope
from marsad.core.scoping import CHANGE, can
from marsad.registry import selectors as registry
from marsad.registry.models import Household


def _household(request: HttpRequest, value: Any) -> Household | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return (
        registry.households(request.user)
        .prefetch_related(selectors_ui.heads())
        .filter(pk=pk)
        .first()
    )


def _success(receipt: Receipt) -> str:
    values = {
        "number": receipt.pk,
        "household": receipt.household.registration_number,
        "assistance": receipt.get_assistance_type_display(),
        "date": date_format(receipt.received_on, "DATE_FORMAT"),
    }
    if receipt.override:
        return (
            _(
                "Receipt %(number)d is recorded as an override: household %(household)s "
                "received %(assistance)s on %(date)s."
            )
            % values
        )
    return (
        _(
            "Receipt %(number)d is recorded: household %(household)s received "
            "%(assistance)s on %(date)s."
        )
        % values
    )


@login_required
def receipt_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    plan: AssistancePlan = plan_in_scope(request, pk)
    if not can(request.user, CHANGE, plan):
        raise PermissionDenied(
            _("You may record receipts only for plans of your organisation, in your scope.")
        )
    supervisor = services.is_supervisor(request.user)
    context: dict[str, Any] = {"plan": plan, "approved": plan.status == PlanStatus.APPROVED}
    if not context["approved"]:
        return render(request, "assistance/receipt_form.html", context)

    search = HouseholdSearchForm(request.GET or None)
    context["search"] = search
    if search.is_valid() and search.cleaned_data["q"]:
        found = list(selectors_ui.household_search(request.user, search.cleaned_data["q"]))
        ranks = selectors_ui.beneficiary_ranks(request.user, plan, [item.pk for item in found])
        context["results"] = [(item, ranks.get(item.pk)) for item in found]
        context["searched"] = True

    households = registry.households(request.user)
    chosen = _household(
        request,
        request.POST.get("household") if request.method == "POST" else request.GET.get("household"),
    )
    context["household"] = chosen
    if chosen is None:
        return render(request, "assistance/receipt_form.html", context)

    override = request.method == "POST" and "override_reason" in request.POST and supervisor
    form = ReceiptForm(
        request.POST if request.method == "POST" else None,
        plan=plan,
        households=households,
        household=chosen,
        override=override,
    )
    if request.method == "POST" and form.is_valid():
        try:
            receipt = services.receipt_record(actor=request.user, plan=plan, **form.arguments())
        except services.AlreadyAssisted as refusal:
            context["refusal"] = refusal.messages[0]
            context["earlier"] = refusal.receipt
            if supervisor:
                # The same answers again, now asking for the override's reason.
                form = ReceiptForm(
                    plan=plan,
                    households=households,
                    household=chosen,
                    override=True,
                    initial={
                        name: value
                        for name, value in form.cleaned_data.items()
                        if name != "override_reason"
                    },
                )
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _success(receipt))
            return redirect(reverse("assistance:plan-detail", args=[plan.pk]) + "#receipts")
    context.update({"form": form, "override": "override_reason" in form.fields})
    return render(request, "assistance/receipt_form.html", context)


def _receipt_in_scope(request: HttpRequest, pk: int) -> Receipt:
    found = (
        selectors.receipts(request.user)
        .select_related("plan__organisation", "household__area", "overrides_receipt")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("No such receipt."))
    return found


def _may_void(request: HttpRequest, receipt: Receipt) -> bool:
    return (
        receipt.voided_at is None
        and services.is_supervisor(request.user)
        and can(request.user, CHANGE, receipt)
    )


def _receipt_page(
    request: HttpRequest, receipt: Receipt, form: ReceiptVoidForm | None = None
) -> HttpResponse:
    may_void = _may_void(request, receipt)
    return render(
        request,
        "assistance/receipt_detail.html",
        {
            "receipt": receipt,
            "plan": receipt.plan,
            "may_void": may_void,
            "void_form": (form or ReceiptVoidForm()) if may_void else None,
            "overridden_by_receipts": selectors.receipts(request.user)
            .filter(overrides_receipt=receipt)
            .order_by("received_on", "pk"),
        },
    )


@login_required
def receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    return _receipt_page(request, _receipt_in_scope(request, pk))


@login_required
@require_POST
def receipt_void(request: HttpRequest, pk: int) -> HttpResponse:
    """A supervisor voids the receipt, with the reason; the page again with the form's errors
    when the reason is missing."""
    require(request)
    receipt = _receipt_in_scope(request, pk)
    if not services.is_supervisor(request.user) or not can(request.user, CHANGE, receipt):
        raise PermissionDenied(_("Only a programme manager or an IM officer may void a receipt."))
    form = ReceiptVoidForm(request.POST)
    if form.is_valid():
        try:
            services.receipt_void(
                actor=request.user, receipt=receipt, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                _("Receipt %(number)d is voided: it no longer counts.") % {"number": receipt.pk},
            )
            return redirect("assistance:receipt-detail", pk=receipt.pk)
    return _receipt_page(request, receipt, form)
