"""Linking without review: pairs at or above the auto-link threshold are gathered into clusters
(connected components), and each cluster's records are merged into one survivor through the
registry's merge service, by its survivorship rules (``merge_clusters``: a hundred clusters in
a few queries).

A cluster is left for review instead when a reviewer has said "different" about any two of its
records — said about the records themselves or about records since merged into them — and a pair
whose merge someone undid by hand is never linked again without review.

Then the households: each household the run's merges left with no active member, whose merged
members all live on in one other household, is merged into that household by the registry's
household survivorship rules (``household_merge_many``, a few queries for hundreds of
households); a household with an active member left waits for someone to merge it by hand, and
a household merge someone undid is not made again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.core.bulk import update_rows
from marsad.core.errors import error_text
from marsad.linkage.models import CandidatePair, LinkageRun, PairStatus
from marsad.registry import selectors as registry_selectors
from marsad.registry import services as registry
from marsad.registry.models import Household, Person, PersonMerge

#: Clusters merged in one transaction (each in its own savepoint).
CLUSTERS_PER_COMMIT = 250
#: Households looked at, and merged, in one transaction.
HOUSEHOLDS_PER_COMMIT = 500


class _Components:
    """Union-find over person ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def groups(self) -> list[list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        for item in self.parent:
            members[self.find(item)].append(item)
        return sorted(sorted(group) for group in members.values())


def current_records(ids: set[int]) -> dict[int, int]:
    """Each person → the active record it lives on now (itself, or the end of its chain of
    merges), a few queries for the whole set."""
    resolved: dict[int, int] = {}
    pointing: dict[int, int | None] = {}
    pending = set(ids)
    while pending:
        rows = Person.objects.filter(pk__in=pending).values_list("pk", "is_active", "merged_into")
        pending = set()
        for pk, active, merged_into in rows:
            pointing[pk] = None if active or not merged_into else merged_into
            if pointing[pk] is not None and pointing[pk] not in pointing:
                pending.add(pointing[pk])
    for pk in ids:
        seen = {pk}
        current = pk
        while pointing.get(current) is not None and pointing[current] not in seen:
            current = pointing[current]  # type: ignore[assignment]
            seen.add(current)
        resolved[pk] = current
    return resolved


def _kept_apart() -> set[frozenset[int]]:
    """Pairs of current records a reviewer has said are different people."""
    decided = list(
        CandidatePair.objects.filter(status=PairStatus.DIFFERENT).values_list("left_id", "right_id")
    )
    ends = {pk for pair in decided for pk in pair}
    current = current_records(ends) if ends else {}
    return {frozenset((current[left], current[right])) for left, right in decided}


@dataclass
class AutoLinkResult:
    linked_pairs: int = 0
    merges: int = 0
    clusters: int = 0
    held_for_review: int = 0  # pairs of clusters with a "different" decision, or that failed
    household_merges: int = 0  # households left empty, merged into their members' household
    problems: list[str] = field(default_factory=list)


def auto_link(
    *, run: LinkageRun, threshold: float, progress: Callable[[str], None] | None = None
) -> AutoLinkResult:
    """Merge the clusters of this run's pairs at or above ``threshold`` that wait for review,
    CLUSTERS_PER_COMMIT to a transaction; ``progress`` hears how far it is, in words."""
    say = progress or (lambda message: None)
    result = AutoLinkResult()
    # someone undid the merge by hand: a reviewer decides, not the model
    result.held_for_review += CandidatePair.objects.filter(
        run=run, status=PairStatus.AUTO_LINKED, merge__undone_at__isnull=False
    ).update(status=PairStatus.REVIEW, updated_at=timezone.now())
    edges = list(
        CandidatePair.objects.filter(
            run=run, status=PairStatus.REVIEW, match_probability__gte=threshold
        )
        .exclude(merge__undone_at__isnull=False)
        .values_list("pk", "left_id", "right_id")
    )
    if not edges:
        return result
    components = _Components()
    for _pk, left, right in edges:
        components.union(left, right)
    pairs_of: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for edge in edges:
        pairs_of[components.find(edge[1])].append(edge)
    apart = _kept_apart()
    linkable = []
    for group in components.groups():
        cluster_pairs = pairs_of[components.find(group[0])]
        members = set(group)
        if any(len(pair) == 2 and pair <= members for pair in apart):
            result.held_for_review += len(cluster_pairs)
        else:
            linkable.append((members, cluster_pairs))
    # Clusters are merged CLUSTERS_PER_COMMIT to a transaction, all in a few queries; when the
    # registry refuses any of them, that transaction is redone one cluster at a time, each in
    # its own savepoint, so the refused cluster is rolled back alone and named.
    touched: set[int] = set()  # the households of the records folded
    for start in range(0, len(linkable), CLUSTERS_PER_COMMIT):
        say(_("%(done)s of %(total)s clusters linked") % {"done": start, "total": len(linkable)})
        chunk = linkable[start : start + CLUSTERS_PER_COMMIT]
        try:
            with transaction.atomic():
                merges = _merge_clusters([members for members, _pairs in chunk], run=run.pk)
                linked = _mark_linked([pair for _members, pairs in chunk for pair in pairs], merges)
        except (ValidationError, PermissionDenied, IntegrityError):
            _link_one_by_one(chunk, run.pk, result, touched)
            continue
        touched.update(merge.merged.household_id for merge in merges.values())
        result.clusters += len(chunk)
        result.merges += len(merges)
        result.linked_pairs += linked
    _merge_households(touched, run.pk, result, say)
    return result


def _link_one_by_one(
    chunk: list[tuple[set[int], list[tuple[int, int, int]]]],
    run: int,
    result: AutoLinkResult,
    touched: set[int],
) -> None:
    with transaction.atomic():
        for members, cluster_pairs in chunk:
            try:
                with transaction.atomic():
                    merges = _merge_clusters([members], run=run)
                    linked = _mark_linked(cluster_pairs, merges)
            except (ValidationError, PermissionDenied, IntegrityError) as error:
                result.problems.append(
                    _("persons %(records)s were not merged: %(problem)s")
                    % {
                        "records": ", ".join(str(record) for record in sorted(members)),
                        "problem": error_text(error),
                    }
                )
                result.held_for_review += len(cluster_pairs)
                continue
            touched.update(merge.merged.household_id for merge in merges.values())
            result.clusters += 1
            result.merges += len(merges)
            result.linked_pairs += linked


def _merge_households(
    touched: set[int], run: int, result: AutoLinkResult, say: Callable[[str], None]
) -> None:
    """Merge each of the ``touched`` households left with no active member into the household
    holding its members' survivors, HOUSEHOLDS_PER_COMMIT to a transaction; when the registry
    refuses one, that transaction is redone one household at a time, the refused one named."""
    ordered = sorted(touched)
    for start in range(0, len(ordered), HOUSEHOLDS_PER_COMMIT):
        say(
            _("Households of the merged records: %(done)s of %(total)s looked at")
            % {"done": start, "total": len(ordered)}
        )
        chunk = ordered[start : start + HOUSEHOLDS_PER_COMMIT]
        try:
            with transaction.atomic():
                targets = _absorbed(chunk)
                merges = registry.household_merge_many(
                    actor=None,
                    pairs=[(survivor, merged) for merged, survivor in targets.items()],
                    linkage_run=run,
                )
        except (ValidationError, PermissionDenied, IntegrityError):
            _merge_households_one_by_one(chunk, run, result)
            continue
        result.household_merges += len(merges)


def _absorbed(households: list[int]) -> dict[int, int]:
    """Merged household → kept household, for ``households`` locked first, so that one found
    with no active member keeps none until it is merged."""
    list(
        Household.objects.select_for_update()
        .filter(pk__in=households)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return registry_selectors.households_absorbed(households)


def _registration_number(household: int) -> str:
    """What the user knows a household by, for a refused merge (rare: one query is fine)."""
    number = (
        Household.objects.filter(pk=household).values_list("registration_number", flat=True).first()
    )
    return number or str(household)


def _merge_households_one_by_one(chunk: list[int], run: int, result: AutoLinkResult) -> None:
    with transaction.atomic():
        for merged, survivor in _absorbed(chunk).items():
            try:
                with transaction.atomic():
                    registry.household_merge_many(
                        actor=None, pairs=[(survivor, merged)], linkage_run=run
                    )
            except (ValidationError, PermissionDenied, IntegrityError) as error:
                result.problems.append(
                    _("household %(household)s was not merged: %(problem)s")
                    % {"household": _registration_number(merged), "problem": error_text(error)}
                )
                continue
            result.household_merges += 1


def _merge_clusters(clusters: list[set[int]], *, run: int) -> dict[int, PersonMerge]:
    """Fold every record of each cluster into the one the survivorship rules keep (records
    merged before are represented by the record they live on now). Returns the merge of each
    record folded, by its id."""
    current = current_records({pk for members in clusters for pk in members})
    merges = registry.merge_clusters(
        actor=None,
        clusters=[{current[pk] for pk in members} for members in clusters],
        linkage_run=run,
    )
    return {pk: merges[current[pk]] for pk in current if current[pk] in merges}


def _mark_linked(pairs: list[tuple[int, int, int]], merges: dict[int, Any]) -> int:
    """Mark the pairs still waiting for review as linked by the merge that joined them."""
    waiting = set(
        CandidatePair.objects.filter(
            pk__in=[pk for pk, _left, _right in pairs], status=PairStatus.REVIEW
        )
        .select_for_update()
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    linked = [
        CandidatePair(
            pk=pk,
            status=PairStatus.AUTO_LINKED,
            merge=merges.get(right) or merges.get(left),
            updated_at=now,
        )
        for pk, left, right in pairs
        if pk in waiting
    ]
    update_rows(linked, ["status", "merge", "updated_at"])
    return len(linked)
