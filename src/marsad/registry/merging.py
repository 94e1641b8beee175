"""Merging two records of one person, and undoing it (write services; ``services`` re-exports
them). Nothing a source sent is deleted: the merged record stays, inactive, pointing at the
kept one, and its source records move to the kept one — and back on undo.

Survivorship rules (which record is kept, and what it keeps):

1. The kept record is the one registered from the more trusted source — ministry register,
   then registration form, field assessment, partner list, distribution list — and, between
   equally trusted ones, the one registered first.
2. Every value the kept record holds stays; an empty field takes the merged record's value.
3. A birth date is replaced when the merged record's is more precise (an exact date beats a
   year, a year beats an estimate).
4. A vulnerability attribute (disability, chronic illness, pregnancy or lactation, separated
   child) holds when either record says so.
5. Identity documents and phones are the union of both records'.

Undoing a merge whose merged record's household was itself merged afterwards (linkage merges a
household left with no active member into the household holding its members' survivors)
undoes that household merge first — the merged record is about to be active again, and an
active member of a closed, merged household would be counted nowhere (``household_merging``).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.bulk import update_rows
from marsad.core.models import AuditAction, AuditEntry
from marsad.core.scoping import CHANGE, can
from marsad.registry.models import (
    DERIVED_NAME_FIELDS,
    NAME_PARTS,
    DatePrecision,
    IdentityDocument,
    Person,
    PersonMerge,
    Phone,
    Sex,
    SourceKind,
    SourceRecord,
)
from marsad.registry.signals import merge_undone

SOURCE_TRUST = [
    SourceKind.MINISTRY,
    SourceKind.REGISTRATION,
    SourceKind.ASSESSMENT,
    SourceKind.PARTNER,
    SourceKind.DISTRIBUTION,
]
PRECISION_RANK = {DatePrecision.DAY: 0, DatePrecision.YEAR: 1, DatePrecision.ESTIMATED: 2}
FLAGS = ("disability", "chronic_illness", "pregnant_or_lactating", "separated_child")
FILLABLE = (*NAME_PARTS, "sex", "marital_status")
DERIVED = DERIVED_NAME_FIELDS
#: What a merge may change on the kept record (rules 2–4, the derived name forms).
SURVIVOR_FIELDS = [
    *FILLABLE,
    "birth_date",
    "birth_date_precision",
    *FLAGS,
    *DERIVED,
    "updated_at",
]
#: Rows written per INSERT or UPDATE by :func:`merge_clusters`.
BULK_BATCH = 500


def _trust(person: Person) -> tuple[int, Any, int]:
    kinds = set(person.source_records.values_list("kind", flat=True))
    rank = min((SOURCE_TRUST.index(kind) for kind in kinds if kind in SOURCE_TRUST), default=9)
    return rank, person.created_at, person.pk


def choose_survivor(first: Person, second: Person) -> tuple[Person, Person]:
    """(kept, merged) by rule 1."""
    return (first, second) if _trust(first) <= _trust(second) else (second, first)


def _snapshot(person: Person) -> dict[str, Any]:
    return {
        name: (value.isoformat() if hasattr(value, "isoformat") else value)
        for name, value in audit.snapshot(person).items()
        if name not in ("created_at", "updated_at")
    }


def _check(actor: Any, *people: Person) -> None:
    if actor is None:
        return
    for person in people:
        if not can(actor, CHANGE, person.household):
            raise PermissionDenied(
                _("You may not change the household of %(name)s.") % {"name": person.full_name}
            )


def _fill(survivor: Person, merged: Person) -> list[str]:
    """Rules 2–4: what ``survivor`` takes from ``merged``; returns the fields it filled."""
    filled = []
    for name in FILLABLE:
        if not getattr(survivor, name) and getattr(merged, name):
            setattr(survivor, name, getattr(merged, name))
            filled.append(name)
    if merged.birth_date and (
        not survivor.birth_date
        or PRECISION_RANK[merged.birth_date_precision]
        < PRECISION_RANK[survivor.birth_date_precision]
    ):
        survivor.birth_date = merged.birth_date
        survivor.birth_date_precision = merged.birth_date_precision
        filled += ["birth_date", "birth_date_precision"]
    for name in FLAGS:
        if getattr(merged, name) and not getattr(survivor, name):
            setattr(survivor, name, True)
            filled.append(name)
    if any(name in NAME_PARTS for name in filled):
        from marsad.registry.services import derive_names

        derive_names(survivor)
    return filled


def _refuse_inactive(person: Person) -> None:
    if not person.is_active:
        raise ValidationError(
            _("%(name)s is no longer active (merged or left the household).")
            % {"name": person.full_name}
        )


def _merge_audit(
    actor: Any,
    survivor: Person,
    merge: PersonMerge,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str,
) -> AuditEntry:
    return audit.build(
        actor=actor,
        action=AuditAction.MERGE,
        instance=survivor,
        organisation_id=survivor.household.organisation_id,
        changes={name: [before.get(name), after.get(name)] for name in merge.filled_fields},
        context={
            "merged": merge.merged_id,
            "merge": merge.pk,
            "reason": reason[:200],
            **merge.origin(),
        },
    )


@transaction.atomic
def person_merge(
    *,
    actor: Any,
    survivor: Person,
    merged: Person,
    reason: str = "",
    review_pair: int | None = None,
) -> PersonMerge:
    """Fold ``merged`` into ``survivor`` by the survivorship rules (see the module).
    ``review_pair``: the review queue's pair a reviewer decided this on, which stands for a
    reason."""
    survivor = Person.objects.select_for_update().get(pk=survivor.pk)
    merged = Person.objects.select_for_update().get(pk=merged.pk)
    if survivor.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    _refuse_inactive(survivor)
    _refuse_inactive(merged)
    _check(actor, survivor, merged)
    before = _snapshot(survivor)
    filled = _fill(survivor, merged)
    survivor.full_clean()
    survivor.save()
    held = {(d.kind, d.number_normalised) for d in survivor.documents.all()}
    copied_documents = [
        IdentityDocument.objects.create(
            person=survivor,
            kind=document.kind,
            number=document.number,
            number_normalised=document.number_normalised,
        ).pk
        for document in merged.documents.all()
        if (document.kind, document.number_normalised) not in held
    ]
    phones = {p.number_normalised for p in survivor.phones.all()}
    copied_phones = [
        Phone.objects.create(
            person=survivor, number=phone.number, number_normalised=phone.number_normalised
        ).pk
        for phone in merged.phones.all()
        if phone.number_normalised not in phones
    ]
    moved = list(merged.source_records.values_list("pk", flat=True))
    SourceRecord.objects.filter(pk__in=moved).update(person=survivor)
    merged.is_active = False
    merged.merged_into = survivor
    merged.save(update_fields=["is_active", "merged_into", "updated_at"])
    merge = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        survivor_before=before,
        filled_fields=filled,
        moved_sources=moved,
        copied_documents=copied_documents,
        copied_phones=copied_phones,
        reason=reason[:200],
        review_pair=review_pair,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _merge_audit(actor, survivor, merge, before, _snapshot(survivor), reason).save()
    return merge


def check_filled(instance: Any, names: Iterable[str]) -> None:
    """Check again, field by field, only the fields a merge filled in ``instance``: their
    values come from another valid record, so there is no foreign key or uniqueness to ask the
    database about, and the fields nothing filled are as valid as they were."""
    names = set(names)
    if not names:
        return
    instance.full_clean(
        exclude=[
            field.name
            for field in type(instance)._meta.fields
            if field.name not in names or field.is_relation
        ],
        validate_unique=False,
        validate_constraints=False,
    )


def _by_person(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows ``(person id, *values)`` grouped by person: each person's ``values``."""
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for person_id, *values in rows:
        grouped[person_id].append(tuple(values))
    return grouped


