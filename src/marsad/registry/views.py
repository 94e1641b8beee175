"""Registry pages: households and search, one household, registering a household with a live
"possible duplicates" panel, and editing a household or a member. Thin: forms validate,
``services`` write, ``selectors`` read."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marsad.core import audit
from marsad.core.models import AuditAction, Sensitivity
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, has_capability
from marsad.core.views import paginate
from marsad.registry import selectors, services
from marsad.registry.forms import HouseholdForm, MemberFormSet, PersonForm, SearchForm
from marsad.registry.models import Household, Person, PersonMerge

MAY_VIEW = Capability.VIEW_PII


def _require(request: HttpRequest, capability: Capability) -> None:
    if not has_capability(request.user, capability):
        raise PermissionDenied(_("Your role does not give access to the household registry."))


def _household(request: HttpRequest, pk: int) -> Household:
    try:
        household = selectors.household_detail(request.user, pk)
    except Household.DoesNotExist as error:
        raise Http404(_("No such household.")) from error
    if household.sensitivity != Sensitivity.NORMAL:
        audit.record(actor=request.user, action=AuditAction.READ, instance=household)
    return household


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    _require(request, MAY_VIEW)
    form = SearchForm(request.GET)
    form.is_valid()  # an invalid field shows its error; the valid ones still apply
    query = (form.cleaned_data.get("q") or "").strip()
    status = form.cleaned_data.get("status")
    area = form.cleaned_data.get("area")
    if query:
        items = selectors.search_persons(request.user, query)
        if status:
            items = items.filter(household__status=status)
        if area is not None:
            items = items.filter(household__area__path__startswith=area.path)
    else:
        items = selectors.households(request.user).order_by("-created_at")
        if status:
            items = items.filter(status=status)
        if area is not None:
            items = items.filter(area__path__startswith=area.path)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "registry/household_list.html",
        {
            "form": form,
            "page": paginate(request, items),
            "searching": bool(query),
            "querystring": querystring.urlencode(),
            "may_register": has_capability(request.user, Capability.CHANGE_RECORDS),
            "may_review": has_capability(request.user, Capability.CHANGE_RECORDS),
        },
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MAY_VIEW)
    household = _household(request, pk)
    members = list(household.members.all())
    merges = (
        PersonMerge.objects.filter(survivor__household=household)
        .select_related("survivor", "merged__household", "decided_by", "undone_by")
        .order_by("-created_at")
    )
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "merges": merges,
            "sources": household.source_records.order_by("created_at"),
            "may_change": can(request.user, CHANGE, household),
        },
    )


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
def household_register(request: HttpRequest) -> HttpResponse:
    _require(request, Capability.CHANGE_RECORDS)
    _require(request, MAY_VIEW)
    form = HouseholdForm(request.POST or None, user=request.user, prefix="household")
    members = MemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if value is not None}
        data["programme"] = form.cleaned_data.get("programme")
        try:
            with transaction.atomic():
                household = services.household_register(
                    actor=request.user,
                    data=data,
                    members=[member.member_data() for member in members],
                )
        except ValidationError as error:
            _form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Household %(number)s is registered.")
                % {"number": household.registration_number},
            )
            return redirect("registry:household-detail", pk=household.pk)
    if not members.forms:
        members = MemberFormSet(prefix="members", initial=[{"relationship": "head"}])
    return render(
        request,
        "registry/household_register.html",
        {"form": form, "members": members},
    )


@login_required
def possible_duplicates(request: HttpRequest) -> HttpResponse:
    """The panel beside the registration form: registered persons who may be the member being
    typed. The member's inputs arrive with their formset prefix (``members-0-given_name``)."""
    _require(request, MAY_VIEW)
    data: dict[str, Any] = {}
    for key, value in request.GET.items():
        name = key.rsplit("-", 1)[-1]
        if name in {
            "given_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "sex",
            "birth_date",
            "document_number",
            "phone",
        }:
            data[name] = value
    if data.get("birth_date"):
        from marsad.registry.forms import parse_birth_date

        try:
            data["birth_date"] = parse_birth_date(data["birth_date"])[0]
        except ValidationError:
            data["birth_date"] = None
    candidates = selectors.possible_duplicates(request.user, data)
    return render(
        request,
        "registry/_possible_duplicates.html",
        {"candidates": candidates, "asked": bool(data.get("given_name"))},
    )


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MAY_VIEW)
    household = _household(request, pk)
    if not can(request.user, CHANGE, household):
        raise PermissionDenied(_("You may see this household but not change it."))
    form = HouseholdForm(request.POST or None, instance=household, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.household_update(actor=request.user, instance=household, data=changes)
        except ValidationError as error:
            _form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The household is saved."))
            return redirect("registry:household-detail", pk=household.pk)
    return render(request, "registry/household_edit.html", {"form": form, "household": household})


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, MAY_VIEW)
    person = selectors.persons(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404(_("No such person."))
    if not can(request.user, CHANGE, person.household):
        raise PermissionDenied(_("You may see this person but not change them."))
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.person_update(actor=request.user, instance=person, data=changes)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The person is saved."))
            return redirect("registry:household-detail", pk=person.household_id)
    return render(request, "registry/person_edit.html", {"form": form, "person": person})


@login_required
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge of two records (from the kept record's household page)."""
    _require(request, MAY_VIEW)
    merge = PersonMerge.objects.select_related("survivor").filter(pk=pk).first()
    if (
        merge is None
        or not selectors.persons_any(request.user).filter(pk=merge.survivor_id).exists()
    ):
        raise Http404(_("No such merge."))
    try:
        services.merge_undo(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The merge is undone: both records are back as they were."))
    return redirect("registry:household-detail", pk=merge.survivor.household_id)
