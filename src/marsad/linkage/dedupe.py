"""The black-box deduplication job: person records in a CSV file → clusters.csv and pairs.csv.

``marsad linkage dedupe INPUT.csv --output DIR`` (ARCHITECTURE.md, "Black-box interfaces") is
scripted against from outside, so its input checks and its output columns are kept stable here,
apart from the model. Input is read whole: UTF-8 with or without a byte-order mark, UTF-16 with
one, or Windows-1256 (what Arabic Excel saves as "CSV"); comma, semicolon or tab separated.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.linkage.model import (
    INPUT_COLUMNS,
    NAME_COLUMNS,
    OPTIONAL_COLUMNS,
    PersonLinkage,
    PreparedRecords,
    TrainingReport,
    evidence_columns,
    prepare,
)
from marsad.linkage.model.households import evidence_label_sql as household_evidence_label
from marsad.linkage.model.households import floor as household_floor
from marsad.linkage.model.spark import SparkUnavailable

DEFAULT_THRESHOLD = 0.95
DEFAULT_REVIEW_THRESHOLD = 0.5
#: Where the model runs: embedded DuckDB, or Spark (``marsad.linkage.model.spark``).
ENGINES = ("duckdb", "spark")


class InputError(Exception):
    """The input file cannot be used; the message says why in plain words."""


@dataclass
class InputFile:
    """Records read from the input file and how they were read."""

    records: list[dict[str, str]]
    encoding: str
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class DedupeSummary:
    """What a run read, scored and wrote: printed at the end of the command."""

    records: int
    encoding: str
    pairs_scored: int
    pairs_written: int
    links: int
    clusters: int
    clusters_with_duplicates: int
    malformed_dates: list[str]
    training: TrainingReport
    trained_here: bool
    ignored_columns: list[str]
    output_dir: Path
    engine: str = "DuckDB"
    model_source: str = "the saved model given with --model"

    def lines(self) -> list[str]:
        """The summary as lines of plain text."""
        lines = [
            f"records read: {self.records} ({self.encoding})",
            f"pairs scored: {self.pairs_scored}",
            f"pairs written to pairs.csv: {self.pairs_written} ({self.links} at or above the "
            f"match threshold)",
            f"clusters: {self.clusters} ({self.clusters_with_duplicates} with more than one "
            f"record)",
            f"malformed birth dates (treated as missing): {len(self.malformed_dates)}",
        ]
        if self.malformed_dates:
            shown = ", ".join(self.malformed_dates[:10])
            more = " …" if len(self.malformed_dates) > 10 else ""
            lines.append(f"  record_id: {shown}{more}")
        if self.ignored_columns:
            lines.append(f"columns ignored: {', '.join(self.ignored_columns)}")
        if not self.trained_here:
            lines.append(f"model: {self.model_source} (not retrained)")
        elif self.training.expectation_maximisation:
            lines.append("model: trained on this file (u by random sampling, m by EM)")
        else:
            lines.append("model: default m and u probabilities (not trained on this file)")
        lines += [f"note: {note}" for note in self.training.notes]
        if self.engine != "DuckDB":
            lines.append(f"engine: {self.engine}")
        lines.append(f"written: {self.output_dir / 'clusters.csv'}, pairs.csv, model.json")
        return lines


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as error:
            raise InputError(f"{name}: starts as UTF-16 but is not valid UTF-16 text") from error
    if b"\x00" in data:
        raise InputError(
            f"{name}: cannot read it as text (it contains NUL bytes). Save it as CSV in UTF-8 "
            f"or Windows-1256."
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1256"), "Windows-1256"
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: the text is neither UTF-8 nor Windows-1256 (byte {error.start + 1} "
            f"cannot be read). Save it as CSV in UTF-8."
        ) from error


def read_input(path: Path) -> InputFile:
    """Read and check the input CSV; raise :class:`InputError` with a message naming the fault."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    text, encoding = _decode(data, path.name)
    if not text.strip():
        raise InputError(f"{path.name} is empty; expected a header row: {', '.join(INPUT_COLUMNS)}")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader)]
    expected = ", ".join(INPUT_COLUMNS)
    if "record_id" not in header:
        raise InputError(
            f"{path.name}: the required column record_id is missing. Expected the columns "
            f"{expected}; found {', '.join(header) or 'none'}."
        )
    if not set(header) & set(NAME_COLUMNS):
        raise InputError(
            f"{path.name}: unknown layout, no name column. Expected the columns {expected}; "
            f"found {', '.join(header)}."
        )
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        raise InputError(f"{path.name}: the column(s) {', '.join(duplicated)} appear twice")
    accepted = (*INPUT_COLUMNS, *OPTIONAL_COLUMNS)
    known = [column for column in header if column in accepted]
    ignored = [column for column in header if column not in accepted]
    records: list[dict[str, str]] = []
    first_seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise InputError(
                f"{path.name} line {line}: {len(row)} values but the header has {len(header)} "
                f"columns"
            )
        values = dict(zip(header, row, strict=False))
        record = {column: (values.get(column) or "").strip() for column in known}
        record_id = record["record_id"]
        if not record_id:
            raise InputError(f"{path.name} line {line}: record_id is empty")
        if record_id in first_seen:
            raise InputError(
                f"{path.name} line {line}: record_id '{record_id}' is used again (first on line "
                f"{first_seen[record_id]})"
            )
        first_seen[record_id] = line
        records.append(record)
    if not records:
        raise InputError(f"{path.name} has a header but no records")
    return InputFile(records=records, encoding=encoding, ignored_columns=ignored)


