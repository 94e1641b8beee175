"""A small synthetic Iraqi person registry with known truth, for the linkage tests.

Clans of brothers' households share a family name, an origin and a grandfather; children share
their father's, grandfather's and mother's names and often the household phone; some are twins.
Each person is registered once by the ministry in Arabic script, and some again in a partner's
list in Latin transliteration or in an assessment, with the usual drift: other spellings, typos,
a year instead of a date (or 1 July of it), another phone format, a changed phone, missing
grandfather, mother or family names. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

VARIANTS = Path(__file__).parent / "data" / "name_variants.csv"
#: Spellings tested on their own (``test_normalise``); :func:`generate` draws on them only when
#: asked, so the registries the other tests generate stay as they were.
MORE_VARIANTS = Path(__file__).parent / "data" / "name_variants_more.csv"

ORIGINS = ["IQG01Q01", "IQG01Q03", "IQG07Q02", "IQG10Q01", "IQG13Q04", "IQG15Q02", "IQG16Q05"]


@dataclass(frozen=True)
class Spellings:
    kind: str  # male, female or family
    arabic: tuple[str, ...]
    latin: tuple[str, ...]


def load_spellings(path: Path = VARIANTS) -> dict[str, Spellings]:
    """A name variants table: group → its Arabic and Latin spellings."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["group"]: Spellings(
                kind=row["kind"],
                arabic=tuple(row["arabic"].split("|")),
                latin=tuple(row["latin"].split("|")),
            )
            for row in csv.DictReader(handle)
        }


SPELLINGS = load_spellings()


def _of_kind(spellings: dict[str, Spellings], kind: str) -> list[str]:
    return [group for group, forms in spellings.items() if forms.kind == kind]


@dataclass
class Person:
    person_id: str
    given: str
    father: str
    grandfather: str
    family: str
    mother: str
    sex: str
    birth: date
    birth_known_to_day: bool
    phone: str
    national_id: str
    origin: str


def _persons(rng: random.Random, clans: int, spellings: dict[str, Spellings]) -> list[Person]:
    male, female = _of_kind(spellings, "male"), _of_kind(spellings, "female")
    families = _of_kind(spellings, "family")
    persons: list[Person] = []
    used_ids: set[str] = set()

    def new_id() -> str:
        while True:
            value = str(rng.randrange(10**11, 10**12))
            if value not in used_ids:
                used_ids.add(value)
                return value

    def new_phone() -> str:
        return "7" + rng.choice("5789") + str(rng.randrange(10**7, 10**8))

    def birth(start: int, end: int) -> date:
        return date(start, 1, 1) + timedelta(days=rng.randrange((end - start) * 365))

    def person(**values: object) -> Person:
        has_id = rng.random() < 0.55
        person = Person(
            person_id=f"P{len(persons) + 1:04d}",
            national_id=new_id() if has_id else "",
            birth_known_to_day=rng.random() < 0.6,
            **values,  # type: ignore[arg-type]
        )
        persons.append(person)
        return person

    for _ in range(clans):
        family = rng.choice(families)
        origin = rng.choice(ORIGINS)
        patriarch, great_grandfather = rng.choice(male), rng.choice(male)
        heads = rng.sample(male, rng.randint(1, 3))  # brothers: same father and grandfather
        for head_name in heads:
            phone = new_phone()
            person(
                given=head_name,
                father=patriarch,
                grandfather=great_grandfather,
                family=family,
                mother=rng.choice(female),
                sex="m",
                birth=birth(1955, 1985),
                phone=phone,
                origin=origin,
            )
            wife = rng.choice(female)
            person(
                given=wife,
                father=rng.choice(male),
                grandfather=rng.choice(male),
                family=rng.choice(families),
                mother=rng.choice(female),
                sex="f",
                birth=birth(1960, 1990),
                phone=phone if rng.random() < 0.5 else new_phone(),
                origin=origin,
            )
            names = [name for name in male + female if name != head_name]
            previous: Person | None = None
            for child_name in rng.sample(names, rng.randint(1, 5)):
                twin = previous is not None and rng.random() < 0.12
                previous = person(
                    given=child_name,
                    father=head_name,
                    grandfather=patriarch,
                    family=family,
                    mother=wife,
                    sex="f" if child_name in female else "m",
                    birth=previous.birth if twin and previous else birth(1988, 2016),
                    phone=phone if rng.random() < 0.7 else new_phone(),
                    origin=origin,
                )
    return persons


