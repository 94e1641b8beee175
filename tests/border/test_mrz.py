"""The MRZ reader against the specimens printed in ICAO Doc 9303, and its explanations."""

from datetime import date

import pytest

from marsad.border.mrz import (
    MRV_A,
    MRV_B,
    TD1,
    TD2,
    TD3,
    Correction,
    character_value,
    check_digit,
    compare_visual,
    compose,
    describe_code,
    parse,
    parse_typed_date,
    read_name,
)
from marsad.border.mrz.dates import DateError, read_birth_date, read_expiry_date

TODAY = date(2026, 1, 1)

# Doc 9303 Part 4 (TD3 passport), Part 5 (TD1 card), Part 6 (TD2), Part 7 (visas).
TD3_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
)
TD1_SPECIMEN = (
    "I<UTOD231458907<<<<<<<<<<<<<<<",
    "7408122F1204159UTO<<<<<<<<<<<6",
    "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
)
TD2_SPECIMEN = (
    "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "D231458907UTO7408122F1204159<<<<<<<6",
)
MRV_A_SPECIMEN = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L8988901C4XXX4009078F96121096ZE184226B<<<<<<",
)
MRV_B_SPECIMEN = (
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<",
    "L8988901C4XXX4009078F9612109<<<<<<<<",
)
# Doc 9303 Part 11, Appendix D.2: a document number of 12 characters on TD1 and TD2.
TD1_LONG_NUMBER = (
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
)
TD2_LONG_NUMBER = (
    "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<",
    "D23145890<UTO3407127M95071227349<<<8",
)

ANNA = {
    "issuing_state": "UTO",
    "surname": "ERIKSSON",
    "given_names": "ANNA MARIA",
    "nationality": "UTO",
    "birth_date": "1974-08-12",
    "sex": "F",
    "expiry_date": "2012-04-15",
}


def lines_text(lines):
    return "\n".join(lines)


def test_check_digit_worked_examples_of_part_3():
    assert check_digit("520727") == 3
    assert check_digit("AB2134<<<") == 5
    assert [character_value(c) for c in "0<9AZ"] == [0, 0, 9, 10, 35]
    with pytest.raises(ValueError, match="not an MRZ character"):
        character_value("a")


@pytest.mark.parametrize(
    ("lines", "fmt", "fields", "digits"),
    [
        (
            TD3_SPECIMEN,
            TD3,
            {**ANNA, "document_type": "P", "document_number": "L898902C3"}
            | {"optional_data": "ZE184226B"},
            {
                "document_number": "6",
                "birth_date": "2",
                "expiry_date": "9",
                "optional_data": "1",
                "composite": "0",
            },
        ),
        (
            TD1_SPECIMEN,
            TD1,
            {**ANNA, "document_type": "I", "document_number": "D23145890", "optional_data": ""},
            {"document_number": "7", "birth_date": "2", "expiry_date": "9", "composite": "6"},
        ),
        (
            TD2_SPECIMEN,
            TD2,
            {**ANNA, "document_type": "I", "document_number": "D23145890", "optional_data": ""},
            {"document_number": "7", "birth_date": "2", "expiry_date": "9", "composite": "6"},
        ),
        (
            MRV_A_SPECIMEN,
            MRV_A,
            {
                **ANNA,
                "document_type": "V",
                "document_number": "L8988901C",
                "nationality": "XXX",
                "birth_date": "1940-09-07",
                "expiry_date": "1996-12-10",
                "optional_data": "6ZE184226B",
            },
            {"document_number": "4", "birth_date": "8", "expiry_date": "9"},
        ),
        (
            MRV_B_SPECIMEN,
            MRV_B,
            {
                **ANNA,
                "document_type": "V",
                "document_number": "L8988901C",
                "nationality": "XXX",
                "birth_date": "1940-09-07",
                "expiry_date": "1996-12-10",
                "optional_data": "",
            },
            {"document_number": "4", "birth_date": "8", "expiry_date": "9"},
        ),
    ],
    ids=[TD3, TD1, TD2, MRV_A, MRV_B],
)
def test_the_doc_9303_specimens(lines, fmt, fields, digits):
    result = parse(lines_text(lines), today=TODAY)
    output = result.as_dict()
    assert output["format"] == fmt
    assert output["fields"] == fields
    assert output["valid"] is True
    assert output["errors"] == []
    expected_checks = {name: True if name in digits else None for name in output["checks"]}
    assert output["checks"] == expected_checks
    assert {name: check.found for name, check in result.checks.items() if check} == digits
    assert all(check.computed == int(check.found) for check in result.checks.values() if check)


