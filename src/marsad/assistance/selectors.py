"""Reads for vulnerability targeting, always through the one scoping function: criteria sets and
versions a user may see, a stored version as plain data for ``scoring``, and household
snapshots (a household with its active members) for scoring."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from marsad.assistance import scoring
from marsad.assistance.models import CriteriaSet, CriteriaSetVersion
from marsad.core.scoping import VIEW, scope
from marsad.registry.models import Household, Person

SNAPSHOT_CHUNK = 2000

_HOUSEHOLD_FIELDS = (
    "pk",
    "size",
    "shelter_type",
    "documentation_status",
    "has_income",
    "displacement_date",
)
_MEMBER_FIELDS = (
    "pk",
    "household_id",
    "relationship",
    "sex",
    "birth_date",
    "birth_date_precision",
    "marital_status",
    "disability",
    "chronic_illness",
    "pregnant_or_lactating",
    "separated_child",
)


def criteria_sets(user: Any, *, active_only: bool = False) -> QuerySet[CriteriaSet]:
    found = scope(CriteriaSet.objects.all(), user, VIEW).select_related("organisation", "programme")
    return found.filter(is_active=True) if active_only else found


def criteria_versions(
    user: Any, criteria_set: CriteriaSet | None = None
) -> QuerySet[CriteriaSetVersion]:
    """Published versions in scope, newest first, with their criteria."""
    found = scope(CriteriaSetVersion.objects.all(), user, VIEW)
    if criteria_set is not None:
        found = found.filter(criteria_set=criteria_set)
    return (
        found.select_related("criteria_set", "created_by")
        .prefetch_related("criteria")
        .order_by("criteria_set_id", "-number")
    )


def latest_version(user: Any, criteria_set: CriteriaSet) -> CriteriaSetVersion | None:
    return criteria_versions(user, criteria_set).first()


def version_spec(version: CriteriaSetVersion) -> scoring.CriteriaVersion:
    """A stored version as the plain data ``scoring`` reads: scoring with it gives the same
    result whenever it is read."""
    criteria = tuple(
        scoring.CriterionSpec(
            kind=scoring.RuleKind(criterion.kind),
            weight=criterion.weight,
            parameter=criterion.parameter,
            label=criterion.label,
        )
        for criterion in sorted(version.criteria.all(), key=lambda item: item.position)
    )
    return scoring.CriteriaVersion(
        criteria=criteria,
        high_min=version.high_min,
        medium_min=version.medium_min,
        version_id=version.pk,
        number=version.number,
    )


def version_rows(version: CriteriaSetVersion) -> list[dict[str, Any]]:
    """A version's criteria as rows, to edit into the next version."""
    return [
        {
            "kind": criterion.kind,
            "weight": criterion.weight,
            "parameter": criterion.parameter,
            "label": criterion.label,
        }
        for criterion in sorted(version.criteria.all(), key=lambda item: item.position)
    ]


def _member(row: tuple[Any, ...]) -> scoring.MemberSnapshot:
    values = dict(zip(_MEMBER_FIELDS, row, strict=True))
    values.pop("household_id")
    return scoring.MemberSnapshot(person_id=values.pop("pk"), **values)


def household_snapshots(
    user: Any,
    households: QuerySet[Household] | None = None,
    *,
    chunk_size: int = SNAPSHOT_CHUNK,
) -> Iterator[scoring.HouseholdSnapshot]:
    """Snapshots of the households in ``households`` (every household when None) that ``user``
    may see, with their active members, in household id order. Reads in chunks of
    ``chunk_size`` households: two queries a chunk, whatever the number of members."""
    queryset = households if households is not None else Household.objects.all()
    if queryset.model is not Household:
        raise TypeError("household_snapshots reads a queryset of households.")
    queryset = scope(queryset, user, VIEW).order_by("pk")
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).values_list(*_HOUSEHOLD_FIELDS)[:chunk_size])
        if not rows:
            return
        ids = [row[0] for row in rows]
        members = scope(
            Person.objects.filter(household_id__in=ids, is_active=True), user, VIEW
        ).order_by("household_id", "pk")
        by_household: dict[int, list[scoring.MemberSnapshot]] = defaultdict(list)
        for row in members.values_list(*_MEMBER_FIELDS):
            by_household[row[1]].append(_member(row))
        for pk, size, shelter, documentation, has_income, displaced in rows:
            yield scoring.HouseholdSnapshot(
                household_id=pk,
                size=size,
                members=tuple(by_household.get(pk, ())),
                shelter_type=shelter,
                documentation_status=documentation,
                has_income=has_income,
                displacement_date=displaced,
            )
        if len(rows) < chunk_size:
            return
        last = ids[-1]


def household_snapshot(user: Any, household_id: int) -> scoring.HouseholdSnapshot:
    """One household's snapshot; ``Household.DoesNotExist`` when out of the user's scope."""
    found = list(household_snapshots(user, Household.objects.filter(pk=household_id)))
    if not found:
        raise Household.DoesNotExist(f"No household {household_id} in scope.")
    return found[0]


def score_households(
    user: Any,
    version: CriteriaSetVersion,
    *,
    as_of: datetime.date,
    households: QuerySet[Household] | None = None,
) -> Iterator[scoring.ScoreResult]:
    """Score every household in scope (or in ``households``) with ``version`` on ``as_of``."""
    spec = version_spec(version)
    for snapshot in household_snapshots(user, households):
        yield scoring.score(snapshot, spec, as_of=as_of)
