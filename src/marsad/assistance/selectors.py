"""Reads for vulnerability targeting and assistance, always through the one scoping function:
criteria sets and versions a user may see, a stored version as plain data for ``scoring``,
household snapshots (a household with its active members) for scoring; plans, selections and
receipts in scope; and the two reads the double-assistance rule rests on, which deliberately
look across every organisation: households linked to each other, and an earlier receipt."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet

from marsad.assistance import scoring
from marsad.assistance.models import (
    AssistancePlan,
    CriteriaSet,
    CriteriaSetVersion,
    PlanItem,
    Receipt,
    Selection,
    SelectionEntry,
    normalise_cycle,
)
from marsad.core.scoping import VIEW, scope
from marsad.linkage.models import CandidatePair, PairStatus
from marsad.registry.models import Household, HouseholdMerge, Person, PersonMerge

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
    scoped: bool = True,
) -> Iterator[scoring.HouseholdSnapshot]:
    """Snapshots of the households in ``households`` (every household not merged into another
    when None) that ``user`` may see, with their active members, in household id order. Reads
    in chunks of ``chunk_size`` households: two queries a chunk, whatever the number of members.
    ``scoped=False`` is for the system itself (services called with ``actor=None``)."""
    queryset = (
        households if households is not None else Household.objects.filter(merged_into__isnull=True)
    )
    if queryset.model is not Household:
        raise TypeError("household_snapshots reads a queryset of households.")
    if scoped:
        queryset = scope(queryset, user, VIEW)
    queryset = queryset.order_by("pk")
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).values_list(*_HOUSEHOLD_FIELDS)[:chunk_size])
        if not rows:
            return
        ids = [row[0] for row in rows]
        members = Person.objects.filter(household_id__in=ids, is_active=True)
        if scoped:
            members = scope(members, user, VIEW)
        members = members.order_by("household_id", "pk")
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


# --- Households linked by the registry's merges and linkage decisions -----------------------

#: Linkage decisions that tie two person records together (besides an active merge).
LINKING_STATUSES = (PairStatus.SAME, PairStatus.AUTO_LINKED)
#: From this many households, every link is read in one pass instead of following links out.
LINK_SCAN_FROM = 500


def _link_rows(household_ids: Iterable[int] | None) -> QuerySet:
    """Pairs of household ids tied by an active merge of two persons or of two households, or
    a same/auto-linked pair between their members: those touching ``household_ids``, or all of
    them (None). One query."""
    merges = PersonMerge.objects.filter(undone_at__isnull=True).order_by()
    household_merges = HouseholdMerge.objects.filter(undone_at__isnull=True).order_by()
    pairs = CandidatePair.objects.filter(status__in=LINKING_STATUSES).order_by()
    merged = ("survivor__household_id", "merged__household_id")
    folded = ("survivor_id", "merged_id")
    paired = ("left__household_id", "right__household_id")
    if household_ids is None:
        return merges.values_list(*merged).union(
            household_merges.values_list(*folded), pairs.values_list(*paired)
        )
    ids = sorted(household_ids)
    # One select per direction, so each reads an index (person by household, merge or pair by
    # person) rather than an OR across two joins.
    return (
        merges.filter(survivor__household_id__in=ids)
        .values_list(*merged)
        .union(
            merges.filter(merged__household_id__in=ids).values_list(*merged),
            household_merges.filter(survivor_id__in=ids).values_list(*folded),
            household_merges.filter(merged_id__in=ids).values_list(*folded),
            pairs.filter(left__household_id__in=ids).values_list(*paired),
            pairs.filter(right__household_id__in=ids).values_list(*paired),
        )
    )


def _components(edges: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Union-find over ``edges``: each household seen, mapped to its component's root."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in edges:
        if left is None or right is None or left == right:
            continue
        first, second = root(left), root(right)
        if first != second:
            parent[max(first, second)] = min(first, second)
    return {node: root(node) for node in list(parent)}


def linked_households(household_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each household in ``household_ids``, the other households tied to it: one was merged
    into the other, or a member of one into a member of the other (merges not undone), or
    linkage decided a pair of their members the same person (reviewed or linked
    automatically). Ties are followed
    through: when A is tied to B and B to C, A is tied to C (a household registered three times
    is usually merged into one survivor, so its other two registrations meet only through it).

    Every requested household is a key (an empty set when nothing ties it). Reads every
    organisation's records: the double-assistance rule must see a duplicate whoever registered
    it. A few households follow the links out (one query per step, usually one or two); many
    (``LINK_SCAN_FROM``) read every link once."""
    ids = {int(household) for household in household_ids}
    if not ids:
        return {}
    if len(ids) >= LINK_SCAN_FROM:
        roots = _components(_link_rows(None))
    else:
        edges: list[tuple[int, int]] = []
        known, frontier = set(ids), set(ids)
        while frontier:
            found = [row for row in _link_rows(frontier) if row[0] != row[1]]
            edges += found
            reached = {household for row in found for household in row}
            frontier = reached - known
            known |= reached
        roots = _components(edges)
    members: dict[int, set[int]] = defaultdict(set)
    for household, root in roots.items():
        members[root].add(household)
    return {
        household: members[roots[household]] - {household} if household in roots else set()
        for household in ids
    }


