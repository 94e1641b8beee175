"""Counting the people a row of an assistance report reached, from its receipts and the
households' members (no database: ``reports`` reads the facts and calls ``figures``).

How people are counted:

- a household counts once in a row however many receipts it has there; the total row counts
  each household once overall (so the rows of a table may add up to more than the total when
  a household received two kinds of assistance or lives in two rows' scope);
- assistance given to the household (a food parcel, a kit, a grant) reaches all its people:
  its size as registered (never fewer than its active members), less any member born after the
  receipt. Training and courses reach the person named on the receipt only;
- sex and age come from the household members' records, age in full years on the date of the
  household's first receipt in the row, in the humanitarian groups 0–5, 6–17, 18–59 and 60+.
  Women and men are 18 and over, girls and boys under 18. People without a recorded sex or
  birth date, and people counted in the household size but not registered by name, are
  ``not_disaggregated``, so the sex and age cells and ``not_disaggregated`` add up to
  ``individuals``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from marsad.assistance.models import PERSONAL_TYPES
from marsad.assistance.scoring import age_on

#: Age groups as humanitarian reporting uses them: (name, first age, last age or None).
AGE_GROUPS = (("0_5", 0, 5), ("6_17", 6, 17), ("18_59", 18, 59), ("60_plus", 60, None))
SEXES = ("female", "male")
AGE_CELLS = tuple(f"{sex}_{group}" for sex in SEXES for group, _first, _last in AGE_GROUPS)
#: Every figure of a row, in the order pages and files show them.
FIGURES = (
    "households",
    "individuals",
    "women",
    "men",
    "girls",
    "boys",
    *AGE_CELLS,
    "not_disaggregated",
    "receipts",
)


@dataclass(frozen=True)
class ReceiptFact:
    """What counting needs of one receipt."""

    household_id: int
    person_id: int | None
    received_on: datetime.date
    assistance_type: str
    quantity: Decimal


@dataclass(frozen=True)
class MemberFact:
    person_id: int
    sex: str
    birth_date: datetime.date | None


@dataclass
class _Reach:
    """Whom of one household a row's receipts reached: all of it from ``household_on`` (its
    first household receipt in the row), and persons trained, each from their first date."""

    household_on: datetime.date | None = None
    persons: dict[int, datetime.date] = field(default_factory=dict)


@dataclass
class Tally:
    """One row being counted: the households reached, receipts and quantity."""

    reached: dict[int, _Reach] = field(default_factory=dict)
    receipts: int = 0
    quantity: Decimal = Decimal(0)

    def add(self, fact: ReceiptFact) -> None:
        reach = self.reached.setdefault(fact.household_id, _Reach())
        if fact.assistance_type in PERSONAL_TYPES and fact.person_id is not None:
            first = reach.persons.get(fact.person_id)
            if first is None or fact.received_on < first:
                reach.persons[fact.person_id] = fact.received_on
        elif reach.household_on is None or fact.received_on < reach.household_on:
            reach.household_on = fact.received_on
        self.receipts += 1
        self.quantity += fact.quantity


def age_group(birth_date: datetime.date, on: datetime.date) -> str:
    """The age group (``0_5``, ``6_17``, ``18_59``, ``60_plus``) of someone born on
    ``birth_date``, on the day ``on``."""
    age = age_on(birth_date, on)
    for name, first, last in AGE_GROUPS:
        if age >= first and (last is None or age <= last):
            return name
    raise ValueError("Born after the day counted.")


def _cell(member: MemberFact, on: datetime.date) -> str | None:
    if member.sex not in SEXES or member.birth_date is None or member.birth_date > on:
        return None
    return f"{member.sex}_{age_group(member.birth_date, on)}"


def figures(
    tally: Tally,
    *,
    sizes: dict[int, int],
    members: dict[int, list[MemberFact]],
    persons: dict[int, MemberFact],
) -> dict[str, Any]:
    """The figures of one row (see the module's docstring for the rules): ``sizes`` and
    ``members`` (active members) by household, ``persons`` by id (those named on training
    receipts, active or not)."""
    cells = dict.fromkeys(AGE_CELLS, 0)
    individuals = 0
    for household_id, reach in tally.reached.items():
        on = reach.household_on
        if on is None:
            # Only persons trained: each counts, with their sex and age on their first day.
            for person_id, first in reach.persons.items():
                individuals += 1
                person = persons.get(person_id)
                cell = _cell(person, first) if person is not None else None
                if cell is not None:
                    cells[cell] += 1
            continue
        # The whole household (the persons trained among its people): as registered on the
        # day of its first receipt, less those born later.
        household = [
            member
            for member in members.get(household_id, [])
            if member.birth_date is None or member.birth_date <= on
        ]
        born_later = len(members.get(household_id, [])) - len(household)
        size = max(sizes.get(household_id, 0), len(members.get(household_id, [])))
        individuals += size - born_later
        for member in household:
            cell = _cell(member, on)
            if cell is not None:
                cells[cell] += 1
    counted = sum(cells.values())
    return {
        "households": len(tally.reached),
        "individuals": individuals,
        "women": cells["female_18_59"] + cells["female_60_plus"],
        "men": cells["male_18_59"] + cells["male_60_plus"],
        "girls": cells["female_0_5"] + cells["female_6_17"],
        "boys": cells["male_0_5"] + cells["male_6_17"],
        **cells,
        "not_disaggregated": individuals - counted,
        "receipts": tally.receipts,
    }
