"""A background task's result as the task page shows it: each figure under a label in the
reader's language, yes or no for a flag, a list as a list. The API keeps the result as the task
stored it (its keys are the figures' names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

#: What each figure a task stores is called on the page (figures not named here show their
#: stored name, its underscores as spaces).
LABELS = {
    "rows": _("Rows read"),
    "created": _("Created"),
    "updated": _("Updated"),
    "unchanged": _("Unchanged"),
    "missing": _("Not in the file"),
    "ended": _("Ended"),
    "locations_created": _("Locations added"),
    "assessments_created": _("Assessments added"),
    "households_created": _("Households added"),
    "persons_created": _("Persons added"),
    "receipts_created": _("Receipts added"),
    "overrides": _("Overrides"),
    "dry_run": _("Dry run (nothing saved)"),
    "deactivate_missing": _("Entries not in the file ended"),
    "format": _("Format"),
    "encoding": _("Encoding"),
    "filename": _("File"),
    "watchlist": _("Watchlist"),
    "notes": _("Notes"),
    "error_count": _("Errors"),
    "errors": _("Errors found"),
    "plan": _("Distribution plan"),
    "selection": _("Selection"),
    "considered": _("Households considered"),
    "included": _("Households included"),
    "run": _("Linkage run"),
    "status": _("Status"),
    "model": _("Model version"),
    "records": _("Records"),
    "pairs_scored": _("Pairs scored"),
    "auto_linked": _("Pairs linked automatically"),
    "to_review": _("Pairs to review"),
    "seconds": _("Seconds"),
}
#: How a value is shown: a yes or no, a list, or text.
FLAG, LIST, TEXT = "flag", "list", "text"


@dataclass(frozen=True)
class Fact:
    label: str
    kind: str
    value: Any


def result_facts(result: Mapping[str, Any] | None, *, errors_shown: bool = False) -> list[Fact]:
    """The result's figures in the order the task stored them. ``errors_shown``: the page
    already lists the errors (a failed run's message), so they are not listed twice."""
    facts = []
    for key, value in (result or {}).items():
        if key == "errors" and (errors_shown or not value):
            continue
        label = LABELS.get(key) or key.replace("_", " ").capitalize()
        if isinstance(value, bool):
            facts.append(Fact(str(label), FLAG, value))
        elif isinstance(value, list | tuple):
            facts.append(Fact(str(label), LIST, [str(item) for item in value]))
        elif isinstance(value, Mapping):
            # figures by part (a partner list's sections): one line each
            parts = [f"{name}: {item}" for name, item in value.items()]
            facts.append(Fact(str(label), LIST, parts))
        else:
            facts.append(Fact(str(label), TEXT, "—" if value is None else value))
    return facts
