"""One linkage run at a time.

A run reads the prepared registry from the Parquet parts its snapshot names while another run
may be refreshing them: the refresh writes new parts and a new manifest, then removes the parts
the manifest no longer names, so a run still reading them would fail on a missing file. Two runs
would also withdraw and write the same candidate pairs and merge the same records. Imports
start incremental runs by themselves and an IM officer may start a full run at any moment, so
runs are serialised: a file lock beside the parts (for every process of this machine, which is
who shares them) and, on PostgreSQL, a session advisory lock (for workers on other machines,
which share the pairs and the merges). A run that finds another in progress says so on its
task page and waits for it; the lock goes with the process if it dies.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

LOCK_FILE = "run.lock"
#: The advisory lock's key: any 64-bit number no other part of Marsad uses.
ADVISORY_KEY = 0x4D4152534144  # "MARSAD"


def _lock_path() -> Path:
    from marsad.linkage.runs.snapshot import cache_dir

    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return directory / LOCK_FILE


@contextmanager
def one_run_at_a_time(say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the linkage lock for the body; ``say`` is told once when the run has to wait."""
    told = False

    def waiting() -> None:
        nonlocal told
        if say is not None and not told:
            say(_("Waiting for the linkage run in progress to finish"))
            told = True

    with _lock_path().open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            with _database_lock(waiting):
                yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _database_lock(waiting: Callable[[], None]) -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
        if not cursor.fetchone()[0]:
            waiting()
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])
