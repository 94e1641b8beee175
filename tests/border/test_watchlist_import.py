"""Importing a watchlist file into a stored watchlist (``border.watchlist_import``): CSV in every
encoding the reader takes and XLSX, each kind of bad row named by row and column, all or
nothing, idempotence, changed rows (and the cleared-hit memory), entries missing from the file,
the audit log, who may import, and the command line, the API and the upload page."""

import csv
import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from marsad.border import services
from marsad.border.models import DatePrecision, WatchlistEntry
from marsad.border.watchlist_import import watchlist_import
from marsad.core.models import AuditAction, AuditEntry, Sensitivity, TaskRun, TaskStatus
from tests.border.factories import TODAY, World, cross, entry, watchlist

pytestmark = pytest.mark.django_db

HEADER = (
    "entry_id",
    "full_name",
    "aliases",
    "birth_date",
    "nationality",
    "document_number",
    "reason",
    "action",
    "valid_from",
    "valid_until",
)


def rows() -> list[dict[str, str]]:
    return [
        {
            "entry_id": "W1",
            "full_name": "احمد خليل ابراهيم الجبوري",
            "aliases": "Abu Hamza; أبو حمزة",
            "birth_date": "1980-05-03",
            "nationality": "irq",
            "document_number": "A1234567; B-7654321",
            "reason": "Smuggling network",
            "action": "arrest",
            "valid_from": "2025-01-01",
            "valid_until": "",
        },
        {
            "entry_id": "W2",
            "full_name": "Mohammed bin Salman al-Tikriti",
            "aliases": "",
            "birth_date": "1975",
            "nationality": "Iraq",
            "document_number": "",
            "reason": "Wanted for questioning",
            "action": "",
            "valid_from": "",
            "valid_until": "",
        },
        {
            "entry_id": "W3",
            "full_name": "Omar Jasim Hassan al-Dulaimi",
            "aliases": "عمر جاسم حسن الدليمي",
            "birth_date": "1966-04-01",
            "nationality": "SYR",
            "document_number": "C1111111",
            "reason": "Document fraud",
            "action": "deny entry",
            "valid_from": "",
            "valid_until": "2030-12-31",
        },
    ]


