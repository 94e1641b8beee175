"""Running Python in a child process, for settings and process-wide state a test must not
change in its own process."""

import os
import subprocess
import sys


def run_python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Python with ``args``, in this environment without Marsad's and Django's variables."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MARSAD_", "DJANGO_"))
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
