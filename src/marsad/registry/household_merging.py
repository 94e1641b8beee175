"""Merging two registrations of one household, and undoing it (write services; ``services``
re-exports them). Nothing is deleted: the merged household stays, closed, pointing at the kept
one; its still-active members and its source records move to the kept one — and back on undo.

Survivorship rules (which household is kept, and what it keeps), in the spirit of the person
rules of ``merging``:

1. The kept household is the one holding the more trusted registration — ministry register,
   then registration form, field assessment, partner list, distribution list — and, between
   equally trusted ones, the one registered first (``choose_household_survivor``). Linkage's
   automatic step keeps the household holding the records the person rules kept; by hand, the
   user names the household kept, and the household page suggests the households holding the
   survivors of its merged members.
2. Every value the kept household holds stays; an empty field (address, area of origin,
   displacement date, shelter, civil documents or property at origin "unknown", income not
   asked, notes) takes the merged household's value. Where the household lives, its
   organisation, programme, sensitivity and status are the kept household's.
3. The merged household's still-active members move into the kept one: they are its members
   the first registration missed. A household has one head: when both still have an active
   head the merge is refused (merge the two heads' records first if they are one person).
4. The kept household's size becomes the larger of its size and its active members after the
   move.
5. The source records of the merged household point at the kept one: they are registrations
   of it.
6. The merged household is closed and points at the kept one (``merged_into``); its inactive
   members (merged into other records, or left) stay with it. A closed or merged household is
   never merged, nor a household into itself.

Undoing puts back exactly what the merge changed: the filled fields and the size, the members
and source records moved, the merged household's status. A merge is not undone while the kept
household has since been merged into a third: undo that one first. Undoing a *person* merge
(``merging.merge_undo``) whose merged record's household was merged afterwards undoes that
household merge first — it rested on the person merge — then the person merge; both are
audited.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.bulk import update_rows
from marsad.core.models import AuditAction, AuditEntry
from marsad.core.scoping import CHANGE, can
from marsad.registry.merging import BULK_BATCH, SOURCE_TRUST, check_filled
from marsad.registry.models import (
    DocumentationStatus,
    Household,
    HouseholdMerge,
    HouseholdStatus,
    Person,
    PropertyStatus,
    Relationship,
    SourceRecord,
)

#: Rule 2: the fields an empty value of which the merged household fills.
FILLABLE = (
    "address",
    "origin_area",
    "displacement_date",
    "shelter_type",
    "documentation_status",
    "property_status",
    "has_income",
    "notes",
)
#: Values that say "not recorded".
EMPTY = (None, "", DocumentationStatus.UNKNOWN, PropertyStatus.UNKNOWN)
SURVIVOR_FIELDS = [*FILLABLE, "size", "updated_at"]


def _attname(name: str) -> str:
    return Household._meta.get_field(name).attname


def _trust_rank(kinds: set[str]) -> int:
    return min((SOURCE_TRUST.index(kind) for kind in kinds if kind in SOURCE_TRUST), default=9)


def choose_household_survivor(first: Household, second: Household) -> tuple[Household, Household]:
    """(kept, merged) by rule 1."""
    kinds: dict[int, set[str]] = defaultdict(set)
    for household_id, kind in SourceRecord.objects.filter(
        household_id__in=[first.pk, second.pk]
    ).values_list("household_id", "kind"):
        kinds[household_id].add(kind)

    def trust(household: Household) -> tuple[int, Any, int]:
        return _trust_rank(kinds[household.pk]), household.created_at, household.pk

    return (first, second) if trust(first) <= trust(second) else (second, first)


def _snapshot(household: Household) -> dict[str, Any]:
    return {
        name: value
        for name, value in audit.snapshot(household).items()
        if name not in ("created_at", "updated_at")
    }


def _fill(survivor: Household, merged: Household) -> list[str]:
    """Rule 2: what ``survivor`` takes from ``merged``; returns the fields it filled."""
    filled = []
    for name in FILLABLE:
        attname = _attname(name)
        if getattr(survivor, attname) in EMPTY and getattr(merged, attname) not in EMPTY:
            setattr(survivor, attname, getattr(merged, attname))
            filled.append(name)
    return filled


def _refuse_closed(household: Household, numbers: dict[int, str]) -> None:
    if household.merged_into_id is not None:
        raise ValidationError(
            _("Household %(number)s is already merged into household %(survivor)s.")
            % {
                "number": household.registration_number,
                "survivor": numbers.get(household.merged_into_id, household.merged_into_id),
            }
        )
    if household.status == HouseholdStatus.CLOSED:
        raise ValidationError(
            _("Household %(number)s is closed; only open households are merged.")
            % {"number": household.registration_number}
        )


def _check(actor: Any, *households: Household) -> None:
    if actor is None:
        return
    for household in households:
        if not can(actor, CHANGE, household):
            raise PermissionDenied(
                _("You may not change household %(number)s.")
                % {"number": household.registration_number}
            )


def _audit(
    actor: Any,
    action: str,
    household: Household,
    changes: dict[str, Any],
    context: dict[str, Any],
) -> AuditEntry:
    return audit.build(
        actor=actor,
        action=action,
        instance=household,
        organisation_id=household.organisation_id,
        changes=changes,
        context=context,
    )


@transaction.atomic
def household_merge(
    *,
    actor: Any,
    survivor: Household,
    merged: Household,
    reason: str = "",
    review_pair: int | None = None,
) -> HouseholdMerge:
    """Fold household ``merged`` into ``survivor`` by the survivorship rules (see the module).
    Refuses a closed or merged household, a household merged into itself, two active heads,
    and an actor who may not change both households."""
    if survivor.pk == merged.pk:
        raise ValidationError(_("A household cannot be merged with itself."))
    return household_merge_many(
        actor=actor,
        pairs=[(survivor.pk, merged.pk)],
        reason=reason,
        review_pair=review_pair,
    )[merged.pk]


@transaction.atomic
def household_merge_many(
    *,
    actor: Any,
    pairs: Sequence[tuple[int, int]],
    reason: str = "",
    linkage_run: int | None = None,
    review_pair: int | None = None,
) -> dict[int, HouseholdMerge]:
    """Merge each ``(survivor id, merged id)`` pair as :func:`household_merge` would, one after
    the other, in a few queries for all of them: how a linkage run merges thousands of
    households (``linkage_run``: that run's number, and ``review_pair``: the review queue's
    pair that led to the merge, each of which stands for a reason). Returns the
    merge of each household folded, by its id. Refuses the whole call when any pair cannot be
    merged (merge those one by one to learn which)."""
    pairs = [(int(survivor), int(merged)) for survivor, merged in pairs]
    merged_ids = [merged for _survivor, merged in pairs]
    survivor_ids = {survivor for survivor, _merged in pairs}
    if len(merged_ids) != len(set(merged_ids)):
        raise ValidationError(_("A household is merged once."))
    if any(survivor == merged for survivor, merged in pairs):
        raise ValidationError(_("A household cannot be merged with itself."))
    if survivor_ids & set(merged_ids):
        raise ValidationError(
            _("A household is merged into another in the same step as one is merged into it.")
        )
    ids = sorted(survivor_ids | set(merged_ids))
    # Lock in id order, so that two merges touching the same households cannot deadlock.
    households = {
        household.pk: household
        for household in Household.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    for pk in ids:
        if pk not in households:
            raise ValidationError(_("Household %(pk)d does not exist.") % {"pk": pk})
    numbers = dict(
        Household.objects.filter(
            pk__in={h.merged_into_id for h in households.values() if h.merged_into_id}
        ).values_list("pk", "registration_number")
    )
    for household in households.values():
        _refuse_closed(household, numbers)
    _check(actor, *households.values())

    members: dict[int, list[int]] = defaultdict(list)  # merged household → its active members
    heads: dict[int, str] = {}  # household → the name of its active head
    active: dict[int, int] = defaultdict(int)  # survivor → its active members
    for pk, household_id, relationship, *names in (
        Person.objects.filter(household_id__in=ids, is_active=True)
        .order_by("pk")
        .values_list(
            "pk", "household_id", "relationship", "given_name", "father_name", "family_name"
        )
    ):
        if household_id in survivor_ids:
            active[household_id] += 1
        else:
            members[household_id].append(pk)
        if relationship == Relationship.HEAD:
            heads[household_id] = " ".join(name for name in names if name)
    sources: dict[int, list[int]] = defaultdict(list)
    for pk, household_id in (
        SourceRecord.objects.filter(household_id__in=merged_ids)
        .order_by("pk")
        .values_list("pk", "household_id")
    ):
        sources[household_id].append(pk)

    now = timezone.now()
    decided_by = actor if getattr(actor, "is_authenticated", False) else None
    reason = reason[:200]
    planned: list[tuple[HouseholdMerge, dict[str, Any], dict[str, Any]]] = []
    moved_members: list[Person] = []
    moved_sources: list[SourceRecord] = []
    for survivor_id, merged_id in pairs:
        survivor, merged = households[survivor_id], households[merged_id]
        if merged_id in heads and survivor_id in heads:
            raise ValidationError(
                _(
                    "Household %(merged)s still has its own head, %(name)s, and household "
                    "%(survivor)s has one too: merge the two heads' records first if they "
                    "are one person."
                )
                % {
                    "merged": merged.registration_number,
                    "name": heads[merged_id],
                    "survivor": survivor.registration_number,
                }
            )
        if merged_id in heads:
            heads[survivor_id] = heads[merged_id]
        before = _snapshot(survivor)
        filled = _fill(survivor, merged)
        active[survivor_id] += len(members[merged_id])
        size = max(survivor.size, active[survivor_id])
        if size != survivor.size:
            survivor.size = size
            filled.append("size")
        check_filled(survivor, filled)  # one household at a time
        if filled:
            survivor.updated_at = now
        merge = HouseholdMerge(
            survivor=survivor,
            merged=merged,
            survivor_before=before,
            merged_status=merged.status,
            filled_fields=filled,
            moved_members=members[merged_id],
            moved_sources=sources[merged_id],
            reason=reason,
            linkage_run=linkage_run,
            review_pair=review_pair,
            decided_by=decided_by,
        )
        moved_members += [
            Person(pk=pk, household_id=survivor_id, updated_at=now) for pk in members[merged_id]
        ]
        moved_sources += [
            SourceRecord(pk=pk, household_id=survivor_id) for pk in sources[merged_id]
        ]
        merged.status, merged.merged_into, merged.updated_at = HouseholdStatus.CLOSED, survivor, now
        planned.append((merge, before, _snapshot(survivor) if filled else before))

    # A kept household nothing was filled in is unchanged: its row is left alone.
    changed = {merge.survivor_id for merge, _before, _after in planned if merge.filled_fields}
    update_rows([households[pk] for pk in sorted(changed)], SURVIVOR_FIELDS)
    update_rows([households[pk] for pk in merged_ids], ["status", "merged_into", "updated_at"])
    update_rows(moved_members, ["household", "updated_at"])
    update_rows(moved_sources, ["household"])
    merges = [merge for merge, _before, _after in planned]
    HouseholdMerge.objects.bulk_create(merges, batch_size=BULK_BATCH)
    entries = []
    for merge, before, after in planned:
        context = {
            "household_merge": merge.pk,
            "reason": reason,
            **merge.origin(),
            "members": merge.moved_members,
            "sources": merge.moved_sources,
        }
        entries.append(
            _audit(
                actor,
                AuditAction.MERGE,
                merge.survivor,
                {name: [before.get(name), after.get(name)] for name in merge.filled_fields},
                {"merged": merge.merged_id, **context},
            )
        )
        entries.append(
            _audit(
                actor,
                AuditAction.MERGE,
                merge.merged,
                {
                    "status": [merge.merged_status, HouseholdStatus.CLOSED.value],
                    "merged_into": [None, merge.survivor_id],
                },
                {"survivor": merge.survivor_id, **context},
            )
        )
    audit.record_many(entries)
    return {merge.merged_id: merge for merge in merges}


@transaction.atomic
def household_merge_undo(*, actor: Any, merge: HouseholdMerge) -> HouseholdMerge:
    """Put both households back as they were before ``merge`` (see the module)."""
    merge = HouseholdMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    locked = {
        household.pk: household
        for household in Household.objects.select_for_update()
        .filter(pk__in=[merge.survivor_id, merge.merged_id])
        .order_by("pk")
    }
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    if survivor.merged_into_id is not None:
        raise ValidationError(
            _(
                "Household %(number)s was merged into household %(other)s since; undo that "
                "merge first."
            )
            % {
                "number": survivor.registration_number,
                "other": survivor.merged_into.registration_number,
            }
        )
    _check(actor, survivor, merged)
    restore = {
        name: merge.survivor_before[name]
        for name in merge.filled_fields
        if name in merge.survivor_before
    }
    now = timezone.now()
    for name, value in restore.items():
        setattr(survivor, _attname(name), value)
    survivor.full_clean()
    survivor.save()
    Person.objects.filter(pk__in=merge.moved_members).update(household=merged, updated_at=now)
    SourceRecord.objects.filter(pk__in=merge.moved_sources).update(household=merged)
    merged.status = merge.merged_status
    merged.merged_into = None
    merged.full_clean(exclude=["organisation", "programme", "area", "origin_area"])
    merged.save(update_fields=["status", "merged_into", "updated_at"])
    merge.undone_at = now
    merge.undone_by = actor if getattr(actor, "is_authenticated", False) else None
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    context = {
        "household_merge": merge.pk,
        "members": merge.moved_members,
        "sources": merge.moved_sources,
    }
    audit.record_many(
        [
            _audit(
                actor,
                AuditAction.UNMERGE,
                survivor,
                {name: [None, value] for name, value in restore.items()},
                {"merged": merged.pk, **context},
            ),
            _audit(
                actor,
                AuditAction.UNMERGE,
                merged,
                {
                    "status": [HouseholdStatus.CLOSED.value, merged.status],
                    "merged_into": [survivor.pk, None],
                },
                {"survivor": survivor.pk, **context},
            ),
        ]
    )
    return merge


def active_household_merge(household_id: int) -> HouseholdMerge | None:
    """The merge (not undone) that folded household ``household_id``, if any."""
    return (
        HouseholdMerge.objects.filter(merged_id=household_id, undone_at__isnull=True)
        .select_related("survivor", "merged")
        .first()
    )