def csv_bytes(items, *, header=HEADER, encoding="utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(items)
    return text.getvalue().encode(encoding)


def xlsx_bytes(items, *, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for item in items:
        values = [item.get(column, "") for column in header]
        if item.get("birth_date", "").count("-") == 2:  # a date cell, as Excel stores it
            values[header.index("birth_date")] = datetime.datetime.fromisoformat(item["birth_date"])
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def world(areas):
    return World(areas)


@pytest.fixture
def listed_on(world):
    """The border police's confidential list: the registrar (case worker) may keep it."""
    return watchlist(world.bpc)


def run_import(listed_on, content, *, actor=None, filename="WL.csv", **options):
    return watchlist_import(
        actor=actor, watchlist=listed_on, content=content, filename=filename, today=TODAY, **options
    )


def stored(listed_on):
    return {item.reference: item for item in WatchlistEntry.objects.filter(watchlist=listed_on)}


def entry_audit(**filters):
    return list(
        AuditEntry.objects.filter(object_type="border.watchlistentry", **filters).order_by("pk")
    )


def contents(listed_on):
    return sorted(
        (
            item.reference,
            tuple(item.names),
            item.birth_date,
            item.birth_date_precision,
            item.nationality,
            tuple(item.document_numbers),
            item.reason,
            item.action,
            item.valid_from,
            item.valid_until,
            item.fingerprint,
        )
        for item in stored(listed_on).values()
    )


# --- Good files ---------------------------------------------------------------------------------


def test_a_csv_file_creates_its_entries_with_an_audit_row_each(world, listed_on):
    report = run_import(listed_on, csv_bytes(rows()), actor=world.registrar)

    assert report.ok, report.error_lines()
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert (report.format, report.encoding) == ("csv", "utf-8")
    entries = stored(listed_on)
    first, second, third = entries["W1"], entries["W2"], entries["W3"]
    assert first.names == ["احمد خليل ابراهيم الجبوري", "Abu Hamza", "أبو حمزة"]
    assert (first.birth_date, first.birth_date_precision) == (
        datetime.date(1980, 5, 3),
        DatePrecision.DAY,
    )
    assert first.nationality == "IRQ"
    assert first.document_numbers == ["A1234567", "B-7654321"]
    assert first.document_numbers_normalised == ["A1234567", "B7654321"]
    assert (first.action, first.valid_from, first.valid_until) == (
        "arrest",
        datetime.date(2025, 1, 1),
        None,
    )
    assert (second.birth_date, second.birth_date_precision) == (
        datetime.date(1975, 7, 1),
        DatePrecision.YEAR,
    )
    assert (second.nationality, second.action) == ("IRQ", "refer")  # a country name; the default
    assert (third.action, third.valid_until) == ("deny_entry", datetime.date(2030, 12, 31))
    for item in entries.values():
        assert item.fingerprint == item.compute_fingerprint()
        assert item.names_normalised
        assert item.search_text.strip()

    created = entry_audit(action=AuditAction.CREATE)
    assert [row.context["row"] for row in created] == [2, 3, 4]
    assert {row.object_id for row in created} == {str(item.pk) for item in entries.values()}
    assert all(row.actor == world.registrar for row in created)
    assert all(row.context["source"] == "WL.csv" for row in created)
    assert all(row.organisation_id == world.bpc.pk for row in created)
    assert created[0].changes["fingerprint"] == [None, first.fingerprint]
    (summary,) = AuditEntry.objects.filter(action=AuditAction.IMPORT)
    assert (summary.object_type, summary.object_id) == ("border.watchlist", str(listed_on.pk))
    assert (summary.context["created"], summary.context["rows"]) == (3, 3)


def test_an_xlsx_file_gives_the_same_entries_as_the_csv(world, listed_on):
    from_csv = listed_on
    from_xlsx = watchlist(world.bpc, name="From a workbook")
    run_import(from_csv, csv_bytes(rows()))

    report = run_import(from_xlsx, xlsx_bytes(rows()), filename="WL.xlsx")

    assert report.ok, report.error_lines()
    assert (report.format, report.created) == ("xlsx", 3)
    assert contents(from_xlsx) == contents(from_csv)


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (b"\xef\xbb\xbf" + csv_bytes(rows()), "utf-8"),
        (csv_bytes(rows(), encoding="cp1256"), "windows-1256"),
        (csv_bytes(rows(), encoding="utf-16"), "utf-8"),
    ],
    ids=["utf-8 with BOM", "windows-1256", "utf-16"],
)
def test_csv_in_every_encoding_the_reader_takes(world, listed_on, content, encoding):
    report = run_import(listed_on, content)

    assert report.ok, report.error_lines()
    assert (report.created, report.encoding) == (3, encoding)
    assert stored(listed_on)["W1"].names[0] == "احمد خليل ابراهيم الجبوري"
    assert stored(listed_on)["W3"].names[1] == "عمر جاسم حسن الدليمي"


# --- Bad rows: all or nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "column", "words"),
    [
        ({"entry_id": ""}, "entry_id", "no entry_id"),
        ({"entry_id": "W1"}, "entry_id", "W1 is already used on row 2"),
        ({"entry_id": "X" * 65}, "entry_id", "at most 64 characters"),
        ({"full_name": ""}, "full_name", "no name"),
        ({"birth_date": "03/05/1966"}, "birth_date", "“03/05/1966” is not a birth date"),
        ({"birth_date": "2999"}, "birth_date", "“2999” is not a birth date"),
        ({"nationality": "Atlantis"}, "nationality", "ICAO code"),
        ({"action": "shoot"}, "action", "“shoot” is not an action on a hit"),
        ({"valid_from": "2026-13-01"}, "valid_from", "not a date YYYY-MM-DD"),
        (
            {"valid_from": "2026-05-01", "valid_until": "2026-04-01"},
            "valid_until",
            "before valid_from",
        ),
    ],
    ids=[
        "no entry_id",
        "repeated entry_id",
        "long entry_id",
        "no name",
        "malformed birth date",
        "future birth year",
        "unknown nationality",
        "unknown action",
        "bad validity date",
        "validity reversed",
    ],
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(
    world, listed_on, changes, column, words
):
    good, bad = rows()[0], {**rows()[2], "entry_id": "W9", **changes}

    report = run_import(listed_on, csv_bytes([good, bad]), actor=world.registrar)

    assert not report.ok
    assert {(error.row, error.column) for error in report.errors} == {(3, column)}
    assert any(words in error.message for error in report.errors), report.error_lines()
    assert report.error_lines()[0].startswith(f"row 3, column {column}: ")
    assert report.error_header.startswith("Nothing was imported: the file has")
    assert (report.created, report.updated) == (0, 0)
    assert not WatchlistEntry.objects.exists()
    assert not AuditEntry.objects.filter(object_type="border.watchlistentry").exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_every_bad_row_is_listed_in_order(listed_on):
    items = rows()
    items[0]["birth_date"] = "1980-02-30"
    items[2]["action"] = "shoot"
    items[2]["nationality"] = "Atlantis"

    report = run_import(listed_on, csv_bytes(items))

    assert [(error.row, error.column) for error in report.errors] == [
        (2, "birth_date"),
        (4, "nationality"),  # too long, and not a code
        (4, "nationality"),
        (4, "action"),
    ]
    assert not WatchlistEntry.objects.exists()


