"""Training, prediction and clustering of one run, on its own in-memory DuckDB database."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.linkage.model.notes import Note, gettext_noop
from marsad.linkage.model.records import PreparedRecords
from marsad.linkage.model.settings import (
    DEFAULT_PRIOR,
    DETERMINISTIC_RULES,
    TRAINING_BLOCKS,
    comparisons,
    settings,
)

#: Below this many records expectation maximisation has too few pairs to learn from.
MIN_RECORDS_FOR_EM = 200
#: Records the model is trained on at most (``MARSAD_LINKAGE_TRAINING_SAMPLE``): expectation
#: maximisation compares every pair within its blocks, which grow with the square of the file
#: (a million persons give 200 million pairs sharing a given and a father's name, more memory
#: than a server has). A random sample estimates the same m and u and the same prior (matches
#: and pairs shrink alike); term frequencies are still counted on every record when scoring.
TRAINING_SAMPLE = 200_000
TRAINING_SEED = 42
#: No trained level may say less than this of a match (log2(0.005) ≈ -7.6): EM on a clean
#: sample learns that, say, origins never disagree within a person, and would veto every
#: duplicate whose origin was written differently.
MIN_M_PROBABILITY = 0.005


def _defaults_by_label() -> dict[tuple[str, str], tuple[float, float]]:
    defaults = {}
    for comparison in comparisons():
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                key = (comparison["output_column_name"], level["label_for_charts"])
                defaults[key] = (level["m_probability"], level["u_probability"])
    return defaults


def _valid(probability: Any) -> bool:
    return isinstance(probability, int | float) and 0 < probability <= 1


def clamp_m(model: dict[str, Any]) -> None:
    """Raise every trained m probability below :data:`MIN_M_PROBABILITY` to it."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if _valid(m) and m < MIN_M_PROBABILITY and not level.get("fix_m_probability"):
                level["m_probability"] = MIN_M_PROBABILITY


def repair_model(model: dict[str, Any]) -> list[Note]:
    """Put default m/u back wherever training left a level unestimated or upside down.

    Returns one note per comparison repaired. A name, birth or identifier level that "agrees"
    but weighs less than "disagrees" is how EM fails on too little data; the defaults are the
    safer model then.
    """
    clamp_m(model)
    defaults = _defaults_by_label()
    notes: list[Note] = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        missing = [
            level
            for level in levels
            if not (_valid(level.get("m_probability")) and _valid(level.get("u_probability")))
        ]
        top, bottom = levels[0], levels[-1]
        inverted = (
            not missing
            and top["m_probability"] / top["u_probability"]
            <= bottom["m_probability"] / bottom["u_probability"]
        )
        if not missing and not inverted:
            continue
        for level in levels:
            m, u = defaults[(name, level["label_for_charts"])]
            if inverted or not _valid(level.get("m_probability")):
                level["m_probability"] = m
            if inverted or not _valid(level.get("u_probability")):
                level["u_probability"] = u
        notes.append(
            Note(
                gettext_noop(
                    "%(name)s: trained parameters inverted; used the default m/u probabilities"
                )
                if inverted
                else gettext_noop(
                    "%(name)s: trained parameters not estimated for some levels; used the "
                    "default m/u probabilities"
                ),
                name=name,
            )
        )
    return notes


def training_limit() -> int:
    """How many records training reads at most (the setting, or :data:`TRAINING_SAMPLE`)."""
    from django.conf import settings as django_settings

    return int(getattr(django_settings, "MARSAD_LINKAGE_TRAINING_SAMPLE", TRAINING_SAMPLE))


def training_sample(
    prepared: PreparedRecords, *, limit: int, seed: int = TRAINING_SEED
) -> PreparedRecords:
    """At most ``limit`` of the records, drawn at random (reproducibly for a ``seed``)."""
    if prepared.record_count <= limit:
        return prepared
    import random

    import pyarrow as pa

    rows = sorted(random.Random(seed).sample(range(prepared.record_count), limit))
    table = prepared.table.take(pa.array(rows, pa.int64()))
    return PreparedRecords(table=table, record_count=table.num_rows)


def duckdb_config() -> dict[str, str]:
    """The run's DuckDB limits: ``MARSAD_LINKAGE_DUCKDB_MEMORY`` of memory, the rest spilled
    to ``MARSAD_LINKAGE_DUCKDB_TEMP`` (a million persons' blocked pairs outgrow a server's
    memory otherwise: DuckDB takes 80% of it by default)."""
    from django.conf import settings as django_settings

    memory = getattr(django_settings, "MARSAD_LINKAGE_DUCKDB_MEMORY", "") or "4GB"
    spill = getattr(django_settings, "MARSAD_LINKAGE_DUCKDB_TEMP", "") or str(
        Path(tempfile.gettempdir()) / "marsad-duckdb"
    )
    return {"memory_limit": memory, "temp_directory": spill}


