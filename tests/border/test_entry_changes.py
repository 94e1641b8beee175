"""One rule for "the entry changed", on both screening paths: a cleared false positive is not
raised again for the same document and entry while what screening matched on (names, aliases,
birth date, nationality, document numbers) stays the same — a new reason, action or validity
keeps it cleared — and the database (``WatchlistEntry.fingerprint``, the hit's
``entry_fingerprint``) and the file screener (``Hit.entry_version``, ``Hit.memory_key``, what
``marsad border screen`` reads and screens) compute the same fingerprint for the same entry."""

import csv
import datetime
import hashlib
import importlib
import io
import json

import pytest
from django.apps import apps

from marsad.border import counter, services
from marsad.border.models import HitStatus, ScreeningHit, WatchlistEntry
from marsad.border.screening import WatchlistIndex
from marsad.border.screening.files import read_travellers, read_watchlist
from marsad.core.models import Sensitivity
from tests.border.factories import TODAY, World, at, cross, entry, watchlist

pytestmark = pytest.mark.django_db

migration = importlib.import_module("marsad.border.migrations.0003_entry_fingerprint_one_rule")

LATIN = "Ahmed Salman al-Tikriti"
ARABIC = "أحمد سلمان التكريتي"
#: The factories' entry as a WL.csv row, and the factories' passport as a T.csv row.
ROW = {
    "entry_id": "W1",
    "full_name": LATIN,
    "aliases": ARABIC,
    "birth_date": "1985",
    "nationality": "IRQ",
    "document_number": "A7654321",
    "reason": "Wanted for questioning in a smuggling investigation.",
    "action": "refer",
    "valid_from": "",
    "valid_until": "",
}
TRAVELLER = (
    "traveller_id,surname,given_names,birth_date,nationality,document_number\n"
    "T1,AL-TIKRITI,AHMED SALMAN,1985-03-14,IRQ,A1234567\n"
)

# (what changes, the change to the stored entry, the same change to the WL.csv row)
KEPT = [
    ("reason", {"reason": "Updated by the ministry."}, {"reason": "Updated by the ministry."}),
    ("action", {"action": "arrest"}, {"action": "arrest"}),
    (
        "validity",
        {"valid_from": datetime.date(2026, 1, 1), "valid_until": datetime.date(2030, 1, 1)},
        {"valid_from": "2026-01-01", "valid_until": "2030-01-01"},
    ),
    ("alias written first", {"names": [ARABIC, LATIN]}, {"full_name": ARABIC, "aliases": LATIN}),
    ("nationality as alpha-2", {"nationality": "IQ"}, {"nationality": "IQ"}),
    (
        "document punctuation",
        {"document_numbers": ["a-765 4321"]},
        {"document_number": "a-765 4321"},
    ),
]
RAISED = [
    (
        "name",
        {"names": ["Ahmad Salman al-Tikriti", ARABIC]},
        {"full_name": "Ahmad Salman al-Tikriti"},
    ),
    ("alias added", {"names": [LATIN, ARABIC, "Abu Salman"]}, {"aliases": f"{ARABIC};Abu Salman"}),
    (
        "birth date",
        {"birth_date": datetime.date(1985, 3, 14), "birth_date_precision": "day"},
        {"birth_date": "1985-03-14"},
    ),
    ("nationality", {"nationality": "SYR"}, {"nationality": "SYR"}),
    (
        "document number",
        {"document_numbers": ["A7654321", "B1234567"]},
        {"document_number": "A7654321;B1234567"},
    ),
]


@pytest.fixture
def world(areas):
    return World(areas)


def wl_csv(row):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(ROW))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode("utf-8")


def file_hit(row):
    """The file screener's hit of the traveller on the one-row watchlist ``row``."""
    listed = read_watchlist(wl_csv(row), "WL.csv", today=TODAY)
    travellers = read_travellers(TRAVELLER.encode("utf-8"), "T.csv", today=TODAY)
    assert listed.report.errors == travellers.report.errors == []
    (hit,) = WatchlistIndex(listed.entries).screen(travellers.travellers[0], on=TODAY)
    return hit


def database_path(world, change):
    """Screen a crossing, clear its hit, change the entry, screen the same document again:
    the first hit, the entry as changed, and what the second screening did."""
    listed = entry(watchlist(world.bpc, sensitivity=Sensitivity.RESTRICTED))
    first = cross(world.safwan_point, when=at(TODAY, 8))
    (hit,) = counter.screen_crossing(actor=None, crossing=first).created
    services.hit_decide(actor=world.safwan, hit=hit, status=HitStatus.CLEARED, note="Not him.")
    listed = services.watchlist_entry_update(actor=None, entry=listed, data=change)
    again = cross(world.safwan_point, when=at(TODAY, 12))
    return hit, listed, counter.screen_crossing(actor=None, crossing=again)


