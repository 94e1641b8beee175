"""Updating many rows, each with its own values, in one statement per batch.

Django's ``bulk_update`` writes ``SET f = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END`` and
builds an expression object per row and field to do it: for a few thousand rows of a dozen
fields the Python side takes seconds (a linkage run merging 10,000 clusters spent most of its
time there). ``update_rows`` sends the values as a table instead —
``UPDATE t SET f = v.f FROM (SELECT column1 AS pk, column2 AS f FROM (VALUES (…), (…))) v
WHERE t.pk = v.pk`` — which PostgreSQL and SQLite (3.33 and later) both run. Like
``bulk_update`` it sends no signals and leaves ``auto_now`` fields alone unless they are listed
(set them on the instances first).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
    cast = connection.vendor == "postgresql"  # SQLite's CAST(x AS date) would make a number

    def target(field: models.Field) -> str:
        column = f"v.{quote(field.column)}"
        return f"CAST({column} AS {field.cast_db_type(connection)})" if cast else column

    columns = [pk.column, *(field.column for field in concrete)]
    names = ", ".join(f"column{n} AS {quote(name)}" for n, name in enumerate(columns, start=1))
    assignments = ", ".join(f"{quote(f.column)} = {target(f)}" for f in concrete)
    table = quote(model._meta.db_table)
    row_marks = "(" + ", ".join(["%s"] * (len(concrete) + 1)) + ")"
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(instances), batch_size):
            batch = instances[start : start + batch_size]
            params: list[object] = []
            for instance in batch:
                params.append(pk.get_db_prep_value(instance.pk, connection))
                params += [
                    field.get_db_prep_save(getattr(instance, field.attname), connection)
                    for field in concrete
                ]
            values = ", ".join([row_marks] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 — names quoted, values bound
                f"FROM (SELECT {names} FROM (VALUES {values}) AS rows) AS v "
                f"WHERE {table}.{quote(pk.column)} = v.{quote(pk.column)}",
                params,
            )
            updated += cursor.rowcount
    return updated


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
