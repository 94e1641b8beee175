"""Latin-script names: case, accents, the article, Abdul- and -uddin compounds, key skeleton."""

import re
import unicodedata
from collections.abc import Container

from marsad.linkage.normalise.tables import collapse_doubled, pairs

LATIN_CHAR = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

_PRE = str.maketrans(
    # apostrophes and ayn/hamza signs join, they do not split: Sa'id is Said
    dict.fromkeys("'`´ʿʾʼ’‘", "")
    # letters whose accent-stripped form would lose a sound
    | pairs("ç:ch Ç:ch ş:sh Ş:sh ğ:gh Ğ:gh ı:i İ:i ḏ:dh Ḏ:dh ṯ:th Ṯ:th ḫ:kh Ḫ:kh ẖ:kh ǧ:j Ǧ:j")
    | pairs("š:sh Š:sh ġ:gh Ġ:gh ž:zh Ž:zh č:ch Č:ch ß:ss æ:ae Æ:ae ø:o Ø:o đ:d ł:l")
)
_NOT_WORD = re.compile(r"[^a-z]+")
_VOWEL_DIGRAPHS = (("ee", "i"), ("oo", "u"), ("ou", "u"), ("ph", "f"))

#: "Servant of" written apart from the name it joins: Abd, Abdu, Abdul and its spellings with a
#: short or long vowel (Abdel, Abdoul, Abdool).
ABD_WORD = re.compile(r"^abd(?:[aeiou]{1,2}l|u)?$")
#: ... or with the article assimilated to the next name's "sun" letter (Abdur Rahman, Abdus Salam)
ABD_SUN = re.compile(r"^abd[aeiou](sh|th|dh|[tdszrn])$")
# abd + (ul | el | l | assimilated article | linking vowel) + name, written as one word
_ABD_JOINED = re.compile(
    r"^abd(?:[aeiou]{0,2}l(?=[a-z]{3})|[aeiou](?=([b-df-hj-np-tv-z])\1)|[aeiou](?=[a-z]{3}))?"
    r"(?P<rest>[a-z]{3,})$"
)
_ARTICLES = frozenset({"al", "el", "ul", "ol", "il"})
# ar-Rashid, as-Sayed, ad-Din, ash-Shammari: the article assimilated to a "sun" letter
_SUN_ARTICLE = re.compile(r"^[aeiu](?:sh|th|dh|[tdszrnl])$")
_DIN_WORDS = frozenset({"din", "deen", "dine", "dyn"})
_DIN_SUFFIX = re.compile(r"^[aeiou]?[ld]d(?:i|ee|y)ne?$")
_DIN_JOINED = re.compile(r"^(?P<head>[a-z]{2,}?)[aeiou]?[ld]d(?:i|ee|y)ne?$")
_ALLAH_WORDS = frozenset({"allah", "alla", "ullah", "ulla", "illah"})
#: Names that begin with al/el without an article in them (folded spellings).
ARTICLE_EXCEPTIONS = frozenset(
    {
        "alwan",
        "alawi",
        "alawy",
        "alawiya",
        "alwiya",
        "elham",
        "ilham",
        "elias",
        "elyas",
        "alyas",
        "alhan",
        # Kurdish and Persian names (Almas ئەلماس, Alwand ئەلوەند, Alend, Elyar, Elina)
        "almas",
        "almaz",
        "elmas",
        "alwand",
        "alend",
        "elyar",
        "elina",
        "eliyas",
    }
)

_UNIT = re.compile(r"kh|gh|sh|ch|ph|th|dh|zh|dj|[a-z]")
# Consonant classes of the key, the same as for Arabic letters (x is the class of sh / ش).
_CONSONANT_CLASS = pairs(
    "b:b p:b t:t th:d d:d dh:d j:j dj:j ch:j h:h kh:h x:h z:z zh:z s:s sh:x k:k q:k c:k g:k gh:k"
    " f:f ph:f v:f l:l m:m n:n r:r"
)
_FINAL_VOWEL = {"a": "a", "e": "a", "i": "y", "y": "y", "u": "w", "o": "w", "w": "w"}


def _is_article(word: str, following: str) -> bool:
    if word in _ARTICLES:
        return True
    return bool(_SUN_ARTICLE.match(word)) and following.startswith(word[1:])


def _unswapped(word: str) -> str:
    """Abd with its b and d typed the other way round (Adbel, Adbul Rahman): no name begins
    with "adb"."""
    return "abd" + word[3:] if word.startswith("adb") else word


def may_be_abd(word: str) -> bool:
    """Whether ``word`` (folded to lower case) may be the "servant of" that joins the next name
    (:func:`_is_abd` says whether it does, from that name)."""
    word = collapse_doubled(_unswapped(word))
    return bool(ABD_WORD.match(word) or ABD_SUN.match(word))