# --- Plans, selections, receipts ------------------------------------------------------------


def plans(user: Any, action: str = VIEW) -> QuerySet[AssistancePlan]:
    """Plans ``user`` may see (or change, ``action="change"``), newest first."""
    return scope(AssistancePlan.objects.all(), user, action).select_related(
        "organisation",
        "programme",
        "donor",
        "funding",
        "location",
        "criteria_version__criteria_set",
    )


def plan_detail(user: Any, pk: int) -> AssistancePlan:
    """One plan with its items; ``AssistancePlan.DoesNotExist`` when out of scope."""
    return plans(user).prefetch_related("items").get(pk=pk)


def plan_items(user: Any, plan: AssistancePlan) -> QuerySet[PlanItem]:
    return scope(PlanItem.objects.filter(plan=plan), user, VIEW).order_by("assistance_type")


def selections(user: Any, plan: AssistancePlan | None = None) -> QuerySet[Selection]:
    """Selections in scope, the latest first (a plan's latest is its beneficiary list)."""
    found = scope(Selection.objects.all(), user, VIEW)
    if plan is not None:
        found = found.filter(plan=plan)
    return (
        found.select_related("plan", "criteria_version__criteria_set", "run_by")
        .prefetch_related("areas")
        .order_by("-created_at", "-pk")
    )


def latest_selection(user: Any, plan: AssistancePlan) -> Selection | None:
    return selections(user, plan).first()


def selection_entries(
    user: Any, selection: Selection, *, included: bool | None = None
) -> QuerySet[SelectionEntry]:
    """A selection's households in rank order: only the beneficiaries (``included=True``), only
    those left out with their reasons (``False``) or all (None)."""
    found = scope(SelectionEntry.objects.filter(selection=selection), user, VIEW)
    if included is not None:
        found = found.filter(included=included)
    return found.select_related(
        "household__area", "other_household", "earlier_receipt__plan"
    ).order_by("rank")


def receipts(
    user: Any, *, plan: AssistancePlan | None = None, household: Household | None = None
) -> QuerySet[Receipt]:
    """Receipts in scope, the latest first, for one plan or household when given."""
    found = scope(Receipt.objects.all(), user, VIEW)
    if plan is not None:
        found = found.filter(plan=plan)
    if household is not None:
        found = found.filter(household=household)
    return found.select_related(
        "plan",
        "item",
        "programme",
        "household",
        "person",
        "recorded_by",
        "overridden_by",
        "voided_by",
    )


def receipts_in_cycle(
    household_ids: Iterable[int], assistance_type: str, cycle: str, *, programme: Any
) -> list[Receipt]:
    """Receipts of ``assistance_type`` in ``programme``'s ``cycle`` by any of ``household_ids``
    (one indexed query; every organisation's), earliest first, with plan, its programme and
    household. Voided receipts are left out: they were recorded in error."""
    return list(
        Receipt.objects.filter(
            programme_id=getattr(programme, "pk", programme),
            cycle=normalise_cycle(cycle),
            assistance_type=str(assistance_type),
            household_id__in=sorted(household_ids),
            voided_at__isnull=True,
        )
        .select_related("plan__programme", "household")
        .order_by("received_on", "pk")
    )


def earlier_receipt(
    household: Household | int, assistance_type: str, cycle: str, *, programme: Any
) -> Receipt | None:
    """The receipt that makes another of ``assistance_type`` in ``programme``'s ``cycle`` a
    double assistance for ``household``: its own earliest, else the earliest of a household
    linked to it (``linked_households``); None when there is none. Looks across every
    organisation; a constant few queries however many receipts are stored."""
    household_id = int(getattr(household, "pk", household))
    linked = linked_households([household_id])[household_id]
    return first_receipt(
        receipts_in_cycle({household_id, *linked}, assistance_type, cycle, programme=programme),
        household_id,
    )


def first_receipt(found: list[Receipt], household_id: int) -> Receipt | None:
    """Of ``found`` (earliest first), the household's own, else the earliest."""
    own = [receipt for receipt in found if receipt.household_id == household_id]
    return (own or found or [None])[0]
