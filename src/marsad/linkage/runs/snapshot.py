"""The registry as the linkage model reads it: every active person's compared columns, kept as
Parquet files between runs so that an incremental run prepares, and writes, only what changed.

Preparing a person (normalising five names, parsing the birth date, the phone and the ID) costs
some 20 µs of Python; for a million persons that, and reading them from the database, is most
of a minute, while matching a batch of ten thousand new registrations against them takes
seconds. So a full run prepares the whole registry and leaves it in ``MARSAD_LINKAGE_CACHE_DIR``
(``VAR_DIR/linkage`` by default) as a folder of parts, named by ``manifest.json``:

- the *base*: every active person when it was written, and the counts of each compared value
  in it (for the term frequencies and the blocking copies of phone and ID);
- the *delta*: the persons registered, edited or merged since (their own ``updated_at``, their
  household's, their phones' and documents'), as they are now. "Since" is when the last
  snapshot was read, or earlier: on PostgreSQL when the oldest transaction then open began (its
  rows may commit later with older stamps), elsewhere ``REFRESH_MARGIN`` before;
- the *dropped* rows: the base rows those persons, and those no longer active, replace;
- the *seen* rows: the rows written within that margin, as the last snapshot saw them (the
  next refresh looks at them again, and prepares their persons only if they changed since).

The registry is the base less the dropped rows plus the delta: DuckDB reads it straight from
the files (:meth:`Snapshot.attach`). An incremental run prepares only the persons changed since
the last one, rewrites the small parts and the manifest, and leaves the base alone until the
changes outgrow a share of it (``COMPACT_SHARE``), when the parts are folded into a new base.
A person deleted or (de)activated without a time stamp makes the count of rows disagree with the
count of active persons, and the ids are compared then. A full run brings the parts up to the
merges it made, so the incremental run after it starts from there. A missing, unreadable or
foreign folder (another database, another layout) is rebuilt from the database; the next full
run rebuilds it anyway, so nothing a change of an unwatched kind could leave stale outlives it.

The term frequencies of the compared names and phones are kept beside it, for the live
duplicates panel (``marsad.linkage.matching``), which scores in Python without DuckDB.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.linkage.model import BLOCK_VALUE_LIMIT, SCHEMA, prepare
from marsad.registry import selectors as registry
from marsad.registry.models import IdentityDocument, Person, Phone

REGISTRY_DIR = "registry"
MANIFEST_FILE = "manifest.json"
FREQUENCIES_FILE = "term_frequencies.parquet"
#: The single file of the first layout, removed when the folder is written.
OLD_REGISTRY_FILE = "registry.parquet"
#: Bumped whenever the prepared columns or the parts change meaning, so an old folder is rebuilt
#: (3: the normaliser reads a digraph followed by an h apart and knows six more names, so some
#: keys changed; 4: an Arabic nisba of a listed name takes the key of its Latin spelling, and
#: Awad عوض is listed; 5: family names that begin with al themselves, Alusi آلوسي and Alwani,
#: are listed and keep it, and Abdool and Abdur (Rahman) join the next name).
LAYOUT = 5
#: A change stamped up to this long before the last snapshot is prepared again: a transaction
#: that was still open when the snapshot was read commits rows stamped before it. On
#: PostgreSQL the snapshot asks which transactions are open instead (``CLOCK_MARGIN``).
REFRESH_MARGIN = timedelta(minutes=15)
#: On PostgreSQL changes are looked for from the start of the oldest transaction open when the
#: snapshot was read, less this: a row is stamped (by the application's clock) just before the
#: statement that writes it, and the database server's clock may differ a little.
CLOCK_MARGIN = timedelta(seconds=10)
#: The delta and the dropped rows are folded into a new base when together they pass this share
#: of the base (and ``COMPACT_MIN_ROWS``): below it rewriting them costs less than the base.
COMPACT_SHARE = 0.2
COMPACT_MIN_ROWS = 20_000
#: Blocking copies recomputed over the whole registry: (value column, block column).
BLOCK_COLUMNS = (("phone", "phone_block"), ("national_id", "id_block"))
#: Columns whose value counts are kept with the base: every compared text column (a model's
#: term-frequency columns are among them), not the identifiers nor the blocking copies.
COUNTED_COLUMNS = tuple(
    name
    for name in SCHEMA.names
    if SCHEMA.field(name).type == pa.string()
    and name not in {"record_id", "household"}
    and name not in {block for _value, block in BLOCK_COLUMNS}
)
COUNTS_SCHEMA = pa.schema([("field", pa.string()), ("value", pa.string()), ("count", pa.int64())])
#: Rows written within the margin before a snapshot (``kind``: person, household, phone or
#: document; its primary key and ``updated_at``), as that snapshot saw them.
SEEN_SCHEMA = pa.schema(
    [("kind", pa.string()), ("key", pa.int64()), ("stamp", pa.timestamp("us", tz="UTC"))]
)
#: Persons prepared per batch (and primary keys per ``IN`` list, under SQLite's limits).
BATCH = 50_000
ID_BATCH = 2_000

Progress = Callable[[str], None]


def cache_dir() -> Path:
    """The files of the database in use: a folder of its own under ``MARSAD_LINKAGE_CACHE_DIR``
    (default ``var/linkage``), so installations sharing a disk — a test database, a bench —
    never make each other rebuild a million persons' snapshot."""
    configured = getattr(settings, "MARSAD_LINKAGE_CACHE_DIR", None)
    base = Path(configured) if configured else Path(settings.VAR_DIR) / "linkage"
    directory = base / hashlib.sha256(_database().encode()).hexdigest()[:16]
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _database() -> str:
    """Which database the file was read from: a file from another one is never used."""
    config = connection.settings_dict
    return (
        ":".join(str(config.get(key) or "") for key in ("HOST", "PORT", "NAME"))
        + f"@{connection.vendor}"
    )


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@dataclass
class Snapshot:
    """The prepared registry (``marsad.linkage.model.SCHEMA`` columns) and how it was made.

    ``directory`` and ``parts`` name its files: ``base``, ``counts`` (the base's value counts),
    ``delta`` and ``dropped``. A full run also holds the whole table in memory (``table``); an
    incremental run reads the files with DuckDB (:meth:`attach`) and never loads them whole.
    """

    directory: Path
    parts: dict[str, str]
    taken_at: datetime
    rebuilt: bool
    prepared: int  # persons prepared from the database this time
    record_count: int
    _table: pa.Table | None = field(default=None, repr=False)

    def path(self, part: str) -> Path:
        return self.directory / self.parts[part]

    def attach(self, con: Any, columns: Iterable[str] | None = None) -> None:
        """Make the registry readable on the DuckDB connection ``con``: the view ``registry``
        (``SCHEMA`` columns, one row per active person, the blocking copies of phone and ID
        empty for values held by more than ``BLOCK_VALUE_LIMIT`` persons) and the table
        ``registry_counts`` (field, value, count) of its values now, for ``columns`` (default
        every counted column) and the blocked phone and ID."""
        base, delta, dropped, counts = (
            _quoted(self.path(part)) for part in ("base", "delta", "dropped", "counts")
        )
        wanted = set(COUNTED_COLUMNS if columns is None else columns) & set(COUNTED_COLUMNS)
        counted = sorted(wanted | {value for value, _block in BLOCK_COLUMNS})
        # Every SQL text here is made of this module's file names (quoted) and of SCHEMA's
        # column names: nothing comes from input.
        _view(con, "registry_dropped", f"SELECT * FROM read_parquet({dropped})")  # noqa: S608
        _view(con, "registry_delta", f"SELECT * FROM read_parquet({delta})")  # noqa: S608
        rows = (
            f"SELECT * FROM read_parquet({base}) "  # noqa: S608
            "WHERE record_id NOT IN (SELECT record_id FROM registry_dropped) "
            "UNION ALL SELECT * FROM registry_delta"
        )
        _view(con, "registry_rows", rows)
        # the base's counts, less the dropped rows', plus the delta's
        changes = " UNION ALL ".join(
            f"SELECT '{column}' AS field, {column} AS value, {sign} AS n "  # noqa: S608
            f"FROM {table} WHERE {column} IS NOT NULL"
            for column in counted
            for table, sign in (("registry_dropped", -1), ("registry_delta", 1))
        )
        listed = ", ".join(f"'{column}'" for column in counted)
        summed = (
            "SELECT field, value, CAST(sum(n) AS BIGINT) AS count FROM ("  # noqa: S608
            f"SELECT field, value, count AS n FROM read_parquet({counts}) "
            f"WHERE field IN ({listed}) UNION ALL {changes}) "
            "GROUP BY field, value HAVING sum(n) > 0"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE registry_counts AS {summed}")
        blocks = ", ".join(
            f"CASE WHEN {value} IN (SELECT value FROM registry_counts "  # noqa: S608
            f"WHERE field = '{value}' AND count > {int(BLOCK_VALUE_LIMIT)}) "
            f"THEN NULL ELSE {value} END AS {block}"
            for value, block in BLOCK_COLUMNS
        )
        _view(con, "registry", f"SELECT * REPLACE ({blocks}) FROM registry_rows")  # noqa: S608

    @property
    def table(self) -> pa.Table:
        """The whole registry as one Arrow table (read from the files when not in memory)."""
        if self._table is None:
            import duckdb

            con = duckdb.connect()
            try:
                self.attach(con)
                table = _arrow(con, "SELECT * FROM registry ORDER BY record_id")
            finally:
                con.close()
            self._table = table.cast(SCHEMA)
        return self._table

    def frequencies(self, columns: Iterable[str]) -> pa.Table:
        """(field, value, count) of ``columns`` in the registry now (counted columns only)."""
        import duckdb

        wanted = sorted(set(columns) & set(COUNTED_COLUMNS))
        con = duckdb.connect()
        try:
            self.attach(con, wanted)
            con.register("wanted", pa.table({"field": pa.array(wanted, pa.string())}))
            found = _arrow(
                con,
                "SELECT field, value, count FROM registry_counts "
                "WHERE field IN (SELECT field FROM wanted) ORDER BY field, value",
            )
        finally:
            con.close()
        return found.cast(COUNTS_SCHEMA)


def _view(con: Any, name: str, query: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {query}")


def _prepare_batches(records: Iterable[dict[str, str]]) -> Iterator[pa.Table]:
    batch: list[dict[str, str]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            yield prepare(batch).table
            batch = []
    if batch:
        yield prepare(batch).table


def _prepare_ids(ids: list[int]) -> pa.Table:
    """The active persons among ``ids``, prepared."""
    tables = []
    for start in range(0, len(ids), ID_BATCH):
        chunk = ids[start : start + ID_BATCH]
        records = registry.linkage_records(Person.objects.filter(pk__in=chunk, is_active=True))
        tables.extend(_prepare_batches(records))
    return pa.concat_tables(tables) if tables else SCHEMA.empty_table()


def _with_blocks(table: pa.Table) -> pa.Table:
    """Recompute the blocking copies of phone and ID over the whole registry: a value shared
    by more than ``BLOCK_VALUE_LIMIT`` persons is compared but makes no block of its own."""
    for value_column, block_column in BLOCK_COLUMNS:
        values = table.column(value_column)
        counts = pc.value_counts(values.drop_null())
        common = counts.field("values").filter(
            pc.greater(counts.field("counts"), BLOCK_VALUE_LIMIT)
        )
        block = values
        if len(common):
            block = pc.if_else(
                pc.is_in(values, value_set=common.cast(pa.string())),
                pa.scalar(None, pa.string()),
                values,
            )
        position = table.schema.get_field_index(block_column)
        table = table.set_column(position, SCHEMA.field(block_column), block)
    return table


def _value_counts(table: pa.Table) -> pa.Table:
    """(field, value, count) of every value of ``COUNTED_COLUMNS`` in ``table``."""
    names: list[pa.Array] = []
    values: list[pa.Array] = []
    counts: list[pa.Array] = []
    for column in COUNTED_COLUMNS:
        found = pc.value_counts(table.column(column).drop_null())
        if not len(found):
            continue
        names.append(pa.array([column] * len(found), pa.string()))
        values.append(found.field("values").cast(pa.string()))
        counts.append(found.field("counts").cast(pa.int64()))
    if not names:
        return COUNTS_SCHEMA.empty_table()
    return pa.table(
        {
            "field": pa.concat_arrays(names),
            "value": pa.concat_arrays(values),
            "count": pa.concat_arrays(counts),
        },
        schema=COUNTS_SCHEMA,
    )


def _write(path: Path, table: pa.Table, meta: dict[str, Any]) -> None:
    """Write beside the target and rename: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    schema = table.schema.with_metadata({b"marsad": json.dumps(meta).encode()})
    try:
        pq.write_table(table.replace_schema_metadata(schema.metadata), temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write_part(directory: Path, kind: str, table: pa.Table) -> str:
    """A new part file (a name never used before: a run still reading the last manifest's
    files is not disturbed); returns its name."""
    name = f"{kind}-{uuid.uuid4().hex}.parquet"
    _write(directory / name, table, {"layout": LAYOUT})
    return name


@dataclass
class _Change:
    """A row written since some moment, and the person whose record it feeds."""

    kind: str
    key: int
    stamp: datetime
    person: int


def _changes(since: datetime) -> list[_Change]:
    """The rows that feed persons' compared values written since ``since``: the person, its
    household (the origin), a phone or a document."""
    changes = [
        _Change("person", pk, stamp, pk)
        for pk, stamp in Person.objects.filter(updated_at__gte=since).values_list(
            "pk", "updated_at"
        )
    ]
    changes += [
        _Change("household", household, stamp, pk)
        for pk, household, stamp in Person.objects.filter(
            household__updated_at__gte=since
        ).values_list("pk", "household_id", "household__updated_at")
    ]
    for kind, model in (("phone", Phone), ("document", IdentityDocument)):
        changes += [
            _Change(kind, pk, stamp, person)
            for pk, stamp, person in model.objects.filter(updated_at__gte=since).values_list(
                "pk", "updated_at", "person_id"
            )
        ]
    return changes


def _seen(changes: Iterable[_Change], since: datetime) -> pa.Table:
    """The rows of ``changes`` written from ``since`` on, as :data:`SEEN_SCHEMA`."""
    kept = {(change.kind, change.key, change.stamp) for change in changes if change.stamp >= since}
    ordered = sorted(kept, key=lambda row: (row[0], row[1], row[2].isoformat()))
    return pa.table(
        {
            "kind": pa.array([row[0] for row in ordered], pa.string()),
            "key": pa.array([row[1] for row in ordered], pa.int64()),
            "stamp": pa.array([row[2] for row in ordered], pa.timestamp("us", tz="UTC")),
        },
        schema=SEEN_SCHEMA,
    )


def _stale(changes: Iterable[_Change], seen: pa.Table) -> set[int]:
    """The persons fed by ``changes`` other than those the last snapshot saw as they are."""
    known = set(
        zip(
            seen.column("kind").to_pylist(),
            seen.column("key").to_pylist(),
            seen.column("stamp").to_pylist(),
            strict=True,
        )
    )
    return {
        change.person for change in changes if (change.kind, change.key, change.stamp) not in known
    }


def _changes_from(taken_at: datetime) -> datetime:
    """From when the next refresh looks for changes: a row committed after this snapshot was
    read but stamped before it was written by a transaction open while it was read. PostgreSQL
    says when the oldest such transaction began; elsewhere ``REFRESH_MARGIN`` is assumed."""
    if connection.vendor != "postgresql":
        return taken_at - REFRESH_MARGIN
    with connection.cursor() as cursor:
        # inside a transaction the activity view is read once and kept: read it afresh
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE xact_start IS NOT NULL "
            "AND pid <> pg_backend_pid() AND datname = current_database() "
            "AND backend_type = 'client backend'"
        )
        (oldest,) = cursor.fetchone()
    since = min(taken_at, oldest) if oldest is not None else taken_at
    return since - CLOCK_MARGIN


def _read_manifest(directory: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((directory / MANIFEST_FILE).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    if manifest.get("layout") != LAYOUT or manifest.get("database") != _database():
        return None
    parts = manifest.get("parts")
    if not isinstance(parts, dict) or set(parts) != {"base", "counts", "delta", "dropped", "seen"}:
        return None
    try:
        for part in ("base", "delta", "dropped"):
            if pq.read_schema(directory / parts[part]).remove_metadata() != SCHEMA:
                return None
        if pq.read_schema(directory / parts["counts"]).remove_metadata() != COUNTS_SCHEMA:
            return None
        if pq.read_schema(directory / parts["seen"]).remove_metadata() != SEEN_SCHEMA:
            return None
        manifest["taken_at"] = datetime.fromisoformat(manifest["taken_at"])
        manifest["changes_from"] = datetime.fromisoformat(manifest["changes_from"])
        manifest["base_rows"] = int(manifest["base_rows"])
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None
    return manifest


def _commit(
    directory: Path,
    parts: dict[str, str],
    *,
    taken_at: datetime,
    changes_from: datetime,
    base_rows: int,
    rows: int,
) -> None:
    """Write the manifest (the folder's single point of change), then remove the parts it no
    longer names."""
    manifest = {
        "layout": LAYOUT,
        "database": _database(),
        "taken_at": taken_at.isoformat(),
        "changes_from": changes_from.isoformat(),
        "base_rows": base_rows,
        "rows": rows,
        "parts": parts,
    }
    temporary = directory / f".{MANIFEST_FILE}.{os.getpid()}.{uuid.uuid4().hex}"
    try:
        temporary.write_text(json.dumps(manifest))
        os.replace(temporary, directory / MANIFEST_FILE)
    finally:
        temporary.unlink(missing_ok=True)
    for path in directory.iterdir():
        if path.suffix == ".parquet" and path.name not in parts.values():
            path.unlink(missing_ok=True)


def _registry_dir() -> Path:
    directory = cache_dir() / REGISTRY_DIR
    directory.mkdir(parents=True, exist_ok=True)
    (cache_dir() / OLD_REGISTRY_FILE).unlink(missing_ok=True)
    return directory


def _write_base(
    directory: Path,
    table: pa.Table,
    seen: pa.Table,
    *,
    taken_at: datetime,
    changes_from: datetime,
) -> dict[str, str]:
    """Write ``table`` (the whole registry) as a new base with no delta, and commit it."""
    parts = {
        "base": _write_part(directory, "base", table),
        "counts": _write_part(directory, "counts", _value_counts(table)),
        "delta": _write_part(directory, "delta", SCHEMA.empty_table()),
        "dropped": _write_part(directory, "dropped", SCHEMA.empty_table()),
        "seen": _write_part(directory, "seen", seen),
    }
    _commit(
        directory,
        parts,
        taken_at=taken_at,
        changes_from=changes_from,
        base_rows=table.num_rows,
        rows=table.num_rows,
    )
    return parts


def _ids_table(ids: Iterable[int | str]) -> pa.Table:
    return pa.table({"record_id": pa.array(sorted({str(pk) for pk in ids}), pa.string())})


def _arrow(con: Any, query: str) -> pa.Table:
    """The rows of ``query`` on the DuckDB connection ``con`` as an Arrow table."""
    return con.sql(query).to_arrow_table()


def _active_ids() -> pa.Table:
    ids = Person.objects.filter(is_active=True).values_list("pk", flat=True).iterator(50_000)
    return _ids_table(ids)


def registry_snapshot(
    *,
    rebuild: bool = False,
    refresh_ids: Iterable[int] = (),
    progress: Progress | None = None,
) -> Snapshot:
    """Every active person's compared columns, from the kept files brought up to date (or
    rebuilt from the database when ``rebuild``, or when there are no usable files). Persons in
    ``refresh_ids`` are prepared again whatever their time stamps say."""
    say = progress or (lambda message: None)
    taken_at = timezone.now()
    changes_from = _changes_from(taken_at)
    directory = _registry_dir()
    manifest = None if rebuild else _read_manifest(directory)
    if manifest is None:
        say(_("reading and preparing every active person"))
        seen = _seen(_changes(changes_from), changes_from)  # before anything is read
        records = registry.linkage_records(Person.objects.filter(is_active=True))
        tables = list(_prepare_batches(records))
        table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
        table = _with_blocks(table.combine_chunks() if table.num_rows else table)
        parts = _write_base(directory, table, seen, taken_at=taken_at, changes_from=changes_from)
        return Snapshot(
            directory=directory,
            parts=parts,
            taken_at=taken_at,
            rebuilt=True,
            prepared=table.num_rows,
            record_count=table.num_rows,
            _table=table,
        )
    say(_("bringing the prepared registry up to date"))
    return _refresh(directory, manifest, refresh_ids, taken_at, changes_from, say)


def _refresh(
    directory: Path,
    manifest: dict[str, Any],
    refresh_ids: Iterable[int],
    taken_at: datetime,
    changes_from: datetime,
    say: Progress,
) -> Snapshot:
    """Prepare the persons changed since the last snapshot again and rewrite the delta and the
    dropped rows (the base is read, not rewritten), or fold them into a new base when they
    have grown past ``COMPACT_SHARE`` of it."""
    import duckdb

    parts = dict(manifest["parts"])
    base_rows = manifest["base_rows"]
    # the rows written since the last snapshot's margin, less those it saw as they are (and
    # prepared their persons after): read before any person is
    changes = _changes(manifest["changes_from"])
    stale = _stale(changes, pq.read_table(directory / parts["seen"]))
    stale |= {int(pk) for pk in refresh_ids}
    seen = _seen(changes, changes_from)
    con = duckdb.connect()
    try:
        con.register("stale", _ids_table(stale))
        base = f"read_parquet({_quoted(directory / parts['base'])})"
        old_delta = f"read_parquet({_quoted(directory / parts['delta'])})"
        old_dropped = f"read_parquet({_quoted(directory / parts['dropped'])})"
        fresh = _prepare_ids(sorted(stale))
        con.register("fresh", fresh)
        # the old delta less the persons prepared again, then those prepared (active ones)
        con.execute(
            f"CREATE TEMP TABLE delta AS SELECT * FROM {old_delta} "  # noqa: S608
            "WHERE record_id NOT IN (SELECT record_id FROM stale) UNION ALL SELECT * FROM fresh"
        )
        # the base rows of every person prepared again or no longer active
        con.execute(
            f"CREATE TEMP TABLE dropped AS SELECT * FROM {old_dropped} UNION ALL "  # noqa: S608
            f"SELECT * FROM {base} WHERE record_id IN (SELECT record_id FROM stale) "
            f"AND record_id NOT IN (SELECT record_id FROM {old_dropped})"
        )
        prepared = fresh.num_rows
        ((delta_rows,),) = con.execute("SELECT count(*) FROM delta").fetchall()
        ((dropped_rows,),) = con.execute("SELECT count(*) FROM dropped").fetchall()
        rows = base_rows - dropped_rows + delta_rows
        if rows != Person.objects.filter(is_active=True).count():
            # a person deleted, or (de)activated without a time stamp: compare the ids
            say(_("comparing the prepared registry with the active persons"))
            prepared += _reconcile(con, base)
            ((delta_rows,),) = con.execute("SELECT count(*) FROM delta").fetchall()
            ((dropped_rows,),) = con.execute("SELECT count(*) FROM dropped").fetchall()
            rows = base_rows - dropped_rows + delta_rows
        compact = delta_rows + dropped_rows > max(COMPACT_MIN_ROWS, COMPACT_SHARE * base_rows)
        if compact:
            say(_("folding the changes into a new prepared registry"))
            con.execute(
                f"CREATE TEMP TABLE whole AS SELECT * FROM {base} "  # noqa: S608
                "WHERE record_id NOT IN (SELECT record_id FROM dropped) "
                "UNION ALL SELECT * FROM delta ORDER BY record_id"
            )
            table = _with_blocks(_arrow(con, "SELECT * FROM whole").cast(SCHEMA))
        else:
            delta = _arrow(con, "SELECT * FROM delta ORDER BY record_id").cast(SCHEMA)
            dropped = _arrow(con, "SELECT * FROM dropped ORDER BY record_id").cast(SCHEMA)
    finally:
        con.close()
    if compact:
        parts = _write_base(directory, table, seen, taken_at=taken_at, changes_from=changes_from)
        return Snapshot(
            directory=directory,
            parts=parts,
            taken_at=taken_at,
            rebuilt=False,
            prepared=prepared,
            record_count=table.num_rows,
            _table=table,
        )
    parts["delta"] = _write_part(directory, "delta", delta)
    parts["dropped"] = _write_part(directory, "dropped", dropped)
    parts["seen"] = _write_part(directory, "seen", seen)
    _commit(
        directory,
        parts,
        taken_at=taken_at,
        changes_from=changes_from,
        base_rows=base_rows,
        rows=rows,
    )
    return Snapshot(
        directory=directory,
        parts=parts,
        taken_at=taken_at,
        rebuilt=False,
        prepared=prepared,
        record_count=rows,
    )


def _reconcile(con: Any, base: str) -> int:
    """Make the ``delta`` and ``dropped`` tables on ``con`` agree with the active persons in
    the database: persons held but no longer active leave, active persons missing are
    prepared. Returns how many were prepared."""
    con.register("active", _active_ids())
    con.execute(
        "CREATE TEMP TABLE held AS "  # noqa: S608
        f"SELECT record_id FROM {base} WHERE record_id NOT IN (SELECT record_id FROM dropped) "
        "UNION ALL SELECT record_id FROM delta"
    )
    con.execute("DELETE FROM delta WHERE record_id NOT IN (SELECT record_id FROM active)")
    con.execute(
        f"INSERT INTO dropped SELECT * FROM {base} "  # noqa: S608
        "WHERE record_id NOT IN (SELECT record_id FROM active) "
        "AND record_id NOT IN (SELECT record_id FROM dropped)"
    )
    missing = [
        int(pk)
        for (pk,) in con.execute(
            "SELECT record_id FROM active WHERE record_id NOT IN (SELECT record_id FROM held)"
        ).fetchall()
    ]
    fresh = _prepare_ids(sorted(missing))
    con.register("missing", fresh)
    # (a missing person's base row, if any, is already dropped: it would be held otherwise)
    con.execute("INSERT INTO delta SELECT * FROM missing")
    return fresh.num_rows


def write_term_frequencies(table: pa.Table, columns: Iterable[str]) -> Path:
    """Count the values of ``columns`` (the model's term-frequency columns) for the live
    duplicates panel: every value held by two persons or more, and each column's total."""
    names: list[str] = []
    values: list[str | None] = []
    counts: list[int] = []
    for column in sorted(set(columns)):
        data = table.column(column).drop_null()
        names.append(column)
        values.append(None)
        counts.append(len(data))
        found = pc.value_counts(data)
        shared = pc.greater_equal(found.field("counts"), 2)
        kept = found.field("values").filter(shared).to_pylist()
        names += [column] * len(kept)
        values += kept
        counts += found.field("counts").filter(shared).to_pylist()
    return _write_frequencies(names, values, counts)


def write_snapshot_frequencies(snapshot: Snapshot, columns: Iterable[str]) -> Path:
    """:func:`write_term_frequencies` from the counts kept with ``snapshot`` (no column is
    read whole, unless it is not one of the counted columns)."""
    wanted = sorted(set(columns))
    if any(column not in COUNTED_COLUMNS for column in wanted):
        return write_term_frequencies(snapshot.table, wanted)
    found = snapshot.frequencies(wanted)
    totals = dict.fromkeys(wanted, 0)
    shared: dict[str, list[tuple[str, int]]] = {column: [] for column in wanted}
    for column, value, count in zip(
        found.column("field").to_pylist(),
        found.column("value").to_pylist(),
        found.column("count").to_pylist(),
        strict=True,
    ):
        totals[column] += count
        if count >= 2:
            shared[column].append((value, count))
    names: list[str] = []
    values: list[str | None] = []
    counts: list[int] = []
    for column in wanted:
        names.append(column)
        values.append(None)
        counts.append(totals[column])
        names += [column] * len(shared[column])
        values += [value for value, _count in shared[column]]
        counts += [count for _value, count in shared[column]]
    return _write_frequencies(names, values, counts)


def _write_frequencies(names: list[str], values: list[str | None], counts: list[int]) -> Path:
    frequencies = pa.table(
        {
            "column": pa.array(names, pa.string()),
            "value": pa.array(values, pa.string()),
            "count": pa.array(counts, pa.int64()),
        }
    )
    path = cache_dir() / FREQUENCIES_FILE
    _write(path, frequencies, {"layout": LAYOUT, "database": _database()})
    return path


def read_term_frequencies() -> tuple[dict[tuple[str, str], int], dict[str, int]] | None:
    """(value counts, totals) from the last run's file, or None when there is none."""
    path = cache_dir() / FREQUENCIES_FILE
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException):
        return None
    counts: dict[tuple[str, str], int] = {}
    totals: dict[str, int] = {}
    for column, value, count in zip(
        table.column("column").to_pylist(),
        table.column("value").to_pylist(),
        table.column("count").to_pylist(),
        strict=True,
    ):
        if value is None:
            totals[column] = count
        else:
            counts[(column, value)] = count
    return counts, totals


def frequencies_path() -> Path:
    return cache_dir() / FREQUENCIES_FILE
