"""The scoring of an incremental run: new registrations against the kept registry, on DuckDB.

The registry is read from its Parquet parts (``snapshot``), not loaded whole: the model in use
compares the new records only with the registry rows that share a blocking key with one of them
(every pair Splink's ``predict_between`` could form is among those), and the term frequencies
come from the counts kept with the registry, not from counting a million rows again. The
pairs, their scores and their term-frequency adjustments are those of ``predict_between`` of
the new records against the whole registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from marsad.linkage.model import SCHEMA, PersonLinkage, PreparedRecords
from marsad.linkage.model.linkage import duckdb_config
from marsad.linkage.runs.snapshot import COUNTED_COLUMNS, Snapshot

#: Keys a blocking rule of the saved model may have for its SQL to be used as a join condition
#: on its own (salted or exploding rules need Splink's own blocking).
PLAIN_RULE_KEYS = frozenset({"blocking_rule", "sql_dialect"})


def tf_columns(model: dict[str, Any]) -> list[str]:
    """The columns whose term frequencies the model adjusts for."""
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in model["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def plain_rules(model: dict[str, Any]) -> list[str] | None:
    """The SQL of the model's prediction blocking rules (``l.`` and ``r.`` columns), or None
    when one of them is not a plain condition in DuckDB's dialect, or there are none (Splink
    compares every pair then)."""
    rules = []
    for rule in model.get("blocking_rules_to_generate_predictions") or []:
        if isinstance(rule, str):
            rules.append(rule)
        elif (
            isinstance(rule, dict)
            and set(rule) <= PLAIN_RULE_KEYS
            and rule.get("sql_dialect", "duckdb") == "duckdb"
            and isinstance(rule.get("blocking_rule"), str)
        ):
            rules.append(rule["blocking_rule"])
        else:
            return None
    return rules or None


class IncrementalLinkage(PersonLinkage):
    """The model in use over the kept registry, ready to score ``person_ids`` against it: a
    :class:`marsad.linkage.model.PersonLinkage` whose input is the new records, on a DuckDB
    database that reads the registry from the snapshot's files. ``input`` becomes the
    registry records the pairs are scored over once :meth:`predict` has run, so the engine
    writes pairs from either kind of run alike."""

    def __init__(
        self, snapshot: Snapshot, model: dict[str, Any], person_ids: Iterable[int]
    ) -> None:
        self.snapshot = snapshot
        self.person_ids = sorted({str(pk) for pk in person_ids})
        self.tf_columns = tf_columns(model)
        self.rules = plain_rules(model)
        self.tf_prefix = model.get("term_frequency_adjustment_column_prefix") or "tf_"
        super().__init__(
            PreparedRecords(table=SCHEMA.empty_table(), record_count=snapshot.record_count),
            model=model,
        )

    def _database(self) -> Any:
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect(config=duckdb_config())
        self.snapshot.attach(con, self.tf_columns)
        con.register("new_ids", pa.table({"record_id": pa.array(self.person_ids, pa.string())}))
        con.execute(
            "CREATE TEMP TABLE new_persons AS SELECT * FROM registry "
            "WHERE record_id IN (SELECT record_id FROM new_ids)"
        )
        con.unregister("new_ids")
        return DuckDBAPI(connection=con)

    def _register(self, prepared: PreparedRecords) -> Any:
        self.new = self.db_api.register("new_persons", dataset_display_name="new_persons")
        return self.new

    @property
    def new_count(self) -> int:
        return self.execute("SELECT count(*) FROM new_persons")[0][0]

    def _register_term_frequencies(self) -> None:
        """The registry's term frequencies, as Splink's ``compute_tf_table`` counts them over
        it (each value's count over the column's non-empty values), from the kept counts; a
        column that is not counted is counted over the registry."""
        for column in self.tf_columns:
            table = f"registry_tf_{column}"
            tf = f"{self.tf_prefix}{column}"
            # column names are the model's own, which Splink found among the records' columns
            parameters: list[str] = []
            if column in COUNTED_COLUMNS:
                parameters = [column]
                query = (
                    f"SELECT value AS {column}, CAST(count AS DOUBLE) / "  # noqa: S608
                    "(SELECT CAST(sum(count) AS BIGINT) FROM registry_counts WHERE field = $1) "
                    f"AS {tf} FROM registry_counts WHERE field = $1"
                )
            else:
                query = (
                    f"SELECT {column}, CAST(count(*) AS DOUBLE) / "  # noqa: S608
                    f"(SELECT count({column}) FROM registry) AS {tf} "
                    f"FROM registry WHERE {column} IS NOT NULL GROUP BY {column}"
                )
            self.db_api.duckdb_con.execute(f"CREATE TEMP TABLE {table} AS {query}", parameters)
            self.linker.table_management.register_term_frequency_lookup(
                self.db_api.register(table, dataset_display_name=table), column
            )

    def _candidates(self) -> Any:
        """The registry rows some blocking rule pairs with a new record (the new records
        among them), or the whole registry when the rules are not plain conditions."""
        if self.rules is None:
            return self.db_api.register("registry", dataset_display_name="registry")
        # the rules are the model's own SQL, as Splink runs them
        paired = [
            f"SELECT r.record_id FROM registry AS r "  # noqa: S608
            f"SEMI JOIN new_persons AS l ON ({rule})"
            for rule in self.rules
        ]
        ids = " UNION ".join(["SELECT record_id FROM new_persons", *paired])
        self.db_api.duckdb_con.execute(
            "CREATE TEMP TABLE candidates AS "  # noqa: S608
            f"SELECT * FROM registry WHERE record_id IN ({ids})"
        )
        return self.db_api.register("candidates", dataset_display_name="registry")

    def predict(self) -> Any:
        """Every blocked pair of a new record and a registry record (the new records are in
        the registry too: a pair of two new records comes from both sides), scored."""
        self._register_term_frequencies()
        self.input = self._candidates()
        return self.linker.inference.predict_between(self.new, self.input, warning_mode="never")
