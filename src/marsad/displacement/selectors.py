"""Reads for the displacement pages: rounds, location assessments with their population totals,
one assessment with everything it found, and its version history — always through the scope."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from marsad.core.localise import localised
from marsad.core.models import AuditAction, AuditEntry
from marsad.core.scoping import VIEW, can, is_superuser, scope
from marsad.displacement.models import (
    AssessmentRound,
    AssessmentStatus,
    DisplacementPeriod,
    Intention,
    LocationAssessment,
    PopulationGroup,
    PopulationType,
    SectorNeed,
)
from marsad.geo.models import AdminArea
from marsad.geo.normalise import search_text
from marsad.partners.models import Organisation

ASSESSMENT_TYPE = LocationAssessment._meta.label_lower
ROW_MODELS = (PopulationGroup, SectorNeed, Intention)
ROW_TYPES = [model._meta.label_lower for model in ROW_MODELS]


def visible_assessments(*, user: Any) -> QuerySet[LocationAssessment]:
    """Every assessment ``user`` may see, unfiltered and without joins."""
    return scope(LocationAssessment.objects.all(), user, VIEW)


def period_label(period: DisplacementPeriod | None) -> str:
    """The displacement period's label in the active language (English when not given)."""
    if period is None:
        return ""
    return localised(period.label_en, period.label_ar, period.label_ku)


# --- Rounds --------------------------------------------------------------------------------------


def rounds(*, user: Any) -> QuerySet[AssessmentRound]:
    """The rounds (reference data) newest first, with ``assessment_count``: how many of the
    round's assessments ``user`` may see, and ``published_count`` of those published."""
    visible = visible_assessments(user=user).filter(round=OuterRef("pk"))

    def counted(assessments: QuerySet) -> Coalesce:
        counts = assessments.order_by().values("round").annotate(count=Count("pk"))
        return Coalesce(Subquery(counts.values("count")[:1]), Value(0))

    return scope(AssessmentRound.objects.all(), user, VIEW).annotate(
        assessment_count=counted(visible),
        published_count=counted(visible.filter(status=AssessmentStatus.PUBLISHED)),
    )


@dataclass
class RoundDetail:
    round: AssessmentRound
    # (status value, label, count) for every assessment status, in workflow order.
    status_counts: list[tuple[str, str, int]] = field(default_factory=list)
    total: int = 0


