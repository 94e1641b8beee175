"""Registry-shaped households and persons with known truth, for the demo and the benchmark.

Pure Python, deterministic for a seed, and streaming: a million rows never sit in memory.

The people are an Iraqi displaced population of 2006–2008. Clans of brothers' households share a
family (tribe) name, a grandfather and a district of origin; children carry their father's and
grandfather's names, eldest sons are often named after their grandfather (so cousins share a
given name, a grandfather and a tribe), some births are twins, a household shares one phone,
adults often know only their birth year. These are the hard negatives of record linkage: people
who are not the same yet look alike.

Every person is registered once by the ministry (Arabic script, the source-list columns of
``registry.importers``). About one in eight is registered again from a distribution list or a
partner list, mostly in Latin transliteration, with the drift such lists have: other spellings,
typos, a missing grandfather, mother or tribe, a year instead of a date, another phone format or
a new phone, a governorate instead of a district. Each row carries the truth (``person_id``), so
a linkage run can be scored.

Randomness is drawn per clan from the seed and the clan's number, so any clan can be rebuilt on
its own: a later batch of registrations can re-register people of the first million without
keeping them.
"""

from marsad.registry.generator.people import (
    REGISTRATION_YEAR,
    Household,
    Member,
    Spellings,
    clan,
    districts,
    names,
    pool,
)
from marsad.registry.generator.sources import (
    COLUMNS,
    DISTRIBUTION,
    DISTRIBUTION_LISTS,
    MINISTRY,
    MINISTRY_LIST,
    PARTNER,
    PARTNER_LISTS,
    Registry,
    Row,
    black_box,
    ministry_rows,
    repeat_rows,
    to_csv,
)

__all__ = [
    "COLUMNS",
    "DISTRIBUTION",
    "DISTRIBUTION_LISTS",
    "MINISTRY",
    "MINISTRY_LIST",
    "PARTNER",
    "PARTNER_LISTS",
    "REGISTRATION_YEAR",
    "Household",
    "Member",
    "Registry",
    "Row",
    "Spellings",
    "black_box",
    "clan",
    "districts",
    "ministry_rows",
    "names",
    "pool",
    "repeat_rows",
    "to_csv",
]
