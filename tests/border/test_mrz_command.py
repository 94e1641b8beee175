"""``marsad border mrz``: the black-box interface of ARCHITECTURE.md."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.border.test_mrz import MRV_B_SPECIMEN, TD1_SPECIMEN, TD3_SPECIMEN

FIELDS = {
    "document_type",
    "issuing_state",
    "surname",
    "given_names",
    "document_number",
    "nationality",
    "birth_date",
    "sex",
    "expiry_date",
    "optional_data",
}
CHECKS = {"document_number", "birth_date", "expiry_date", "optional_data", "composite"}


def mrz(stdin: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(
        "border",
        "mrz",
        "--today",
        "2026-01-01",
        *args,
        stdin=StringIO(stdin),
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def test_a_valid_passport_prints_the_contract():
    out, _err = mrz("\n".join(TD3_SPECIMEN) + "\n")
    result = json.loads(out)
    assert {"format", "fields", "checks", "valid", "errors", "warnings"} <= set(result)
    assert result["format"] == "TD3"
    assert set(result["fields"]) == FIELDS
    assert result["fields"] == {
        "document_type": "P",
        "issuing_state": "UTO",
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "document_number": "L898902C3",
        "nationality": "UTO",
        "birth_date": "1974-08-12",
        "sex": "F",
        "expiry_date": "2012-04-15",
        "optional_data": "ZE184226B",
    }
    assert result["checks"] == dict.fromkeys(CHECKS, True)
    assert result["valid"] is True
    assert result["errors"] == []
    assert [w["code"] for w in result["warnings"]] == ["expired"]


def test_formats_without_a_check_give_null():
    result = json.loads(mrz("\n".join(MRV_B_SPECIMEN))[0])
    assert result["format"] == "MRV-B"
    assert result["checks"] == {
        "document_number": True,
        "birth_date": True,
        "expiry_date": True,
        "optional_data": None,
        "composite": None,
    }
    result = json.loads(mrz("\n".join(TD1_SPECIMEN))[0])
    assert result["checks"]["optional_data"] is None
    assert result["checks"]["composite"] is True


def test_an_invalid_mrz_still_prints_its_json_and_exits_1():
    out = StringIO()
    bad = TD3_SPECIMEN[0] + "\n" + TD3_SPECIMEN[1][:19] + "3" + TD3_SPECIMEN[1][20:]
    with pytest.raises(CommandError, match="the MRZ is not valid") as caught:
        call_command("border", "mrz", stdin=StringIO(bad), stdout=out)
    assert caught.value.returncode == 1
    result = json.loads(out.getvalue())
    assert result["valid"] is False
    assert result["checks"]["birth_date"] is False
    assert result["checks"]["composite"] is False
    assert [e["field"] for e in result["errors"]] == ["birth_date", "composite"]


def test_unreadable_input_gives_null_fields_and_the_explanation():
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("border", "mrz", stdin=StringIO(TD3_SPECIMEN[0].lower()), stdout=out)
    assert caught.value.returncode == 1
    result = json.loads(out.getvalue())
    assert result["fields"] is None
    assert result["checks"] is None
    assert [e["code"] for e in result["errors"]] == ["line_count", "lower_case"]


def test_batch_writes_one_result_a_line_and_survives_bad_lines():
    records = [
        json.dumps({"mrz": "\n".join(TD3_SPECIMEN), "id": "A-1"}),
        "this is not json",
        "",
        json.dumps({"text": "no mrz key", "id": 3}),
        json.dumps({"mrz": list(TD1_SPECIMEN)}),
        json.dumps({"mrz": 42}),
        json.dumps({"mrz": "P<UTO"}),
    ]
    out = StringIO()
    with pytest.raises(CommandError, match="4 of 6 MRZs are not valid") as caught:
        call_command(
            "border", "mrz", "--batch", stdin=StringIO("\n".join(records) + "\n"), stdout=out
        )
    assert caught.value.returncode == 1
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["line"] for r in results] == [1, 2, 4, 5, 6, 7]
    assert [r["valid"] for r in results] == [True, False, False, True, False, False]
    assert results[0]["id"] == "A-1"
    assert results[0]["fields"]["document_number"] == "L898902C3"
    assert results[1]["errors"][0]["code"] == "bad_json"
    assert results[1]["errors"][0]["message"].startswith("Input line 2 is not JSON")
    assert results[2]["id"] == 3
    assert results[2]["errors"][0]["message"] == (
        'Input line 4 is not an object with an "mrz" key.'
    )
    assert results[3]["format"] == "TD1"
    assert results[4]["errors"][0]["code"] == "bad_mrz"
    assert results[5]["errors"][0]["code"] == "line_count"
    for result in results:
        assert result["fields"] is None or set(result["fields"]) == FIELDS


def test_batch_all_valid_exits_quietly():
    records = "\n".join(json.dumps({"mrz": "\n".join(lines)}) for lines in (TD3_SPECIMEN,) * 3)
    out, _err = mrz(records, "--batch")
    assert [json.loads(line)["valid"] for line in out.splitlines()] == [True, True, True]


def test_usage_errors_exit_2():
    with pytest.raises(CommandError, match="--today takes a date") as caught:
        mrz("", "--today", "2026-02-30")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="--language takes one of en, ar, ckb") as caught:
        mrz("", "--language", "fr")
    assert caught.value.returncode == 2


def test_the_messages_follow_the_language_asked_for(monkeypatch):
    from django.utils import translation

    seen = []
    original = translation.override

    def recording(language, *args, **kwargs):
        seen.append(language)
        return original(language, *args, **kwargs)

    monkeypatch.setattr(translation, "override", recording)
    mrz("\n".join(TD3_SPECIMEN), "--language", "ar")
    assert seen == ["ar"]


def test_the_marsad_entry_point():
    marsad = Path(sys.executable).with_name("marsad")
    assert marsad.exists(), marsad
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MARSAD_", "DJANGO_"))
    }

    def run(stdin: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own command line, fixed arguments
            [str(marsad), "border", "mrz", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=120,
            check=False,
        )

    valid = run("\n".join(TD3_SPECIMEN) + "\n", "--today", "2026-01-01")
    assert valid.returncode == 0, valid.stderr
    assert json.loads(valid.stdout)["fields"]["surname"] == "ERIKSSON"
    invalid = run("\n".join(TD3_SPECIMEN)[:-1] + "1\n")
    assert invalid.returncode == 1
    assert json.loads(invalid.stdout)["checks"]["composite"] is False
    assert "the MRZ is not valid" in invalid.stderr
    assert "Traceback" not in invalid.stderr
    usage = run("", "--no-such-option")
    assert usage.returncode == 2