def test_passport_and_visa_of_the_same_size_are_told_apart():
    assert parse(TD3_SPECIMEN, today=TODAY).format == TD3
    assert parse(MRV_A_SPECIMEN, today=TODAY).format == MRV_A
    assert parse(TD2_SPECIMEN, today=TODAY).format == TD2
    assert parse(MRV_B_SPECIMEN, today=TODAY).format == MRV_B
    assert parse(MRV_A_SPECIMEN, today=TODAY).is_visa
    assert not parse(TD3_SPECIMEN, today=TODAY).is_visa


@pytest.mark.parametrize(
    ("lines", "composite"), [(TD1_LONG_NUMBER, "2"), (TD2_LONG_NUMBER, "8")], ids=[TD1, TD2]
)
def test_a_document_number_longer_than_nine_characters(lines, composite):
    result = parse(lines, today=TODAY)
    assert result.valid
    assert result.fields.document_number == "D23145890734"
    assert result.fields.optional_data == ""
    assert (result.fields.surname, result.fields.given_names) == ("STEVENSON", "PETER JOHN")
    assert result.fields.birth_date == date(1934, 7, 12)
    assert result.fields.sex == "M"
    assert result.checks["document_number"].found == "9"
    assert result.checks["document_number"].data == "D23145890734"
    assert result.checks["composite"].found == composite
    assert result.details["document_number_long"] is True


def test_the_notes_example_of_a_ten_character_number():
    lines = compose(
        TD1,
        document_code="ID",
        issuing_state="UTO",
        surname="ERIKSSON",
        given_names="ANNA",
        document_number="1234567890",
        nationality="UTO",
        birth_date="740812",
        sex="F",
        expiry_date="320415",
    )
    assert lines[0] == "IDUTO123456789<07<<<<<<<<<<<<<"
    result = parse(lines, today=TODAY)
    assert result.valid
    assert result.fields.document_number == "1234567890"


def test_a_filler_in_the_number_check_with_nothing_to_continue_it():
    lines = ("I<UTOD23145890<<<<<<<<<<<<<<<<", *TD1_LONG_NUMBER[1:])
    result = parse(lines, today=TODAY)
    assert result.verdicts()["document_number"] is False
    [problem] = [p for p in result.errors if p.code == "document_number_continuation"]
    assert "line 1, position 15" in problem.message
    assert "longer than 9 characters" in problem.message
    assert "begins with '<'" in problem.message


def test_td3_has_no_long_numbers_a_filler_check_digit_simply_fails():
    lines = (TD3_SPECIMEN[0], "L898902C3<UTO7408122F1204159ZE184226B<<<<<10")
    result = parse(lines, today=TODAY)
    assert result.verdicts()["document_number"] is False
    message = next(p.message for p in result.errors if p.field == "document_number")
    assert "holds '<', which is not a digit" in message


def test_compose_writes_the_specimens():
    common = {
        "issuing_state": "UTO",
        "surname": "Eriksson",
        "given_names": "Anna Maria",
        "nationality": "UTO",
        "birth_date": date(1974, 8, 12),
        "sex": "F",
        "expiry_date": date(2012, 4, 15),
    }
    assert (
        compose(
            TD3,
            document_code="P",
            document_number="L898902C3",
            optional_data="ZE184226B",
            **common,
        )
        == TD3_SPECIMEN
    )
    assert compose(TD1, document_code="I", document_number="D23145890", **common) == TD1_SPECIMEN
    assert compose(TD2, document_code="I", document_number="D23145890", **common) == TD2_SPECIMEN
    visa = {
        **common,
        "nationality": "XXX",
        "birth_date": "400907",
        "expiry_date": "961210",
        "document_code": "V",
        "document_number": "L8988901C",
    }
    assert compose(MRV_A, optional_data="6ZE184226B", **visa) == MRV_A_SPECIMEN
    assert compose(MRV_B, **visa) == MRV_B_SPECIMEN
    assert (
        compose(
            TD2,
            document_code="I",
            issuing_state="UTO",
            surname="Stevenson",
            given_names="Peter John",
            document_number="D23145890734",
            nationality="UTO",
            birth_date="340712",
            sex="M",
            expiry_date="950712",
        )
        == TD2_LONG_NUMBER
    )
    with pytest.raises(ValueError, match="at most 9 characters"):
        compose(TD3, document_code="P", document_number="D23145890734", **common)


