"""Pages for assessment rounds and location assessments: lists and details read by the
selectors, forms that check the input, the services that write (scoped, validated, audited).

These are record pages: roles that see only aggregates (and users without a membership) are
refused here; they have the displacement dashboard.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marsad.core import audit
from marsad.core.models import AuditAction, Sensitivity
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, can_create, has_capability, membership_scopes
from marsad.core.scoping import is_superuser as is_superuser_of
from marsad.core.views import paginate
from marsad.displacement import selectors, services
from marsad.displacement.forms import (
    AssessmentEditForm,
    AssessmentFilterForm,
    AssessmentForm,
    IntentionFormSet,
    IntentionRowForm,
    NeedFormSet,
    NeedRowForm,
    PopulationGroupFormSet,
    PopulationGroupRowForm,
    ReturnForm,
    RoundForm,
    apply_errors,
)
from marsad.displacement.models import (
    AssessmentRound,
    AssessmentStatus,
    Intention,
    LocationAssessment,
    PopulationGroup,
    PopulationType,
    RoundStatus,
    SectorNeed,
)
from marsad.partners.models import Organisation

ROUND_ACTIONS = {
    RoundStatus.OPEN: gettext_lazy("Reopen the round"),
    RoundStatus.CLOSED: gettext_lazy("Close the round"),
    RoundStatus.PUBLISHED: gettext_lazy("Publish the round"),
}

WORKFLOW = {
    "submit": (services.assessment_submit, gettext_lazy("Submit for validation")),
    "validate": (services.assessment_validate, gettext_lazy("Validate")),
    "publish": (services.assessment_publish, gettext_lazy("Publish")),
    "return": (services.assessment_return, gettext_lazy("Return to draft")),
}
WORKFLOW_DONE = {
    "submit": gettext_lazy("The assessment was submitted for validation."),
    "validate": gettext_lazy("The assessment was validated."),
    "publish": gettext_lazy("The assessment was published."),
    "return": gettext_lazy("The assessment was returned to draft."),
}


# --- Helpers -------------------------------------------------------------------------------------


def _require_records(request: HttpRequest) -> None:
    """Record pages are for roles that see records; aggregate viewers have the dashboard."""
    if not has_capability(request.user, Capability.VIEW_RECORDS):
        raise PermissionDenied(
            _("Your role sees displacement figures on the dashboard only, not the assessments.")
        )


def _querystring(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def optional_url(name: str, **kwargs: Any) -> str:
    """The URL of ``name`` if that page is installed: with ``kwargs``, else without; "" if
    neither resolves (the import and dashboard pages live in their own URL modules)."""
    for attempt in (kwargs, {}):
        try:
            return reverse(name, kwargs=attempt or None)
        except NoReverseMatch:
            continue
    return ""


def _round(request: HttpRequest, number: int) -> AssessmentRound:
    try:
        return selectors.round_detail(user=request.user, number=number).round
    except AssessmentRound.DoesNotExist as error:
        raise Http404 from error


def _assessment(request: HttpRequest, pk: int) -> LocationAssessment:
    try:
        return selectors.assessment_detail(user=request.user, pk=pk)
    except LocationAssessment.DoesNotExist as error:
        raise Http404 from error


def may_edit(user: Any, assessment: LocationAssessment) -> bool:
    """Whether the editing rule (``services.check_editable``) lets ``user`` change it now."""
    try:
        services.check_editable(user, assessment)
    except (PermissionDenied, ValidationError):
        return False
    return True


def workflow_actions(user: Any, assessment: LocationAssessment) -> list[tuple[str, Any]]:
    """The workflow steps ``user`` may take on ``assessment`` now, as (action, label)."""
    if not can(user, CHANGE, assessment):
        return []
    reference = services.is_reference_holder(user)
    status = assessment.status
    actions = []
    if status == AssessmentStatus.DRAFT:
        actions.append("submit")
    if reference and status == AssessmentStatus.SUBMITTED:
        actions.append("validate")
    if reference and status == AssessmentStatus.VALIDATED:
        actions.append("publish")
    if reference and status in (AssessmentStatus.SUBMITTED, AssessmentStatus.VALIDATED):
        actions.append("return")
    return [(action, WORKFLOW[action][1]) for action in actions]


def creatable_organisations(user: Any) -> models.QuerySet[Organisation]:
    """The organisations ``user`` may record assessments for (the service re-checks the area,
    programme and sensitivity chosen)."""
    everything = Organisation.objects.filter(is_active=True).order_by("code")
    if is_superuser_of(user):
        return everything
    own: set[int] = set()
    for membership in membership_scopes(user):
        caps = membership.capabilities
        if not {Capability.VIEW_RECORDS, Capability.CHANGE_RECORDS} <= caps:
            continue
        if Capability.ALL_RECORDS in caps or (
            Capability.OVERSIGHT in caps and membership.organisation_is_mission
        ):
            return everything
        own.add(membership.organisation_id)
    return everything.filter(pk__in=sorted(own))


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Your role does not allow this change.")


# --- Rounds --------------------------------------------------------------------------------------


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    _require_records(request)
    return render(
        request,
        "displacement/round_list.html",
        {
            "page": paginate(request, selectors.rounds(user=request.user)),
            "querystring": _querystring(request),
            "may_add": can_create(request.user, AssessmentRound),
            "dashboard_url": optional_url("displacement:dashboard"),
        },
    )


@login_required
def round_create(request: HttpRequest) -> HttpResponse:
    _require_records(request)
    if not can_create(request.user, AssessmentRound):
        raise PermissionDenied(_("Only IM officers and system administrators may add rounds."))
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Round %(number)d was opened.") % {"number": round_.number})
            return redirect("displacement:round-detail", number=round_.number)
    return render(request, "displacement/round_form.html", {"form": form})


@login_required
def round_detail(request: HttpRequest, number: int) -> HttpResponse:
    _require_records(request)
    try:
        detail = selectors.round_detail(user=request.user, number=number)
    except AssessmentRound.DoesNotExist as error:
        raise Http404 from error
    round_ = detail.round
    form = AssessmentFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else {}
    assessments = selectors.assessments(user=request.user, round=round_, **filters)
    status_actions = []
    if can(request.user, CHANGE, round_):
        status_actions = [
            (status, ROUND_ACTIONS[status])
            for status in sorted(services.ROUND_TRANSITIONS[RoundStatus(round_.status)])
        ]
    return render(
        request,
        "displacement/round_detail.html",
        {
            "detail": detail,
            "round": round_,
            "form": form,
            "page": paginate(request, assessments),
            "querystring": _querystring(request),
            "status_actions": status_actions,
            "may_add_assessment": round_.status == RoundStatus.OPEN
            and creatable_organisations(request.user).exists(),
            "import_url": optional_url("displacement:masterlist-import", number=round_.number)
            if services.is_reference_holder(request.user)
            else "",
            "submissions_import_url": optional_url(
                "displacement:submissions-import", number=round_.number
            )
            if services.is_reference_holder(request.user)
            else "",
            "dashboard_url": optional_url("displacement:dashboard"),
        },
    )


@login_required
@require_POST
def round_status(request: HttpRequest, number: int) -> HttpResponse:
    _require_records(request)
    round_ = _round(request, number)
    if not can(request.user, CHANGE, round_):
        raise PermissionDenied(
            _("Only IM officers and system administrators may open, close or publish rounds.")
        )
    try:
        services.round_set_status(
            actor=request.user, instance=round_, status=request.POST.get("status", "")
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The round's status was changed."))
    return redirect("displacement:round-detail", number=number)


# --- Assessments ---------------------------------------------------------------------------------


def _totals(groups: list[PopulationGroup]) -> list[dict[str, Any]]:
    """Families and individuals by population type, for the types found."""
    totals = []
    for value, label in PopulationType.choices:
        rows = [group for group in groups if group.population_type == value]
        if rows:
            totals.append(
                {
                    "label": label,
                    "families": sum(group.families for group in rows),
                    "individuals": sum(group.individuals for group in rows),
                }
            )
    return totals


_OBJECT_MODELS = {
    model._meta.label_lower: model
    for model in (LocationAssessment, PopulationGroup, SectorNeed, Intention)
}


def _versions(user: Any, assessment: LocationAssessment) -> list[Any]:
    """The assessment's history, each entry with its kind and changed fields in words."""
    entries = list(selectors.assessment_versions(user=user, assessment=assessment)[:200])
    for entry in entries:
        model = _OBJECT_MODELS.get(entry.object_type)
        entry.kind_label = model._meta.verbose_name if model else entry.object_type
        rows = []
        for name, values in (entry.changes or {}).items():
            try:
                label = model._meta.get_field(name).verbose_name if model else name
            except FieldDoesNotExist:  # a field since removed: show its stored name
                label = name
            before, after = [*values, None, None][:2]
            rows.append((label, before, after))
        entry.change_rows = rows
        workflow = (entry.context or {}).get("workflow")
        entry.workflow_label = (
            AssessmentStatus(workflow).label if workflow in AssessmentStatus.values else ""
        )
    return entries


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_records(request)
    assessment = _assessment(request, pk)
    if assessment.sensitivity != Sensitivity.NORMAL:
        audit.record(actor=request.user, action=AuditAction.READ, instance=assessment)
    groups = list(assessment.population_groups.all())
    return render(
        request,
        "displacement/assessment_detail.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "chain": selectors.location_chain(assessment.area),
            "groups": groups,
            "totals": _totals(groups),
            "needs": list(assessment.needs.all()),
            "intentions": list(assessment.intentions.all()),
            "versions": _versions(request.user, assessment),
            "actions": workflow_actions(request.user, assessment),
            "may_edit": may_edit(request.user, assessment),
            "return_form": ReturnForm(),
        },
    )


