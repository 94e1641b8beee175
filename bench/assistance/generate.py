"""Benchmark data for ``bench/assistance/run.py``, written straight into the tables: PostgreSQL
COPY (plain INSERTs on SQLite), explicit ids, no services.

This bypasses ``registry.services`` and ``assistance.services`` and therefore the audit log,
scope checks and derived name forms: half a million benchmark households are not registrations
anyone made. What the vulnerability rules and the double-assistance check read is filled as the
services would: household size, shelter, civil documents, income, displacement date and status;
members with relationship, sex, birth date (and its precision), marital status and the four
flags; receipts with their plan's programme, cycle and assistance type copied. Never use this
for real data.
"""

from __future__ import annotations

import datetime
import random
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

from marsad.assistance.models import AssistancePlan, Receipt
from marsad.linkage.models import CandidatePair, PairStatus
from marsad.registry.models import Household, Person

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for bench.rows
from bench.rows import Rows

CHUNK = 20_000  # rows buffered per table before each COPY

SHELTERS = (
    ("own_home", 30),
    ("rented", 20),
    ("host_family", 15),
    ("camp", 10),
    ("informal_settlement", 8),
    ("unfinished_building", 6),
    ("school", 3),
    ("religious_building", 2),
    ("other", 1),
    ("", 5),
)
DOCUMENTS = (("complete", 55), ("partial", 20), ("none", 10), ("unknown", 15))
STATUSES = (("displaced", 80), ("returned", 10), ("relocated", 7), ("closed", 3))
INCOME = ((True, 45), (False, 35), (None, 20))
MARITAL = (("married", 70), ("widowed", 12), ("divorced", 5), ("single", 8), ("", 5))
GIVEN_FEMALE = ("فاطمة", "زينب", "مريم", "نور", "سارة", "هدى")
GIVEN_MALE = ("محمد", "علي", "حسين", "أحمد", "جاسم", "كريم")


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Iterator[Any]:
    """An endless stream of draws from ``table`` (value, weight), 1,000 at a time."""
    values = [value for value, _weight in table]
    weights = [weight for _value, weight in table]
    while True:
        yield from rng.choices(values, weights, k=1000)


class CopyTable(Rows):
    """Rows of one model, written in place every ``CHUNK`` rows."""

    def add(self, **values: Any) -> int:
        pk = super().add(**values)
        if len(self.buffer) >= CHUNK:
            self.write()
        return pk

    def finish(self) -> None:
        self.write()
        self.reset_sequence(analyze=True)