# --- failed checks, what they guard, OCR confusions -------------------------------------------


def test_a_failed_check_names_the_field_it_guards_and_where():
    lines = (TD3_SPECIMEN[0], "L898902C36UTO7408123F1204159ZE184226B<<<<<10")
    result = parse(lines, today=TODAY)
    assert result.verdicts() == {
        "document_number": True,
        "birth_date": False,
        "expiry_date": True,
        "optional_data": True,
        "composite": False,
    }
    assert not result.valid
    birth, composite = (p for p in result.errors if p.code == "check_digit")
    assert birth.field == "birth_date"
    assert birth.message == (
        "The check digit of the date of birth failed: line 2, position 20 holds 3, but the "
        "date of birth as read, 740812 (line 2, positions 14–19), gives 2."
    )
    assert composite.field == "composite"
    assert "line 2, position 44" in composite.message
    assert "document number, date of birth, date of expiry, personal number" in composite.message
    assert "line 2, positions 1–10, 14–20, 22–43" in composite.message
    assert result.details["check_digits"]["birth_date"]["guards"] == ["birth_date"]


def test_composite_alone_failing_points_at_the_unguarded_optional_data():
    lines = (TD2_SPECIMEN[0], "D231458907UTO7408122F1204159<<<X<<<6")
    result = parse(lines, today=TODAY)
    assert result.verdicts()["composite"] is False
    assert [v for k, v in result.verdicts().items() if k != "composite"] == [True, True, True, None]
    [problem] = result.errors
    assert "the fault is in the optional data, which only the composite guards" in problem.message


def test_the_letter_o_in_a_date_is_read_as_zero():
    lines = (TD3_SPECIMEN[0], "L898902C36UTO74O8122F1204159ZE184226B<<<<<10")
    result = parse(lines, today=TODAY)
    assert result.fields.birth_date is None  # never fixed silently
    birth = result.checks["birth_date"]
    assert not birth.passed
    assert birth.corrections == (Correction(2, 16, "O", "0"),)
    assert birth.corrected_value == "740812"
    assert result.checks["composite"].corrections == (Correction(2, 16, "O", "0"),)
    problem = next(p for p in result.errors if p.field == "birth_date" and p.code == "check_digit")
    assert problem.suggestion == "740812"
    assert "Reading 'O' at line 2, position 16 as '0'" in problem.message
    assert "makes it pass: 740812" in problem.message
    date_problem = next(p for p in result.errors if p.code == "date")
    assert "dates are written YYMMDD in digits" in date_problem.message


@pytest.mark.parametrize(
    ("position", "letter", "digit", "check"),
    [
        (9, "S", "6", None),  # S is not a confusion for 6: no suggestion
        (27, "S", "9", None),
        (21, "I", "1", "expiry_date"),
        (22, "Z", "2", "expiry_date"),
        (23, "O", "0", "expiry_date"),
        (26, "S", "5", "expiry_date"),
        (16, "B", "8", "birth_date"),
        (19, "Z", "2", "birth_date"),  # the check digit itself
        (42, "I", "1", "optional_data"),
        (43, "O", "0", "composite"),
    ],
)
def test_each_confusion_in_a_numeric_field(position, letter, digit, check):
    line = TD3_SPECIMEN[1]
    assert line[position] == digit
    corrupted = line[:position] + letter + line[position + 1 :]
    result = parse((TD3_SPECIMEN[0], corrupted), today=TODAY)
    suggested = [c for c in result.checks.values() if c and c.corrections]
    if check is None:
        assert suggested == []
        return
    target = result.checks[check]
    assert not target.passed
    assert Correction(2, position + 1, letter, digit) in target.corrections


