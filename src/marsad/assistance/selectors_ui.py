"""Reads the assistance pages need beyond ``selectors``: finding a household to record a receipt
for, heads of household in one query for a list, and a selection's exclusions counted by
reason. Scoped like every read."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from marsad.assistance import selectors
from marsad.assistance.models import AssistancePlan, Selection, SelectionEntry
from marsad.registry import selectors as registry
from marsad.registry.models import Household, Person, Relationship

SEARCH_LIMIT = 20


def heads(prefix: str = "") -> Prefetch:
    """Prefetch each household's active head as ``heads`` (a list of at most one person);
    ``prefix`` reaches the household from the listed model, e.g. ``"household__"``."""
    return Prefetch(
        f"{prefix}members",
        queryset=Person.objects.filter(relationship=Relationship.HEAD, is_active=True).order_by(
            "pk"
        ),
        to_attr="heads",
    )


def household_search(user: Any, query: str) -> QuerySet[Household]:
    """Households in scope whose registration number contains ``query`` or one of whose
    members matches it by name (in either script), document or phone (the registry's
    search); at most ``SEARCH_LIMIT``, by registration number."""
    query = (query or "").strip()
    found = registry.households(user)
    if not query:
        return found.none()
    persons = registry.search_persons(user, query).values("household_id")
    return (
        found.filter(Q(registration_number__icontains=query) | Q(pk__in=persons))
        .prefetch_related(heads())
        .order_by("registration_number")[:SEARCH_LIMIT]
    )


def households_within(user: Any, areas: Any) -> int:
    """How many households in scope live in ``areas`` (or below them): what a selection over
    these areas would consider at most."""
    within = Q(pk__in=[])
    for area in areas:
        within |= Q(area__path__startswith=area.path)
    return registry.households(user).filter(within).count()


def beneficiary_ranks(user: Any, plan: AssistancePlan, household_ids: list[int]) -> dict[int, int]:
    """Of ``household_ids``, those on the plan's latest beneficiary list, with their rank."""
    latest = selectors.latest_selection(user, plan)
    if latest is None or not household_ids:
        return {}
    return dict(
        selectors.selection_entries(user, latest, included=True)
        .filter(household_id__in=household_ids)
        .values_list("household_id", "rank")
    )


def entries_with_heads(
    user: Any, selection: Selection, *, included: bool | None = None
) -> QuerySet[SelectionEntry]:
    return selectors.selection_entries(user, selection, included=included).prefetch_related(
        heads("household__")
    )


def reason_counts(user: Any, selection: Selection) -> list[tuple[str, int]]:
    """How many households the selection left out for each reason, most frequent first."""
    return list(
        selectors.selection_entries(user, selection, included=False)
        .order_by()
        .values_list("reason")
        .annotate(count=Count("pk"))
        .order_by("-count", "reason")
    )
