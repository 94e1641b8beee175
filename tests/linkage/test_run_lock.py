"""One linkage run at a time: a run that finds another in progress (in this process, another
process on this machine, or on PostgreSQL any worker of the database) says so and waits."""

import fcntl
import threading
import time

import pytest
from django.db import connection, connections

from marsad.linkage import runs
from marsad.linkage.runs import lock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def linkage_cache(settings, tmp_path):
    settings.MARSAD_LINKAGE_CACHE_DIR = str(tmp_path / "linkage")


def start_run() -> tuple[threading.Thread, list[str], list[object]]:
    """An incremental run in a thread of its own, as a second worker would start it."""
    said: list[str] = []
    finished: list[object] = []

    def work() -> None:
        try:
            finished.append(
                runs.run_incremental(
                    actor=None,
                    person_ids=[1],
                    progress=lambda done, total=None, message="", **kw: said.append(message),
                )
            )
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, said, finished


def wait_until(condition, seconds=10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_run_waits_for_the_one_holding_the_machine_s_lock():
    path = lock._lock_path()
    with path.open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process's run
        thread, said, finished = start_run()
        assert wait_until(lambda: said), "the waiting run did not say it waits"
        assert said == ["Waiting for the linkage run in progress to finish"]
        time.sleep(0.2)
        assert thread.is_alive()
        assert not finished
        fcntl.flock(held, fcntl.LOCK_UN)
    thread.join(10)
    assert finished == [None]  # no model in use: the run had nothing to do, once let in


def test_runs_in_turn_do_not_wait():
    with lock.one_run_at_a_time():
        pass
    thread, said, finished = start_run()
    thread.join(10)
    assert (said, finished) == ([], [None])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an advisory lock is PostgreSQL's")
def test_on_postgresql_a_run_waits_for_a_worker_on_another_machine():
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [lock.ADVISORY_KEY])
        thread, said, finished = start_run()
        assert wait_until(lambda: said)
        time.sleep(0.2)
        assert thread.is_alive()
        assert not finished
        other.execute("SELECT pg_advisory_unlock(%s)", [lock.ADVISORY_KEY])
        thread.join(10)
        assert finished == [None]
    finally:
        other.close()
