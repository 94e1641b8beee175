"""A traveller against one watchlist entry: a 0–100 score and the evidence behind it.

The score starts from the name score (``names``: parts aligned in order, best over the entry's
full name and aliases) and adds or subtracts points for the other evidence:

======================  =============================================================  ======
common names            per tenfold of listed names the matched parts would meet by     −10
                        chance (Mohammed Ali al-Jubouri), from 0.15, at most −35
birth date              the same day                                                     +30
                        the same year, either side known only to the year (or 1 Jan.)    +16
                        the same year, day and month written the other way round          +6
                        the same year, another day                                        −10
                        one year apart                                                     −5
                        two or more years apart                                           −30
nationality             the same                                                           +3
                        different                                                         −10
document number         the same number                    +50, and at least 90 unless the
                                                           nationalities differ
======================  =============================================================  ======

Missing values on either side count neither way; two different document numbers do not count
against (people hold several documents). The name and the birth date are weighed on one scale,
about 10 points per tenfold: a name that more than about one listed name in seven would match
by chance is weak evidence of identity on its own (most travellers are not listed), a birth year
agrees by chance for about one traveller in 60, the same day for one in 20,000. The default
threshold (``DEFAULT_THRESHOLD``) was chosen on the screening benchmark
(``bench/screening/run.py`` prints recall and precision by threshold).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from marsad.border.screening.names import (
    DIFFERENT,
    EXACT,
    MISSING_FROM_LIST,
    MISSING_FROM_TRAVELLER,
    MISSING_INSIDE,
    OUT_OF_ORDER,
    SURNAME_FIRST,
    TYPO,
    VARIANT,
    Alignment,
    NameComparison,
    PartMatch,
    PersonName,
    TokenComparer,
    best_alignment,
)
from marsad.border.screening.records import (
    PartialDate,
    Traveller,
    WatchlistEntry,
    entry_version,
    normalise_document,
    normalise_nationality,
)

__all__ = [
    "ALGORITHM",
    "DEFAULT_THRESHOLD",
    "Evidence",
    "Explanation",
    "Hit",
    "compare_birth_dates",
    "compare_documents",
    "compare_nationalities",
    "score_entry",
]

#: Recorded with every hit, so a hit can be re-screened when the algorithm changes.
ALGORITHM = "marsad-screening/8"
#: Hits are pairs scoring at least this much (chosen on the benchmark, see the module doc).
DEFAULT_THRESHOLD = 85

NAME_FREQUENCY = "name_frequency"
BIRTH_DATE = "birth_date"
NATIONALITY = "nationality"
DOCUMENT = "document_number"

# Verdicts on one piece of evidence.
AGREES = "agrees"
YEAR_AGREES = "year_agrees"
DAY_MONTH_SWAPPED = "day_month_swapped"
OTHER_DAY = "other_day"
ONE_YEAR_APART = "one_year_apart"
DISAGREES = "disagrees"
MISSING = "missing"
COMMON = "common"
#: A document number shorter than this is too short to be evidence.
MIN_DOCUMENT_LENGTH = 5
#: What a reader who may not see the listed person reads in place of a listed value (the
#: hit page's table writes the same).
WITHHELD = "…"

POINTS = {
    BIRTH_DATE: {
        AGREES: 30.0,
        YEAR_AGREES: 16.0,
        DAY_MONTH_SWAPPED: 6.0,
        OTHER_DAY: -10.0,
        ONE_YEAR_APART: -5.0,
        DISAGREES: -30.0,
        MISSING: 0.0,
    },
    NATIONALITY: {AGREES: 3.0, DISAGREES: -10.0, MISSING: 0.0},
    DOCUMENT: {AGREES: 50.0, DISAGREES: 0.0, MISSING: 0.0},
}
#: A listed document number presented with a nationality that does not contradict the entry.
DOCUMENT_FLOOR = 90.0
#: Points off per tenfold of listed names the matched parts would meet by chance, from this
#: many, and at most (chosen on the benchmark with the birth date points, see the module doc).
COMMON_NAME_POINTS = 10.0
COMMON_NAME_FROM = 0.15
COMMON_NAME_CAP = 35.0


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence beside the name: its verdict and the points it gave."""

    feature: str
    verdict: str
    points: float
    traveller: str = ""
    listed: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "verdict": self.verdict,
            "points": self.points,
            "traveller": self.traveller,
            "listed": self.listed,
        }

    def words(self) -> str:
        values = {"traveller": self.traveller, "listed": self.listed}
        return _EVIDENCE_WORDS[(self.feature, self.verdict)]() % values

    def without_listed(self) -> Evidence:
        """The listed value withheld; the traveller's value, the verdict and the points kept.
        (The common-name count is about the list, not the listed person: it stays.)"""
        if self.feature == NAME_FREQUENCY or not self.listed:
            return self
        return replace(self, listed=WITHHELD)


