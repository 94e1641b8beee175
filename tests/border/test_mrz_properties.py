"""Properties of the MRZ reader on generated documents of every format.

A document is written with ``compose``, read back whole, then one character is changed: the
checks that cover that character must fail and only those; when the change is an OCR
confusion (0→O, 1→I, 8→B, 5→S, 2→Z) in a date or a check digit, the reader must offer the
original back.
"""

import string
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from marsad.border.mrz import (
    DIGIT_FOR_LETTER,
    FILLER,
    FORMATS,
    LAYOUTS,
    MRV_A,
    MRV_B,
    MRZ_CHARACTERS,
    TD1,
    TD2,
    TD3,
    Correction,
    character_value,
    compose,
    parse,
)

TODAY = date(2026, 1, 1)
LETTERS = string.ascii_uppercase
ALPHANUMERIC = LETTERS + string.digits
STATES = ["UTO", "IRQ", "D", "SYR", "IRN", "TUR", "JOR", "XXA", "XXB", "UNO", "GBR"]
DOCUMENT_CODES = {TD3: "P", MRV_A: "V", MRV_B: "V", TD1: "ACI", TD2: "ACI"}
PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def documents(draw, fmt):
    """The fields of a valid document in ``fmt`` and its MRZ lines."""
    layout = LAYOUTS[fmt]
    optional_width = layout.optional_data.end - layout.optional_data.start
    name_width = layout.name.end - layout.name.start
    surname = " ".join(
        draw(st.lists(st.text(LETTERS, min_size=1, max_size=10), min_size=1, max_size=2))
    )
    given = " ".join(draw(st.lists(st.text(LETTERS, min_size=1, max_size=8), max_size=3)))
    assume(len(surname) + 2 + len(given) <= name_width)
    longest_number = 9 + optional_width - 2 if layout.long_document_numbers else 9
    number = draw(st.text(ALPHANUMERIC, min_size=1, max_size=longest_number))
    room = optional_width - (len(number) - 9 + 2 if len(number) > 9 else 0)
    optional = draw(st.text(ALPHANUMERIC + FILLER, max_size=max(room, 0)))
    fields = {
        "document_code": draw(st.sampled_from(DOCUMENT_CODES[fmt]))
        + draw(st.sampled_from(LETTERS + FILLER)),
        "issuing_state": draw(st.sampled_from(STATES)),
        "surname": surname,
        "given_names": given,
        "document_number": number,
        "nationality": draw(st.sampled_from(STATES)),
        "birth_date": draw(st.dates(TODAY - timedelta(days=36_000), TODAY)),
        "sex": draw(st.sampled_from("MFX")),
        "expiry_date": draw(st.dates(date(1976, 1, 2), date(2076, 1, 1))),
        "optional_data": optional,
    }
    if layout.optional_data_2 is not None:
        width = layout.optional_data_2.end - layout.optional_data_2.start
        fields["optional_data_2"] = draw(st.text(ALPHANUMERIC + FILLER, max_size=width))
    return fields, compose(fmt, **fields)


