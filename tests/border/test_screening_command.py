"""``marsad border screen``: the black-box interface of ARCHITECTURE.md."""

import csv
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from marsad.border.screening import DEFAULT_THRESHOLD

WATCHLIST = (
    "entry_id,full_name,aliases,birth_date,nationality,document_number\n"
    "W1,احمد خليل ابراهيم الجبوري,Abu Hamza,1980-05-03,IRQ,A1234567\n"
    "W2,Mohammed bin Salman al-Tikriti,,1975,IRQ,\n"
    "W3,Omar Jasim Hassan al-Dulaimi,,1966,IRQ,\n"
)
TRAVELLERS = (
    "traveller_id,surname,given_names,birth_date,nationality,document_number\n"
    "T1,AL-JUBOURI,AHMED KHALIL,1980-05-03,IRQ,B7654321\n"
    "T2,SMITH,JOHN,1971-02-30,IRQ,A-1234567\n"
    "T3,AL-JUBOURI,AHMED SALMAN HASSAN,1988-09-12,IRQ,C1111111\n"
    "T4,الدليمي,عمر جاسم,1966-04-01,IRQ,\n"
)


@pytest.fixture
def files(tmp_path):
    watchlist, travellers = tmp_path / "WL.csv", tmp_path / "T.csv"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    travellers.write_text(TRAVELLERS, encoding="utf-8")
    return watchlist, travellers, tmp_path / "HITS.csv"


def screen(*args):
    out, err = StringIO(), StringIO()
    call_command("border", "screen", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_hits(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_hits_are_written_with_the_contract_columns(files):
    watchlist, travellers, output = files
    out, err = screen("--watchlist", watchlist, "--travellers", travellers, "--output", output)
    with output.open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "traveller_id,entry_id,score,explanation"
    hits = read_hits(output)
    assert [(hit["traveller_id"], hit["entry_id"]) for hit in hits] == [
        ("T1", "W1"),
        ("T2", "W1"),  # the listed document number, whatever the name
        ("T4", "W3"),
    ]
    assert all(DEFAULT_THRESHOLD <= int(hit["score"]) <= 100 for hit in hits)
    assert "birth date agrees (1980-05-03)" in hits[0]["explanation"]
    assert "document number A1234567 is listed" in hits[1]["explanation"]
    assert out.startswith("screened 4 travellers against 3 watchlist entries in ")
    assert f"hits: 3 (travellers with a hit: 3) at threshold {DEFAULT_THRESHOLD}" in out
    assert "malformed birth dates treated as missing: 1" in out
    assert "T.csv: birth dates not YYYY-MM-DD or YYYY, treated as missing, on rows 3" in err


def test_the_threshold_option(files):
    watchlist, travellers, output = files
    screen("--watchlist", watchlist, "--travellers", travellers, "--output", output)
    scores = sorted(int(hit["score"]) for hit in read_hits(output))
    screen(
        "--watchlist",
        watchlist,
        "--travellers",
        travellers,
        "--output",
        output,
        "--threshold",
        scores[0] + 1,
    )
    assert len(read_hits(output)) == len([score for score in scores if score > scores[0]])
    with pytest.raises(CommandError, match="--threshold takes a score from 0 to 100"):
        screen("--watchlist", watchlist, "--travellers", travellers, "--output", output,
               "--threshold", 101)  # fmt: skip


def test_a_missing_column_stops_with_its_name(files, tmp_path):
    _watchlist, travellers, output = files
    bad = tmp_path / "bad.csv"
    bad.write_text("id,full_name\nW1,Ahmed\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.csv: the column entry_id is missing") as error:
        screen("--watchlist", bad, "--travellers", travellers, "--output", output)
    assert error.value.returncode == 2
    assert not output.exists()


def test_row_errors_are_listed_and_nothing_is_written(files, tmp_path):
    watchlist, _travellers, output = files
    bad = tmp_path / "T.csv"
    bad.write_text("traveller_id,surname,given_names\nT1,A,B\nT1,C,D\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 rows cannot be used") as error:
        call_command(
            "border",
            "screen",
            "--watchlist",
            str(watchlist),
            "--travellers",
            str(bad),
            "--output",
            str(output),
            stderr=err,
        )
    assert error.value.returncode == 1
    assert "T.csv: row 3, column traveller_id: T1 is already used on row 2" in err.getvalue()
    assert not output.exists()


def test_explanations_in_arabic(files):
    watchlist, travellers, output = files
    screen(
        "--watchlist",
        watchlist,
        "--travellers",
        travellers,
        "--output",
        output,
        "--language",
        "ar",
    )
    arabic = read_hits(output)
    screen("--watchlist", watchlist, "--travellers", travellers, "--output", output)
    english = read_hits(output)
    assert [hit["entry_id"] for hit in arabic] == [hit["entry_id"] for hit in english]
    assert arabic[0]["explanation"] != english[0]["explanation"]


def test_the_marsad_entry_point_screens_end_to_end(files):
    watchlist, travellers, output = files
    marsad = Path(sys.executable).with_name("marsad")
    assert marsad.exists(), marsad
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MARSAD_", "DJANGO_"))
    }
    result = subprocess.run(  # noqa: S603 - our own command line, fixed arguments
        [
            str(marsad),
            "border",
            "screen",
            "--watchlist",
            str(watchlist),
            "--travellers",
            str(travellers),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "screened 4 travellers" in result.stdout
    assert [hit["traveller_id"] for hit in read_hits(output)] == ["T1", "T2", "T4"]
