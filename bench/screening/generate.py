"""Generated watchlists and travellers with known truth, for the screening benchmark.

People are drawn from Iraqi name pools (``names.py``) with their frequencies: a given name, the
father's and grandfather's names, and (for most) a family, tribe or nisba name; a birth date,
a nationality, a passport number. A watchlist entry writes a person's full name in Arabic or
Latin script (sometimes without the grandfather or the family name), adds aliases (the other
script, a kunya "Abu ...", a short form, "FAMILY, Given Father"), and knows the birth date to
the day, to the year only, or not at all.

Travellers are of three kinds:

- *listed*: a listed person presenting a passport: Latin spellings the lists do not use
  (respelled by rule), Arabic script, typos, the grandfather's (and father's) names dropped,
  surname and given names swapped, a year-only birth date, a new passport number;
- *hard negatives*: unlisted people who share the given and family name of a listed person but
  differ in the father's name, in the birth year, or both (and their namesakes: the same full
  name born years apart), presented the same ways;
- *random*: unlisted people drawn from the same population (who share common names with
  thousands of entries by chance).

Everything is seeded; the same sizes give the same data.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from itertools import accumulate

from names import Name, pools

from marsad.border.screening import PartialDate, Traveller, WatchlistEntry
from marsad.linkage.normalise import LEXICON, normalise_latin

NATIONALITIES = (
    ("IRQ", 85),
    ("SYR", 4),
    ("IRN", 3),
    ("JOR", 2),
    ("TUR", 1),
    ("SAU", 1),
    ("KWT", 1),
    ("EGY", 1),
    ("LBN", 1),
    ("YEM", 1),
)
REASONS = ("terrorism", "organised crime", "trafficking in persons", "court order", "fraud")
ACTIONS = ("refer", "refer", "refer", "refuse", "arrest", "notify")

# Latin respelling rules: (pattern, replacements), applied at random to a lower-case spelling.
# Vowels vary in how long vowels and diphthongs are written; short vowels only in the last
# syllable (Ahmad / Ahmed, Jabir / Jaber, Salim / Salem), handled by ``LAST_VOWEL``.
RESPELL_RULES = (
    ("ou", ("u", "oo", "o")),
    ("oo", ("u", "ou")),
    ("u", ("ou", "o", "oo")),
    ("ee", ("i", "ei")),
    ("ai", ("ay", "ei", "ae")),
    ("aa", ("a",)),
    ("q", ("k", "g")),
    ("kh", ("k", "h", "x")),
    ("dh", ("z", "d", "th")),
    ("th", ("t", "s")),
    ("j", ("g",)),
    ("y", ("i",)),
)
#: French-style spellings, used by Syrian and Lebanese passports (Chaker, Djamal, Ouday).
FRENCH_RULES = (("sh", ("ch",)), ("j", ("dj",)), ("w", ("ou",)), ("u", ("ou",)))
FRENCH_STYLE = frozenset({"SYR", "LBN"})
LAST_VOWEL = {"a": "e", "e": "a", "i": "e"}
# The article: al/el written apart or joined (Al-Jubouri, Aljuboori), an assimilated article
# only written apart (At-Tamimi): joined, "Az" is the name's own first syllable (Azzawi).
ARTICLE = re.compile(
    r"^(?:(?:al|el)(?:[- ]|(?=[a-z]{4}))|(?:at|as|ash|ad|ar|az)[- ])", re.IGNORECASE
)
ARTICLES = ("Al-", "Al ", "Al", "El-", "", "AL-", "al-")
QWERTY_NEIGHBOURS = {
    key: near
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for index, key in enumerate(row)
    for near in [row[max(index - 1, 0) : index] + row[index + 1 : index + 2]]
}
ARABIC_CONFUSABLE = {
    "ح": "خج",
    "خ": "حج",
    "ج": "حخ",
    "س": "ش",
    "ش": "س",
    "ص": "ض",
    "ض": "ص",
    "ط": "ظ",
    "ظ": "ط",
    "ع": "غ",
    "غ": "ع",
    "د": "ذ",
    "ذ": "د",
    "ر": "ز",
    "ز": "ر",
    "ب": "تن",
    "ت": "بث",
    "ن": "بت",
    "ف": "ق",
    "ق": "ف",
}


@cache
def OTHER_NAMES_SPELLINGS() -> dict[str, str]:
    """Every Latin spelling in the pools (lower case, no article) → its name."""
    found: dict[str, str] = {}
    # Names the project's lexicon lists apart (Salim / Salem, Ammar / Amer) count too.
    for spelling, entry in LEXICON.latin.items():
        found.setdefault(spelling, "lexicon:" + entry.canonical)
    for names in pools().values():
        for name in names:
            for spelling in name.latin:
                article = ARTICLE.match(spelling)
                bare = spelling[article.end() :] if article else spelling
                found.setdefault(bare.lower(), name.group)
    return found


@cache
def _canonical_of(spelling: str) -> str:
    entry = LEXICON.latin.get(normalise_latin(spelling))
    return entry.canonical if entry else ""


def _canonical(name: Name) -> str:
    for spelling in name.latin:
        article = ARTICLE.match(spelling)
        found = _canonical_of(spelling[article.end() :] if article else spelling)
        if found:
            return found
    return ""


class Pool:
    """Names of one kind with cumulative weights for fast draws."""

    def __init__(self, names: list[Name], flatten: float = 1.0) -> None:
        self.names = names
        self.cumulative = list(accumulate(name.weight**flatten for name in names))

    def draw(self, rng: random.Random) -> Name:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


@dataclass(frozen=True)
class Person:
    given: Name
    father: Name
    grandfather: Name
    family: Name | None
    birth: date
    nationality: str
    passport: str
    female: bool = False


@dataclass
class Case:
    """A generated traveller and the truth about them."""

    traveller: Traveller
    kind: str  # listed | hard_negative | random
    truth: str | None  # the entry id of a listed traveller
    variants: tuple[str, ...] = ()


@dataclass
class Population:
    rng: random.Random
    male: Pool = field(init=False)
    female: Pool = field(init=False)
    family: Pool = field(init=False)

    def __post_init__(self) -> None:
        names = pools()
        self.male = Pool(names["male"])
        self.female = Pool(names["female"])
        self.family = Pool(names["family"])
        self._nationalities = [code for code, _ in NATIONALITIES]
        self._nationality_weights = list(accumulate(weight for _, weight in NATIONALITIES))
        self._issued: set[str] = set()

    def passport(self) -> str:
        """A passport number no one else holds (states do not issue a number twice)."""
        while True:
            letter = self.rng.choice("ABCGHNRS")
            number = f"{letter}{self.rng.randrange(10**7, 10**8)}"
            if number not in self._issued:
                self._issued.add(number)
                return number

    def birth(self, first: int = 1945, last: int = 2005) -> date:
        start = date(first, 1, 1)
        return start + timedelta(days=self.rng.randrange((date(last, 12, 31) - start).days))

    def person(self) -> Person:
        rng = self.rng
        female = rng.random() < 0.2
        return Person(
            given=(self.female if female else self.male).draw(rng),
            father=self.male.draw(rng),
            grandfather=self.male.draw(rng),
            family=self.family.draw(rng) if rng.random() < 0.85 else None,
            birth=self.birth(),
            nationality=rng.choices(self._nationalities, cum_weights=self._nationality_weights)[0],
            passport=self.passport(),
            female=female,
        )


# --- spellings ---------------------------------------------------------------------------------


def respell(rng: random.Random, spelling: str, *, french: bool = False) -> str:
    """Another plausible Latin spelling: one change (sometimes two), never the first letter."""
    word = spelling.lower()
    rules_used = RESPELL_RULES + FRENCH_RULES if french else RESPELL_RULES
    for _ in range(2 if rng.random() < 0.3 else 1):
        if rng.random() < 0.25:
            positions = [i for i in range(1, len(word) - 1) if word[i] in LAST_VOWEL]
            if positions:
                position = positions[-1]  # the vowel of the last syllable
                word = word[:position] + LAST_VOWEL[word[position]] + word[position + 1 :]
                continue
        if rng.random() < 0.15:
            # a doubled consonant written single, or the other way round
            position = rng.randrange(1, max(2, len(word) - 1))
            if word[position] not in "aeiou -":
                if word[position] == word[position - 1]:
                    word = word[:position] + word[position + 1 :]
                else:
                    word = word[:position] + word[position] + word[position:]
                continue
        positions_of = {
            pattern: [i for i in range(1, len(word)) if word.startswith(pattern, i)]
            for pattern, _ in rules_used
        }
        rules = [rule for rule in rules_used if positions_of[rule[0]]]
        if not rules:
            break
        pattern, replacements = rng.choice(rules)
        position = rng.choice(positions_of[pattern])
        word = word[:position] + rng.choice(replacements) + word[position + len(pattern) :]
    return word


def latin_spelling(
    rng: random.Random, name: Name, *, listed_style: bool, french: bool = False
) -> str:
    """How a list (mostly the table's spellings) or a passport office (often its own) writes it."""
    base = name.latin[0] if listed_style and rng.random() < 0.6 else rng.choice(name.latin)
    article = ARTICLE.match(base)
    family_article = bool(article) and name.kind == "family"
    if family_article:
        base = base[article.end() :]
    if not listed_style and rng.random() < 0.5:
        # A passport office spells a name its own way, but not as another name.
        for _ in range(3):
            candidate = respell(rng, base, french=french)
            other = OTHER_NAMES_SPELLINGS().get(candidate.lower()) or OTHER_NAMES_SPELLINGS().get(
                normalise_latin(candidate), name.group
            )
            if other == name.group or other == "lexicon:" + _canonical(name):
                base = candidate
                break
    if name.kind == "family" and (family_article or rng.random() < 0.5):
        article = "Al-" if listed_style else rng.choice(ARTICLES)
        base = article + base[:1].upper() + base[1:]
    return base[:1].upper() + base[1:]


def arabic_spelling(rng: random.Random, name: Name) -> str:
    spelling = name.arabic[0] if rng.random() < 0.7 else rng.choice(name.arabic)
    if name.kind == "family" and not spelling.startswith("ال") and rng.random() < 0.7:
        spelling = "ال" + spelling.removeprefix("ئ")  # Kurdish initial vowel seat
    return spelling


def typo(rng: random.Random, word: str) -> str:
    """One slip: a neighbouring key, a letter dropped, doubled or swapped with the next."""
    letters = [index for index, char in enumerate(word) if char.isalpha()]
    if len(letters) < 3:
        return word
    index = rng.choice(letters[1:])
    char = word[index]
    operation = rng.choice(("substitute", "delete", "insert", "transpose"))
    if operation == "substitute":
        if "\u0600" <= char <= "\u06ff":
            replacement = rng.choice(ARABIC_CONFUSABLE.get(char, "اوي"))
        else:
            lower = char.lower()
            replacement = rng.choice(QWERTY_NEIGHBOURS.get(lower, "e") or "e")
            replacement = replacement.upper() if char.isupper() else replacement
        return word[:index] + replacement + word[index + 1 :]
    if operation == "delete":
        return word[:index] + word[index + 1 :]
    if operation == "insert":
        return word[:index] + char + word[index:]
    if index + 1 < len(word) and word[index + 1].isalpha():
        return word[:index] + word[index + 1] + char + word[index + 2 :]
    return word[:index] + word[index + 1 :]


# --- the watchlist -----------------------------------------------------------------------------


def _parts(person: Person) -> list[Name]:
    parts = [person.given, person.father, person.grandfather]
    return [*parts, person.family] if person.family else parts


def _write(rng: random.Random, parts: list[Name], *, arabic: bool, listed_style: bool) -> str:
    if arabic:
        return " ".join(arabic_spelling(rng, part) for part in parts)
    return " ".join(latin_spelling(rng, part, listed_style=listed_style) for part in parts)


def entry_for(rng: random.Random, population: Population, person: Person, entry_id: str):
    parts = _parts(person)
    written = list(parts)
    # By place, not by value: a grandfather named like the person (Ali son of Hassan son of
    # Ali) must not take the given name out of the listed name.
    if person.family and rng.random() < 0.15:
        del written[2]
    elif person.family and rng.random() < 0.05:
        del written[3]
    arabic = rng.random() < 0.5
    names = [_write(rng, written, arabic=arabic, listed_style=True)]
    for _ in range(rng.choices((0, 1, 2), weights=(50, 35, 15))[0]):
        kind = rng.choice(("script", "kunya", "short", "comma"))
        if kind == "script":
            names.append(_write(rng, parts, arabic=not arabic, listed_style=True))
        elif kind == "kunya":
            son = population.male.draw(rng)
            if arabic:
                names.append("أبو " + arabic_spelling(rng, son))
            else:
                names.append("Abu " + latin_spelling(rng, son, listed_style=True))
        elif kind == "short":
            names.append(_write(rng, [parts[0], parts[-1]], arabic=arabic, listed_style=True))
        else:
            given = _write(rng, parts[:2], arabic=False, listed_style=True)
            names.append(f"{_write(rng, parts[-1:], arabic=False, listed_style=True)}, {given}")
    roll = rng.random()
    if roll < 0.55:
        birth = PartialDate(person.birth.year, person.birth.month, person.birth.day)
    elif roll < 0.9:
        birth = PartialDate(person.birth.year)
    else:
        birth = None
    return WatchlistEntry(
        entry_id=entry_id,
        names=tuple(dict.fromkeys(names)),
        birth_date=birth,
        nationality=person.nationality if rng.random() < 0.9 else "",
        document_numbers=(person.passport,) if rng.random() < 0.5 else (),
        reason=rng.choice(REASONS),
        action=rng.choice(ACTIONS),
    )


# --- travellers --------------------------------------------------------------------------------


def present(
    rng: random.Random, population: Population, person: Person, *, listed_passport: bool
) -> tuple[Traveller, tuple[str, ...], str]:
    """A person's passport as the border sees it, and which variants were applied."""
    variants: list[str] = []
    arabic = rng.random() < 0.2
    if arabic:
        variants.append("arabic")
    given_parts = [person.given, person.father]
    if person.family:
        surname_part = person.family
        roll = rng.random()
        if roll < 0.67:
            given_parts.append(person.grandfather)
        elif roll < 0.70:
            given_parts = [person.given]
            variants.append("dropped_two")
        else:
            variants.append("dropped")
    else:
        surname_part = person.grandfather
    french = person.nationality in FRENCH_STYLE
    given = [
        arabic_spelling(rng, part)
        if arabic
        else latin_spelling(rng, part, listed_style=False, french=french)
        for part in given_parts
    ]
    surname = (
        arabic_spelling(rng, surname_part)
        if arabic
        else latin_spelling(rng, surname_part, listed_style=False, french=french)
    )
    if rng.random() < 0.25:
        variants.append("typo")
        words = [*given, surname]
        for _ in range(2 if rng.random() < 0.15 else 1):
            index = rng.randrange(len(words))
            words[index] = typo(rng, words[index])
        given, surname = words[:-1], words[-1]
    given_names, surname_text = " ".join(given), surname
    if not arabic:
        given_names, surname_text = given_names.upper(), surname_text.upper()
    if rng.random() < 0.07:
        variants.append("swapped")
        given_names, surname_text = surname_text, given_names
    birth = PartialDate(person.birth.year, person.birth.month, person.birth.day)
    if rng.random() < 0.05:
        variants.append("year_only")
        birth = PartialDate(person.birth.year)
    passport = person.passport if listed_passport else population.passport()
    if listed_passport:
        variants.append("listed_document")
    nationality = person.nationality if rng.random() < 0.97 else "IRQ"
    traveller = Traveller(
        traveller_id="",
        surname=surname_text,
        given_names=given_names,
        birth_date=birth,
        nationality=nationality,
        document_number=passport,
    )
    return traveller, tuple(variants), passport


def hard_negative(
    rng: random.Random, population: Population, listed: Person, entry: WatchlistEntry
) -> tuple[Person, str]:
    """Someone else with the listed person's given and family name.

    A namesake (the same full name) born years apart is only told apart by the birth date, so
    namesakes are made only of entries that give one: without it no screener can tell them.
    """
    roll = rng.random()
    if entry.birth_date is None:
        roll *= 0.7
    father, grandfather, birth = listed.father, listed.grandfather, listed.birth
    if roll < 0.4:
        kind = "other_father"
        while father.group == listed.father.group:
            father = population.male.draw(rng)
        grandfather = population.male.draw(rng)
        birth = population.birth()
    elif roll < 0.7:
        kind = "other_father_same_year"
        while father.group == listed.father.group:
            father = population.male.draw(rng)
        grandfather = population.male.draw(rng)
        birth = date(listed.birth.year, 1, 1) + timedelta(days=rng.randrange(365))
    else:
        kind = "namesake_other_year"
        year = listed.birth.year
        while abs(year - listed.birth.year) < 3:
            year = population.birth().year
        birth = date(year, rng.randrange(1, 13), rng.randrange(1, 29))
    person = Person(
        given=listed.given,
        father=father,
        grandfather=grandfather,
        family=listed.family,
        birth=birth,
        nationality=listed.nationality,
        passport=population.passport(),
        female=listed.female,
    )
    return person, kind


@dataclass
class Scenario:
    entries: list[WatchlistEntry]
    cases: list[Case]
    persons: list[Person]


def generate(
    entries: int,
    travellers: int,
    *,
    seed: int = 2008,
    listed_share: float = 0.05,
    hard_share: float = 0.25,
) -> Scenario:
    """A watchlist of ``entries`` entries and ``travellers`` travellers with their truth."""
    rng = random.Random(seed)
    population = Population(rng)
    persons = [population.person() for _ in range(entries)]
    watchlist = [
        entry_for(rng, population, person, f"W{index:07d}") for index, person in enumerate(persons)
    ]
    identities = {_identity(person) for person in persons}
    cases: list[Case] = []
    for number in range(travellers):
        roll = rng.random()
        if roll < listed_share:
            index = rng.randrange(entries)
            person, entry = persons[index], watchlist[index]
            listed_passport = bool(entry.document_numbers) and rng.random() < 0.4
            traveller, variants, _ = present(
                rng, population, person, listed_passport=listed_passport
            )
            kind, truth = "listed", entry.entry_id
        else:
            if roll < listed_share + hard_share:
                index = rng.randrange(entries)
                person, how = hard_negative(rng, population, persons[index], watchlist[index])
                kind = "hard_negative"
            else:
                person, how = population.person(), ""
                kind = "random"
            while _identity(person) in identities:
                person = population.person()
            traveller, variants, _ = present(rng, population, person, listed_passport=False)
            variants = (how, *variants) if how else variants
            truth = None
        traveller = Traveller(
            traveller_id=f"T{number:07d}",
            surname=traveller.surname,
            given_names=traveller.given_names,
            birth_date=traveller.birth_date,
            nationality=traveller.nationality,
            document_number=traveller.document_number,
        )
        cases.append(Case(traveller, kind, truth, variants))
    return Scenario(entries=watchlist, cases=cases, persons=persons)


def _identity(person: Person) -> tuple[str, ...]:
    return (
        person.given.group,
        person.father.group,
        person.grandfather.group,
        person.family.group if person.family else "",
        person.birth.isoformat(),
    )


def iter_csv_rows(scenario: Scenario) -> Iterator[list[str]]:
    """The watchlist as the rows of WL.csv (header first)."""
    yield ["entry_id", "full_name", "aliases", "birth_date", "nationality", "document_number"]
    for entry in scenario.entries:
        yield [
            entry.entry_id,
            entry.full_name,
            ";".join(entry.aliases),
            entry.birth_date.isoformat() if entry.birth_date else "",
            entry.nationality,
            ";".join(entry.document_numbers),
        ]