def compare_birth_dates(traveller: PartialDate | None, listed: PartialDate | None) -> Evidence:
    def evidence(verdict: str) -> Evidence:
        return Evidence(
            BIRTH_DATE,
            verdict,
            POINTS[BIRTH_DATE][verdict],
            traveller.isoformat() if traveller else "",
            listed.isoformat() if listed else "",
        )

    if traveller is None or listed is None:
        return evidence(MISSING)
    apart = abs(traveller.year - listed.year)
    if apart >= 2:
        return evidence(DISAGREES)
    if apart == 1:
        return evidence(ONE_YEAR_APART)
    # 1 January is what registries write when only the year is known. Where either side knows
    # only the year, the years agreeing is all the dates say, even when both write 1980.
    if (
        traveller.year_only
        or listed.year_only
        or (traveller.month, traveller.day) == (1, 1)
        or (listed.month, listed.day) == (1, 1)
    ):
        return evidence(YEAR_AGREES)
    if (traveller.month, traveller.day) == (listed.month, listed.day):
        return evidence(AGREES)
    if (traveller.month, traveller.day) == (listed.day, listed.month):
        return evidence(DAY_MONTH_SWAPPED)
    return evidence(OTHER_DAY)


def name_frequency(comparison: NameComparison, comparer: TokenComparer) -> Evidence:
    """How many listed names the matched parts would meet by chance: common names (Mohammed
    Ali al-Jubouri) are weak evidence, rare ones strong. Needs the list's key frequencies (an
    index); without them nothing is counted."""
    if comparer.key_share is None or not comparison.matched_keys:
        return Evidence(NAME_FREQUENCY, MISSING, 0.0)
    expected = float(comparer.population)
    for key in comparison.matched_keys:
        expected *= comparer.key_share(key)
    if expected <= COMMON_NAME_FROM:
        return Evidence(NAME_FREQUENCY, MISSING, 0.0)
    points = -min(COMMON_NAME_CAP, COMMON_NAME_POINTS * math.log10(expected / COMMON_NAME_FROM))
    shown = f"{expected:.0f}" if expected >= 10 else f"{expected:.2g}"
    return Evidence(NAME_FREQUENCY, COMMON, round(points, 1), "", shown)


def compare_nationalities(traveller: str, listed: str) -> Evidence:
    first, second = normalise_nationality(traveller), normalise_nationality(listed)
    verdict = (AGREES if first == second else DISAGREES) if first and second else MISSING
    return Evidence(NATIONALITY, verdict, POINTS[NATIONALITY][verdict], first, second)


