"""Writes of the linkage app: a reviewer's decision on a pair (same person: the records are
merged by the registry's survivorship rules, and a household the merge leaves with no member of
its own is merged into the one its members now live on, as a linkage run does; different;
unsure), changing a decision (a merge it made is undone, and the household merge with it), and
choosing the model in use. Each in one transaction, audited.

Runs of the model over the registry (training, scoring, auto-linking) are in ``runs``."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.models import AuditAction
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, can, has_capability
from marsad.linkage.models import CandidatePair, ModelVersion, PairStatus
from marsad.registry import selectors as registry_selectors
from marsad.registry import services as registry
from marsad.registry.models import Household, Person

DECISIONS = (PairStatus.SAME, PairStatus.DIFFERENT, PairStatus.UNSURE)


def _active(person: Person) -> Person:
    """The record a person lives on as now: itself, or what it was merged into."""
    seen = set()
    while not person.is_active and person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.select_related("household").get(pk=person.merged_into_id)
    return person


def check_reviewer(actor: Any, pair: CandidatePair) -> None:
    if actor is None:
        return
    if not has_capability(actor, Capability.VIEW_PII):
        raise PermissionDenied(_("Your role may not review possible duplicates."))
    for person in (pair.left, pair.right):
        if not can(actor, CHANGE, person.household):
            raise PermissionDenied(
                _("You may not decide on records outside your organisation and areas.")
            )


@transaction.atomic
def pair_decide(*, actor: Any, pair: CandidatePair, decision: str, note: str = "") -> CandidatePair:
    """Record ``decision`` (same / different / unsure) on ``pair``. "Same" merges the two
    records; a later "different" or "unsure" undoes a merge this pair made."""
    if decision not in DECISIONS:
        raise ValidationError(
            {
                "decision": _("Decide same, different or unsure; %(value)s is none of them.")
                % {"value": decision}
            }
        )
    pair = (
        CandidatePair.objects.select_for_update(of=("self",))
        .select_related("left__household", "right__household", "merge")
        .get(pk=pair.pk)
    )
    check_reviewer(actor, pair)
    before = {"status": pair.status, "note": pair.note}
    if pair.merge is not None and pair.merge.undone_at is None and decision != PairStatus.SAME:
        registry.merge_undo(actor=actor, merge=pair.merge)
        pair.merge = None
    if decision == PairStatus.SAME and (pair.merge is None or pair.merge.undone_at is not None):
        left, right = _active(pair.left), _active(pair.right)
        if left.pk != right.pk:
            survivor, merged = registry.choose_survivor(left, right)
            pair.merge = registry.person_merge(
                actor=actor,
                survivor=survivor,
                merged=merged,
                review_pair=pair.pk,
            )
            _merge_emptied_household(actor, merged.household_id, pair)
    pair.status = decision
    pair.note = note[:300]
    pair.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    pair.decided_at = timezone.now()
    pair.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=pair,
        organisation_id=pair.left.household.organisation_id,
        changes={
            key: [before[key], value]
            for key, value in (("status", pair.status), ("note", pair.note))
            if before[key] != value
        },
        context={"left": pair.left_id, "right": pair.right_id},
    )
    return pair


def _merge_emptied_household(actor: Any, household_id: int, pair: CandidatePair) -> None:
    """When the merge left the merged record's household with no active member of its own and
    its members all live on in one other household, that household was registered twice: merge
    it there, as a linkage run merges the households its merges empty. A household the
    registry refuses to merge (say, the reviewer may not change the other household) stays as
    it is, for its page to suggest; the reviewer's decision stands."""
    target = registry_selectors.households_absorbed([household_id]).get(household_id)
    if target is None:
        return
    try:
        with transaction.atomic():
            registry.household_merge(
                actor=actor,
                survivor=Household.objects.get(pk=target),
                merged=Household.objects.get(pk=household_id),
                review_pair=pair.pk,
            )
    except (ValidationError, PermissionDenied):
        return


@transaction.atomic
def model_activate(*, actor: Any, model: ModelVersion) -> ModelVersion:
    """Use ``model`` for matching from now on (one model is in use at a time)."""
    if actor is not None and not has_capability(actor, Capability.CHANGE_REFERENCE):
        raise PermissionDenied(_("Only IM officers and system administrators choose the model."))
    previous = ModelVersion.objects.filter(is_active=True).exclude(pk=model.pk).first()
    ModelVersion.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    model.is_active = True
    model.save(update_fields=["is_active", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=model,
        changes={"is_active": [False, True]},
        context={"previous": previous.version if previous else None},
    )
    return model
