"""Person names as ordered parts, and how two names compare part by part.

Each part comes from the project's one normaliser (``marsad.linkage.normalise``): its normal
form, romanisation and phonetic key, so "محمد" and "Mohammed" are the same part. A name keeps
its order, because in an Arabic name the order is the structure: given name, father, grandfather,
then family, tribe or nisba. "Salman bin Mohammed" is not "Mohammed bin Salman", and al-Mosuli
is not al-Tikriti. Two names are compared by aligning their parts in order (a dropped middle
name is a gap, not a mismatch); parts facing each other across a gap that do not match are a
*different* name, which counts against; a traveller whose surname and given names come the
other way round is tried in that order too, at a small cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from marsad.linkage.normalise import LEXICON, analyse, arabic, latin, script

__all__ = [
    "DIFFERENT",
    "EXACT",
    "MISSING_FROM_LIST",
    "MISSING_FROM_TRAVELLER",
    "MISSING_INSIDE",
    "OUT_OF_ORDER",
    "TYPO",
    "VARIANT",
    "Alignment",
    "NameComparison",
    "PartMatch",
    "PersonName",
    "Token",
    "TokenComparer",
    "best_alignment",
    "compare_names",
    "entry_name",
    "traveller_name",
]

# How a part of the traveller's name relates to a part of the listed name.
EXACT = "exact"  # the same word
VARIANT = "variant"  # the same name in another spelling or script (same phonetic key)
TYPO = "typo"  # a close spelling of a name, one of them not a known name
DIFFERENT = "different"  # both sides have a part here and they are different names
OUT_OF_ORDER = "out_of_order"  # the same name, in another place in the name
MISSING_FROM_TRAVELLER = "missing_from_traveller"  # the list has a part the document lacks
MISSING_FROM_LIST = "missing_from_list"  # the document has a part the list lacks
MISSING_INSIDE = "missing_inside"  # a part missing on one side while later parts match
#: Orders in which the traveller's name was read.
IN_ORDER = "in_order"
SURNAME_FIRST = "surname_first"

SIMILARITY = {EXACT: 1.0, VARIANT: 0.95, TYPO: 0.75}
#: A garbled spelling (no name the list knows) loosely close to the listed part.
LOOSE_TYPO_SIMILARITY = 0.6
# What an unmatched part costs in the denominator of the name score, per unit of its weight.
# A part that differs is evidence against (2); a part the document has and the list lacks
# costs more (1) than one the list has and the document drops (0.25): passports drop the
# grandfather's name all the time, while a short listed name (given and family name only)
# says little about a traveller whose document names the father too.
COST_DIFFERENT = 2.0
COST_OUT_OF_ORDER = 1.0
COST_MISSING_FROM_LIST = 1.0
COST_MISSING_FROM_TRAVELLER = 0.25
# ... but against a listed name of three parts or more (the father's name is there), an extra
# part on the document is a later ancestor the list left out.
COST_MISSING_FROM_FULL_LIST = 0.5
# A part that differs from the listed one but is not a name the list knows, neither as spelled
# nor by its key: a garbled spelling may be anything, so it weighs as a missing part.
COST_UNSURE = 1.0
# A family name on the document that a listed name of three parts or more lacks (lists often
# leave the tribe out; a two-part listed name says too little to excuse it).
COST_FAMILY_NOT_LISTED = 0.25
# A part missing inside the chain (the father's name missing, the grandfather's matching):
# names are dropped from the end of the chain, so this is as bad as a different name.
COST_MISSING_INSIDE = 2.0
# What a part's phonetic key mostly is in the list: a family name or a personal name.
FAMILY = "family"
PERSONAL = "personal"
#: The surname-first reading of a traveller's name keeps this share of its score.
SURNAME_FIRST_FACTOR = 0.9
# Weights of a part by its place: the given name and the family name carry the identity.
WEIGHT_FIRST = 1.0
WEIGHT_LAST = 1.0
WEIGHT_MIDDLE = 0.75

#: Words that fix the order of an Arabic name ("bin" = son of), in their normal forms.
PARTICLES = frozenset({"bin", "ibn", "bint", "ben", "bn", "بن", "ابن", "بنت"})


@dataclass(slots=True, eq=False)
class Token:
    """One part of a name in its matching forms (interned: equal parts are the same object)."""

    uid: int
    text: str  # normal form in its own script
    key: str  # phonetic key shared across scripts
    skeleton: str  # the key without the listed-name suffix ("hsn" of "hsn:hussein")
    romanised: str
    listed: str  # canonical name when names.tsv lists this spelling, else ""
    arabic: bool

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.key!r})"


_TOKENS: dict[tuple[str, str, str], Token] = {}


def _token(text: str, key: str, romanised: str) -> Token:
    found = _TOKENS.get((text, key, romanised))
    if found is not None:
        return found
    is_arabic = script(text) == "arabic"
    listed_entry = (LEXICON.arabic if is_arabic else LEXICON.latin).get(text)
    token = Token(
        uid=len(_TOKENS) + 1,
        text=text,
        key=key,
        skeleton=key.split(":", 1)[0],
        romanised=romanised,
        listed=listed_entry.canonical if listed_entry else "",
        arabic=is_arabic,
    )
    _TOKENS[(text, key, romanised)] = token
    return token


_PIECE = re.compile(r"[^\w]+")
_ARTICLE_LIKE = re.compile(r"^[aeiuo](?:sh|th|dh|[tdszrnl])$")  # al, el, as-, ash-, ad- ...
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
# Words the normaliser joins with the next word (Abd al-Rahman, an article written apart; the
# Abd words, عبدد and Abdull among them, are the normaliser's own: ``arabic.is_abd``,
# ``latin.may_be_abd``) and with the word before (Salah ud-Din, Fath Allah).
_JOINS_NEXT = frozenset({"عبد", "ال"})
_JOINS_PREVIOUS = frozenset(
    {"din", "deen", "dine", "dyn", "allah", "alla", "ullah", "ulla", "illah", "الله", "الدين"}
)
_DIN_LIKE = re.compile(r"^[aeiou]?[ld]d(?:i|ee|y)ne?$")  # uddin, eddine


@lru_cache(maxsize=1 << 17)
def _joins(word: str) -> bool:
    """Whether the normaliser may join this word with a neighbour (Abd al-, ud-Din, an
    article written apart): then the name is analysed whole, not word by word."""
    pieces = [piece for piece in _PIECE.split(_ARABIC_MARKS.sub("", word).casefold()) if piece]
    if not pieces:
        return False
    first, last = pieces[0], pieces[-1]
    return bool(
        last in _JOINS_NEXT
        or arabic.is_abd(last)
        or latin.may_be_abd(last)
        or _ARTICLE_LIKE.match(last)
        or first in _JOINS_PREVIOUS
        or _DIN_LIKE.match(first)
        or (_ARTICLE_LIKE.match(first) and len(pieces) > 1 and pieces[1] in _JOINS_PREVIOUS)
    )


@lru_cache(maxsize=1 << 17)
def _word_forms(word: str) -> tuple[tuple[str, str, str], ...]:
    return _split_forms(word)


def _split_forms(text: str) -> tuple[tuple[str, str, str], ...]:
    forms = analyse(text)
    normals, keys, romanised = forms.normal.split(), forms.key.split(), forms.romanised.split()
    if not len(normals) == len(keys) == len(romanised):
        # A listed canonical spelling with a space in it: analyse the words one by one.
        words = [analyse(word) for word in normals]
        normals = [form.normal for form in words]
        keys = [form.key for form in words]
        romanised = [form.romanised for form in words]
    return tuple(zip(normals, keys, romanised, strict=True))


def _forms(text: str) -> tuple[tuple[str, str, str], ...]:
    """(normal form, key, romanisation) of each word of a name, as ``analyse`` gives them.

    Names are mostly unique but their words repeat, so a name whose words the normaliser
    cannot join with a neighbour is analysed word by word from a cache: the same result,
    much faster over a million listed names.
    """
    words = text.split()
    if any(_joins(word) for word in words):
        return _split_forms(text)
    return tuple(form for word in words for form in _word_forms(word))


def _tokens(
    text: str, *, after_names: bool = False, before_names: bool = False
) -> tuple[tuple[Token, ...], bool]:
    """The parts of a name (particles left out) and whether a particle fixed its order.

    A particle stands between two names ("son of"); a word spelled like one with no name
    before it or none after it (``after_names``, ``before_names``: names come before or after
    the text, as the given names and the surname of a document) is a name (Ben for Ban, بان).
    """
    forms = _forms(text)
    parts = []
    fixed = False
    for place, (normal, key, roman) in enumerate(forms):
        if (
            normal in PARTICLES
            and (parts or after_names)
            and (place + 1 < len(forms) or before_names)
        ):
            fixed = True
            continue
        parts.append(_token(normal, key, roman))
    return tuple(parts), fixed


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name as ordered parts: given name first, family name last."""

    written: str
    tokens: tuple[Token, ...]
    #: Where the surname starts in ``tokens`` (travellers); 0 when unknown.
    surname_at: int = 0
    #: A particle (bin, ibn) fixes the order: it is never read surname first.
    fixed_order: bool = False


