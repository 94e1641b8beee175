"""Updating many rows, each with its own values, in one statement per batch.

Django's ``bulk_update`` writes ``SET f = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END`` and
builds an expression object per row and field to do it: for a few thousand rows of a dozen
fields the Python side takes seconds (a linkage run merging 10,000 clusters spent most of its
time there). ``update_rows`` sends the values as a table instead —
``UPDATE t SET f = v.f FROM (SELECT column1 AS pk, column2 AS f FROM (VALUES (…), (…))) v
WHERE t.pk = v.pk`` — which PostgreSQL and SQLite (3.33 and later) both run. On PostgreSQL the
table is ``UNNEST(%s::bigint[], %s::text[], …)`` instead, one array a column (as Django's own
``bulk_create`` sends rows there): a statement of a few placeholders, not thousands, which the
driver would otherwise parse and quote one by one. Like
``bulk_update`` it sends no signals and leaves ``auto_now`` fields alone unless they are listed
(set them on the instances first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router

#: Rows per statement: 500 rows of 20 fields stay well under SQLite's 32,766 parameters.
BATCH_SIZE = 500


def update_rows(
    instances: Sequence[models.Model], fields: Sequence[str], *, batch_size: int = BATCH_SIZE
) -> int:
    """Write ``fields`` of each instance to its row (all instances of one model). Returns the
    number of rows updated."""
    if not instances:
        return 0
    model = type(instances[0])
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    concrete = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    table = quote(model._meta.db_table)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in concrete)
    columns = [pk.column, *(field.column for field in concrete)]
    unnest = connection.vendor == "postgresql" and all(
        _unnestable(field, connection) for field in (pk, *concrete)
    )
    if unnest:
        # The arrays' types without their lengths (varchar[], not varchar(100)[]), as Django's
        # bulk_create writes them; the column's own type takes the value on assignment.
        arrays = ", ".join(
            f"%s::{field.db_type(connection).split('(')[0]}[]" for field in (pk, *concrete)
        )
        aliases = ", ".join(quote(column) for column in columns)
        source = f"UNNEST({arrays}) AS v ({aliases})"
    else:
        cast = connection.vendor == "postgresql"  # SQLite's CAST(x AS date) makes a number
        if cast:
            assignments = ", ".join(
                f"{quote(f.column)} = CAST(v.{quote(f.column)} AS {f.cast_db_type(connection)})"
                for f in concrete
            )
        names = ", ".join(f"column{n} AS {quote(name)}" for n, name in enumerate(columns, start=1))
        row_marks = "(" + ", ".join(["%s"] * (len(concrete) + 1)) + ")"
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(instances), batch_size):
            batch = instances[start : start + batch_size]
            rows = [
                [
                    pk.get_db_prep_value(instance.pk, connection),
                    *(
                        field.get_db_prep_save(getattr(instance, field.attname), connection)
                        for field in concrete
                    ),
                ]
                for instance in batch
            ]
            if unnest:
                params: list[object] = [list(column) for column in zip(*rows, strict=True)]
            else:
                params = [value for row in rows for value in row]
                values = ", ".join([row_marks] * len(batch))
                source = f"(SELECT {names} FROM (VALUES {values}) AS rows) AS v"  # noqa: S608
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {source} "  # noqa: S608 — names quoted
                f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )
            updated += cursor.rowcount
    return updated


def _unnestable(field: models.Field, connection: Any) -> bool:
    """Whether a column's values can travel as one array (Django's test for bulk_create): not
    a field that writes its own placeholder, nor one of a type the backend does not name."""
    target = field.target_field if field.is_relation else field
    return not hasattr(field, "get_placeholder") and (
        target.get_internal_type() in connection.data_types
    )


def derive_again(
    queryset: models.QuerySet,
    fields: Sequence[str],
    derive: Callable[[models.Model], object],
    *,
    batch_size: int = 2000,
) -> None:
    """Run ``derive`` on every row of ``queryset`` and write ``fields`` of the rows it changed,
    a batch of rows at a time by primary key (no cursor held open). The migrations that derive
    stored name forms again after the name normaliser changed all do this."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not batch:
            return
        last = batch[-1].pk
        changed = []
        for row in batch:
            before = [getattr(row, name) for name in fields]
            derive(row)
            if [getattr(row, name) for name in fields] != before:
                changed.append(row)
        if changed:
            queryset.model.objects.bulk_update(changed, fields)
