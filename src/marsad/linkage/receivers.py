"""Record linkage listening to the registry: newly registered persons are matched against the
registry in the background, by the model in use (nothing happens while none is in use).

The registry announces its persons after each commit, one household at a time; an imported
source list makes thousands of announcements in a row. Each announcement adds its persons to
``PendingMatch`` and queues an incremental task only if none is queued and not yet started:
that task takes everyone waiting when it starts, so a list is matched in one or two runs.
"""

from typing import Any

from marsad.linkage.models import ModelVersion, PendingMatch


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