@login_required
def assessment_create(request: HttpRequest, number: int) -> HttpResponse:
    _require_records(request)
    round_ = _round(request, number)
    organisations = creatable_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("Your role does not allow recording assessments."))
    initial = {"assessed_on": round_.period_end, "organisation": organisations.first()}
    form = AssessmentForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                actor=request.user, data={**form.cleaned_data, "round": round_}
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied:
            form.add_error(
                None,
                _(
                    "Your role may not record an assessment for this organisation, location, "
                    "programme or sensitivity; choose values within your role."
                ),
            )
        else:
            messages.success(
                request, _("The assessment was added as a draft; now enter its population.")
            )
            return redirect("displacement:assessment-edit", pk=assessment.pk)
    return render(request, "displacement/assessment_form.html", {"form": form, "round": round_})


class _Rollback(Exception):
    """Raised inside the edit transaction when any service refused a change."""


def _apply_rows(
    *,
    actor: Any,
    assessment: LocationAssessment,
    formset: Any,
    current: dict[int, Any],
    save: Any,
    delete: Any,
) -> bool:
    """Call the services for each changed row of ``formset``; their refusals go on the row.

    Returns whether every change was accepted.
    """
    accepted = True
    for form in formset.forms:
        if not form.has_changed():
            continue
        row_id = form.cleaned_data.get("id")
        instance = current.get(row_id) if row_id else None
        if row_id and instance is None:
            form.add_error(None, _("This row was removed meanwhile; reload the page."))
            accepted = False
            continue
        try:
            if form.cleaned_data.get("DELETE"):
                if instance is not None:
                    delete(actor=actor, instance=instance)
                continue
            save(actor=actor, assessment=assessment, data=form.service_data(), instance=instance)
        except ValidationError as error:
            apply_errors(form, error)
            accepted = False
        except PermissionDenied as error:
            form.add_error(None, _error_text(error))
            accepted = False
    return accepted


