"""Search normalisation for place names in Latin, Arabic and Kurdish script (pure Python).

A query and the stored ``AdminArea.search_text`` go through the same function, so "البصره" finds
"البصرة" and "بصره" finds "بەسرە" on SQLite and PostgreSQL alike, without database extensions.
"""

import re
import unicodedata

# Letters written in several ways that a searcher should not have to get right.
_FOLD = str.maketrans(
    {
        "أ": "ا",  # alef with hamza above
        "إ": "ا",  # alef with hamza below
        "آ": "ا",  # alef with madda
        "ٱ": "ا",  # alef wasla
        "ى": "ي",  # alef maqsura
        "ی": "ي",  # Farsi/Kurdish yeh
        "ة": "ه",  # teh marbuta
        "ە": "ه",  # Kurdish ae, typed as heh on Arabic keyboards
        "ھ": "ه",  # heh doachashmee (Kurdish h)
        "ک": "ك",  # keheh (Kurdish/Farsi kaf)
        "-": " ",
        "_": " ",
    }
)
# Harakat, superscript alef, Quranic marks and tatweel carry no meaning for search.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` folded for search: case, Arabic/Kurdish letter variants, marks, spacing."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _MARKS.sub("", text).translate(_FOLD)
    return _SPACES.sub(" ", text).strip()


def search_text(*names: str) -> str:
    """The stored search column: each non-empty name normalised, one per line."""
    return "\n".join(folded for folded in (normalise(name) for name in names) if folded)