def _check_constraints(person: Person) -> None:
    """The person's check constraints, in Python (Django asks the database one query each)."""
    if person.sex == Sex.MALE and person.pregnant_or_lactating:
        raise ValidationError(_("Only a woman can be recorded as pregnant or lactating."))


@transaction.atomic
def merge_clusters(
    *,
    actor: Any,
    clusters: Sequence[Iterable[int]],
    reason: str = "",
    linkage_run: int | None = None,
) -> dict[int, PersonMerge]:
    """Merge each cluster of active records into the record rule 1 keeps, exactly as
    :func:`person_merge` would fold them in one by one (in the order of their ids), in a few
    queries for all the clusters: how linkage runs link thousands of clusters (``linkage_run``:
    the number of the run that merges them, which stands for a reason). Returns the
    merge of each record folded, by its id. Refuses, as ``person_merge`` does, the whole call
    when any cluster cannot be merged; merge those one by one to learn which."""
    groups = [sorted(set(cluster)) for cluster in clusters]
    ids = [pk for group in groups for pk in group]
    if len(ids) != len(set(ids)):
        raise ValidationError(_("A record cannot be merged with itself."))
    persons = (
        Person.objects.select_for_update(of=("self",)).select_related("household").in_bulk(ids)
    )
    for pk in ids:
        if pk not in persons:
            raise ValidationError(_("Record %(pk)d does not exist.") % {"pk": pk})
        _refuse_inactive(persons[pk])
    _check(actor, *persons.values())
    # What the rules read of the records' documents, phones and sources, as plain values: a
    # linkage run folds tens of thousands of records, and model instances cost more to build
    # than the rules take to read.
    kinds: dict[int, set[str]] = defaultdict(set)
    sources: dict[int, list[int]] = defaultdict(list)
    for pk, person_id, kind in (
        SourceRecord.objects.filter(person_id__in=ids)
        .order_by("pk")
        .values_list("pk", "person_id", "kind")
    ):
        kinds[person_id].add(kind)
        sources[person_id].append(pk)

    def trust(person: Person) -> tuple[int, Any, int]:
        known = [SOURCE_TRUST.index(kind) for kind in kinds[person.pk] if kind in SOURCE_TRUST]
        return min(known, default=9), person.created_at, person.pk

    documents = _by_person(
        IdentityDocument.objects.filter(person_id__in=ids)
        .order_by("pk")
        .values_list("person_id", "kind", "number", "number_normalised")
    )
    phones = _by_person(
        Phone.objects.filter(person_id__in=ids)
        .order_by("pk")
        .values_list("person_id", "number", "number_normalised")
    )
    now = timezone.now()
    decided_by = actor if getattr(actor, "is_authenticated", False) else None
    survivors, folded, new_documents, new_phones, moved_sources = [], [], [], [], []
    touched: list[Person] = []  # kept records the merges filled nothing in: their time only
    planned: list[tuple[Person, PersonMerge, dict[str, Any], dict[str, Any], list, list]] = []
    for group in groups:
        survivor = min((persons[pk] for pk in group), key=trust)
        held = {(kind, normalised) for kind, _number, normalised in documents[survivor.pk]}
        numbers = {normalised for _number, normalised in phones[survivor.pk]}
        state = _snapshot(survivor)  # the kept record as the next merge finds it
        changed: set[str] = set()
        for pk in group:
            if pk == survivor.pk:
                continue
            merged = persons[pk]
            before = state
            filled = _fill(survivor, merged)
            if filled:
                state = _snapshot(survivor)
                changed.update(filled)
                if changed.intersection(NAME_PARTS):
                    changed.update(DERIVED)  # derived again from the names
            after = state
            copies = []
            for kind, number, normalised in documents[pk]:
                if (kind, normalised) not in held:
                    held.add((kind, normalised))
                    copies.append(
                        IdentityDocument(
                            person=survivor,
                            kind=kind,
                            number=number,
                            number_normalised=normalised,
                        )
                    )
            phone_copies = []
            for number, normalised in phones[pk]:
                if normalised not in numbers:
                    numbers.add(normalised)
                    phone_copies.append(
                        Phone(person=survivor, number=number, number_normalised=normalised)
                    )
            moved = sources[pk]
            moved_sources += [SourceRecord(pk=pk_, person_id=survivor.pk) for pk_ in moved]
            merged.is_active, merged.merged_into, merged.updated_at = False, survivor, now
            folded.append(merged)
            new_documents += copies
            new_phones += phone_copies
            merge = PersonMerge(
                survivor=survivor,
                merged=merged,
                survivor_before=before,
                filled_fields=filled,
                moved_sources=moved,
                reason=reason[:200],
                linkage_run=linkage_run,
                decided_by=decided_by,
            )
            planned.append((survivor, merge, before, after, copies, phone_copies))
        # with the checks across fields the database would make
        check_filled(survivor, changed)
        _check_constraints(survivor)
        survivor.updated_at = now
        (survivors if changed else touched).append(survivor)
    IdentityDocument.objects.bulk_create(new_documents, batch_size=BULK_BATCH)
    Phone.objects.bulk_create(new_phones, batch_size=BULK_BATCH)
    update_rows(survivors, SURVIVOR_FIELDS)
    update_rows(touched, ["updated_at"])
    update_rows(folded, ["is_active", "merged_into", "updated_at"])
    update_rows(moved_sources, ["person"])
    merges = []
    for _survivor, merge, _before, _after, copies, phone_copies in planned:
        merge.copied_documents = [document.pk for document in copies]
        merge.copied_phones = [phone.pk for phone in phone_copies]
        merges.append(merge)
    PersonMerge.objects.bulk_create(merges, batch_size=BULK_BATCH)
    audit.record_many(
        _merge_audit(actor, survivor, merge, before, after, reason)
        for survivor, merge, before, after, _copies, _phone_copies in planned
    )
    return {merge.merged_id: merge for merge in merges}


