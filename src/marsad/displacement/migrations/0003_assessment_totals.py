"""Each assessment's totals by population type (``AssessmentTotals``), kept by database
triggers so that any write to population groups or assessments keeps them right: statement-level
triggers on PostgreSQL (one set-based statement per import, not one per row), row-level ones on
SQLite. Existing data is summed once here."""

import django.db.models.deletion
from django.db import migrations, models

TOTALS = "displacement_assessmenttotals"
GROUPS = "displacement_populationgroup"
ASSESSMENTS = "displacement_locationassessment"
TYPES = ("idp", "returnee", "host")
FIGURES = [f"{kind}_{figure}" for kind in TYPES for figure in ("families", "individuals", "groups")]
COPIED = ["round_id", "organisation_id", "programme_id", "area_id", "sensitivity", "status"]
COLUMNS = ", ".join(["assessment_id", *COPIED, *FIGURES])
ATTRIBUTES = ", ".join(["a.id", *(f"a.{name}" for name in COPIED)])
# The nine figures of the rows ``g``, named as the totals' columns.
SUMS = ", ".join(
    f"SUM(CASE WHEN g.population_type = '{kind}' THEN {value} ELSE 0 END) AS {kind}_{figure}"
    for kind in TYPES
    for figure, value in (
        ("families", "g.families"),
        ("individuals", "g.individuals"),
        ("groups", "1"),
    )
)
FIGURES_OF_S = ", ".join(f"s.{name}" for name in FIGURES)


def summed_from(groups: str, where: str = "TRUE") -> str:
    """SELECT the totals of every assessment with rows in ``groups`` (a table of groups)."""
    return (
        f"SELECT {ATTRIBUTES}, {FIGURES_OF_S} FROM (SELECT g.assessment_id, {SUMS}"
        f" FROM {groups} g WHERE {where} GROUP BY g.assessment_id) s"
        f" JOIN {ASSESSMENTS} a ON a.id = s.assessment_id"
    )


def lateral_sums(assessments: str, where: str = "TRUE") -> str:
    """SELECT the totals of the ``assessments`` (rows ``a``, those ``where`` selects) that have
    rows, summed with one index lookup each: a LATERAL aggregate is never turned into a scan of
    every population row."""
    return (
        f"SELECT {ATTRIBUTES}, {FIGURES_OF_S} FROM {assessments} a"
        f" CROSS JOIN LATERAL (SELECT {SUMS}, COUNT(*) AS n FROM {GROUPS} g"
        f" WHERE g.assessment_id = a.id) s WHERE {where} AND s.n > 0"
    )


def recomputed(ids: str) -> str:
    """Statements recomputing the totals of the assessments ``ids`` (a query of ids)."""
    return (
        f"DELETE FROM {TOTALS} WHERE assessment_id = ANY(ARRAY({ids}));"
        f" INSERT INTO {TOTALS} ({COLUMNS})"
        f" {lateral_sums(ASSESSMENTS, f'a.id = ANY(ARRAY({ids}))')};"
    )


# Each function runs with JIT off: the planner cannot see how few rows a transition table holds,
# and compiling for its guess costs more than running the statement.
ADDED = ", ".join(f"{name} = t.{name} + EXCLUDED.{name}" for name in FIGURES)
NEW_COPIED = ", ".join(f"n.{name}" for name in COPIED)
OLD_COPIED = ", ".join(f"t.{name}" for name in COPIED)
POSTGRES_FORWARD = f"""
CREATE FUNCTION displacement_totals_groups_inserted() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    INSERT INTO {TOTALS} AS t ({COLUMNS}) {summed_from("new_rows")}
    ON CONFLICT (assessment_id) DO UPDATE SET {ADDED};
    RETURN NULL;
END $$;
CREATE FUNCTION displacement_totals_groups_updated() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    {recomputed("SELECT assessment_id FROM old_rows UNION SELECT assessment_id FROM new_rows")}
    RETURN NULL;
END $$;
CREATE FUNCTION displacement_totals_groups_deleted() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    {recomputed("SELECT assessment_id FROM old_rows")}
    RETURN NULL;
END $$;
CREATE FUNCTION displacement_totals_assessments_inserted() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    -- Only rows saved before their assessment (deferred foreign keys) have any.
    INSERT INTO {TOTALS} ({COLUMNS}) {lateral_sums("new_rows")}
    ON CONFLICT (assessment_id) DO NOTHING;
    RETURN NULL;
END $$;
CREATE FUNCTION displacement_totals_assessments_updated() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    UPDATE {TOTALS} t SET ({", ".join(COPIED)}) = ({NEW_COPIED})
    FROM new_rows n
    WHERE t.assessment_id = n.id AND ({OLD_COPIED}) IS DISTINCT FROM ({NEW_COPIED});
    RETURN NULL;
END $$;
CREATE FUNCTION displacement_totals_assessments_deleted() RETURNS trigger LANGUAGE plpgsql
    SET jit = off AS $$
BEGIN
    DELETE FROM {TOTALS} WHERE assessment_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
CREATE TRIGGER displacement_totals_groups_inserted AFTER INSERT ON {GROUPS}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION displacement_totals_groups_inserted();
CREATE TRIGGER displacement_totals_groups_updated AFTER UPDATE ON {GROUPS}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION displacement_totals_groups_updated();
CREATE TRIGGER displacement_totals_groups_deleted AFTER DELETE ON {GROUPS}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION displacement_totals_groups_deleted();
CREATE TRIGGER displacement_totals_assessments_inserted AFTER INSERT ON {ASSESSMENTS}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION displacement_totals_assessments_inserted();
CREATE TRIGGER displacement_totals_assessments_updated AFTER UPDATE ON {ASSESSMENTS}
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION displacement_totals_assessments_updated();
CREATE TRIGGER displacement_totals_assessments_deleted AFTER DELETE ON {ASSESSMENTS}
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION displacement_totals_assessments_deleted();
"""
TRIGGERS = [
    ("groups_inserted", GROUPS),
    ("groups_updated", GROUPS),
    ("groups_deleted", GROUPS),
    ("assessments_inserted", ASSESSMENTS),
    ("assessments_updated", ASSESSMENTS),
    ("assessments_deleted", ASSESSMENTS),
]
POSTGRES_BACKWARD = "".join(
    f"DROP TRIGGER IF EXISTS displacement_totals_{name} ON {table};"
    f"DROP FUNCTION IF EXISTS displacement_totals_{name}();"
    for name, table in TRIGGERS
)