def compare_documents(traveller: str, listed: tuple[str, ...]) -> Evidence:
    number = normalise_document(traveller)
    numbers = [normalise_document(other) for other in listed]
    numbers = [other for other in numbers if len(other) >= MIN_DOCUMENT_LENGTH]
    if len(number) < MIN_DOCUMENT_LENGTH or not numbers:
        verdict, shown = MISSING, ""
    elif number in numbers:
        verdict, shown = AGREES, number
    else:
        verdict, shown = DISAGREES, "; ".join(numbers)
    return Evidence(DOCUMENT, verdict, POINTS[DOCUMENT][verdict], number, shown)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a traveller scored what they did against an entry: structured, and in words.

    :meth:`without_listed` gives the same explanation for a reader who may not see the listed
    person (``listed_hidden``): every listed value withheld, the traveller's side kept.
    """

    score: int
    name: NameComparison
    #: The entry's name or alias the traveller's name was compared with.
    listed_name: str
    alias: bool
    evidence: tuple[Evidence, ...]
    listed_hidden: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "name_score": round(self.name.score, 1),
            "listed_name": self.listed_name,
            "alias": None if self.listed_hidden else self.alias,
            "listed_hidden": self.listed_hidden,
            "order": self.name.order,
            "parts": [part.as_dict() for part in self.name.parts],
            "evidence": [item.as_dict() for item in self.evidence],
        }

    def without_listed(self) -> Explanation:
        """For a reader who may not see the listed person: the listed name (or alias), the
        listed spelling of each name part and the listed birth date, nationality and document
        numbers withheld (:data:`WITHHELD`); scores, verdicts and the traveller's own values
        kept, so the reader still sees why the document matched."""
        if self.listed_hidden:
            return self
        parts = tuple(
            replace(part, listed=WITHHELD) if part.listed else part for part in self.name.parts
        )
        return replace(
            self,
            name=replace(self.name, parts=parts, matched_keys=()),
            listed_name=WITHHELD,
            alias=False,
            evidence=tuple(item.without_listed() for item in self.evidence),
            listed_hidden=True,
        )

    @classmethod
    def from_dict(cls, data: dict) -> Explanation:
        """An explanation stored as :meth:`as_dict` gave it (to put it into words again, in
        whatever language is active when it is shown)."""
        return cls(
            score=int(data["score"]),
            name=NameComparison(
                score=float(data["name_score"]),
                parts=tuple(
                    PartMatch(part["kind"], part["traveller"], part["listed"], part["similarity"])
                    for part in data["parts"]
                ),
                order=data["order"],
            ),
            listed_name=data["listed_name"],
            alias=bool(data["alias"]),
            listed_hidden=bool(data.get("listed_hidden", False)),
            evidence=tuple(
                Evidence(
                    item["feature"],
                    item["verdict"],
                    float(item["points"]),
                    item["traveller"],
                    item["listed"],
                )
                for item in data["evidence"]
            ),
        )

    def words(self) -> str:
        """One line in the active language, e.g. for the CSV and the officer's screen."""
        values = {"score": round(self.name.score), "name": self.listed_name}
        if self.listed_hidden:
            head = _("name %(score)d/100 against the listed name") % values
        elif self.alias:
            head = _("name %(score)d/100 against the alias “%(name)s”") % values
        else:
            head = _("name %(score)d/100 against “%(name)s”") % values
        parts = [_part_words(part) for part in self.name.parts]
        if self.name.order == SURNAME_FIRST:
            parts.append(_("read surname first"))
        sentences = [f"{head}: {', '.join(parts)}"]
        sentences.extend(item.words() for item in self.evidence if item.verdict != MISSING)
        return "; ".join(sentences)


@dataclass(frozen=True, slots=True)
class Hit:
    """A traveller scoring at or above the threshold against an entry.

    ``memory_key`` is what a reviewer's decision is remembered by: the same entry, as it
    identifies the listed person (its version, ``records.identity_fingerprint``: the rule the
    database's cleared hits keep too), and the same document. A cleared hit is not raised again
    for that key; another name, alias, birth date, nationality or document number on the entry,
    or another document, raises it afresh (a new reason, action or validity does not).
    """

    traveller_id: str
    entry_id: str
    entry_version: str
    document_number: str
    score: int
    action: str
    explanation: Explanation
    algorithm: str = ALGORITHM

    @property
    def memory_key(self) -> tuple[str, str, str]:
        return (self.entry_id, self.entry_version, self.document_number)

    def as_dict(self) -> dict[str, object]:
        return {
            "traveller_id": self.traveller_id,
            "entry_id": self.entry_id,
            "entry_version": self.entry_version,
            "document_number": self.document_number,
            "score": self.score,
            "action": self.action,
            "algorithm": self.algorithm,
            "explanation": self.explanation.as_dict(),
        }


def entry_evidence(
    traveller: Traveller, entry: WatchlistEntry
) -> tuple[Evidence, Evidence, Evidence]:
    """Birth date, nationality and document number: the evidence beside the name."""
    return (
        compare_birth_dates(traveller.birth_date, entry.birth_date),
        compare_nationalities(traveller.nationality, entry.nationality),
        compare_documents(traveller.document_number, entry.document_numbers),
    )


