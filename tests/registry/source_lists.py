"""Source lists for the import tests: rows as dicts, written as CSV (any encoding) or XLSX."""

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

HEADER = (
    "record_id",
    "household_id",
    "relationship",
    "given_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "sex",
    "birth_date",
    "phone",
    "national_id",
    "location_pcode",
    "origin_pcode",
    "address",
    "household_size",
    "displacement_date",
    "shelter_type",
    "status",
    "disability",
    "chronic_illness",
    "pregnant_or_lactating",
    "separated_child",
)


def family() -> list[dict[str, str]]:
    """A household of three in Al-Karkh (from Al-Basrah) and a man alone in Al-Zubair."""
    return [
        {
            "record_id": "R1",
            "household_id": "HH1",
            "relationship": "head",
            "given_name": "محمد",
            "father_name": "جاسم",
            "grandfather_name": "علي",
            "family_name": "الجبوري",
            "mother_name": "زينب",
            "sex": "male",
            "birth_date": "1980",
            "phone": "0770 123 4567",
            "national_id": "199012345678",
            "location_pcode": "IQG08Q03",
            "origin_pcode": "IQG02",
            "address": "حي الجهاد",
            "household_size": "4",
            "displacement_date": "2014-06-10",
            "shelter_type": "camp",
            "status": "displaced",
        },
        {
            "record_id": "R2",
            "household_id": "HH1",
            "relationship": "spouse",
            "given_name": "فاطمة",
            "father_name": "حسين",
            "sex": "أنثى",
            "birth_date": "1985-03-14",
            "pregnant_or_lactating": "نعم",
        },
        {
            "record_id": "R3",
            "household_id": "HH1",
            "relationship": "Son",
            "given_name": "علي",
            "father_name": "محمد",
            "sex": "m",
            "birth_date": "14/03/2010",
            "disability": "1",
        },
        {
            "record_id": "",
            "relationship": "",
            "given_name": "Ahmed",
            "father_name": "Hassan",
            "family_name": "Al-Tamimi",
            "sex": "M",
            "birth_date": "1975-01-02",
            "location_pcode": "IQG02Q04",
            "shelter_type": "Private: host family",
        },
    ]


def _table(rows: Iterable[dict[str, str]], header: Sequence[str]) -> list[list[str]]:
    return [list(header)] + [[row.get(column, "") for column in header] for row in rows]


def csv_bytes(
    rows: Iterable[dict[str, str]],
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(_table(rows, header))
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Iterable[dict[str, object]], *, header: Sequence[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for cells in _table(rows, header):
        sheet.append([None if cell == "" else cell for cell in cells])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
