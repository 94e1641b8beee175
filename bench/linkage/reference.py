"""References for the linkage benchmark, run in the same process on the same records:

- a plain Splink 5 configuration (comparison-library comparisons on the names as written, the
  usual blocking rules, the usual training), the baseline Marsad's model must beat in wall time
  and in quality;
- the same plain comparisons over Marsad's normalised columns and with Marsad's blocking rules,
  so that both score the same pairs: what Marsad's own comparisons, training and bookkeeping
  cost beyond a plain Splink run doing the same amount of work;
- the blocking of Marsad's own model (``marsad.linkage.model``), measured alone: how many pairs
  it leaves to score (reduction ratio) and how many true pairs it keeps (pair completeness).
"""

from __future__ import annotations

import csv
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

PLAIN_THRESHOLD = 0.95
#: DuckDB takes 80 % of the machine's memory unless told; the references spill to disk past this.
DUCKDB_MEMORY = os.environ.get("BENCH_DUCKDB_MEMORY", "6GB")


def _db_api() -> Any:
    from splink import DuckDBAPI

    db_api = DuckDBAPI()
    db_api.duckdb_con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    spill = os.environ.get("BENCH_DUCKDB_TEMP") or f"{tempfile.gettempdir()}/marsad-duckdb"
    db_api.duckdb_con.execute(f"SET temp_directory = '{spill}'")
    return db_api


@dataclass
class PlainRun:
    seconds: float
    train_seconds: float
    pairs_scored: int
    clusters: dict[int, int]
    model: dict[str, Any]


def plain_settings() -> Any:
    """What a Splink user writes first: library comparisons on the raw columns."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("father_name"),
            cl.NameComparison("grandfather_name"),
            cl.NameComparison("family_name"),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.ExactMatch("phone"),
            cl.ExactMatch("national_id"),
            cl.ExactMatch("origin_pcode"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "father_name", "grandfather_name"),
            block_on("given_name", "family_name", "birth_date"),
            block_on("phone"),
            block_on("national_id"),
        ],
        retain_intermediate_calculation_columns=False,
    )


def _table(db_api: Any, path: Path, name: str) -> Any:
    """The black-box CSV as Splink input: every column text, empty cells null."""
    from pyarrow import csv as arrow_csv

    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(",")
    table = arrow_csv.read_csv(
        path,
        convert_options=arrow_csv.ConvertOptions(
            column_types={column: pa.string() for column in header}, strings_can_be_null=True
        ),
    )
    return db_api.register(table, dataset_display_name=name)


def plain_splink(path: Path, *, seed: int = 42) -> PlainRun:
    """Train and run the plain configuration over the black-box CSV at ``path``; cluster at
    0.95. Returns the wall time (training included) and the clusters."""
    from splink import Linker, block_on

    started = time.perf_counter()
    db_api = _db_api()
    records = _table(db_api, path, "persons")
    linker = Linker(records, plain_settings(), log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "father_name", "grandfather_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "father_name", "grandfather_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    trained = time.perf_counter() - started
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=PLAIN_THRESHOLD
    )
    pairs = db_api.duckdb_con.execute(
        f"SELECT count(*) FROM {predictions.physical_name}"
    ).fetchone()[0]
    rows = db_api.duckdb_con.execute(
        f"SELECT record_id, cluster_id FROM {clustered.physical_name}"
    ).fetchall()
    seconds = time.perf_counter() - started
    names: dict[str, int] = {}
    clusters = {int(record): names.setdefault(cluster, len(names)) for record, cluster in rows}
    return PlainRun(
        seconds=seconds,
        train_seconds=trained,
        pairs_scored=pairs,
        clusters=clusters,
        model=linker.misc.save_model_to_json(),
    )


def plain_on_marsad_columns(path: Path, *, seed: int = 42) -> PlainRun:
    """Library comparisons over the columns ``marsad.linkage.model.prepare`` derives (phonetic
    keys across scripts, birth year and day, normalised phone and ID), blocked and trained on
    Marsad's rules; preparing the records is timed too."""
    import splink.comparison_library as cl
    from splink import Linker, SettingsCreator

    from marsad.linkage.model import (
        DETERMINISTIC_RULES,
        PREDICTION_BLOCKS,
        TRAINING_BLOCKS,
        prepare,
    )

    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        prepared = prepare(csv.DictReader(handle))
    db_api = _db_api()
    records = db_api.register(prepared.table, dataset_display_name="persons")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_id",
        comparisons=[
            cl.NameComparison("given_key"),
            cl.NameComparison("father_key"),
            cl.NameComparison("grandfather_key"),
            cl.NameComparison("family_key"),
            cl.NameComparison("mother_key"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("birth_day"),
            cl.ExactMatch("phone"),
            cl.ExactMatch("national_id"),
            cl.ExactMatch("origin_gov"),
        ],
        blocking_rules_to_generate_predictions=[
            rule["blocking_rule"] for rule in PREDICTION_BLOCKS
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(records, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [rule["blocking_rule"] for rule in DETERMINISTIC_RULES], recall=0.7
    )
    count = prepared.record_count
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(5e6, max(1e6, 10.0 * count)), seed=seed
    )
    for rule in TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(rule["blocking_rule"])
    trained = time.perf_counter() - started
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=PLAIN_THRESHOLD
    )
    scored = linker.inference.compute_blocked_pairs_for_predict()
    pairs = db_api.duckdb_con.execute(f"SELECT count(*) FROM {scored.physical_name}").fetchone()[0]
    rows = db_api.duckdb_con.execute(
        f"SELECT record_id, cluster_id FROM {clustered.physical_name}"
    ).fetchall()
    names: dict[str, int] = {}
    return PlainRun(
        seconds=time.perf_counter() - started,
        train_seconds=trained,
        pairs_scored=pairs,
        clusters={int(record): names.setdefault(cluster, len(names)) for record, cluster in rows},
        model=linker.misc.save_model_to_json(),
    )


