"""Writing a checked master-list plan on PostgreSQL with set-based SQL: new assessments from one
INSERT ... SELECT over arrays, new population groups COPYed into a temporary table and inserted
from it, and their audit rows built by the database from the same rows in one statement each.

It writes exactly what ``write_orm`` writes (the tests run both and compare): the same columns,
the same audit rows with the same changes and context. The few new locations (a first import)
and changed figures (a corrected re-import) go through the shared ORM steps."""

import json
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from marsad.core import audit
from marsad.core.localise import active_language
from marsad.core.models import AuditAction, AuditEntry
from marsad.displacement.importers.plan import Plan, ProgressCallback
from marsad.displacement.importers.write_orm import (
    import_context,
    new_assessment,
    save_new_locations,
    save_updates,
    validate,
)
from marsad.displacement.models import (
    AssessmentRound,
    LocationAssessment,
    PopulationGroup,
    PopulationType,
)
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation

STAGE = "masterlist_new_groups"
NUMERIC_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
}
TEXT_TYPES = {"CharField", "SlugField", "TextField"}
# The staged columns of a new population group, as (attname, SQL type).
STAGED = (
    ("line", "integer"),
    ("assessment_id", "bigint"),
    ("population_type", "text"),
    ("origin_area_id", "bigint"),
    ("displacement_period_id", "bigint"),
    ("shelter_category", "text"),
    ("families", "integer"),
    ("individuals", "integer"),
    ("individuals_estimated", "boolean"),
    ("source_key", "text"),
)
AUDIT_COLUMNS = (
    "occurred_at",
    "actor",
    "actor_username",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "organisation_id",
    "changes",
    "context",
)


def _table(model: type[Model]) -> sql.Identifier:
    return sql.Identifier(model._meta.db_table)


def _column(model: type[Model], name: str) -> sql.Identifier:
    return sql.Identifier(model._meta.get_field(name).column)


def _fields(model: type[Model]) -> list[Field]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _audit_insert() -> sql.Composed:
    return sql.SQL("INSERT INTO {} ({})").format(
        _table(AuditEntry),
        sql.SQL(", ").join(_column(AuditEntry, name) for name in AUDIT_COLUMNS),
    )


def _audit_constants(actor: Any, organisation: Organisation, now: Any) -> list[Any]:
    """occurred_at, actor, actor_username and ip_address as ``audit.build`` sets them."""
    entry = audit.build(actor=actor, action=AuditAction.CREATE, organisation_id=organisation.pk)
    return [now, entry.actor_id, entry.actor_username, entry.ip_address]


def _area_name(alias: str) -> sql.Composable:
    """The area's name in the active language, falling back to English (``localised``)."""
    other = {"ar": "name_ar", "ckb": "name_ku"}.get(active_language())
    english = sql.SQL("{}.{}").format(sql.Identifier(alias), _column(AdminArea, "name_en"))
    if other is None:
        return english
    return sql.SQL("COALESCE(NULLIF({}.{}, ''), {})").format(
        sql.Identifier(alias), _column(AdminArea, other), english
    )


def _created(
    constants: dict[str, Any], varying: dict[str, tuple[sql.Composable, Field]]
) -> tuple[sql.Composable, str]:
    """The ``changes`` of a created record, ``{name: [null, value]}``, as a jsonb expression and
    its parameter: the ``constants`` (the same in every row) written once by ``json.dumps``,
    each ``varying`` column spliced in as JSON text. Building text and parsing it once is about
    twice as fast as ``jsonb_build_object`` over a few thousand rows."""
    head = json.dumps({name: [None, value] for name, value in constants.items()})[:-1]
    parts: list[sql.Composable] = [sql.Placeholder()]
    for position, (name, (expression, field)) in enumerate(varying.items()):
        separator = "," if constants or position else ""
        if isinstance(field, BooleanField) or field.get_internal_type() in NUMERIC_TYPES:
            text = sql.SQL("({})::text").format(expression)
        elif field.get_internal_type() in TEXT_TYPES:
            text = sql.SQL("to_json({})::text").format(expression)
        else:  # pragma: no cover - e.g. a decimal, which audit.snapshot writes as a string
            raise TypeError(f"No JSON text for {field.name} ({field.get_internal_type()})")
        parts.append(sql.Literal(f"{separator}{json.dumps(name)}:[null,"))
        parts.append(sql.SQL("COALESCE({}, 'null')").format(text))
        parts.append(sql.Literal("]"))
    parts.append(sql.Literal("}"))
    return sql.SQL("({})::jsonb").format(sql.SQL(" || ").join(parts)), head