def replaced(lines, line, position, character):
    lines = list(lines)
    lines[line] = lines[line][:position] + character + lines[line][position + 1 :]
    return lines


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_composed_document_reads_back_valid_with_its_fields(fmt, data):
    fields, lines = data.draw(documents(fmt))
    result = parse(lines, today=TODAY)
    assert result.format == fmt
    assert result.valid, result.errors
    read = result.fields
    assert read.surname == fields["surname"]
    assert read.given_names == fields["given_names"]
    assert read.document_number == fields["document_number"]
    assert read.birth_date == fields["birth_date"]
    assert read.expiry_date == fields["expiry_date"]
    assert read.sex == fields["sex"]
    assert read.optional_data == fields["optional_data"].strip(FILLER)
    assert read.document_type == fields["document_code"].rstrip(FILLER)
    assert all(
        verdict is (None if check is None else True)
        for verdict, check in zip(result.verdicts().values(), result.checks.values(), strict=True)
    )


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_one_changed_character_fails_exactly_the_checks_that_cover_it(fmt, data):
    _fields, lines = data.draw(documents(fmt))
    original = parse(lines, today=TODAY)
    layout = LAYOUTS[fmt]
    line = data.draw(st.integers(0, len(lines) - 1))
    position = data.draw(st.integers(0, len(lines[line]) - 1))
    old = lines[line][position]
    # Only changes that move the value modulo 10: 'A' (10) for '0' is invisible to any
    # check digit by construction of the 7-3-1 scheme.
    new = data.draw(
        st.sampled_from(
            sorted(
                c for c in MRZ_CHARACTERS if (character_value(c) - character_value(old)) % 10 != 0
            )
        )
    )
    # Changes that alter the structure rather than a value: a passport turned into a visa,
    # or a filler put in or taken out of the number's check position (a longer number read as
    # a shorter one or the reverse: another reading, not a wrong check digit).
    assume(not (line == 0 and position == 0 and "V" in (old, new)))
    number_check = layout.document_number_check
    assume(
        not (
            layout.long_document_numbers
            and (line, position) == (number_check.line, number_check.start)
            and FILLER in (old, new)
        )
    )
    if original.details.get("document_number_long"):
        continuation_end = original.checks["document_number"].check_span.end
        inside = line == layout.optional_data.line and (
            layout.optional_data.start <= position <= continuation_end
        )
        assume(not (inside and (new == FILLER or position == continuation_end)))

    result = parse(replaced(lines, line, position, new), today=TODAY)
    assert result.fields is not None
    verdicts = result.verdicts()
    for name, check in original.checks.items():
        if check is None:
            assert verdicts[name] is None
            continue
        covered = (line, position) in check.covers()
        assert verdicts[name] is (not covered), (name, line, position, old, new)
        if covered:
            assert any(
                p.field == name
                for p in result.errors
                if p.code in ("check_digit", "document_number_continuation")
            )
    # a correction the reader offers always restores the original
    for check in result.checks.values():
        if check is not None and check.corrections:
            assert all(c.replacement == old and c.found == new for c in check.corrections)


@pytest.mark.parametrize("fmt", FORMATS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_an_ocr_confusion_in_a_numeric_field_is_caught_and_corrected(fmt, data):
    _fields, lines = data.draw(documents(fmt))
    original = parse(lines, today=TODAY)
    layout = LAYOUTS[fmt]
    numeric_spans = [layout.birth_date, layout.expiry_date]
    numeric_spans += [check.check_span for check in original.checks.values() if check]
    candidates = sorted(
        (span.line, position)
        for span in numeric_spans
        for position in span.positions()
        if lines[span.line][position] in DIGIT_FOR_LETTER
    )
    assume(candidates)
    line, position = data.draw(st.sampled_from(candidates))
    digit = lines[line][position]
    letter = DIGIT_FOR_LETTER[digit]

    result = parse(replaced(lines, line, position, letter), today=TODAY)
    expected = Correction(line + 1, position + 1, letter, digit)
    covering = [name for name, c in original.checks.items() if c and (line, position) in c.covers()]
    assert covering
    for name in covering:
        check = result.checks[name]
        assert not check.passed
        assert check.corrections == (expected,)
        if name != "composite":
            assert check.corrected_value == original.checks[name].data.strip(FILLER)
        problem = next(p for p in result.errors if p.code == "check_digit" and p.field == name)
        assert (
            f"'{letter}' at line {line + 1}, position {position + 1} as '{digit}'"
            in problem.message
        )
    assert not result.valid


@pytest.mark.parametrize("fmt", [TD1, TD2, TD3])
@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_confusion_in_the_document_number_fails_but_is_not_guessed(fmt, data):
    fields, lines = data.draw(documents(fmt))
    original = parse(lines, today=TODAY)
    spans = original.checks["document_number"].data_spans
    candidates = [
        (span.line, position)
        for span in spans
        for position in span.positions()
        if lines[span.line][position] in DIGIT_FOR_LETTER
    ]
    assume(candidates)
    line, position = data.draw(st.sampled_from(candidates))
    letter = DIGIT_FOR_LETTER[lines[line][position]]
    result = parse(replaced(lines, line, position, letter), today=TODAY)
    number = result.checks["document_number"]
    assert not number.passed
    assert not result.checks["composite"].passed
    assert number.corrections == ()
    assert result.checks["composite"].corrections == ()
    assert fields["document_number"] not in {p.suggestion for p in result.errors}