def test_a_file_that_cannot_be_used_says_why(listed_on):
    report = run_import(listed_on, b"id,full_name\nW1,Ahmed\n", filename="bad.csv")

    assert not report.ok
    assert "bad.csv: the column entry_id is missing" in report.problem
    assert report.error_lines() == [report.problem]
    assert not WatchlistEntry.objects.exists()


def test_a_change_the_stored_entry_cannot_take_fails_the_whole_file(listed_on):
    run_import(listed_on, csv_bytes(rows()))
    items = rows()
    items[1]["reason"] = "New reason"
    items[0]["valid_until"] = "2024-12-31"  # W1 is valid from 2025-01-01 in Marsad
    header = [column for column in HEADER if column != "valid_from"]

    report = run_import(listed_on, csv_bytes(items, header=header))

    assert [(error.row, error.column) for error in report.errors] == [(2, "valid_until")]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)
    assert stored(listed_on)["W2"].reason == "Wanted for questioning"
    assert stored(listed_on)["W1"].valid_until is None
    assert len(entry_audit(action=AuditAction.UPDATE)) == 0


# --- Idempotence and changes --------------------------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(world, listed_on):
    run_import(listed_on, csv_bytes(rows()), actor=world.registrar)
    before = contents(listed_on)
    audit_rows = AuditEntry.objects.count()

    again = run_import(listed_on, csv_bytes(rows()), actor=world.registrar)
    as_workbook = run_import(listed_on, xlsx_bytes(rows()), filename="WL.xlsx")

    for report in (again, as_workbook):
        assert report.ok
        assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert contents(listed_on) == before
    assert AuditEntry.objects.count() == audit_rows  # not even an import row


def test_a_changed_row_updates_its_entry_and_a_new_fingerprint_raises_cleared_hits_again(
    world, listed_on
):
    run_import(listed_on, csv_bytes(rows()))
    renamed, reasoned = stored(listed_on)["W3"], stored(listed_on)["W2"]
    crossing = cross(world.safwan_point, number="C1111111")
    raised = services.hits_raise(
        actor=None,
        document=crossing.document,
        crossing=crossing,
        matches=[services.ScreeningMatch(entry_id=renamed.pk, score=90)],
    )
    services.hit_decide(actor=None, hit=raised.created[0], status="cleared", note="Not him.")
    assert services.cleared_before(crossing.document, renamed)
    items = rows()
    items[2]["aliases"] = "عمر جاسم الدليمي"
    items[1]["reason"] = "Questioning closed; keep for a year"
    items.append({**rows()[1], "entry_id": "W4", "full_name": "Ali Hassan"})

    report = run_import(listed_on, csv_bytes(items), actor=world.registrar)

    assert (report.created, report.updated, report.unchanged) == (1, 2, 1)
    after = stored(listed_on)
    assert after["W3"].names == ["Omar Jasim Hassan al-Dulaimi", "عمر جاسم الدليمي"]
    assert after["W3"].fingerprint != renamed.fingerprint
    assert after["W3"].fingerprint == after["W3"].compute_fingerprint()
    assert after["W2"].fingerprint == reasoned.fingerprint  # the reason is not matched on
    assert after["W2"].reason == "Questioning closed; keep for a year"
    assert not services.cleared_before(crossing.document, after["W3"])
    updates = {row.object_id: row for row in entry_audit(action=AuditAction.UPDATE)}
    assert set(updates[str(renamed.pk)].changes) >= {"names", "fingerprint"}
    assert updates[str(renamed.pk)].context["row"] == 4
    assert set(updates[str(reasoned.pk)].changes) == {"reason"}
    assert updates[str(reasoned.pk)].actor == world.registrar


