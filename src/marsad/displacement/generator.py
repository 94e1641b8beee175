"""Realistic master lists for the demo and the benchmark (pure Python, deterministic by seed).

Shapes follow the 2006–2008 displacement the mission assessed: most IDPs fled Baghdad, Diyala,
Ninewa, Anbar and Salah Al-Din after February 2006; they live mostly in rented housing or with
host families, a minority in critical shelter and few in camps; from 2008 some return,
mostly to Baghdad and Diyala. Locations are villages and neighbourhoods placed around their
district's centre, named in Arabic with an English transliteration.
"""

import csv
import io
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

COLUMNS = [
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
]

# Where IDPs came from, with weights (governorate P-codes).
ORIGINS = {
    "IQG08": 40,
    "IQG10": 18,
    "IQG15": 12,
    "IQG01": 12,
    "IQG16": 8,
    "IQG13": 4,
    "IQG07": 3,
    "IQG02": 3,
}
SHELTERS = {
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
PERIODS = {"2006-2008": 80, "pre-2006": 15, "2009-2013": 5}

NAME_PARTS = [
    ("Hay", "حي"),
    ("Qaryat", "قرية"),
    ("Mahallat", "محلة"),
    ("Tal", "تل"),
    ("Umm", "أم"),
]
NAME_WORDS = [
    ("Al-Salam", "السلام"),
    ("Al-Nour", "النور"),
    ("Al-Zahraa", "الزهراء"),
    ("Al-Shuhada", "الشهداء"),
    ("Al-Amal", "الأمل"),
    ("Al-Khadra", "الخضراء"),
    ("Al-Jamiaa", "الجامعة"),
    ("Al-Askari", "العسكري"),
    ("Al-Hurriya", "الحرية"),
    ("Al-Rasheed", "الرشيد"),
    ("Al-Wahda", "الوحدة"),
    ("Al-Furat", "الفرات"),
    ("Al-Nahrain", "النهرين"),
    ("Al-Muallimin", "المعلمين"),
    ("Al-Sinaa", "الصناعة"),
    ("Al-Iskan", "الإسكان"),
]


@dataclass(frozen=True)
class District:
    pcode: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Location:
    pcode: str
    name: str
    name_ar: str
    district: str
    latitude: float
    longitude: float
    size: float  # relative attractiveness for IDPs (a few large hubs, many small places)


def make_locations(districts: list[District], count: int, seed: int = 2008) -> list[Location]:
    """``count`` locations spread over the districts, each with a unique P-code."""
    rng = random.Random(seed)
    locations = []
    for index in range(count):
        district = districts[index % len(districts)]
        number = index // len(districts) + 1
        prefix, prefix_ar = rng.choice(NAME_PARTS)
        word, word_ar = NAME_WORDS[(index * 7 + number) % len(NAME_WORDS)]
        angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(0.01, 0.25)
        locations.append(
            Location(
                pcode=f"{district.pcode}L{number:03d}",
                name=f"{prefix} {word} {number}",
                name_ar=f"{prefix_ar} {word_ar} {number}",
                district=district.pcode,
                latitude=round(district.latitude + radius * math.sin(angle), 5),
                longitude=round(district.longitude + radius * math.cos(angle), 5),
                size=rng.paretovariate(1.6),
            )
        )
    return locations


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def masterlist_rows(
    locations: list[Location], round_number: int, *, seed: int = 2008, estimate_share: float = 0.3
) -> Iterator[dict[str, str]]:
    """The master-list rows of one round: IDP groups everywhere, returnees from round 2 on.

    Families drift from round to round (IDPs slowly fewer, returnees more), so consecutive
    rounds differ the way real ones do; a share of rows leaves individuals empty (estimated).
    """
    for location in locations:
        rng = random.Random(f"{seed}:{location.pcode}")  # the same groups every round
        groups = 1 + min(3, int(location.size))
        used = set()
        for _group in range(groups):
            origin = _pick(rng, ORIGINS)
            if origin == location.district[:5]:
                origin = "IQG08" if origin != "IQG08" else "IQG10"
            period, shelter = _pick(rng, PERIODS), _pick(rng, SHELTERS)
            if (origin, period, shelter) in used:
                continue
            used.add((origin, period, shelter))
            base = max(3, int(rng.lognormvariate(3.6, 1.0) * location.size))
            drift = random.Random(f"{seed}:{location.pcode}:{origin}:{round_number}").uniform(
                0.93, 1.02
            )
            families = max(1, int(base * drift ** (round_number - 1)))
            yield _row(location, "idp", origin, period, shelter, families, rng, estimate_share)
        if round_number >= 2 and location.district[:5] in {"IQG08", "IQG10", "IQG16", "IQG01"}:
            returned = int(location.size * 8 * (round_number - 1) * rng.uniform(0.5, 1.5))
            if returned:
                origin = _pick(rng, {"IQG11": 3, "IQG09": 2, "IQG06": 2, "IQG12": 1, "IQG04": 1})
                yield _row(location, "returnee", origin, "", "", returned, rng, estimate_share)


def _row(
    location: Location,
    population_type: str,
    origin: str,
    period: str,
    shelter: str,
    families: int,
    rng: random.Random,
    estimate_share: float,
) -> dict[str, str]:
    size = 5 if shelter == "camp" else 6
    individuals = (
        ""
        if rng.random() < estimate_share
        else str(int(families * rng.uniform(size - 1, size + 1.5)))
    )
    return {
        "location_id": location.pcode,
        "location_name": location.name,
        "location_name_ar": location.name_ar,
        "parent_pcode": location.district,
        "latitude": f"{location.latitude:.5f}",
        "longitude": f"{location.longitude:.5f}",
        "population_type": population_type,
        "origin_pcode": origin,
        "displacement_period": period,
        "shelter_category": shelter,
        "families": str(families),
        "individuals": individuals,
    }


def to_csv(rows: list[dict[str, str]] | Iterator[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")