def sqlite_recomputed(ids: str) -> str:
    """Statements recomputing the totals of the assessments ``ids`` (a list of values)."""
    return (
        f"DELETE FROM {TOTALS} WHERE assessment_id IN ({ids});"
        f" INSERT INTO {TOTALS} ({COLUMNS})"
        f" {summed_from(GROUPS, f'g.assessment_id IN ({ids})')};"
    )


# SQLite has row-level triggers only: each recomputes the one or two assessments it touches.
SQLITE_FORWARD = [
    f"CREATE TRIGGER displacement_totals_{name} AFTER {event} ON {table} BEGIN {body} END;"
    for name, event, table, body in [
        ("groups_inserted", "INSERT", GROUPS, sqlite_recomputed("NEW.assessment_id")),
        (
            "groups_updated",
            "UPDATE",
            GROUPS,
            sqlite_recomputed("OLD.assessment_id, NEW.assessment_id"),
        ),
        ("groups_deleted", "DELETE", GROUPS, sqlite_recomputed("OLD.assessment_id")),
        ("assessments_inserted", "INSERT", ASSESSMENTS, sqlite_recomputed("NEW.id")),
        ("assessments_updated", "UPDATE", ASSESSMENTS, sqlite_recomputed("OLD.id, NEW.id")),
        (
            "assessments_deleted",
            "DELETE",
            ASSESSMENTS,
            f"DELETE FROM {TOTALS} WHERE assessment_id = OLD.id;",
        ),
    ]
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS displacement_totals_{name};" for name, _t in TRIGGERS]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)
    else:  # pragma: no cover - Marsad runs on PostgreSQL and SQLite
        raise NotImplementedError(f"No assessment-totals triggers for {vendor}.")
    schema_editor.execute(f"INSERT INTO {TOTALS} ({COLUMNS}) {summed_from(GROUPS)}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("displacement", "0002_standard_displacement_periods"),
        ("geo", "0002_adminarea_search_text"),
        ("partners", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssessmentTotals",
            fields=[
                (
                    "assessment",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="displacement.locationassessment",
                        verbose_name="assessment",
                    ),
                ),
                ("sensitivity", models.CharField(max_length=16, verbose_name="sensitivity")),
                ("status", models.CharField(max_length=16, verbose_name="status")),
                ("idp_families", models.BigIntegerField(default=0)),
                ("idp_individuals", models.BigIntegerField(default=0)),
                ("idp_groups", models.IntegerField(default=0)),
                ("returnee_families", models.BigIntegerField(default=0)),
                ("returnee_individuals", models.BigIntegerField(default=0)),
                ("returnee_groups", models.IntegerField(default=0)),
                ("host_families", models.BigIntegerField(default=0)),
                ("host_individuals", models.BigIntegerField(default=0)),
                ("host_groups", models.IntegerField(default=0)),
                (
                    "area",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="geo.adminarea",
                        verbose_name="area",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="partners.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="partners.programme",
                        verbose_name="programme",
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="displacement.assessmentround",
                        verbose_name="round",
                    ),
                ),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
