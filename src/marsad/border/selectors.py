"""Reads of border records, always through the one scoping function: crossing points, where an
officer may record, crossings, travellers, documents, watchlists, hits (the entry, and the
listed person in the explanation, only for those cleared to read it), examination cases; and
the flow statistics: entries and exits by point, day, nationality and purpose, days that stand
out, and overstays.

Who sums what in the statistics: roles that see records sum the crossings their scope shows
them; other holders of VIEW_AGGREGATES (and anyone asking for the public figures) sum every
crossing with cells of fewer than ``settings.MARSAD_SMALL_CELL_THRESHOLD`` crossings suppressed
(``None``), and with them the cells that would give them away: the breakdowns by point, day,
nationality and purpose each add up to the totals, so a hidden cell alone in one of them would
be the total less the rest (``marsad.core.disclosure``; those cells are listed in the row's
``withheld``). A ``user`` of ``None`` is the command line or the system, which sees everything.
Every query is plain aggregation that runs the same on SQLite and PostgreSQL.
"""

import dataclasses
import datetime
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.border.models import (
    POSTED_ROLES,
    BorderCrossingPoint,
    Crossing,
    Direction,
    DocumentExaminationCase,
    HitStatus,
    Purpose,
    ScreeningHit,
    TravelDocument,
    Traveller,
    Watchlist,
    WatchlistEntry,
    assigned_point_ids,
)
from marsad.border.screening import Explanation
from marsad.core import audit
from marsad.core.disclosure import Line, Protection, protect
from marsad.core.models import AuditAction, Sensitivity
from marsad.core.roles import Capability
from marsad.core.scoping import VIEW, has_capability, is_superuser, membership_scopes, scope
from marsad.linkage.normalise import normalise_id

BASELINE_DAYS = 28
BASELINE_WEEKS = 4
DEFAULT_SPREAD = 3.0  # standard deviations above (or below) the baseline mean that stand out


# --- Records -------------------------------------------------------------------------------------


def _scoped(queryset: QuerySet, user: Any) -> QuerySet:
    """``queryset`` as ``user`` may see it; everything for the system (``user=None``)."""
    return queryset if user is None else scope(queryset, user, VIEW)


def points(user: Any, *, active_only: bool = False) -> QuerySet[BorderCrossingPoint]:
    queryset = _scoped(BorderCrossingPoint.objects.all(), user).select_related(
        "governorate", "authority"
    )
    return queryset.filter(is_active=True) if active_only else queryset


def may_record_at(user: Any, point: BorderCrossingPoint) -> bool:
    """Whether ``user`` may record crossings at ``point``: a membership that changes records,
    not narrowed away from the point's governorate, and for a border officer a posting there
    (or at every point)."""
    if user is None or is_superuser(user):
        return True
    for membership in membership_scopes(user):
        caps = membership.capabilities
        if Capability.VIEW_RECORDS not in caps or Capability.CHANGE_RECORDS not in caps:
            continue
        if membership.role in POSTED_ROLES:
            posted = assigned_point_ids(user)
            if posted is not None and point.pk not in posted:
                continue
        if membership.area_paths and not any(
            point.governorate.path.startswith(path) for path in membership.area_paths
        ):
            continue
        return True
    return False


def recordable_points(user: Any) -> QuerySet[BorderCrossingPoint]:
    """The active crossing points where ``user`` may record crossings (the counter's choice)."""
    active = list(points(user, active_only=True))
    return points(user, active_only=True).filter(
        pk__in=[point.pk for point in active if may_record_at(user, point)]
    )


def crossings(user: Any) -> QuerySet[Crossing]:
    return _scoped(Crossing.objects.all(), user).select_related(
        "point", "traveller", "document", "officer"
    )


def _read(user: Any, instance: Any) -> Any:
    """Log the read of a restricted or confidential record (the audit rule)."""
    if user is not None and getattr(instance, "sensitivity", Sensitivity.NORMAL) != (
        Sensitivity.NORMAL
    ):
        audit.record(actor=user, action=AuditAction.READ, instance=instance)
    return instance


def crossing_detail(user: Any, pk: int) -> Crossing:
    return _read(user, crossings(user).get(pk=pk))


def travellers(user: Any) -> QuerySet[Traveller]:
    return _scoped(Traveller.objects.all(), user)