def plain_incremental(
    model: dict[str, Any], base_path: Path, batch_path: Path
) -> tuple[float, list[tuple[int, int]]]:
    """The trained plain model matching a batch against the registry (Splink's
    ``predict_between``) and within the batch; returns the seconds and the links at 0.95."""
    from splink import Linker

    started = time.perf_counter()
    db_api = _db_api()
    base = _table(db_api, base_path, "registry")
    batch = _table(db_api, batch_path, "batch")
    linker = Linker(base, model, log_level=logging.ERROR)
    for column in ("given_name", "father_name", "grandfather_name", "family_name"):
        linker.table_management.compute_tf_table(column)  # frequencies of the registry
    links: list[tuple[int, int]] = []
    for predictions in (
        linker.inference.predict_between(
            batch, base, threshold_match_probability=PLAIN_THRESHOLD, warning_mode="never"
        ),
        linker.inference.predict_within(
            batch, threshold_match_probability=PLAIN_THRESHOLD, warning_mode="never"
        ),
    ):
        links += [
            (int(left), int(right))
            for left, right in db_api.duckdb_con.execute(
                f"SELECT record_id_l, record_id_r FROM {predictions.physical_name}"
            ).fetchall()
        ]
    return time.perf_counter() - started, links


@dataclass
class Blocking:
    records: int
    pairs: int
    true_pairs_blocked: int
    true_pairs: int
    seconds: float

    @property
    def reduction_ratio(self) -> float:
        return 1 - self.pairs / (self.records * (self.records - 1) / 2)

    @property
    def pair_completeness(self) -> float:
        return self.true_pairs_blocked / self.true_pairs if self.true_pairs else 1.0


def model_blocking(path: Path, truth: Callable[[int], int], *, true_pairs: int) -> Blocking:
    """The blocked pairs Marsad's model would score on the black-box CSV at ``path``."""
    from marsad.linkage.model import PersonLinkage, prepare

    started = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        prepared = prepare(csv.DictReader(handle))
    linkage = PersonLinkage(prepared, log_level=logging.ERROR)
    linkage.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    blocked = linkage.linker.inference.compute_blocked_pairs_for_predict()
    ids = prepared.table.column("record_id").to_pylist()
    persons = pa.table({"record_id": ids, "person": [truth(int(i)) for i in ids]})
    linkage.db_api.duckdb_con.register("bench_truth", persons)
    pairs, hits = linkage.execute(
        f"SELECT count(*), count(*) FILTER (WHERE l.person = r.person)"
        f" FROM {blocked.physical_name} p"
        f" JOIN bench_truth l ON l.record_id = p.join_key_l"
        f" JOIN bench_truth r ON r.record_id = p.join_key_r"
    )[0]
    return Blocking(
        records=prepared.record_count,
        pairs=pairs,
        true_pairs_blocked=hits,
        true_pairs=true_pairs,
        seconds=time.perf_counter() - started,
    )
