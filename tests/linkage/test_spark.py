"""The saved linkage model on Spark: the same pairs, probabilities and clusters as on DuckDB.

A model is trained on DuckDB by ``marsad linkage dedupe`` and saved; the same command with
``--engine spark --model model.json`` scores and clusters the same file on a local Spark
(one core). The Spark tests are skipped, with the reason, where Java 17 or pyspark is missing;
the messages that say so are tested everywhere.
"""

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from marsad.linkage.model import spark as spark_module
from marsad.linkage.model.spark import local_session, spark_problem
from tests.linkage.synthetic import generate, pairwise_scores, write_csv

PROBLEM = spark_problem()
needs_spark = pytest.mark.skipif(PROBLEM is not None, reason=PROBLEM or "")
#: A short-lived JVM on a small machine: the quick (C1) compiler starts Spark in half the time.
QUICK_START = {
    "spark.driver.memory": "1g",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
}
#: match_probability is written rounded to 6 places; the engines' arithmetic may differ below.
TOLERANCE = 1e-5


def dedupe(input_path: Path, output: Path, *options: str) -> str:
    stdout = io.StringIO()
    call_command(
        "linkage", "dedupe", str(input_path), "--output", str(output), *options, stdout=stdout
    )
    return stdout.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def by_pair(rows: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    return {(row["record_id_l"], row["record_id_r"]): row for row in rows}


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One local Spark session (one core) for the module: starting it is most of the cost."""
    session = local_session(
        "local[1]", checkpoint_dir=tmp_path_factory.mktemp("checkpoints"), config=QUICK_START
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory):
    """~240 records trained and scored on DuckDB, then scored on Spark with the saved model."""
    records, truth = generate(seed=7, clans=16)
    directory = tmp_path_factory.mktemp("spark-dedupe")
    input_path = write_csv(directory / "persons.csv", records)
    duckdb_out, spark_out = directory / "duckdb", directory / "spark"
    dedupe(input_path, duckdb_out)
    stdout = dedupe(
        input_path, spark_out, "--engine", "spark", "--model", str(duckdb_out / "model.json")
    )
    return {
        "records": records,
        "truth": truth,
        "duckdb": duckdb_out,
        "spark": spark_out,
        "stdout": stdout,
    }


@pytest.mark.slow
@needs_spark
def test_spark_scores_the_same_pairs_as_duckdb(runs):
    duckdb = by_pair(read_csv(runs["duckdb"] / "pairs.csv"))
    spark = by_pair(read_csv(runs["spark"] / "pairs.csv"))
    assert len(duckdb) >= 50
    assert spark.keys() == duckdb.keys()
    links = {pair for pair, row in duckdb.items() if row["decision"] == "link"}
    assert links == {pair for pair, row in spark.items() if row["decision"] == "link"}
    for pair, row in duckdb.items():
        other = spark[pair]
        assert abs(float(other["match_probability"]) - float(row["match_probability"])) <= (
            TOLERANCE
        ), pair
        # the same level of every comparison, and the same evidence weights
        for column, value in row.items():
            if column.endswith("_evidence"):
                assert other[column] == value, (pair, column)
            elif column.endswith("_weight"):
                assert abs(float(other[column]) - float(value)) <= 1e-3, (pair, column)


@pytest.mark.slow
@needs_spark
def test_spark_clusters_as_duckdb_does_and_finds_the_duplicates(runs):
    duckdb = (runs["duckdb"] / "clusters.csv").read_text(encoding="utf-8")
    spark = (runs["spark"] / "clusters.csv").read_text(encoding="utf-8")
    assert spark == duckdb  # same clusters, same cluster ids, same order
    clusters = {
        row["record_id"]: row["cluster_id"] for row in read_csv(runs["spark"] / "clusters.csv")
    }
    assert sorted(clusters) == sorted(runs["truth"])
    precision, recall = pairwise_scores(clusters, runs["truth"])
    assert precision >= 0.99
    assert recall >= 0.95


@pytest.mark.slow
@needs_spark
def test_the_summary_says_spark_ran_the_saved_model(runs):
    stdout = runs["stdout"]
    assert f"records read: {len(runs['records'])} (UTF-8)" in stdout
    assert "model: the saved model given with --model (not retrained)" in stdout
    assert "engine: Spark 4." in stdout
    assert "(local[1])" in stdout


def _parameters(path: Path) -> list[tuple]:
    model = json.loads(path.read_text(encoding="utf-8"))
    keys = ("label_for_charts", "m_probability", "u_probability", "tf_adjustment_column")
    levels = [
        (comparison["output_column_name"], *(level.get(key) for key in keys))
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    return [*levels, model["probability_two_random_records_match"]]


@pytest.mark.slow
@needs_spark
def test_the_model_written_by_spark_is_the_saved_model(runs):
    saved = _parameters(runs["duckdb"] / "model.json")
    assert _parameters(runs["spark"] / "model.json") == saved


@pytest.mark.slow
@needs_spark
def test_spark_trains_on_a_file_without_a_saved_model(spark, tmp_path):
    records, _ = generate(seed=3, clans=2)
    path = write_csv(tmp_path / "small.csv", records[:20])
    stdout = dedupe(path, tmp_path / "out", "--engine", "spark")
    assert "records read: 20" in stdout
    assert "too few to train on" in stdout
    assert "engine: Spark" in stdout
    clusters = {
        row["record_id"]: row["cluster_id"] for row in read_csv(tmp_path / "out" / "clusters.csv")
    }
    assert sorted(clusters) == sorted(record["record_id"] for record in records[:20])
    assert spark.catalog.listTables() == []  # the run dropped its tables from the session


# --------------------------------------------------------------------------------------------
# Where Spark cannot run: plain messages, whether or not this machine has Java
# --------------------------------------------------------------------------------------------


@pytest.fixture
def no_session(monkeypatch):
    """As in a fresh process: no Spark session running yet."""
    monkeypatch.setattr(spark_module, "active_session", lambda: None)


def test_no_java_on_the_path_is_said_plainly(monkeypatch, no_session):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(spark_module, "_pyspark_version", lambda: "4.0.0")
    assert spark_problem() == (
        "Spark needs Java 17 or later: no `java` was found on PATH "
        "(install Java 17, or set JAVA_HOME)"
    )


def _fake_java(directory: Path, version_line: str) -> Path:
    java = directory / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n", encoding="utf-8")
    java.chmod(java.stat().st_mode | stat.S_IXUSR)
    return java


@pytest.mark.parametrize(
    ("version_line", "major"),
    [('openjdk version "11.0.22" 2024-01-16', 11), ('java version "1.8.0_392"', 8)],
)
def test_an_old_java_is_named_with_its_version(monkeypatch, tmp_path, version_line, major):
    java = _fake_java(tmp_path, version_line)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setattr(spark_module, "_pyspark_version", lambda: "4.0.0")
    assert spark_problem() == f"Spark needs Java 17 or later: {java} is Java {major}"


def test_java_17_passes(monkeypatch, tmp_path):
    _fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setattr(spark_module, "_pyspark_version", lambda: "4.0.0")
    assert spark_problem() is None


def test_a_java_home_without_java_is_said_plainly(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    monkeypatch.setattr(spark_module, "_pyspark_version", lambda: "4.0.0")
    assert spark_problem() == (
        f"Spark needs Java 17 or later: JAVA_HOME is {tmp_path}, but there is no bin/java in it"
    )


@pytest.mark.parametrize(
    ("installed", "message"),
    [
        (None, "Spark needs the pyspark package, which is not installed"),
        ("3.5.1", "Spark needs pyspark 4 or later; pyspark 3.5.1 is installed"),
    ],
)
def test_pyspark_missing_or_too_old_is_said_plainly(monkeypatch, installed, message):
    monkeypatch.setattr(spark_module, "_pyspark_version", lambda: installed)
    problem = spark_problem()
    assert problem.startswith(message)
    assert "pip install 'marsad[spark]'" in problem


def test_the_command_refuses_before_writing_anything(monkeypatch, tmp_path, no_session):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(spark_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(spark_module, "_pyspark_version", lambda: "4.0.0")
    records, _ = generate(seed=3, clans=2)
    path = write_csv(tmp_path / "persons.csv", records[:5])
    with pytest.raises(CommandError, match=r"Spark needs Java 17 or later: no `java` was found"):
        dedupe(path, tmp_path / "out", "--engine", "spark")
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@needs_spark
def test_spark_weighs_the_household_evidence_as_duckdb_does(spark, tmp_path):
    from marsad.linkage.model import households
    from marsad.linkage.model import settings as model_settings
    from tests.linkage.test_households import _black_box_file

    model = tmp_path / "model.json"
    model.write_text(json.dumps(model_settings(prior=0.3)), encoding="utf-8")
    source = _black_box_file(tmp_path / "in.csv", with_households=True)
    dedupe(source, tmp_path / "duckdb", "--model", str(model), "--threshold", "0.99")
    dedupe(
        source,
        tmp_path / "spark",
        "--engine",
        "spark",
        "--model",
        str(model),
        "--threshold",
        "0.99",
    )
    ours = by_pair(read_csv(tmp_path / "duckdb" / "pairs.csv"))
    theirs = by_pair(read_csv(tmp_path / "spark" / "pairs.csv"))
    assert set(ours) == set(theirs)
    for key, row in ours.items():
        assert theirs[key]["household_evidence"] == row["household_evidence"]
        assert float(theirs[key]["match_probability"]) == pytest.approx(
            float(row["match_probability"]), abs=TOLERANCE
        )
    wives = ours.get(("M2", "D2")) or ours[("D2", "M2")]
    assert wives["household_evidence"] == households.SUPPORTED
    assert read_csv(tmp_path / "spark" / "clusters.csv") == read_csv(
        tmp_path / "duckdb" / "clusters.csv"
    )