def documents(user: Any) -> QuerySet[TravelDocument]:
    return _scoped(TravelDocument.objects.all(), user).select_related("traveller")


def find_documents(user: Any, number: str, issuing_state: str = "") -> QuerySet[TravelDocument]:
    """The documents in scope with this number (any punctuation or digit script)."""
    found = documents(user).filter(number_normalised=normalise_id(number))
    return found.filter(issuing_state=issuing_state.upper()) if issuing_state else found


def traveller_history(user: Any, traveller: Traveller) -> QuerySet[Crossing]:
    """The traveller's crossings the user may see, newest first."""
    return crossings(user).filter(traveller=traveller).order_by("-crossed_at", "-pk")


def watchlists(user: Any) -> QuerySet[Watchlist]:
    return _scoped(Watchlist.objects.all(), user).select_related("organisation")


def watchlist_entries(user: Any) -> QuerySet[WatchlistEntry]:
    return _scoped(WatchlistEntry.objects.all(), user).select_related("watchlist")


def watchlist_entry_detail(user: Any, pk: int) -> WatchlistEntry:
    return _read(user, watchlist_entries(user).get(pk=pk))


def readable_entries(user: Any, entry_ids: Iterable[int | str]) -> dict[int, WatchlistEntry]:
    """The watchlist entries among ``entry_ids`` that ``user`` may read, by primary key: the
    one rule for who sees a listed person, wherever a hit shows it (the entry beside the hit,
    the names, birth date, nationality and document numbers in its explanation, at the counter
    and in the API). A border officer does not read a confidential list's entries; a border
    supervisor posted at the point does; the system (``None``) reads every entry."""
    return watchlist_entries(user).in_bulk({int(pk) for pk in entry_ids})


def explanation_as_read(
    explanation: Mapping[str, Any] | Explanation, *, entry_readable: bool
) -> dict[str, Any]:
    """A hit's explanation (as stored, or as the screening gave it) for a reader, its ``words``
    put together again in the active language. A reader who may not read the entry
    (``readable_entries``) gets it without the listed person: every listed value withheld,
    ``listed_hidden`` true, and nothing else of what was stored (an explanation stored without
    its structure keeps only its score)."""
    structured: Explanation | None
    if isinstance(explanation, Explanation):
        structured, stored = explanation, explanation.as_dict()
    else:
        stored = dict(explanation)
        try:
            structured = Explanation.from_dict(stored)
        except (KeyError, TypeError, ValueError):
            structured = None
    if entry_readable:
        words = _words(structured, fallback=str(stored.get("words") or ""))
        return {**stored, "listed_hidden": False, "words": words}
    if structured is None:
        return {"score": stored.get("score"), "listed_hidden": True, "words": ""}
    withheld = structured.without_listed()
    return {**withheld.as_dict(), "words": _words(withheld, fallback="")}


def _words(explanation: Explanation | None, *, fallback: str) -> str:
    """The explanation in words; ``fallback`` when there is no structure or it holds a part or
    verdict this version does not word (stored by an earlier screening algorithm)."""
    if explanation is None:
        return fallback
    try:
        return explanation.words()
    except (KeyError, TypeError, ValueError):
        return fallback


def hits(user: Any) -> QuerySet[ScreeningHit]:
    return _scoped(ScreeningHit.objects.all(), user).select_related(
        "crossing", "crossing__point", "document", "document__traveller"
    )


def open_hits(user: Any) -> QuerySet[ScreeningHit]:
    """The supervisor's queue: open hits, highest score first, oldest first among equals."""
    return hits(user).filter(status=HitStatus.OPEN).order_by("-score", "created_at", "pk")


@dataclass(frozen=True)
class HitView:
    """A hit and, only for a reader cleared to see it, the watchlist entry (its reason).
    Everyone who sees the hit sees its score and action, and its explanation as they may
    read it (``explanation_as_read``: without the listed person unless they see the entry)."""

    hit: ScreeningHit
    entry: WatchlistEntry | None

    @property
    def entry_visible(self) -> bool:
        return self.entry is not None

    @cached_property
    def explanation(self) -> dict[str, Any]:
        return explanation_as_read(self.hit.explanation or {}, entry_readable=self.entry_visible)


