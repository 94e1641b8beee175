"""The names listed in ``data/names.tsv``: names that share a skeleton or escape the rules.

Each listed name gets one key for all its spellings. Where two listed names share a skeleton
(Hassan / Hussein: "hsn") each key carries the canonical name ("hsn:hassan", "hsn:hussein"), and
a spelling that is not listed but has that skeleton goes to the listed name it is closest to.
"""

from dataclasses import dataclass
from pathlib import Path

from marsad.linkage.normalise import arabic, latin

PATH = Path(__file__).resolve().parent.parent / "data" / "names.tsv"


@dataclass(frozen=True)
class Entry:
    """One listed name: its canonical romanisation, key and normalised spellings."""

    canonical: str
    key: str
    arabic: tuple[str, ...]
    latin: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Listed names indexed by normalised Arabic spelling, Latin spelling and skeleton."""

    arabic: dict[str, Entry]
    latin: dict[str, Entry]
    by_skeleton: dict[str, tuple[Entry, ...]]

    def nearest(self, spelling: str, skeleton: str, *, is_arabic: bool) -> Entry | None:
        """The listed name with this skeleton whose spelling is closest (first listed on ties)."""
        entries = self.by_skeleton.get(skeleton)
        if entries is None:
            return None

        def distance(entry: Entry) -> int:
            spellings = entry.arabic if is_arabic else entry.latin
            return min(edit_distance(spelling, listed) for listed in spellings)

        return min(entries, key=distance)


def edit_distance(left: str, right: str) -> int:
    """Levenshtein distance; only used to place a spelling among a few listed ones."""
    previous = list(range(len(right) + 1))
    for row, left_char in enumerate(left, 1):
        current = [row]
        for column, right_char in enumerate(right, 1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (left_char != right_char),
                )
            )
        previous = current
    return previous[-1]


def load(path: Path = PATH) -> Lexicon:
    """Read the list; a spelling listed under two names is an error in the file."""
    rows: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        canonical, arabic_field, latin_field = line.split("\t")
        arabic_spellings = tuple(
            dict.fromkeys(
                " ".join(
                    word.translate(arabic.FULL)
                    for word in arabic.light_words(spelling, strip_article=False)
                )
                for spelling in arabic_field.split()
            )
        )
        latin_spellings = tuple(
            dict.fromkeys(
                " ".join(latin.words(spelling, strip_article=False))
                for spelling in [canonical, *latin_field.split()]
            )
        )
        if not arabic_spellings or not latin_spellings:
            raise ValueError(f"{path.name} line {line_number}: needs Arabic and Latin spellings")
        rows.append(
            (canonical, latin.skeleton(latin_spellings[0]), arabic_spellings, latin_spellings)
        )
    sharing: dict[str, int] = {}
    for _, skeleton, _, _ in rows:
        sharing[skeleton] = sharing.get(skeleton, 0) + 1
    arabic_index: dict[str, Entry] = {}
    latin_index: dict[str, Entry] = {}
    by_skeleton: dict[str, list[Entry]] = {}
    for canonical, skeleton, arabic_spellings, latin_spellings in rows:
        key = skeleton if sharing[skeleton] == 1 else f"{skeleton}:{canonical}"
        entry = Entry(canonical=canonical, key=key, arabic=arabic_spellings, latin=latin_spellings)
        for index, spellings in ((arabic_index, arabic_spellings), (latin_index, latin_spellings)):
            for spelling in spellings:
                if spelling in index and index[spelling] is not entry:
                    raise ValueError(
                        f"{path.name}: '{spelling}' is listed for both "
                        f"{index[spelling].canonical} and {canonical}"
                    )
                index[spelling] = entry
        if sharing[skeleton] > 1:
            by_skeleton.setdefault(skeleton, []).append(entry)
    return Lexicon(
        arabic=arabic_index,
        latin=latin_index,
        by_skeleton={skeleton: tuple(entries) for skeleton, entries in by_skeleton.items()},
    )
