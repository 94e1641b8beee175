"""The linkage model's pure parts: birth dates, record preparation, settings, parameter repair."""

import copy
from datetime import date

import pytest

from marsad.linkage.model import (
    BLOCK_VALUE_LIMIT,
    MIN_M_PROBABILITY,
    NAME_COLUMNS,
    BirthDate,
    clamp_m,
    comparisons,
    evidence_columns,
    parse_birth_date,
    prepare,
    repair_model,
    settings,
)

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-03-12", BirthDate(year=1990, day=date(1990, 3, 12))),
        ("1990-3-2", BirthDate(year=1990, day=date(1990, 3, 2))),
        ("1990", BirthDate(year=1990, day=None)),
        ("١٩٩٠", BirthDate(year=1990, day=None)),
        # 1 July and 1 January stand in for an unknown day: a year, not a date
        ("1990-07-01", BirthDate(year=1990, day=None)),
        ("1990-01-01", BirthDate(year=1990, day=None)),
        (" 2027 ", BirthDate(year=2027, day=None)),
    ],
)
def test_birth_dates_and_their_precision(value, expected):
    assert parse_birth_date(value, today=TODAY) == (expected, False)


def test_precision_names():
    assert BirthDate(year=1990, day=date(1990, 3, 12)).precision == "day"
    assert BirthDate(year=1990, day=None).precision == "year"


@pytest.mark.parametrize("value", ["", None, "  "])
def test_a_missing_birth_date_is_not_malformed(value):
    assert parse_birth_date(value, today=TODAY) == (None, False)


@pytest.mark.parametrize(
    "value", ["1990-13-45", "1990-02-30", "31/12/1990", "19B5", "1850", "2030", "1990-03", "90"]
)
def test_malformed_birth_dates(value):
    assert parse_birth_date(value, today=TODAY) == (None, True)


def test_prepare_derives_the_compared_columns():
    prepared = prepare(
        [
            {
                "record_id": " 7 ",
                "given_name": "Mohammed",
                "father_name": "جاسم",
                "sex": "ذكر",
                "birth_date": "1990-03-12",
                "phone": "0770 123 4567; 0780 111 2222",
                "national_id": "٠٠١٢٣٤٥",
                "origin_pcode": " iqg01q01 ",
                "household_id": " HH-1 ",
            },
            {"record_id": "8", "given_name": "", "birth_date": "1990-13-01", "sex": "unknown"},
        ]
    )
    first, second = prepared.table.to_pylist()
    assert first["record_id"] == "7"
    assert first["given_norm"] == "mohamed"
    assert first["given_key"] == "mhmd:mohammed"
    assert first["given_listed"] == "mohammed"
    assert first["father_key"] == "jsm"
    assert first["father_listed"] is None
    assert (first["sex"], first["birth_year"], first["birth_day"]) == ("m", 1990, "1990-03-12")
    assert first["phone"] == first["phone_block"] == "7701234567"  # the first of two
    assert first["national_id"] == "12345"
    assert (first["origin_pcode"], first["origin_gov"]) == ("IQG01Q01", "IQG01")
    assert (first["household"], second["household"]) == ("HH-1", None)
    assert second["given_key"] is None
    assert second["sex"] is None
    assert second["birth_year"] is None
    assert prepared.malformed_dates == ["8"]


def test_a_phone_shared_by_too_many_records_makes_no_block():
    records = [
        {"record_id": str(index), "given_name": "Ali", "phone": "07701234567"}
        for index in range(BLOCK_VALUE_LIMIT + 1)
    ]
    rows = prepare(records).table.to_pylist()
    assert {row["phone"] for row in rows} == {"7701234567"}
    assert {row["phone_block"] for row in rows} == {None}
    assert prepare(records[:BLOCK_VALUE_LIMIT]).table.column("phone_block")[0].as_py()


def test_every_name_column_is_compared_and_the_given_name_can_veto():
    compared = {comparison["output_column_name"] for comparison in comparisons()}
    assert set(NAME_COLUMNS) <= compared
    given = next(c for c in comparisons() if c["output_column_name"] == "given_name")
    veto = given["comparison_levels"][-1]
    assert veto["label_for_charts"] == "disagrees"
    assert veto["fix_m_probability"] is True
    assert veto["m_probability"] <= 1e-9


def test_evidence_columns_follow_splink_gamma_values():
    name, gammas, has_tf = evidence_columns(settings())[0]
    assert name == "given_name"
    assert gammas[0] == (-1, "missing")
    assert gammas[1] == (5, "agrees: same spelling")  # Splink counts down to 0 = else
    assert gammas[-1] == (0, "disagrees")
    assert has_tf


def _model_with(column: str, **changes: dict) -> dict:
    model = settings()
    comparison = next(c for c in model["comparisons"] if c["output_column_name"] == column)
    levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
    for index, values in changes.items():
        levels[int(index.removeprefix("level"))].update(values)
    return model


def test_repair_keeps_sound_trained_parameters():
    model = _model_with("phone", level0={"m_probability": 0.7, "u_probability": 0.001})
    assert repair_model(model) == []
    phone = next(c for c in model["comparisons"] if c["output_column_name"] == "phone")
    assert phone["comparison_levels"][1]["m_probability"] == 0.7


def test_repair_restores_defaults_for_unestimated_or_inverted_levels():
    default_phone = copy.deepcopy(
        next(c for c in settings()["comparisons"] if c["output_column_name"] == "phone")
    )
    unestimated = _model_with("sex", level1={"m_probability": None})
    assert repair_model(unestimated) == [
        "sex: trained parameters not estimated for some levels; used the default m/u probabilities"
    ]
    inverted = _model_with("phone", level0={"m_probability": 0.01, "u_probability": 0.5})
    notes = repair_model(inverted)
    assert notes == ["phone: trained parameters inverted; used the default m/u probabilities"]
    phone = next(c for c in inverted["comparisons"] if c["output_column_name"] == "phone")
    assert phone == default_phone


def test_clamp_raises_tiny_trained_m_but_not_the_fixed_veto():
    model = _model_with("origin_pcode", level2={"m_probability": 1e-19})
    clamp_m(model)
    origin = next(c for c in model["comparisons"] if c["output_column_name"] == "origin_pcode")
    assert origin["comparison_levels"][-1]["m_probability"] == MIN_M_PROBABILITY
    given = next(c for c in model["comparisons"] if c["output_column_name"] == "given_name")
    assert given["comparison_levels"][-1]["m_probability"] == 1e-12


@pytest.mark.django_db
def test_a_large_file_is_trained_on_a_random_sample(settings):
    from marsad.linkage.model import PersonLinkage
    from marsad.linkage.model.linkage import training_sample
    from tests.linkage.synthetic import generate

    records, _truth = generate(seed=5, clans=20)
    prepared = prepare(records)
    settings.MARSAD_LINKAGE_TRAINING_SAMPLE = 250
    sample = training_sample(prepared, limit=250)
    assert sample.record_count == 250 < prepared.record_count
    assert training_sample(prepared, limit=250).table.equals(sample.table)  # reproducible
    assert set(sample.table.column("record_id").to_pylist()) < set(
        prepared.table.column("record_id").to_pylist()
    )
    linkage = PersonLinkage(prepared)
    report = linkage.train()
    assert report.expectation_maximisation
    assert f"trained on a random sample of 250 of the {prepared.record_count} records" in (
        report.notes
    )
    assert linkage.trained
    # the trained model scores the whole file
    table = linkage.predict().physical_name
    assert linkage.execute(f"SELECT count(*) FROM {table}")[0][0] > 0  # noqa: S608