@lru_cache(maxsize=262144)
def entry_name(text: str) -> PersonName:
    """A listed name or alias. "SURNAME, Given Names" is read as "Given Names SURNAME"."""
    written = text.strip()
    for comma in (",", "،"):
        if comma in written:
            surname, _, given = written.partition(comma)
            written = f"{given.strip()} {surname.strip()}".strip()
            break
    tokens, fixed = _tokens(written)
    return PersonName(written=text.strip(), tokens=tokens, fixed_order=fixed)


@lru_cache(maxsize=262144)
def traveller_name(surname: str, given_names: str) -> PersonName:
    """A document's name: the given names, then the surname."""
    given, given_fixed = _tokens(given_names or "", before_names=bool((surname or "").strip()))
    family, family_fixed = _tokens(surname or "", after_names=bool(given))
    written = " ".join(part for part in (given_names.strip(), surname.strip()) if part)
    return PersonName(
        written=written,
        tokens=given + family,
        surname_at=len(given) if family else 0,
        fixed_order=given_fixed or family_fixed,
    )


def _no_role(token: Token) -> str | None:
    return None


def _unlisted(token: Token) -> bool:
    return not token.listed and ":" not in token.key


def _not_in_lexicon(token: Token) -> bool:
    return not token.listed


class TokenComparer:
    """Compares two parts; remembers the answers (names repeat, the table stays small).

    ``unsure`` says whether a part is no name the list knows, as spelled or by its key (the
    index decides from how common they are in the list; alone, from the lexicon). Two parts
    that are each a recognisable name are different names however alike they look (Jasim,
    Qasim): only an unsure part can be a slip of the other (Haytam for Haytham, though its key
    is Hatem's). ``misspelt`` says whether the traveller's part is no spelling the list knows,
    whatever its key: such a part may be a slip too, when one keyboard slip away from the
    listed spelling (Kamli for Kamil, though al-Kamali shares its key; Zadi for Zaid).
    """

    MAX_CACHE = 2_000_000

    def __init__(
        self,
        key_share: Callable[[str], float] | None = None,
        population: int = 0,
        role: Callable[[Token], str | None] | None = None,
        unsure: Callable[[Token], bool] | None = None,
        misspelt: Callable[[Token], bool] | None = None,
    ) -> None:
        #: Whether a part is no name the list knows, as spelled or by its key (a garbled one).
        self.unsure = unsure or _unlisted
        #: Whether a part is no spelling the list knows (its key may still be a name's).
        self.misspelt = misspelt or _not_in_lexicon
        #: FAMILY, PERSONAL or None (not known) for a part, from where the list puts its key.
        self.role = role or _no_role
        #: The share of listed names that have a part with this key, and how many names the
        #: list has: together they say how many listed names a match would meet by chance.
        self.key_share = key_share
        self.population = population
        self._cache: dict[int, tuple[float, str]] = {}

    def compare(self, query: Token, listed: Token) -> tuple[float, str]:
        cache_key = (query.uid << 32) | listed.uid
        found = self._cache.get(cache_key)
        if found is not None:
            return found
        result = self._compare(query, listed)
        if len(self._cache) >= self.MAX_CACHE:
            self._cache.clear()
        self._cache[cache_key] = result
        return result

    def _compare(self, query: Token, listed: Token) -> tuple[float, str]:
        if query.text == listed.text:
            return SIMILARITY[EXACT], EXACT
        if query.key == listed.key:
            return SIMILARITY[VARIANT], VARIANT
        # Two names that are each recognisable as a name (listed in the lexicon, or common in
        # the list as spelled or by key) are different names however alike they look (Jasim,
        # Qasim; Hassan, Hussein share a skeleton and are listed apart on purpose). Only a
        # spelling that is no recognisable name, on either side, can be a slip.
        if query.skeleton == listed.skeleton:
            # ... but a spelling no list uses, one slip from the listed name's (Fires: Firas,
            # though its key is Faris's; Jaml: Jamil, though it is Jamal's), may be a slip.
            if self.misspelt(query) and (
                one_slip(query, listed) or slip_of_a_spelling(query, listed)
            ):
                return SIMILARITY[TYPO], TYPO
            return 0.0, DIFFERENT
        query_unsure, listed_unsure = self.unsure(query), self.unsure(listed)
        if not (query_unsure or listed_unsure):
            # A spelling no list uses one keyboard slip from the listed spelling, or from
            # another spelling of the listed name (Munser: Munzer, for Munther; Kaream: Kareem,
            # for كريم), is a slip, even when its key happens to be another name's.
            if self.misspelt(query) and (
                one_slip(query, listed) or slip_of_a_spelling(query, listed)
            ):
                return SIMILARITY[TYPO], TYPO
            return 0.0, DIFFERENT
        if typo_close(query, listed):
            return SIMILARITY[TYPO], TYPO
        if query_unsure and loosely_close(query, listed):
            return LOOSE_TYPO_SIMILARITY, TYPO
        return 0.0, DIFFERENT