_PHONE_FORMATS = (
    lambda phone: "0" + phone,
    lambda phone: "+964 " + phone[:3] + " " + phone[3:6] + " " + phone[6:],
    lambda phone: "00964" + phone,
    lambda phone: ("0" + phone).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),
    lambda phone: "0" + phone[:3] + "-" + phone[3:6] + "-" + phone[6:],
)


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    position = rng.randrange(1, len(text) - 1)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    if kind == "drop":
        return text[:position] + text[position + 1 :]
    return text[:position] + text[position] + text[position:]


def _record(
    rng: random.Random,
    person: Person,
    spellings: dict[str, Spellings],
    *,
    record_id: str,
    source: str,
    latin: bool,
    drift: bool,
) -> dict[str, str]:
    def spell(group: str, *, typo_rate: float = 0.0) -> str:
        forms = spellings[group].latin if latin else spellings[group].arabic
        text = forms[0] if not drift else rng.choice(forms)
        if latin and drift and rng.random() < typo_rate:
            text = _typo(rng, text)
        return text

    def maybe(probability_missing: float, value: str) -> str:
        return "" if drift and rng.random() < probability_missing else value

    birth = person.birth
    if not person.birth_known_to_day:
        birth_text = str(birth.year) if rng.random() < 0.6 else f"{birth.year}-07-01"
    else:
        birth_text = birth.isoformat()
    if drift:
        roll = rng.random()
        if roll < 0.25:
            birth_text = str(birth.year)
        elif roll < 0.35:
            birth_text = f"{birth.year}-07-01"
        elif roll < 0.40:
            birth_text = str(birth.year + rng.choice((-1, 1)))
        elif roll < 0.45:
            birth_text = ""
    phone = person.phone
    if drift and rng.random() < 0.15:
        phone = "7" + rng.choice("5789") + str(rng.randrange(10**7, 10**8))  # a new number
    national_id = person.national_id
    if drift and national_id and rng.random() < 0.4:
        national_id = ""
    elif drift and national_id and rng.random() < 0.03:
        national_id = national_id[:-1] + str((int(national_id[-1]) + 1) % 10)
    return {
        "record_id": record_id,
        "source": source,
        "given_name": spell(person.given, typo_rate=0.03),
        "father_name": maybe(0.05, spell(person.father, typo_rate=0.05)),
        "grandfather_name": maybe(0.25, spell(person.grandfather, typo_rate=0.05)),
        "family_name": maybe(0.15, spell(person.family, typo_rate=0.05)),
        "mother_name": maybe(0.35, spell(person.mother, typo_rate=0.05)),
        "sex": maybe(0.05, {"m": "M", "f": "F"}[person.sex] if latin else person.sex),
        "birth_date": birth_text,
        "phone": maybe(0.2, rng.choice(_PHONE_FORMATS)(phone)) if phone else "",
        "national_id": national_id,
        "origin_pcode": maybe(0.1, person.origin),
    }


def generate(
    *, seed: int = 7, clans: int = 36, spellings: dict[str, Spellings] | None = None
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Records (black-box columns) and the truth: record_id → person_id. Names are drawn from
    ``spellings`` (by default the main variants table)."""
    rng = random.Random(seed)
    spellings = spellings or SPELLINGS
    records: list[dict[str, str]] = []
    truth: dict[str, str] = {}
    for person in _persons(rng, clans, spellings):
        copies = [("modm", False, False)]
        if rng.random() < 0.45:
            copies.append(("partner", True, True))
        if rng.random() < 0.15:
            copies.append(("assessment", rng.random() < 0.5, True))
        for source, latin, drift in copies:
            record_id = f"R{len(records) + 1:05d}"
            records.append(
                _record(
                    rng,
                    person,
                    spellings,
                    record_id=record_id,
                    source=source,
                    latin=latin,
                    drift=drift,
                )
            )
            truth[record_id] = person.person_id
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[index] for index in order], truth


def write_csv(path: Path, records: list[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    """Write records with the black-box header."""
    columns = list(records[0])
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(records)
    return path


def pairwise_scores(clusters: dict[str, str], truth: dict[str, str]) -> tuple[float, float]:
    """Pairwise precision and recall of predicted clusters against the true persons."""

    def pairs(assignment: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for record_id, group in assignment.items():
            groups.setdefault(group, []).append(record_id)
        found = set()
        for members in groups.values():
            members.sort()
            found.update(
                (left, right)
                for index, left in enumerate(members)
                for right in members[index + 1 :]
            )
        return found

    predicted, true = pairs(clusters), pairs(truth)
    hits = len(predicted & true)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(true) if true else 1.0
    return precision, recall
