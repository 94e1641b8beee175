"""Production refuses to start insecurely, and `check --deploy` is clean when configured."""

import subprocess

import pytest

from tests.core.processes import run_python

SECRET = "x" * 20 + "-a-long-random-production-secret-key-for-tests-0123456789"


def run_marsad(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python("-m", "marsad.cli", *args, **env)


def test_production_refuses_debug():
    result = run_marsad(
        "check",
        MARSAD_ENV="production",
        MARSAD_DEBUG="1",
        MARSAD_SECRET_KEY=SECRET,
        MARSAD_ALLOWED_HOSTS="marsad.example.org",
    )
    assert result.returncode != 0
    assert "MARSAD_DEBUG is on in production" in result.stderr


def test_production_refuses_the_default_secret_key():
    result = run_marsad("check", MARSAD_ENV="production", MARSAD_ALLOWED_HOSTS="marsad.example.org")
    assert result.returncode != 0
    assert "set MARSAD_SECRET_KEY" in result.stderr


def test_production_requires_allowed_hosts():
    result = run_marsad("check", MARSAD_ENV="production", MARSAD_SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "MARSAD_ALLOWED_HOSTS" in result.stderr


@pytest.mark.slow
def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_marsad(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        MARSAD_ENV="production",
        MARSAD_SECRET_KEY=SECRET,
        MARSAD_ALLOWED_HOSTS="marsad.example.org",
        MARSAD_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def database_options(**env: str) -> subprocess.CompletedProcess:
    """The default database's OPTIONS as the settings build them from ``env``."""
    show = "import marsad.settings as s; print(s.DATABASES['default'].get('OPTIONS', {}))"
    return run_python("-c", show, **env)


POSTGRES = "postgres://marsad@db.example.org:5432/marsad"


def test_postgres_connections_plan_for_ssds():
    result = database_options(DATABASE_URL=POSTGRES)
    assert result.stdout.strip() == "{'options': '-c random_page_cost=1.1'}", result.stderr


def test_random_page_cost_is_added_to_options_the_url_gives():
    result = database_options(
        DATABASE_URL=POSTGRES + "?options=-c%20statement_timeout%3D5000",
        MARSAD_PG_RANDOM_PAGE_COST="1.5",
    )
    assert "'-c statement_timeout=5000 -c random_page_cost=1.5'" in result.stdout, result.stderr


def test_random_page_cost_empty_keeps_the_servers_own():
    result = database_options(DATABASE_URL=POSTGRES, MARSAD_PG_RANDOM_PAGE_COST="")
    assert "random_page_cost" not in result.stdout, result.stderr


@pytest.mark.parametrize("mistyped", ["1,1", "nan", "-2", "0"])
def test_a_mistyped_random_page_cost_stops_the_settings(mistyped):
    result = database_options(DATABASE_URL=POSTGRES, MARSAD_PG_RANDOM_PAGE_COST=mistyped)
    assert result.returncode != 0
    assert (
        "MARSAD_PG_RANDOM_PAGE_COST must be a number above 0 such as 1.1 (or empty), "
        f"not '{mistyped}'."
    ) in result.stderr


def test_sqlite_connections_get_no_postgres_options(tmp_path):
    result = database_options(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert "random_page_cost" not in result.stdout, result.stderr
    assert "journal_mode=WAL" in result.stdout


@pytest.mark.django_db
def test_each_postgres_connection_has_the_ssd_cost():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting; DATABASE_URL names SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"