def typo_close(first: Token, second: Token) -> bool:
    """One slip of the keyboard or the pen apart: one consonant class on the keys (two on long
    keys; between a key of three and one of four only a letter added or dropped), or, both in
    Latin script and four letters or more, at most one letter in four different. Shorter names
    (Ali, Uday, Abu) are too close to each other to allow a slip."""
    shorter = min(len(first.skeleton), len(second.skeleton))
    longer = max(len(first.skeleton), len(second.skeleton))
    if shorter >= 3 and longer >= 4:
        allowed = 2 if shorter >= 7 else 1
        if OSA.distance(first.skeleton, second.skeleton, score_cutoff=allowed) <= allowed:
            return True
    if not first.arabic and not second.arabic and min(len(first.text), len(second.text)) >= 4:
        return OSA.normalized_similarity(first.text, second.text) >= 0.75
    return False


def one_slip(first: Token, second: Token) -> bool:
    """One letter typed wrong, dropped, added or two swapped, in the same script, on names of
    four letters or more (three in Arabic script, which writes no short vowels)."""
    return first.arabic == second.arabic and _one_slip(first.text, second.text, first.arabic)


def slip_of_a_spelling(query: Token, listed: Token) -> bool:
    """One slip (as :func:`one_slip`) from a spelling, in the query's script, of the name
    ``names.tsv`` lists the listed part as."""
    if not listed.listed:
        return False
    entry = (LEXICON.arabic if listed.arabic else LEXICON.latin).get(listed.text)
    if entry is None:
        return False
    return any(
        _one_slip(query.text, spelling, query.arabic)
        for spelling in (entry.arabic if query.arabic else entry.latin)
    )