def test_no_guess_in_the_document_number_where_letters_and_digits_both_belong():
    lines = (TD3_SPECIMEN[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10")
    result = parse(lines, today=TODAY)
    assert result.verdicts()["document_number"] is False
    assert result.verdicts()["composite"] is False
    assert result.checks["document_number"].corrections == ()
    assert result.checks["composite"].corrections == ()
    problem = next(p for p in result.errors if p.field == "document_number")
    assert problem.message == (
        "The check digit of the document number failed: line 2, position 10 holds 6, but the "
        "document number as read, L8989O2C3 (line 2, positions 1–9), gives 0."
    )


# --- bad input, each explained ------------------------------------------------------------------


def messages(result, code):
    return [p.message for p in result.errors if p.code == code]


def test_no_input():
    result = parse("  \n\n", today=TODAY)
    assert result.as_dict()["fields"] is None
    assert result.as_dict()["checks"] is None
    assert messages(result, "no_input") == [
        "No MRZ was given: type or scan the two or three lines at the foot of the document's "
        "data page."
    ]


def test_wrong_line_count_with_the_lines_run_together():
    result = parse("".join(TD3_SPECIMEN), today=TODAY)
    assert not result.valid
    assert messages(result, "line_count") == [
        "The MRZ has 1 line, but an MRZ has 2 lines (passports, visas, TD2 cards) or 3 (TD1 "
        "identity cards). Its 88 characters look like 2 lines of 44 run together: start a new "
        "line after every 44 characters."
    ]
    result = parse([*TD1_SPECIMEN, "X<<"], today=TODAY)
    assert messages(result, "line_count")[0].startswith("The MRZ has 4 lines, but")


def test_a_missing_third_line_and_an_extra_one():
    result = parse(TD1_SPECIMEN[:2], today=TODAY)
    assert result.format == TD1
    assert "the third line (the name) is missing" in messages(result, "line_count")[0]
    result = parse([*TD3_SPECIMEN, "<<<"], today=TODAY)
    assert result.format == TD3
    assert messages(result, "line_count") == [
        "The MRZ has 3 lines, but its first two lines of 44 characters make a complete "
        "two-line TD3 MRZ: line 3 seems to be extra."
    ]


def test_wrong_line_length_names_the_line_and_both_lengths():
    result = parse((TD3_SPECIMEN[0], TD3_SPECIMEN[1][:-1]), today=TODAY)
    assert result.format == TD3
    assert messages(result, "line_length") == ["Line 2 has 43 characters, but a TD3 line has 44."]
    result = parse((TD1_SPECIMEN[0], TD1_SPECIMEN[1] + "<", TD1_SPECIMEN[2]), today=TODAY)
    assert messages(result, "line_length") == ["Line 2 has 31 characters, but a TD1 line has 30."]
    result = parse(("P<UTO<<<", "L898902C36"), today=TODAY)
    assert messages(result, "line_length") == [
        "Line 1 has 8 characters, but the lines of a two-line MRZ have 44 (TD3 passport, MRV-A "
        "visa) or 36 (TD2 document, MRV-B visa).",
        "Line 2 has 10 characters, but the lines of a two-line MRZ have 44 (TD3 passport, MRV-A "
        "visa) or 36 (TD2 document, MRV-B visa).",
    ]


def test_lower_case_is_reported_never_fixed_and_a_retry_offered():
    lower = (TD3_SPECIMEN[0].replace("ANNA", "Anna"), TD3_SPECIMEN[1])
    result = parse(lower, today=TODAY)
    assert result.fields is None
    [problem] = result.errors
    assert problem.code == "lower_case"
    assert problem.line == 1
    assert problem.suggestion == TD3_SPECIMEN[0]
    assert problem.message == (
        "Line 1 has lower-case letters ('n' at position 17, 'n' at position 18, 'a' at "
        "position 19); an MRZ is written in capitals only, so nothing was read. If you typed "
        f"it, type it again in capitals: {TD3_SPECIMEN[0]}"
    )
    assert parse([problem.suggestion, TD3_SPECIMEN[1]], today=TODAY).valid


def test_characters_outside_the_mrz_set():
    spaced = TD3_SPECIMEN[0].replace("ANNA<", "ANNA ")
    result = parse((spaced, TD3_SPECIMEN[1][:-1] + "\u200b"), today=TODAY)
    first, second = messages(result, "bad_character")
    assert first == (
        "Line 1 has characters that cannot appear in an MRZ: a space at position 20. An MRZ "
        "uses only the capital letters A–Z, the digits 0–9 and the filler '<'. Blanks inside a "
        "line are written '<', not as spaces."
    )
    assert second.startswith("Line 2 has characters that cannot appear in an MRZ: U+200B at ")
    result = parse((TD3_SPECIMEN[0], TD3_SPECIMEN[1][:-1] + "É"), today=TODAY)
    assert "'É' at position 44" in messages(result, "bad_character")[0]


def test_trailing_blanks_and_blank_lines_are_tolerated_leading_blanks_noted():
    text = f"\n\n{TD3_SPECIMEN[0]}   \r\n\n{TD3_SPECIMEN[1]}\t\n\n"
    result = parse(text, today=TODAY)
    assert result.valid
    assert result.lines == TD3_SPECIMEN
    indented = parse(f"  {TD3_SPECIMEN[0]}\n{TD3_SPECIMEN[1]}", today=TODAY)
    assert indented.valid
    assert [w.message for w in indented.warnings if w.code == "leading_blanks"] == [
        "Line 1 began with blanks; they were ignored."
    ]


def test_field_errors_sex_state_name_date():
    line1 = "P<UT0ERIKSS0N<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    line2 = "L898902C36UTO7413122Q1204159ZE184226B<<<<<10"
    result = parse((line1, line2), today=TODAY)
    by_code = {p.code: p for p in result.errors}
    assert by_code["state_code"].suggestion == "UTO"
    assert "Digits there are probably misread letters: UTO." in by_code["state_code"].message
    assert by_code["name"].suggestion == "ERIKSSON<<ANNA<MARIA"
    assert "'0' at position 12" in by_code["name"].message
    assert by_code["date"].message == (
        "The date of birth (line 2, positions 14–19) is '741312', which is not a date in the "
        "calendar."
    )
    assert by_code["sex"].message == (
        "The sex (line 2, position 21) is 'Q', but the MRZ writes M, F or '<' (unspecified)."
    )
    assert result.fields.sex is None
    assert not result.valid


def test_a_document_code_must_be_letters():
    result = parse(("P1UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", TD3_SPECIMEN[1]), today=TODAY)
    assert [p.message for p in result.errors] == [
        "The document code (line 1, positions 1–2) is 'P1', but a document code is made of "
        "letters, with '<' as filler."
    ]
    assert not result.valid


def test_unusual_document_code_and_unknown_state_are_warnings():
    line1 = "I<QQQERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    result = parse((line1, TD3_SPECIMEN[1]), today=TODAY)
    assert result.valid
    codes = {w.code for w in result.warnings}
    assert {"document_code", "unknown_state_code"} <= codes
    assert any("QQQ is neither an ISO 3166 country code" in w.message for w in result.warnings)


def test_a_name_that_fills_its_field_may_be_truncated():
    name = "ABCDEFGHIJKLMNOPQRSTUVW<<ABCDEFGHIJKLMN"
    assert len(name) == 39
    result = parse(("P<UTO" + name, TD3_SPECIMEN[1]), today=TODAY)
    assert result.valid
    assert result.details["name"]["possibly_truncated"] is True
    assert any(w.code == "name_truncated" for w in result.warnings)


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "surname", "given"),
    [
        ("ERIKSSON<<ANNA<MARIA<<<<<", "ERIKSSON", "ANNA MARIA"),
        ("VAN<DER<BERG<<PIETER<<<<", "VAN DER BERG", "PIETER"),
        ("AL<HASHIMI<<MOHAMMED<ALI<<", "AL HASHIMI", "MOHAMMED ALI"),
        ("MADONNA<<<<<<<<<<<<<<<<<", "MADONNA", ""),
        ("<<ANNA<<<<<<<<<", "", "ANNA"),
    ],
)
def test_name_parsing(field, surname, given):
    name = read_name(field)
    assert (name.surname, name.given_names) == (surname, given)
    assert not name.possibly_truncated


