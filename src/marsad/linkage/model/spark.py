"""The same linkage model on Spark, for files and registries one machine's DuckDB has outgrown.

A model trained on DuckDB (``model.json`` of ``marsad linkage dedupe``, or a
:class:`~marsad.linkage.models.ModelVersion`'s JSON) scores and clusters on Spark unchanged:
the records are prepared by the same :func:`~marsad.linkage.model.prepare`, and the comparisons'
SQL conditions use only functions both engines have (``damerau_levenshtein`` comes to Spark from
the similarity jar shipped with Splink, which :func:`local_session` puts on the class path).

Spark runs on the Java virtual machine: pyspark 4 needs Java 17 or later. :func:`spark_problem`
says in plain words what is missing before anything starts.
"""

from __future__ import annotations

import csv
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from itertools import count
from pathlib import Path
from typing import Any

from marsad.linkage.model.linkage import PersonLinkage
from marsad.linkage.model.records import PreparedRecords

#: pyspark 4 runs on Java 17 or later.
MIN_JAVA = 17
MIN_PYSPARK = 4
#: Where no master is given: every core of this machine.
DEFAULT_MASTER = "local[*]"

_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')
_LOCAL_CORES = re.compile(r"^local\[(\d+|\*)")
_runs = count(1)


class SparkUnavailable(RuntimeError):
    """Spark cannot run here; the message says why in plain words."""