def _is_abd(word: str, following: str) -> bool:
    """Whether ``word`` is the "servant of" that makes one name with ``following``. A letter
    typed twice is a slip (Abdull, Abbdel, Abddul: Abdul and Abdel)."""
    word = collapse_doubled(word)
    if ABD_WORD.match(word):
        return True
    sun = ABD_SUN.match(word)
    return bool(sun) and following.startswith(sun.group(1))


def _strip_leading_article(word: str) -> str:
    return word[2:] if word[:2] in ("al", "el") and len(word) >= 5 else word


# French spellings write w as "ou" between vowels or before one at the start (Fahdaoui, Ouael):
# there it is the consonant, not the vowel u (Fouad, Raouf keep "ou" as a vowel).
_FRENCH_W = re.compile(r"(?:(?<=[aeiou])|^)ou(?=[aeiou])")


def _fold(word: str) -> str:
    word = _FRENCH_W.sub("w", word)
    for variant, replacement in _VOWEL_DIGRAPHS:
        word = word.replace(variant, replacement)
    return collapse_doubled(word)


def _join_compounds(words: list[str]) -> list[str]:
    joined: list[str] = []
    index = 0
    count = len(words)
    while index < count:
        word = words[index]
        following = words[index + 1] if index + 1 < count else ""
        after = words[index + 2] if index + 2 < count else ""
        if following and _is_abd(word, following):
            if _is_article(following, after) and after:
                following, index = after, index + 1
            else:
                following = _strip_leading_article(following)
            joined.append("abdal" + following)
            index += 2
            continue
        if word.startswith("abdal") and len(word) > 5:
            joined.append(word)  # already abd + al + name (also keeps normalising idempotent)
            index += 1
            continue
        if word.startswith("abd") and (match := _ABD_JOINED.match(word)):
            joined.append("abdal" + match.group("rest"))
            index += 1
            continue
        if joined and _is_article(word, following) and following in _DIN_WORDS:
            joined[-1] += "aldin"  # Nur ad-Din
            index += 2
            continue
        if joined and (word in _DIN_WORDS or _DIN_SUFFIX.match(word)):
            joined[-1] += "aldin"  # Nur aldin, Salah uddin
            index += 1
            continue
        if joined and word in _ALLAH_WORDS and not joined[-1].startswith("abd"):
            joined[-1] += "allah"  # Fath Allah
            index += 1
            continue
        if following and _is_article(word, following):
            index += 1  # a detached article: "Al Jubouri", "as-Sayed"
            continue
        if match := _DIN_JOINED.match(word):
            word = match.group("head") + "aldin"  # Salahuddin, Nooruldeen
        joined.append(word)
        index += 1
    return joined


def words(
    text: str, *, keep_article: Container[str] = ARTICLE_EXCEPTIONS, strip_article: bool = True
) -> list[str]:
    """Latin words folded to their matching form (see ``normalise_latin``).

    ``keep_article`` holds folded words that begin with al/el without it being the article.
    """
    text = unicodedata.normalize("NFKD", text.translate(_PRE))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    split = [_unswapped(word) for word in _NOT_WORD.sub(" ", text).split()]
    folded = [_fold(word) for word in _join_compounds(split)]
    if not strip_article:
        return folded
    return [
        word[2:]
        if word[:2] in ("al", "el")
        and len(word) >= 5
        and not word.endswith("aldin")
        and word not in keep_article
        else word
        for word in folded
    ]


def skeleton(word: str) -> str:
    """Consonant classes of a folded word, with its initial and final vowel marked."""
    if not word:
        return ""
    if len(word) > 3 and word.endswith("ah"):
        word = word[:-1]  # Fatimah, Abdullah
    if len(word) > 3 and word.endswith(("ie", "ye")):
        word = word[:-1]  # Rubaie, Samarraie
    units = _UNIT.findall(word)
    first = units[0]
    if first in "aeiou":
        classes, previous = ["a"], None
    elif first in "yw":
        classes, previous = [first], None
    else:
        previous = _CONSONANT_CLASS.get(first)
        classes = [previous] if previous else []
    for position in range(1, len(units)):
        unit = units[position]
        consonant = _CONSONANT_CLASS.get(unit)
        if unit == "w" and position + 1 < len(units) and units[position + 1] in "aeiy":
            consonant = "w"  # w before a vowel is the consonant (Karwan, Marwan) ...
        # ... but before u or o Arabic writes the one و for both (داود Dawud, Dawoodawi)
        if consonant is None:
            previous = None
            continue
        if consonant != previous:
            classes.append(consonant)
        previous = consonant
    if len(units) > 1 and (final := _FINAL_VOWEL.get(units[-1])):
        classes.append(final)
    return "".join(classes)
