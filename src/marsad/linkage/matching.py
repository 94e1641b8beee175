"""One record against the registry while it is being typed: the registration form's live
"possibly already registered" panel (``MARSAD_DUPLICATE_FINDER``).

A DuckDB linker per keystroke would cost more than the whole budget (200 ms against a million
persons), so this scores in plain Python with the model in use: candidates come from the
database through the user's scope by indexed keys (given name key with family name key or
father's name, document number, phone), and each is compared field by field with the same
comparison levels as the Splink model, evaluated here by their labels, and weighed with the
model's m and u probabilities and the registry's term frequencies (kept by the last run). The
levels' SQL conditions live in ``marsad.linkage.model.settings``; :class:`ModelScorer` refuses a
model with a level it does not know, and the panel then falls back to the registry's own rules.

Two quirks of DuckDB are kept on purpose so both give the same answer: ``levenshtein`` and
``damerau_levenshtein`` count what the installed DuckDB counts (UTF-8 bytes up to DuckDB 2.0.0,
where an Arabic letter is two; characters from 2.0.1), and ``least`` skips NULLs.
"""

from __future__ import annotations

import datetime
import functools
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from marsad.linkage.labels import verdict_of
from marsad.linkage.model import NAME_COLUMNS, prepare
from marsad.linkage.models import ModelVersion
from marsad.registry import selectors as registry
from marsad.registry.models import Person

logger = logging.getLogger(__name__)

Record = Mapping[str, Any]
Test = Callable[[Record, Record], bool]

#: A name block larger than this is narrowed to those born within ``BIRTH_WINDOWS`` years of
#: the query (when its birth year is known): a common given and father's name gathers hundreds
#: in a million-person registry, and scoring each costs the form's answer time.
NARROW_ABOVE = 60
#: At most this many candidates of one block are scored, whatever the narrowing left: those
#: born nearest the query's birth year when it is known.
MAX_CANDIDATES = 400
#: A name block narrowed to a birth window is read up to this many persons.
BLOCK_READ_LIMIT = 5000
#: The windows tried in turn, in years either side of the query's birth year, until the block
#: is small enough (an estimated birth year is often a year or two off; a block still too
#: large for three years is one of the commonest names, narrowed to one).
BIRTH_WINDOWS = (3, 1)
#: The panel's field names for the model's comparisons (``registry.selectors.FIELD_LABELS``);
#: the mother's name and the origin are weighed but not shown: the form does not ask them.
SHOWN_FIELDS = {
    "given_name": "given_name",
    "father_name": "father_name",
    "grandfather_name": "grandfather_name",
    "family_name": "family_name",
    "sex": "sex",
    "birth_date": "birth_date",
    "national_id": "document",
    "phone": "phone",
}
ALWAYS_SHOWN = frozenset(NAME_COLUMNS)


class UnsupportedModel(ValueError):
    """The model has a comparison level this module cannot evaluate in Python."""


# --- comparison levels, as Python predicates named by their labels ---------------------------


@functools.cache
def duckdb_counts_bytes() -> bool:
    """Whether the installed DuckDB's edit distances count UTF-8 bytes (releases up to 2.0.0)
    rather than characters (2.0.1 on): asked once, of DuckDB itself."""
    import duckdb

    with duckdb.connect() as connection:
        [(distance,)] = connection.execute("SELECT levenshtein('ا', '')").fetchall()
    return distance == 2


def within_one_edit(left: str, right: str, *, transpositions: bool) -> bool:
    """Whether two strings are at most one edit apart, counted as DuckDB's ``levenshtein`` /
    ``damerau_levenshtein`` count them (:func:`duckdb_counts_bytes`)."""
    a: str | bytes
    b: str | bytes
    a, b = (left.encode(), right.encode()) if duckdb_counts_bytes() else (left, right)
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [index for index in range(len(a)) if a[index] != b[index]]
        if len(differ) == 1:
            return True
        return (
            transpositions
            and len(differ) == 2
            and differ[1] == differ[0] + 1
            and a[differ[0]] == b[differ[1]]
            and a[differ[1]] == b[differ[0]]
        )
    if len(a) > len(b):
        a, b = b, a
    index = 0
    while index < len(a) and a[index] == b[index]:
        index += 1
    return a[index:] == b[index + 1 :]


def _equal(left: Any, right: Any) -> bool:
    return left is not None and right is not None and left == right


def _years_apart(left: Record, right: Record, most: int) -> bool:
    a, b = left.get("birth_year"), right.get("birth_year")
    return a is not None and b is not None and abs(a - b) <= most