# --- centuries -----------------------------------------------------------------------------------


def test_birth_dates_are_never_in_the_future():
    assert read_birth_date("251231", today=TODAY).value == date(2025, 12, 31)
    assert read_birth_date("270101", today=TODAY).value == date(1927, 1, 1)
    assert read_birth_date("260101", today=TODAY).value == date(2026, 1, 1)
    assert read_birth_date("260102", today=TODAY).value == date(1926, 1, 2)
    assert read_birth_date("000229", today=TODAY).value == date(2000, 2, 29)
    assert read_birth_date("991231", today=date(2000, 1, 1)).value == date(1999, 12, 31)


def test_expiry_dates_fall_within_fifty_years_of_today():
    assert read_expiry_date("351231", today=TODAY).value == date(2035, 12, 31)
    assert read_expiry_date("760101", today=TODAY).value == date(2076, 1, 1)
    assert read_expiry_date("760102", today=TODAY).value == date(1976, 1, 2)
    assert read_expiry_date("960101", today=TODAY).value == date(1996, 1, 1)
    assert read_expiry_date("760102", today=TODAY, future_years=60).value == date(2076, 1, 2)
    assert read_expiry_date("100101", today=date(2095, 6, 1)).value == date(2110, 1, 1)


def test_partly_unknown_and_impossible_dates():
    partial = read_birth_date("74<<<<", today=TODAY)
    assert (partial.year, partial.month, partial.day, partial.value) == (1974, None, None, None)
    with pytest.raises(DateError) as caught:
        read_birth_date("010229", today=TODAY)
    assert caught.value.reason == "calendar"
    with pytest.raises(DateError) as caught:
        read_birth_date("74O812", today=TODAY)
    assert caught.value.reason == "characters"


