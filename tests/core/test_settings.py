"""Production refuses to start insecurely, and `check --deploy` is clean when configured."""

import os
import subprocess
import sys

import pytest

SECRET = "x" * 20 + "-a-long-random-production-secret-key-for-tests-0123456789"


def run_marsad(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MARSAD_", "DJANGO_"))
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "marsad.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


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
