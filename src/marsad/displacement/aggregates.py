"""Displacement figures summed in the database: totals, by area, trend, flows, shelter, needs,
intentions and the master list, each as plain dicts and lists ready for JSON, CSV and charts.

Who sees what: roles with VIEW_RECORDS sum the assessments their scope shows them, whatever the
status; every other holder of VIEW_AGGREGATES (and anyone asking for the public figures) sums
only published assessments of published rounds, with cells of fewer families than
``settings.MARSAD_SMALL_CELL_THRESHOLD`` suppressed (``None``; the individuals of the cell too).
A ``user`` of ``None`` is the command line or the system, which sees every assessment.

A small cell alone is not enough: a governorate's families less its visible districts would
give the hidden district. So hiding is complementary (``marsad.core.disclosure``): over the
area hierarchy of a round (country, governorate, district, sub-district, location, and the
master list's population rows) computed whole, whatever the filter, so totals, every level of
``by_area`` and the master list hide the same cells; within the flows table (an origin or
area asked for alone hiding what the whole table hides); and across the shelter tables of the
country and its governorates, taken as one governorate × category table. A cell hidden to
protect another is listed in its row's ``withheld`` (its figure is not small; the exports mark
it apart).
"""

import builtins
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Expression,
    F,
    Model,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.core.disclosure import Line, Protection, is_small, protect
from marsad.core.localise import localised
from marsad.core.roles import Capability
from marsad.core.scoping import VIEW, has_capability, scope
from marsad.displacement.models import (
    SHELTER_GROUPS,
    AssessmentRound,
    AssessmentStatus,
    AssessmentTotals,
    Intention,
    IntentionChoice,
    LocationAssessment,
    PopulationGroup,
    PopulationType,
    RoundStatus,
    Sector,
    SectorNeed,
    ShelterCategory,
)
from marsad.geo.models import AdminArea, AreaLevel

LEVELS = ("governorate", "district", "location")
POPULATION_TYPES = [PopulationType.IDP, PopulationType.RETURNEE, PopulationType.HOST]
# The (families, individuals) pairs of a by-area row; each pair is one suppressible cell.
POPULATION_CELLS = [(f"{t}_families", f"{t}_individuals") for t in POPULATION_TYPES]
# Position of a level's P-code in AdminArea.path ("IQ/IQG08/IQG08Q03/.../"), counting from 1.
PATH_POSITION = {"governorate": 2, "district": 3}
NOT_RECORDED = "not_recorded"
# In a row: the cells hidden to protect a small cell elsewhere, not for being small themselves.
WITHHELD = "withheld"
# Keys of the area hierarchy's cells besides (area P-code, population type).
EVERYWHERE, GROUP = "*", "group"
DISTRICT_DEPTH = PATH_POSITION["district"]  # country 1, governorate 2, district 3
ALL_LEVELS = 99  # a depth below every area


@dataclass(frozen=True)
class Visibility:
    """Which assessments a reader sums and whether small cells are hidden from them."""

    user: Any
    published_only: bool
    suppress: bool
    threshold: int
    # Each round's protections (of the area hierarchy to a depth, of the shelter table), worked
    # out once for everything read with this visibility (one request, one export): the
    # dashboard reads them for half a dozen tables.
    protections: dict[tuple[Any, ...], Protection] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def as_dict(self) -> dict[str, Any]:
        return {
            "published_only": self.published_only,
            "suppressed": self.suppress,
            "threshold": self.threshold if self.suppress else None,
        }


def visibility(user: Any, *, public: bool = False) -> Visibility:
    """How ``user`` reads displacement figures; ``public`` asks for the aggregate viewers' view.

    Raises PermissionDenied for a user with neither VIEW_RECORDS nor VIEW_AGGREGATES.
    """
    threshold = settings.MARSAD_SMALL_CELL_THRESHOLD
    if user is None:
        return Visibility(None, published_only=public, suppress=public, threshold=threshold)
    records = has_capability(user, Capability.VIEW_RECORDS)
    if records and not public:
        return Visibility(user, published_only=False, suppress=False, threshold=threshold)
    if records or has_capability(user, Capability.VIEW_AGGREGATES):
        return Visibility(user, published_only=True, suppress=True, threshold=threshold)
    raise PermissionDenied(_("Your role does not give access to displacement figures."))


def _resolve(user: Any, public: bool) -> Visibility:
    return user if isinstance(user, Visibility) else visibility(user, public=public)


def _rows(model: type[Model], vis: Visibility, prefix: str = "assessment__") -> QuerySet:
    """The rows of ``model`` the reader sums: published ones, or those in the reader's scope."""
    queryset = model._default_manager.all()
    if vis.published_only:
        return queryset.filter(
            **{
                f"{prefix}status": AssessmentStatus.PUBLISHED,
                f"{prefix}round__status": RoundStatus.PUBLISHED,
            }
        )
    return queryset if vis.user is None else scope(queryset, vis.user, VIEW)


def rounds(*, user: Any, public: bool = False) -> QuerySet[AssessmentRound]:
    """The rounds a reader may choose, newest first: published ones for aggregate viewers."""
    vis = _resolve(user, public)
    queryset = AssessmentRound.objects.order_by("-number")
    if vis.published_only:
        queryset = queryset.filter(status=RoundStatus.PUBLISHED)
    return queryset


def previous_round(
    round: AssessmentRound, *, user: Any, public: bool = False
) -> AssessmentRound | None:
    """The visible round with the highest number below ``round``'s."""
    return rounds(user=user, public=public).filter(number__lt=round.number).first()


def path_segment(path_field: str, position: int) -> Expression:
    """The ``position``-th P-code of a path column, computed in SQL (SQLite and PostgreSQL)."""
    expression: Any = F(path_field)
    for _skip in range(position - 1):
        expression = Substr(expression, StrIndex(expression, Value("/")) + 1)
    return Substr(expression, 1, StrIndex(expression, Value("/")) - 1)