@pytest.mark.parametrize(("what", "stored", "written"), KEPT, ids=[case[0] for case in KEPT])
def test_a_change_that_does_not_identify_keeps_the_hit_cleared_on_both_paths(
    world, what, stored, written
):
    hit, listed, raised = database_path(world, stored)
    assert raised.created == []
    assert raised.remembered == [listed]
    before, after = file_hit(ROW), file_hit({**ROW, **written})
    assert after.memory_key == before.memory_key
    # The same rule gives the same fingerprint for the same entry, stored or read from a file.
    assert hit.entry_fingerprint == before.entry_version
    assert listed.fingerprint == after.entry_version == before.entry_version


@pytest.mark.parametrize(("what", "stored", "written"), RAISED, ids=[case[0] for case in RAISED])
def test_a_change_to_who_is_listed_raises_the_hit_again_on_both_paths(world, what, stored, written):
    hit, listed, raised = database_path(world, stored)
    (again,) = raised.created
    assert raised.remembered == []
    assert again.entry_fingerprint == listed.fingerprint != hit.entry_fingerprint
    before, after = file_hit(ROW), file_hit({**ROW, **written})
    assert after.memory_key != before.memory_key
    assert after.memory_key[0] == before.memory_key[0] == "W1"
    assert hit.entry_fingerprint == before.entry_version
    assert listed.fingerprint == after.entry_version


# --- Migration 0003: fingerprints by the one rule ----------------------------------------------


def old_fingerprint(listed):
    """The database's rule before 0003 (the nationality only upper-cased)."""
    birth = (
        f"{listed.birth_date.year:04d}"
        if listed.birth_date_precision == "year"
        else listed.birth_date.isoformat()
    )
    content = json.dumps(
        [
            sorted(set(listed.names)),
            birth,
            listed.nationality.strip().upper(),
            sorted(set(listed.document_numbers_normalised)),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def test_the_migration_moves_cleared_hits_to_the_new_fingerprint(world):
    alpha2 = entry(watchlist(world.bpc, sensitivity=Sensitivity.RESTRICTED), nationality="IQ")
    alpha3 = entry(watchlist(world.bpc, name="Other", sensitivity=Sensitivity.RESTRICTED))
    # A three-letter nationality (every other entry) fingerprints as it did: nothing to move.
    assert alpha3.fingerprint == old_fingerprint(alpha3)
    assert alpha2.fingerprint != old_fingerprint(alpha2)
    crossing = cross(world.safwan_point, when=at(TODAY, 8))
    hits = counter.screen_crossing(actor=None, crossing=crossing).created
    assert {hit.entry_id for hit in hits} == {alpha2.pk, alpha3.pk}
    for hit in hits:
        services.hit_decide(actor=world.safwan, hit=hit, status=HitStatus.CLEARED, note="Not him.")
    # As 0002 left the database: the alpha-2 entry and its hit under the old rule, and a hit
    # raised on earlier content of that entry.
    old = old_fingerprint(alpha2)
    WatchlistEntry.objects.filter(pk=alpha2.pk).update(fingerprint=old)
    ScreeningHit.objects.filter(entry=alpha2).update(entry_fingerprint=old)
    earlier = ScreeningHit.objects.create(
        organisation=world.bpc,
        document=crossing.document,
        entry=alpha2,
        entry_fingerprint="earlier content",
        score=90,
        action="refer",
    )
    untouched = {row.pk: row.fingerprint for row in WatchlistEntry.objects.exclude(pk=alpha2.pk)}

    migration.fingerprint_again(apps, None)
    migration.fingerprint_again(apps, None)  # again: nothing changes

    alpha2.refresh_from_db()
    assert alpha2.fingerprint == alpha2.compute_fingerprint() != old
    assert {row.pk: row.fingerprint for row in WatchlistEntry.objects.exclude(pk=alpha2.pk)} == (
        untouched
    )
    cleared = ScreeningHit.objects.get(entry=alpha2, status=HitStatus.CLEARED)
    assert cleared.entry_fingerprint == alpha2.fingerprint
    assert not cleared.entry_changed
    earlier.refresh_from_db()
    assert earlier.entry_fingerprint == "earlier content"
    # The cleared hits stay remembered for the same document.
    back = cross(world.safwan_point, when=at(TODAY, 12))
    raised = counter.screen_crossing(actor=None, crossing=back)
    assert raised.created == []
    assert {listed.pk for listed in raised.remembered} == {alpha2.pk, alpha3.pk}
