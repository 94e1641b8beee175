"""Border records: who sees what (border officers their own points, watchlists confidential),
the invariants the database keeps, derived names and the entry fingerprint."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from marsad.border import services
from marsad.border.models import (
    BorderCrossingPoint,
    Crossing,
    DocumentExaminationCase,
    PointKind,
    PostAssignment,
    ScreeningHit,
    TravelDocument,
    Traveller,
    Watchlist,
    WatchlistEntry,
    assigned_point_ids,
    entry_fingerprint,
)
from marsad.core.scoping import CHANGE, VIEW, can, scope
from tests.border import factories
from tests.border.factories import World, cross, entry, passport, watchlist
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return World(areas)


@pytest.fixture
def crossings(world):
    """One crossing at each point, each on its own passport."""
    return {
        "safwan": cross(world.safwan_point, number="S1"),
        "shalamcheh": cross(world.shalamcheh, number="H1"),
        "bgw": cross(world.bgw, number="B1"),
    }


def seen(user, model=Crossing, action=VIEW):
    return set(scope(model.objects.all(), user, action))


# --- Border officers see their own point's crossings ------------------------------------------


def test_a_border_officer_sees_only_the_crossings_at_their_post(world, crossings):
    assert seen(world.safwan) == {crossings["safwan"]}
    assert seen(world.airport) == {crossings["bgw"]}


def test_a_posting_at_every_point_sees_the_whole_authority(world, crossings):
    assert seen(world.hq) == set(crossings.values())


def test_a_border_officer_without_a_posting_sees_no_crossing(world, crossings):
    assert seen(world.unposted) == set()


def test_ending_a_posting_ends_the_view(world, crossings):
    posting = PostAssignment.objects.get(officer=world.safwan)
    services.post_end(actor=None, assignment=posting)
    assert seen(world.safwan) == set()
    assert assigned_point_ids(world.safwan) == []


def test_a_posting_does_not_cross_authorities(world, crossings):
    # KRG's officer is posted everywhere, but the crossings belong to BPC.
    assert seen(world.krg_officer) == set()


def test_a_second_posting_adds_its_point(world, crossings):
    services.post_assign(actor=None, officer=world.safwan, point=world.shalamcheh)
    assert seen(world.safwan) == {crossings["safwan"], crossings["shalamcheh"]}


def test_a_border_officer_changes_only_their_own_points_crossings(world, crossings):
    assert can(world.safwan, CHANGE, crossings["safwan"])
    assert not can(world.safwan, CHANGE, crossings["bgw"])
    assert not can(world.safwan, VIEW, crossings["bgw"])


def test_mission_staff_see_every_crossing_and_donors_none(world, crossings):
    assert seen(world.im) == set(crossings.values())
    assert seen(world.admin) == set(crossings.values())
    assert seen(world.donor) == set()
    assert seen(member("field_monitor")) == set()


def test_travellers_and_documents_follow_the_points_they_crossed(world, crossings):
    at_safwan = crossings["safwan"]
    assert seen(world.safwan, Traveller) == {at_safwan.traveller}
    assert seen(world.safwan, TravelDocument) == {at_safwan.document}
    assert len(seen(world.hq, Traveller)) == 3
    # A later crossing at Baghdad airport does not show the officer at Safwan that crossing,
    # but the traveller (who crossed at Safwan) stays visible there.
    later = cross(world.bgw, number="S1", direction="exit")
    assert later.traveller == at_safwan.traveller
    assert seen(world.safwan) == {at_safwan}
    assert seen(world.airport, Traveller) == {
        crossings["bgw"].traveller,
        at_safwan.traveller,
    }


def test_hits_and_cases_follow_the_crossing_point(world, crossings):
    listed = entry(watchlist(world.bpc))
    for name in ("safwan", "bgw"):
        crossing = crossings[name]
        services.hits_raise(
            actor=None,
            document=crossing.document,
            crossing=crossing,
            matches=[services.ScreeningMatch(entry_id=listed.pk, score=91)],
        )
        services.examination_open(
            actor=None, document=crossing.document, crossing=crossing, suspicion="forged"
        )
    assert {hit.crossing for hit in seen(world.safwan, ScreeningHit)} == {crossings["safwan"]}
    assert {case.crossing for case in seen(world.safwan, DocumentExaminationCase)} == {
        crossings["safwan"]
    }
    assert len(seen(world.hq, ScreeningHit)) == 2
    assert len(seen(world.hq, DocumentExaminationCase)) == 2
    # Hits reveal that a person is listed: restricted, so roles without that level see none.
    assert seen(member("field_monitor", world.bpc), ScreeningHit) == set()


def test_crossing_points_are_reference_data_changed_by_im_officers(world):
    assert seen(world.safwan, BorderCrossingPoint) == {
        world.safwan_point,
        world.shalamcheh,
        world.bgw,
    }
    assert can(world.im, CHANGE, world.bgw)
    assert not can(world.safwan, CHANGE, world.bgw)


# --- Watchlists are confidential ---------------------------------------------------------------


@pytest.fixture
def lists(world):
    confidential = watchlist(world.bpc, name="Wanted persons")
    restricted = watchlist(world.bpc, name="Lost and stolen documents", sensitivity="restricted")
    return {
        "confidential": entry(confidential),
        "restricted": entry(restricted, names=["Karim Jabbar"], reference="SLTD-1"),
    }


def test_watchlist_entries_are_seen_only_at_the_level_a_role_is_cleared_for(world, lists):
    # Border and IM officers are cleared for restricted records, not confidential ones.
    assert seen(world.safwan, WatchlistEntry) == {lists["restricted"]}
    assert seen(world.hq, WatchlistEntry) == {lists["restricted"]}
    # The mission's IM officer oversees every authority's records, at the restricted level.
    assert seen(world.im, WatchlistEntry) == {lists["restricted"]}
    assert seen(world.registrar, WatchlistEntry) == set(lists.values())
    assert seen(world.admin, WatchlistEntry) == set(lists.values())
    assert seen(world.donor, WatchlistEntry) == set()
    assert {wl.name for wl in seen(world.safwan, Watchlist)} == {"Lost and stolen documents"}


def test_a_watchlist_is_never_normal_sensitivity(world):
    with pytest.raises(ValidationError) as error:
        services.watchlist_create(
            actor=None, data={"organisation": world.bpc, "name": "Open", "sensitivity": "normal"}
        )
    assert "sensitivity" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Watchlist.objects.create(organisation=world.bpc, name="Open", sensitivity="normal")


# --- The entry fingerprint ---------------------------------------------------------------------


def test_the_fingerprint_is_recomputed_on_save_from_what_screening_matches(world):
    listed = entry(watchlist(world.bpc))
    first = listed.fingerprint
    assert len(first) == 64
    assert first == entry_fingerprint(
        names=["أحمد سلمان التكريتي", "Ahmed Salman al-Tikriti"],  # order does not matter
        birth_date=datetime.date(1985, 1, 1),  # year precision: only the year counts
        birth_date_precision="year",
        nationality="irq",
        document_numbers=["a-765-4321"],  # normalised like every document number
    )
    for change in (
        {"reason": "Another reason."},
        {"action": "arrest"},
        {"valid_until": datetime.date(2030, 1, 1)},
        {"names": ["Ahmed  Salman al-Tikriti ", "أحمد سلمان التكريتي"]},  # spaces only
    ):
        listed = services.watchlist_entry_update(actor=None, entry=listed, data=change)
        assert listed.fingerprint == first, change
    for change in (
        {"names": ["Ahmed Salman al-Tikriti"]},
        {"birth_date": datetime.date(1986, 7, 1)},
        {"nationality": "SYR"},
        {"document_numbers": ["A7654321", "B1"]},
    ):
        changed = services.watchlist_entry_update(actor=None, entry=listed, data=change)
        assert changed.fingerprint != first, change
        services.watchlist_entry_update(
            actor=None,
            entry=changed,
            data={
                "names": ["Ahmed  Salman al-Tikriti ", "أحمد سلمان التكريتي"],
                "birth_date": datetime.date(1985, 7, 1),
                "nationality": "IRQ",
                "document_numbers": ["A7654321"],
            },
        )
        assert WatchlistEntry.objects.get(pk=listed.pk).fingerprint == first


def test_a_save_by_any_door_keeps_the_fingerprint_current(world):
    listed = entry(watchlist(world.bpc))
    listed.nationality = "SYR"
    listed.save()
    assert WatchlistEntry.objects.get(pk=listed.pk).fingerprint == listed.compute_fingerprint()
    assert listed.fingerprint != entry(watchlist(world.bpc, name="Other")).fingerprint


def test_entry_names_meet_across_scripts(world):
    listed = entry(watchlist(world.bpc))
    arabic_key = listed.name_key.split(" | ")[1]
    latin_key = listed.name_key.split(" | ")[0]
    assert arabic_key.split()[:2] == latin_key.split()[:2]  # Ahmed Salman = أحمد سلمان
    assert " a7654321 " in listed.search_text.lower()
    assert listed.document_numbers_normalised == ["A7654321"]


def test_an_entry_needs_a_name_and_an_ordered_validity(world):
    listed_on = watchlist(world.bpc)
    with pytest.raises(ValidationError) as error:
        entry(listed_on, names=[" "])
    assert "names" in error.value.message_dict
    with pytest.raises(ValidationError):
        entry(
            listed_on,
            valid_from=datetime.date(2026, 2, 1),
            valid_until=datetime.date(2026, 1, 1),
        )
    assert not WatchlistEntry.objects.exists()


# --- Other invariants --------------------------------------------------------------------------


def test_crossing_points_keep_their_rules(areas, world):
    with pytest.raises(ValidationError) as error:
        factories.point("NOWHERE", areas["basrah"], neighbouring_country="")
    assert "__all__" in error.value.message_dict  # a land crossing needs its neighbour
    with pytest.raises(ValidationError) as error:
        factories.point("HALF", areas["basrah"], latitude=30.1)
    assert "longitude" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        factories.point("DISTRICT", areas["zubair"])
    assert "governorate" in error.value.message_dict
    airport = factories.point("BSR", areas["basrah"], kind=PointKind.AIR)
    assert airport.neighbouring_country == ""


def test_a_crossing_lies_in_its_points_governorate(world, crossings, areas):
    crossing = crossings["bgw"]
    assert crossing.area == areas["baghdad"]
    crossing.point = world.safwan_point
    crossing.save()
    assert Crossing.objects.get(pk=crossing.pk).area == areas["basrah"]


def test_the_database_refuses_what_the_forms_would(world, crossings):
    crossing = crossings["safwan"]
    listed = entry(watchlist(world.bpc))
    hit = ScreeningHit(
        organisation=world.bpc,
        crossing=crossing,
        document=crossing.document,
        entry=listed,
        entry_fingerprint=listed.fingerprint,
        score=101,
        action="refer",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        hit.save()
    hit.score, hit.status = 90, "cleared"  # decided without a decision time
    with pytest.raises(IntegrityError), transaction.atomic():
        hit.save()
    crossing.permit_number, crossing.permit_type = "V-1", ""
    with pytest.raises(IntegrityError), transaction.atomic():
        crossing.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentExaminationCase.objects.create(
            organisation=world.bpc,
            number="X-1",
            document=crossings["bgw"].document,
            suspicion="forged",
            status="closed",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PostAssignment.objects.create(officer=world.safwan, point=world.safwan_point)


def test_the_same_document_is_stored_once(world):
    first = cross(world.safwan_point, number="A-123 4567")
    second = cross(world.bgw, number="a1234567", direction="exit")
    assert first.document == second.document
    assert TravelDocument.objects.count() == 1
    assert first.document.number_normalised == "A1234567"


def test_traveller_names_keep_their_matching_forms(world):
    crossing = cross(
        world.safwan_point,
        document=passport("P9", surname="الجبوري", given_names="محمد جاسم"),
    )
    traveller = crossing.traveller
    assert traveller.surname == "الجبوري"
    assert traveller.names_latin  # romanised from the Arabic
    assert traveller.name_key.split(" | ")[0].startswith("mhmd")