def test_a_birth_date_with_unknown_day_and_month_reads_with_a_warning():
    lines = compose(
        TD3,
        document_code="P",
        issuing_state="IRQ",
        surname="Hassan",
        given_names="Ali",
        document_number="A1234567",
        nationality="IRQ",
        birth_date="74<<<<",
        sex="M",
        expiry_date="300101",
    )
    result = parse(lines, today=TODAY)
    assert result.valid
    assert result.fields.birth_date is None
    assert result.details["birth_date_parts"] == {"year": 1974, "month": None, "day": None}
    assert any(w.code == "date_partly_unknown" for w in result.warnings)


def test_the_century_follows_the_given_today():
    lines = compose(
        TD3,
        document_code="P",
        issuing_state="IRQ",
        surname="Hassan",
        document_number="A1234567",
        nationality="IRQ",
        birth_date="300101",
        sex="M",
        expiry_date="300101",
    )
    early = parse(lines, today=date(2026, 1, 1))
    assert (early.fields.birth_date, early.fields.expiry_date) == (
        date(1930, 1, 1),
        date(2030, 1, 1),
    )
    late = parse(lines, today=date(2031, 1, 1))
    assert late.fields.birth_date == date(2030, 1, 1)
    assert any(w.code == "expired" for w in late.warnings)
    assert not any(w.code == "expired" for w in early.warnings)


# --- special codes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind", "name"),
    [
        ("D<<", "state", "Germany"),
        ("D", "state", "Germany"),
        ("XXA", "stateless", "Stateless person (1954 Convention)"),
        ("XXB", "refugee", "Refugee under the 1951 Convention and its 1967 Protocol"),
        ("XXC", "refugee", "Refugee other than under the 1951 Convention"),
        ("XXX", "unspecified", "Person of unspecified nationality"),
        ("UNO", "organisation", "United Nations Organization or one of its officials"),
        ("UNA", "organisation", "Specialized agency of the United Nations or one of its officials"),
        ("UNK", "organisation", "Resident of Kosovo with a travel document issued by UNMIK"),
        ("IRQ", "state", "Iraq"),
        ("YUG", "former_state", "Yugoslavia, (Socialist) Federal Republic of"),
        ("QQQ", "unknown", ""),
    ],
)
def test_special_codes(code, kind, name):
    info = describe_code(code)
    assert (info.code, info.kind, info.name) == (code.rstrip("<"), kind, name)


