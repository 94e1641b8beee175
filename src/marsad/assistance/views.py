"""Vulnerability criteria pages: the sets in scope, a set with its versions, a new set, the next
version of a set's criteria (pre-filled from the latest, published through
``criteria_version_publish``) and one version with its rules explained. Thin: forms check
types, ``services`` decide and write, ``selectors`` read."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from marsad.assistance import selectors, services
from marsad.assistance.explanations import PARAMETER_UNITS, RULE_NAMES
from marsad.assistance.forms import (
    RULE_HELP,
    CriteriaSetForm,
    CriterionFormSet,
    VersionForm,
    criteria_organisations,
    criteria_rows,
)
from marsad.assistance.models import CriteriaSet, CriteriaSetVersion
from marsad.assistance.scoring import RULE_PARAMETERS, RuleKind
from marsad.assistance.views_common import form_errors, require
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, has_capability


def _criteria_set(request: HttpRequest, pk: int) -> CriteriaSet:
    found = selectors.criteria_sets(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such criteria set."))
    return found


def _may_manage(request: HttpRequest, criteria_set: CriteriaSet | None = None) -> bool:
    if not has_capability(request.user, Capability.CHANGE_PROGRAMMES):
        return False
    return criteria_set is None or can(request.user, CHANGE, criteria_set)


def _check_manage(request: HttpRequest, criteria_set: CriteriaSet | None = None) -> None:
    if not _may_manage(request, criteria_set):
        raise PermissionDenied(
            _("Only programme managers and system administrators manage vulnerability criteria.")
        )


@login_required
def criteria_set_list(request: HttpRequest) -> HttpResponse:
    require(request)
    sets = (
        selectors.criteria_sets(request.user)
        .annotate(version_count=Count("versions"), latest_number=Max("versions__number"))
        .order_by("-is_active", "organisation__code", "name")
    )
    return render(
        request,
        "assistance/criteria_set_list.html",
        {
            "sets": sets,
            "may_create": _may_manage(request) and criteria_organisations(request.user).exists(),
        },
    )


@login_required
def criteria_set_create(request: HttpRequest) -> HttpResponse:
    require(request)
    _check_manage(request)
    form = CriteriaSetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.criteria_set_create(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"].strip(),
                description=data["description"],
                programme=data["programme"],
            )
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("The criteria set is created; publish its first version of criteria now."),
            )
            return redirect("assistance:criteria-version-create", pk=created.pk)
    return render(request, "assistance/criteria_set_form.html", {"form": form})


@login_required
def criteria_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    criteria_set = _criteria_set(request, pk)
    versions = selectors.criteria_versions(request.user, criteria_set).annotate(
        plan_count=Count("plans", distinct=True),
        selection_count=Count("selections", distinct=True),
    )
    return render(
        request,
        "assistance/criteria_set_detail.html",
        {
            "criteria_set": criteria_set,
            "versions": versions,
            "may_change": _may_manage(request, criteria_set),
        },
    )


@login_required
def criteria_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    criteria_set = _criteria_set(request, pk)
    _check_manage(request, criteria_set)
    form = CriteriaSetForm(
        request.POST or None,
        user=request.user,
        editing=True,
        initial={
            "name": criteria_set.name,
            "description": criteria_set.description,
            "programme": criteria_set.programme_id,
            "is_active": criteria_set.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.criteria_set_update(actor=request.user, instance=criteria_set, data=changes)
        except ValidationError as error:
            form_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The criteria set is saved."))
            return redirect("assistance:criteria-set-detail", pk=criteria_set.pk)
    return render(
        request,
        "assistance/criteria_set_form.html",
        {"form": form, "criteria_set": criteria_set},
    )


def _version_initial(version: CriteriaSetVersion | None) -> tuple[list[dict[str, Any]], dict]:
    if version is None:
        return [], {}
    rows = [
        {key: value for key, value in row.items() if value not in (None, "")}
        for row in selectors.version_rows(version)
    ]
    return rows, {"high_min": version.high_min, "medium_min": version.medium_min}


@login_required
def criteria_version_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The next version of a set's criteria, starting from the latest."""
    require(request)
    criteria_set = _criteria_set(request, pk)
    _check_manage(request, criteria_set)
    latest = selectors.latest_version(request.user, criteria_set)
    rows, cutoffs = _version_initial(latest)
    if request.method == "POST":
        formset = CriterionFormSet(request.POST, prefix="criteria")
    else:
        formset = CriterionFormSet(initial=rows, prefix="criteria")
    form = VersionForm(request.POST or None, initial=cutoffs)
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid() and form.is_valid():
        try:
            version = services.criteria_version_publish(
                actor=request.user,
                criteria_set=criteria_set,
                criteria=criteria_rows(formset),
                high_min=form.cleaned_data["high_min"],
                medium_min=form.cleaned_data["medium_min"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                by_field = dict(error.message_dict)
                problems = list(by_field.pop("criteria", []))
                if by_field:
                    form_errors(form, ValidationError(by_field))
            else:
                problems = list(error.messages)
        except PermissionDenied as error:
            problems = [str(error)]
        else:
            messages.success(
                request,
                _("Version %(number)d of %(set)s is published.")
                % {"number": version.number, "set": criteria_set.name},
            )
            return redirect("assistance:criteria-version-detail", pk=version.pk)
    return render(
        request,
        "assistance/criteria_version_form.html",
        {
            "criteria_set": criteria_set,
            "latest": latest,
            "formset": formset,
            "form": form,
            "problems": problems,
            "rule_help": [(RULE_NAMES[kind], RULE_HELP[kind]) for kind in RuleKind],
        },
    )


def explained_criteria(version: CriteriaSetVersion) -> list[dict[str, Any]]:
    """A version's criteria with the rule's name, number and unit, and what the rule reads."""
    rows = []
    for criterion in sorted(version.criteria.all(), key=lambda item: item.position):
        kind = RuleKind(criterion.kind)
        parameter = RULE_PARAMETERS[kind]
        rows.append(
            {
                "position": criterion.position,
                "label": criterion.display_label,
                "rule": RULE_NAMES[kind],
                "parameter": criterion.parameter,
                "unit": PARAMETER_UNITS[parameter.unit] if parameter else "",
                "weight": criterion.weight,
                "help": RULE_HELP[kind],
            }
        )
    return rows


@login_required
def criteria_version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require(request)
    version = selectors.criteria_versions(request.user).filter(pk=pk).first()
    if version is None:
        raise Http404(_("No such criteria version."))
    spec = selectors.version_spec(version)
    return render(
        request,
        "assistance/criteria_version_detail.html",
        {
            "version": version,
            "criteria_set": version.criteria_set,
            "criteria": explained_criteria(version),
            "max_score": spec.max_score,
            "medium_max": version.high_min - 1,
            "low_max": version.medium_min - 1,
            "plans": selectors.plans(request.user).filter(criteria_version=version),
            "is_latest": not version.criteria_set.versions.filter(
                number__gt=version.number
            ).exists(),
            "may_change": _may_manage(request, version.criteria_set),
        },
    )