def min_slip_length(arabic: bool) -> int:
    """The shortest spelling a slip is told on: four letters, three in Arabic script."""
    return 3 if arabic else 4


def one_slip_text(query: Token, spelling: str) -> bool:
    """One slip (as :func:`one_slip`) from a spelling in the query's script."""
    return _one_slip(query.text, spelling, query.arabic)


def _one_slip(first: str, second: str, arabic: bool) -> bool:
    if min(len(first), len(second)) < min_slip_length(arabic):
        return False
    return OSA.distance(first, second, score_cutoff=1) <= 1


def loosely_close(first: Token, second: Token) -> bool:
    """Close enough for a spelling that is no known name (so probably garbled): one consonant
    class apart however short, or, both in Latin script, at least three letters in five alike."""
    if (
        min(len(first.skeleton), len(second.skeleton)) >= 2
        and OSA.distance(first.skeleton, second.skeleton, score_cutoff=1) <= 1
    ):
        return True
    if not first.arabic and not second.arabic and min(len(first.text), len(second.text)) >= 3:
        return OSA.normalized_similarity(first.text, second.text) >= 0.6
    return False


@dataclass(frozen=True, slots=True)
class PartMatch:
    """How one part of the traveller's name met one part of the listed name."""

    kind: str
    traveller: str = ""  # the part as normalised, "" when missing on that side
    listed: str = ""
    similarity: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "traveller": self.traveller,
            "listed": self.listed,
            "similarity": round(self.similarity, 2),
        }