def write(
    *,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    filename: str,
    plan: Plan,
    notify: ProgressCallback,
    total: int,
) -> None:
    """Write ``plan`` with a handful of statements and one audit row per record."""
    audit.record_many(save_new_locations(actor, round_, filename, plan, notify, total))
    now = timezone.now()
    context = audit.build(
        actor=actor, action=AuditAction.CREATE, context=import_context(round_, filename)
    ).context
    with connection.cursor() as cursor:
        made = {}
        if plan.new_assessments:
            made = _insert_assessments(cursor, actor, round_, organisation, plan, now, context)
        notify(
            0, total, _("Saving %(count)d new assessments") % {"count": len(plan.new_assessments)}
        )
        if plan.create:
            _insert_groups(cursor, actor, organisation, plan, made, now, context)
            notify(len(plan.create), total, _("Saving population rows"))
    audit.record_many(save_updates(actor, round_, organisation, filename, plan))


def _insert_assessments(
    cursor: Any,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    plan: Plan,
    now: Any,
    context: dict[str, Any],
) -> dict[int, int]:
    """Insert the new assessments with their audit rows; their ids by location id."""
    template = new_assessment(round_, organisation, plan)
    template.created_at = template.updated_at = now
    validate([template], {"round", "area", "organisation", "programme", "monitor"})
    varying = {"area_id": sql.SQL("new.area_id"), "source_key": sql.SQL("new.pcode")}
    columns, values, params = [], [], []
    for field in _fields(LocationAssessment):
        columns.append(sql.Identifier(field.column))
        if field.attname in varying:
            values.append(varying[field.attname])
        else:
            values.append(sql.Placeholder())
            params.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    meta = LocationAssessment._meta
    returned = {
        "id": (sql.SQL("made.id"), meta.pk),
        "area": (sql.SQL("made.area_id"), meta.get_field("area")),
        "source_key": (sql.SQL("made.source_key"), meta.get_field("source_key")),
    }
    constants = {
        name: value for name, value in audit.snapshot(template).items() if name not in returned
    }
    changes, changes_head = _created(constants, returned)
    statement = sql.SQL(
        "WITH made AS (INSERT INTO {table} ({columns})"
        " SELECT {values} FROM unnest(%s::bigint[], %s::text[]) WITH ORDINALITY"
        " AS new(area_id, pcode, position) ORDER BY new.position"
        " RETURNING id, area_id, source_key)"
        ", logged AS ({audit} SELECT %s, %s, %s, %s::inet, %s, %s, made.id::text,"
        " left(%s || {name} || ' (' || area.pcode || ')', 255), %s,"
        " {changes}, %s::jsonb"
        " FROM made JOIN {areas} area ON area.id = made.area_id ORDER BY made.id)"
        " SELECT area_id, id FROM made"
    ).format(
        table=_table(LocationAssessment),
        columns=sql.SQL(", ").join(columns),
        values=sql.SQL(", ").join(values),
        audit=_audit_insert(),
        name=_area_name("area"),
        changes=changes,
        areas=_table(AdminArea),
    )
    pcodes = plan.new_assessments
    params += [[plan.areas[pcode].pk for pcode in pcodes], pcodes]
    params += _audit_constants(actor, organisation, now)
    params += [
        str(AuditAction.CREATE),
        LocationAssessment._meta.label_lower,
        f"{round_} — ",
        organisation.pk,
        changes_head,
        json.dumps(context),
    ]
    cursor.execute(statement, params)
    made = dict(cursor.fetchall())
    if len(made) != len(pcodes):  # pragma: no cover - never half-written
        raise RuntimeError(f"{len(made)} assessments saved for {len(pcodes)} new ones")
    return made