def test_a_column_the_file_lacks_leaves_those_fields_as_they_are(listed_on):
    run_import(listed_on, csv_bytes(rows()))
    before = contents(listed_on)
    header = ("entry_id", "full_name", "birth_date", "nationality", "document_number")

    report = run_import(listed_on, csv_bytes(rows(), header=header))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert contents(listed_on) == before  # aliases, reason, action and validity kept
    assert any("no column aliases, reason, action" in note for note in report.notes)


def test_a_dry_run_reports_what_would_change_and_writes_nothing(world, listed_on):
    report = run_import(listed_on, csv_bytes(rows()), actor=world.registrar, dry_run=True)

    assert report.ok
    assert (report.created, report.updated) == (3, 0)
    assert report.summary.startswith("Dry run: 3 rows read; 3 entries would be created")
    assert not WatchlistEntry.objects.exists()
    assert not AuditEntry.objects.filter(object_type="border.watchlistentry").exists()


# --- Entries missing from the file --------------------------------------------------------------


def test_entries_missing_from_the_file_are_kept_or_their_validity_ended(world, listed_on):
    by_hand = entry(listed_on)  # no reference: an import never touches it
    run_import(listed_on, csv_bytes(rows()))
    only_first = csv_bytes(rows()[:1])

    kept = run_import(listed_on, only_first)

    assert (kept.missing, kept.ended, kept.unchanged) == (2, 0, 1)
    assert any("2 entries of the watchlist are not in the file" in n for n in kept.notes)
    assert WatchlistEntry.objects.filter(watchlist=listed_on).count() == 4
    assert all(
        item.valid_until in (None, datetime.date(2030, 12, 31))
        for item in stored(listed_on).values()
    )

    checked = run_import(listed_on, only_first, dry_run=True, deactivate_missing=True)
    assert (checked.missing, checked.ended) == (2, 2)
    assert stored(listed_on)["W2"].valid_until is None

    ended = run_import(listed_on, only_first, deactivate_missing=True, actor=world.registrar)

    yesterday = TODAY - datetime.timedelta(days=1)
    assert (ended.missing, ended.ended) == (2, 2)
    after = stored(listed_on)
    assert after["W2"].valid_until == after["W3"].valid_until == yesterday
    assert not after["W2"].in_force_on(TODAY)
    assert after["W1"].in_force_on(TODAY)
    assert WatchlistEntry.objects.get(pk=by_hand.pk).valid_until is None
    closing = [
        row
        for row in entry_audit(action=AuditAction.UPDATE)
        if row.context.get("deactivate_missing")
    ]
    assert {row.object_id for row in closing} == {str(after["W2"].pk), str(after["W3"].pk)}
    assert closing[0].changes["valid_until"][1] == yesterday.isoformat()

    again = run_import(listed_on, only_first, deactivate_missing=True)
    assert (again.missing, again.ended) == (2, 0)  # already ended

    back = run_import(listed_on, csv_bytes(rows()))
    assert (back.updated, back.unchanged) == (2, 1)
    assert stored(listed_on)["W2"].in_force_on(TODAY)


# --- Who may import -----------------------------------------------------------------------------


def test_only_those_cleared_for_the_watchlist_import_into_it(world, listed_on):
    restricted = watchlist(world.bpc, name="Restricted", sensitivity=Sensitivity.RESTRICTED)

    for outsider in (world.hq, world.im, world.krg_officer, world.donor):
        with pytest.raises(PermissionDenied):  # a confidential list: none of them is cleared
            run_import(listed_on, csv_bytes(rows()), actor=outsider)
    for outsider in (world.krg_officer, world.donor):
        with pytest.raises(PermissionDenied):
            run_import(restricted, csv_bytes(rows()), actor=outsider)
    assert not WatchlistEntry.objects.exists()

    assert run_import(restricted, csv_bytes(rows()), actor=world.hq).created == 3
    assert run_import(listed_on, csv_bytes(rows()), actor=world.admin).created == 3


# --- Command line -------------------------------------------------------------------------------


