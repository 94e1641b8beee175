"""Phone numbers and identity-document numbers in their matching form."""

import re
import unicodedata

from marsad.linkage.normalise import arabic
from marsad.linkage.normalise.tables import DIGITS

_DIGIT_TABLE = str.maketrans(DIGITS)
_NON_DIGIT = re.compile(r"\D+")
_NOT_ID_CHAR = re.compile(r"[^0-9A-Z\u0621-\u064a]+")
IRAQ_CODE = "964"


def normalise_phone(phone: str | None) -> str:
    """An Iraqi phone number as its national number without the trunk 0 (e.g. 7701234567).

    +964 770 123 4567, 00964 770 123 4567, 964770…, 0770 123 4567 and ٠٧٧٠١٢٣٤٥٦٧ all give
    7701234567. A number with another country code keeps it, after a "+". Anything with fewer than
    seven digits, or made of one or two repeated digits (0000000, 0770000000), gives "".
    """
    if not phone:
        return ""
    text = phone.translate(_DIGIT_TABLE).strip()
    international = text.startswith(("+", "00"))
    digits = _NON_DIGIT.sub("", text)
    if digits.startswith("00"):
        digits = digits[2:]
    foreign = False
    if digits.startswith(IRAQ_CODE) and (international or len(digits) >= 12):
        digits = digits[len(IRAQ_CODE) :]
    elif international:
        foreign = True
    digits = digits.lstrip("0")
    if len(digits) < 7 or len(set(digits)) <= 2:
        return ""
    return "+" + digits if foreign else digits


def normalise_id(value: str | None) -> str:
    """An identity-document number in its matching form.

    Arabic-Indic digits become ASCII, Latin letters upper case, Arabic letters their normal form;
    spaces, dashes and other punctuation go, and so do leading zeros (spreadsheets drop them).
    A value with no digit in it ("N/A", "لا يوجد", "-") or only zeros gives "".
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value).translate(arabic.LIGHT).translate(arabic.FULL)
    text = _NOT_ID_CHAR.sub("", text.upper()).lstrip("0")
    if not any(char.isdigit() for char in text):
        return ""
    return text