def score_entry(
    traveller: Traveller,
    traveller_name: PersonName,
    entry: WatchlistEntry,
    entry_names: list[PersonName],
    comparer: TokenComparer,
    *,
    threshold: float | None = None,
) -> Explanation | None:
    """The traveller against the entry (its best-matching name), with every piece of evidence.

    With a ``threshold``, None as soon as the entry cannot reach it.
    """
    birth, nationality, document = entry_evidence(traveller, entry)
    floor = (
        DOCUMENT_FLOOR if document.verdict == AGREES and nationality.verdict != DISAGREES else 0.0
    )
    other = birth.points + nationality.points + document.points
    hopeless = threshold is not None and floor < threshold
    # The score is the rounded total, so the early answers round too: a total of 84.6 is the
    # 85 the explanation shows, and a hit at a threshold of 85.
    if hopeless and round(100.0 + other) < threshold:
        return None
    best: Alignment | None = None
    best_index = 0
    for index, listed in enumerate(entry_names):
        alignment = best_alignment(traveller_name, listed, comparer)
        if alignment is not None and (best is None or alignment.score > best.score):
            best, best_index = alignment, index
    name_score = best.score if best is not None else 0.0
    if hopeless and round(name_score + other) < threshold:
        return None
    comparison = best.describe() if best is not None else NameComparison(0.0, ())
    evidence = (name_frequency(comparison, comparer), birth, nationality, document)
    total = max(name_score + sum(item.points for item in evidence), floor)
    score = round(min(100.0, max(0.0, total)))
    if threshold is not None and score < threshold:
        return None
    return Explanation(
        score=score,
        name=comparison,
        listed_name=entry_names[best_index].written if entry_names else "",
        alias=best_index > 0,
        evidence=evidence,
    )


def make_hit(traveller: Traveller, entry: WatchlistEntry, explanation: Explanation) -> Hit:
    return Hit(
        traveller_id=traveller.traveller_id,
        entry_id=entry.entry_id,
        entry_version=entry_version(entry),
        document_number=normalise_document(traveller.document_number),
        score=explanation.score,
        action=entry.action,
        explanation=explanation,
    )


def _part_words(part: PartMatch) -> str:
    kind = part.kind
    if kind in (DIFFERENT, MISSING_INSIDE) and not part.listed:
        kind += "_traveller"
    elif kind in (DIFFERENT, MISSING_INSIDE) and not part.traveller:
        kind += "_listed"
    return _PART_WORDS[kind]() % part.as_dict()


# Words are looked up when asked for (in the active language), never at import.
_PART_WORDS = {
    EXACT: lambda: _("%(traveller)s = %(listed)s"),
    VARIANT: lambda: _("%(traveller)s ~ %(listed)s (same name, other spelling or script)"),
    TYPO: lambda: _("%(traveller)s ≈ %(listed)s (close spelling)"),
    DIFFERENT: lambda: _("%(traveller)s ≠ %(listed)s (different name)"),
    DIFFERENT + "_traveller": lambda: _("%(traveller)s: not the listed given name"),
    DIFFERENT + "_listed": lambda: _("listed %(listed)s: not the document's given name"),
    OUT_OF_ORDER: lambda: _("%(traveller)s = %(listed)s but in another place in the name"),
    MISSING_FROM_TRAVELLER: lambda: _("%(listed)s not on the document"),
    MISSING_INSIDE + "_traveller": lambda: _(
        "%(traveller)s not on the list, though later names are"
    ),
    MISSING_INSIDE + "_listed": lambda: _("%(listed)s not on the document, though later names are"),
    MISSING_FROM_LIST: lambda: _("%(traveller)s not on the list"),
}
_EVIDENCE_WORDS = {
    (NAME_FREQUENCY, COMMON): lambda: _(
        "common names: about %(listed)s listed names would match them by chance"
    ),
    (BIRTH_DATE, AGREES): lambda: _("birth date agrees (%(traveller)s)"),
    (BIRTH_DATE, YEAR_AGREES): lambda: _(
        "birth year agrees (%(traveller)s, listed %(listed)s; day not known on one side or both)"
    ),
    (BIRTH_DATE, DAY_MONTH_SWAPPED): lambda: _(
        "birth date %(traveller)s, listed %(listed)s: day and month the other way round"
    ),
    (BIRTH_DATE, OTHER_DAY): lambda: _(
        "birth date differs in the same year (%(traveller)s, listed %(listed)s)"
    ),
    (BIRTH_DATE, ONE_YEAR_APART): lambda: _(
        "birth year one apart (%(traveller)s, listed %(listed)s)"
    ),
    (BIRTH_DATE, DISAGREES): lambda: _("birth date disagrees (%(traveller)s, listed %(listed)s)"),
    (NATIONALITY, AGREES): lambda: _("nationality agrees (%(traveller)s)"),
    (NATIONALITY, DISAGREES): lambda: _("nationality differs (%(traveller)s, listed %(listed)s)"),
    (DOCUMENT, AGREES): lambda: _("document number %(traveller)s is listed"),
    (DOCUMENT, DISAGREES): lambda: _(
        "document number %(traveller)s is not the listed %(listed)s (not counted against)"
    ),
}
