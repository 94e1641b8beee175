"""ICAO Doc 9303 machine readable zones: read, verify and compare with the visual zone.

Pure code (no database): ``parse`` reads TD1, TD2, TD3, MRV-A and MRV-B; ``compare_visual``
lists the differences from the fields typed from the data page; ``compose`` writes an MRZ.

    result = parse("P<UTOERIKSSON<<ANNA<MARIA<<<...\\nL898902C36UTO7408122F1204159ZE...")
    result.valid, result.fields.document_number, result.verdicts(), result.errors
"""

from marsad.border.mrz.alphabet import (
    DIGIT_FOR_LETTER,
    FILLER,
    LETTER_FOR_DIGIT,
    MRZ_CHARACTERS,
    character_value,
    check_digit,
)
from marsad.border.mrz.codes import CodeInfo, describe_code
from marsad.border.mrz.compose import compose
from marsad.border.mrz.layouts import FORMATS, LAYOUTS, MRV_A, MRV_B, TD1, TD2, TD3, Layout, Span
from marsad.border.mrz.names import MRZName, read_name, to_mrz_text
from marsad.border.mrz.reader import parse
from marsad.border.mrz.results import (
    CHECK_NAMES,
    FIELD_NAMES,
    CheckResult,
    Correction,
    MRZFields,
    MRZResult,
    Problem,
)
from marsad.border.mrz.visual import Difference, compare_visual, parse_typed_date

__all__ = [
    "CHECK_NAMES",
    "DIGIT_FOR_LETTER",
    "FIELD_NAMES",
    "FILLER",
    "FORMATS",
    "LAYOUTS",
    "LETTER_FOR_DIGIT",
    "MRV_A",
    "MRV_B",
    "MRZ_CHARACTERS",
    "TD1",
    "TD2",
    "TD3",
    "CheckResult",
    "CodeInfo",
    "Correction",
    "Difference",
    "Layout",
    "MRZFields",
    "MRZName",
    "MRZResult",
    "Problem",
    "Span",
    "character_value",
    "check_digit",
    "compare_visual",
    "compose",
    "describe_code",
    "parse",
    "parse_typed_date",
    "read_name",
    "to_mrz_text",
]
