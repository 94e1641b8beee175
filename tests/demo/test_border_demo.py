"""The demo's border data: crossing points, the demo officer's posting and a watchlist whose
entries the counter screen finds; a second load adds nothing."""

import pytest
from django.core.management import call_command

from marsad.border.demo import DEMO_ENTRIES, DEMO_OFFICER, DEMO_POINT, load_demo_border
from marsad.border.models import BorderCrossingPoint, PostAssignment, WatchlistEntry
from marsad.demo.users import ensure_demo_users

pytestmark = pytest.mark.django_db


def test_demo_border_data_is_loaded_once():
    call_command("geo", "load-reference", verbosity=0)
    call_command("partners", "load-demo", verbosity=0)
    ensure_demo_users()
    lines = load_demo_border()
    assert BorderCrossingPoint.objects.count() >= 20
    posting = PostAssignment.objects.get(officer__username=DEMO_OFFICER)
    assert posting.point.code == DEMO_POINT
    assert WatchlistEntry.objects.count() == len(DEMO_ENTRIES)
    assert any("posted at Basra International Airport" in line for line in lines)

    again = load_demo_border()
    assert PostAssignment.objects.count() == 2  # the officer and the supervisor, once each
    assert WatchlistEntry.objects.count() == len(DEMO_ENTRIES)
    assert any("0 entries added" in line for line in again)
