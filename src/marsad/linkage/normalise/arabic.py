"""Arabic-script names: letter variants, the article, compounds, romanisation and key skeleton.

Words go through two stages. The light form settles diacritics, alef and hamza seats, Persian and
Kurdish letters and compounds, but keeps ى, ة and Kurdish ە because they tell the romanisation and
the key that a vowel ends the word (مصطفى Mustafa, فاطمة Fatima), and ؤ because it is a hamza, not
the consonant و (فؤاد Fuad, لؤي Luay). The normal form then writes them ي, ه and و, as people
type them.
"""

import re
import unicodedata
from collections.abc import Container

from marsad.linkage.normalise.tables import DIGITS, collapse_doubled, pairs

ARABIC_CHAR = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")

_DIACRITICS = (
    [chr(c) for c in range(0x0610, 0x061B)]  # honorific signs and small high letters
    + [chr(c) for c in range(0x064B, 0x0660)]  # tanwin, harakat, shadda, sukun, hamza marks
    + ["\u0670"]  # superscript (dagger) alef
    + [chr(c) for c in range(0x06D6, 0x06EE)]  # Quranic annotation marks
    + ["\u0640"]  # tatweel (kashida)
)
LIGHT = str.maketrans(
    dict.fromkeys(_DIACRITICS, "")
    | DIGITS
    # alef and hamza seats; a bare hamza goes (علاء is typed علا as often as not). ؤ stays
    # until the normal form: it is a glottal stop, not the consonant w (فؤاد Fuad, مؤيد Muayad)
    | pairs("أ:ا إ:ا آ:ا ٱ:ا ٲ:ا ٳ:ا ٵ:ا ٶ:ؤ ئ:ي ٸ:ي ء:")
    # Persian and Kurdish letters to the nearest Arabic letter
    | pairs("ک:ك ڪ:ك گ:ك ڭ:ك ی:ي ې:ي ێ:ي ۍ:ي ۑ:ي چ:ج پ:ب ڤ:ف ڥ:ف ژ:ز ڕ:ر ڵ:ل")
    | pairs("ۆ:و ۇ:و ۈ:و ۉ:و ۊ:و ۋ:و ھ:ه ہ:ه ۀ:ه ۃ:ة")
)
FULL = str.maketrans({"ى": "ي", "ة": "ه", "ە": "ه", "ؤ": "و"})
# In Kurdish a word-initial ئ carries a vowel (ئازاد Azad): it is an alef there, not a yeh.
_INITIAL_YEH_HAMZA = re.compile(r"(?<![\w])ئ")
_REPEATED_ALEF = re.compile("ا{2,}")
_NOT_WORD = re.compile(r"[^\u0621-\u064a\u066e-\u06d5\u0750-\u077f0-9]+")

ARTICLE = "ال"
ABD = "عبد"
# Arabic writes a doubled consonant once (with a shadda), so عبد with a letter typed twice
# (عبدد, عببد) is a slip, never another name; so is ذ for its د (عبذ), the key beside it.
_ABD_MISTYPED = re.compile("ع+ب+[دذ]+")
#: Names that begin with ال without an article in them.
ARTICLE_EXCEPTIONS = frozenset({"الهام", "الياس", "اليسع", "الفت", "الطاف", "الله"})
# Second halves of compounds: نور الدين, فتح الله.
_COMPOUND_TAILS = frozenset({"الدين", "الله"})

# Consonant classes of the key (x is the class of ش / sh).
_CONSONANT_CLASS = pairs(
    "ب:b ت:t ث:d ج:j ح:h خ:h د:d ذ:d ر:r ز:z س:s ش:x ص:s ض:d ط:t ظ:d غ:k ف:f ق:k ك:k ل:l م:m"
    " ن:n ه:h"
)
_VOWEL_AFTER_WAW = frozenset("اىةەيه")
_FINAL_VOWEL = {"ا": "a", "ى": "a", "ة": "a", "ە": "a", "ه": "a", "ي": "y", "و": "w"}
_ROMAN = pairs(
    "ا:a ب:b ت:t ث:th ج:j ح:h خ:kh د:d ذ:dh ر:r ز:z س:s ش:sh ص:s ض:dh ط:t ظ:dh ع:a غ:gh ف:f ق:q"
    " ك:k ل:l م:m ن:n ه:h ة:a ى:a ە:e"
)


