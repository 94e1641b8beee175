"""The officers' screens: the counter reads, checks and screens at once and records the
crossing; the hits queue and a hit's page (the entry only for those cleared to read it);
DAFEC cases; flow statistics with their downloads; who reaches each page."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from marsad.border import counter, services
from marsad.border.models import (
    Crossing,
    DocumentExaminationCase,
    HitStatus,
    ScreeningHit,
    TravelDocument,
)
from marsad.core.models import AuditAction, AuditEntry, Sensitivity
from tests.border.factories import (
    World,
    at,
    cross,
    entry,
    mrz_lines,
    quick_crossings,
    watchlist,
)

pytestmark = pytest.mark.django_db

SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
# The specimen with an O for the 0 of the document number's check digit position's data:
# "L898902C3" → "L898902C3" stays; corrupt the birth date 740812 → 74O812.
SPECIMEN_OCR = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO74O8122F1204159ZE184226B<<<<<10"
)


@pytest.fixture
def world(areas):
    return World(areas)


@pytest.fixture
def listed(world):
    """A restricted list (border officers see it) and a confidential one (they do not)."""
    restricted = watchlist(world.bpc, sensitivity=Sensitivity.RESTRICTED)
    wanted = entry(restricted)
    secret_list = watchlist(world.bpc, name="Secret", sensitivity=Sensitivity.CONFIDENTIAL)
    secret = entry(
        secret_list,
        names=["Karim Hassan al-Mosuli", "كريم حسن الموصلي"],
        birth_date=datetime.date(1979, 2, 2),
        birth_date_precision="day",
        document_numbers=["B9999999"],
        reason="Top secret reason.",
    )
    return {"wanted": wanted, "secret": secret}


def _read(client, text, **typed):
    return client.post(reverse("border:counter-read"), {"mrz": text, **typed})


def _record(client, world, text, **extra):
    data = {
        "mrz": text,
        "point": world.safwan_point.pk,
        "direction": "entry",
        "decision": "admitted",
        "purpose": "pilgrimage",
        **extra,
    }
    return client.post(reverse("border:counter"), data)


# --- The counter ---------------------------------------------------------------------------


def test_counter_defaults_to_the_officers_post(client, world):
    client.force_login(world.safwan)
    page = client.get(reverse("border:counter"))
    assert page.status_code == 200
    points = list(page.context["form"].fields["point"].queryset)
    assert points == [world.safwan_point]
    assert page.context["form"].initial["point"] == world.safwan_point
    assert page.context["form"].initial["direction"] == "entry"


def test_counter_refuses_an_officer_posted_nowhere_and_aggregate_viewers(client, world):
    client.force_login(world.unposted)
    assert client.get(reverse("border:counter")).status_code == 403
    client.force_login(world.donor)
    assert client.get(reverse("border:counter")).status_code == 403
    assert _read(client, SPECIMEN).status_code == 403


def test_reading_the_specimen_shows_fields_and_every_check_passing(client, world):
    client.force_login(world.safwan)
    answer = _read(client, SPECIMEN)
    assert answer.status_code == 200
    reading = answer.context["reading"]
    assert reading.valid
    assert reading.format == "TD3"
    assert reading.fields["document_number"] == "L898902C3"
    assert reading.fields["surname"] == "ERIKSSON"
    assert {check.name: check.passed for check in reading.checks}["composite"] is True
    html = answer.content.decode()
    assert "MRZ valid (TD3)" in html
    assert "check-bad" not in html
    assert "Watchlist: no match" in html


def test_an_ocr_confusion_is_pointed_out(client, world):
    client.force_login(world.safwan)
    reading = _read(client, SPECIMEN_OCR).context["reading"]
    assert not reading.valid
    failed = [check for check in reading.checks if check.passed is False]
    birth = next(check for check in failed if check.name == "birth_date")
    assert birth.corrections
    assert "'O'" in birth.corrections[0]
    assert birth.corrected_value == "740812"


def test_bad_input_is_explained_in_words(client, world):
    client.force_login(world.safwan)
    reading = _read(client, "P<UTOERIKSSON<<ANNA").context["reading"]
    assert reading.fields is None
    assert reading.errors
    assert "MRZ not readable yet" in _read(client, "P<UTO").content.decode()


def test_typed_visual_zone_differences_are_flagged(client, world):
    client.force_login(world.safwan)
    reading = _read(client, SPECIMEN, surname="ERIKSEN", birth_date="12 AUG 1974").context[
        "reading"
    ]
    assert [difference["field"] for difference in reading.differences] == ["surname"]


def test_a_listed_traveller_is_shown_with_the_reason_to_cleared_roles_only(client, world, listed):
    text = mrz_lines(number="A1111111", birth=datetime.date(1985, 3, 14))
    client.force_login(world.safwan)
    hits = _read(client, text).context["reading"].hits
    assert [hit.entry_id for hit in hits] == [str(listed["wanted"].pk)]
    assert hits[0].reason == listed["wanted"].reason
    assert hits[0].score >= 75
    assert hits[0].action == "refer"
    # The confidential entry still matches (screening sees every list) but its reason stays
    # hidden from a border officer.
    secret = mrz_lines(
        surname="AL MOSULI",
        given_names="KARIM HASSAN",
        number="B9999999",
        birth=datetime.date(1979, 2, 2),
    )
    secret_hits = _read(client, secret).context["reading"].hits
    assert secret_hits
    assert secret_hits[0].reason is None
    assert secret_hits[0].listed_name is None
    assert b"Top secret reason" not in _read(client, secret).content
    client.force_login(world.registrar)  # a case worker reads confidential records


def test_recording_a_crossing_screens_it_and_remembers_the_direction(client, world, listed):
    client.force_login(world.safwan)
    answer = _record(
        client,
        world,
        mrz_lines(number="A1111111"),
        direction="exit",
        conveyance="BUS 12",
        permit_type="visa",
        permit_number="V-77",
        permit_expiry="2026-04-01",
    )
    crossing = Crossing.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("border:counter-done", args=[crossing.pk])
    assert crossing.officer == world.safwan
    assert crossing.point == world.safwan_point
    assert crossing.direction == "exit"
    assert crossing.conveyance == "BUS 12"
    assert crossing.permit_expiry == datetime.date(2026, 4, 1)
    assert crossing.document.mrz_valid is True
    hit = ScreeningHit.objects.get()
    assert hit.crossing == crossing
    assert hit.entry == listed["wanted"]
    assert hit.explanation["words"]
    assert crossing.screening_outcome == "pending"
    done = client.get(answer["Location"])
    assert b"Watchlist hits" in done.content
    assert client.get(reverse("border:counter")).context["form"].initial["direction"] == "exit"


def test_recording_without_a_readable_mrz_or_a_number_shows_the_problem(client, world):
    client.force_login(world.safwan)
    answer = _record(client, world, "P<UTO")
    assert answer.status_code == 200
    assert not Crossing.objects.exists()
    assert answer.context["form"].errors


def test_an_officer_cannot_record_at_another_point(client, world):
    client.force_login(world.safwan)
    answer = _record(client, world, SPECIMEN, point=world.bgw.pk)
    assert answer.status_code == 200
    assert "point" in answer.context["form"].errors
    assert not Crossing.objects.exists()


def test_the_index_is_rebuilt_when_an_entry_changes(world, listed):
    first = counter.screening_index()
    assert counter.screening_index() is first
    services.watchlist_entry_update(actor=None, entry=listed["wanted"], data={"is_active": False})
    second = counter.screening_index()
    assert second is not first
    assert len(second) == len(first) - 1


# --- Crossings -----------------------------------------------------------------------------


def test_an_officer_sees_only_their_points_crossings(client, world):
    mine = cross(world.safwan_point, number="S1")
    theirs = cross(world.bgw, number="B1")
    client.force_login(world.safwan)
    listed = list(client.get(reverse("border:crossing-list")).context["page"])
    assert listed == [mine]
    assert client.get(reverse("border:crossing-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("border:crossing-detail", args=[mine.pk])).status_code == 200
    client.force_login(world.hq)
    assert len(client.get(reverse("border:crossing-list")).context["page"]) == 2


def test_aggregate_viewers_get_no_records(client, world):
    crossing = cross(world.safwan_point)
    client.force_login(world.donor)
    for name, args in (
        ("border:crossing-list", []),
        ("border:crossing-detail", [crossing.pk]),
        ("border:hit-list", []),
        ("border:case-list", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403
    assert client.get(reverse("border:index")).status_code == 200
    assert client.get(reverse("border:flows")).status_code == 200


# --- Hits ----------------------------------------------------------------------------------


@pytest.fixture
def hit(world, listed):
    crossing = cross(world.safwan_point, number="A1111111")
    counter.screen_crossing(actor=None, crossing=crossing)
    return ScreeningHit.objects.get(entry=listed["wanted"])


@pytest.fixture
def secret_hit(world, listed):
    crossing = cross(
        world.safwan_point,
        number="B9999999",
        document={
            "document_type": "passport",
            "issuing_state": "IRQ",
            "number": "B9999999",
            "surname": "AL-MOSULI",
            "given_names": "KARIM HASSAN",
            "nationality": "IRQ",
            "birth_date": datetime.date(1979, 2, 2),
        },
    )
    counter.screen_crossing(actor=None, crossing=crossing)
    return ScreeningHit.objects.get(entry=listed["secret"])


def test_the_queue_lists_open_hits_in_scope(client, world, hit):
    client.force_login(world.safwan)
    page = client.get(reverse("border:hit-list"))
    assert list(page.context["page"]) == [hit]
    assert hit.explanation["words"].encode() in page.content
    client.force_login(world.airport)
    assert list(client.get(reverse("border:hit-list")).context["page"]) == []
    assert client.get(reverse("border:hit-detail", args=[hit.pk])).status_code == 404


def test_the_hit_page_shows_a_confidential_entry_only_to_cleared_readers(client, world, secret_hit):
    client.force_login(world.hq)
    page = client.get(reverse("border:hit-detail", args=[secret_hit.pk]))
    assert page.status_code == 200
    assert page.context["entry"] is None
    assert b"Top secret reason" not in page.content
    client.force_login(world.registrar)
    page = client.get(reverse("border:hit-detail", args=[secret_hit.pk]))
    assert page.context["entry"] == secret_hit.entry
    assert b"Top secret reason" in page.content
    assert AuditEntry.objects.filter(
        action=AuditAction.READ, object_type="border.watchlistentry", actor=world.registrar
    ).exists()


def test_an_officer_refers_a_confidential_hit_and_the_supervisor_decides_it(
    client, world, secret_hit
):
    url = reverse("border:hit-detail", args=[secret_hit.pk])
    client.force_login(world.safwan)
    page = client.get(url)
    assert page.context["may_decide"] is False
    assert b'id="hit-referral"' in page.content
    assert b'id="hit-decision"' not in page.content
    assert client.post(url, {"status": "cleared", "note": "Looks fine."}).status_code == 403
    client.force_login(world.supervisor)
    page = client.get(url)
    assert page.context["entry"] == secret_hit.entry
    assert b'id="hit-decision"' in page.content
    done = client.post(url, {"status": "confirmed", "note": "Same person: photo and birth date."})
    assert done.status_code == 302
    secret_hit.refresh_from_db()
    assert (secret_hit.status, secret_hit.decided_by) == (HitStatus.CONFIRMED, world.supervisor)


def test_a_supervisor_sees_only_the_points_they_are_posted_at(client, world, listed):
    at_airport = cross(world.bgw, number="A1111111")
    counter.screen_crossing(actor=None, crossing=at_airport)
    hit = ScreeningHit.objects.get(crossing=at_airport)
    client.force_login(world.supervisor)
    assert list(client.get(reverse("border:hit-list")).context["page"]) == []
    assert client.get(reverse("border:hit-detail", args=[hit.pk])).status_code == 404
    assert client.get(reverse("border:crossing-detail", args=[at_airport.pk])).status_code == 404


def test_clearing_a_hit_needs_a_note_and_updates_the_crossing(client, world, hit):
    client.force_login(world.hq)
    url = reverse("border:hit-detail", args=[hit.pk])
    refused = client.post(url, {"status": "cleared", "note": ""})
    assert refused.status_code == 200
    assert refused.context["form"].errors
    done = client.post(url, {"status": "cleared", "note": "Different birth date and photo."})
    assert done.status_code == 302
    hit.refresh_from_db()
    assert hit.status == HitStatus.CLEARED
    assert hit.decided_by == world.hq
    assert hit.crossing.screening_outcome == "hit_cleared"
    assert client.post(url, {"status": "confirmed", "note": "again"}).status_code == 403
    # The same document is not raised again on the unchanged entry.
    again = cross(world.safwan_point, number="A1111111", when=at(datetime.date(2026, 3, 3)))
    raised = counter.screen_crossing(actor=None, crossing=again)
    assert raised.remembered
    assert not raised.created


# --- DAFEC cases -----------------------------------------------------------------------------


def test_a_case_is_opened_examined_and_closed(client, world):
    crossing = cross(world.safwan_point, number="F1")
    client.force_login(world.hq)
    opened = client.post(
        reverse("border:case-open", args=[crossing.pk]),
        {"suspicion": "forged", "findings": "Laminate lifted at the photo."},
    )
    case = DocumentExaminationCase.objects.get()
    assert opened.status_code == 302
    assert case.crossing == crossing
    assert case.examiner == world.hq
    page = client.get(reverse("border:case-detail", args=[case.pk]))
    assert page.status_code == 200
    assert b"Microprinting" in page.content
    saved = client.post(
        reverse("border:case-detail", args=[case.pk]),
        {
            "feature_photo": "anomaly",
            "note_photo": "Second photo under the laminate",
            "feature_uv_response": "consistent",
            "findings": "Photo substituted.",
            "referred_to": "Basra investigating judge",
        },
    )
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.features_examined == {
        "uv_response": {"finding": "consistent"},
        "photo": {"finding": "anomaly", "note": "Second photo under the laminate"},
    }
    assert case.referred_to == "Basra investigating judge"
    assert case.referred_at is not None
    closed = client.post(
        reverse("border:case-close", args=[case.pk]), {"outcome": "forged", "findings": ""}
    )
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.outcome == "forged"
    assert case.findings == "Photo substituted."
    assert client.get(reverse("border:case-close", args=[case.pk])).status_code == 403
    assert list(client.get(reverse("border:case-list")).context["page"]) == [case]


def test_a_case_on_another_points_crossing_cannot_be_opened(client, world):
    crossing = cross(world.bgw, number="F2")
    client.force_login(world.safwan)
    assert client.get(reverse("border:case-open", args=[crossing.pk])).status_code == 404
    document = TravelDocument.objects.get(number="F2")
    assert client.get(reverse("border:case-open-document", args=[document.pk])).status_code == 404


# --- Flows -------------------------------------------------------------------------------------

D1, D2 = datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)


@pytest.fixture
def flows(world):
    quick_crossings(world.safwan_point, {D1: 3, D2: 2}, number="S101")
    quick_crossings(world.safwan_point, {D2: 1}, direction="exit", number="S102")
    quick_crossings(world.bgw, {D1: 1}, nationality="GBR", purpose="business", number="B201")


def _flows(client, **query):
    return client.get(reverse("border:flows"), {"date_from": D1, "date_to": D2, **query})


def test_flows_sum_what_the_reader_sees(client, world, flows):
    client.force_login(world.hq)
    report = _flows(client).context["report"]
    assert report["totals"] == {"entries": 6, "exits": 1, "net": 5}
    assert [row["point"] for row in report["by_point"]] == ["SAFWAN", "BGW"]
    assert report["by_day"] == [
        {"day": "2026-03-01", "entries": 4, "exits": 0, "net": 4},
        {"day": "2026-03-02", "entries": 2, "exits": 1, "net": 1},
    ]
    client.force_login(world.safwan)
    assert _flows(client).context["report"]["totals"] == {"entries": 5, "exits": 1, "net": 4}


def test_flow_filters_narrow_every_table(client, world, flows):
    client.force_login(world.hq)
    report = _flows(client, direction="entry", nationality="gbr").context["report"]
    assert report["totals"] == {"entries": 1, "exits": 0, "net": 1}
    assert [row["nationality"] for row in report["by_nationality"]] == ["GBR"]
    report = _flows(client, purpose="pilgrimage", point="SAFWAN").context["report"]
    assert report["totals"] == {"entries": 5, "exits": 1, "net": 4}
    assert _flows(client, date_from=D2, date_to=D1).context["form"].errors


def test_aggregate_viewers_get_suppressed_figures_and_no_overstay_list(client, world, flows):
    client.force_login(world.donor)
    page = _flows(client)
    report = page.context["report"]
    assert report["visibility"]["suppressed"] is True
    assert report["overstay_list"] is None
    assert b"Overstays on" not in page.content
    export = client.get(reverse("border:flows-export"), {"table": "overstays", "format": "csv"})
    assert export.status_code == 400


def test_flow_tables_download_as_csv_and_xlsx(client, world, flows):
    client.force_login(world.hq)
    query = {"date_from": D1, "date_to": D2}
    csv_file = client.get(
        reverse("border:flows-export"), {"table": "by_day", "format": "csv", **query}
    )
    assert csv_file.status_code == 200
    assert csv_file.content.decode().splitlines() == [
        "Day,Entries,Exits,Net flow",
        "2026-03-01,4,0,4",
        "2026-03-02,2,1,1",
    ]
    xlsx = client.get(
        reverse("border:flows-export"), {"table": "by_point", "format": "xlsx", **query}
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in sheet[2]] == ["SAFWAN", "Safwan", 5, 1, 4]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=world.hq).count() == 2
    bad = client.get(reverse("border:flows-export"), {"table": "nope", "format": "csv"})
    assert bad.status_code == 400


def test_overstays_are_listed_for_record_readers(client, world):
    cross(
        world.safwan_point,
        number="O1",
        when=at(datetime.date(2026, 2, 1)),
        permit_type="visa",
        permit_expiry=datetime.date(2026, 2, 20),
    )
    client.force_login(world.safwan)
    report = _flows(client).context["report"]
    assert [row["document"] for row in report["overstay_list"]] == ["O1"]
    assert report["overstay_list"][0]["days_over"] == 10


def test_the_border_menu_entry_is_for_border_roles(client, world):
    client.force_login(world.safwan)
    labels = [str(item["label"]) for item in client.get("/").context["marsad_navigation"]]
    assert "Border" in labels
    client.force_login(world.donor)
    labels = [str(item["label"]) for item in client.get("/").context["marsad_navigation"]]
    assert "Border" not in labels
