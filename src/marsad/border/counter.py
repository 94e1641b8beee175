"""The counter's glue between the database and the pure MRZ and screening code.

``screening_index`` keeps one in-process ``WatchlistIndex`` of the active entries of the active
watchlists, rebuilt when an entry or a list changes (keyed on their counts and latest
``updated_at``), so the counter screens a traveller in milliseconds instead of rebuilding the
index for every keystroke. ``read_mrz`` reads what the officer typed or scanned, compares it
with the visual-zone fields they typed, and screens the holder: everything the counter screen
shows at once. ``screen_crossing`` screens a recorded crossing's document and raises the hits.
"""

import datetime
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.border import mrz, selectors, services
from marsad.border import screening as engine
from marsad.border.models import Crossing, TravelDocument, Watchlist, WatchlistEntry

VISUAL_FIELDS = (
    "document_number",
    "surname",
    "given_names",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
)

_lock = threading.Lock()
_cached: dict[str, Any] = {"key": None, "index": None}


def _partial(text: str) -> engine.PartialDate | None:
    try:
        return engine.parse_partial_date(text)
    except ValueError:
        return None


def _entry_record(values: Mapping[str, Any]) -> engine.WatchlistEntry:
    return engine.WatchlistEntry(
        entry_id=str(values["entry_id"]),
        names=tuple(values["names"]),
        birth_date=_partial(values.get("birth_date") or ""),
        nationality=values.get("nationality") or "",
        document_numbers=tuple(values.get("document_numbers") or ()),
        reason=values.get("reason") or "",
        action=values.get("action") or engine.DEFAULT_ACTION,
        valid_from=values.get("valid_from"),
        valid_until=values.get("valid_until"),
    )


def traveller_record(values: Mapping[str, Any]) -> engine.Traveller:
    """A screening ``Traveller`` from ``TravelDocument.screening_values()``-shaped values."""
    return engine.Traveller(
        traveller_id=str(values.get("traveller_id") or ""),
        surname=values.get("surname") or "",
        given_names=values.get("given_names") or "",
        birth_date=_partial(values.get("birth_date") or ""),
        nationality=values.get("nationality") or "",
        document_number=values.get("document_number") or "",
    )


def _active_entries() -> Any:
    return WatchlistEntry.objects.filter(is_active=True, watchlist__is_active=True)


def index_key() -> tuple[Any, ...]:
    """What the index is built from, cheaply: any create, edit, (de)activation or deletion of
    an entry or a list changes it."""
    entries = WatchlistEntry.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    lists = Watchlist.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    active = _active_entries().count()
    return (entries["count"], entries["latest"], lists["count"], lists["latest"], active)


def screening_index() -> engine.WatchlistIndex:
    """The index of every entry in force, built once and rebuilt when the lists change."""
    key = index_key()
    with _lock:
        if _cached["key"] != key or _cached["index"] is None:
            entries = [
                _entry_record(entry.screening_values())
                for entry in _active_entries().order_by("pk")
            ]
            _cached["index"] = engine.WatchlistIndex(entries)
            _cached["key"] = key
        return _cached["index"]


def screen(values: Mapping[str, Any], *, on: datetime.date | None = None) -> list[engine.Hit]:
    """The entries in force ``on`` (today) that these traveller values score a hit against."""
    traveller = traveller_record(values)
    if not (traveller.surname or traveller.given_names or traveller.document_number):
        return []
    return screening_index().screen(traveller, on=on or timezone.localdate())


def match_for(hit: engine.Hit) -> services.ScreeningMatch:
    """The engine's hit as ``hits_raise`` stores it: the structure, from which every reader's
    words are put together again (``selectors.explanation_as_read``), and the words in the
    language of the officer who screened. (The entry's version is the hit's
    ``entry_fingerprint``, the same rule: ``screening.records.identity_fingerprint``.)"""
    explanation = {**hit.explanation.as_dict(), "words": hit.explanation.words()}
    return services.ScreeningMatch(
        entry_id=hit.entry_id,
        score=hit.score,
        explanation=explanation,
        algorithm=hit.algorithm,
    )


def screen_crossing(*, actor: Any, crossing: Crossing) -> services.HitsRaised:
    """Screen the document a crossing was recorded on, store the hits and bring the crossing's
    screening outcome up to date."""
    document: TravelDocument = crossing.document
    day = timezone.localtime(crossing.crossed_at).date()
    hits = screen(document.screening_values(), on=day)
    return services.hits_raise(
        actor=actor,
        document=document,
        crossing=crossing,
        matches=[match_for(hit) for hit in hits],
    )


# --- What the counter screen shows ---------------------------------------------------------------


@dataclass
class CheckView:
    name: str
    label: str
    passed: bool | None
    guards: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)
    corrected_value: str | None = None


@dataclass
class HitView:
    entry_id: str
    score: int
    action: str
    action_label: str
    words: str
    listed_name: str | None = None
    reason: str | None = None
    previously_cleared: bool = False


