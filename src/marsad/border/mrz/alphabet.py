"""The MRZ character set, check digits (ICAO Doc 9303 Part 3, 4.9) and the OCR confusions."""

import string

FILLER = "<"
MRZ_CHARACTERS = frozenset(string.ascii_uppercase + string.digits + FILLER)
WEIGHTS = (7, 3, 1)

# Letters an OCR engine (or a tired officer) reads for digits, and back. Only these five pairs:
# each is a classic confusion of the OCR-B typeface the MRZ is printed in.
LETTER_FOR_DIGIT = {"O": "0", "I": "1", "B": "8", "S": "5", "Z": "2"}
DIGIT_FOR_LETTER = {digit: letter for letter, digit in LETTER_FOR_DIGIT.items()}


VALUES = {
    FILLER: 0,
    **{digit: int(digit) for digit in string.digits},
    **{letter: index + 10 for index, letter in enumerate(string.ascii_uppercase)},
}


def character_value(character: str) -> int:
    """The value of one MRZ character in a check digit: 0–9, A=10 … Z=35, '<'=0."""
    try:
        return VALUES[character]
    except KeyError:
        raise ValueError(f"{character!r} is not an MRZ character") from None


def check_digit(data: str) -> int:
    """The Doc 9303 check digit of ``data``: values weighted 7, 3, 1 repeating, sum modulo 10."""
    try:
        return (
            sum(VALUES[character] * WEIGHTS[index % 3] for index, character in enumerate(data)) % 10
        )
    except KeyError as error:
        raise ValueError(f"{error.args[0]!r} is not an MRZ character") from None


def check_passes(data: str, check: str, *, filler_when_empty: bool = False) -> bool:
    """Whether the check character ``check`` is right for ``data``.

    ``filler_when_empty``: a '<' is also right when ``data`` is only fillers (the TD3 personal
    number's check digit may be '<' or 0 when the field is empty).
    """
    return verdict(data, check, check_digit(data), filler_when_empty=filler_when_empty)


def verdict(data: str, check: str, computed: int, *, filler_when_empty: bool = False) -> bool:
    """``check_passes`` when the check digit of ``data`` is already ``computed``."""
    if check == FILLER:
        return filler_when_empty and set(data) <= {FILLER}
    return check.isdigit() and int(check) == computed


def fold_confusions(text: str) -> str:
    """``text`` with every confusable letter read as its digit (for comparing, never storing)."""
    return "".join(LETTER_FOR_DIGIT.get(character, character) for character in text)