def import_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("border", "import-watchlist", *[str(arg) for arg in args], stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


@pytest.fixture
def wl_file(tmp_path):
    path = tmp_path / "WL.csv"
    path.write_bytes(csv_bytes(rows(), encoding="cp1256"))
    return path


def test_the_command_imports_and_reimports(listed_on, wl_file):
    checked, _err = import_command(wl_file, "--watchlist", listed_on.pk, "--dry-run")
    assert checked.startswith("Dry run: 3 rows read; 3 entries would be created")
    assert not WatchlistEntry.objects.exists()

    out, _err = import_command(wl_file, "--watchlist", listed_on.pk)
    assert out == "3 rows read; 3 entries created, 0 updated, 0 unchanged."
    assert (
        AuditEntry.objects.filter(object_type="border.watchlistentry", actor__isnull=True).count()
        == 3
    )

    again, _err = import_command(wl_file, "--watchlist", listed_on.pk)
    assert again == "3 rows read; 0 entries created, 0 updated, 3 unchanged."


def test_the_command_lists_row_errors_and_exits_1(listed_on, tmp_path):
    items = rows()
    items[1]["birth_date"] = "03/05/1966"
    bad = tmp_path / "WL.csv"
    bad.write_bytes(csv_bytes(items))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported: the file has 1 error") as error:
        call_command(
            "border", "import-watchlist", str(bad), "--watchlist", str(listed_on.pk), stderr=err
        )

    assert error.value.returncode == 1
    assert "row 3, column birth_date: “03/05/1966” is not a birth date" in err.getvalue()
    assert not WatchlistEntry.objects.exists()


def test_the_command_exits_2_for_what_it_cannot_use(listed_on, wl_file, tmp_path):
    no_column = tmp_path / "bad.csv"
    no_column.write_text("id,full_name\nW1,Ahmed\n", encoding="utf-8")
    for args, words in (
        ((no_column, "--watchlist", listed_on.pk), "the column entry_id is missing"),
        ((wl_file, "--watchlist", listed_on.pk + 1000), "there is no watchlist with the id"),
        ((tmp_path / "none.csv", "--watchlist", listed_on.pk), "cannot read"),
    ):
        with pytest.raises(CommandError, match=words) as error:
            import_command(*args)
        assert error.value.returncode == 2
    assert not WatchlistEntry.objects.exists()


def test_the_entry_point_exits_2_without_a_watchlist(wl_file):
    marsad = Path(sys.executable).with_name("marsad")
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MARSAD_", "DJANGO_"))
    }
    result = subprocess.run(  # noqa: S603 - our own command line, fixed arguments
        [str(marsad), "border", "import-watchlist", str(wl_file)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "--watchlist" in result.stderr


# --- API ----------------------------------------------------------------------------------------


def api_import(api_client, user, listed_on, content=None, name="WL.csv", **fields):
    api_client.force_authenticate(user)
    upload = SimpleUploadedFile(name, content or csv_bytes(rows()), content_type="text/csv")
    return api_client.post(
        f"/api/v1/border/watchlists/{listed_on.pk}/import/",
        {"file": upload, **fields},
        format="multipart",
    )


def test_the_api_imports_and_answers_the_report(api_client, world, listed_on):
    checked = api_import(api_client, world.registrar, listed_on, dry_run=True)
    assert checked.status_code == 200, checked.json()
    assert (checked.json()["dry_run"], checked.json()["created"]) == (True, 3)
    assert not WatchlistEntry.objects.exists()

    answer = api_import(api_client, world.registrar, listed_on)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (3, 0, 0, [])
    assert "Abu Hamza" not in str(body)  # counts, not entries
    assert "A1234567" not in str(body)

    again = api_import(api_client, world.registrar, listed_on)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (
        0,
        0,
        3,
    )


def test_the_api_imports_a_large_list_in_the_background(
    api_client, world, listed_on, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_import(api_client, world.registrar, listed_on, background=True)
    assert answer.status_code == 202, answer.json()
    assert answer["Location"] == answer.json()["url"]
    followed = api_client.get(answer["Location"]).json()
    assert followed["status"] == "succeeded", followed["error"]
    assert (followed["result"]["created"], followed["result"]["dry_run"]) == (3, False)
    assert WatchlistEntry.objects.count() == 3
    assert list((tmp_path / "media" / "uploads").iterdir()) == []


def test_the_api_answers_400_with_every_error(api_client, world, listed_on):
    items = rows()
    items[2]["action"] = "shoot"

    answer = api_import(api_client, world.registrar, listed_on, csv_bytes(items))

    assert answer.status_code == 400
    body = answer.json()
    (error,) = body["errors"]
    assert (error["field"], error["row"], error["column"]) == ("file", 4, "action")
    assert error["message"].startswith("row 4, column action: “shoot” is not an action")
    assert (body["report"]["error_count"], body["report"]["created"]) == (1, 0)
    assert not WatchlistEntry.objects.exists()

    no_file = api_client.post(
        f"/api/v1/border/watchlists/{listed_on.pk}/import/", {}, format="multipart"
    )
    assert no_file.status_code == 400
    assert no_file.json()["errors"][0]["field"] == "file"


def test_the_api_refuses_those_not_cleared(api_client, world, listed_on):
    restricted = watchlist(world.bpc, name="Restricted", sensitivity=Sensitivity.RESTRICTED)

    assert api_import(api_client, world.donor, listed_on).status_code == 403
    assert api_import(api_client, world.hq, listed_on).status_code == 404  # confidential
    assert api_import(api_client, world.krg_officer, restricted).status_code == 404
    api_client.force_authenticate(None)
    assert api_client.post(f"/api/v1/border/watchlists/{listed_on.pk}/import/").status_code == 401
    assert not WatchlistEntry.objects.exists()
    assert api_import(api_client, world.hq, restricted).status_code == 201


def test_the_api_lists_the_watchlists_one_is_cleared_for(api_client, world, listed_on):
    restricted = watchlist(world.bpc, name="Restricted", sensitivity=Sensitivity.RESTRICTED)
    run_import(listed_on, csv_bytes(rows()))

    api_client.force_authenticate(world.registrar)
    listed = api_client.get("/api/v1/border/watchlists/").json()["results"]
    assert [(row["name"], row["entry_count"]) for row in listed] == [
        ("Restricted", 0),
        ("Wanted persons", 3),
    ]
    api_client.force_authenticate(world.hq)
    assert [
        row["id"] for row in api_client.get("/api/v1/border/watchlists/").json()["results"]
    ] == [restricted.pk]
    assert api_client.get(f"/api/v1/border/watchlists/{listed_on.pk}/").status_code == 404


# --- Pages --------------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload_page(listed_on):
    return reverse("border:watchlist-import", args=[listed_on.pk])


def post_file(client, listed_on, content=None, **fields):
    upload = SimpleUploadedFile("WL.csv", content or csv_bytes(rows()), content_type="text/csv")
    return client.post(upload_page(listed_on), {"file": upload, **fields})


def test_the_upload_page_is_for_those_who_may_import(client, world, listed_on):
    client.force_login(world.registrar)
    detail = client.get(reverse("border:watchlist-detail", args=[listed_on.pk]))
    assert detail.status_code == 200
    assert upload_page(listed_on) in detail.content.decode()
    assert client.get(upload_page(listed_on)).status_code == 200
    assert upload_page(listed_on) in client.get(reverse("border:watchlist-list")).content.decode()

    client.force_login(world.hq)  # not cleared for confidential lists: the list is not found
    assert client.get(upload_page(listed_on)).status_code == 404
    assert listed_on.name not in client.get(reverse("border:watchlist-list")).content.decode()
    client.force_login(world.donor)
    assert client.get(upload_page(listed_on)).status_code == 403


def test_a_dry_run_upload_writes_nothing_then_the_import_does(
    client, world, listed_on, media_root, django_capture_on_commit_callbacks
):
    client.force_login(world.registrar)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, listed_on, dry_run="on")

    run = TaskRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert (run.result["created"], run.result["dry_run"]) == (3, True)
    assert not WatchlistEntry.objects.exists()
    assert list((media_root / "uploads").iterdir()) == []

    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, listed_on)
    run = TaskRun.objects.order_by("-created_at").first()
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert run.result["created"] == 3
    assert WatchlistEntry.objects.filter(watchlist=listed_on).count() == 3
    assert "3 entries created" in run.message

    client.force_login(world.hq)  # the report is the importer's own
    assert client.get(reverse("core:task-detail", args=[run.pk])).status_code == 404


def test_an_upload_with_row_errors_fails_its_task_with_each_error(
    client, world, listed_on, media_root, django_capture_on_commit_callbacks
):
    items = rows()
    items[0]["birth_date"] = "1980-02-30"
    client.force_login(world.registrar)
    with django_capture_on_commit_callbacks(execute=True):
        post_file(client, listed_on, csv_bytes(items))

    run = TaskRun.objects.get()
    assert run.status == TaskStatus.FAILED
    assert "row 2, column birth_date: “1980-02-30” is not a birth date" in run.error
    assert run.result["error_count"] == 1
    page = client.get(reverse("core:task-detail", args=[run.pk])).content.decode()
    assert "row 2, column birth_date" in page
    assert not WatchlistEntry.objects.exists()