def area_pcode_at(area_field: str, level: str) -> Expression:
    """The P-code of the ``level`` area (governorate, district) containing ``area_field``'s area;
    None for an area above that level (the country, or a governorate asked for its district)."""
    if level == "location":
        return F(f"{area_field}__pcode")
    position = PATH_POSITION[level]
    return Case(
        When(
            **{f"{area_field}__level__gte": position - 1},
            then=path_segment(f"{area_field}__path", position),
        ),
        default=Value(None),
        output_field=CharField(),
    )


def _areas_by_pcode(pcodes: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    wanted = sorted({pcode for pcode in pcodes if pcode})
    rows = AdminArea.objects.filter(pcode__in=wanted).values(
        "pcode", "level", "name_en", "name_ar", "name_ku", "latitude", "longitude"
    )
    return {
        row["pcode"]: {
            **row,
            "name": localised(row["name_en"], row["name_ar"], row["name_ku"]),
            "latitude": None if row["latitude"] is None else float(row["latitude"]),
            "longitude": None if row["longitude"] is None else float(row["longitude"]),
        }
        for row in rows
    }


def _name(areas: dict[str, dict[str, Any]], pcode: str | None) -> str:
    return areas[pcode]["name"] if pcode in areas else (pcode or "")


def _population_sums() -> dict[str, Any]:
    sums: dict[str, Any] = {}
    for population_type in POPULATION_TYPES:
        only = Q(population_type=population_type)
        sums[f"{population_type}_families"] = Coalesce(Sum("families", filter=only), 0)
        sums[f"{population_type}_individuals"] = Coalesce(Sum("individuals", filter=only), 0)
        sums[f"{population_type}_locations"] = Count("assessment", filter=only, distinct=True)
    return sums


def _is_small(vis: Visibility, families: int | None) -> bool:
    return vis.suppress and is_small(families, vis.threshold)


def suppress_cells(row: dict[str, Any], vis: Visibility, cells: list[tuple[str, str]]) -> None:
    """Blank each (families, individuals) cell of ``row`` with too few families, in place."""
    for families, individuals in cells:
        if _is_small(vis, row.get(families)):
            row[families] = None
            row[individuals] = None


def hide_cells(
    row: dict[str, Any],
    protection: Protection | None,
    cells: Iterable[tuple[Hashable, str, str]],
) -> None:
    """Blank each (key, families, individuals) cell of ``row`` that ``protection`` hides, in
    place, listing those hidden as complements in ``row[WITHHELD]``."""
    if protection is None:
        return
    withheld = row.setdefault(WITHHELD, [])
    for key, families, individuals in cells:
        if key in protection:
            row[families] = row[individuals] = None
            if key in protection.complements:
                withheld += [families, individuals]


def area_protection(
    vis: Visibility, round: AssessmentRound, *, depth: int = 0
) -> Protection | None:
    """The cells of ``round``'s area hierarchy the reader may not see (None when nothing is
    hidden from them): keys ``(P-code, population type)`` for every area with assessed
    populations and ``(EVERYWHERE, population type)`` for the whole round. Computed over the
    whole round, so every filter hides the same cells (the master list's population rows below
    their location: ``_group_protection``).

    ``depth`` (levels below the country: 2 a governorate, 3 a district) asks only for the
    cells down to that level, which are hidden exactly as in the whole hierarchy (see
    ``protect_hierarchy``) and are read from far fewer rows."""
    if not vis.suppress:
        return None
    key = (round.pk, depth or ALL_LEVELS)
    if key not in vis.protections:
        cut = _cut_protections(vis, depth or ALL_LEVELS, round=round)
        vis.protections[key] = cut.get(round.pk) or protect({}, [], vis.threshold)
    return vis.protections[key]


def _held(figures: list[int], types: int) -> list[int | None]:
    """Each population type's families, None for a type of which there are no rows."""
    return [
        count if held else None
        for count, held in zip(figures[:types], figures[types:], strict=True)
    ]


def _group_protection(
    vis: Visibility, round: AssessmentRound, rows: Iterable[tuple[Hashable, str, str, int]]
) -> Protection | None:
    """The master list's population rows to hide: each location's rows of a population type
    add up to the location's figure, hidden or shown as the area hierarchy has it. ``rows``
    are (row key, location P-code, population type, families) and hold every row of the
    locations and types they name (filters select whole locations).

    Only the locations with something hidden (their figure, or a row too small) are handed to
    ``protect``: each row is summed by its location's line alone, so in any other line nothing
    is hidden or ever will be (a shown location is never a complement). A page of thousands of
    rows then works on a few hundred."""
    protection = area_protection(vis, round)
    if protection is None:
        return None
    threshold = vis.threshold
    by_location: dict[Hashable, list[tuple[Hashable, int]]] = defaultdict(list)
    for key, pcode, population_type, families in rows:
        by_location[(pcode, population_type)].append((key, families))
    values: dict[Hashable, int] = {}
    lines: list[Line] = []
    shown, hidden = set(), set()
    for location, members in by_location.items():
        total = sum(families for _key, families in members)
        held = location in protection
        if not (
            held
            or is_small(total, threshold)
            or any(is_small(families, threshold) for _key, families in members)
        ):
            continue
        cells = [(GROUP, key) for key, _families in members]
        values.update(zip(cells, (families for _key, families in members), strict=True))
        values[location] = total
        lines.append(Line(location, cells))
        (hidden if held else shown).add(location)
    return protect(values, lines, threshold, fixed=shown, hidden_elsewhere=hidden)


def _depth(area: AdminArea | None) -> int:
    """Levels from the country down to ``area`` (the country 1, a governorate 2); 1 for none."""
    return 1 if area is None else area.path.strip("/").count("/") + 1


def _cut_protections(
    vis: Visibility, depth: int, round: AssessmentRound | None = None
) -> dict[int, Protection]:
    """Each round's protection (or ``round``'s) down to ``depth``, from the assessments'
    totals. Down to a district, the database sums each round by the locations' parent (a
    district or sub-district, whose path names the governorate and district; a location right
    under a governorate stands for itself): a few thousand rows for 40 rounds, where grouping
    by P-codes cut from the paths costs three times as much. Below, one row per assessment."""
    columns = [f"{kind}_families" for kind in POPULATION_TYPES]
    published = _rows(AssessmentTotals, vis, prefix="")
    if round is not None:
        published = published.filter(round=round)
    if depth <= DISTRICT_DEPTH:
        place = Case(
            When(area__parent__level__gte=AreaLevel.DISTRICT, then=F("area__parent")),
            default=F("area"),
        )
        read = list(
            published.annotate(place=place)
            .values("round", "place")
            .annotate(**{column: Sum(column) for column in columns})
            .order_by("round", "place")
            .values_list("round", "place", *columns)
        )
        paths = dict(
            AdminArea.objects.filter(pk__in={row[1] for row in read}).values_list("pk", "path")
        )
        by_place = ((round_id, paths[pk], families) for round_id, pk, *families in read)
    else:
        # One row per assessment; a population type it has no rows of is no cell (as in the
        # master list), where the sums above may hold a zero (never chosen: see ``protect``).
        groups = [f"{kind}_groups" for kind in POPULATION_TYPES]
        read = published.order_by("pk").values_list("round", "area__path", *columns, *groups)
        by_place = (
            (round_id, path, _held(figures, len(columns))) for round_id, path, *figures in read
        )
    rows: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    for round_id, path, families in by_place:
        for kind, count in zip(POPULATION_TYPES, families, strict=True):
            if count is not None:
                rows[round_id].append((str(kind), count, path))
    return {
        round_id: protect_hierarchy(each, vis.threshold, depth=depth)
        for round_id, each in rows.items()
    }


def protect_hierarchy(
    rows: Iterable[tuple[str, int, str]], threshold: int, *, depth: int = 0
) -> Protection:
    """Protect the sums of ``rows`` — (population type, families, area path) — over the areas
    of their paths, cut at ``depth`` levels below the country when given.

    A cell is hidden only for being small or as a complement in the line that sums it with its
    siblings, never for the lines below it (their totals are consistent), so the cells above
    the cut are hidden exactly as in the whole hierarchy (the tests check it): the trend needs
    only the levels down to the area it is asked for."""
    values: dict[Hashable, int] = defaultdict(int)
    children: dict[Hashable, dict[Hashable, None]] = defaultdict(dict)  # ordered sets
    depths: dict[Hashable, int] = {}
    for population_type, families, path in rows:
        parent: Hashable = (EVERYWHERE, population_type)
        values[parent] += families
        depths[parent] = 0
        pcodes = path.strip("/").split("/")
        for level, pcode in enumerate(pcodes[:depth] if depth else pcodes, start=1):
            node = (pcode, population_type)
            children[parent][node] = None
            values[node] += families
            depths[node] = level
            parent = node
    # Top lines first; within a level, in the order the rows came (sorted stably).
    lines = sorted(
        (Line(total, list(cells)) for total, cells in children.items()),
        key=lambda line: depths[line.total],
    )
    return protect(values, lines, threshold)


def _table_protection(
    vis: Visibility,
    values: dict[Hashable, int],
    lines: list[Line],
    published: dict[Hashable, Hashable],
    round: AssessmentRound,
    depth: int,
    also: Iterable[Hashable] = (),
) -> Protection:
    """Protect a table whose ``published`` totals are cells of the area hierarchy (by key in
    the table → key in the hierarchy): those the hierarchy shows are never complements here,
    those it hides count as hidden from the start. Cells in ``also`` are hidden as
    complements (when not small) whatever the lines say."""
    withheld_there = area_protection(vis, round, depth=depth) or protect({}, [], vis.threshold)
    elsewhere = {key for key, there in published.items() if there in withheld_there}
    return protect(
        values,
        lines,
        vis.threshold,
        fixed=published,
        hidden_elsewhere=elsewhere,
        withhold=also,
    )


def _subtract(current: int | None, previous: int | None) -> int | None:
    return None if current is None or previous is None else current - previous


def _filtered(
    queryset: QuerySet,
    *,
    round: AssessmentRound | None = None,
    area: AdminArea | None = None,
    population_type: str | None = None,
    prefix: str = "assessment__",
) -> QuerySet:
    if round is not None:
        queryset = queryset.filter(**{f"{prefix}round": round})
    if area is not None:
        queryset = queryset.filter(**{f"{prefix}area__path__startswith": area.path})
    if population_type:
        queryset = queryset.filter(population_type=population_type)
    return queryset


def round_summary(round: AssessmentRound | None) -> dict[str, Any] | None:
    if round is None:
        return None
    return {
        "number": round.number,
        "kind": round.kind,
        "status": round.status,
        "period_start": round.period_start.isoformat(),
        "period_end": round.period_end.isoformat(),
    }


def totals(
    *,
    user: Any,
    round: AssessmentRound,
    area: AdminArea | None = None,
    population_type: str | None = None,
    public: bool = False,
) -> dict[str, Any]:
    """Families, individuals and locations by population type in ``round``, with the change
    since the previous round (by number) for the same area and population type."""
    vis = _resolve(user, public)
    before = previous_round(round, user=vis)

    def sums(which: AssessmentRound) -> dict[str, Any]:
        rows = _filtered(
            _rows(PopulationGroup, vis), round=which, area=area, population_type=population_type
        )
        result = rows.aggregate(**_population_sums(), locations=Count("assessment", distinct=True))
        node = area.pcode if area is not None else EVERYWHERE
        hide_cells(result, area_protection(vis, which, depth=_depth(area)), _population_keys(node))
        return result

    now = sums(round)
    then = sums(before) if before is not None else None
    populations = {}
    for population_type_value in POPULATION_TYPES:
        families = f"{population_type_value}_families"
        individuals = f"{population_type_value}_individuals"
        populations[str(population_type_value)] = {
            "label": str(PopulationType(population_type_value).label),
            "families": now[families],
            "individuals": now[individuals],
            "locations": now[f"{population_type_value}_locations"],
            "change_families": _subtract(now[families], then[families]) if then else None,
            "change_individuals": (
                _subtract(now[individuals], then[individuals]) if then else None
            ),
        }
        if WITHHELD in now:
            populations[str(population_type_value)][WITHHELD] = [
                name
                for name, key in (("families", families), ("individuals", individuals))
                if key in now[WITHHELD]
            ]
    return {
        "round": round_summary(round),
        "previous_round": round_summary(before),
        "area": area.pcode if area is not None else None,
        "population_type": population_type or None,
        "locations": now["locations"],
        "populations": populations,
        "suppression": vis.as_dict(),
    }


def by_area(
    *,
    user: Any,
    round: AssessmentRound,
    level: str,
    population_type: str | None = None,
    area: AdminArea | None = None,
    public: bool = False,
) -> list[dict[str, Any]]:
    """One row per governorate, district or location with assessed populations in ``round``:
    its P-code, names, coordinates (the area's, else the mean of its assessed locations'),
    the number of locations and families/individuals by population type."""
    if level not in LEVELS:
        raise ValueError(f"Unknown level {level!r}; use one of {', '.join(LEVELS)}.")
    vis = _resolve(user, public)
    keys = {"governorate_pcode": area_pcode_at("assessment__area", "governorate")}
    if level in ("district", "location"):
        keys["district_pcode"] = area_pcode_at("assessment__area", "district")
    if level == "location":
        keys["location_pcode"] = F("assessment__area__pcode")
    rows = list(
        _filtered(
            _rows(PopulationGroup, vis), round=round, area=area, population_type=population_type
        )
        .annotate(**keys)
        .values(*keys)
        .annotate(
            **_population_sums(),
            locations=Count("assessment", distinct=True),
            mean_latitude=Avg("assessment__area__latitude"),
            mean_longitude=Avg("assessment__area__longitude"),
        )
        .order_by(*keys)
    )
    names = _areas_by_pcode(pcode for row in rows for pcode in (row.get(k) for k in keys))
    # Down to a district, the cut hierarchy gives the same cells from fewer rows.
    depth = {"governorate": PATH_POSITION["governorate"], "district": DISTRICT_DEPTH}
    protection = area_protection(vis, round, depth=depth.get(level, 0))
    result = []
    for row in rows:
        pcode = row[f"{level}_pcode"]
        if not pcode:
            continue
        place = names.get(pcode, {})
        latitude = place.get("latitude")
        longitude = place.get("longitude")
        if latitude is None or longitude is None:
            latitude = None if row["mean_latitude"] is None else float(row["mean_latitude"])
            longitude = None if row["mean_longitude"] is None else float(row["mean_longitude"])
        item = {
            "level": level,
            "pcode": pcode,
            "name": _name(names, pcode),
            "name_en": place.get("name_en", pcode),
            "name_ar": place.get("name_ar", ""),
            "latitude": latitude,
            "longitude": longitude,
            "governorate_pcode": row["governorate_pcode"],
            "governorate_name": _name(names, row["governorate_pcode"]),
            "governorate_name_en": names.get(row["governorate_pcode"], {}).get("name_en", ""),
            "district_pcode": row.get("district_pcode"),
            "district_name": _name(names, row.get("district_pcode")) or None,
            "district_name_en": names.get(row.get("district_pcode"), {}).get("name_en"),
            "locations": row["locations"],
        }
        for families, individuals in POPULATION_CELLS:
            item[families] = row[families]
            item[individuals] = row[individuals]
        hide_cells(item, protection, _population_keys(pcode))
        result.append(item)
    return result


def _population_keys(node: str) -> list[tuple[Hashable, str, str]]:
    """The area hierarchy's key of each (families, individuals) cell of a by-area row."""
    return [
        ((node, str(population_type)), families, individuals)
        for population_type, (families, individuals) in zip(
            POPULATION_TYPES, POPULATION_CELLS, strict=True
        )
    ]


def trend(
    *,
    user: Any,
    area: AdminArea | None = None,
    population_type: str | None = None,
    public: bool = False,
) -> list[dict[str, Any]]:
    """Families and individuals by population type for every visible round, oldest first.

    Summed from ``AssessmentTotals`` (one row per assessment, kept by database triggers), not
    from every population row: across 40 rounds that is a few hundred thousand rows fewer, and
    no join. It gives what summing the population rows gives (the tests compare the two)."""
    vis = _resolve(user, public)
    rows = _filtered(_rows(AssessmentTotals, vis, prefix=""), area=area, prefix="")
    kinds = POPULATION_TYPES
    if population_type:
        kinds = [kind for kind in POPULATION_TYPES if kind == population_type]
        # An unknown type has no rows (as when summing the population rows).
        rows = rows.filter(**{f"{kinds[0]}_groups__gt": 0}) if kinds else rows.none()
    sums: dict[str, Any] = {"locations": Count("pk")}
    for kind in kinds:
        sums[f"{kind}_families"] = Coalesce(Sum(f"{kind}_families"), 0)
        sums[f"{kind}_individuals"] = Coalesce(Sum(f"{kind}_individuals"), 0)
    by_round = {row["round"]: row for row in rows.values("round").annotate(**sums).order_by()}
    return _trend_rows(vis, by_round, _trend_protection(vis, area), area)


def _trend_protection(vis: Visibility, area: AdminArea | None) -> dict[int, Protection] | None:
    """Each round's protection of the area's cells, down to the area's level (see
    ``protect_hierarchy``). None when the area is everywhere: a round's total is summed by no
    line and is hidden only when small."""
    if not vis.suppress or area is None:
        return None
    return _cut_protections(vis, _depth(area))


def trend_from_groups(
    *,
    user: Any,
    area: AdminArea | None = None,
    population_type: str | None = None,
    public: bool = False,
) -> list[dict[str, Any]]:
    """``trend`` summed from the population rows themselves: the reference the totals are
    checked against (slow across many rounds)."""
    vis = _resolve(user, public)
    by_round = {
        row["assessment__round"]: row
        for row in _filtered(
            _rows(PopulationGroup, vis), area=area, population_type=population_type
        )
        .values("assessment__round")
        .annotate(**_population_sums(), locations=Count("assessment", distinct=True))
        .order_by("assessment__round")
    }
    return _trend_rows(vis, by_round, _trend_protection(vis, area), area)


def _trend_rows(
    vis: Visibility,
    by_round: dict[int, dict[str, Any]],
    protections: dict[int, Protection] | None,
    area: AdminArea | None = None,
) -> list[dict[str, Any]]:
    result = []
    for each in rounds(user=vis).order_by("number"):
        row = by_round.get(each.pk, {})
        item: dict[str, Any] = {
            "round": each.number,
            "period_start": each.period_start.isoformat(),
            "period_end": each.period_end.isoformat(),
            "locations": row.get("locations", 0),
        }
        for families, individuals in POPULATION_CELLS:
            item[families] = row.get(families, 0)
            item[individuals] = row.get(individuals, 0)
        if protections is None or area is None:
            # A round's total sums every other cell of its hierarchy and is summed by none: it
            # is hidden only when small (``protect`` never withholds it; its tests check so).
            suppress_cells(item, vis, POPULATION_CELLS)
        else:
            hide_cells(item, protections.get(each.pk), _population_keys(area.pcode))
        result.append(item)
    return result


def flows(
    *,
    user: Any,
    round: AssessmentRound,
    area: AdminArea | None = None,
    population_type: str = PopulationType.IDP,
    origin: AdminArea | None = None,
    public: bool = False,
) -> list[dict[str, Any]]:
    """Families and individuals from each origin governorate to each current governorate.

    ``origin_area`` may be a governorate, district or location; it is reduced to its governorate.
    Rows with no recorded origin have ``origin_pcode`` None. ``area`` narrows the current
    location, ``origin`` the origin.
    """
    vis = _resolve(user, public)
    queryset = _filtered(
        _rows(PopulationGroup, vis), round=round, area=area, population_type=population_type
    )
    rows = _flow_rows(queryset, origin)
    names = _areas_by_pcode(p for row in rows for p in (row["origin_pcode"], row["current_pcode"]))
    protection = _flows_protection(vis, round, area, population_type, rows)
    if protection is not None and (origin is not None or area is not None):
        # An origin's cells are a column of the whole table, a governorate's a row (or parts
        # of them, below a governorate): what the whole table hides, this one hides too, or
        # it would show a cell withheld there.
        everything = _filtered(
            _rows(PopulationGroup, vis), round=round, population_type=population_type
        )
        whole = _flows_protection(vis, round, None, population_type, _flow_rows(everything))
        also = {
            (row["origin_pcode"], row["current_pcode"])
            for row in rows
            if (row["origin_pcode"], row["current_pcode"]) in whole
        }
        protection = _flows_protection(vis, round, area, population_type, rows, also=also)
    result = []
    for row in rows:
        item = {
            "origin_pcode": row["origin_pcode"],
            "origin_name": (
                _name(names, row["origin_pcode"]) if row["origin_pcode"] else _("Not recorded")
            ),
            "current_pcode": row["current_pcode"],
            "current_name": _name(names, row["current_pcode"]),
            "locations": row["locations"],
            "families": row["families"],
            "individuals": row["individuals"],
        }
        key = (row["origin_pcode"], row["current_pcode"])
        hide_cells(item, protection, [(key, "families", "individuals")])
        result.append(item)
    return result


def _flow_rows(queryset: QuerySet, origin: AdminArea | None = None) -> list[dict[str, Any]]:
    if origin is not None:
        queryset = queryset.filter(origin_area__path__startswith=origin.path)
    return list(
        queryset.annotate(
            origin_pcode=area_pcode_at("origin_area", "governorate"),
            current_pcode=area_pcode_at("assessment__area", "governorate"),
        )
        .values("origin_pcode", "current_pcode")
        .annotate(
            families=Coalesce(Sum("families"), 0),
            individuals=Coalesce(Sum("individuals"), 0),
            locations=Count("assessment", distinct=True),
        )
        .order_by(F("origin_pcode").asc(nulls_last=True), "current_pcode")
    )


def _flows_protection(
    vis: Visibility,
    round: AssessmentRound,
    area: AdminArea | None,
    population_type: str,
    rows: list[dict[str, Any]],
    also: Iterable[Hashable] = (),
) -> Protection | None:
    """The origin × current matrix protected by rows and by columns. Each current
    governorate's sum is that governorate's figure (the area's, when one is asked for) and the
    whole table's the area's: cells of the area hierarchy (``_table_protection``). Cells in
    ``also`` are hidden whatever their size."""
    if not vis.suppress:
        return None
    values: dict[Hashable, int] = defaultdict(int)
    by_current: dict[Hashable, list[Hashable]] = defaultdict(list)
    by_origin: dict[Hashable, list[Hashable]] = defaultdict(list)
    for row in rows:
        key = (row["origin_pcode"], row["current_pcode"])
        values[key] = row["families"]
        current, origin = ("current", row["current_pcode"]), ("origin", row["origin_pcode"])
        values[current] += row["families"]
        values[origin] += row["families"]
        values[EVERYWHERE] += row["families"]
        by_current[current].append(key)
        by_origin[origin].append(key)
    lines = [
        Line(EVERYWHERE, list(by_current)),
        Line(EVERYWHERE, list(by_origin)),
        *(Line(total, cells) for total, cells in by_current.items()),
        *(Line(total, cells) for total, cells in by_origin.items()),
    ]
    everywhere = (area.pcode if area is not None else EVERYWHERE, population_type)
    published: dict[Hashable, Hashable] = {EVERYWHERE: everywhere}
    for current in by_current:
        published[current] = everywhere if area is not None else (current[1], population_type)
    depth = max(_depth(area), PATH_POSITION["governorate"])
    return _table_protection(vis, values, lines, published, round, depth, also)


def _shelter_group(category: str) -> str:
    for group, members in SHELTER_GROUPS.items():
        if category in members:
            return group
    return NOT_RECORDED


# Lazy: this table is built at import time, the labels are read in each request's language.
SHELTER_GROUP_LABELS = {
    "camp": gettext_lazy("Camp"),
    "private": gettext_lazy("Private settings"),
    "critical": gettext_lazy("Critical shelter"),
    NOT_RECORDED: gettext_lazy("Not recorded"),
}


def shelter(
    *,
    user: Any,
    round: AssessmentRound,
    area: AdminArea | None = None,
    population_type: str | None = PopulationType.IDP,
    public: bool = False,
) -> dict[str, Any]:
    """Families and individuals by shelter category and by group (camp, private, critical).

    Every category is listed (zeros included); "not recorded" only when some rows lack one.
    """
    vis = _resolve(user, public)
    base = _filtered(
        _rows(PopulationGroup, vis), round=round, area=area, population_type=population_type
    )
    group_case = Case(
        *[
            When(shelter_category__in=[str(c) for c in members], then=Value(group))
            for group, members in SHELTER_GROUPS.items()
        ],
        default=Value(NOT_RECORDED),
        output_field=CharField(),
    )
    sums = {
        "families": Coalesce(Sum("families"), 0),
        "individuals": Coalesce(Sum("individuals"), 0),
    }
    by_category = {
        row["shelter_category"]: row
        for row in base.values("shelter_category").annotate(**sums).order_by("shelter_category")
    }
    by_group = {
        row["group"]: row
        for row in base.annotate(group=group_case)
        .values("group")
        .annotate(**sums)
        .order_by("group")
    }
    protection = _shelter_protection(vis, round, area, population_type, by_category)
    categories = []
    for category in [*ShelterCategory.values, ""]:
        row = by_category.get(category)
        if category == "" and row is None:
            continue
        item = {
            "category": category or NOT_RECORDED,
            "label": str(ShelterCategory(category).label) if category else _("Not recorded"),
            "group": _shelter_group(category),
            "families": row["families"] if row else 0,
            "individuals": row["individuals"] if row else 0,
        }
        hide_cells(item, protection, [(("category", category), "families", "individuals")])
        categories.append(item)
    groups = []
    for group in [*SHELTER_GROUPS, NOT_RECORDED]:
        row = by_group.get(group)
        if group == NOT_RECORDED and row is None:
            continue
        item = {
            "group": group,
            "label": str(SHELTER_GROUP_LABELS[group]),
            "families": row["families"] if row else 0,
            "individuals": row["individuals"] if row else 0,
        }
        hide_cells(item, protection, [(("group", group), "families", "individuals")])
        groups.append(item)
    return {"categories": categories, "groups": groups, "suppression": vis.as_dict()}


def _shelter_protection(
    vis: Visibility,
    round: AssessmentRound,
    area: AdminArea | None,
    population_type: str | None,
    by_category: dict[str, dict[str, Any]],
) -> Protection | None:
    """The shelter table's cells to hide, keyed ``("category", c)``, ``("group", g)``.

    The country's table and each governorate's are rows of one table, governorate × category,
    whose column sums are the country's figures: protected together (``_shelter_table``), so
    that a governorate's small camp figure cannot be had from the country's less the other
    governorates'. Below a governorate, the area's table is protected within itself and hides
    at least what its governorate's hides."""
    if not vis.suppress:
        return None
    depth = _depth(area)
    if depth <= PATH_POSITION["governorate"]:
        joint = _shelter_table(vis, round, population_type)
        governorate = area.pcode if area is not None and depth > 1 else EVERYWHERE
        return _shelter_row(joint, governorate)
    governorate = area.path.strip("/").split("/")[PATH_POSITION["governorate"] - 1]
    above = _shelter_row(_shelter_table(vis, round, population_type), governorate)
    values, members = _shelter_cells(by_category.items())
    lines = _shelter_lines(EVERYWHERE, members)
    node = (area.pcode, population_type or "")
    return _table_protection(
        vis, values, lines, {EVERYWHERE: node}, round, depth, also=above.hidden & set(values)
    )


def _shelter_cells(
    families: Iterable[tuple[str, dict[str, Any]]], prefix: tuple = ()
) -> tuple[dict[Hashable, int], dict[Hashable, list[Hashable]]]:
    """A table's cells (``prefix`` + ("category", c) / ("group", g); ``prefix`` + (EVERYWHERE,)
    or EVERYWHERE for its total) and each group's categories."""
    values: dict[Hashable, int] = defaultdict(int)
    members: dict[Hashable, list[Hashable]] = defaultdict(list)
    total = (*prefix, EVERYWHERE) if prefix else EVERYWHERE
    for category, row in families:
        cell = (*prefix, "category", category)
        group = (*prefix, "group", _shelter_group(category))
        values[cell] = row["families"]
        values[group] += row["families"]
        values[total] += row["families"]
        members[group].append(cell)
    return values, members


def _shelter_lines(total: Hashable, members: dict[Hashable, list[Hashable]]) -> list[Line]:
    """Groups and categories add up to the total; each group's categories to the group."""
    return [
        Line(total, list(members)),
        Line(total, [cell for cells in members.values() for cell in cells]),
        *(Line(group, cells) for group, cells in members.items()),
    ]


def _shelter_table(
    vis: Visibility, round: AssessmentRound, population_type: str | None
) -> Protection:
    """The governorate × category shelter table protected with the country's row as its
    column sums; each governorate's and the country's figure are cells of the area hierarchy
    (of every population type together they are no one cell, and are taken as shown)."""
    key = ("shelter", round.pk, population_type or "")
    if key in vis.protections:
        return vis.protections[key]
    base = _filtered(_rows(PopulationGroup, vis), round=round, population_type=population_type)
    read = (
        base.annotate(governorate=area_pcode_at("assessment__area", "governorate"))
        .values("governorate", "shelter_category")
        .annotate(families=Coalesce(Sum("families"), 0))
        .order_by("governorate", "shelter_category")
    )
    by_governorate: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    country: dict[str, dict[str, Any]] = defaultdict(lambda: {"families": 0})
    for row in read:
        by_governorate[row["governorate"]][row["shelter_category"]] = row
        country[row["shelter_category"]]["families"] += row["families"]
    values, members = _shelter_cells(country.items())
    lines = _shelter_lines(EVERYWHERE, members)
    published: dict[Hashable, Hashable] = {EVERYWHERE: (EVERYWHERE, population_type or "")}
    columns: dict[Hashable, list[Hashable]] = defaultdict(list)
    for governorate, categories in by_governorate.items():
        cells, groups = _shelter_cells(categories.items(), prefix=(governorate,))
        values.update(cells)
        lines += _shelter_lines((governorate, EVERYWHERE), groups)
        published[(governorate, EVERYWHERE)] = (governorate, population_type or "")
        for cell in cells:
            columns[cell[1:] if cell[1:] != (EVERYWHERE,) else EVERYWHERE].append(cell)
    lines += [Line(total, cells) for total, cells in columns.items()]
    depth = PATH_POSITION["governorate"]
    vis.protections[key] = _table_protection(vis, values, lines, published, round, depth)
    return vis.protections[key]


def _shelter_row(joint: Protection, governorate: str) -> Protection:
    """One row of the governorate × category protection, keyed as a shelter table's cells."""
    if governorate == EVERYWHERE:
        pick = {key for key in joint.hidden if not (isinstance(key, tuple) and len(key) == 3)}
        return Protection(joint.small & pick, joint.complements & pick)

    def row(keys: frozenset) -> frozenset:
        return frozenset(
            key[1:]
            for key in keys
            if isinstance(key, tuple) and len(key) == 3 and key[0] == governorate
        )

    return Protection(row(joint.small), row(joint.complements))


def _two_places(value: Any) -> float | None:
    # A plain function: inside the aggregates "round" is the assessment round argument.
    return None if value is None else builtins.round(float(value), 2)


def needs_by_governorate(
    *,
    user: Any,
    round: AssessmentRound,
    area: AdminArea | None = None,
    public: bool = False,
) -> dict[str, Any]:
    """A heat map: for each governorate × sector, the locations that ranked the sector a
    priority, those that ranked it first, and the mean severity (1–5) where given.

    Counts of locations are not counts of people, so no cell is suppressed here.
    """
    vis = _resolve(user, public)
    governorate = area_pcode_at("assessment__area", "governorate")
    cells = list(
        _filtered(_rows(SectorNeed, vis), round=round, area=area)
        .annotate(governorate_pcode=governorate)
        .values("governorate_pcode", "sector")
        .annotate(
            priority_locations=Count("pk", filter=Q(priority__isnull=False)),
            first_priority_locations=Count("pk", filter=Q(priority=1)),
            mean_severity=Avg("severity"),
        )
        .order_by("governorate_pcode", "sector")
    )
    assessed = {
        row["governorate_pcode"]: row["count"]
        for row in _filtered(
            _rows(LocationAssessment, vis, prefix=""), round=round, area=area, prefix=""
        )
        .annotate(governorate_pcode=area_pcode_at("area", "governorate"))
        .values("governorate_pcode")
        .annotate(count=Count("pk"))
        .order_by("governorate_pcode")
    }
    names = _areas_by_pcode(row["governorate_pcode"] for row in cells)
    by_governorate: dict[str, dict[str, Any]] = {}
    for cell in cells:
        pcode = cell["governorate_pcode"]
        if not pcode:
            continue
        row = by_governorate.setdefault(
            pcode,
            {
                "governorate_pcode": pcode,
                "governorate_name": _name(names, pcode),
                "assessed_locations": assessed.get(pcode, 0),
                "cells": {},
            },
        )
        row["cells"][cell["sector"]] = {
            "priority_locations": cell["priority_locations"],
            "first_priority_locations": cell["first_priority_locations"],
            "mean_severity": (_two_places(cell["mean_severity"])),
        }
    empty = {"priority_locations": 0, "first_priority_locations": 0, "mean_severity": None}
    rows = []
    for pcode in sorted(by_governorate):
        row = by_governorate[pcode]
        row["cells"] = [
            {"sector": sector, **row["cells"].get(sector, empty)} for sector in Sector.values
        ]
        rows.append(row)
    return {
        "sectors": [{"sector": value, "label": str(label)} for value, label in Sector.choices],
        "governorates": rows,
        "suppression": vis.as_dict(),
    }


def needs_flat(needs: dict[str, Any]) -> list[dict[str, Any]]:
    """The heat map as one row per governorate × sector (for CSV and the API)."""
    labels = {sector["sector"]: sector["label"] for sector in needs["sectors"]}
    return [
        {
            "governorate_pcode": row["governorate_pcode"],
            "governorate_name": row["governorate_name"],
            "assessed_locations": row["assessed_locations"],
            "sector": cell["sector"],
            "sector_label": labels[cell["sector"]],
            "priority_locations": cell["priority_locations"],
            "first_priority_locations": cell["first_priority_locations"],
            "mean_severity": cell["mean_severity"],
        }
        for row in needs["governorates"]
        for cell in row["cells"]
    ]


def intentions(
    *,
    user: Any,
    round: AssessmentRound,
    area: AdminArea | None = None,
    population_type: str | None = None,
    public: bool = False,
) -> list[dict[str, Any]]:
    """Families by intention, for each population type that reported intentions."""
    vis = _resolve(user, public)
    sums = {
        (row["population_type"], row["intention"]): row["families"]
        for row in _filtered(
            _rows(Intention, vis), round=round, area=area, population_type=population_type
        )
        .values("population_type", "intention")
        .annotate(families=Coalesce(Sum("families"), 0))
        .order_by("population_type", "intention")
    }
    reported = {population_type for population_type, _intention in sums}
    result = []
    for population_type_value in POPULATION_TYPES:
        if population_type_value not in reported:
            continue
        for intention in IntentionChoice:
            families = sums.get((population_type_value, intention.value), 0)
            result.append(
                {
                    "population_type": str(population_type_value),
                    "population_label": str(PopulationType(population_type_value).label),
                    "intention": intention.value,
                    "intention_label": str(intention.label),
                    "families": None if _is_small(vis, families) else families,
                }
            )
    return result


MASTER_LIST_COLUMNS = [
    "location_id",
    "location_name",
    "location_name_ar",
    "parent_pcode",
    "latitude",
    "longitude",
    "population_type",
    "origin_pcode",
    "displacement_period",
    "shelter_category",
    "families",
    "individuals",
    "individuals_estimated",
    "governorate_pcode",
    "governorate_name",
    "district_pcode",
    "district_name",
    "origin_governorate_pcode",
    "assessment_status",
]


def master_list(
    *,
    user: Any,
    round: AssessmentRound,
    area: AdminArea | None = None,
    population_type: str | None = None,
    public: bool = False,
) -> list[dict[str, Any]]:
    """One row per population group of ``round``, in the master-list import's columns first
    (so the file loads back), then the governorate and district it lies in."""
    vis = _resolve(user, public)
    rows = list(
        _filtered(
            _rows(PopulationGroup, vis), round=round, area=area, population_type=population_type
        )
        .annotate(
            governorate=area_pcode_at("assessment__area", "governorate"),
            district=area_pcode_at("assessment__area", "district"),
            origin_governorate=area_pcode_at("origin_area", "governorate"),
        )
        # Tuples, not dicts: a round's list has thousands of rows, each made into a dict below.
        .values_list(
            "pk",
            "assessment__area__pcode",
            "assessment__area__name_en",
            "assessment__area__name_ar",
            "assessment__area__parent__pcode",
            "assessment__area__latitude",
            "assessment__area__longitude",
            "population_type",
            "origin_area__pcode",
            "displacement_period__code",
            "shelter_category",
            "families",
            "individuals",
            "individuals_estimated",
            "governorate",
            "district",
            "origin_governorate",
            "assessment__status",
        )
        .order_by(
            "assessment__area__pcode",
            "population_type",
            F("origin_area__pcode").asc(nulls_first=True),
            F("displacement_period__code").asc(nulls_first=True),
            "shelter_category",
        )
    )
    # By position in the values_list above: 14 governorate, 15 district; 0 pk, 1 location
    # P-code, 7 population type, 11 families.
    names = _areas_by_pcode(p for row in rows for p in (row[14], row[15]))
    protection = _group_protection(vis, round, ((row[0], row[1], row[7], row[11]) for row in rows))
    result = []
    for (
        pk,
        pcode,
        name_en,
        name_ar,
        parent_pcode,
        latitude,
        longitude,
        kind,
        origin_pcode,
        period,
        shelter_category,
        families,
        individuals,
        estimated,
        governorate,
        district,
        origin_governorate,
        status,
    ) in rows:
        item = {
            "location_id": pcode,
            "location_name": name_en,
            "location_name_ar": name_ar,
            "parent_pcode": parent_pcode,
            "latitude": None if latitude is None else float(latitude),
            "longitude": None if longitude is None else float(longitude),
            "population_type": kind,
            "origin_pcode": origin_pcode,
            "displacement_period": period,
            "shelter_category": shelter_category,
            "families": families,
            "individuals": individuals,
            "individuals_estimated": estimated,
            "governorate_pcode": governorate,
            "governorate_name": names.get(governorate, {}).get("name_en", ""),
            "district_pcode": district,
            "district_name": names.get(district, {}).get("name_en", ""),
            "origin_governorate_pcode": origin_governorate,
            "assessment_status": status,
        }
        if protection is not None:
            hide_cells(item, protection, [((GROUP, pk), "families", "individuals")])
        result.append(item)
    return result


def latest_round(*, user: Any, public: bool = False) -> AssessmentRound | None:
    """The newest round the reader may choose (the dashboard's default)."""
    return rounds(user=user, public=public).first()
