"""The watchlist in memory: candidate retrieval in microseconds, then careful scoring.

Stage one finds the few entries worth scoring. Every listed name (full name and aliases) is
indexed under each unordered pair of its parts' phonetic keys, with its birth year: "Ahmed
Khalil al-Jubouri", born 1980, is found under {ahmed, khalil}/1980, {ahmed, jubouri}/1980 and
{khalil, jubouri}/1980. Keys are the normaliser's, so Arabic and Latin spellings meet; pairs
are unordered, so a surname written first still meets; any two parts suffice, so dropped middle
names still meet; a part with a typo is looked up under the known keys one consonant class away
(a SymSpell-style deletion table over the key vocabulary) and, when no list spells it so, under
the keys of the listed spellings one keyboard slip away (a deletion table over the spellings:
stage two takes such a part for a slip of them, whatever its own key). A traveller is looked
up under the birth years one either side and "unknown" (all years when the document has none),
and under the document number. A name comes back when enough of the traveller's parts met it (see
``_bounds``) and when the best score it could still reach, worked out in NumPy from which parts
met, how common they are, the birth date and the nationality, is near the threshold: common
names found under a common pair cost nothing more.

Stage two scores each candidate entry (``scoring.score_entry``): parts aligned in order, and
birth date, nationality and document number as evidence for and against.

The postings are sorted NumPy arrays (about 12 bytes a pair), so a million entries fit in a
few gigabytes with their Python objects.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations

import numpy as np

from marsad.border.screening.names import (
    COST_DIFFERENT,
    COST_FAMILY_NOT_LISTED,
    COST_MISSING_FROM_LIST,
    COST_MISSING_FROM_TRAVELLER,
    COST_UNSURE,
    FAMILY,
    PERSONAL,
    WEIGHT_FIRST,
    WEIGHT_LAST,
    WEIGHT_MIDDLE,
    PersonName,
    Token,
    TokenComparer,
    entry_name,
    min_slip_length,
    one_slip_text,
    traveller_name,
    typo_close,
)
from marsad.border.screening.records import (
    PartialDate,
    Traveller,
    WatchlistEntry,
    entry_version,
    normalise_document,
    normalise_nationality,
)
from marsad.border.screening.scoring import (
    AGREES,
    BIRTH_DATE,
    COMMON_NAME_CAP,
    COMMON_NAME_FROM,
    COMMON_NAME_POINTS,
    DAY_MONTH_SWAPPED,
    DEFAULT_THRESHOLD,
    DISAGREES,
    MIN_DOCUMENT_LENGTH,
    MISSING,
    NATIONALITY,
    ONE_YEAR_APART,
    OTHER_DAY,
    POINTS,
    YEAR_AGREES,
    Explanation,
    Hit,
    make_hit,
    score_entry,
)

__all__ = ["Candidate", "WatchlistIndex"]

KEY_BITS = 21  # up to two million distinct keys
YEAR_BITS = 8
YEAR_BASE = 1850  # year code = year - 1850 (1..255); 0 = unknown
NO_KEY = 0
MAX_PARTS = 16  # parts of a traveller's name used for retrieval (the bit masks' width)
MAX_ALTERNATIVES = 6  # typo alternatives looked up per part
#: A spelling (or key) used by at least this share of the listed names is a name as spelled
#: (in a list under 100,000 names: used at all). A traveller's part the list does not know so is
#: "unsure": possibly garbled, so it may be a slip of a listed part.
KNOWN_SHARE = 1e-5
# A key standing last in at least this share of its places in names of three parts or more is
# a family name, in at most this share a personal name (counted over at least ROLE_MIN_COUNT).
FAMILY_SHARE = 0.6
PERSONAL_SHARE = 0.2
ROLE_MIN_COUNT = 3

#: Stage one's bound is a close estimate, not a proof (rare alignments score a little more):
#: candidates within this many points of the threshold are scored too.
BOUND_MARGIN = 5.0
MASK_TABLE_PARTS = 12  # names with more parts get no common-name bound in stage one
_POPCOUNT = np.array([bin(value).count("1") for value in range(1 << MAX_PARTS)], dtype=np.int8)


def _year_code(year: int | None) -> int:
    if not year:
        return 0
    return min(max(year - YEAR_BASE, 1), (1 << YEAR_BITS) - 1)


def _month_day(birth: PartialDate) -> int:
    """Month and day as one number (0: known to the year only)."""
    return 0 if birth.year_only else birth.month * 32 + birth.day


_NEW_YEAR = 1 * 32 + 1  # 1 January, what registries write when only the year is known


def _birth_points(year: int, month_day: int, years: np.ndarray, days: np.ndarray) -> np.ndarray:
    """``scoring.compare_birth_dates`` for one traveller against many entries, as points."""
    points = POINTS[BIRTH_DATE]
    apart = np.abs(years.astype(np.int32) - year)
    swapped = (month_day % 32) * 32 + month_day // 32 if month_day else -1
    year_only = (days == 0) | (days == _NEW_YEAR) | (month_day in (0, _NEW_YEAR))
    same_year = np.where(
        year_only,
        points[YEAR_AGREES],
        np.where(
            days == month_day,
            points[AGREES],
            np.where(days == swapped, points[DAY_MONTH_SWAPPED], points[OTHER_DAY]),
        ),
    )
    return np.where(
        years == 0,
        points[MISSING],
        np.where(
            apart >= 2, points[DISAGREES], np.where(apart == 1, points[ONE_YEAR_APART], same_year)
        ),
    )


def _deletions(text: str) -> set[str]:
    return {text[:position] + text[position + 1 :] for position in range(len(text))}


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry found in stage one, with the names of it that were found."""

    entry_index: int
    name_ids: tuple[int, ...]
    by_document: bool = False
    #: The most the entry can score against the traveller, from what stage one knows.
    bound: float = 100.0


