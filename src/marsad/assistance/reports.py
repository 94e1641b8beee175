"""Assistance reports, read from receipts: households and individuals assisted by governorate,
district, assistance type, programme, donor and partner, disaggregated by sex and age; and the
5W rows (who, what, where, when, for whom). Plain dicts ready for pages, JSON and files
(``reports_export`` writes the files; ``cli_export`` is the command line).

How people are counted is written in ``counting``.

Who sees what (``visibility``): roles that see records count the receipts their scope shows
them; other holders of the view-aggregates capability count every receipt with rows of fewer
households than ``settings.MARSAD_SMALL_CELL_THRESHOLD`` suppressed (every figure of the row
``None``), and with them the rows that would give them away: a table's rows add up to its
total (by governorate and district exactly, each household living in one place), so a hidden
row alone would be the total less the rest (``marsad.core.disclosure``; such a row lists its
figures in ``withheld``). ``user=None`` is the command line, which counts every receipt.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marsad.assistance.counting import FIGURES, MemberFact, ReceiptFact, Tally, figures
from marsad.assistance.models import (
    ASSISTANCE_UNITS,
    AssistancePlan,
    AssistanceType,
    Receipt,
)
from marsad.core.disclosure import Line, Protection, protect
from marsad.core.roles import Capability
from marsad.core.scoping import VIEW, has_capability, scope
from marsad.geo.models import AdminArea, AreaLevel
from marsad.partners.models import Organisation, Programme
from marsad.registry.models import Household, Person
from marsad.registry.selectors import household_survivors

#: The tables of ``assisted``: what each row is.
DIMENSIONS = ("governorate", "district", "assistance_type", "programme", "donor", "partner")
DIMENSION_NAMES = {
    "governorate": gettext_lazy("By governorate"),
    "district": gettext_lazy("By district"),
    "assistance_type": gettext_lazy("By assistance type"),
    "programme": gettext_lazy("By programme"),
    "donor": gettext_lazy("By donor"),
    "partner": gettext_lazy("By implementing partner"),
}

#: The humanitarian sector (cluster) each assistance type belongs to, for the 5W.
SECTORS = {
    "food_security": gettext_lazy("Food security"),
    "shelter_nfi": gettext_lazy("Shelter and non-food items"),
    "wash": gettext_lazy("Water, sanitation and hygiene"),
    "mpca": gettext_lazy("Multi-purpose cash"),
    "livelihoods": gettext_lazy("Emergency livelihoods"),
}
SECTOR_OF = {
    AssistanceType.FOOD_PARCEL: "food_security",
    AssistanceType.NFI_KIT: "shelter_nfi",
    AssistanceType.HYGIENE_KIT: "wash",
    AssistanceType.WATER: "wash",
    AssistanceType.CASH_GRANT: "mpca",
    AssistanceType.LIVELIHOOD_GRANT: "livelihoods",
    AssistanceType.VOCATIONAL_TRAINING: "livelihoods",
    AssistanceType.AGRICULTURAL_COURSE: "livelihoods",
}

# Position of a level's P-code in AdminArea.path ("IQ/IQG08/IQG08Q03/.../"), counting from 0.
_PATH_INDEX = {"governorate": 1, "district": 2}


# --- Who sees what, and the filters ---------------------------------------------------------


@dataclass(frozen=True)
class Visibility:
    """Which receipts a reader counts and whether small rows are hidden from them."""

    user: Any
    suppress: bool
    threshold: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "suppressed": self.suppress,
            "threshold": self.threshold if self.suppress else None,
        }


def visibility(user: Any) -> Visibility:
    """How ``user`` reads assistance figures; PermissionDenied without VIEW_RECORDS or
    VIEW_AGGREGATES. ``None`` is the command line: every receipt, nothing suppressed."""
    threshold = settings.MARSAD_SMALL_CELL_THRESHOLD
    if user is None:
        return Visibility(None, suppress=False, threshold=threshold)
    if has_capability(user, Capability.VIEW_RECORDS):
        return Visibility(user, suppress=False, threshold=threshold)
    if has_capability(user, Capability.VIEW_AGGREGATES):
        return Visibility(user, suppress=True, threshold=threshold)
    raise PermissionDenied(_("Your role does not give access to assistance figures."))


@dataclass(frozen=True)
class Filters:
    """What to count: receipts of a programme, donor (the plan's), implementing partner,
    assistance type, received from/to a date, of households living within an area."""

    programme: Programme | None = None
    donor: Organisation | None = None
    partner: Organisation | None = None
    assistance_type: str | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    area: AdminArea | None = None

    def as_dict(self) -> dict[str, Any]:
        """The filters as plain values (codes, ISO dates), for audit rows and API answers."""
        return {
            "programme": self.programme.code if self.programme else None,
            "donor": self.donor.code if self.donor else None,
            "partner": self.partner.code if self.partner else None,
            "assistance_type": self.assistance_type or None,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "area": self.area.pcode if self.area else None,
        }


def resolve_visibility(user: Any) -> Visibility:
    return user if isinstance(user, Visibility) else visibility(user)


def receipts_counted(user: Any, filters: Filters | None = None) -> QuerySet[Receipt]:
    """The receipts a reader counts (``user`` or a ``Visibility``), filtered; voided receipts
    (recorded in error) never count."""
    vis = resolve_visibility(user)
    queryset = Receipt.objects.filter(voided_at__isnull=True)
    if vis.user is not None and not vis.suppress:
        queryset = scope(queryset, vis.user, VIEW)
    filters = filters or Filters()
    conditions = Q()
    if filters.programme is not None:
        conditions &= Q(programme=filters.programme)
    if filters.donor is not None:
        conditions &= Q(plan__donor=filters.donor)
    if filters.partner is not None:
        conditions &= Q(plan__organisation=filters.partner)
    if filters.assistance_type:
        conditions &= Q(assistance_type=filters.assistance_type)
    if filters.date_from is not None:
        conditions &= Q(received_on__gte=filters.date_from)
    if filters.date_to is not None:
        conditions &= Q(received_on__lte=filters.date_to)
    if filters.area is not None:
        conditions &= Q(household__area__path__startswith=filters.area.path)
    return queryset.filter(conditions)


def hidden(values: dict[str, Any], *, withheld: bool = False) -> dict[str, Any]:
    """``values`` with every figure ``None``; ``withheld`` lists them as hidden to protect
    another row (not for being small)."""
    names = (*FIGURES, "quantity")
    row = {**values, **dict.fromkeys(names, None)}
    if withheld:
        row["withheld"] = list(names)
    return row


def suppressed(values: dict[str, Any], vis: Visibility) -> dict[str, Any]:
    """``values`` with every figure ``None`` when the row has fewer households than the
    threshold and the reader sees suppressed figures."""
    if not vis.suppress or values["households"] >= vis.threshold:
        return values
    return {**values, **dict.fromkeys((*FIGURES, "quantity"), None)}


# --- Reading the database -------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """A receipt as read for counting, with what rows are keyed on."""

    fact: ReceiptFact
    plan_id: int
    programme_id: int
    partner_id: int
    donor_id: int | None
    area_id: int | None
    area_path: str


_COLUMNS = (
    "household_id",
    "person_id",
    "received_on",
    "assistance_type",
    "quantity",
    "plan_id",
    "programme_id",
    "plan__organisation_id",
    "plan__donor_id",
    "household__area_id",
    "household__area__path",
)


def _rows(receipts: QuerySet[Receipt]) -> tuple[list[_Row], dict[int, int]]:
    """The receipts as rows, and the households among them merged into another since, each
    mapped to the household it lives on as now: a household registered twice counts once, as
    its survivor (its rows say so; the merges are followed only when one is merged)."""
    rows = []
    merged = set()
    for (
        household,
        person,
        received_on,
        kind,
        quantity,
        plan,
        programme,
        partner,
        donor,
        area,
        path,
        merged_into,
    ) in (
        receipts.order_by()
        .values_list(*_COLUMNS, "household__merged_into_id")
        .iterator(chunk_size=5000)
    ):
        if merged_into is not None:
            merged.add(household)
        rows.append(
            _Row(
                ReceiptFact(household, person, received_on, kind, quantity),
                plan,
                programme,
                partner,
                donor,
                area,
                path or "",
            )
        )
    if not merged:
        return rows, {}
    survivors = household_survivors(merged)
    return [
        replace(row, fact=replace(row.fact, household_id=survivors[row.fact.household_id]))
        if row.fact.household_id in survivors
        else row
        for row in rows
    ], survivors


def _people(
    receipts: QuerySet[Receipt], survivors: dict[int, int]
) -> tuple[dict[int, int], dict, dict]:
    """Sizes and active members of the households of ``receipts`` (of the survivors of those
    merged since), and the persons named on them: three queries whatever their number."""
    households: Any = receipts.order_by().values("household_id")
    if survivors:
        households = Household.objects.filter(
            Q(pk__in=households) | Q(pk__in=set(survivors.values()))
        ).values("pk")
    sizes = dict(Household.objects.filter(pk__in=households).values_list("pk", "size"))
    members: dict[int, list[MemberFact]] = defaultdict(list)
    for person, household, sex, birth_date in (
        Person.objects.filter(household_id__in=households, is_active=True)
        .order_by("household_id", "pk")
        .values_list("pk", "household_id", "sex", "birth_date")
        .iterator(chunk_size=5000)
    ):
        members[household].append(MemberFact(person, sex or "", birth_date))
    named = receipts.order_by().filter(person__isnull=False).values("person_id")
    persons = {
        person: MemberFact(person, sex or "", birth_date)
        for person, sex, birth_date in Person.objects.filter(pk__in=named).values_list(
            "pk", "sex", "birth_date"
        )
    }
    return sizes, members, persons


def _segment(path: str, level: str) -> str | None:
    parts = path.split("/")
    index = _PATH_INDEX[level]
    return parts[index] if len(parts) > index + 1 and parts[index] else None


def _tally(rows: Iterable[_Row], key: Callable[[_Row], Hashable]) -> tuple[dict, Tally]:
    by_key: dict[Hashable, Tally] = {}
    total = Tally()
    for row in rows:
        by_key.setdefault(key(row), Tally()).add(row.fact)
        total.add(row.fact)
    return by_key, total


def _names(model: type, ids: Iterable[Any], field_name: str = "pk") -> dict[Any, Any]:
    wanted = {value for value in ids if value is not None}
    return {
        getattr(obj, field_name): obj
        for obj in model.objects.filter(**{f"{field_name}__in": wanted})
    }


def _label(code: str | None, obj: Any, missing: str) -> dict[str, Any]:
    """The label fields of a row: code, the name in the active language, English, Arabic."""
    if obj is None:
        return {"code": code, "name": missing, "name_en": missing, "name_ar": ""}
    return {
        "code": code,
        "name": obj.name,
        "name_en": obj.name_en,
        "name_ar": getattr(obj, "name_ar", ""),
    }


def _not_recorded() -> str:
    return _("Not recorded")


def _type_label(kind: str) -> dict[str, Any]:
    sector = SECTOR_OF.get(kind, "")
    return {
        "code": kind,
        "name": str(AssistanceType(kind).label),
        "name_en": _english(AssistanceType(kind).label),
        "name_ar": "",
        "sector_code": sector,
        "sector_name": str(SECTORS[sector]) if sector else "",
        "sector_name_en": _english(SECTORS[sector]) if sector else "",
        "unit": str(ASSISTANCE_UNITS.get(kind, "")),
        "unit_en": _english(ASSISTANCE_UNITS.get(kind, "")),
    }


def _english(text: Any) -> str:
    with translation.override("en"):
        return str(text)


def _describe(by: str, keys: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    """Label fields for each row key of table ``by``, in a few queries."""
    keys = list(keys)
    if by == "governorate":
        areas = _names(AdminArea, keys, "pcode")
        return {key: _label(key, areas.get(key), _not_recorded()) for key in keys}
    if by == "district":
        areas = _names(AdminArea, [code for pair in keys for code in pair], "pcode")
        labels = {}
        for governorate, district in keys:
            parent = _label(governorate, areas.get(governorate), _not_recorded())
            labels[(governorate, district)] = {
                **_label(district, areas.get(district), _not_recorded()),
                "parent_code": parent["code"],
                "parent_name": parent["name"],
                "parent_name_en": parent["name_en"],
                "parent_name_ar": parent["name_ar"],
            }
        return labels
    if by == "assistance_type":
        return {key: _type_label(key) for key in keys}
    if by == "programme":
        programmes = _names(Programme, keys)
        return {
            key: _label(getattr(programmes.get(key), "code", None), programmes.get(key), "")
            for key in keys
        }
    organisations = _names(Organisation, keys)
    missing = _("No donor recorded") if by == "donor" else _not_recorded()
    return {
        key: _label(getattr(organisations.get(key), "code", None), organisations.get(key), missing)
        for key in keys
    }


_KEYS: dict[str, Callable[[_Row], Hashable]] = {
    "governorate": lambda row: _segment(row.area_path, "governorate"),
    "district": lambda row: (
        _segment(row.area_path, "governorate"),
        _segment(row.area_path, "district"),
    ),
    "assistance_type": lambda row: row.fact.assistance_type,
    "programme": lambda row: row.programme_id,
    "donor": lambda row: row.donor_id,
    "partner": lambda row: row.partner_id,
}
_TYPE_ORDER = {kind: index for index, kind in enumerate(AssistanceType.values)}


def _sort_key(by: str, label: dict[str, Any]) -> tuple:
    if by == "assistance_type":
        return (_TYPE_ORDER.get(label["code"], 99),)
    parent = label.get("parent_code") or "~"
    return (parent, label["code"] is None, label["code"] or "")


def _table(
    by: str,
    rows: list[_Row],
    people: tuple[dict, dict, dict],
    vis: Visibility,
    filters: Filters,
) -> dict[str, Any]:
    sizes, members, persons = people
    by_key, total = _tally(rows, _KEYS[by])
    labels = _describe(by, by_key)
    households = {}
    table_rows = []
    for key, tally in by_key.items():
        values = {**labels[key], **figures(tally, sizes=sizes, members=members, persons=persons)}
        if by == "assistance_type":
            values["quantity"] = tally.quantity
        households[key] = values["households"]
        table_rows.append((key, values))
    total_values = {
        "code": None,
        "name": _("Total"),
        "name_en": "Total",
        "name_ar": "",
        **figures(total, sizes=sizes, members=members, persons=persons),
    }
    protection = _protection(by, households, total_values["households"], rows, people, vis)
    table_rows = [
        hidden(values, withheld=key in protection.complements)
        if protection is not None and key in protection
        else values
        for key, values in table_rows
    ]
    table_rows.sort(key=lambda row: _sort_key(by, row))
    return {
        "by": by,
        "title": str(DIMENSION_NAMES[by]),
        "filters": filters.as_dict(),
        "rows": table_rows,
        "total": suppressed(total_values, vis),
        "suppression": vis.as_dict(),
    }


TOTAL = ("*",)  # the table's total, among its rows' keys


def _protection(
    by: str,
    households: dict[Hashable, int],
    total: int,
    rows: list[_Row],
    people: tuple[dict, dict, dict],
    vis: Visibility,
) -> Protection | None:
    """The rows of a table the reader may not see, by key: small ones and those that would
    give them away from the total. By district, governorates are worked out first, as in their
    own table, so both tables hide the same governorates' districts consistently."""
    if not vis.suppress:
        return None
    if by != "district":
        values: dict[Hashable, int] = {TOTAL: total, **households}
        return protect(values, [Line(TOTAL, list(households))], vis.threshold)
    sizes, members, persons = people
    governorates, _total = _tally(rows, _KEYS["governorate"])
    values = {TOTAL: total, **households}
    children: dict[Hashable, list[Hashable]] = defaultdict(list)
    for governorate, tally in governorates.items():
        key = ("governorate", governorate)
        values[key] = figures(tally, sizes=sizes, members=members, persons=persons)["households"]
    for district in households:
        children[("governorate", district[0])].append(district)
    lines = [Line(TOTAL, [("governorate", governorate) for governorate in governorates])]
    lines += [Line(parent, cells) for parent, cells in children.items()]
    return protect(values, lines, vis.threshold)


def _read(vis: Visibility, filters: Filters) -> tuple[list[_Row], tuple[dict, dict, dict]]:
    receipts = receipts_counted(vis, filters)
    rows, survivors = _rows(receipts)
    return rows, (_people(receipts, survivors) if rows else ({}, {}, {}))


def assisted(*, user: Any, by: str, filters: Filters | None = None) -> dict[str, Any]:
    """Households and individuals assisted, one row per ``by`` (a name of ``DIMENSIONS``),
    disaggregated by sex and age; with the total (each household once) and the suppression
    in force."""
    if by not in DIMENSIONS:
        raise ValueError(
            _("Unknown table %(name)s; use one of %(tables)s.")
            % {"name": by, "tables": ", ".join(DIMENSIONS)}
        )
    vis = resolve_visibility(user)
    filters = filters or Filters()
    rows, people = _read(vis, filters)
    return _table(by, rows, people, vis, filters)


def summary(*, user: Any, filters: Filters | None = None) -> dict[str, dict[str, Any]]:
    """Every table of ``DIMENSIONS`` at once, reading the receipts and people once."""
    vis = resolve_visibility(user)
    filters = filters or Filters()
    rows, people = _read(vis, filters)
    return {by: _table(by, rows, people, vis, filters) for by in DIMENSIONS}


# --- The 5W: who, what, where, when, for whom -----------------------------------------------


def _month(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def five_w(*, user: Any, filters: Filters | None = None) -> dict[str, Any]:
    """One row per plan, assistance type, place where the households live and month: the
    implementing partner, donor and programme (who), the sector and assistance (what), the
    governorate, district and location with their P-codes (where), the month — within the
    period asked for (when), and the households and people reached by sex and age (for whom)."""
    vis = resolve_visibility(user)
    filters = filters or Filters()
    receipts = receipts_counted(vis, filters)
    rows, survivors = _rows(receipts)
    by_key, total = _tally(
        rows,
        lambda row: (
            row.plan_id,
            row.fact.assistance_type,
            row.area_id,
            _month(row.fact.received_on),
        ),
    )
    sizes, members, persons = _people(receipts, survivors) if total.receipts else ({}, {}, {})
    plans = {
        plan.pk: plan
        for plan in AssistancePlan.objects.filter(pk__in={key[0] for key in by_key}).select_related(
            "organisation", "donor", "programme"
        )
    }
    areas = {area.pk: area for area in AdminArea.objects.filter(pk__in={key[2] for key in by_key})}
    by_pcode = _names(
        AdminArea,
        {
            _segment(area.path, level)
            for area in areas.values()
            for level in ("governorate", "district")
        },
        "pcode",
    )
    rows = []
    for (plan_id, kind, area_id, (start, end)), tally in by_key.items():
        plan = plans[plan_id]
        area = areas.get(area_id)
        governorate = by_pcode.get(_segment(area.path, "governorate")) if area else None
        district = by_pcode.get(_segment(area.path, "district")) if area else None
        location = area if area is not None and area.level > AreaLevel.DISTRICT else None
        kind_label = _type_label(kind)
        values = {
            "partner_code": plan.organisation.code,
            "partner_name": plan.organisation.name_en,
            "donor_code": plan.donor.code if plan.donor else "",
            "donor_name": plan.donor.name_en if plan.donor else "",
            "programme_code": plan.programme.code,
            "programme_name": plan.programme.name_en,
            "plan_code": plan.code,
            "plan_title": plan.title,
            "sector_code": kind_label["sector_code"],
            "sector_name": kind_label["sector_name_en"],
            "assistance_type": kind,
            "assistance_name": kind_label["name_en"],
            "governorate_code": governorate.pcode if governorate else "",
            "governorate_name": governorate.name_en if governorate else "",
            "governorate_name_ar": governorate.name_ar if governorate else "",
            "district_code": district.pcode if district else "",
            "district_name": district.name_en if district else "",
            "location_code": location.pcode if location else "",
            "location_name": location.name_en if location else "",
            "date_start": max(start, filters.date_from) if filters.date_from else start,
            "date_end": min(end, filters.date_to) if filters.date_to else end,
            **figures(tally, sizes=sizes, members=members, persons=persons),
            "quantity": tally.quantity,
            "unit": kind_label["unit_en"],
        }
        rows.append(suppressed(values, vis))
    rows.sort(
        key=lambda row: (
            row["date_start"],
            row["partner_code"],
            row["plan_code"],
            _TYPE_ORDER.get(row["assistance_type"], 99),
            row["governorate_code"],
            row["district_code"],
            row["location_code"],
        )
    )
    return {"filters": filters.as_dict(), "rows": rows, "suppression": vis.as_dict()}
