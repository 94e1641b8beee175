"""How each source writes the people of ``generator.people``: the ministry in Arabic script,
later distribution and partner lists mostly in Latin transliteration with drift, as rows of a
source list (the columns ``registry.importers`` reads), each row carrying its truth.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from marsad.registry.generator.people import (
    HOST_WEIGHTS,
    REGISTRATION_YEAR,
    Household,
    Member,
    clan,
    names,
    new_phone,
    pick_district,
)

#: The source-list columns (``marsad.registry.importers.columns.COLUMNS``), in file order.
COLUMNS = (
    "record_id",
    "household_id",
    "relationship",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "phone",
    "national_id",
    "location_pcode",
    "origin_pcode",
    "address",
    "household_size",
    "displacement_date",
    "shelter_type",
    "status",
    "disability",
    "chronic_illness",
    "pregnant_or_lactating",
    "separated_child",
)

MINISTRY, DISTRIBUTION, PARTNER = "ministry", "distribution", "partner"
#: The lists a repeat registration comes from: (source kind, list name, written in Latin).
MINISTRY_LIST = "MoDM displacement register 2008"
DISTRIBUTION_LISTS = (
    (DISTRIBUTION, "WFP food distribution, November 2008", True),
    (DISTRIBUTION, "UNHCR NFI distribution, December 2008", True),
    (DISTRIBUTION, "Governorate food distribution committee, January 2009", False),
)
PARTNER_LISTS = ((PARTNER, "ICS protection partner list, February 2009", True),)

_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@dataclass(frozen=True)
class Row:
    """One person as one source wrote them: the source-list cells, and the truth."""

    source: str  # ministry, distribution or partner
    list_name: str
    person_id: int
    household_id: int
    cells: dict[str, str] = field(hash=False)

    @property
    def record_id(self) -> str:
        return self.cells["record_id"]


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    position = rng.randrange(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.4:  # two letters swapped
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    if kind < 0.7:  # a letter dropped
        return text[:position] + text[position + 1 :]
    return text[:position] + text[position] + text[position:]  # a letter doubled


def _phone_as_written(rng: random.Random, phone: str, *, latin: bool) -> str:
    national = phone[1:]
    roll = rng.random()
    if roll < 0.35:
        return phone
    if roll < 0.55:
        return f"+964 {national[:3]} {national[3:6]} {national[6:]}"
    if roll < 0.7:
        return "00964" + national
    if roll < 0.85:
        return f"{phone[:4]}-{phone[4:7]}-{phone[7:]}"
    return phone if latin else phone.translate(_ARABIC_DIGITS)


def _ministry_birth(rng: random.Random, member: Member) -> str:
    if member.birth_known_to_day:
        return member.birth.isoformat()
    return str(member.birth.year) if rng.random() < 0.7 else f"{member.birth.year}-07-01"


def _household_cells(household: Household, *, key: str, size: int) -> dict[str, str]:
    return {
        "household_id": key,
        "location_pcode": household.location,
        "origin_pcode": household.origin,
        "address": household.address,
        "household_size": str(size),
        "displacement_date": household.displacement_date.isoformat(),
        "shelter_type": household.shelter,
        "status": "displaced",
    }


def _flags(member: Member) -> dict[str, str]:
    return {
        "disability": "نعم" if member.disability else "",
        "chronic_illness": "نعم" if member.chronic_illness else "",
        "pregnant_or_lactating": "نعم" if member.pregnant_or_lactating else "",
        "separated_child": "",
    }


def ministry_rows(household: Household, rng: random.Random) -> list[Row]:
    """The ministry's registration of a household: Arabic script, every member, the names
    mostly in their usual spelling."""
    table = names()
    key = f"MODM-HH-{household.household_id:08d}"

    def spell(group: str) -> str:
        forms = table[group].arabic
        return forms[0] if rng.random() < 0.85 else rng.choice(forms)

    rows = []
    for position, member in enumerate(household.members):
        cells = {
            "record_id": f"MODM-{household.household_id:08d}-{position:02d}",
            "relationship": member.relationship,
            "given_name": spell(member.given),
            "father_name": spell(member.father),
            "grandfather_name": spell(member.grandfather) if rng.random() < 0.95 else "",
            "family_name": spell(member.family),
            "mother_name": spell(member.mother) if member.mother and rng.random() < 0.9 else "",
            "sex": "ذكر" if member.sex == "male" else "أنثى",
            "birth_date": _ministry_birth(rng, member),
            "phone": _phone_as_written(rng, member.phone, latin=False) if member.phone else "",
            "national_id": member.national_id,
            **_flags(member),
        }
        if position == 0:
            cells.update(_household_cells(household, key=key, size=len(household.members)))
        rows.append(
            Row(
                source=MINISTRY,
                list_name=MINISTRY_LIST,
                person_id=member.person_id,
                household_id=household.household_id,
                cells=_complete(cells, key),
            )
        )
    return rows


def _complete(cells: dict[str, str], household_key: str) -> dict[str, str]:
    cells.setdefault("household_id", household_key)
    return {column: cells.get(column, "") for column in COLUMNS}


def _drifted_cells(rng: random.Random, member: Member, *, latin: bool) -> dict[str, str]:
    """A person as a later list writes them: another spelling, typos, gaps, vaguer dates."""
    table = names()

    def spell(group: str, typo_rate: float) -> str:
        forms = table[group].latin if latin else table[group].arabic
        text = rng.choice(forms)
        if rng.random() < typo_rate:
            text = _typo(rng, text)
        return text

    def maybe(missing: float, value: str) -> str:
        return "" if rng.random() < missing else value

    roll = rng.random()
    if roll < 0.3:
        birth = str(member.birth.year)
    elif roll < 0.4:
        birth = f"{member.birth.year}-07-01"
    elif roll < 0.45:
        birth = str(member.birth.year + rng.choice((-1, 1)))
    elif roll < 0.5:
        birth = ""
    else:
        birth = _ministry_birth(rng, member)
    phone = member.phone
    if phone and rng.random() < 0.15:
        phone = new_phone(rng)  # a new number since the ministry registered them
    national_id = member.national_id
    if national_id and rng.random() < 0.4:
        national_id = ""
    elif national_id and rng.random() < 0.03:
        national_id = national_id[:-1] + str((int(national_id[-1]) + 1) % 10)
    if latin:
        sex = {"male": "M", "female": "F"}[member.sex]
    else:
        sex = "ذكر" if member.sex == "male" else "أنثى"
    return {
        "given_name": spell(member.given, 0.03),
        "father_name": maybe(0.04, spell(member.father, 0.05)),
        "grandfather_name": maybe(0.3, spell(member.grandfather, 0.05)),
        "family_name": maybe(0.15, spell(member.family, 0.05)),
        "mother_name": maybe(0.5, spell(member.mother, 0.05)) if member.mother else "",
        "sex": maybe(0.05, sex),
        "birth_date": birth,
        "phone": maybe(0.2, _phone_as_written(rng, phone, latin=latin)) if phone else "",
        "national_id": national_id,
    }


def repeat_rows(
    household: Household,
    rng: random.Random,
    *,
    source: str,
    list_name: str,
    latin: bool,
    tag: str,
    members: Sequence[Member] | None = None,
) -> list[Row]:
    """A later registration of some of a household's members from a distribution list (the
    head and the members listed with them, as one household) or a partner list (each person on
    their own). ``tag`` keeps record IDs unique across lists and batches."""
    chosen = list(members) if members is not None else _listed_members(household, rng)
    moved = rng.random() < 0.2
    location = pick_district(rng, HOST_WEIGHTS) if moved else household.location
    origin = household.origin
    roll = rng.random()
    if roll < 0.3:
        origin = origin[:5]  # the governorate only
    elif roll < 0.4:
        origin = ""
    rows = []
    key = f"{tag}-HH-{household.household_id:08d}"
    for position, member in enumerate(chosen):
        cells = _drifted_cells(rng, member, latin=latin)
        cells["record_id"] = f"{tag}-{member.person_id:010d}"
        shared = {
            "location_pcode": location,
            "origin_pcode": origin,
            "displacement_date": household.displacement_date.isoformat()
            if rng.random() < 0.5
            else "",
            "shelter_type": household.shelter if rng.random() < 0.6 else "",
            "status": "displaced",
        }
        if source == PARTNER:  # one person alone, head of their own line
            cells.update(shared)
            cells["household_id"] = ""
            cells["relationship"] = ""
        else:
            cells["relationship"] = member.relationship if chosen[0] is not member else "head"
            if position == 0:
                cells.update(shared)
                cells["household_size"] = str(len(household.members))
        rows.append(
            Row(
                source=source,
                list_name=list_name,
                person_id=member.person_id,
                household_id=household.household_id,
                cells=_complete(cells, "" if source == PARTNER else key),
            )
        )
    return rows


def _listed_members(household: Household, rng: random.Random) -> list[Member]:
    head, *others = household.members
    return [head] + [member for member in others if rng.random() < 0.45]


@dataclass
class Registry:
    """The ministry's register and the lists that register people again, as a stream of rows.

    ``rows(records)`` yields about ``records`` rows (whole households); ``clans_used`` says how
    many clans that took. ``batch(size, base_clans=…)`` yields a later batch: new households and
    people of the first clans registered again.
    """

    seed: int = 2008
    #: Share of households registered again by a distribution or partner list.
    repeat_share: float = 0.3
    clans_used: int = 0

    def rows(self, records: int) -> Iterator[Row]:
        """Rows for about ``records`` person records: each household's ministry rows, then,
        for a share of households, a later list's rows for some of its members."""
        emitted = 0
        number = 0
        while emitted < records:
            for row in self.clan_rows(number):
                emitted += 1
                yield row
            number += 1
        self.clans_used = number

    def clan_rows(self, number: int) -> list[Row]:
        """The rows the registry receives about one clan, in the order received."""
        rng = random.Random((self.seed << 41) + number)
        households = clan(self.seed, number)
        rows = [row for household in households for row in ministry_rows(household, rng)]
        for household in households:
            if rng.random() < self.repeat_share:
                rows += self._repeat(household, rng, tag="L1")
        return rows

    def _repeat(self, household: Household, rng: random.Random, *, tag: str) -> list[Row]:
        if rng.random() < 0.6:
            source, list_name, latin = rng.choice(DISTRIBUTION_LISTS)
            return repeat_rows(
                household, rng, source=source, list_name=list_name, latin=latin, tag=f"{tag}D"
            )
        source, list_name, latin = rng.choice(PARTNER_LISTS)
        # a partner lists one adult of the household, most often its head
        adults = [m for m in household.members if REGISTRATION_YEAR - m.birth.year >= 18]
        listed = [rng.choice(adults)] if adults and rng.random() < 0.3 else [household.members[0]]
        return repeat_rows(
            household,
            rng,
            source=source,
            list_name=list_name,
            latin=latin,
            tag=f"{tag}P",
            members=listed,
        )

    def batch(
        self, size: int, *, base_clans: int, repeat_share: float = 0.3, number: int = 0
    ) -> Iterator[Row]:
        """A later batch of about ``size`` rows: ministry registrations of new clans and, for
        about ``repeat_share`` of the rows, people of the first ``base_clans`` clans registered
        again (the duplicates an incremental run must find). Batches of another ``number``
        hold other people and other repeats."""
        rng = random.Random((self.seed << 42) + base_clans * 1000 + number)
        emitted = repeats = 0
        new_clan = 10**8 + number * 10**6  # numbers the first registrations never reach
        tag = f"B{number + 2}"
        repeated: set[int] = set()  # households already listed again in this batch
        while emitted < size:
            if base_clans and repeats < repeat_share * emitted:
                household = rng.choice(clan(self.seed, rng.randrange(base_clans)))
                if household.household_id in repeated:
                    continue
                repeated.add(household.household_id)
                rows = self._repeat(household, rng, tag=tag)
                repeats += len(rows)
            else:
                rows = [
                    row
                    for household in clan(self.seed, new_clan)
                    for row in ministry_rows(household, rng)
                ]
                new_clan += 1
            for row in rows:
                emitted += 1
                yield row


def to_csv(rows: Iterable[Row]) -> bytes:
    """Rows as a source-list CSV file (UTF-8), as ``registry.importers`` reads it."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.cells for row in rows)
    return buffer.getvalue().encode("utf-8")


def black_box(row: Row) -> dict[str, str]:
    """A row in the columns of ``marsad linkage dedupe`` (ARCHITECTURE.md)."""
    cells = row.cells
    return {
        "record_id": cells["record_id"],
        "source": row.source,
        **{
            column: cells[column]
            for column in (
                "given_name",
                "father_name",
                "grandfather_name",
                "family_name",
                "mother_name",
                "sex",
                "birth_date",
                "phone",
                "national_id",
                "origin_pcode",
            )
        },
    }