@dataclass(frozen=True, slots=True)
class NameComparison:
    """A name score 0–100 and the parts behind it, in the traveller's order."""

    score: float
    parts: tuple[PartMatch, ...]
    order: str = IN_ORDER
    #: Phonetic keys of the listed parts that matched (how common they are is evidence too).
    matched_keys: tuple[str, ...] = ()

    def count(self, kind: str) -> int:
        return sum(1 for part in self.parts if part.kind == kind)


_EMPTY = NameComparison(score=0.0, parts=())
_WEIGHTS: dict[int, tuple[float, ...]] = {}


def _weights(count: int) -> tuple[float, ...]:
    found = _WEIGHTS.get(count)
    if found is None:
        if count == 1:
            found = (WEIGHT_FIRST,)
        else:
            found = (WEIGHT_FIRST,) + (WEIGHT_MIDDLE,) * (count - 2) + (WEIGHT_LAST,)
        _WEIGHTS[count] = found
    return found


@dataclass(slots=True)
class Alignment:
    """The parts of two names paired up, and the score that gives (``describe`` for words)."""

    score: float
    order: str
    query: tuple[Token, ...]
    listed: tuple[Token, ...]
    table: list[list[tuple[float, str]]]
    matches: list[tuple[int, int]]
    crossed: dict[int, int]
    #: traveller part → listed part it faces (-1: faces the listed given name's absence)
    facing: dict[int, int]
    leading_different: list[int]
    missing_listed: list[int]
    #: traveller parts missing from the list while later parts match (and listed ones)
    inside_query: list[int]
    inside_listed: list[int]

    def describe(self) -> NameComparison:
        query, listed, table = self.query, self.listed, self.table
        by_query: dict[int, PartMatch] = {}
        for q, e in self.matches:
            similarity, kind = table[q][e]
            by_query[q] = PartMatch(kind, query[q].text, listed[e].text, similarity)
        for q, e in self.crossed.items():
            by_query[q] = PartMatch(OUT_OF_ORDER, query[q].text, listed[e].text, 0.0)
        for q, e in self.facing.items():
            by_query[q] = PartMatch(DIFFERENT, query[q].text, listed[e].text if e >= 0 else "")
        for q in self.inside_query:
            by_query[q] = PartMatch(MISSING_INSIDE, query[q].text, "")
        parts = [
            by_query.get(q) or PartMatch(MISSING_FROM_LIST, query[q].text, "")
            for q in range(len(query))
        ]
        parts.extend(PartMatch(DIFFERENT, "", listed[e].text) for e in self.leading_different)
        parts.extend(PartMatch(MISSING_INSIDE, "", listed[e].text) for e in self.inside_listed)
        parts.extend(
            PartMatch(MISSING_FROM_TRAVELLER, "", listed[e].text) for e in self.missing_listed
        )
        return NameComparison(
            score=self.score,
            parts=tuple(parts),
            order=self.order,
            matched_keys=tuple(listed[e].key for _, e in self.matches),
        )


def compare_names(
    traveller: PersonName, listed: PersonName, comparer: TokenComparer
) -> NameComparison:
    """The better of the document order and, when allowed, the surname-first reading."""
    alignment = best_alignment(traveller, listed, comparer)
    return alignment.describe() if alignment is not None else _EMPTY


def best_alignment(
    traveller: PersonName, listed: PersonName, comparer: TokenComparer
) -> Alignment | None:
    """As :func:`compare_names`, without putting the parts into words (the fast path)."""
    if not traveller.tokens or not listed.tokens:
        return None
    weights = _weights(len(traveller.tokens))
    best = _align(traveller.tokens, weights, listed.tokens, comparer, IN_ORDER, 1.0)
    at = traveller.surname_at
    # Read surname first only when it can help: the given names are not where the listed
    # given name is, and the name has no particle fixing its order.
    if (
        not traveller.fixed_order
        and 0 < at < len(traveller.tokens)
        and best.score < 100.0 * SURNAME_FIRST_FACTOR
        and (not best.matches or best.matches[0] != (0, 0))
    ):
        other = _align(
            traveller.tokens[at:] + traveller.tokens[:at],
            weights[at:] + weights[:at],
            listed.tokens,
            comparer,
            SURNAME_FIRST,
            SURNAME_FIRST_FACTOR,
        )
        # A surname that matches nothing at the front does not dodge the listed family name:
        # standing before the given name, it counts as a different name.
        if other.score > best.score:
            best = other
    return best


