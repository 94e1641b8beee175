"""The people of the generated registry, as they really are: clans of brothers' households
with their names (groups of the name table, not spellings), births, phones and ID numbers, where
they fled from and where they live now. Deterministic per clan (see ``marsad.registry.generator``).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from itertools import accumulate

#: The year the registrations are made in; ages and displacement dates count from it.
REGISTRATION_YEAR = 2008
# Where displaced families came from and where they live now (governorate P-codes, weights).
ORIGIN_WEIGHTS = {
    "IQG08": 40,
    "IQG10": 18,
    "IQG15": 12,
    "IQG01": 12,
    "IQG16": 8,
    "IQG13": 4,
    "IQG07": 3,
    "IQG02": 3,
}
HOST_WEIGHTS = {
    "IQG08": 22,
    "IQG15": 8,
    "IQG11": 8,
    "IQG09": 6,
    "IQG06": 6,
    "IQG13": 6,
    "IQG04": 6,
    "IQG07": 6,
    "IQG10": 5,
    "IQG12": 5,
    "IQG02": 5,
    "IQG16": 4,
    "IQG01": 3,
    "IQG05": 3,
    "IQG17": 3,
    "IQG18": 3,
    "IQG14": 2,
    "IQG03": 1,
}
SHELTER_WEIGHTS = {
    "rented": 38,
    "host_family": 30,
    "hotel": 2,
    "camp": 5,
    "informal_settlement": 8,
    "religious_building": 4,
    "school": 3,
    "unfinished_building": 8,
    "other": 2,
}
STREETS = ("السلام", "النور", "الزهراء", "الشهداء", "الأمل", "الجامعة", "الحرية", "الرشيد")
MOBILE_PREFIXES = ("770", "771", "772", "780", "781", "750", "751", "790")


@dataclass(frozen=True)
class Spellings:
    """One name: its kind (male, female, family), frequency weight and spellings."""

    group: str
    kind: str
    weight: int
    arabic: tuple[str, ...]
    latin: tuple[str, ...]


@dataclass(frozen=True)
class NamePool:
    """Names of one kind with cumulative weights, for fast weighted draws."""

    groups: tuple[str, ...]
    cumulative: tuple[int, ...]

    def draw(self, rng: random.Random, *, avoid: Iterable[str] = ()) -> str:
        avoided = set(avoid)
        while True:
            group = rng.choices(self.groups, cum_weights=self.cumulative)[0]
            if group not in avoided:
                return group


@cache
def names() -> dict[str, Spellings]:
    """The name table (``data/names.csv``): group → spellings."""
    text = resources.files("marsad.registry").joinpath("data/names.csv").read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {
        row["group"]: Spellings(
            group=row["group"],
            kind=row["kind"],
            weight=int(row["weight"]),
            arabic=tuple(row["arabic"].split("|")),
            latin=tuple(row["latin"].split("|")),
        )
        for row in csv.DictReader(lines)
    }


@cache
def pool(kind: str) -> NamePool:
    """The names of one kind (male, female or family), weighted."""
    chosen = [spellings for spellings in names().values() if spellings.kind == kind]
    return NamePool(
        groups=tuple(spellings.group for spellings in chosen),
        cumulative=tuple(accumulate(spellings.weight for spellings in chosen)),
    )


@cache
def districts() -> dict[str, tuple[str, ...]]:
    """Governorate P-code → its district P-codes, from the geo reference data."""
    text = resources.files("marsad.geo").joinpath("data/iraq_admin_areas.csv").read_text("utf-8")
    found: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["level"] == "district":
            found.setdefault(row["parent_pcode"], []).append(row["pcode"])
    return {governorate: tuple(sorted(codes)) for governorate, codes in sorted(found.items())}


@dataclass(frozen=True)
class Member:
    """The truth about one person: names are groups of the name table, not spellings."""

    person_id: int
    relationship: str
    given: str
    father: str
    grandfather: str
    family: str
    mother: str
    sex: str  # "male" or "female"
    birth: date
    birth_known_to_day: bool
    phone: str  # national form 07XXXXXXXXX, or ""
    national_id: str
    disability: bool = False
    chronic_illness: bool = False
    pregnant_or_lactating: bool = False


@dataclass(frozen=True)
class Household:
    """The truth about one household: where it lives, where it fled from, who belongs to it."""

    household_id: int
    clan: int
    location: str  # district P-code
    origin: str  # district P-code
    displacement_date: date
    shelter: str
    address: str
    members: tuple[Member, ...]


def _clan_rng(seed: int, clan: int) -> random.Random:
    return random.Random((seed << 40) + clan)


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def pick_district(rng: random.Random, weights: dict[str, int], *, not_in: str = "") -> str:
    table = districts()
    while True:
        governorate = _pick(rng, weights)
        choices = [code for code in table.get(governorate, ()) if code != not_in]
        if choices:
            return rng.choice(choices)


def new_phone(rng: random.Random) -> str:
    return "0" + rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def _national_id(rng: random.Random) -> str:
    return str(rng.randrange(10**11, 10**12))


def _birth(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    days = (date(min(last_year, REGISTRATION_YEAR), 12, 31) - start).days
    return start + timedelta(days=rng.randrange(max(days, 1)))


class _Clan:
    """Builds one clan's households: brothers (sons of one patriarch) with wives and children,
    sometimes their widowed mother, sometimes a widow's household of her own."""

    def __init__(self, seed: int, clan: int) -> None:
        self.rng = _clan_rng(seed, clan)
        self.clan = clan
        self.serial = 0
        rng = self.rng
        self.family = pool("family").draw(rng)
        self.origin = pick_district(rng, ORIGIN_WEIGHTS)
        self.patriarch = pool("male").draw(rng)
        self.great_grandfather = pool("male").draw(rng, avoid=[self.patriarch])
        self.grandmother = pool("female").draw(rng)
        self.fled = self._displacement_date()

    def _displacement_date(self) -> date:
        rng = self.rng
        if rng.random() < 0.15:
            return date(2003, 4, 1) + timedelta(days=rng.randrange(1040))
        return date(2006, 2, 22) + timedelta(days=rng.randrange(1000))

    def _member(self, **values: object) -> Member:
        rng = self.rng
        person_id = self.clan * 64 + self.serial
        self.serial += 1
        birth: date = values["birth"]  # type: ignore[assignment]
        age = REGISTRATION_YEAR - birth.year
        adult = age >= 18
        has_id = rng.random() < (0.35 if adult else 0.1)
        female = values["sex"] == "female"
        return Member(
            person_id=person_id,
            national_id=_national_id(rng) if has_id else "",
            birth_known_to_day=rng.random() < (0.4 if age >= 18 else 0.85),
            disability=rng.random() < 0.04,
            chronic_illness=rng.random() < (0.2 if age >= 50 else 0.04),
            pregnant_or_lactating=female and 18 <= age <= 45 and rng.random() < 0.12,
            **values,  # type: ignore[arg-type]
        )

    def households(self) -> list[Household]:
        rng = self.rng
        brothers = 1 if rng.random() < 0.45 else rng.choice((2, 2, 3))
        heads = []
        for _ in range(brothers):
            heads.append(pool("male").draw(rng, avoid=[self.patriarch, *heads]))
        households = []
        for index, head in enumerate(heads):
            households.append(self._household(index, head, with_mother=index == 0))
        if rng.random() < 0.08:
            households.append(self._widow_household(len(households), avoid=heads))
        return households

    def _household(self, index: int, head_name: str, *, with_mother: bool) -> Household:
        rng = self.rng
        members: list[Member] = []
        phone = new_phone(rng) if rng.random() < 0.9 else ""
        head_birth = _birth(rng, 1940, 1985)
        single = rng.random() < 0.06
        members.append(
            self._member(
                relationship="head",
                given=head_name,
                father=self.patriarch,
                grandfather=self.great_grandfather,
                family=self.family,
                mother=self.grandmother,
                sex="male",
                birth=head_birth,
                phone=phone,
            )
        )
        if with_mother and not single and rng.random() < 0.15:  # the widowed grandmother
            members.append(
                self._member(
                    relationship="mother",
                    given=self.grandmother,
                    father=pool("male").draw(rng),
                    grandfather=pool("male").draw(rng),
                    family=pool("family").draw(rng),
                    mother="",
                    sex="female",
                    birth=_birth(rng, head_birth.year - 40, head_birth.year - 17),
                    phone="",
                )
            )
        if not single:
            wife = pool("female").draw(rng, avoid=[self.grandmother])
            wife_birth = _birth(rng, head_birth.year + 1, head_birth.year + 12)
            members.append(
                self._member(
                    relationship="spouse",
                    given=wife,
                    father=pool("male").draw(rng),
                    grandfather=pool("male").draw(rng),
                    family=pool("family").draw(rng) if rng.random() < 0.7 else self.family,
                    mother=pool("female").draw(rng),
                    sex="female",
                    birth=wife_birth,
                    phone=new_phone(rng) if rng.random() < 0.35 else "",
                )
            )
            members += self._children(head_name, wife, wife_birth, phone, room=12 - len(members))
        return self._finish(index, members)

    def _children(
        self, father: str, mother: str, mother_birth: date, phone: str, *, room: int
    ) -> list[Member]:
        rng = self.rng
        count = min(room, max(0, round(rng.gauss(4.3, 2.3))))
        first = mother_birth.year + 18
        last = min(REGISTRATION_YEAR, mother_birth.year + 44)
        if count == 0 or first > last:
            return []
        years = sorted(rng.randrange(first, last + 1) for _ in range(count))
        used = {father, self.patriarch} if rng.random() >= 0.3 else {father}
        children: list[Member] = []
        for position, year in enumerate(years):
            twin = bool(children) and rng.random() < 0.04
            sex = "male" if rng.random() < 0.51 else "female"
            if position == 0 and sex == "male" and self.patriarch not in used:
                given = self.patriarch  # the eldest son named after his grandfather
            else:
                given = pool(sex).draw(rng, avoid=used)
            used.add(given)
            birth = children[-1].birth if twin else _birth(rng, year, year)
            adult = REGISTRATION_YEAR - birth.year >= 18
            own_phone = adult and rng.random() < 0.5
            children.append(
                self._member(
                    relationship="son" if sex == "male" else "daughter",
                    given=given,
                    father=father,
                    grandfather=self.patriarch,
                    family=self.family,
                    mother=mother,
                    sex=sex,
                    birth=birth,
                    phone=new_phone(rng) if own_phone else (phone if rng.random() < 0.3 else ""),
                )
            )
        return children

    def _widow_household(self, index: int, *, avoid: list[str]) -> Household:
        """The widow of a son of the patriarch with her children, registered under her own
        name (her late husband's name is not one of his living brothers')."""
        rng = self.rng
        widow = pool("female").draw(rng)
        widow_birth = _birth(rng, 1950, 1985)
        late_husband = pool("male").draw(rng, avoid=[self.patriarch, *avoid])
        phone = new_phone(rng) if rng.random() < 0.7 else ""
        members = [
            self._member(
                relationship="head",
                given=widow,
                father=pool("male").draw(rng),
                grandfather=pool("male").draw(rng),
                family=pool("family").draw(rng),
                mother=pool("female").draw(rng),
                sex="female",
                birth=widow_birth,
                phone=phone,
            )
        ]
        members += self._children(late_husband, widow, widow_birth, phone, room=11)
        return self._finish(index, members)

    def _finish(self, index: int, members: list[Member]) -> Household:
        rng = self.rng
        street = rng.choice(STREETS)
        return Household(
            household_id=self.clan * 4 + index,
            clan=self.clan,
            location=pick_district(rng, HOST_WEIGHTS, not_in=self.origin),
            origin=self.origin,
            displacement_date=self.fled + timedelta(days=rng.randrange(60)),
            shelter=_pick(rng, SHELTER_WEIGHTS),
            address=f"حي {street}، محلة {rng.randrange(100, 999)}، دار {rng.randrange(1, 60)}",
            members=tuple(members),
        )


def clan(seed: int, number: int) -> list[Household]:
    """The households of clan ``number`` (the same every time for the same seed)."""
    return _Clan(seed, number).households()