def test_germany_and_a_stateless_holder_in_an_mrz():
    lines = compose(
        TD3,
        document_code="P",
        issuing_state="D",
        surname="Müller",
        given_names="Jürgen",
        document_number="C01X00T47",
        nationality="XXA",
        birth_date="640812",
        sex="M",
        expiry_date="310101",
    )
    assert lines[0].startswith("P<D<<MUELLER<<JUERGEN<")
    result = parse(lines, today=TODAY)
    assert result.valid
    assert (result.fields.issuing_state, result.fields.nationality) == ("D", "XXA")
    assert result.details["issuing_state"]["name"] == "Germany"
    assert result.details["nationality"]["kind"] == "stateless"


# --- the visual zone -----------------------------------------------------------------------------


def test_visual_zone_that_agrees_has_no_differences():
    result = parse(TD3_SPECIMEN, today=TODAY)
    typed = {
        "document_type": "P",
        "issuing_state": "UTO",
        "surname": "Eriksson",
        "given_names": "Anna Maria",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "birth_date": "12 AUG/AOUT 1974",
        "sex": "f",
        "expiry_date": date(2012, 4, 15),
        "optional_data": "ZE 184226 B",
    }
    assert compare_visual(result, typed) == []
    assert compare_visual(result, {"surname": "", "birth_date": None}) == []


def test_visual_zone_differences_are_listed_with_reasons():
    result = parse(TD3_SPECIMEN, today=TODAY)
    typed = {
        "surname": "Ericsson",
        "document_number": "L8989O2C3",
        "birth_date": "1974-08-21",
        "sex": "M",
        "nationality": "SWE",
        "expiry_date": "15/04/2012",
        "given_names": "آنا ماريا",
    }
    differences = {d.field: d for d in compare_visual(result, typed)}
    assert set(differences) == {
        "surname",
        "document_number",
        "birth_date",
        "sex",
        "nationality",
        "given_names",
    }
    assert differences["surname"].kind == "mismatch"
    assert differences["surname"].message == (
        "The surname typed from the page, 'Ericsson', differs from the MRZ, 'ERIKSSON'."
    )
    assert differences["document_number"].kind == "ocr_confusion"
    assert "(O/0, I/1, B/8, S/5, Z/2)" in differences["document_number"].message
    assert differences["birth_date"].mrz == "1974-08-12"
    assert differences["given_names"].kind == "not_comparable"
    bad_date = compare_visual(result, {"expiry_date": "sometime"})
    assert [d.kind for d in bad_date] == ["unreadable"]
    with pytest.raises(ValueError, match="unknown fields"):
        compare_visual(result, {"colour_of_eyes": "blue"})


def test_visual_zone_transliteration_truncation_and_state_names():
    lines = compose(
        TD3,
        document_code="P",
        issuing_state="D",
        surname="Müller-Lüdenscheidt",
        given_names="Hans Jürgen Friedrich Wilhelm",
        document_number="C01X00T47",
        nationality="D",
        birth_date="640812",
        sex="M",
        expiry_date="310101",
    )
    result = parse(lines, today=TODAY)
    assert result.details["name"]["possibly_truncated"] is True
    typed = {
        "surname": "Müller-Lüdenscheidt",
        "given_names": "Hans Jürgen Friedrich Wilhelm",
        "issuing_state": "Germany",
        "nationality": "DEU",
    }
    assert compare_visual(result, typed) == []
    plain = parse(
        compose(
            TD3,
            document_code="P",
            issuing_state="SWE",
            surname="Ström",
            document_number="A1",
            nationality="SWE",
            birth_date="640812",
            sex="M",
            expiry_date="310101",
        ),
        today=TODAY,
    )
    assert plain.fields.surname == "STROEM"
    assert compare_visual(plain, {"surname": "Ström"}) == []
    stripped = parse(("P<SWESTROM<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<", plain.lines[1]), today=TODAY)
    assert compare_visual(stripped, {"surname": "Ström", "issuing_state": "se"}) == []


def test_typed_dates():
    assert parse_typed_date("1974-08-12") == date(1974, 8, 12)
    assert parse_typed_date("12.08.1974") == date(1974, 8, 12)
    assert parse_typed_date("12 aug 1974") == date(1974, 8, 12)
    assert parse_typed_date("31/02/1974") is None
    assert parse_typed_date("yesterday") is None