class _Postings:
    """Sorted (key, name id) pairs looked up many keys at a time."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.values = values[order]

    def lookup(
        self, keys: np.ndarray, masks: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The name ids posted under ``keys`` and, for each, the mask of the key that found it
        and that key's position in ``keys``."""
        low = np.searchsorted(self.keys, keys, side="left")
        high = np.searchsorted(self.keys, keys, side="right")
        lengths = high - low
        found = np.flatnonzero(lengths)
        if not len(found):
            empty = np.empty(0, dtype=np.int32)
            return empty, empty, empty
        low, lengths, masks = low[found], lengths[found], masks[found]
        total = int(lengths.sum())
        ends = np.cumsum(lengths)
        positions = np.arange(total) - np.repeat(ends - lengths - low, lengths)
        return self.values[positions], np.repeat(masks, lengths), np.repeat(found, lengths)


class WatchlistIndex:
    """A watchlist ready for screening. Build it once; screen any number of travellers."""

    def __init__(self, entries: Iterable[WatchlistEntry]) -> None:
        started = time.perf_counter()
        self.entries: list[WatchlistEntry] = list(entries)
        self._key_ids: dict[str, int] = {}
        key_tokens: list[Token | None] = [None]  # a token per key id, for typo checks
        names: list[PersonName] = []
        name_entry: list[int] = []
        entry_first_name = np.zeros(len(self.entries) + 1, dtype=np.int64)
        with_year_keys: list[int] = []
        any_year_keys: list[int] = []
        posted_names: list[int] = []
        key_frequency: Counter[int] = Counter()
        spelling_frequency: Counter[str] = Counter()
        spellings: dict[str, Token] = {}  # each listed spelling, once
        # Where keys stand in names of three parts or more: last (family) or before.
        key_last: Counter[int] = Counter()
        key_long: Counter[int] = Counter()
        self._documents: dict[str, list[int]] = {}
        key_ids = self._key_ids
        build_name = entry_name.__wrapped__  # not through the cache: each name is seen once
        shift = KEY_BITS
        for entry_index, entry in enumerate(self.entries):
            entry_first_name[entry_index] = len(names)
            year = _year_code(entry.birth_date.year if entry.birth_date else None)
            for written in entry.names:
                name = build_name(written)
                if not name.tokens:
                    continue
                name_id = len(names)
                names.append(name)
                name_entry.append(entry_index)
                ids = []
                for token in name.tokens:
                    key_id = key_ids.get(token.key)
                    if key_id is None:
                        key_id = key_ids[token.key] = len(key_tokens)
                        key_tokens.append(token)
                    ids.append(key_id)
                    spellings.setdefault(token.text, token)
                unique = sorted(set(ids))
                key_frequency.update(unique)
                spelling_frequency.update(token.text for token in name.tokens)
                if len(ids) >= 3:
                    key_long.update(ids)
                    key_last[ids[-1]] += 1
                if len(unique) == 1:
                    pairs = [(NO_KEY << shift) | unique[0]]
                else:
                    pairs = [(first << shift) | second for first, second in combinations(unique, 2)]
                for pair in pairs:
                    any_year_keys.append(pair)
                    with_year_keys.append((pair << YEAR_BITS) | year)
                    posted_names.append(name_id)
            for number in entry.document_numbers:
                normal = normalise_document(number)
                if len(normal) >= MIN_DOCUMENT_LENGTH:
                    self._documents.setdefault(normal, []).append(entry_index)
        entry_first_name[len(self.entries)] = len(names)
        # Birth dates and nationalities as arrays, for stage one's bound.
        self._nationality_ids: dict[str, int] = {}
        self._entry_year = np.zeros(len(self.entries), dtype=np.int16)
        self._entry_month_day = np.zeros(len(self.entries), dtype=np.int16)
        self._entry_nationality = np.zeros(len(self.entries), dtype=np.int32)
        for entry_index, entry in enumerate(self.entries):
            if entry.birth_date is not None:
                self._entry_year[entry_index] = entry.birth_date.year
                self._entry_month_day[entry_index] = _month_day(entry.birth_date)
            if entry.nationality:
                self._entry_nationality[entry_index] = self._nationality_id(entry.nationality)
        if len(key_tokens) >= 1 << KEY_BITS:
            raise ValueError("too many distinct name keys for the index")
        self._names = names
        self._name_entry = np.array(name_entry, dtype=np.int32)
        self._entry_first_name = entry_first_name
        self._name_parts = np.array([len(name.tokens) for name in names], dtype=np.int32)
        values = np.array(posted_names, dtype=np.int32)
        self._with_year = _Postings(np.array(with_year_keys, dtype=np.int64), values)
        self._any_year = _Postings(np.array(any_year_keys, dtype=np.int64), values)
        del with_year_keys, any_year_keys, posted_names
        self._key_tokens = key_tokens
        self._key_frequency = np.zeros(len(key_tokens), dtype=np.int64)
        for key_id, count in key_frequency.items():
            self._key_frequency[key_id] = count
        self._known_count = max(1, int(KNOWN_SHARE * len(names)))
        self._known_spellings = frozenset(
            text for text, count in spelling_frequency.items() if count >= self._known_count
        )
        self._roles: dict[int, str] = {}
        for key_id, total in key_long.items():
            if total >= ROLE_MIN_COUNT:
                share = key_last[key_id] / total
                if share >= FAMILY_SHARE:
                    self._roles[key_id] = FAMILY
                elif share <= PERSONAL_SHARE:
                    self._roles[key_id] = PERSONAL
        # Listed spellings by their one-letter deletions, for parts no list spells so: one
        # keyboard slip from a listed spelling is a slip (Kamli: Kamil) whatever the keys say.
        self._spelling_keys: dict[str, int] = {}
        self._slip_table: dict[str, list[str]] = {}
        for spelling, token in spellings.items():
            self._spelling_keys[spelling] = key_ids[token.key]
            if len(spelling) >= min_slip_length(token.arabic):
                for variant in _deletions(spelling) | {spelling}:
                    self._slip_table.setdefault(variant, []).append(spelling)
        self._deletion_table: dict[str, list[int]] = {}
        for key_id in range(1, len(key_tokens)):
            token = key_tokens[key_id]
            assert token is not None
            if len(token.skeleton) >= 3:
                for variant in _deletions(token.skeleton) | {token.skeleton}:
                    self._deletion_table.setdefault(variant, []).append(key_id)
        self._share_denominator = max(1, len(names))
        self.comparer = TokenComparer(
            key_share=self.key_share,
            population=len(names),
            role=self.role,
            unsure=self.unsure,
            misspelt=self.misspelt,
        )
        self._alternatives_cache: dict[int, tuple[int, ...]] = {}
        self.build_seconds = time.perf_counter() - started

    # --- facts about the list ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        return len(self._names)

    @property
    def posting_count(self) -> int:
        return len(self._any_year.keys)

    def version(self) -> str:
        """A fingerprint of the whole list as screened: every entry, in order, with what it
        matches on (its ``entry_version``) and what decides its hits (action, validity), so
        that any edit that can change a screening's result gives a new one."""
        digest = hashlib.sha256()
        for entry in self.entries:
            digest.update(
                "\x1f".join(
                    (
                        entry.entry_id,
                        entry_version(entry),
                        entry.action,
                        entry.valid_from.isoformat() if entry.valid_from else "",
                        entry.valid_until.isoformat() if entry.valid_until else "",
                    )
                ).encode("utf-8")
                + b"\x1e"
            )
        return digest.hexdigest()[:16]

    def known(self, token: Token) -> bool:
        """Whether a part is a name as spelled: listed in the lexicon, or common here."""
        return bool(token.listed) or token.text in self._known_spellings

    def misspelt(self, token: Token) -> bool:
        """Whether a part is no spelling this list knows (its key may still be a name's)."""
        return not self.known(token)

    def unsure(self, token: Token) -> bool:
        """Whether a part is no name this list knows: neither its spelling nor its key is
        common here, nor is it in the lexicon (a garbled spelling, or a rare name)."""
        if self.known(token):
            return False
        key_id = self._key_ids.get(token.key)
        return key_id is None or self._key_frequency[key_id] < self._known_count

    def role(self, token: Token) -> str | None:
        """FAMILY when the list mostly puts this key last in a name of three parts or more,
        PERSONAL when it rarely does, None when it cannot tell."""
        key_id = self._key_ids.get(token.key)
        return None if key_id is None else self._roles.get(key_id)

    def _nationality_id(self, nationality: str) -> int:
        code = normalise_nationality(nationality)
        if not code:
            return 0
        return self._nationality_ids.setdefault(code, len(self._nationality_ids) + 1)

    def key_share(self, key: str) -> float:
        """The share of listed names with a part of this phonetic key."""
        key_id = self._key_ids.get(key)
        if key_id is None:
            return 1.0 / self._share_denominator
        return float(self._key_frequency[key_id]) / self._share_denominator

    def iter_names(self) -> Iterator[tuple[int, PersonName]]:
        """Every listed name (full names and aliases) with the index of its entry."""
        for name_id, name in enumerate(self._names):
            yield int(self._name_entry[name_id]), name

    def names_of(self, entry_index: int) -> list[PersonName]:
        first, last = self._entry_first_name[entry_index], self._entry_first_name[entry_index + 1]
        return self._names[first:last]

    # --- stage one: candidates ---------------------------------------------------------------

    def _alternatives(self, token: Token) -> tuple[int, ...]:
        """Key ids of listed parts that could be this part with a typo (or it theirs)."""
        found = self._alternatives_cache.get(token.uid)
        if found is not None:
            return found
        own = self._key_ids.get(token.key)
        token_unsure = self.unsure(token)
        candidates: set[int] = set()
        if len(token.skeleton) >= 3:
            for variant in _deletions(token.skeleton) | {token.skeleton}:
                candidates.update(self._deletion_table.get(variant, ()))
        chosen = set(self._slips(token, own))
        for key_id in candidates:
            other = self._key_tokens[key_id]
            assert other is not None
            if key_id == own or other.skeleton == token.skeleton:
                continue
            if not (token_unsure or self.unsure(other)):
                continue  # two recognisable names: no slip (see TokenComparer)
            if typo_close(token, other):
                chosen.add(key_id)
        ordered = sorted(chosen, key=lambda key_id: (-self._key_frequency[key_id], key_id))
        result = tuple(ordered[:MAX_ALTERNATIVES])
        if len(self._alternatives_cache) > 1_000_000:
            self._alternatives_cache.clear()
        self._alternatives_cache[token.uid] = result
        return result

    def _slips(self, token: Token, own: int | None) -> set[int]:
        """Key ids of listed spellings one slip from this part, when the list spells it no way
        it knows (``TokenComparer`` takes such a part for a slip of them)."""
        if not self.misspelt(token) or len(token.text) < min_slip_length(token.arabic):
            return set()
        found = set()
        for variant in _deletions(token.text) | {token.text}:
            for spelling in self._slip_table.get(variant, ()):
                key_id = self._spelling_keys[spelling]
                if key_id != own and key_id not in found and one_slip_text(token, spelling):
                    found.add(key_id)
        return found

    @lru_cache(maxsize=65536)  # noqa: B019 - one index lives as long as its cache should
    def _query_pairs(self, name: PersonName) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """The pair keys (without year) a name is looked up under, each key's part mask, for
        every mask the log10 share of listed names its parts' keys have together, and the mask
        of the parts that are no name the list knows (``unsure``) or no spelling it knows
        (``misspelt``): those may be slips."""
        tokens = name.tokens[:MAX_PARTS]
        shift = KEY_BITS
        own = [self._key_ids.get(token.key, -1) for token in tokens]
        alternatives = [self._alternatives(token) for token in tokens]
        keys: list[int] = []
        masks: list[int] = []

        def add(first: int, second: int, mask: int) -> None:
            low, high = (first, second) if first <= second else (second, first)
            keys.append((low << shift) | high)
            masks.append(mask)

        for position in range(len(tokens)):
            bit = 1 << position
            for key_id in (own[position], *alternatives[position]):
                if key_id > 0:
                    add(NO_KEY, key_id, bit)  # one-part listed names
        for first, second in combinations(range(len(tokens)), 2):
            mask = (1 << first) | (1 << second)
            if own[first] > 0 and own[second] > 0:
                add(own[first], own[second], mask)
            if own[second] > 0:
                for key_id in alternatives[first]:
                    add(key_id, own[second], mask)
            if own[first] > 0:
                for key_id in alternatives[second]:
                    add(own[first], key_id, mask)
        # How common each part is (its own key's share, or its rarest typo alternative's).
        log_shares = np.zeros(len(tokens))
        for position, key_id in enumerate(own):
            choices = [key_id] if key_id > 0 else [k for k in alternatives[position] if k > 0]
            if choices:
                smallest = min(int(self._key_frequency[k]) for k in choices)
                log_shares[position] = np.log10(max(smallest, 1) / self._share_denominator)
        if len(tokens) <= MASK_TABLE_PARTS:
            bits = (np.arange(1 << len(tokens))[:, None] >> np.arange(len(tokens))) & 1
            mask_shares = bits @ log_shares
        else:
            mask_shares = np.zeros(0)
        # A misspelt part may be a slip of a listed spelling its key alternatives do not reach
        # (see TokenComparer): the bound lets it match too.
        unsure = sum(
            1 << position
            for position, token in enumerate(tokens)
            if self.unsure(token) or self.misspelt(token)
        )
        return (
            np.array(keys, dtype=np.int64),
            np.array(masks, dtype=np.int32),
            mask_shares,
            unsure,
        )

    def candidates(
        self,
        traveller: Traveller,
        name: PersonName | None = None,
        *,
        threshold: float | None = None,
    ) -> list[Candidate]:
        """Entries worth scoring for this traveller (stage one).

        With a ``threshold``, only names that could still reach it: see :meth:`_bounds`.
        Entries listing the traveller's document number are always candidates.
        """
        name = name or traveller_name(traveller.surname, traveller.given_names)
        found: dict[int, list[int]] = {}
        bounds: dict[int, float] = {}
        if name.tokens:
            pair_keys, masks, mask_shares, unsure = self._query_pairs(name)
            if len(pair_keys):
                year = traveller.birth_date.year if traveller.birth_date else None
                if year:
                    codes = np.array(
                        [0, _year_code(year - 1), _year_code(year), _year_code(year + 1)],
                        dtype=np.int64,
                    )
                    keys = ((pair_keys[:, None] << YEAR_BITS) | codes[None, :]).ravel()
                    name_ids, hit_masks, _positions = self._with_year.lookup(
                        keys, np.repeat(masks, 4)
                    )
                else:
                    name_ids, hit_masks, _positions = self._any_year.lookup(pair_keys, masks)
                kept, kept_bounds = self._bounds(
                    traveller, name, name_ids, hit_masks, mask_shares, unsure
                )
                if threshold is not None:
                    enough = kept_bounds >= threshold - BOUND_MARGIN
                    kept, kept_bounds = kept[enough], kept_bounds[enough]
                for name_id, bound in zip(kept.tolist(), kept_bounds.tolist(), strict=True):
                    entry = int(self._name_entry[name_id])
                    found.setdefault(entry, []).append(name_id)
                    bounds[entry] = max(bounds.get(entry, -1000.0), bound)
        result = [Candidate(entry, tuple(ids), bound=bounds[entry]) for entry, ids in found.items()]
        number = normalise_document(traveller.document_number)
        if len(number) >= MIN_DOCUMENT_LENGTH:
            for entry in self._documents.get(number, ()):
                if entry not in found:
                    first = int(self._entry_first_name[entry])
                    last = int(self._entry_first_name[entry + 1])
                    result.append(Candidate(entry, tuple(range(first, last)), by_document=True))
        return result

    def _bounds(
        self,
        traveller: Traveller,
        name: PersonName,
        name_ids: np.ndarray,
        masks: np.ndarray,
        mask_shares: np.ndarray,
        unsure: int,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The names that enough of the traveller's parts met, and the most each can score.

        Enough: at least two parts (one for one-part names), and all but one of the shorter
        name's (all but two when it has four or more). The bound adds up the best the evidence
        could do. Names: the parts that met match exactly, and one more if a traveller's part
        the list does not know may be a slip the key alternatives did not reach; of the rest,
        as many as face each other differ (at the cost of a garbled part where there is one;
        a last pair may be a family name against a grandfather's name), the others are missing
        at the lowest cost (see ``names``); then the common-name points off for the parts that
        met. Birth date and nationality: exactly as ``scoring`` will count them.
        """
        if not len(name_ids):
            return name_ids, np.empty(0)
        order = np.argsort(name_ids, kind="stable")
        name_ids, masks = name_ids[order], masks[order]
        starts = np.flatnonzero(np.concatenate(([True], name_ids[1:] != name_ids[:-1])))
        unique = name_ids[starts]
        mask = np.bitwise_or.reduceat(masks, starts)
        met = _POPCOUNT[mask].astype(np.float64)
        parts = min(len(name.tokens), MAX_PARTS)
        listed_parts = self._name_parts[unique].astype(np.float64)
        shorter = np.minimum(listed_parts, parts)
        keep = (met >= np.minimum(shorter, 2)) & (met >= shorter - np.where(shorter >= 4, 2, 1))
        unique, mask, met, listed_parts = unique[keep], mask[keep], met[keep], listed_parts[keep]
        everything = (1 << parts) - 1
        garbled = _POPCOUNT[~mask & unsure & everything].astype(np.float64)
        slack = (garbled > 0).astype(np.float64)
        matched = np.minimum(met + slack, np.minimum(listed_parts, parts))
        garbled -= slack
        facing = np.maximum(np.minimum(parts - matched, listed_parts - matched), 0)
        last_unmatched = ((mask >> (parts - 1)) & 1) == 0
        split = np.where(last_unmatched & (facing > 0), 1.0, 0.0)  # family / grandfather
        rest = facing - split
        facing_cost = (
            split * (COST_FAMILY_NOT_LISTED + COST_MISSING_FROM_TRAVELLER)
            + COST_UNSURE * np.minimum(rest, np.maximum(garbled, 0))
            + COST_DIFFERENT * np.maximum(rest - np.maximum(garbled, 0), 0)
        )
        missing_cost = np.where(listed_parts >= 3, COST_FAMILY_NOT_LISTED, COST_MISSING_FROM_LIST)
        low_weight = min(WEIGHT_FIRST, WEIGHT_MIDDLE, WEIGHT_LAST)
        cost = low_weight * (
            facing_cost
            + missing_cost * np.maximum(parts - matched - facing, 0)
            + COST_MISSING_FROM_TRAVELLER * np.maximum(listed_parts - matched - facing, 0)
        )
        bound = 100.0 * matched / (matched + cost)
        if len(mask_shares):
            expected = np.log10(self._share_denominator / COMMON_NAME_FROM) + mask_shares[mask]
            bound -= np.minimum(COMMON_NAME_CAP, COMMON_NAME_POINTS * np.maximum(expected, 0.0))
        entries = self._name_entry[unique]
        birth = traveller.birth_date
        if birth is not None:
            bound += _birth_points(
                birth.year,
                _month_day(birth),
                self._entry_year[entries],
                self._entry_month_day[entries],
            )
        nationality = self._nationality_ids.get(normalise_nationality(traveller.nationality), -1)
        if normalise_nationality(traveller.nationality):
            listed = self._entry_nationality[entries]
            bound += np.where(
                listed == 0,
                POINTS[NATIONALITY][MISSING],
                np.where(
                    listed == nationality,
                    POINTS[NATIONALITY][AGREES],
                    POINTS[NATIONALITY][DISAGREES],
                ),
            )
        return unique, bound

    # --- stage two: scores -------------------------------------------------------------------

    def explain(
        self, traveller: Traveller, candidate: Candidate, name: PersonName | None = None
    ) -> Explanation:
        name = name or traveller_name(traveller.surname, traveller.given_names)
        entry = self.entries[candidate.entry_index]
        listed = [self._names[name_id] for name_id in candidate.name_ids]
        explanation = score_entry(traveller, name, entry, listed, self.comparer)
        assert explanation is not None  # no threshold: always explained
        return explanation

    def screen(
        self,
        traveller: Traveller,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        on: date | None = None,
    ) -> list[Hit]:
        """The entries this traveller scores at least ``threshold`` against, best first.

        ``on``: only entries in force on that day (None: every entry).
        """
        name = traveller_name(traveller.surname, traveller.given_names)
        hits = []
        for candidate in self.candidates(traveller, name, threshold=threshold):
            entry = self.entries[candidate.entry_index]
            if not entry.valid_on(on):
                continue
            listed = [self._names[name_id] for name_id in candidate.name_ids]
            explanation = score_entry(
                traveller,
                name,
                entry,
                listed,
                self.comparer,
                threshold=threshold,
            )
            if explanation is not None:
                hits.append(make_hit(traveller, entry, explanation))
        hits.sort(key=lambda hit: (-hit.score, hit.entry_id))
        return hits

    def screen_many(
        self,
        travellers: Iterable[Traveller],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        on: date | None = None,
        workers: int = 1,
        chunk_size: int = 1000,
    ) -> Iterator[tuple[Traveller, list[Hit]]]:
        """Every traveller with their hits, in the order given.

        With ``workers`` > 1 the travellers are screened in that many forked processes, which
        share this index copy-on-write (Linux and macOS; elsewhere, or when forking is not
        possible, one process does it all).
        """
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            for traveller in travellers:
                yield traveller, self.screen(traveller, threshold=threshold, on=on)
            return
        global _FORKED  # how a forked worker finds the index it inherited
        _FORKED = self
        context = multiprocessing.get_context("fork")
        chunks = _chunks(travellers, chunk_size)
        with context.Pool(workers) as pool:
            for batch in pool.imap(_screen_chunk, ((chunk, threshold, on) for chunk in chunks)):
                yield from batch
        _FORKED = None


_FORKED: WatchlistIndex | None = None


def _chunks(items: Iterable[Traveller], size: int) -> Iterator[list[Traveller]]:
    chunk: list[Traveller] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _screen_chunk(
    task: tuple[list[Traveller], float, date | None],
) -> list[tuple[Traveller, list[Hit]]]:
    travellers, threshold, on = task
    index = _FORKED
    assert index is not None, "screen_many sets the index before forking"
    return [
        (traveller, index.screen(traveller, threshold=threshold, on=on)) for traveller in travellers
    ]