class _Loading:
    """Foreign-key triggers off while loading on PostgreSQL (ids are assigned in order here)."""

    def __enter__(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")

    def __exit__(self, *exc: Any) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")


@dataclass
class Registry:
    """What was loaded: household ids in order and each household's head (person id)."""

    household_ids: array
    heads: array
    persons: int


def households(
    count: int, *, organisation_id: int, area_ids: list[int], seed: int, as_of: datetime.date
) -> Registry:
    """``count`` households in ``area_ids`` with 1 to 6 registered members each (a head, a
    spouse, children), about 3.3 members a household."""
    rng = random.Random(seed)
    shelters = _weighted(rng, SHELTERS)
    documents = _weighted(rng, DOCUMENTS)
    statuses = _weighted(rng, STATUSES)
    incomes = _weighted(rng, INCOME)
    marital = _weighted(rng, MARITAL)
    household_table = CopyTable(Household)
    person_table = CopyTable(Person)
    household_ids, heads = array("q"), array("q")
    year = as_of.year
    with _Loading():
        for index in range(count):
            size = rng.choices(range(1, 13), weights=(6, 8, 12, 14, 14, 12, 10, 8, 6, 4, 3, 3))[0]
            displaced = as_of - datetime.timedelta(days=rng.randrange(0, 12 * 365))
            household_id = household_table.add(
                organisation_id=organisation_id,
                area_id=area_ids[index % len(area_ids)],
                registration_number=f"BA-2026-{index + 1:07d}",
                displacement_date=displaced if rng.random() < 0.9 else None,
                size=size,
                shelter_type=next(shelters),
                status=next(statuses),
                documentation_status=next(documents),
                has_income=next(incomes),
            )
            household_ids.append(household_id)
            registered = rng.randint(1, min(size, 6))
            female_head = rng.random() < 0.22
            head_age = rng.choices(
                (rng.randint(14, 17), rng.randint(18, 59), rng.randint(60, 90)), weights=(2, 80, 18)
            )[0]
            head_birth = datetime.date(year - head_age, rng.randint(1, 12), rng.randint(1, 28))
            exact = rng.random() < 0.8
            heads.append(
                person_table.add(
                    household_id=household_id,
                    relationship="head",
                    given_name=rng.choice(GIVEN_FEMALE if female_head else GIVEN_MALE),
                    sex="female" if female_head else ("male" if rng.random() < 0.98 else ""),
                    birth_date=head_birth if exact else datetime.date(head_birth.year, 7, 1),
                    birth_date_precision="day" if exact else "year",
                    marital_status=next(marital),
                    disability=rng.random() < 0.04,
                    chronic_illness=rng.random() < 0.07,
                )
            )
            for member in range(1, registered):
                female = rng.random() < 0.5
                child = member > 1 or rng.random() < 0.3
                age = rng.randint(0, 17) if child else rng.randint(18, 70)
                person_table.add(
                    household_id=household_id,
                    relationship=("daughter" if female else "son") if child else "spouse",
                    given_name=rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
                    sex="female" if female else "male",
                    birth_date=datetime.date(year - age, rng.randint(1, 12), rng.randint(1, 28)),
                    disability=rng.random() < 0.03,
                    chronic_illness=rng.random() < 0.04,
                    pregnant_or_lactating=female and not child and rng.random() < 0.12,
                    separated_child=child and rng.random() < 0.01,
                )
        household_table.finish()
        person_table.finish()
    return Registry(household_ids, heads, person_table.written)


def receipts(
    plan: AssistancePlan,
    household_ids: Any,
    *,
    seed: int,
) -> int:
    """One receipt of the plan's first item for each of ``household_ids``, on a day within the
    plan's dates; returns how many were written."""
    rng = random.Random(seed)
    item = plan.items.order_by("pk").first()
    table = CopyTable(Receipt)
    end = plan.end_date or plan.start_date + datetime.timedelta(days=30)
    days = max((end - plan.start_date).days, 1)
    quantity = Decimal(item.quantity)
    with _Loading():
        for household_id in household_ids:
            table.add(
                plan_id=plan.pk,
                item_id=item.pk,
                assistance_type=item.assistance_type,
                programme_id=plan.programme_id,
                cycle=plan.cycle,
                household_id=household_id,
                quantity=quantity,
                received_on=plan.start_date + datetime.timedelta(days=rng.randrange(days)),
                id_checked=rng.random() < 0.9,
                signed=rng.random() < 0.7,
                thumbprint=rng.random() < 0.3,
            )
        table.finish()
    return table.written


def links(heads: array, count: int, *, seed: int) -> int:
    """``count`` pairs of household heads that linkage decided are the same person, tying their
    households (what a registry of duplicates registered twice looks like to the check)."""
    rng = random.Random(seed)
    table = CopyTable(CandidatePair)
    seen: set[tuple[int, int]] = set()
    with _Loading():
        while len(seen) < count:
            left, right = sorted(rng.sample(range(len(heads)), 2))
            pair = (heads[left], heads[right])
            if pair in seen:
                continue
            seen.add(pair)
            table.add(
                left_id=pair[0],
                right_id=pair[1],
                match_probability=0.99,
                match_weight=9.5,
                evidence="[]",
                status=PairStatus.SAME.value,
            )
        table.finish()
    return table.written
