"""Registry pages: households and search, one household, registering a household with a live
"possible duplicates" panel, editing a household or a member, and merging a household registered
twice into the other (and undoing it). Thin: forms validate, ``services`` write, ``selectors``
read."""

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
from marsad.core.errors import error_text
from marsad.core.models import AuditAction, Sensitivity
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, has_capability
from marsad.core.views import paginate
from marsad.registry import selectors, services
from marsad.registry.forms import (
    HouseholdForm,
    HouseholdMergeForm,
    MemberFormSet,
    PersonForm,
    SearchForm,
)
from marsad.registry.household_merging import active_household_merge, choose_household_survivor
from marsad.registry.models import Household, HouseholdMerge, HouseholdStatus, Person, PersonMerge

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
        items = selectors.households(
            request.user, merged=bool(form.cleaned_data.get("merged"))
        ).order_by("-created_at")
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
    may_change = can(request.user, CHANGE, household)
    merged_into = household.merged_into
    household_merges = list(selectors.household_merges(household))
    is_open = merged_into is None and household.status != HouseholdStatus.CLOSED
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": members,
            "merges": merges,
            "household_merges": household_merges,
            "active_merge": next(
                (
                    merge
                    for merge in household_merges
                    if merge.merged_id == household.pk and merge.undone_at is None
                ),
                None,
            ),
            "sources": household.source_records.order_by("created_at"),
            "may_change": may_change and merged_into is None,
            "may_undo": may_change,
            "may_merge": may_change and is_open,
            "merged_into": merged_into,
            "merged_into_visible": merged_into is not None
            and selectors.households(request.user).filter(pk=merged_into.pk).exists(),
            "visible_homes": set(
                selectors.households(request.user, merged=True)
                .filter(pk__in={p.merged_into.household_id for p in members if p.merged_into})
                .values_list("pk", flat=True)
            ),
            "suggestions": (
                selectors.household_merge_suggestions(request.user, household)
                if may_change and is_open
                else []
            ),
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
    merge = PersonMerge.objects.select_related("survivor", "merged").filter(pk=pk).first()
    if (
        merge is None
        or not selectors.persons_any(request.user).filter(pk=merge.survivor_id).exists()
    ):
        raise Http404(_("No such merge."))
    household_merge = active_household_merge(merge.merged.household_id)
    try:
        services.merge_undo(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The merge is undone: both records are back as they were."))
        if household_merge is not None:
            messages.info(
                request,
                _(
                    "Household %(merged)s had been merged into household %(survivor)s after "
                    "these records were; it is open again."
                )
                % {
                    "merged": household_merge.merged.registration_number,
                    "survivor": household_merge.survivor.registration_number,
                },
            )
    return redirect("registry:household-detail", pk=merge.survivor.household_id)


@login_required
def household_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge this household into another: pick it (the page suggests the households holding
    the survivors of this household's merged members) and say why, then confirm."""
    _require(request, MAY_VIEW)
    household = _household(request, pk)
    if not can(request.user, CHANGE, household):
        raise PermissionDenied(_("You may see this household but not change it."))
    form = HouseholdMergeForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        household=household,
        initial={"into": request.GET.get("into", "")},
    )
    survivor = None
    if request.method == "POST" and form.is_valid():
        survivor = form.cleaned_data["into"]
        if request.POST.get("confirm"):
            try:
                services.household_merge(
                    actor=request.user,
                    survivor=survivor,
                    merged=household,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                _form_errors(form, error)
                survivor = None
            except PermissionDenied as error:
                form.add_error(None, str(error))
                survivor = None
            else:
                messages.success(
                    request,
                    _("Household %(merged)s is merged into household %(survivor)s.")
                    % {
                        "merged": household.registration_number,
                        "survivor": survivor.registration_number,
                    },
                )
                return redirect("registry:household-detail", pk=survivor.pk)
    closed = household.merged_into_id is not None or household.status == HouseholdStatus.CLOSED
    context: dict[str, Any] = {
        "household": household,
        "form": form,
        "closed": closed,
        "suggestions": []
        if closed
        else selectors.household_merge_suggestions(request.user, household),
    }
    if survivor is not None:
        context.update(
            survivor=survivor,
            survivor_members=list(survivor.members.filter(is_active=True).order_by("pk")),
            moving=[person for person in household.members.all() if person.is_active],
            rules_keep_this=choose_household_survivor(household, survivor)[0].pk == household.pk,
        )
    return render(request, "registry/household_merge.html", context)


@login_required
@require_POST
def household_merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a household merge (from the page of either household)."""
    _require(request, MAY_VIEW)
    merge = HouseholdMerge.objects.filter(pk=pk).first()
    if (
        merge is None
        or not selectors.households(request.user, merged=True)
        .filter(pk__in=[merge.survivor_id, merge.merged_id])
        .exists()
    ):
        raise Http404(_("No such merge."))
    try:
        services.household_merge_undo(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("The household merge is undone: both households are back as they were.")
        )
    return redirect("registry:household-detail", pk=merge.merged_id)
