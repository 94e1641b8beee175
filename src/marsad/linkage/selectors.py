"""Reads of linkage data through the one scoping function: a pair is visible when both of its
records are (a reviewer never sees a person outside their scope through a pair)."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from marsad.core.scoping import VIEW, scope
from marsad.linkage.models import CandidatePair, LinkageRun, ModelVersion, PairStatus
from marsad.registry import selectors as registry
from marsad.registry.household_merging import active_household_merge
from marsad.registry.models import HouseholdMerge


def pairs(user: Any, *, status: str | None = PairStatus.REVIEW) -> QuerySet[CandidatePair]:
    visible = registry.persons_any(user).values("pk")
    queryset = scope(CandidatePair.objects.all(), user, VIEW).filter(right__in=visible)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.select_related(
        "left__household__area",
        "right__household__area",
        "decided_by",
        "run__model",
        "merge__merged",
    ).prefetch_related(
        "left__documents",
        "left__phones",
        "left__source_records",
        "right__documents",
        "right__phones",
        "right__source_records",
    )


def household_merge_of(pair: CandidatePair) -> HouseholdMerge | None:
    """The household merge that followed this pair's person merge (while both stand): the
    household the merged record lived on, left with no member of its own."""
    merge = pair.merge
    if merge is None or merge.undone_at is not None:
        return None
    return active_household_merge(merge.merged.household_id)


def next_pair(user: Any, *, after: CandidatePair | None = None) -> CandidatePair | None:
    """The next pair waiting for review in the queue's order (most probable first). With
    ``after``, the one that follows it, or the first after the last: skipping goes round the
    queue, not back to its top."""
    queue = pairs(user).order_by("-match_probability", "pk")
    if after is None:
        return queue.first()
    queue = queue.exclude(pk=after.pk)
    later = queue.filter(
        Q(match_probability__lt=after.match_probability)
        | Q(match_probability=after.match_probability, pk__gt=after.pk)
    ).first()
    return later or queue.first()


def queue_counts(user: Any) -> dict[str, int]:
    counts = dict.fromkeys(PairStatus.values, 0)
    visible = registry.persons_any(user).values("pk")
    rows = (
        scope(CandidatePair.objects.all(), user, VIEW)
        .filter(right__in=visible)
        .values("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


def runs() -> QuerySet[LinkageRun]:
    return LinkageRun.objects.select_related("model", "started_by", "task")


def active_model() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).first()