def hit_views(user: Any, items: Iterable[ScreeningHit]) -> list[HitView]:
    """Hits (already scoped) as ``user`` reads them, their entries looked up at once."""
    items = list(items)
    entries = readable_entries(user, {hit.entry_id for hit in items})
    return [HitView(hit=hit, entry=entries.get(hit.entry_id)) for hit in items]


def hit_detail(user: Any, pk: int) -> HitView:
    hit = _read(user, hits(user).get(pk=pk))
    entry = readable_entries(user, [hit.entry_id]).get(hit.entry_id)
    return HitView(hit=hit, entry=_read(user, entry) if entry is not None else None)


def examinations(user: Any) -> QuerySet[DocumentExaminationCase]:
    return _scoped(DocumentExaminationCase.objects.all(), user).select_related(
        "document", "crossing", "crossing__point", "examiner"
    )


def examination_detail(user: Any, pk: int) -> DocumentExaminationCase:
    return _read(user, examinations(user).get(pk=pk))


# --- Flow statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowVisibility:
    """Which crossings a reader sums and whether small cells are hidden from them."""

    user: Any
    scoped: bool
    suppress: bool
    threshold: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "suppressed": self.suppress,
            "threshold": self.threshold if self.suppress else None,
        }


def flow_visibility(user: Any, *, public: bool = False) -> FlowVisibility:
    """How ``user`` reads flows; ``public`` asks for the aggregate viewers' view. Raises
    PermissionDenied for a user with neither VIEW_RECORDS nor VIEW_AGGREGATES."""
    threshold = settings.MARSAD_SMALL_CELL_THRESHOLD
    if user is None:
        return FlowVisibility(None, scoped=False, suppress=public, threshold=threshold)
    records = has_capability(user, Capability.VIEW_RECORDS)
    if records and not public:
        return FlowVisibility(user, scoped=True, suppress=False, threshold=threshold)
    if records or has_capability(user, Capability.VIEW_AGGREGATES):
        return FlowVisibility(user, scoped=False, suppress=True, threshold=threshold)
    raise PermissionDenied(_("Your role does not give access to border flow figures."))


def _resolve(user: Any, public: bool) -> FlowVisibility:
    return user if isinstance(user, FlowVisibility) else flow_visibility(user, public=public)


def _rows(vis: FlowVisibility) -> QuerySet[Crossing]:
    queryset = Crossing.objects.all()
    return scope(queryset, vis.user, VIEW) if vis.scoped else queryset


def day_bounds(date_from: datetime.date, date_to: datetime.date) -> tuple[Any, Any]:
    """The aware start of ``date_from`` and of the day after ``date_to``, in local time."""
    start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


