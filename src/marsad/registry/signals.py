"""Signals the registry sends so that apps built on it (record linkage) can act on new records
without the registry importing them.

``persons_registered`` is sent once the transaction that created the persons has committed,
with ``person_ids`` (a list of primary keys) and ``actor`` (the user, or None from the command
line).

``merge_undone`` is sent inside the transaction that undid a merge, with ``merge`` (the
``PersonMerge``, now undone) and ``actor``: what was decided on the strength of that merge can
be reopened in the same transaction."""

from typing import Any

from django.db import transaction
from django.dispatch import Signal

persons_registered = Signal()
merge_undone = Signal()


def announce_registered(*, person_ids: list[int], actor: Any) -> None:
    """Send ``persons_registered`` when the surrounding transaction commits (never for a
    transaction that is rolled back, such as a dry run)."""
    if not person_ids:
        return
    ids = list(person_ids)
    transaction.on_commit(lambda: persons_registered.send(sender=None, person_ids=ids, actor=actor))