def _birth_unknown(left: Record, right: Record) -> bool:
    return left.get("birth_year") is None or right.get("birth_year") is None


def _always(left: Record, right: Record) -> bool:
    return True


def _null(column: str) -> Test:
    return lambda left, right: left.get(column) is None or right.get(column) is None


def _same(column: str) -> Test:
    return lambda left, right: _equal(left.get(column), right.get(column))


def _one_off(column: str) -> Test:
    def test(left: Record, right: Record) -> bool:
        a, b = left.get(column), right.get(column)
        return a is not None and b is not None and within_one_edit(a, b, transpositions=False)

    return test


def _long_enough(left: Any, right: Any) -> bool:
    # DuckDB's least() skips a NULL; the edit distance of a NULL is NULL anyway
    lengths = [len(value) for value in (left, right) if value is not None]
    return bool(lengths) and min(lengths) >= 4


def _name_levels(prefix: str) -> dict[str, Test]:
    norm, key, listed = (f"{prefix}_{part}" for part in ("norm", "key", "listed"))

    def close(left: Record, right: Record) -> bool:
        a_norm, b_norm = left.get(norm), right.get(norm)
        a_key, b_key = left.get(key), right.get(key)
        spelling = (
            _long_enough(a_norm, b_norm)
            and a_norm is not None
            and b_norm is not None
            and within_one_edit(a_norm, b_norm, transpositions=True)
        )
        keyed = (
            _long_enough(a_key, b_key)
            and a_key is not None
            and b_key is not None
            and within_one_edit(a_key, b_key, transpositions=False)
        )
        a_listed, b_listed = left.get(listed), right.get(listed)
        different_names = a_listed is not None and b_listed is not None and a_listed != b_listed
        return (spelling or keyed) and not different_names

    return {
        "missing": _null(key),
        "agrees: same spelling": _same(norm),
        "agrees: same name": _same(key),
        "close: one letter off": close,
        "close: one letter off, born within a year": lambda left, right: (
            close(left, right) and _years_apart(left, right, 1)
        ),
        "close: one letter off, birth unknown": lambda left, right: (
            close(left, right) and _birth_unknown(left, right)
        ),
        "disagrees: one letter off, born years apart": close,
        "disagrees": _always,
    }


def _levels_for(comparison: str) -> dict[str, Test]:
    """The Python predicate of each level of ``comparison``, by label (see settings.py)."""
    if comparison in NAME_COLUMNS:
        return _name_levels(NAME_COLUMNS[comparison])
    if comparison == "birth_date":
        return {
            "missing": _birth_unknown,
            "agrees: same date": _same("birth_day"),
            "agrees: same year": lambda left, right: (
                _years_apart(left, right, 0)
                and (left.get("birth_day") is None or right.get("birth_day") is None)
            ),
            "close: same year, other day": lambda left, right: _years_apart(left, right, 0),
            "close: within a year": lambda left, right: _years_apart(left, right, 1),
            "close: within three years": lambda left, right: _years_apart(left, right, 3),
            "disagrees": _always,
        }
    if comparison == "sex":
        return {"missing": _null("sex"), "agrees": _same("sex"), "disagrees": _always}
    if comparison in ("phone", "national_id"):
        return {
            "missing": _null(comparison),
            "agrees": _same(comparison),
            "close: one digit off": _one_off(comparison),
            "close: one character off": _one_off(comparison),
            "disagrees": _always,
        }
    if comparison == "origin_pcode":
        return {
            "missing": _null("origin_pcode"),
            "agrees": _same("origin_pcode"),
            "close: same governorate": _same("origin_gov"),
            "disagrees": _always,
        }
    return {}


# --- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermFrequencies:
    """How often each value of a term-frequency column occurs in the registry."""

    counts: Mapping[tuple[str, str], int]
    totals: Mapping[str, int]

    def of(self, column: str, value: Any) -> float | None:
        total = self.totals.get(column)
        if value is None or not total:
            return None
        # values held by one person only are not kept in the file
        return self.counts.get((column, value), 1) / total


@dataclass(frozen=True)
class _Level:
    label: str
    test: Test
    weight: float  # log2(m/u); 0 for the missing level
    u: float
    tf_column: str | None
    tf_weight: float
    tf_minimum: float


@dataclass(frozen=True)
class Evidence:
    field: str
    label: str
    weight: float


@dataclass
class Score:
    probability: float
    weight: float
    evidence: list[Evidence] = field(default_factory=list)


def _log2(value: float) -> float:
    return math.log2(value) if value > 0 else -math.inf


