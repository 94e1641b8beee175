"""Names in the MRZ: primary and secondary identifiers, and Latin text written the MRZ way."""

import unicodedata
from dataclasses import dataclass

from marsad.border.mrz.alphabet import FILLER

# Doc 9303 Part 3, 6.A: letters written as two in the MRZ; the plain letter is also met.
EXPANSIONS = {
    "Ä": "AE",
    "Å": "AA",
    "Æ": "AE",
    "Ĳ": "IJ",
    "Ö": "OE",
    "Ø": "OE",
    "Œ": "OE",
    "Ü": "UE",
    "ß": "SS",
    "ẞ": "SS",
    "Þ": "TH",
}
SINGLE_LETTERS = {"Ð": "D", "Đ": "D", "Ł": "L", "Ħ": "H", "Ŋ": "N", "ı": "I", "Ø": "O", "Æ": "AE"}
SEPARATORS = frozenset(" -,.‐‑–/")
DROPPED = frozenset("'’`´ʼ\"")


@dataclass(frozen=True)
class MRZName:
    """The name field read: ``surname`` and ``given_names`` with fillers as spaces."""

    raw: str
    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    possibly_truncated: bool

    @property
    def surname(self) -> str:
        return " ".join(self.primary)

    @property
    def given_names(self) -> str:
        return " ".join(self.secondary)


def read_name(raw: str) -> MRZName:
    """Split a name field at its first '<<': primary identifier, then secondary identifiers.

    A field whose last position holds a letter rather than a filler may have been truncated
    (Doc 9303 Part 3, 4.6).
    """
    body = raw.rstrip(FILLER)
    primary, _, secondary = body.partition(FILLER * 2)
    return MRZName(
        raw=raw,
        primary=tuple(part for part in primary.split(FILLER) if part),
        secondary=tuple(part for part in secondary.split(FILLER) if part),
        possibly_truncated=bool(raw) and raw[-1] != FILLER,
    )


def contains_arabic(text: str) -> bool:
    return any(
        "\u0600" <= character <= "\u06ff" or "\u0750" <= character <= "\u077f" for character in text
    )


def to_mrz_text(text: str, *, expand: bool = True) -> str:
    """Latin text as the MRZ writes it: capitals, accents dropped (``expand``: Ä → AE, Ø → OE
    …; otherwise Ä → A), apostrophes dropped, blanks and hyphens as '<'. Characters with no
    MRZ form (another script) are kept as they are, so the caller can tell."""
    result = []
    for character in text.strip():
        upper = character.upper() if character != "ß" else character
        if upper in DROPPED:
            continue
        if upper in SEPARATORS or upper.isspace():
            result.append(FILLER)
            continue
        if expand and upper in EXPANSIONS:
            result.append(EXPANSIONS[upper])
            continue
        if upper in SINGLE_LETTERS:
            result.append(SINGLE_LETTERS[upper])
            continue
        if upper == "ß":
            result.append("SS")
            continue
        decomposed = unicodedata.normalize("NFKD", upper)
        base = "".join(part for part in decomposed if not unicodedata.combining(part))
        result.append(base.upper() if base else upper)
    text = "".join(result)
    while FILLER * 2 in text:  # runs of separators become one filler
        text = text.replace(FILLER * 2, FILLER)
    return text.strip(FILLER)


def mrz_name_field(surname: str, given_names: str, width: int) -> str:
    """The name field for ``width`` positions: SURNAME<<GIVEN<NAMES, cut and padded."""
    primary = to_mrz_text(surname)
    secondary = to_mrz_text(given_names)
    field = f"{primary}{FILLER * 2}{secondary}" if secondary else primary
    return field[:width].ljust(width, FILLER)