def _days(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    return [
        date_from + datetime.timedelta(days=offset)
        for offset in range((date_to - date_from).days + 1)
    ]


COUNTS = {
    "entries": Count("pk", filter=Q(direction=Direction.ENTRY)),
    "exits": Count("pk", filter=Q(direction=Direction.EXIT)),
}


def _cell(vis: FlowVisibility, count: int) -> int | None:
    return None if vis.suppress and 0 < count < vis.threshold else count


BREAKDOWNS = {
    "by_point": "point",
    "by_day": "day",
    "by_nationality": "nationality",
    "by_purpose": "purpose",
}


def _protect_flows(
    vis: FlowVisibility, report: dict[str, Any], hidden_above: Iterable[str] = ()
) -> None:
    """Hide, in place, the public's small cells of ``report`` and the cells that would give
    them away: each breakdown adds up to the totals, entries and exits apart. Rows hold raw
    ``entries`` and ``exits`` until then. The totals of a direction in ``hidden_above`` are
    withheld whatever their size (a wider report hides them)."""
    tables = {name: report[name] for name in BREAKDOWNS}
    rows = [("totals", report["totals"])] + [
        ((name, row[key]), row) for name, key in BREAKDOWNS.items() for row in tables[name]
    ]
    if not vis.suppress:
        for _key, row in rows:
            row["net"] = row["entries"] - row["exits"]
        return
    lines = [
        Line("totals", [(name, row[key]) for row in tables[name]])
        for name, key in BREAKDOWNS.items()
    ]
    protections: dict[str, Protection] = {}
    for direction in ("entries", "exits"):
        values = {key: row[direction] for key, row in rows}
        above = {"totals"} if direction in hidden_above else set()
        protections[direction] = protect(values, lines, vis.threshold, withhold=above)
    for key, row in rows:
        withheld = row.setdefault("withheld", [])
        for direction, protection in protections.items():
            if key in protection:
                row[direction] = None
                if key in protection.complements:
                    withheld.append(direction)
        hidden = row["entries"] is None or row["exits"] is None
        row["net"] = None if hidden else row["entries"] - row["exits"]


def _as_date(value: Any) -> datetime.date:
    """TruncDate gives a date on PostgreSQL and may give text on SQLite."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _point_names(ids: Any) -> dict[int, BorderCrossingPoint]:
    return BorderCrossingPoint.objects.in_bulk(sorted({pk for pk in ids if pk is not None}))


@dataclass(frozen=True)
class FlowFilter:
    """What the flow figures are narrowed to besides the dates: a point, a direction
    (``entry``/``exit``), a nationality (ICAO code) and a purpose (``""``: not recorded;
    None: any)."""

    point: BorderCrossingPoint | None = None
    direction: str = ""
    nationality: str = ""
    purpose: str | None = None

    # Each field's "not narrowed" value (a purpose of "" means "not recorded").
    ANY: ClassVar[dict[str, Any]] = {"point": None, "nationality": "", "purpose": None}

    def apply(self, rows: QuerySet[Crossing], *, direction: bool = True) -> QuerySet[Crossing]:
        if self.point is not None:
            rows = rows.filter(point=self.point)
        if direction and self.direction:
            rows = rows.filter(direction=self.direction)
        if self.nationality:
            rows = rows.filter(nationality=self.nationality)
        if self.purpose is not None:
            rows = rows.filter(purpose=self.purpose)
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction or None,
            "nationality": self.nationality or None,
            "purpose": self.purpose,
        }


def _breakdowns(
    vis: FlowVisibility, narrowing: FlowFilter, date_from: datetime.date, date_to: datetime.date
) -> dict[str, Any]:
    """Entries and exits in total and by point, day, nationality and purpose, as counted."""
    start, end = day_bounds(date_from, date_to)
    rows = narrowing.apply(_rows(vis).filter(crossed_at__gte=start, crossed_at__lt=end))
    totals = rows.aggregate(**COUNTS)

    by_point_rows = list(rows.values("point").annotate(**COUNTS).order_by())
    names = _point_names(row["point"] for row in by_point_rows)
    by_point = sorted(
        (
            {
                "point": names[row["point"]].code,
                "name": names[row["point"]].name,
                "kind": names[row["point"]].kind,
                "entries": row["entries"],
                "exits": row["exits"],
                "_total": row["entries"] + row["exits"],
            }
            for row in by_point_rows
        ),
        key=lambda row: (-row["_total"], row["point"]),
    )

    daily = {
        _as_date(row["day"]): row
        for row in rows.annotate(day=TruncDate("crossed_at")).values("day").annotate(**COUNTS)
    }
    by_day = [
        {
            "day": day.isoformat(),
            "entries": daily.get(day, {}).get("entries", 0),
            "exits": daily.get(day, {}).get("exits", 0),
        }
        for day in _days(date_from, date_to)
    ]

    by_nationality = sorted(
        (
            {
                "nationality": row["nationality"],
                "entries": row["entries"],
                "exits": row["exits"],
                "_total": row["entries"] + row["exits"],
            }
            for row in rows.values("nationality").annotate(**COUNTS).order_by()
        ),
        key=lambda row: (-row["_total"], row["nationality"]),
    )
    by_purpose = sorted(
        (
            {
                "purpose": row["purpose"],
                "label": str(Purpose(row["purpose"]).label),
                "entries": row["entries"],
                "exits": row["exits"],
                "_total": row["entries"] + row["exits"],
            }
            for row in rows.values("purpose").annotate(**COUNTS).order_by()
        ),
        key=lambda row: (-row["_total"], row["purpose"]),
    )
    for table in (by_point, by_nationality, by_purpose):
        for row in table:
            del row["_total"]
    return {
        "totals": {"entries": totals["entries"], "exits": totals["exits"]},
        "by_point": by_point,
        "by_day": by_day,
        "by_nationality": by_nationality,
        "by_purpose": by_purpose,
    }


# Each narrowing by one of these is a row of the breakdown without it: (FlowFilter field,
# breakdown, the row's key, the filter's value as that key reads it).
NARROWINGS = (
    ("point", "by_point", "point", lambda value: value.code),
    ("nationality", "by_nationality", "nationality", lambda value: value),
    ("purpose", "by_purpose", "purpose", lambda value: value),
)


def _protected_breakdowns(
    vis: FlowVisibility,
    narrowing: FlowFilter,
    date_from: datetime.date,
    date_to: datetime.date,
    seen: dict[FlowFilter, dict[str, Any]],
) -> dict[str, Any]:
    """``_breakdowns``, protected for the public (``_protect_flows``). Narrowed to a point,
    nationality or purpose, the totals are that row of the breakdown without the narrowing:
    hidden there, they are hidden here too (withheld), or asking for one nationality would show
    the figure its table withholds. Worked out once per narrowing (``seen``)."""
    if narrowing in seen:
        return seen[narrowing]
    figures = _breakdowns(vis, narrowing, date_from, date_to)
    hidden_above: set[str] = set()
    if vis.suppress:
        for attribute, table, key, read in NARROWINGS:
            value = getattr(narrowing, attribute)
            anything = FlowFilter.ANY[attribute]
            if value == anything:
                continue
            wider = dataclasses.replace(narrowing, **{attribute: anything})
            wider = _protected_breakdowns(vis, wider, date_from, date_to, seen)
            for row in wider[table]:
                if row[key] == read(value):
                    hidden_above |= {d for d in ("entries", "exits") if row[d] is None}
    _protect_flows(vis, figures, hidden_above)
    seen[narrowing] = figures
    return figures


def flow_statistics(
    user: Any,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    point: BorderCrossingPoint | None = None,
    direction: str = "",
    nationality: str = "",
    purpose: str | None = None,
    public: bool = False,
    spread: float = DEFAULT_SPREAD,
) -> dict[str, Any]:
    """Entries, exits and net flow (entries − exits) between ``date_from`` and ``date_to``
    (local days, both included), in total and by point, day (every day, zeros included),
    nationality and purpose; the days that stand out (see ``outlier_days``); and the number of
    travellers overstaying on ``date_to`` (see ``overstays``): all of them narrowed to
    ``point``, ``direction``, ``nationality`` and ``purpose`` when given (see ``FlowFilter``).
    Plain dicts, ready for JSON."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    vis = _resolve(user, public)
    narrowing = FlowFilter(point, direction, nationality, purpose)
    figures = _protected_breakdowns(vis, narrowing, date_from, date_to, {})
    by_day = figures["by_day"]
    # An overstay is an entry: a direction asked for narrows only the crossings above.
    overstaying = narrowing.apply(
        _overstays(_rows(vis), as_of=date_to, point=None), direction=False
    ).count()
    report = {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "point": point.code if point is not None else None,
        "filters": narrowing.as_dict(),
        "visibility": vis.as_dict(),
        **figures,
        "outliers": outlier_days(
            vis, date_from=date_from, date_to=date_to, narrowing=narrowing, spread=spread
        ),
        "overstays": _cell(vis, overstaying),
    }
    # A day that stands out at a point is part of that day's figure: where the day's figure is
    # hidden, so is the point's (it may be all of it).
    hidden_days = {
        (row["day"], direction)
        for row in by_day
        for direction in ("entries", "exits")
        if row[direction] is None
    }
    for row in report["outliers"]:
        direction = "entries" if row["direction"] == Direction.ENTRY else "exits"
        if (row["day"], direction) in hidden_days and row["count"] is not None:
            row["count"] = None
            row["withheld"] = ["count"]
    return report


def _baseline(values: list[int], spread: float) -> dict[str, float]:
    """Mean, sample standard deviation and the band outside which a day stands out. The
    deviation used for the band is at least √mean and at least 1, so that a quiet point's
    handful of crossings, or a perfectly steady baseline, does not make every change an
    outlier."""
    mean = statistics.fmean(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    width = spread * max(sd, math.sqrt(mean), 1.0)
    return {
        "mean": round(mean, 2),
        "sd": round(sd, 2),
        "high": round(mean + width, 2),
        "low": round(mean - width, 2),
    }


def outlier_days(
    user: Any,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    point: BorderCrossingPoint | None = None,
    narrowing: FlowFilter | None = None,
    public: bool = False,
    spread: float = DEFAULT_SPREAD,
) -> list[dict[str, Any]]:
    """The days between ``date_from`` and ``date_to`` on which a point's entries or exits stand
    out against the previous four weeks: above (``high``) or below (``low``) the mean by more
    than ``spread`` standard deviations of either the previous 28 days or the same weekday of
    the previous 4 weeks (days without crossings count as 0; see ``_baseline`` for the floor
    on the deviation). One row per point, direction and day, with each baseline that flagged
    it; ordered by day, point, direction. ``narrowing`` (or ``point`` alone) limits the
    crossings counted, e.g. to one nationality's pilgrims."""
    vis = _resolve(user, public)
    narrowing = narrowing or FlowFilter(point)
    start, end = day_bounds(date_from - datetime.timedelta(days=BASELINE_DAYS), date_to)
    rows = narrowing.apply(_rows(vis).filter(crossed_at__gte=start, crossed_at__lt=end))
    series: dict[tuple[int, str], dict[datetime.date, int]] = defaultdict(dict)
    for row in (
        rows.annotate(day=TruncDate("crossed_at"))
        .values("point", "direction", "day")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        series[(row["point"], row["direction"])][_as_date(row["day"])] = row["count"]
    names = _point_names(point_id for point_id, _direction in series)
    found = []
    for (point_id, direction), counts in series.items():
        for day in _days(date_from, date_to):
            count = counts.get(day, 0)
            baselines = {
                "previous_28_days": [
                    counts.get(day - datetime.timedelta(days=back), 0)
                    for back in range(1, BASELINE_DAYS + 1)
                ],
                "same_weekday": [
                    counts.get(day - datetime.timedelta(weeks=back), 0)
                    for back in range(1, BASELINE_WEEKS + 1)
                ],
            }
            flagged = []
            kind = None
            for name, values in baselines.items():
                band = _baseline(values, spread)
                if count > band["high"]:
                    flagged.append({"baseline": name, **band})
                    kind = kind or "high"
                elif count < band["low"]:
                    flagged.append({"baseline": name, **band})
                    kind = kind or "low"
            if flagged:
                found.append(
                    {
                        "day": day.isoformat(),
                        "point": names[point_id].code,
                        "name": names[point_id].name,
                        "direction": direction,
                        "count": _cell(vis, count),
                        "kind": kind,
                        "baselines": flagged,
                    }
                )
    return sorted(found, key=lambda row: (row["day"], row["point"], row["direction"]))


def _overstays(
    rows: QuerySet[Crossing], *, as_of: datetime.date, point: BorderCrossingPoint | None
) -> QuerySet[Crossing]:
    _start, end = day_bounds(as_of, as_of)
    # Any later crossing counts, wherever it was recorded and whoever may see it: an exit at
    # another point ends the stay even for an officer who cannot see that point's records.
    later = Crossing.objects.filter(
        traveller=OuterRef("traveller"),
        crossed_at__gt=OuterRef("crossed_at"),
        crossed_at__lt=end,
    )
    found = rows.filter(
        direction=Direction.ENTRY, permit_expiry__lt=as_of, crossed_at__lt=end
    ).filter(~Exists(later))
    return found.filter(point=point) if point is not None else found


def overstays(
    user: Any,
    *,
    as_of: datetime.date,
    point: BorderCrossingPoint | None = None,
    nationality: str = "",
    purpose: str | None = None,
) -> QuerySet[Crossing]:
    """Entries whose visa or permit ended before ``as_of`` and after which the traveller was
    not recorded crossing again (no exit) up to ``as_of``: one row per overstaying traveller,
    longest overstay first; narrowed to a point, nationality and purpose when given. Records
    only: aggregate viewers get the count in ``flow_statistics``."""
    narrowing = FlowFilter(point, "", nationality, purpose)
    return (
        narrowing.apply(_overstays(crossings(user), as_of=as_of, point=None))
        .select_related("traveller", "document", "point")
        .order_by("permit_expiry", "pk")
    )


def overstay_days(crossing: Crossing, as_of: datetime.date) -> int:
    """How many days past the end of the permitted stay ``as_of`` is."""
    return (as_of - crossing.permit_expiry).days if crossing.permit_expiry else 0