def round_detail(*, user: Any, number: int) -> RoundDetail:
    """One round and how many of its assessments ``user`` may see in each status.

    Raises ``AssessmentRound.DoesNotExist`` when there is no such round (or none visible).
    """
    round_ = scope(AssessmentRound.objects.all(), user, VIEW).get(number=number)
    counted = dict(
        visible_assessments(user=user)
        .filter(round=round_)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    status_counts = [
        (value, label, counted.get(value, 0)) for value, label in AssessmentStatus.choices
    ]
    return RoundDetail(
        round=round_, status_counts=status_counts, total=sum(counted.values(), start=0)
    )


# --- Assessments ---------------------------------------------------------------------------------


def _population_sum(population_type: str, column: str) -> Coalesce:
    return Coalesce(
        Sum(
            f"population_groups__{column}",
            filter=Q(population_groups__population_type=population_type),
        ),
        Value(0),
        output_field=IntegerField(),
    )


def location_search(query: str) -> Q:
    """Assessments whose location's P-code starts with ``query`` or any of whose three names
    (English, Arabic, Kurdish) contains it, with the letter variants folded as in geo."""
    query = (query or "").strip()
    if not query:
        return Q()
    condition = Q(area__pcode__istartswith=query)
    folded = search_text(query)
    if folded:
        condition |= Q(area__search_text__contains=folded)
    return condition


def assessments(
    *,
    user: Any,
    round: AssessmentRound | None = None,
    area: AdminArea | None = None,
    status: str | None = None,
    organisation: Organisation | None = None,
    population_type: str | None = None,
    query: str = "",
) -> QuerySet[LocationAssessment]:
    """Assessments ``user`` may see, filtered, with the round, location (and its parent) and
    organisation joined, and annotated with ``idp_families``, ``idp_individuals``,
    ``returnee_families`` and ``returnee_individuals`` summed over the population groups.

    ``area`` keeps the locations at or below it (by P-code path); ``population_type`` keeps
    assessments that found at least one group of that type.
    """
    queryset = LocationAssessment.objects.select_related(
        "round", "area", "area__parent", "organisation"
    ).defer("area__boundary", "area__parent__boundary")
    if round is not None:
        queryset = queryset.filter(round=round)
    if area is not None:
        queryset = queryset.filter(area__path__startswith=area.path)
    if status:
        queryset = queryset.filter(status=status)
    if organisation is not None:
        queryset = queryset.filter(organisation=organisation)
    if population_type:
        queryset = queryset.filter(
            Exists(
                PopulationGroup.objects.filter(
                    assessment=OuterRef("pk"), population_type=population_type
                )
            )
        )
    if query:
        queryset = queryset.filter(location_search(query))
    queryset = scope(queryset, user, VIEW)
    return queryset.annotate(
        idp_families=_population_sum(PopulationType.IDP, "families"),
        idp_individuals=_population_sum(PopulationType.IDP, "individuals"),
        returnee_families=_population_sum(PopulationType.RETURNEE, "families"),
        returnee_individuals=_population_sum(PopulationType.RETURNEE, "individuals"),
    ).order_by("-round__number", "area__pcode")


def assessment_detail(*, user: Any, pk: int) -> LocationAssessment:
    """One assessment with its population groups (origin and period joined), needs ranked by
    priority then severity, and intentions. Raises ``LocationAssessment.DoesNotExist`` when
    ``user`` may not see it."""
    groups = PopulationGroup.objects.select_related(
        "origin_area", "origin_area__parent", "displacement_period"
    ).defer("origin_area__boundary", "origin_area__parent__boundary")
    needs = SectorNeed.objects.order_by(
        Coalesce("priority", Value(32767)).asc(), "-severity", "sector"
    )
    queryset = (
        LocationAssessment.objects.select_related(
            "round", "area", "area__parent", "organisation", "programme", "monitor"
        )
        .defer("area__boundary", "area__parent__boundary")
        .prefetch_related(
            Prefetch("population_groups", queryset=groups),
            Prefetch("needs", queryset=needs),
            Prefetch("intentions", queryset=Intention.objects.all()),
        )
    )
    return scope(queryset, user, VIEW).get(pk=pk)


def location_chain(area: AdminArea) -> list[AdminArea]:
    """The areas above ``area`` from the country down to its parent, read from its path."""
    pcodes = [code for code in area.path.split("/") if code and code != area.pcode]
    ancestors = AdminArea.objects.filter(pcode__in=pcodes).defer("boundary")
    return sorted(ancestors, key=lambda ancestor: ancestor.level)


def assessment_versions(*, user: Any, assessment: LocationAssessment) -> QuerySet[AuditEntry]:
    """The audit entries of ``assessment`` and of its rows (population groups, needs,
    intentions — deleted ones included), newest first: its versions and workflow steps.

    Readable by anyone who may see the assessment (the full audit log stays with its
    holders); raises PermissionDenied otherwise.
    """
    if not can(user, VIEW, assessment):
        raise PermissionDenied(_("You may not see this assessment."))
    condition = Q(object_type=ASSESSMENT_TYPE, object_id=str(assessment.pk))
    for model, object_type in zip(ROW_MODELS, ROW_TYPES, strict=True):
        current = {
            str(pk)
            for pk in model.objects.filter(assessment=assessment).values_list("pk", flat=True)
        }
        # A deleted row's id survives only in the log: its delete entry records the assessment.
        deleted = AuditEntry.objects.filter(
            object_type=object_type,
            action=AuditAction.DELETE,
            changes__assessment__0=assessment.pk,
        ).values_list("object_id", flat=True)
        ids = current | set(deleted)
        if ids:
            condition |= Q(object_type=object_type, object_id__in=sorted(ids))
    return AuditEntry.objects.filter(condition).order_by("-occurred_at", "-id")


def user_organisations(user: Any) -> Any:
    """The organisations the user holds an active membership in (all, for a superuser)."""
    organisations = Organisation.objects.filter(is_active=True)
    if not is_superuser(user):
        organisations = organisations.filter(
            memberships__user=user, memberships__is_active=True
        ).distinct()
    return organisations.order_by("code")