class ModelScorer:
    """A trained Splink model (its JSON) evaluated in Python on prepared records."""

    def __init__(
        self, model: Mapping[str, Any], frequencies: TermFrequencies | None = None
    ) -> None:
        prior = model.get("probability_two_random_records_match") or 1e-4
        self.prior_weight = math.log2(prior / (1 - prior))
        self.frequencies = frequencies
        self.comparisons: list[tuple[str, list[_Level]]] = []
        for comparison in model["comparisons"]:
            name = comparison["output_column_name"]
            known = _levels_for(name)
            levels = []
            for level in comparison["comparison_levels"]:
                label = level.get("label_for_charts", "")
                if label not in known:
                    raise UnsupportedModel(f"{name}: no Python test for the level {label!r}")
                if level.get("is_null_level"):
                    levels.append(_Level(label, known[label], 0.0, 1.0, None, 0.0, 0.0))
                    continue
                m, u = level.get("m_probability"), level.get("u_probability")
                if not (isinstance(m, int | float) and isinstance(u, int | float) and u > 0):
                    raise UnsupportedModel(f"{name}: {label!r} has no trained m and u")
                levels.append(
                    _Level(
                        label=label,
                        test=known[label],
                        weight=_log2(m) - math.log2(u),
                        u=u,
                        tf_column=level.get("tf_adjustment_column"),
                        tf_weight=float(level.get("tf_adjustment_weight", 1.0) or 0.0),
                        tf_minimum=float(level.get("tf_minimum_u_value", 0.0) or 0.0),
                    )
                )
            self.comparisons.append((name, levels))

    def _tf_adjustment(self, level: _Level, left: Record, right: Record) -> float:
        if not level.tf_column or not level.tf_weight or self.frequencies is None:
            return 0.0
        a = self.frequencies.of(level.tf_column, left.get(level.tf_column))
        b = self.frequencies.of(level.tf_column, right.get(level.tf_column))
        if a is None and b is None:
            return 0.0
        highest = max(value for value in (a, b, level.tf_minimum) if value is not None)
        return level.tf_weight * (math.log2(level.u) - math.log2(highest))

    def level(self, comparison: list[_Level], left: Record, right: Record) -> _Level:
        return next(level for level in comparison if level.test(left, right))

    def score(self, left: Record, right: Record) -> Score:
        """Splink's match weight and probability of the pair, with each field's evidence."""
        total = self.prior_weight
        evidence = []
        for name, levels in self.comparisons:
            level = self.level(levels, left, right)
            weight = level.weight + self._tf_adjustment(level, left, right)
            total += weight
            evidence.append(Evidence(field=name, label=level.label, weight=weight))
        if total > 60:
            probability = 1.0
        elif total == -math.inf or total < -60:
            probability = 0.0
        else:
            odds = 2.0**total
            probability = odds / (1 + odds)
        return Score(probability=probability, weight=total, evidence=evidence)


_scorer_cache: dict[str, Any] = {}


def active_scorer() -> ModelScorer | None:
    """The model in use as a :class:`ModelScorer` (kept per process until the model or the
    term frequencies change), or None when none is in use or it cannot be evaluated here."""
    from marsad.linkage.runs.snapshot import frequencies_path, read_term_frequencies

    current = ModelVersion.objects.filter(is_active=True).values_list("pk", "updated_at").first()
    if current is None:
        return None
    path = frequencies_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    key = (current, stamp)
    if _scorer_cache.get("key") == key:
        return _scorer_cache["scorer"]
    model = ModelVersion.objects.filter(pk=current[0]).values_list("model", flat=True).first()
    frequencies = read_term_frequencies() if stamp is not None else None
    try:
        scorer = ModelScorer(model or {}, TermFrequencies(*frequencies) if frequencies else None)
    except (UnsupportedModel, KeyError, TypeError) as error:
        logger.warning("The linkage model in use cannot score the form: %s", error)
        scorer = None
    _scorer_cache.update(key=key, scorer=scorer)
    return scorer


# --- the registration form's panel -----------------------------------------------------------


def _query_record(data: Mapping[str, Any]) -> dict[str, str]:
    birth = data.get("birth_date")
    if isinstance(birth, datetime.date):
        birth = birth.isoformat()
    return {
        "record_id": "query",
        "source": "registration",
        "given_name": data.get("given_name") or "",
        "father_name": data.get("father_name") or "",
        "grandfather_name": data.get("grandfather_name") or "",
        "family_name": data.get("family_name") or "",
        "mother_name": data.get("mother_name") or "",
        "sex": data.get("sex") or "",
        "birth_date": birth or "",
        "phone": data.get("phone") or "",
        "national_id": data.get("document_number") or data.get("national_id") or "",
        "origin_pcode": data.get("origin_pcode") or "",
    }


