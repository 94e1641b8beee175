"""Border writes: recording a crossing with its MRZ read and checked, raising and deciding hits
with the cleared-hit memory, watchlist entries, examination cases, crossing points and their
reference list, postings; each permission-checked and audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from marsad.border import services
from marsad.border.models import (
    BorderCrossingPoint,
    Crossing,
    HitStatus,
    PostAssignment,
    ScreeningHit,
    ScreeningOutcome,
    TravelDocument,
    Traveller,
    WatchlistEntry,
)
from marsad.core.models import AuditAction, AuditEntry, Sensitivity
from marsad.geo import services as geo_services
from tests.border import factories
from tests.border.factories import (
    TODAY,
    World,
    at,
    cross,
    entry,
    mrz_lines,
    passport,
    watchlist,
)
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(areas):
    return World(areas)


def audit_rows(object_type):
    return list(AuditEntry.objects.filter(object_type=object_type).order_by("id"))


# --- Recording a crossing with its MRZ ---------------------------------------------------------


def test_a_crossing_recorded_from_the_mrz_alone(world):
    crossing = services.crossing_record(
        actor=world.safwan,
        point=world.safwan_point,
        direction="entry",
        mrz_text=mrz_lines(),
        crossed_at=at(TODAY),
        purpose="pilgrimage",
        permit_type="visa",
        permit_number="V-778",
        permit_expiry=datetime.date(2026, 3, 20),
    )
    document = crossing.document
    assert (document.document_type, document.issuing_state, document.number) == (
        "passport",
        "IRQ",
        "A1234567",
    )
    assert (document.surname, document.given_names, document.sex) == (
        "AL TIKRITI",
        "AHMED SALMAN",
        "male",
    )
    assert (document.birth_date, document.expiry_date) == (
        datetime.date(1985, 3, 14),
        datetime.date(2030, 5, 1),
    )
    assert document.mrz_valid is True
    assert document.mrz_format == "TD3"
    assert document.mrz_checks["checks"] == {
        "document_number": True,
        "birth_date": True,
        "expiry_date": True,
        "optional_data": True,
        "composite": True,
    }
    assert document.visual_differences == []
    assert crossing.warnings == []
    assert crossing.traveller.surname == "AL TIKRITI"
    assert crossing.officer == world.safwan
    assert crossing.organisation == world.bpc  # the point's authority
    assert crossing.nationality == "IRQ"
    assert crossing.screening_outcome == ScreeningOutcome.PENDING
    for object_type in ("border.traveller", "border.traveldocument", "border.crossing"):
        (row,) = audit_rows(object_type)
        assert (row.action, row.actor_username) == (AuditAction.CREATE, "safwan")
    assert audit_rows("border.crossing")[0].changes["point"] == [None, world.safwan_point.pk]


def test_typed_fields_win_and_differences_from_the_mrz_are_kept(world):
    crossing = services.crossing_record(
        actor=world.safwan,
        point=world.safwan_point,
        direction="entry",
        document=passport(birth_date=datetime.date(1958, 3, 14), given_names="AHMED SALMAN"),
        mrz_text=mrz_lines(),
        crossed_at=at(TODAY),
    )
    document = crossing.document
    assert document.birth_date == datetime.date(1958, 3, 14)  # what the page shows
    assert [d["field"] for d in document.visual_differences] == ["birth_date"]
    assert document.visual_differences[0]["mrz"] == "1985-03-14"
    (warning,) = crossing.warnings
    assert (warning["code"], warning["fields"]) == ("visual_zone_differs", ["birth_date"])


def test_an_mrz_failing_its_check_digits_is_stored_and_warned_of(world):
    line1, line2 = mrz_lines().splitlines()
    broken = line2[:9] + str((int(line2[9]) + 1) % 10) + line2[10:]  # number check digit
    crossing = services.crossing_record(
        actor=world.safwan,
        point=world.safwan_point,
        direction="entry",
        mrz_text=f"{line1}\n{broken}",
        crossed_at=at(TODAY),
    )
    document = crossing.document
    assert document.mrz_valid is False
    assert document.mrz_checks["checks"]["document_number"] is False
    assert document.mrz_checks["checks"]["birth_date"] is True
    codes = {warning["code"]: warning for warning in crossing.warnings}
    assert codes["mrz_invalid"]["checks"] == ["document_number", "composite"]


def test_an_unreadable_mrz_leaves_the_typed_document(world):
    crossing = services.crossing_record(
        actor=world.safwan,
        point=world.safwan_point,
        direction="entry",
        document=passport(),
        mrz_text="P<IRQ\nNOT AN MRZ",
        crossed_at=at(TODAY),
    )
    assert crossing.document.number == "A1234567"
    assert crossing.document.mrz_valid is False
    assert crossing.document.mrz_checks["errors"]
    assert [w["code"] for w in crossing.warnings] == ["mrz_unreadable"]


def test_a_document_without_a_number_is_refused_and_nothing_is_written(world):
    with pytest.raises(ValidationError) as error:
        cross(world.safwan_point, actor=world.safwan, document=passport(number=""))
    assert "number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        cross(world.safwan_point, actor=world.safwan, document=passport(number="N/A"))
    assert error.value.message_dict["number"] == ["'N/A' is not a document number."]
    assert not Crossing.objects.exists()
    assert not Traveller.objects.exists()
    assert not audit_rows("border.traveller")


def test_the_same_passport_again_is_the_same_traveller_and_differences_are_flagged(world):
    first = cross(world.safwan_point, actor=world.safwan)
    again = cross(
        world.safwan_point,
        actor=world.safwan,
        direction="exit",
        when=at(TODAY, 18),
        document=passport(surname="AL-MOSULI"),
    )
    assert (again.traveller, again.document) == (first.traveller, first.document)
    assert Traveller.objects.count() == 1
    assert again.document.surname == "AL-TIKRITI"  # the record is not overwritten
    (warning,) = again.warnings
    assert (warning["code"], warning["fields"]) == ("document_record_differs", ["surname"])


def test_expired_documents_and_permits_are_warned_of(world):
    crossing = cross(
        world.safwan_point,
        actor=world.safwan,
        document=passport(expiry_date=datetime.date(2026, 1, 31)),
        permit_type="visa",
        permit_expiry=datetime.date(2026, 2, 28),
    )
    assert [w["code"] for w in crossing.warnings] == ["document_expired", "permit_expired"]


def test_an_officer_records_only_at_their_post(world):
    with pytest.raises(PermissionDenied):
        cross(world.bgw, actor=world.safwan)
    with pytest.raises(PermissionDenied):
        cross(world.safwan_point, actor=world.unposted)
    with pytest.raises(PermissionDenied):
        cross(world.safwan_point, actor=world.donor)
    with pytest.raises(PermissionDenied):  # posted everywhere, but for another authority
        cross(world.safwan_point, actor=world.krg_officer)
    assert not Crossing.objects.exists()
    assert not TravelDocument.objects.exists()
    assert not AuditEntry.objects.filter(
        object_type__in=["border.crossing", "border.traveller", "border.traveldocument"]
    ).exists()
    assert cross(world.bgw, actor=world.hq).officer == world.hq


def test_a_point_without_an_authority_needs_the_recording_organisation(world, areas):
    orphan = factories.point("ORPHAN", areas["basrah"])
    with pytest.raises(ValidationError) as error:
        cross(orphan, actor=world.admin)
    assert "organisation" in error.value.message_dict
    crossing = cross(orphan, actor=world.admin, organisation=world.bpc)
    assert crossing.organisation == world.bpc


def test_a_closed_point_and_a_future_time_are_refused(world):
    closed = services.point_update(
        actor=world.im, point=world.shalamcheh, data={"is_active": False}
    )
    with pytest.raises(ValidationError) as error:
        cross(closed, actor=world.hq)
    assert "point" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        cross(world.safwan_point, actor=world.safwan, when=at(datetime.date(2099, 1, 1)))
    assert "crossed_at" in error.value.message_dict


def test_the_decision_on_a_referred_crossing_is_settled_later(world):
    crossing = cross(world.safwan_point, actor=world.safwan, decision="referred", notes="Visa?")
    settled = services.crossing_decide(
        actor=world.safwan, crossing=crossing, decision="admitted", notes="Visa confirmed."
    )
    assert (settled.decision, settled.notes) == ("admitted", "Visa?\nVisa confirmed.")
    update = audit_rows("border.crossing")[-1]
    assert update.changes["decision"] == ["referred", "admitted"]
    with pytest.raises(PermissionDenied):
        services.crossing_decide(actor=world.airport, crossing=crossing, decision="refused")


# --- Hits and the cleared-hit memory -----------------------------------------------------------


@pytest.fixture
def listed(world):
    """An entry on a restricted list: the officers posted at the point decide its hits."""
    return entry(watchlist(world.bpc, sensitivity=Sensitivity.RESTRICTED))


def screen(crossing, listed, actor=None, score=88):
    return services.hits_raise(
        actor=actor,
        document=crossing.document,
        crossing=crossing,
        matches=[
            services.ScreeningMatch(
                entry_id=str(listed.pk),
                score=score,
                explanation={"score": score, "listed_name": listed.full_name},
                algorithm="marsad-screening-1",
            )
        ],
    )


def test_a_match_raises_an_open_hit_and_the_crossing_waits(world, listed):
    crossing = cross(world.safwan_point, actor=world.safwan)
    raised = screen(crossing, listed, actor=world.safwan)
    (hit,) = raised.created
    assert (hit.status, hit.score, hit.action) == (HitStatus.OPEN, 88, "refer")
    assert hit.entry_fingerprint == listed.fingerprint
    assert hit.explanation["listed_name"] == "Ahmed Salman al-Tikriti"
    assert (hit.organisation, hit.sensitivity) == (world.bpc, "restricted")
    crossing.refresh_from_db()
    assert crossing.screening_outcome == ScreeningOutcome.PENDING
    assert crossing.screened_at is not None
    (row,) = audit_rows("border.screeninghit")
    assert (row.action, row.actor_username) == (AuditAction.CREATE, "safwan")
    # Screening the same crossing again raises nothing new.
    again = screen(crossing, listed)
    assert (again.created, again.existing) == ([], [hit])


def test_no_match_means_no_hit(world):
    crossing = cross(world.safwan_point, actor=world.safwan)
    raised = services.hits_raise(
        actor=world.safwan, document=crossing.document, crossing=crossing, matches=[]
    )
    assert raised.created == []
    crossing.refresh_from_db()
    assert crossing.screening_outcome == ScreeningOutcome.NO_HIT


def test_a_confidential_list_s_hits_are_decided_only_by_readers_cleared_for_it(world):
    secret = entry(watchlist(world.bpc, sensitivity=Sensitivity.CONFIDENTIAL))
    (hit,) = screen(cross(world.safwan_point), secret).created
    assert not services.may_decide_hit(world.safwan, hit)
    with pytest.raises(PermissionDenied):
        services.hit_decide(actor=world.safwan, hit=hit, status="cleared", note="Not him.")
    assert services.may_decide_hit(world.supervisor, hit)
    decided = services.hit_decide(
        actor=world.supervisor, hit=hit, status="confirmed", note="Same person."
    )
    assert decided.decided_by == world.supervisor


def test_clearing_a_hit_needs_a_note_and_is_audited(world, listed):
    crossing = cross(world.safwan_point, actor=world.safwan)
    (hit,) = screen(crossing, listed).created
    with pytest.raises(ValidationError) as error:
        services.hit_decide(actor=world.safwan, hit=hit, status="cleared", note="  ")
    assert "note" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.hit_decide(actor=world.airport, hit=hit, status="cleared", note="Not him.")
    cleared = services.hit_decide(
        actor=world.safwan, hit=hit, status="cleared", note="Born 1985-03-14, not 1985."
    )
    assert (cleared.status, cleared.decided_by) == (HitStatus.CLEARED, world.safwan)
    assert cleared.decided_at is not None
    crossing.refresh_from_db()
    assert crossing.screening_outcome == ScreeningOutcome.HIT_CLEARED
    update = [row for row in audit_rows("border.screeninghit") if row.action == "update"]
    assert update[0].changes["status"] == ["open", "cleared"]
    assert update[0].changes["decided_by"] == [None, world.safwan.pk]
    with pytest.raises(ValidationError):
        services.hit_decide(actor=world.safwan, hit=hit, status="confirmed", note="Changed.")


def test_a_cleared_hit_is_not_raised_again_for_the_same_document_and_entry(world, listed):
    first = cross(world.safwan_point, actor=world.safwan)
    (hit,) = screen(first, listed).created
    services.hit_decide(actor=world.safwan, hit=hit, status="cleared", note="Other person.")
    back = cross(world.safwan_point, actor=world.safwan, direction="exit", when=at(TODAY, 20))
    raised = screen(back, listed)
    assert raised.created == []
    assert raised.remembered == [listed]
    back.refresh_from_db()
    assert back.screening_outcome == ScreeningOutcome.NO_HIT
    assert ScreeningHit.objects.count() == 1
    # Re-screened without a crossing (after a list import), still remembered.
    assert services.hits_raise(
        actor=None,
        document=back.document,
        matches=[services.ScreeningMatch(entry_id=listed.pk, score=88)],
    ).remembered == [listed]


def test_an_entry_whose_reason_changes_stays_cleared_but_new_names_raise_it_again(world, listed):
    first = cross(world.safwan_point, actor=world.safwan)
    (hit,) = screen(first, listed).created
    services.hit_decide(actor=world.safwan, hit=hit, status="cleared", note="Other person.")
    listed = services.watchlist_entry_update(
        actor=None, entry=listed, data={"reason": "Updated by the ministry.", "action": "arrest"}
    )
    second = cross(world.safwan_point, actor=world.safwan, when=at(TODAY, 12))
    assert screen(second, listed).remembered == [listed]
    listed = services.watchlist_entry_update(
        actor=None, entry=listed, data={"names": [*listed.names, "Abu Salman"]}
    )
    third = cross(world.safwan_point, actor=world.safwan, when=at(TODAY, 14))
    (again,) = screen(third, listed).created
    assert again.entry_fingerprint == listed.fingerprint != hit.entry_fingerprint
    assert again.action == "arrest"
    assert WatchlistEntry.objects.get(pk=listed.pk).hits.count() == 2
    assert not again.entry_changed
    assert ScreeningHit.objects.get(pk=hit.pk).entry_changed


def test_another_document_of_the_same_person_is_raised(world, listed):
    first = cross(world.safwan_point, actor=world.safwan)
    (hit,) = screen(first, listed).created
    services.hit_decide(actor=world.safwan, hit=hit, status="cleared", note="Other person.")
    new_passport = cross(world.safwan_point, actor=world.safwan, number="B7777777")
    assert len(screen(new_passport, listed).created) == 1


def test_a_confirmed_hit_does_not_silence_the_next_one(world, listed):
    first = cross(world.safwan_point, actor=world.safwan)
    (hit,) = screen(first, listed).created
    services.hit_decide(actor=world.safwan, hit=hit, status="confirmed", note="Same person.")
    first.refresh_from_db()
    assert first.screening_outcome == ScreeningOutcome.HIT_CONFIRMED
    second = cross(world.safwan_point, actor=world.safwan, when=at(TODAY, 15))
    assert len(screen(second, listed).created) == 1


def test_entries_out_of_force_raise_nothing(world, listed):
    crossing = cross(world.safwan_point, actor=world.safwan)
    expired = entry(
        watchlist(world.bpc, name="Old list"),
        valid_until=TODAY - datetime.timedelta(days=1),
    )
    inactive = entry(watchlist(world.bpc, name="Retired"), is_active=False)
    raised = services.hits_raise(
        actor=None,
        document=crossing.document,
        crossing=crossing,
        matches=[
            services.ScreeningMatch(entry_id=expired.pk, score=95),
            services.ScreeningMatch(entry_id=inactive.pk, score=93),
        ],
    )
    assert raised.not_in_force == [expired, inactive]
    assert not ScreeningHit.objects.exists()


def test_only_an_officer_at_the_point_screens_its_crossing(world, listed):
    crossing = cross(world.safwan_point, actor=world.safwan)
    with pytest.raises(PermissionDenied):
        screen(crossing, listed, actor=world.airport)
    assert not ScreeningHit.objects.exists()


# --- Watchlists --------------------------------------------------------------------------------


def test_watchlist_entries_are_kept_by_those_cleared_for_them(world):
    listed_on = watchlist(world.bpc)
    created = services.watchlist_entry_create(
        actor=world.admin,
        watchlist=listed_on,
        data={"names": "Jamal Hussein; جمال حسين", "document_numbers": "X1; X-2", "reason": "R"},
    )
    assert created.names == ["Jamal Hussein", "جمال حسين"]
    assert created.document_numbers_normalised == ["X1", "X2"]
    (row,) = audit_rows("border.watchlistentry")
    assert row.changes["fingerprint"] == [None, created.fingerprint]
    with pytest.raises(PermissionDenied):  # border officers are not cleared for confidential
        services.watchlist_entry_create(
            actor=world.hq, watchlist=listed_on, data={"names": ["Someone"]}
        )
    with pytest.raises(PermissionDenied):
        services.watchlist_entry_update(actor=world.hq, entry=created, data={"reason": "x"})
    updated = services.watchlist_entry_update(
        actor=world.registrar, entry=created, data={"nationality": "syr"}
    )
    assert updated.nationality == "SYR"
    change = audit_rows("border.watchlistentry")[-1]
    assert set(change.changes) == {"nationality", "fingerprint"}
    with pytest.raises(ValidationError):
        services.watchlist_entry_update(actor=None, entry=created, data={"colour": "red"})


# --- Document examination cases ----------------------------------------------------------------


def test_an_examination_case_from_opening_to_closing(world):
    crossing = cross(world.safwan_point, actor=world.safwan, decision="referred")
    case = services.examination_open(
        actor=world.safwan, document=crossing.document, crossing=crossing, suspicion="forged"
    )
    assert case.number == f"DAFEC-{timezone.localdate().year}-000001"
    assert (case.organisation, case.status, case.sensitivity) == (world.bpc, "open", "restricted")
    second = services.examination_open(
        actor=world.hq, document=crossing.document, suspicion="impostor"
    )
    assert second.number.endswith("-000002")
    case = services.examination_update(
        actor=world.hq,
        case=case,
        data={
            "examiner": world.hq,
            "features_examined": {
                "uv_response": {"finding": "anomaly", "note": "Paper fluoresces."},
                "mrz_consistency": {"finding": "consistent"},
            },
        },
    )
    with pytest.raises(ValidationError) as error:
        services.examination_update(
            actor=world.hq, case=case, data={"features_examined": {"smell": {"finding": "x"}}}
        )
    assert "features_examined" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.examination_close(actor=world.hq, case=case, outcome="")
    closed = services.examination_close(
        actor=world.hq,
        case=case,
        outcome="forged",
        findings="Biodata page substituted.",
        referred_to="Basrah investigating court",
    )
    assert (closed.status, closed.outcome) == ("closed", "forged")
    assert closed.closed_at is not None
    assert closed.referred_at is not None
    with pytest.raises(ValidationError):
        services.examination_update(actor=world.hq, case=closed, data={"findings": "More."})
    actions = [row.action for row in audit_rows("border.documentexaminationcase")]
    assert actions == ["create", "create", "update", "update"]


def test_an_officer_opens_cases_only_on_what_they_see(world):
    at_airport = cross(world.bgw, actor=world.airport)
    with pytest.raises(PermissionDenied):
        services.examination_open(
            actor=world.safwan,
            document=at_airport.document,
            crossing=at_airport,
            suspicion="counterfeit",
        )
    assert not audit_rows("border.documentexaminationcase")


# --- Crossing points, the reference list, postings ---------------------------------------------


def test_crossing_points_are_kept_by_im_officers(world, areas):
    created = services.point_create(
        actor=world.im,
        data={
            "code": "BSR",
            "name_en": "Basra International Airport",
            "kind": "air",
            "governorate": areas["basrah"],
        },
    )
    (row,) = audit_rows("border.bordercrossingpoint")[-1:]
    assert (row.action, row.actor_username) == (AuditAction.CREATE, "im")
    with pytest.raises(PermissionDenied):
        services.point_update(actor=world.hq, point=created, data={"name_ar": "مطار البصرة"})
    with pytest.raises(ValidationError):
        services.point_update(actor=world.im, point=created, data={"code": "BSR2"})
    updated = services.point_update(actor=world.im, point=created, data={"name_ar": "مطار"})
    assert updated.name_ar == "مطار"


def test_the_reference_list_of_crossing_points_loads_once(db):
    geo_services.areas_load_reference(actor=None)
    OrganisationFactory(code="BPC")
    OrganisationFactory(code="KRG-MOI")
    dry = services.points_load_reference(actor=None, dry_run=True)
    assert (len(dry.created), dry.ok) == (20, True)
    assert not BorderCrossingPoint.objects.exists()
    report = services.points_load_reference(actor=None)
    assert report.ok
    assert len(report.created) == 20
    assert report.notes == []
    safwan = BorderCrossingPoint.objects.get(code="SAFWAN")
    assert (safwan.name_ar, safwan.governorate.pcode, safwan.neighbouring_country) == (
        "سفوان",
        "IQG02",
        "KWT",
    )
    assert safwan.authority.code == "BPC"
    assert BorderCrossingPoint.objects.get(code="IBRAHIM-KHALIL").governorate.pcode == "IQG09"
    assert BorderCrossingPoint.objects.get(code="EBL").authority.code == "KRG-MOI"
    assert BorderCrossingPoint.objects.filter(kind="air").count() == 5
    assert len(audit_rows("border.bordercrossingpoint")) == 20
    again = services.points_load_reference(actor=None)
    assert (again.created, again.updated, again.unchanged) == ([], [], 20)
    BorderCrossingPoint.objects.filter(code="SAFWAN").update(name_en="Safwan (old)")
    assert services.points_load_reference(actor=None).updated == ["SAFWAN"]


def test_the_reference_list_needs_the_governorates_first(db, tmp_path):
    report = services.points_load_reference(actor=None)
    assert not report.ok
    assert "IQG02" in report.error_text
    assert "marsad geo load-reference" in report.error_text
    assert not BorderCrossingPoint.objects.exists()


def test_a_bad_row_stops_the_whole_load(areas, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text(
        "code,kind,name_en,name_ar,name_ku,governorate_pcode,latitude,longitude,"
        "neighbouring_country,authority\n"
        "SAFWAN,land,Safwan,سفوان,,IQG02,30.09,47.71,KWT,NOBODY\n"
        "BAD,land,Bad,,,IQG08,91,44,IRN,\n",
        encoding="utf-8",
    )
    report = services.points_load_reference(actor=None, path=path)
    assert [(p.line, p.column) for p in report.problems] == [(3, "latitude")]
    assert not BorderCrossingPoint.objects.exists()
    path.write_text(
        path.read_text(encoding="utf-8").splitlines()[0]
        + "\n"
        + ("SAFWAN,land,Safwan,سفوان,,IQG02,30.09,47.71,KWT,NOBODY\n"),
        encoding="utf-8",
    )
    report = services.points_load_reference(actor=None, path=path)
    assert report.ok
    assert report.notes == ["SAFWAN: no organisation has the code NOBODY; authority left empty."]


def test_only_border_officers_are_posted(world):
    with pytest.raises(ValidationError) as error:
        services.post_assign(actor=world.admin, officer=world.im, point=world.bgw)
    assert "officer" in error.value.message_dict
    posting = services.post_assign(actor=world.admin, officer=world.safwan, point=world.bgw)
    assert PostAssignment.objects.filter(officer=world.safwan, is_active=True).count() == 2
    services.post_end(actor=world.admin, assignment=posting)
    again = services.post_assign(actor=world.admin, officer=world.safwan, point=world.bgw)
    assert again.pk == posting.pk
    assert again.is_active
    with pytest.raises(PermissionDenied):  # postings are managed by user managers
        services.post_assign(actor=world.hq, officer=world.safwan, point=world.shalamcheh)


# --- The admin goes through the services -------------------------------------------------------


def test_the_border_admin_is_scoped_and_audited(client, world, areas):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:border_bordercrossingpoint_add"),
        {
            "code": "UMM-QASR",
            "name_en": "Umm Qasr Port",
            "name_ar": "ميناء أم قصر",
            "name_ku": "",
            "kind": "sea",
            "governorate": str(areas["basrah"].pk),
            "latitude": "30.035",
            "longitude": "47.94",
            "neighbouring_country": "",
            "authority": str(world.bpc.pk),
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = audit_rows("border.bordercrossingpoint")[-1]
    assert (row.action, row.actor_username, row.object_repr) == (
        AuditAction.CREATE,
        "admin",
        "Umm Qasr Port (UMM-QASR)",
    )
    response = client.post(
        reverse("admin:border_postassignment_add"),
        {"officer": str(world.im.pk), "point": str(world.bgw.pk), "is_active": "on"},
    )
    assert response.status_code == 200  # refused by the service: not a border officer
    assert "holds no active border officer membership" in response.content.decode()
    crossing = cross(world.safwan_point, actor=world.safwan)
    listed = entry(watchlist(world.bpc))
    screen(crossing, listed)
    for name in (
        "bordercrossingpoint",
        "postassignment",
        "traveller",
        "traveldocument",
        "crossing",
        "watchlist",
        "watchlistentry",
        "screeninghit",
        "documentexaminationcase",
    ):
        assert client.get(reverse(f"admin:border_{name}_changelist")).status_code == 200, name
    page = client.get(reverse("admin:border_watchlistentry_change", args=[listed.pk]))
    assert page.status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.READ, object_type="border.watchlistentry"
    ).exists()
    assert client.get(reverse("admin:border_crossing_add")).status_code == 403
    client.force_login(member("im_officer", world.mission))
    assert client.get(reverse("admin:border_crossing_changelist")).status_code == 302