def _align(
    query: tuple[Token, ...],
    query_weights: tuple[float, ...],
    listed: tuple[Token, ...],
    comparer: TokenComparer,
    order: str,
    factor: float,
) -> Alignment:
    rows, columns = len(query), len(listed)
    listed_weights = _weights(columns)
    compare = comparer.compare
    table = [[compare(part, other) for other in listed] for part in query]
    if rows == columns and all(table[i][i][0] >= SIMILARITY[VARIANT] for i in range(rows)):
        # Every part matches its counterpart (the usual case for the listed person): no
        # other in-order matching can weigh more.
        matches = [(i, i) for i in range(rows)]
        numerator = denominator = 0.0
        for i in range(rows):
            weight = (query_weights[i] + listed_weights[i]) * 0.5
            numerator += table[i][i][0] * weight
            denominator += weight
        return Alignment(
            100.0 * factor * numerator / denominator,
            order,
            query,
            listed,
            table,
            matches,
            {},
            {},
            [],
            [],
            [],
            [],
        )
    matches = _heaviest_matching(table, query_weights, listed_weights)
    best = _scored(
        query, query_weights, listed, listed_weights, table, matches, comparer, order, factor
    )
    if best.inside_query or best.inside_listed:
        # The heaviest matching may pair a listed part with the traveller's later one, the
        # same name written alike (Salim Aly Ali against Salim Ali: the exact Ali, not the
        # variant Aly), and leave the earlier part missing inside the chain, which costs more
        # than the weight it won. Weighed as the same name, the earlier part is taken.
        other = _heaviest_matching(table, query_weights, listed_weights, same_name=True)
        if other != matches:
            alternative = _scored(
                query, query_weights, listed, listed_weights, table, other, comparer, order, factor
            )
            if alternative.score > best.score:
                best = alternative
    return best


def _heaviest_matching(
    table: list[list[tuple[float, str]]],
    query_weights: tuple[float, ...],
    listed_weights: tuple[float, ...],
    *,
    same_name: bool = False,
) -> list[tuple[int, int]]:
    """The heaviest in-order matching of the parts (a weighted longest common subsequence);
    of two that weigh the same, the one with the earlier traveller part. With ``same_name``, a
    variant weighs as an exact match."""
    rows, columns = len(table), len(listed_weights)
    previous = [0.0] * (columns + 1)
    best = [previous]
    for row in range(rows):
        current = [0.0]
        similarities = table[row]
        weight = query_weights[row]
        left = 0.0
        for column in range(columns):
            up = previous[column + 1]
            value = up if up > left else left
            similarity = similarities[column][0]
            if same_name and similarities[column][1] in (EXACT, VARIANT):
                similarity = 1.0
            if similarity:
                matched = previous[column] + similarity * (weight + listed_weights[column]) * 0.5
                if matched > value:
                    value = matched
            current.append(value)
            left = value
        best.append(current)
        previous = current
    matches: list[tuple[int, int]] = []
    row, column = rows, columns
    while row and column:
        value = best[row][column]
        if value == best[row - 1][column]:
            row -= 1
        elif value == best[row][column - 1]:
            column -= 1
        else:
            matches.append((row - 1, column - 1))
            row -= 1
            column -= 1
    matches.reverse()
    return matches