@transaction.atomic
def merge_undo(*, actor: Any, merge: PersonMerge) -> PersonMerge:
    """Put both records back as they were before ``merge``; when the merged record's
    household has been merged into another since, that household merge is undone first."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    survivor = Person.objects.select_for_update().get(pk=merge.survivor_id)
    merged = Person.objects.select_for_update().get(pk=merge.merged_id)
    if not survivor.is_active:
        raise ValidationError(
            _("%(name)s was merged again since; undo that merge first.")
            % {"name": survivor.full_name}
        )
    _check(actor, survivor, merged)
    from marsad.registry.household_merging import active_household_merge, household_merge_undo

    household_merge = active_household_merge(merged.household_id)
    if household_merge is not None:
        household_merge_undo(actor=actor, merge=household_merge)
    restore = {
        name: merge.survivor_before[name]
        for name in (*merge.filled_fields, *DERIVED)
        if name in merge.survivor_before
    }
    for name, value in restore.items():
        setattr(survivor, name, value)
    survivor.full_clean()
    survivor.save()
    IdentityDocument.objects.filter(pk__in=merge.copied_documents).delete()
    Phone.objects.filter(pk__in=merge.copied_phones).delete()
    SourceRecord.objects.filter(pk__in=merge.moved_sources).update(person=merged)
    merged.is_active = True
    merged.merged_into = None
    merged.save(update_fields=["is_active", "merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "is_authenticated", False) else None
    merge.save(update_fields=["undone_at", "undone_by", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UNMERGE,
        instance=survivor,
        organisation_id=survivor.household.organisation_id,
        changes={name: [None, value] for name, value in restore.items() if name not in DERIVED},
        context={"merged": merged.pk, "merge": merge.pk},
    )
    merge_undone.send(sender=PersonMerge, merge=merge, actor=actor)
    return merge
