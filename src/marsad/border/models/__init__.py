"""Border management records: crossing points and the officers posted at them, travellers and
their travel documents, crossings, watchlists and their entries, screening hits and document
examination cases (DAFEC).

Who sees what (see ``core.scoping``): crossing points are reference data. Crossings, hits and
examination cases belong to an organisation (the border authority) and, for a border officer,
are further narrowed to the crossing points of their active ``PostAssignment`` rows (an
assignment without a point covers every point: headquarters, DAFEC); a border officer with no
active assignment sees none. Travellers and documents are narrowed the same way, to those who
crossed at the officer's points. Watchlists and their entries are restricted or confidential,
so only roles cleared for that level see them.

Names are stored as written, in whichever script, beside their normalised, romanised and
phonetic forms (``marsad.linkage.normalise``), refreshed on every save so that no door stores
stale ones. A watchlist entry's ``fingerprint`` hashes the fields screening matches on, so a
cleared hit is remembered for (document, entry, fingerprint) and raised again once the entry's
matching content changes.
"""

from marsad.border.models.common import (
    YEAR_ONLY_HELP,
    DatePrecision,
    NamedMixin,
    Sex,
    country_code_validator,
    name_forms,
    point_code_validator,
    state_code_validator,
)
from marsad.border.models.crossings import (
    Crossing,
    Decision,
    Direction,
    PermitType,
    Purpose,
    ScreeningOutcome,
)
from marsad.border.models.examinations import (
    EXAMINATION_FEATURES,
    CaseStatus,
    DocumentExaminationCase,
    ExaminationOutcome,
    FeatureFinding,
    Suspicion,
)
from marsad.border.models.hits import HitStatus, ScreeningHit
from marsad.border.models.points import (
    POSTED_ROLES,
    BorderCrossingPoint,
    PointKind,
    PostAssignment,
    assigned_point_ids,
    posted,
)
from marsad.border.models.travellers import DocumentType, TravelDocument, Traveller
from marsad.border.models.watchlists import (
    WATCHLIST_SENSITIVITIES,
    Watchlist,
    WatchlistAction,
    WatchlistEntry,
    entry_fingerprint,
)

__all__ = [
    "EXAMINATION_FEATURES",
    "POSTED_ROLES",
    "WATCHLIST_SENSITIVITIES",
    "YEAR_ONLY_HELP",
    "BorderCrossingPoint",
    "CaseStatus",
    "Crossing",
    "DatePrecision",
    "Decision",
    "Direction",
    "DocumentExaminationCase",
    "DocumentType",
    "ExaminationOutcome",
    "FeatureFinding",
    "HitStatus",
    "NamedMixin",
    "PermitType",
    "PointKind",
    "PostAssignment",
    "Purpose",
    "ScreeningHit",
    "ScreeningOutcome",
    "Sex",
    "Suspicion",
    "TravelDocument",
    "Traveller",
    "Watchlist",
    "WatchlistAction",
    "WatchlistEntry",
    "assigned_point_ids",
    "country_code_validator",
    "entry_fingerprint",
    "name_forms",
    "point_code_validator",
    "posted",
    "state_code_validator",
]