def _insert_groups(
    cursor: Any,
    actor: Any,
    organisation: Organisation,
    plan: Plan,
    made: dict[int, int],
    now: Any,
    context: dict[str, Any],
) -> None:
    """COPY the new population groups (ids drawn from their sequence) into a temporary table,
    insert them from it, and their audit rows from the same rows."""
    group_table = _table(PopulationGroup)
    cursor.execute(
        sql.SQL("SELECT pg_get_serial_sequence({}, 'id')").format(
            sql.Literal(PopulationGroup._meta.db_table)
        )
    )
    [sequence] = cursor.fetchone()
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(sql.Identifier(STAGE)))
    cursor.execute(
        sql.SQL(
            "CREATE TEMP TABLE {stage} (id bigint NOT NULL DEFAULT nextval({sequence}::regclass),"
            " {columns}) ON COMMIT DROP"
        ).format(
            stage=sql.Identifier(STAGE),
            sequence=sql.Literal(sequence),
            columns=sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
                for name, kind in STAGED
            ),
        )
    )
    areas, periods = plan.areas, plan.periods
    with cursor.cursor.copy(
        sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(STAGE), sql.SQL(", ").join(sql.Identifier(n) for n, _t in STAGED)
        )
    ) as copy:
        for new in plan.create:
            row = new.row
            copy.write_row(
                (
                    row.row,
                    new.assessment_id or made[areas[row.location_pcode].pk],  # type: ignore[index]
                    str(row.population_type),
                    areas[row.origin_pcode].pk if row.origin_pcode else None,
                    periods[row.period_code] if row.period_code else None,
                    str(row.shelter_category),
                    row.families,
                    new.individuals,
                    new.individuals_estimated,
                    "|".join(row.key),
                )
            )

    template = PopulationGroup()
    staged = {name for name, _kind in STAGED}
    columns, values, params = [], [], []
    snapshot_values: dict[str, tuple[sql.Composable, Field]] = {}
    constants = {}
    for field in PopulationGroup._meta.concrete_fields:
        if field.primary_key:
            expression: sql.Composable = sql.SQL("s.id")
        elif field.attname in staged:
            expression = sql.SQL("s.{}").format(sql.Identifier(field.attname))
        else:
            constants[field.name] = audit.snapshot(template, [field.name])[field.name]
            expression = sql.Placeholder()
            params.append(field.get_db_prep_save(getattr(template, field.attname), connection))
        columns.append(sql.Identifier(field.column))
        values.append(expression)
        if field.name not in constants:
            snapshot_values[field.name] = (expression, field)
    # Sorted in a subquery, so the sort moves the narrow staged rows, not the audit rows built
    # from them (a subquery with ORDER BY is not merged into the query around it).
    staged_rows = sql.SQL("FROM (SELECT * FROM {} ORDER BY id) s").format(sql.Identifier(STAGE))
    cursor.execute(
        sql.SQL("INSERT INTO {} ({}) SELECT {} {}").format(
            group_table, sql.SQL(", ").join(columns), sql.SQL(", ").join(values), staged_rows
        ),
        params,
    )
    if cursor.rowcount != len(plan.create):  # pragma: no cover - a broken join
        raise RuntimeError(f"{cursor.rowcount} population rows for {len(plan.create)} planned")

    changes, changes_head = _created(constants, snapshot_values)
    labels = [(value, str(label)) for value, label in PopulationType.choices]
    context_head = json.dumps(context)[:-1] + ("," if context else "") + '"row":'
    cursor.execute(
        sql.SQL(
            "{audit} SELECT %s, %s, %s, %s::inet, %s, %s, s.id::text,"
            " left((CASE s.population_type {labels} ELSE s.population_type END)"
            " || ': ' || s.families || ' / ' || s.individuals, 255), %s,"
            " {changes}, (%s || s.line || '}}')::jsonb {rows}"
        ).format(
            audit=_audit_insert(),
            labels=sql.SQL(" ").join(sql.SQL("WHEN %s THEN %s") for _label in labels),
            changes=changes,
            rows=staged_rows,
        ),
        [
            *_audit_constants(actor, organisation, now),
            str(AuditAction.CREATE),
            PopulationGroup._meta.label_lower,
            *[text for pair in labels for text in pair],
            organisation.pk,
            changes_head,
            context_head,
        ],
    )
    cursor.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(STAGE)))
