"""Screening travellers against watchlists, in Arabic and Latin script (no database).

    index = WatchlistIndex(entries)            # WatchlistEntry values, e.g. from read_watchlist
    hits = index.screen(traveller)             # Hit values at or above DEFAULT_THRESHOLD
    hits[0].explanation.words()                # what matched, in the active language

``records`` holds the values, ``files`` reads them from CSV or XLSX, ``names`` compares names
part by part, ``scoring`` weighs the evidence, ``index`` finds the candidates. The models step
stores entries and hits on top of this; a reviewer's decision on a hit is remembered by
``Hit.memory_key`` (entry id, entry version, document number).
"""

from marsad.border.screening.index import Candidate, WatchlistIndex
from marsad.border.screening.names import entry_name, traveller_name
from marsad.border.screening.records import (
    DEFAULT_ACTION,
    PartialDate,
    Traveller,
    WatchlistEntry,
    entry_version,
    parse_partial_date,
)
from marsad.border.screening.scoring import (
    ALGORITHM,
    DEFAULT_THRESHOLD,
    Evidence,
    Explanation,
    Hit,
)

__all__ = [
    "ALGORITHM",
    "DEFAULT_ACTION",
    "DEFAULT_THRESHOLD",
    "Candidate",
    "Evidence",
    "Explanation",
    "Hit",
    "PartialDate",
    "Traveller",
    "WatchlistEntry",
    "WatchlistIndex",
    "entry_name",
    "entry_version",
    "parse_partial_date",
    "traveller_name",
]