def _formsets(data: Any, assessment: LocationAssessment) -> dict[str, Any]:
    return {
        "groups": PopulationGroupFormSet(
            data,
            prefix="groups",
            initial=[
                PopulationGroupRowForm.initial_of(group)
                for group in assessment.population_groups.all()
            ],
        ),
        "needs": NeedFormSet(
            data,
            prefix="needs",
            initial=[NeedRowForm.initial_of(need) for need in assessment.needs.all()],
        ),
        "intentions": IntentionFormSet(
            data,
            prefix="intentions",
            initial=[
                IntentionRowForm.initial_of(intention) for intention in assessment.intentions.all()
            ],
        ),
    }


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment's fields and its rows on one page, saved in one transaction: any refusal
    rolls every change back and is shown next to its field or row."""
    _require_records(request)
    assessment = _assessment(request, pk)
    try:
        services.check_editable(request.user, assessment)
    except (PermissionDenied, ValidationError) as error:
        raise PermissionDenied(_error_text(error)) from error
    data = request.POST if request.method == "POST" else None
    form = AssessmentEditForm(data, instance=LocationAssessment.objects.get(pk=pk))
    formsets = _formsets(data, assessment)
    if data is not None and form.is_valid() and all(f.is_valid() for f in formsets.values()):
        actor = request.user
        try:
            with transaction.atomic():
                accepted = True
                if form.has_changed():
                    try:
                        services.assessment_update(
                            actor=actor, instance=assessment, data=form.service_data()
                        )
                    except ValidationError as error:
                        apply_errors(form, error)
                        accepted = False
                    except PermissionDenied as error:
                        form.add_error(None, _error_text(error))
                        accepted = False
                rows = [
                    (
                        "groups",
                        PopulationGroup,
                        services.population_group_save,
                        services.population_group_delete,
                    ),
                    ("needs", SectorNeed, services.need_save, services.need_delete),
                    ("intentions", Intention, services.intention_save, services.intention_delete),
                ]
                for key, model, save, delete in rows:
                    current = {row.pk: row for row in model.objects.filter(assessment=assessment)}
                    accepted &= _apply_rows(
                        actor=actor,
                        assessment=assessment,
                        formset=formsets[key],
                        current=current,
                        save=save,
                        delete=delete,
                    )
                if not accepted:
                    raise _Rollback
        except _Rollback:
            messages.error(
                request, _("Nothing was saved: correct the fields and rows marked below.")
            )
        else:
            messages.success(request, _("The assessment was saved."))
            return redirect("displacement:assessment-detail", pk=pk)
    return render(
        request,
        "displacement/assessment_edit.html",
        {
            "assessment": assessment,
            "round": assessment.round,
            "form": form,
            "household_size": settings.MARSAD_HOUSEHOLD_SIZE,
            "household_size_camp": settings.MARSAD_HOUSEHOLD_SIZE_CAMP,
            **formsets,
        },
    )


@login_required
@require_POST
def assessment_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_records(request)
    if action not in WORKFLOW:
        raise Http404
    assessment = get_object_or_404(selectors.visible_assessments(user=request.user), pk=pk)
    if not can(request.user, CHANGE, assessment):
        raise PermissionDenied(_("You may not change this assessment."))
    step = WORKFLOW[action][0]
    try:
        if action == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors["reason"])
            step(actor=request.user, instance=assessment, reason=form.cleaned_data["reason"])
        else:
            step(actor=request.user, instance=assessment)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, WORKFLOW_DONE[action])
    return redirect("displacement:assessment-detail", pk=pk)
