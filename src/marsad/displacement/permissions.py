"""Who counts as a reference-data holder for displacement work (shared by services and
importers, which services import)."""

from typing import Any

from marsad.core.roles import Capability
from marsad.core.scoping import has_capability


def is_reference_holder(actor: Any) -> bool:
    """IM officers and system administrators (and the command line, ``actor=None``)."""
    return actor is None or has_capability(actor, Capability.CHANGE_REFERENCE)