def light_words(
    text: str, *, keep_article: Container[str] = ARTICLE_EXCEPTIONS, strip_article: bool = True
) -> list[str]:
    """Arabic words in their light form, compounds joined, the article dropped.

    ``keep_article`` holds normal forms that begin with ال without it being the article.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INITIAL_YEH_HAMZA.sub("ا", text).translate(LIGHT)
    text = _REPEATED_ALEF.sub("ا", text)  # ئا (Kurdish), آا: one vowel
    words = _NOT_WORD.sub(" ", text).split()
    joined: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else None
        if word == ARTICLE and following is not None:  # a detached article: "ال جبوري"
            words[index + 1] = ARTICLE + following
            index += 1
            continue
        if is_abd(word) and following is not None:  # عبد الله, عبد الرحمن: one name
            if following == ARTICLE and index + 2 < len(words):
                following = ARTICLE + words[index + 2]
                index += 1
            joined.append(ABD + following)
            index += 2
            continue
        if word.translate(FULL) in _COMPOUND_TAILS and joined and not joined[-1].startswith(ABD):
            joined[-1] += word  # نور الدين, فتح الله
            index += 1
            continue
        joined.append(word)
        index += 1
    if not strip_article:
        return joined
    return [
        word[2:]
        if word.startswith(ARTICLE) and len(word) >= 4 and word.translate(FULL) not in keep_article
        else word
        for word in joined
    ]


def is_abd(word: str) -> bool:
    """Whether a light-form word is the "servant of" that makes one name with the next (عبد,
    or عبد mistyped: عبدد الله and عبذ الله are عبد الله)."""
    return word == ABD or bool(_ABD_MISTYPED.fullmatch(word))


def romanise_word(light: str) -> str:
    """A letter-by-letter Latin spelling; short vowels, which Arabic does not write, not guessed."""
    letters: list[str] = []
    last = len(light) - 1
    for position, char in enumerate(light):
        if char == "و":
            consonant = (
                position == 0
                or light[position - 1] == "ا"
                or (position < last and light[position + 1] in _VOWEL_AFTER_WAW)
            )
            letters.append("w" if consonant else "u")
        elif char == "ي":
            vowel = position != 0 and light[position - 1] != "ا"
            letters.append("i" if vowel else "y")
        elif char == "ه" and position == last and position > 0:
            letters.append("a")
        elif char == "ع" and position == last and position > 0:
            continue
        elif char == "ؤ":
            letters.append("u")  # فؤاد fuad, مؤيد muid
        else:
            letters.append(_ROMAN.get(char, char))
    return collapse_doubled("".join(letters))


def skeleton(light: str) -> str:
    """Consonant classes of a light-form word, with its initial and final vowel marked."""
    if not light:
        return ""
    if len(light) > 2 and light[-1] in "حه" and light[-2] == "ا":
        light = light[:-1]  # صلاح, شاه: Latin writes "Salah", "Shah" like "Fatimah"
    body = light[:-1] if len(light) > 1 and light[-1] == "ع" else light
    first = body[0]
    if first in "اعىةە":
        classes, previous = ["a"], None
    elif first in "يو":
        classes, previous = ["y" if first == "ي" else "w"], None
    else:
        previous = _CONSONANT_CLASS.get(first)
        classes = [previous] if previous else []
    last = len(body) - 1
    for position in range(1, len(body)):
        char = body[position]
        consonant = _CONSONANT_CLASS.get(char)
        if char == "و" and position < last and body[position + 1] in _VOWEL_AFTER_WAW:
            consonant = "w"  # و before a vowel is the consonant: كاروان Karwan, not Goran
        if consonant is None or (char == "ه" and position == last):
            previous = None
            continue
        if consonant != previous:
            classes.append(consonant)
        previous = consonant
    if len(body) > 1 and (final := _FINAL_VOWEL.get(body[-1])):
        classes.append(final)
    return "".join(classes)
