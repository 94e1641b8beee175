"""A server process settles once loaded: URLs and views imported, then frozen out of the
garbage collector's walks. Run in a child process: freezing is for the process's lifetime."""

import json

from tests.core.processes import run_python

SHOW = """
import gc, json, sys
before = gc.get_freeze_count()
import marsad.wsgi
print(json.dumps({
    "before": before,
    "after": gc.get_freeze_count(),
    "views_loaded": "marsad.displacement.views_dashboard" in sys.modules,
}))
"""


def test_the_wsgi_application_settles_its_process(tmp_path):
    result = run_python("-c", SHOW, MARSAD_ENV="test", MARSAD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["before"] == 0
    assert shown["after"] > 10_000  # Django, Marsad and their libraries
    assert shown["views_loaded"]  # loaded through the URLs before freezing, not after
