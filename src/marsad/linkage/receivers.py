"""Record linkage listening to the registry: newly registered persons are matched against the
registry in the background, by the model in use (nothing happens while none is in use).

The registry announces its persons after each commit, one household at a time; an imported
source list makes thousands of announcements in a row. Each announcement adds its persons to
``PendingMatch`` and queues an incremental task only if none is queued and not yet started:
that task takes everyone waiting when it starts, so a list is matched in one or two runs.

When a merge is undone by hand (the Undo on the household page), the pairs that merge stood
for — decided "same" by a reviewer or linked automatically — go back to the review queue: the
records are two again, and neither label nor model may join them without a new decision.
"""

from typing import Any

from django.utils import timezone

from marsad.core import audit
from marsad.core.models import AuditAction
from marsad.linkage.models import CandidatePair, ModelVersion, PairStatus, PendingMatch


def match_registered(
    sender: Any, *, person_ids: list[int], actor: Any = None, **kwargs: Any
) -> None:
    """``registry.signals.persons_registered``: queue the new persons for matching."""
    if not person_ids or not ModelVersion.objects.filter(is_active=True).exists():
        return
    from marsad.linkage import tasks

    PendingMatch.objects.bulk_create(
        [PendingMatch(person_id=pk) for pk in person_ids], ignore_conflicts=True
    )
    if not tasks.incremental_waiting():
        tasks.incremental_start(actor=actor)


def reopen_pairs(sender: Any, *, merge: Any, actor: Any = None, **kwargs: Any) -> None:
    """``registry.signals.merge_undone``: the pairs joined by ``merge`` wait for review again."""
    pairs = list(
        CandidatePair.objects.select_for_update(of=("self",))
        .select_related("left__household")
        .filter(merge=merge, status__in=[PairStatus.SAME, PairStatus.AUTO_LINKED])
    )
    now = timezone.now()
    entries = []
    for pair in pairs:
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=pair,
                organisation_id=pair.left.household.organisation_id,
                changes={"status": [pair.status, PairStatus.REVIEW]},
                context={"merge_undone": merge.pk},
            )
        )
        pair.status, pair.updated_at = PairStatus.REVIEW, now
    CandidatePair.objects.bulk_update(pairs, ["status", "updated_at"])
    audit.record_many(entries)
