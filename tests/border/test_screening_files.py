"""Reading WL.csv and T.csv (``marsad.border.screening.files``): columns, encodings, rows."""

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from marsad.border.screening import PartialDate
from marsad.border.screening.files import FileProblem, read_travellers, read_watchlist

TODAY = date(2026, 1, 1)
WATCHLIST = (
    "entry_id,full_name,aliases,birth_date,nationality,document_number\n"
    "W1,احمد خليل ابراهيم الجبوري,Abu Hamza; أبو حمزة,1980-05-03,irq,A1234567;B7654321\n"
    "W2,Mohammed bin Salman al-Tikriti,,1975,IRQ,\n"
    "W3,Zarqawi,,03/05/1966,JOR,\n"
)
TRAVELLERS = (
    "traveller_id,surname,given_names,birth_date,nationality,document_number\n"
    "T1,AL-JUBOURI,AHMED KHALIL,1980-05-03,IRQ,B7654321\n"
    "T2,SMITH,,1980-02-30,GBR,\n"
)


def test_a_watchlist_is_read_with_aliases_documents_and_partial_dates():
    read = read_watchlist(WATCHLIST.encode("utf-8"), "WL.csv", today=TODAY)
    assert read.report.errors == []
    first, second, third = read.entries
    assert first.entry_id == "W1"
    assert first.names == ("احمد خليل ابراهيم الجبوري", "Abu Hamza", "أبو حمزة")
    assert first.document_numbers == ("A1234567", "B7654321")
    assert first.nationality == "IRQ"
    assert first.birth_date == PartialDate(1980, 5, 3)
    assert second.birth_date == PartialDate(1975)
    assert second.action == "refer"
    # A malformed date is treated as missing and counted, not an error.
    assert third.birth_date is None
    assert read.report.malformed_dates == [(4, "03/05/1966")]
    assert read.report.missing_columns == []


def test_travellers_are_read_and_an_impossible_date_is_counted():
    read = read_travellers(TRAVELLERS.encode("utf-8"), "T.csv", today=TODAY)
    assert [t.traveller_id for t in read.travellers] == ["T1", "T2"]
    assert read.travellers[0].birth_date == PartialDate(1980, 5, 3)
    assert read.travellers[1].birth_date is None
    assert read.report.malformed_dates == [(3, "1980-02-30")]


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (("\ufeff" + WATCHLIST).encode("utf-8"), "utf-8"),
        (WATCHLIST.encode("cp1256"), "windows-1256"),
        (WATCHLIST.encode("utf-16"), "utf-8"),
        (WATCHLIST.replace(",", ";").encode("utf-8"), "utf-8"),
    ],
    ids=["utf-8 with BOM", "windows-1256", "utf-16", "semicolons"],
)
def test_encodings_and_separators(encoded, encoding):
    read = read_watchlist(encoded, "WL.csv", today=TODAY)
    assert read.report.encoding == encoding
    assert read.entries[0].names[0] == "احمد خليل ابراهيم الجبوري"
    assert read.entries[0].entry_id == "W1"


def test_xlsx_with_date_cells():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["traveller_id", "surname", "given_names", "birth_date", "nationality"])
    sheet.append(["T1", "الجبوري", "احمد خليل", date(1980, 5, 3), "IRQ"])
    sheet.append(["T2", "SMITH", "JOHN", 1971, "GBR"])
    content = io.BytesIO()
    workbook.save(content)
    read = read_travellers(content.getvalue(), "T.xlsx", today=TODAY)
    assert read.report.format == "xlsx"
    assert read.travellers[0].birth_date == PartialDate(1980, 5, 3)
    assert read.travellers[1].birth_date == PartialDate(1971)
    assert read.report.missing_columns == ["document_number"]


def test_a_missing_required_column_is_named():
    with pytest.raises(FileProblem) as problem:
        read_watchlist(b"entry_id,name,birth_date\nW1,Ahmed,1980\n", "WL.csv")
    message = str(problem.value)
    assert "WL.csv: the column full_name is missing" in message
    assert "found entry_id, name, birth_date" in message


def test_travellers_need_a_name_column():
    with pytest.raises(FileProblem, match="surname or given_names is missing"):
        read_travellers(b"traveller_id,birth_date\nT1,1980\n", "T.csv")


def test_binary_and_empty_files_are_refused_in_words():
    with pytest.raises(FileProblem, match="not a text file"):
        read_watchlist(b"entry_id\x00full_name", "WL.csv")
    with pytest.raises(FileProblem, match="is empty"):
        read_watchlist(b"  \n", "WL.csv")
    with pytest.raises(FileProblem, match="cannot read"):
        read_watchlist(Path("/nonexistent/WL.csv"))


def test_row_errors_name_the_row_and_the_column():
    text = (
        "entry_id,full_name,aliases,birth_date,nationality,document_number,valid_from\n"
        "W1,Ahmed al-Jubouri,,1980,IRQ,,\n"
        ",Omar al-Dulaimi,,1970,IRQ,,\n"
        "W1,Ali al-Tamimi,,1960,IRQ,,\n"
        "W4,,,1960,IRQ,,\n"
        "W5,Zainab Kadhim,,1960,IRQ,,2024-13-01\n"
    )
    read = read_watchlist(text.encode("utf-8"), "WL.csv", today=TODAY)
    assert [entry.entry_id for entry in read.entries] == ["W1"]
    assert [str(error) for error in read.report.errors] == [
        "row 3, column entry_id: the entry has no entry_id",
        "row 4, column entry_id: W1 is already used on row 2",
        "row 5, column full_name: the entry has no name",
        "row 6, column valid_from: “2024-13-01” is not a date YYYY-MM-DD",
    ]


def test_duplicate_and_nameless_travellers_are_row_errors():
    text = "traveller_id,surname,given_names\nT1,AL-JUBOURI,AHMED\nT1,AL-TAMIMI,ALI\nT3,,\n"
    read = read_travellers(text.encode("utf-8"), "T.csv")
    assert [str(error) for error in read.report.errors] == [
        "row 3, column traveller_id: T1 is already used on row 2",
        "row 4, column surname: the traveller has neither surname nor given names",
    ]
    assert read.report.missing_columns == ["birth_date", "nationality", "document_number"]


def test_unknown_columns_are_reported_as_ignored():
    text = "entry_id,full_name,birthdate,reason,action\nW1,Ahmed,1980,fraud,refuse\n"
    read = read_watchlist(text.encode("utf-8"), "WL.csv")
    assert read.report.ignored_columns == ["birthdate"]
    assert read.entries[0].reason == "fraud"
    assert read.entries[0].action == "refuse"
    assert read.entries[0].birth_date is None