@dataclass
class TrainingReport:
    """What training did, for the summary a user reads."""

    expectation_maximisation: bool = False
    notes: list[Note] = field(default_factory=list)


class PersonLinkage:
    """One linkage run over prepared records, on its own in-memory DuckDB database.

    :class:`marsad.linkage.model.spark.SparkPersonLinkage` runs the same model on Spark.
    """

    def __init__(
        self,
        prepared: PreparedRecords,
        *,
        model: dict[str, Any] | None = None,
        log_level: int = logging.ERROR,
    ) -> None:
        self.log_level = log_level
        self.prepared = prepared
        self.db_api = self._database()
        self.input = self._register(prepared)
        self.trained = model is not None
        self.linker = self._linker(model or settings())

    def _database(self) -> Any:
        # Splink and DuckDB are imported when a run starts, not when Django loads the command.
        import duckdb
        from splink import DuckDBAPI

        return DuckDBAPI(connection=duckdb.connect(config=duckdb_config()))

    def _register(self, prepared: PreparedRecords) -> Any:
        return self.db_api.register(prepared.table, dataset_display_name="persons")

    def _linker(self, model: dict[str, Any]) -> Any:
        from splink import Linker

        return Linker(self.input, model, log_level=self.log_level)

    def model(self) -> dict[str, Any]:
        """The model as Splink saves it (settings and trained parameters)."""
        return self.linker.misc.save_model_to_json()

    def train(self, *, seed: int = 42, max_pairs: float | None = None) -> TrainingReport:
        """Estimate the prior, u by random sampling and m by EM, falling back to defaults.

        Over :func:`training_limit` records, the model is trained (on embedded DuckDB,
        whatever this run's engine) on a random sample of that many, and this run takes it.

        Below :data:`MIN_RECORDS_FOR_EM` records neither is estimated: EM has too few pairs,
        and a random sample of so few pairs is full of the file's own duplicates, which makes
        agreement look common among non-matches. The default m and u probabilities are used
        then, and only the prior is taken from the file.
        """
        count = self.prepared.record_count
        limit = training_limit()
        if count > limit:
            sample = training_sample(self.prepared, limit=limit)
            trainer = PersonLinkage(sample, log_level=self.log_level)
            report = trainer.train(seed=seed, max_pairs=max_pairs)
            model = trainer.model()
            del trainer  # its database goes before this run's scoring starts
            report.notes.append(
                Note(
                    gettext_noop(
                        "trained on a random sample of %(sample)d of the %(count)d records"
                    ),
                    sample=limit,
                    count=count,
                )
            )
            self.linker = self._linker(model)
            self.trained = True
            return report
        report = TrainingReport()
        try:
            self.linker.training.estimate_probability_two_random_records_match(
                DETERMINISTIC_RULES, recall=0.7
            )
        except Exception as error:  # Splink raises plain errors on degenerate samples
            report.notes.append(
                Note(
                    gettext_noop("match prior not estimated (%(error)s); used %(prior)s"),
                    error=_brief(error),
                    prior=DEFAULT_PRIOR,
                )
            )
        if count < MIN_RECORDS_FOR_EM:
            report.notes.append(
                Note(
                    gettext_noop(
                        "%(count)d records are too few to train on (EM needs %(needed)d); used "
                        "the default m and u probabilities"
                    ),
                    count=count,
                    needed=MIN_RECORDS_FOR_EM,
                )
            )
            model = self.model()
            _restore_defaults(model)
            prior = model.get("probability_two_random_records_match")
            if not _valid(prior) or prior < 1 / count**2:
                # no pair met the deterministic rules: a short list still has duplicates
                model["probability_two_random_records_match"] = min(0.01, 1 / count)
            return self._finish(model, report)
        try:
            # Rare levels (an ID one character off) never reach Splink's early-stopping count,
            # so the whole sample is scored: 1e6 pairs take seconds, 5e6 for the largest files.
            sample = max_pairs or min(5e6, max(1e6, 10.0 * count))
            self.linker.training.estimate_u_using_random_sampling(
                max_pairs=min(sample, count * (count - 1) / 2), seed=seed
            )
        except Exception as error:
            report.notes.append(
                Note(
                    gettext_noop("u probabilities not estimated (%(error)s); used defaults"),
                    error=_brief(error),
                )
            )
        for rule in TRAINING_BLOCKS:
            before = self.model()
            try:
                self.linker.training.estimate_parameters_using_expectation_maximisation(
                    rule["blocking_rule"], estimate_without_term_frequencies=True
                )
            except Exception as error:
                # a failed session can leave the linker half-updated: go back to before it
                self.linker = self._linker(before)
                report.notes.append(
                    Note(
                        gettext_noop("EM on %(rule)s failed: %(error)s"),
                        rule=rule["blocking_rule"],
                        error=_brief(error),
                    )
                )
                continue
            report.expectation_maximisation = True
            # floor m between rounds: a level near 0 underflows in the next round's EM
            model = self.model()
            clamp_m(model)
            self.linker = self._linker(model)
        return self._finish(self.model(), report)

    def _finish(self, model: dict[str, Any], report: TrainingReport) -> TrainingReport:
        report.notes += repair_model(model)
        prior = model.get("probability_two_random_records_match")
        if not _valid(prior) or prior >= 0.5:
            model["probability_two_random_records_match"] = DEFAULT_PRIOR
        self.linker = self._linker(model)
        self.trained = True
        return report

    def predict(self, *, minimum: float | None = None) -> Any:
        """Score every blocked pair (a SplinkDataFrame), keeping those from the match
        probability ``minimum`` up (all of them without one)."""
        return self.linker.inference.predict(
            threshold_match_probability=minimum, warning_mode="never"
        )

    def blocked_pair_count(self) -> int:
        """How many pairs the blocking rules give (Splink keeps them for :meth:`predict`)."""
        blocked = self.linker.inference.compute_blocked_pairs_for_predict()
        return self.execute(f"SELECT count(*) FROM {blocked.physical_name}")[0][0]  # noqa: S608

    def cluster(self, predictions: Any, *, threshold: float) -> Any:
        """Connected components of the pairs at or above ``threshold`` (singletons included)."""
        return self.linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )

    def with_households(self, predictions: str, *, minimum: float) -> str:
        """Name of a new table: the pairs of the predictions table ``predictions`` with the
        household evidence added (``households.supported_query``), from ``minimum`` up."""
        from marsad.linkage.model.households import supported_query

        name = f"{predictions}_households"
        query = supported_query(
            self.model(), predictions, self.input.physical_name, minimum=minimum
        )
        self._create_table(name, query)
        return name

    def table(self, name: str) -> Any:
        """A table of this run's database as a SplinkDataFrame (to cluster it, say)."""
        return self.db_api.table_to_splink_dataframe(name, name)

    def _create_table(self, name: str, query: str) -> None:
        self.db_api.duckdb_con.execute(f"CREATE OR REPLACE TABLE {name} AS {query}")

    def execute(self, query: str) -> list[tuple[Any, ...]]:
        """Run SQL on this run's DuckDB connection (tables: ``SplinkDataFrame.physical_name``)."""
        return self.db_api.duckdb_con.execute(query).fetchall()

    def write_csv(self, query: str, path: Path) -> None:
        """Write the rows of ``query`` to ``path`` as CSV with a header row."""
        quoted = "'" + str(path).replace("'", "''") + "'"
        self.db_api.duckdb_con.execute(f"COPY ({query}) TO {quoted} (HEADER, DELIMITER ',')")

    def close(self) -> None:
        """Free what the run holds (the in-memory database goes with the object)."""


def _brief(error: Exception) -> str:
    """The first sentence of an error message: Splink's run to several lines."""
    text = str(error).strip().split("\n", 1)[0]
    return text.split(". ", 1)[0].rstrip(".") or type(error).__name__


def _restore_defaults(model: dict[str, Any]) -> None:
    """Default m and u everywhere, and no term-frequency adjustment.

    Frequencies counted in a short file say nothing about the population: in ten records from
    one village "محمد" may be four of them.
    """
    defaults = _defaults_by_label()
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
            if not level.get("is_null_level"):
                key = (comparison["output_column_name"], level["label_for_charts"])
                level["m_probability"], level["u_probability"] = defaults[key]


def evidence_columns(model: Mapping[str, Any]) -> list[tuple[str, list[tuple[int, str]], bool]]:
    """For each comparison: its name, (gamma value, label) pairs, and whether it has TF columns."""
    described = []
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [level for level in levels if not level.get("is_null_level")]
        gammas = [(-1, "missing")]
        for position, level in enumerate(non_null):
            gammas.append((len(non_null) - 1 - position, level["label_for_charts"]))
        has_tf = any(level.get("tf_adjustment_column") for level in levels)
        described.append((comparison["output_column_name"], gammas, has_tf))
    return described