@dataclass
class Reading:
    """Everything the counter shows for one MRZ: fields, checks, problems, differences from
    the typed visual zone, and the screening result."""

    text: str
    result: mrz.MRZResult | None = None
    checks: list[CheckView] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    differences: list[dict[str, Any]] = field(default_factory=list)
    hits: list[HitView] = field(default_factory=list)
    screened: bool = False
    known_document: TravelDocument | None = None

    @property
    def fields(self) -> dict[str, Any] | None:
        if self.result is None or self.result.fields is None:
            return None
        return self.result.fields.as_dict()

    @property
    def valid(self) -> bool:
        return self.result is not None and self.result.valid

    @property
    def format(self) -> str | None:
        return self.result.format if self.result is not None else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "valid": self.valid,
            "fields": self.fields,
            "checks": {check.name: check.passed for check in self.checks},
            "errors": self.errors,
            "warnings": self.warnings,
            "differences": self.differences,
            "hits": [
                {
                    "entry_id": hit.entry_id if hit.reason is not None else None,
                    "score": hit.score,
                    "action": hit.action,
                    "explanation": hit.words,
                    "reason": hit.reason,
                }
                for hit in self.hits
            ],
        }


CHECK_LABELS = {
    "document_number": lambda: _("Document number"),
    "birth_date": lambda: _("Date of birth"),
    "expiry_date": lambda: _("Date of expiry"),
    "optional_data": lambda: _("Personal number / optional data"),
    "composite": lambda: _("Composite"),
}


def _problem_text(problem: mrz.Problem) -> str:
    return problem.message


def document_values(result: mrz.MRZResult) -> dict[str, Any]:
    """The MRZ's fields in ``TravelDocument.screening_values`` form (for screening)."""
    fields = result.fields
    assert fields is not None
    return {
        "traveller_id": "",
        "surname": fields.surname,
        "given_names": fields.given_names,
        "birth_date": fields.birth_date.isoformat() if fields.birth_date else "",
        "nationality": fields.nationality,
        "document_number": fields.document_number,
    }


def _hit_views(user: Any, hits: list[engine.Hit], document: TravelDocument | None) -> list[HitView]:
    if not hits:
        return []
    ids = [int(hit.entry_id) for hit in hits]
    visible = selectors.readable_entries(user, ids)
    entries = WatchlistEntry.objects.in_bulk(ids)
    views = []
    for hit in hits:
        entry = entries.get(int(hit.entry_id))
        if entry is None:
            continue
        seen = visible.get(entry.pk)
        action = engine_action_label(hit.action)
        views.append(
            HitView(
                entry_id=hit.entry_id,
                score=hit.score,
                action=hit.action,
                action_label=action,
                words=selectors.explanation_as_read(
                    hit.explanation, entry_readable=seen is not None
                )["words"],
                listed_name=hit.explanation.listed_name if seen is not None else None,
                reason=(seen.reason or "") if seen is not None else None,
                previously_cleared=document is not None
                and services.cleared_before(document, entry),
            )
        )
    return views


def engine_action_label(action: str) -> str:
    from marsad.border.models import WatchlistAction

    try:
        return str(WatchlistAction(action).label)
    except ValueError:
        return action


def read_mrz(
    user: Any,
    text: str,
    *,
    typed: Mapping[str, Any] | None = None,
    today: datetime.date | None = None,
    screen_holder: bool = True,
) -> Reading:
    """Read ``text`` as an MRZ, compare it with ``typed`` (visual-zone fields, blanks skipped)
    and screen the holder. Nothing is stored."""
    reading = Reading(text=text)
    if not text.strip():
        return reading
    today = today or timezone.localdate()
    result = mrz.parse(text, today=today)
    reading.result = result
    reading.errors = [_problem_text(problem) for problem in result.errors]
    reading.warnings = [_problem_text(problem) for problem in result.warnings]
    for name in mrz.CHECK_NAMES:
        check = (result.checks or {}).get(name)
        if result.checks is None:
            break
        reading.checks.append(
            CheckView(
                name=name,
                label=CHECK_LABELS[name](),
                passed=None if check is None else check.passed,
                guards=[] if check is None else list(check.guards),
                corrections=[]
                if check is None
                else [correction.describe() for correction in check.corrections],
                corrected_value=None if check is None else check.corrected_value,
            )
        )
    if result.fields is None:
        return reading
    typed_values = {
        name: value
        for name, value in (typed or {}).items()
        if name in VISUAL_FIELDS and value not in (None, "")
    }
    if typed_values:
        reading.differences = [
            difference.as_dict() for difference in mrz.compare_visual(result, typed_values)
        ]
    known = selectors.find_documents(
        user, result.fields.document_number, result.fields.issuing_state
    ).first()
    reading.known_document = known
    if screen_holder:
        hits = screen(document_values(result), on=today)
        reading.hits = _hit_views(user, hits, known)
        reading.screened = True
    return reading
