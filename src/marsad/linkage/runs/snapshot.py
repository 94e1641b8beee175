"""The registry as the linkage model reads it: every active person's compared columns, kept as
a Parquet file between runs so that an incremental run prepares only what changed.

Preparing a person (normalising five names, parsing the birth date, the phone and the ID) costs
some 20 µs of Python; for a million persons that, and reading them from the database, is most
of a minute, while matching a batch of ten thousand new registrations against them takes
seconds. So a full run prepares the whole registry and leaves the result in
``MARSAD_LINKAGE_CACHE_DIR`` (``VAR_DIR/linkage`` by default); an incremental run reads it back
and prepares again only the persons registered, edited or merged since (their own
``updated_at``, their household's, their phones' and documents'), drops those no longer active,
and writes it back. A missing, unreadable or foreign file (another database, another layout) is
rebuilt from the database. The next full run rebuilds it anyway, so nothing a change of an
unwatched kind could leave stale outlives it.

The term frequencies of the compared names and phones are kept beside it, for the live
duplicates panel (``marsad.linkage.matching``), which scores in Python without DuckDB.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection
from django.utils import timezone

from marsad.linkage.model import BLOCK_VALUE_LIMIT, SCHEMA, prepare
from marsad.registry import selectors as registry
from marsad.registry.models import Household, IdentityDocument, Person, Phone

REGISTRY_FILE = "registry.parquet"
FREQUENCIES_FILE = "term_frequencies.parquet"
#: Bumped whenever the prepared columns change meaning, so an old file is rebuilt.
LAYOUT = 1
#: A change stamped up to this long before the last snapshot is prepared again: a transaction
#: that was still open when the snapshot was read commits rows stamped before it.
REFRESH_MARGIN = timedelta(minutes=15)
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


@dataclass
class Snapshot:
    """The prepared registry (``marsad.linkage.model.SCHEMA`` columns) and how it was made."""

    table: pa.Table
    taken_at: datetime
    rebuilt: bool
    prepared: int  # persons prepared from the database this time

    @property
    def record_count(self) -> int:
        return self.table.num_rows


def _prepare_batches(records: Iterable[dict[str, str]]) -> Iterator[pa.Table]:
    batch: list[dict[str, str]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            yield prepare(batch).table
            batch = []
    if batch:
        yield prepare(batch).table


def _prepare_ids(ids: list[int]) -> list[pa.Table]:
    tables = []
    for start in range(0, len(ids), ID_BATCH):
        chunk = ids[start : start + ID_BATCH]
        records = registry.linkage_records(Person.objects.filter(pk__in=chunk))
        tables.extend(_prepare_batches(records))
    return tables


def _with_blocks(table: pa.Table) -> pa.Table:
    """Recompute the blocking copies of phone and ID over the whole registry: a value shared
    by more than ``BLOCK_VALUE_LIMIT`` persons is compared but makes no block of its own."""
    for value_column, block_column in (("phone", "phone_block"), ("national_id", "id_block")):
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


def _read_cache(path: Path) -> tuple[pa.Table, datetime] | None:
    try:
        table = pq.read_table(path)
        meta = json.loads((table.schema.metadata or {}).get(b"marsad", b"{}"))
    except (OSError, ValueError, pa.ArrowException):
        return None
    if meta.get("layout") != LAYOUT or meta.get("database") != _database():
        return None
    if table.schema.remove_metadata() != SCHEMA:
        return None
    try:
        taken_at = datetime.fromisoformat(meta["taken_at"])
    except (KeyError, TypeError, ValueError):
        return None
    return table.cast(SCHEMA), taken_at


def _write(path: Path, table: pa.Table, meta: dict[str, Any]) -> None:
    """Write beside the target and rename: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    schema = table.schema.with_metadata({b"marsad": json.dumps(meta).encode()})
    try:
        pq.write_table(table.replace_schema_metadata(schema.metadata), temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _changed_since(since: datetime) -> set[int]:
    """Persons whose compared values may have changed since ``since``: the person, its
    household (the origin), a phone or a document written since."""
    changed = set(Person.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    households = Household.objects.filter(updated_at__gte=since).values("pk")
    changed.update(Person.objects.filter(household__in=households).values_list("pk", flat=True))
    for model in (Phone, IdentityDocument):
        changed.update(
            model.objects.filter(updated_at__gte=since).values_list("person_id", flat=True)
        )
    return changed


def registry_snapshot(
    *,
    rebuild: bool = False,
    refresh_ids: Iterable[int] = (),
    progress: Progress | None = None,
) -> Snapshot:
    """Every active person's compared columns, from the kept file brought up to date (or
    rebuilt from the database when ``rebuild``, or when there is no usable file). Persons in
    ``refresh_ids`` are prepared again whatever their time stamps say."""
    say = progress or (lambda message: None)
    taken_at = timezone.now()
    path = cache_dir() / REGISTRY_FILE
    cached = None if rebuild else _read_cache(path)
    if cached is None:
        say("reading and preparing every active person")
        records = registry.linkage_records(Person.objects.filter(is_active=True))
        tables = list(_prepare_batches(records))
        table = pa.concat_tables(tables) if tables else SCHEMA.empty_table()
        prepared, rebuilt = table.num_rows, True
    else:
        say("bringing the prepared registry up to date")
        old, old_taken_at = cached
        active = set(Person.objects.filter(is_active=True).values_list("pk", flat=True))
        stale = _changed_since(old_taken_at - REFRESH_MARGIN) | set(refresh_ids)
        keep = pc.is_in(
            old.column("record_id"),
            value_set=pa.array([str(pk) for pk in active - stale], pa.string()),
        )
        kept = old.filter(keep)
        kept_ids = {int(value) for value in kept.column("record_id").to_pylist()}
        missing = sorted(active - kept_ids)
        fresh = _prepare_ids(missing)
        table = pa.concat_tables([kept, *fresh]) if fresh else kept
        prepared, rebuilt = len(missing), False
    table = _with_blocks(table.combine_chunks() if table.num_rows else table)
    _write(
        path,
        table,
        {"layout": LAYOUT, "database": _database(), "taken_at": taken_at.isoformat()},
    )
    return Snapshot(table=table, taken_at=taken_at, rebuilt=rebuilt, prepared=prepared)


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