def _pairs_query(
    model: dict[str, Any], table: str, *, threshold: float, review: float, households: bool
) -> str:
    selected = [
        "record_id_l",
        "record_id_r",
        "round(match_probability, 6) AS match_probability",
        "round(match_weight, 3) AS match_weight",
        f"CASE WHEN match_probability >= {threshold} THEN 'link' ELSE 'review' END AS decision",
    ]
    for name, gammas, has_tf in evidence_columns(model):
        cases = " ".join(f"WHEN {gamma} THEN '{label}'" for gamma, label in gammas)
        selected.append(f"CASE gamma_{name} {cases} END AS {name}_evidence")
        weight = f"mw_{name}" + (f" + coalesce(mw_tf_adj_{name}, 0)" if has_tf else "")
        selected.append(f"round({weight}, 3) AS {name}_weight")
    if households:  # a table of households.supported_query: the household evidence last
        selected.append(f"{household_evidence_label()} AS household_evidence")
        selected.append("round(mw_household, 3) AS household_weight")
    # table names are Splink's own and the thresholds floats: nothing here comes from the input
    return (
        f"SELECT {', '.join(selected)} FROM {table} WHERE match_probability >= {review} "  # noqa: S608
        f"ORDER BY match_probability DESC, record_id_l, record_id_r"
    )