def _java_problem() -> str | None:
    """What keeps the Java Spark needs from running (Spark's launcher looks in this order)."""
    needs = f"Spark needs Java {MIN_JAVA} or later"
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not java.is_file():
            return f"{needs}: JAVA_HOME is {home}, but there is no bin/java in it"
    else:
        found = shutil.which("java")
        if found is None:
            return (
                f"{needs}: no `java` was found on PATH (install Java {MIN_JAVA}, or set JAVA_HOME)"
            )
        java = Path(found)
    try:
        result = subprocess.run(  # noqa: S603 - the java the Spark launcher will run, fixed args
            [str(java), "-version"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{needs}: {java} does not run ({error})"
    match = _JAVA_VERSION.search(result.stderr + result.stdout)
    if match is None:
        return None  # an unusual build: let Spark try it
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0_392" is Java 8
        major = int(match.group(2))
    if major < MIN_JAVA:
        return f"{needs}: {java} is Java {major}"
    return None


def _pyspark_version() -> str | None:
    """The installed pyspark's version, or None (without importing it when it is missing)."""
    if importlib.util.find_spec("pyspark") is None:
        return None
    import pyspark

    return pyspark.__version__


def spark_problem() -> str | None:
    """Why Spark cannot run here (pyspark missing or too old, Java missing or too old), or None."""
    version = _pyspark_version()
    if version is None:
        return (
            "Spark needs the pyspark package, which is not installed: pip install 'marsad[spark]'"
        )
    if int(version.split(".", 1)[0]) < MIN_PYSPARK:
        return (
            f"Spark needs pyspark {MIN_PYSPARK} or later; pyspark {version} is installed: "
            f"pip install 'marsad[spark]'"
        )
    return _java_problem()


def local_session(
    master: str = DEFAULT_MASTER,
    *,
    checkpoint_dir: Path | None = None,
    config: Mapping[str, str] | None = None,
    log_level: int = logging.ERROR,
) -> Any:
    """Start a Spark session with Splink's similarity functions on its class path.

    ``master`` is ``local[N]`` (this machine, N cores) or a cluster's URL (``spark://host:7077``,
    ``yarn``). Intermediate tables are written as Parquet under ``checkpoint_dir`` (on a
    cluster, a directory every node reaches; else Spark's ``spark.checkpoint.dir`` setting).
    ``config`` adds or overrides Spark settings. Raises :class:`SparkUnavailable`.
    """
    problem = spark_problem()
    if problem:
        raise SparkUnavailable(problem)
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    settings = {
        "spark.app.name": "marsad-linkage",
        "spark.jars": similarity_jar_location(),
        "spark.ui.showConsoleProgress": "false",
    }
    local = _LOCAL_CORES.match(master)
    if local or master == "local":
        # Spark warns on every start when this machine's name resolves to a loopback address
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        cores = local.group(1) if local else "1"
        partitions = str(os.cpu_count() or 1) if cores == "*" else cores
        settings |= {
            # a few partitions per core: Spark's default of 200 is for clusters
            "spark.sql.shuffle.partitions": partitions,
            "spark.default.parallelism": partitions,
            "spark.ui.enabled": "false",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        }
    if checkpoint_dir is not None:
        settings["spark.checkpoint.dir"] = str(checkpoint_dir)
    settings |= dict(config or {})
    builder = SparkSession.builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as error:  # the launcher raises plain errors (no JVM, bad master, ...)
        raise SparkUnavailable(f"Spark did not start: {_first_line(error)}") from error
    session.sparkContext.setLogLevel("INFO" if log_level <= logging.INFO else "ERROR")
    logging.getLogger("py4j").setLevel(max(log_level, logging.WARNING))
    return session


def active_session() -> Any:
    """The Spark session this process (this thread) already runs, or None."""
    if importlib.util.find_spec("pyspark") is None:
        return None
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession()


@contextmanager
def spark_session(master: str | None = None, *, log_level: int = logging.ERROR) -> Iterator[Any]:
    """The Spark session already running in this process (left running), or a new one.

    A new session is started on ``master`` (default :data:`DEFAULT_MASTER`) and stopped at the
    end; a process holds one Spark context, so a running session is used whatever ``master``
    says. Raises :class:`SparkUnavailable` when Spark cannot run here.
    """
    active = active_session()
    if active is not None:
        yield active
        return
    master = master or DEFAULT_MASTER
    with tempfile.TemporaryDirectory(prefix="marsad-spark-") as scratch:
        # this machine's temporary directory serves a local master only
        checkpoints = Path(scratch) if master.startswith("local") else None
        session = local_session(master, checkpoint_dir=checkpoints, log_level=log_level)
        try:
            yield session
        finally:
            session.stop()


class SparkPersonLinkage(PersonLinkage):
    """One linkage run over prepared records in a Spark session, with the same model.

    Intermediate tables are written as Parquet under the session's checkpoint directory: that
    cuts their lineage, without which the plans of the iterative clustering grow until the
    driver runs out of memory.
    """

    def __init__(
        self,
        prepared: PreparedRecords,
        *,
        spark: Any,
        model: dict[str, Any] | None = None,
        log_level: int = logging.ERROR,
    ) -> None:
        self.spark = spark
        self.input_name = f"marsad_persons_{os.getpid()}_{next(_runs)}"
        super().__init__(prepared, model=model, log_level=log_level)

    def _database(self) -> Any:
        if not self.spark.sparkContext.getCheckpointDir():
            raise SparkUnavailable(
                "the Spark session has no checkpoint directory: set spark.checkpoint.dir to a "
                "directory every Spark node can reach"
            )
        return _spark_api()(spark_session=self.spark, break_lineage_method="parquet")

    def _register(self, prepared: PreparedRecords) -> Any:
        # one session may hold several runs: each input gets a table name of its own
        return self.db_api.register(
            prepared.table, table_name=self.input_name, dataset_display_name="persons"
        )

    def _create_table(self, name: str, query: str) -> None:
        self.spark.sql(query).createOrReplaceTempView(name)
        self.db_api.views.add(name)  # dropped with the run's other tables

    def execute(self, query: str) -> list[tuple[Any, ...]]:
        """Run Spark SQL and collect the rows (tables: ``SplinkDataFrame.physical_name``)."""
        return [tuple(row) for row in self.spark.sql(query).collect()]

    def write_csv(self, query: str, path: Path) -> None:
        """Write the rows of ``query`` to one CSV file, streamed to this process in order."""
        frame = self.spark.sql(query)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(frame.columns)
            for row in frame.toLocalIterator():
                writer.writerow(["" if value is None else value for value in row])

    def close(self) -> None:
        """Drop the run's tables from the session and their Parquet files from the checkpoints."""
        names = [*self.db_api.views, self.input_name]
        for name in names:
            self.spark.catalog.dropTempView(name)
        self.db_api.views.clear()
        # through Hadoop's file system API: the checkpoint directory may be on HDFS or S3
        jvm, directory = self.spark._jvm, self.spark.sparkContext.getCheckpointDir()
        for name in names:
            path = jvm.org.apache.hadoop.fs.Path(f"{directory}/{name}")
            path.getFileSystem(self.spark._jsc.hadoopConfiguration()).delete(path, True)


@cache
def _spark_api() -> type:
    """Splink's SparkAPI, subclassed when a run first needs it (pyspark is imported then)."""
    from splink import SparkAPI

    class Api(SparkAPI):
        """Splink's Spark API, keeping count of the views it makes so that they can be dropped.

        Splink drops a table with DROP TABLE, which leaves Spark's temporary views in place.
        """

        def __init__(self, **options: Any) -> None:
            self.views: set[str] = set()
            super().__init__(**options)

        def _cleanup_for_execute_sql(self, table: Any, templated_name: str, physical_name: str):
            self.views.add(physical_name)
            return super()._cleanup_for_execute_sql(table, templated_name, physical_name)

        def delete_table_from_database(self, name: str) -> None:
            self.spark.catalog.dropTempView(name)
            self.views.discard(name)
            super().delete_table_from_database(name)

    return Api


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