def _name_lookups(query: Record) -> list[Q]:
    """The name blocks, the model's own: given name key with the family name key, and given
    name key with the father's name key (each one composite index on ``Person``)."""
    given = query.get("given_key")
    if not given:
        return []
    return [
        Q(given_key=given, **{column: query[column]})
        for column in ("family_key", "father_key")
        if query.get(column)
    ]


def _name_block(visible: Any, condition: Q, birth_year: int | None) -> list[int]:
    """The persons of one name block worth scoring: all of a block of at most
    :data:`NARROW_ABOVE`; of a larger one, those born within :data:`BIRTH_WINDOWS` years of
    the query (the first window that makes it small enough), at most :data:`MAX_CANDIDATES`,
    the nearest in birth year first. The name indexes end with the birth date, so the database
    reads only the widest window's persons of a block of thousands (a common given name with a
    large tribe's name, in a registry of a million)."""
    people = visible.filter(condition).values_list("pk", "birth_date")
    rows = list(people[: NARROW_ABOVE + 1])
    if len(rows) <= NARROW_ABOVE:
        return [pk for pk, _born in rows]
    if not birth_year:  # nothing to narrow by: as many as may be scored
        return list(people.values_list("pk", flat=True)[:MAX_CANDIDATES])
    widest = BIRTH_WINDOWS[0]
    window = (datetime.date(birth_year - widest, 1, 1), datetime.date(birth_year + widest, 12, 31))
    rows = list(people.filter(birth_date__range=window)[:BLOCK_READ_LIMIT])
    for years in BIRTH_WINDOWS[1:]:
        if len(rows) <= NARROW_ABOVE:
            break
        rows = [row for row in rows if abs(row[1].year - birth_year) <= years]
    if len(rows) > MAX_CANDIDATES:
        rows.sort(key=lambda row: (abs(row[1].year - birth_year), row[0]))
    return [pk for pk, _born in rows[:MAX_CANDIDATES]]


def _candidate_ids(user: Any, data: Mapping[str, Any], query: Record) -> list[int]:
    """Registered persons in the user's scope who share a blocking key with the query. Each
    key is looked up on its own (an OR across them, with the joins to documents and phones,
    would scan the whole table); a large name block is narrowed by birth year
    (:func:`_name_block`)."""
    visible = registry.persons(user).order_by()
    ids: dict[int, None] = {}
    birth_year = query.get("birth_year")
    for condition in _name_lookups(query):
        ids.update(dict.fromkeys(_name_block(visible, condition, birth_year)))
    for lookup, value in (
        ("documents__number_normalised", query.get("national_id")),
        ("phones__number_normalised", query.get("phone")),
    ):
        if value:
            found = visible.filter(**{lookup: value}).values_list("pk", flat=True)
            ids.update(dict.fromkeys(found[:MAX_CANDIDATES]))
    return list(ids)


def _evidence(score: Score) -> list[tuple[str, str]]:
    shown = []
    for item in score.evidence:
        name = SHOWN_FIELDS.get(item.field)
        verdict = verdict_of(item.label)
        if name is None or (verdict == "missing" and item.field not in ALWAYS_SHOWN):
            continue
        shown.append((name, verdict))
    return shown


def find_duplicates(
    user: Any, data: Mapping[str, Any], *, limit: int
) -> list[registry.Candidate] | None:
    """Registered persons the user may see who may be the person described by ``data`` (the
    form's names, sex, birth date, document number and phone), most probable first, scored by
    the model in use. None when no model is in use: the registry's own rules answer then."""
    scorer = active_scorer()
    if scorer is None:
        return None
    query = prepare([_query_record(data)]).table.to_pylist()[0]
    ids = _candidate_ids(user, data, query)
    if not ids:
        return []
    scored = []
    for record in prepare(
        registry.linkage_records(Person.objects.filter(pk__in=ids))
    ).table.to_pylist():
        score = scorer.score(query, record)
        if round(100 * score.probability) > 0:
            scored.append((score, int(record["record_id"])))
    scored.sort(key=lambda item: (-item[0].probability, item[1]))
    scored = scored[:limit]
    persons = registry.persons(user).in_bulk([pk for _score, pk in scored])
    return [
        registry.Candidate(
            person=persons[pk],
            score=round(100 * score.probability),
            evidence=_evidence(score),
        )
        for score, pk in scored
        if pk in persons
    ]