def run_dedupe(
    input_path: Path,
    output_dir: Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD,
    model_path: Path | None = None,
    model: dict[str, Any] | None = None,
    model_name: str | None = None,
    seed: int = 42,
    engine: str = "duckdb",
    spark_master: str | None = None,
    log_level: int = logging.ERROR,
) -> DedupeSummary:
    """Deduplicate the persons in ``input_path``; write clusters.csv, pairs.csv and model.json.

    Pairs at or above ``threshold`` are linked into clusters; pairs from ``review_threshold`` up
    are written to pairs.csv too (decision "review") for a clerk to look at. A saved model is
    read from ``model_path``, or given as ``model`` (a model version's JSON, called
    ``model_name`` in messages); without one the model is trained on the file. ``engine`` "spark"
    runs the same model on Spark: the session this process already runs, or a new one on
    ``spark_master`` (default: every core of this machine); it raises
    :class:`~marsad.linkage.model.spark.SparkUnavailable` when Spark cannot run here.
    """
    if not 0 < review_threshold <= threshold < 1:
        raise InputError("thresholds must satisfy 0 < --review-threshold <= --threshold < 1")
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if engine == "spark":
        from marsad.linkage.model.spark import active_session, spark_problem

        problem = None if active_session() is not None else spark_problem()
        if problem:
            raise SparkUnavailable(problem)
    if model is not None and model_path is not None:
        raise InputError("give one saved model, not both --model and --model-version")
    saved_model = model
    if model_path is not None:
        model_name = str(model_path)
        try:
            saved_model = json.loads(model_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise InputError(f"cannot read the model {model_path}: {error}") from error
    source_note = f"the saved model {model_name}" if model is not None else None
    source = read_input(input_path)
    prepared = prepare(source.records)
    output_dir.mkdir(parents=True, exist_ok=True)
    if engine == "duckdb":
        linkage = _linkage(PersonLinkage, prepared, saved_model, model_name, log_level=log_level)
        summary = _score(
            linkage, source, output_dir, saved_model, threshold, review_threshold, seed, "DuckDB"
        )
        return _noted(summary, source_note)
    from marsad.linkage.model.spark import SparkPersonLinkage, spark_session

    with spark_session(spark_master, log_level=log_level) as spark:
        linkage = _linkage(
            SparkPersonLinkage, prepared, saved_model, model_name, log_level=log_level, spark=spark
        )
        name = f"Spark {spark.version} ({spark.sparkContext.master})"
        try:
            summary = _score(
                linkage, source, output_dir, saved_model, threshold, review_threshold, seed, name
            )
        finally:
            linkage.close()
    return _noted(summary, source_note)


def _noted(summary: DedupeSummary, model_source: str | None) -> DedupeSummary:
    if model_source:
        summary.model_source = model_source
    return summary


def _linkage(
    kind: type[PersonLinkage],
    prepared: PreparedRecords,
    saved_model: dict[str, Any] | None,
    model_name: str | None,
    **options: Any,
) -> PersonLinkage:
    try:
        return kind(prepared, model=saved_model, **options)
    except SparkUnavailable:
        raise
    except Exception as error:  # Splink validates a saved model as it loads it
        if saved_model is None:
            raise
        raise InputError(f"the model {model_name} cannot be used: {error}") from error


def _score(
    linkage: PersonLinkage,
    source: InputFile,
    output_dir: Path,
    saved_model: dict[str, Any] | None,
    threshold: float,
    review_threshold: float,
    seed: int,
    engine: str,
) -> DedupeSummary:
    """Train (unless a model was given), score, cluster and write the three files."""
    report = TrainingReport() if saved_model else linkage.train(seed=seed)
    model = linkage.model()
    (output_dir / "model.json").write_text(
        json.dumps(model, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    households = (
        linkage.prepared.table.column("household").null_count < linkage.prepared.record_count
    )
    scored_count = linkage.blocked_pair_count()
    # only the pairs that may reach the review threshold (with the household's weight) are
    # kept: a million records give tens of millions of blocked pairs
    floor = household_floor(review_threshold) if households else review_threshold
    predictions = linkage.predict(minimum=floor)
    scored = predictions.physical_name
    if households:  # the file says which records were registered together
        table = linkage.with_households(scored, minimum=review_threshold)
        clustered = linkage.cluster(linkage.table(table), threshold=threshold)
    else:
        table = scored
        clustered = linkage.cluster(predictions, threshold=threshold)
    clusters_table = clustered.physical_name
    pairs_sql = _pairs_query(
        model, table, threshold=threshold, review=review_threshold, households=households
    )
    linkage.write_csv(pairs_sql, output_dir / "pairs.csv")
    linkage.write_csv(
        f"SELECT record_id, cluster_id FROM {clusters_table} "  # noqa: S608
        f"ORDER BY cluster_id, record_id",
        output_dir / "clusters.csv",
    )
    counts = linkage.execute(
        f"SELECT {int(scored_count)},"  # noqa: S608
        f" (SELECT count(*) FROM {table} WHERE match_probability >= {review_threshold}),"
        f" (SELECT count(*) FROM {table} WHERE match_probability >= {threshold}),"
        f" (SELECT count(DISTINCT cluster_id) FROM {clusters_table}),"
        f" (SELECT count(*) FROM (SELECT cluster_id FROM {clusters_table}"
        f"   GROUP BY cluster_id HAVING count(*) > 1) AS shared)"
    )[0]
    scored, written, links, clusters, multi = counts
    return DedupeSummary(
        records=linkage.prepared.record_count,
        encoding=source.encoding,
        pairs_scored=scored,
        pairs_written=written,
        links=links,
        clusters=clusters,
        clusters_with_duplicates=multi,
        malformed_dates=linkage.prepared.malformed_dates,
        training=report,
        trained_here=saved_model is None,
        ignored_columns=source.ignored_columns,
        output_dir=output_dir,
        engine=engine,
    )


def read_clusters(path: Path) -> dict[str, str]:
    """record_id → cluster_id from a clusters.csv this module wrote (for tests and scripts)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["record_id"]: row["cluster_id"] for row in csv.DictReader(handle)}
