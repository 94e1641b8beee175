"""Benchmark rows written straight into a model's table (COPY on PostgreSQL, INSERT on SQLite),
with explicit ids: the benchmarks' generators load hundreds of thousands of rows this way.
Benchmark data only — no services, no audit log. Import it after putting the repository on
``sys.path`` (``bench`` is a namespace package)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone


def default_value(field: models.Field, now: datetime.datetime) -> Any:
    """What a row gets in ``field`` when the generator gives nothing."""
    if field.name in ("created_at", "updated_at"):
        return now
    if field.has_default():
        value = field.get_default()
        return getattr(value, "value", value)
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return None


class Rows:
    """Rows of one model, buffered as tuples in the table's column order, with explicit ids
    following the table's largest."""

    def __init__(self, model: type[models.Model], now: datetime.datetime | None = None) -> None:
        now = now or timezone.now()
        fields = model._meta.concrete_fields
        self.model = model
        self.table = model._meta.db_table
        self.attnames = [field.attname for field in fields]
        self.columns = [field.column for field in fields]
        self.defaults = {field.attname: default_value(field, now) for field in fields}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {self.table}")
            self.next_id = (cursor.fetchone()[0] or 0) + 1
        self.buffer: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, **values: Any) -> int:
        """Buffer one row; its id."""
        pk = self.next_id
        self.next_id += 1
        values["id"] = pk
        defaults = self.defaults
        self.buffer.append(tuple(values.get(name, defaults[name]) for name in self.attnames))
        return pk

    def take(self) -> list[tuple[Any, ...]]:
        """The buffered rows, counted as written and no longer buffered."""
        rows, self.buffer = self.buffer, []
        self.written += len(rows)
        return rows

    def write(self) -> None:
        """Write the buffered rows now, on this connection."""
        rows = self.take()
        if rows:
            write_rows(self.table, self.columns, rows)

    def reset_sequence(self, *, analyze: bool = False) -> None:
        """Let the table's own id sequence follow the ids given here (and refresh the planner's
        statistics when ``analyze``)."""
        if connection.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest id inserted
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{self.table}', 'id'),"
                f" (SELECT coalesce(max(id), 1) FROM {self.table}))"
            )
            if analyze:
                cursor.execute(f"ANALYZE {self.table}")


def write_rows(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """COPY ``rows`` into ``table`` on PostgreSQL, INSERT them on SQLite, on this thread's
    connection."""
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
