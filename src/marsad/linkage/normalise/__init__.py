"""Names, phones and ID numbers in forms that compare across Arabic and Latin script.

The ministry registers a person as "محمد جاسم الجبوري"; a partner's list has "Mohammed Jassim
Al-Jubouri", another "MUHAMMAD JASIM ALJBOORI", and the phone once as +964 770… and once as 0770….
This module gives each name three forms: a normal form in its own script (diacritics, letter
variants, the article and compounds settled), a romanisation into one Latin spelling space, and a
phonetic key that the Arabic and the Latin spellings of the same name share. It is pure Python (no
Django) so the linkage model, the registry's search and the benchmarks share it, and every table is
compiled once at import because it runs over millions of records.

How the key works. Arabic script writes consonants and long vowels; Latin transliterations write
every vowel, and each in several ways. So the key keeps the consonants, folded into classes where
transliterations disagree (خ kh h x; ق q k g; ث ذ ض ظ th dh d; ...), marks an initial vowel and the
final vowel (Ali / Alia differ there) and drops the rest. A few common names then share a skeleton
(Hassan / Hussein, Saad / Said): ``data/names.tsv`` lists those with their spellings, and each
gets its own key; an unlisted spelling with such a skeleton goes to the nearest listed spelling.
A nisba of a listed name (الكاظمي, Al-Kazimi, Kadhimi: the listed name and an i; الكاظماوي,
Kazimawi: and -awi) takes the key of the canonical spelling with that ending, in either script,
since the rules fail on it as on the name.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from marsad.linkage.normalise import arabic, latin, lexicon
from marsad.linkage.normalise.numbers import normalise_id, normalise_phone

__all__ = [
    "NameForms",
    "analyse",
    "name_key",
    "normalise",
    "normalise_arabic",
    "normalise_id",
    "normalise_latin",
    "normalise_phone",
    "romanise",
    "script",
    "tokens",
]

Script = Literal["arabic", "latin", "none"]

LEXICON = lexicon.load()
# Words that begin with an article-like al / ال without one: the exceptions and listed names.
_ARABIC_KEEP = arabic.ARTICLE_EXCEPTIONS | LEXICON.arabic.keys()
_LATIN_KEEP = latin.ARTICLE_EXCEPTIONS | LEXICON.latin.keys()


def script(text: str) -> Script:
    """Which script a name is written in: the one most of its letters belong to."""
    arabic_letters = len(arabic.ARABIC_CHAR.findall(text or ""))
    latin_letters = len(latin.LATIN_CHAR.findall(text or ""))
    if not arabic_letters and not latin_letters:
        return "none"
    return "arabic" if arabic_letters >= latin_letters else "latin"


def normalise_arabic(text: str) -> str:
    """Arabic-script text in its matching form.

    Diacritics and tatweel go; alef and hamza forms become ا و ي (a bare ء is dropped, a
    word-initial ئ is the Kurdish vowel seat and becomes ا); ة becomes ه and ى becomes ي; Persian
    and Kurdish letters become their nearest Arabic letter; digits become ASCII; the article ال
    is dropped from the front of a word; عبد + name, name + الدين and name + الله are written as
    one word. Letters of other scripts are dropped.
    """
    words = arabic.light_words(text or "", keep_article=_ARABIC_KEEP)
    return " ".join(word.translate(arabic.FULL) for word in words)


def normalise_latin(text: str) -> str:
    """Latin-script text in its matching form.

    Lower case without accents or punctuation (apostrophes join: Sa'id is said); the article
    al-/el-/Al /El and its assimilated forms (as-Sayed) dropped; Abdul/Abd al/Abdel/Abd-el/Abdoul
    + name and name + ud-Din written as one word beginning "abdal" or ending "aldin"; ee → i,
    oo and ou → u, ph → f, doubled letters single. Mohammed becomes "mohamed"; vowel and consonant
    variation beyond that is settled by :func:`name_key`.
    """
    return " ".join(latin.words(text or "", keep_article=_LATIN_KEEP))


@lru_cache(maxsize=65536)
def _arabic_word_forms(light: str) -> tuple[str, str, str, str]:
    """(normal form, romanisation, key, listed canonical name or "") of a light-form word."""
    normal = light.translate(arabic.FULL)
    entry = LEXICON.arabic.get(normal)
    if entry is not None:
        return normal, entry.canonical, entry.key, entry.canonical
    nisba = _arabic_nisba_key(normal)
    if nisba:
        # A nisba of a listed name (الأنوري from أنور, الأنوراوي): Latin writes the listed
        # name's vowels and the ending (Anwari, Anwarawi), so its key is the Latin key of that
        # spelling. The rules would read the و of انوري as a vowel and never meet Anwari. (The
        # romanisation stays the rules': حسني is as often the given name Husni as Hassani.)
        return normal, arabic.romanise_word(light), nisba, ""
    skeleton = arabic.skeleton(light)
    nearest = LEXICON.nearest(normal, skeleton, is_arabic=True)
    return normal, arabic.romanise_word(light), nearest.key if nearest else skeleton, ""


@lru_cache(maxsize=65536)
def _latin_word_forms(word: str) -> tuple[str, str, str, str]:
    """(normal form, romanisation, key, listed canonical name or "") of a folded word."""
    entry = LEXICON.latin.get(word)
    if entry is not None:
        return word, entry.canonical, entry.key, entry.canonical
    # A nisba of a listed name written with another of its spellings (Kazimi from Kazim,
    # Osmani from Osman): the key of the canonical spelling's nisba, as in Arabic script.
    return word, word, _latin_nisba_key(word) or _latin_rule_key(word), ""


def _latin_rule_key(word: str) -> str:
    """The key the spelling rules give a folded Latin word (or the listed name it is nearest)."""
    skeleton = latin.skeleton(word)
    nearest = LEXICON.nearest(word, skeleton, is_arabic=False)
    return nearest.key if nearest else skeleton


def _has_nisba(stem: lexicon.Entry | None) -> bool:
    """Whether a word that is this listed name and a nisba ending is keyed as its nisba: not
    after a vowel (اسامهي is no nisba), nor where listed names share a skeleton (Saadi, Saidi,
    Saudi and Sayedi: which of them a spelling is stays with the nearest listed spelling)."""
    return stem is not None and stem.canonical[-1] not in "aeiouy" and ":" not in stem.key


#: Nisba endings (Arabic, then Latin) and the Latin ending a nisba's key is computed with:
#: the key of الكاظمي, Kazimi and Kadhimi is the Latin key of the canonical "kadhim" + "i".
_ARABIC_NISBA = (("اوي", "awi"), ("ي", "i"))
_LATIN_NISBA = (("awi", "awi"), ("awy", "awi"), ("i", "i"), ("y", "i"))


def _arabic_nisba_key(normal: str) -> str:
    """The key of an Arabic word that is a nisba of a listed name, else ""."""
    for ending, written in _ARABIC_NISBA:
        stem = normal[: -len(ending)]
        if normal.endswith(ending) and len(stem) >= 3 and stem[-1] not in "يهاى":
            entry = LEXICON.arabic.get(stem)
            if _has_nisba(entry):
                return _latin_rule_key(entry.canonical + written)
    return ""


def _latin_nisba_key(word: str) -> str:
    """The key of a folded Latin word that is a nisba of a listed name, else "". (Not of a
    four-letter spelling: Mohdi is Mahdi more often than a nisba of Mohd.)"""
    for ending, written in _LATIN_NISBA:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 5:
            entry = LEXICON.latin.get(stem)
            if _has_nisba(entry):
                return _latin_rule_key(entry.canonical + written)
    return ""


@dataclass(frozen=True)
class NameForms:
    """A name in its matching forms, word by word."""

    normal: str
    romanised: str
    key: str
    tokens: tuple[str, ...]
    #: The canonical names when every word is a spelling listed in names.tsv, else "": two
    #: different listed names (Zaid, Ziad) are different names, however alike they look.
    listed: str = ""


_EMPTY = NameForms(normal="", romanised="", key="", tokens=())


def _script_chunks(text: str) -> list[tuple[Script, str]]:
    """Split a name into runs of Arabic-script and Latin-script words, in order."""
    chunks: list[tuple[Script, list[str]]] = []
    for word in text.split():
        word_script = script(word)
        if word_script == "none":
            word_script = chunks[-1][0] if chunks else "latin"
        if chunks and chunks[-1][0] == word_script:
            chunks[-1][1].append(word)
        else:
            chunks.append((word_script, [word]))
    return [(chunk_script, " ".join(words)) for chunk_script, words in chunks]


@lru_cache(maxsize=262144)
def analyse(name: str | None) -> NameForms:
    """Normal form, romanisation and key of a name in one pass (cached: names repeat)."""
    if not name or not name.strip():
        return _EMPTY
    words: list[tuple[str, str, str, str]] = []
    for chunk_script, chunk in _script_chunks(name):
        if chunk_script == "arabic":
            words.extend(
                _arabic_word_forms(light)
                for light in arabic.light_words(chunk, keep_article=_ARABIC_KEEP)
            )
        else:
            words.extend(
                _latin_word_forms(word) for word in latin.words(chunk, keep_article=_LATIN_KEEP)
            )
    if not words:
        return _EMPTY
    return NameForms(
        normal=" ".join(word[0] for word in words),
        romanised=" ".join(word[1] for word in words),
        key=" ".join(word[2] for word in words),
        tokens=tuple(word[0] for word in words),
        listed=" ".join(word[3] for word in words) if all(word[3] for word in words) else "",
    )


def normalise(name: str | None) -> str:
    """A name's matching form in its own script (the script is detected word by word)."""
    return analyse(name).normal


def romanise(name: str | None) -> str:
    """A name in one Latin spelling space, whichever script it was written in.

    Arabic letters are transliterated letter by letter (short vowels, which Arabic does not write,
    are not guessed); names listed in ``data/names.tsv`` take their canonical spelling, so "حسين",
    "Husain" and "Hussein" all romanise to "hussein". Latin names keep their normal form.
    """
    return analyse(name).romanised


def name_key(name: str | None) -> str:
    """A phonetic key the Arabic and Latin spellings of a name share, one part per word.

    "محمد", "Mohammed", "Muhammad" and "Mohamed" all give "mhmd:mohammed" (the skeleton "mhmd",
    which Mahmoud shares, plus the listed name); "يوسف", "Yousef" and "Yusuf" give "ysf".
    Compute it from the name as written, not from its normal form: ى, ة and Kurdish ە tell the
    key where a vowel is, and the normal form writes them ي and ه.
    """
    return analyse(name).key


def tokens(name: str | None) -> list[str]:
    """The words of a name in their normal form (compounds such as عبدالله are one word)."""
    return list(analyse(name).tokens)
