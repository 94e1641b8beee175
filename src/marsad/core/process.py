"""Getting a long-lived server process ready for its requests.

``settle()`` loads what the first request would (the URL configuration and, through it, every
view module) and then moves everything loaded so far out of reach of Python's cyclic garbage
collector (``gc.freeze``). Those objects live as long as the process; without this, each full
collection, which a request building a large table triggers (the master list, an export),
walks all of them again: tens of milliseconds each time, the slowest of a dashboard's reads
(bench/displacement). Behind a pre-forking server (gunicorn ``--preload``) the workers also
keep sharing those pages instead of copying them when a collection touches them.
"""

import gc

from django.urls import get_resolver


def settle() -> int:
    """Load the URL configuration, freeze what is loaded; the number of objects frozen."""
    get_resolver().url_patterns  # noqa: B018 - imports every view module the URLs name
    gc.collect()  # what is already garbage is not frozen with the rest
    gc.freeze()
    return gc.get_freeze_count()
