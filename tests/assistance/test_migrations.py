"""The assistance migrations: they match the models, and unapply and apply again cleanly on
the database under test (SQLite or PostgreSQL)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from marsad.assistance import services
from tests.factories import OrganisationFactory


@pytest.mark.django_db
def test_models_and_migrations_agree():
    output = io.StringIO()
    call_command("makemigrations", "assistance", "--check", "--dry-run", stdout=output)
    assert "No changes detected" in output.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migrations_unapply_and_apply_again():
    executor = MigrationExecutor(connection)
    leaf = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "assistance"]
    tables = {"assistance_criteriaset", "assistance_criteriasetversion", "assistance_criterion"}
    try:
        executor.migrate([("assistance", None)])
        assert not tables & set(connection.introspection.table_names())
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaf)
    assert tables <= set(connection.introspection.table_names())
    created = services.criteria_set_create(
        actor=None, organisation=OrganisationFactory(), name="After migrating"
    )
    version = services.criteria_version_publish(
        actor=None,
        criteria_set=created,
        criteria=[{"kind": "female_head", "weight": 2}],
        high_min=2,
        medium_min=1,
    )
    assert version.criteria.get().kind == "female_head"
