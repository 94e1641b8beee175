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
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.models import AuditAction
from marsad.core.scoping import CHANGE, can
from marsad.registry.models import (
    NAME_PARTS,
    DatePrecision,
    IdentityDocument,
    Person,
    PersonMerge,
    Phone,
    SourceKind,
    SourceRecord,
)

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
DERIVED = ("names_normalised", "names_latin", "given_key", "family_key", "search_text")


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


@transaction.atomic
def person_merge(*, actor: Any, survivor: Person, merged: Person, reason: str = "") -> PersonMerge:
    """Fold ``merged`` into ``survivor`` by the survivorship rules (see the module)."""
    survivor = Person.objects.select_for_update().get(pk=survivor.pk)
    merged = Person.objects.select_for_update().get(pk=merged.pk)
    if survivor.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    for person in (survivor, merged):
        if not person.is_active:
            raise ValidationError(
                _("%(name)s is no longer active (merged or left the household).")
                % {"name": person.full_name}
            )
    _check(actor, survivor, merged)
    before = _snapshot(survivor)
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
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.record(
        actor=actor,
        action=AuditAction.MERGE,
        instance=survivor,
        organisation_id=survivor.household.organisation_id,
        changes={name: [before.get(name), _snapshot(survivor).get(name)] for name in filled},
        context={"merged": merged.pk, "merge": merge.pk, "reason": reason[:200]},
    )
    return merge


@transaction.atomic
def merge_undo(*, actor: Any, merge: PersonMerge) -> PersonMerge:
    """Put both records back as they were before ``merge``."""
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
    return merge
