"""Writing an MRZ from its fields, with every check digit: for test data, demos and benches."""

from datetime import date

from marsad.border.mrz.alphabet import FILLER, MRZ_CHARACTERS, check_digit
from marsad.border.mrz.layouts import LAYOUTS, Span
from marsad.border.mrz.names import mrz_name_field


def _yymmdd(value: date | str) -> str:
    if isinstance(value, date):
        return value.strftime("%y%m%d")
    if len(value) != 6:
        raise ValueError(f"a date is a date or six characters YYMMDD, not {value!r}")
    return value


def _put(lines: list[list[str]], span: Span, text: str) -> None:
    width = span.end - span.start
    if len(text) > width:
        raise ValueError(f"{text!r} does not fit in {width} positions")
    lines[span.line][span.start : span.end] = list(text.ljust(width, FILLER))


def _plain(text: str) -> str:
    """Codes, numbers and optional data: capitals, blanks as fillers, nothing else changed."""
    return text.strip().upper().replace(" ", FILLER)


def _code(text: str, width: int) -> str:
    return _plain(text).ljust(width, FILLER)


def compose(
    format: str,
    *,
    document_code: str,
    issuing_state: str,
    surname: str,
    given_names: str = "",
    document_number: str,
    nationality: str,
    birth_date: date | str,
    sex: str,
    expiry_date: date | str,
    optional_data: str = "",
    optional_data_2: str = "",
) -> tuple[str, ...]:
    """The MRZ lines of a document in ``format`` (TD1, TD2, TD3, MRV-A, MRV-B).

    A document number longer than 9 characters is written the Doc 9303 way where the format
    allows it: '<' in its check digit position, the rest and a check digit over the whole
    number at the start of the optional data. ``sex`` is M, F, or X / '<' for unspecified;
    ``optional_data_2`` is the second optional field of TD1. Raises ValueError on anything
    that cannot be written.
    """
    layout = LAYOUTS[format]
    lines = [[FILLER] * layout.line_length for _ in range(layout.line_count)]
    _put(lines, layout.document_code, _code(document_code, 2))
    _put(lines, layout.issuing_state, _code(issuing_state, 3))
    _put(
        lines,
        layout.name,
        mrz_name_field(surname, given_names, layout.name.end - layout.name.start),
    )
    number = _plain(document_number).rstrip(FILLER)
    optional = _plain(optional_data)
    if len(number) > 9:
        if not layout.long_document_numbers:
            raise ValueError(f"a {format} document number has at most 9 characters")
        optional = f"{number[9:]}{check_digit(number)}{FILLER}{optional}"
        _put(lines, layout.document_number, number[:9])
        _put(lines, layout.document_number_check, FILLER)
    else:
        _put(lines, layout.document_number, number)
        _put(lines, layout.document_number_check, str(check_digit(number.ljust(9, FILLER))))
    _put(lines, layout.nationality, _code(nationality, 3))
    birth = _yymmdd(birth_date)
    _put(lines, layout.birth_date, birth)
    _put(lines, layout.birth_date_check, str(check_digit(birth)))
    _put(lines, layout.sex, {"M": "M", "F": "F", "X": FILLER, FILLER: FILLER}[sex.upper()])
    expiry = _yymmdd(expiry_date)
    _put(lines, layout.expiry_date, expiry)
    _put(lines, layout.expiry_date_check, str(check_digit(expiry)))
    _put(lines, layout.optional_data, optional)
    if layout.optional_data_check is not None:
        padded = optional.ljust(layout.optional_data.end - layout.optional_data.start, FILLER)
        _put(
            lines,
            layout.optional_data_check,
            str(check_digit(padded)) if optional.strip(FILLER) else FILLER,
        )
    if layout.optional_data_2 is not None:
        _put(lines, layout.optional_data_2, _plain(optional_data_2))
    elif optional_data_2:
        raise ValueError(f"{format} has no second optional data field")
    if layout.composite is not None:
        data = "".join(
            span.text(["".join(line) for line in lines]) for span in layout.composite_data
        )
        _put(lines, layout.composite, str(check_digit(data)))
    result = tuple("".join(line) for line in lines)
    for line in result:
        stray = set(line) - MRZ_CHARACTERS
        if stray:
            raise ValueError(f"cannot write {''.join(sorted(stray))!r} in an MRZ")
    return result