def _scored(
    query: tuple[Token, ...],
    query_weights: tuple[float, ...],
    listed: tuple[Token, ...],
    listed_weights: tuple[float, ...],
    table: list[list[tuple[float, str]]],
    matches: list[tuple[int, int]],
    comparer: TokenComparer,
    order: str,
    factor: float,
) -> Alignment:
    """The name score of an in-order ``matches`` of the parts: the matched parts' similarity
    over what every part weighs, unmatched parts costing by where they stand."""
    rows, columns = len(query), len(listed)
    numerator = denominator = 0.0
    for q, e in matches:
        weight = (query_weights[q] + listed_weights[e]) * 0.5
        numerator += table[q][e][0] * weight
        denominator += weight
    crossed: dict[int, int] = {}
    facing: dict[int, int] = {}
    leading_different: list[int] = []
    missing_listed: list[int] = []
    inside_query: list[int] = []
    inside_listed: list[int] = []
    if len(matches) == rows == columns:
        return Alignment(
            100.0 * factor * numerator / denominator,
            order,
            query,
            listed,
            table,
            matches,
            crossed,
            facing,
            leading_different,
            missing_listed,
            inside_query,
            inside_listed,
        )

    matched_query = {q for q, _ in matches}
    matched_listed = {e for _, e in matches}
    unmatched_listed = [e for e in range(columns) if e not in matched_listed]
    # The same name in another place (given name against father's name): out of order.
    crossed_listed: set[int] = set()
    for q in range(rows):
        if q in matched_query:
            continue
        for e in unmatched_listed:
            if e not in crossed_listed and table[q][e][1] in (EXACT, VARIANT):
                crossed[q] = e
                crossed_listed.add(e)
                break
    # The rest, gap by gap: parts facing each other differ; the surplus is missing.
    boundaries = [(-1, -1), *matches, (rows, columns)]
    for index in range(len(boundaries) - 1):
        q_start, e_start = boundaries[index]
        q_end, e_end = boundaries[index + 1]
        gap_query = [q for q in range(q_start + 1, q_end) if q not in crossed]
        gap_listed = [e for e in range(e_start + 1, e_end) if e not in crossed_listed]
        if not gap_query and not gap_listed:
            continue
        trailing = index > 0 and q_end == rows and e_end == columns
        if trailing:
            # After the last match the family names face each other from the end, unless
            # one is a family name and the other a personal name: then the list lacks the
            # family name and the document the grandfather's.
            pairs = []
            q_at, e_at = len(gap_query) - 1, len(gap_listed) - 1
            split = False
            while q_at >= 0 and e_at >= 0:
                q, e = gap_query[q_at], gap_listed[e_at]
                kinds = (comparer.role(query[q]), comparer.role(listed[e]))
                if not split and set(kinds) == {FAMILY, PERSONAL}:
                    # Once: the family name stands alone, the personal names face each other.
                    split = True
                    if kinds[0] == FAMILY:
                        q_at -= 1
                    else:
                        e_at -= 1
                    continue
                pairs.append((q, e))
                q_at -= 1
                e_at -= 1
        else:
            pairs = list(zip(gap_query, gap_listed, strict=False))
        facing.update(pairs)
        count = len(pairs)
        if index == 0 and matches:
            # Before the first match: the given name. One side's given name met the other's
            # father's name; whatever stands before it on either side is a different name.
            for q in gap_query[count:]:
                facing[q] = -1
            leading_different.extend(gap_listed[count:])
        elif trailing:
            paired_listed = {e for _, e in pairs}
            missing_listed.extend(e for e in gap_listed if e not in paired_listed)
        elif index > 0 and (q_end, e_end) != (rows - 1, columns - 1) and q_end < rows:
            # Inside the chain: a later part matches, so this one was not simply dropped.
            inside_query.extend(gap_query[count:])
            inside_listed.extend(gap_listed[count:])
        else:
            missing_listed.extend(gap_listed[count:])

    for q, e in crossed.items():
        denominator += COST_OUT_OF_ORDER * (query_weights[q] + listed_weights[e]) * 0.5
    unsure = comparer.unsure
    for q, e in facing.items():
        cost = COST_UNSURE if unsure(query[q]) else COST_DIFFERENT
        if e < 0:
            denominator += cost * query_weights[q]
        else:
            denominator += cost * (query_weights[q] + listed_weights[e]) * 0.5
    for e in leading_different:
        denominator += COST_DIFFERENT * listed_weights[e]
    for q in inside_query:
        denominator += COST_MISSING_INSIDE * query_weights[q]
    for e in inside_listed:
        denominator += COST_MISSING_INSIDE * listed_weights[e]
    inside = set(inside_query)
    role = comparer.role
    full_chain = columns >= 3  # the listed name has the father's name
    for q in range(rows):
        if q not in matched_query and q not in crossed and q not in facing and q not in inside:
            cost = COST_MISSING_FROM_FULL_LIST if full_chain else COST_MISSING_FROM_LIST
            if full_chain and role(query[q]) == FAMILY:
                cost = COST_FAMILY_NOT_LISTED
            denominator += cost * query_weights[q]
    for e in missing_listed:
        denominator += COST_MISSING_FROM_TRAVELLER * listed_weights[e]
    score = 100.0 * factor * numerator / denominator if denominator else 0.0
    return Alignment(
        score,
        order,
        query,
        listed,
        table,
        matches,
        crossed,
        facing,
        leading_different,
        missing_listed,
        inside_query,
        inside_listed,
    )
