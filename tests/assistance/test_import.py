"""Importing completed distribution lists: what a good list records; each bad input reported in
plain words by row and column with nothing written; a double assistance naming the earlier
receipt (recorded before, or on an earlier row of the list, or through a linked household);
the supervisor's override column; dry run; idempotence; encodings and XLSX.

The helpers at the top (``csv_bytes``, ``xlsx_bytes``, ``import_list``) serve the view and
command tests too."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from marsad.assistance.importers import apply, receipt_list_import
from marsad.assistance.importers.rows import row_hash
from marsad.assistance.models import Receipt
from marsad.core.models import AuditAction, AuditEntry
from marsad.registry import services as registry
from tests.assistance.factories import FOOD, GRANT, household, plan, receipt
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db

HEADER = (
    "row_key",
    "registration_number",
    "person",
    "assistance",
    "quantity",
    "received_on",
    "id_checked",
    "signed",
    "thumbprint",
    "recorder",
    "override_reason",
)


def csv_bytes(rows, *, encoding="utf-8", header=HEADER):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(column, None) for column in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_list(plan, rows, *, actor=None, dry_run=False, content=None, filename="list.csv"):
    return receipt_list_import(
        actor=actor,
        plan=plan,
        content=csv_bytes(rows) if content is None else content,
        filename=filename,
        dry_run=dry_run,
    )


def row(household, **cells):
    values = {
        "registration_number": household.registration_number,
        "assistance": "food_parcel",
        "received_on": "2026-02-01",
    }
    values.update(cells)
    return values


@pytest.fixture
def grants(areas, ngo, programme):
    """An approved plan giving an in-kind grant and a food parcel to each household."""
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD])


@pytest.fixture
def second_round(areas, other_ngo, programme):
    """Another partner's plan in the same programme and cycle, giving food parcels."""
    return plan(
        other_ngo,
        programme,
        areas["basrah"],
        items=[FOOD],
        code="PHSS-BA-2026-R1-B",
        title="Food parcels, Al-Zubair",
    )


@pytest.fixture
def families(areas, ngo):
    """Two households of NGO-A in Al-Zubair: Fatima's (with her son Ali) and Mohammed's."""
    fatima = register(
        ngo,
        areas["zubair"],
        [
            head(given_name="فاطمة", father_name="حسن", family_name="الموسوي", sex="female"),
            {
                "relationship": "son",
                "given_name": "علي",
                "father_name": "كريم",
                "family_name": "الموسوي",
                "sex": "male",
                "documents": [{"kind": "national_id", "number": "1990 1234 5678"}],
            },
        ],
    )
    return fatima, household(ngo, areas["zubair"])


@pytest.fixture
def reporter(ngo):
    return member("partner_reporter", ngo, username="reporter")


@pytest.fixture
def supervisor(ngo):
    return member("im_officer", ngo, username="supervisor")


def errors(report):
    return report.error_lines()


# --- A good list ------------------------------------------------------------------------------


def test_a_good_list_records_each_receipt_through_the_service(grants, families, reporter):
    fatima, mohammed = families
    son = fatima.members.get(given_name="علي")
    report = import_list(
        grants,
        [
            row(fatima, row_key="V-001", person="علي كريم", id_checked="yes", thumbprint="1"),
            row(mohammed, row_key="V-002", assistance="In-kind livelihood grant", signed="نعم"),
            row(fatima, row_key="V-003", assistance="livelihood_grant", person="1990-1234-5678"),
        ],
        actor=reporter,
    )
    assert report.ok, errors(report)
    assert (report.rows, report.receipts_created, report.overrides, report.unchanged) == (
        3,
        3,
        0,
        0,
    )
    assert report.summary == (
        "Plan PHSS-BA-2026-R1: 3 rows read; 3 receipts recorded (0 of them overrides by a "
        "supervisor); 0 rows were imported before and were left unchanged."
    )
    food = Receipt.objects.get(source_key="V-001")
    assert (food.household, food.person, food.assistance_type, food.quantity) == (
        fatima,
        son,
        "food_parcel",
        Decimal("1.00"),
    )
    assert (food.id_checked, food.signed, food.thumbprint) == (True, False, True)
    assert (food.received_on, food.recorded_by, food.cycle) == (
        datetime.date(2026, 2, 1),
        reporter,
        "2026-R1",
    )
    grant = Receipt.objects.get(source_key="V-002")
    assert (grant.household, grant.person, grant.assistance_type, grant.signed) == (
        mohammed,
        None,
        "livelihood_grant",
        True,
    )
    assert Receipt.objects.get(source_key="V-003").person == son  # by national ID
    assert (
        AuditEntry.objects.filter(
            object_type="assistance.receipt", action=AuditAction.CREATE
        ).count()
        == 3
    )
    imported = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert (imported.object_type, imported.actor_username, imported.object_repr) == (
        "assistance.receiptlist",
        "reporter",
        "PHSS-BA-2026-R1: list.csv",
    )
    assert imported.context["receipts_created"] == 3


def test_quantity_recorder_and_a_row_without_a_key(grants, families, reporter, ngo):
    fatima, _mohammed = families
    colleague = member("field_monitor", ngo, username="Layla")
    cells = row(fatima, quantity="2.5", recorder="layla")
    report = import_list(grants, [cells], actor=reporter)
    assert report.ok, errors(report)
    recorded = Receipt.objects.get()
    assert (recorded.quantity, recorded.recorded_by) == (Decimal("2.50"), colleague)
    payload = {key: value for key, value in cells.items() if value}
    assert recorded.source_key == row_hash(payload)
    assert len(recorded.source_key) == 64


def test_the_assistance_may_be_left_empty_when_the_plan_gives_one_item(second_round, families):
    fatima, _mohammed = families
    report = import_list(second_round, [row(fatima, assistance="")])
    assert report.ok, errors(report)
    assert Receipt.objects.get().assistance_type == "food_parcel"


def test_headers_are_read_by_name_and_alias_in_any_order_and_case(second_round, families):
    fatima, _mohammed = families
    content = (
        "Date received;Household;Item;Voucher\r\n"
        f"01/02/2026;{fatima.registration_number.lower()};Food parcel;A1\r\n"
    ).encode()
    report = import_list(second_round, [], content=content)
    assert report.ok, errors(report)
    assert Receipt.objects.get().household == fatima


def test_progress_is_reported_to_the_end(grants, families):
    seen = []
    receipt_list_import(
        actor=None,
        plan=grants,
        content=csv_bytes([row(household) for household in families]),
        filename="list.csv",
        progress=lambda done, total, message: seen.append((done, total)),
    )
    assert seen[0] == (0, 2)
    assert seen[-1] == (2, 2)


# --- Bad input: every error in plain words, nothing written -----------------------------------


def assert_nothing_written():
    assert not Receipt.objects.exists()
    assert not AuditEntry.objects.filter(
        object_type__in=["assistance.receipt", "assistance.receiptlist"]
    ).exists()


def test_an_unknown_household(grants, families):
    report = import_list(
        grants, [row(families[0]), {**row(families[1]), "registration_number": "BA-2026-999999"}]
    )
    assert errors(report) == [
        "row 3, column registration_number: no household you may see has the registration "
        "number BA-2026-999999"
    ]
    assert report.receipts_created == 0
    assert_nothing_written()


def test_a_household_out_of_the_importer_s_scope_is_unknown_to_them(
    grants, families, reporter, areas, other_ngo
):
    theirs = household(other_ngo, areas["zubair"])
    report = import_list(grants, [row(theirs)], actor=reporter)
    assert errors(report) == [
        "row 2, column registration_number: no household you may see has the registration "
        f"number {theirs.registration_number}"
    ]
    assert_nothing_written()


def test_unknown_items(grants, second_round, families):
    fatima, mohammed = families
    report = import_list(
        second_round,
        [row(fatima, assistance="blanket"), row(mohammed, assistance="hygiene_kit")],
    )
    assert errors(report) == [
        "row 2, column assistance: blanket is not a kind of assistance; write one of "
        "food_parcel, nfi_kit, hygiene_kit, water, cash_grant, livelihood_grant, "
        "vocational_training, agricultural_course",
        "row 3, column assistance: plan PHSS-BA-2026-R1-B gives no Hygiene kit; it gives "
        "Food parcel",
    ]
    report = import_list(grants, [row(fatima, assistance="")])
    assert errors(report) == [
        "row 2, column assistance: empty; plan PHSS-BA-2026-R1 gives Food parcel, In-kind "
        "livelihood grant: say which this row received"
    ]
    assert_nothing_written()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "0 is not above zero; give the quantity received"),
        ("0.00", "0.00 is not above zero; give the quantity received"),
        ("-2", "-2 is below zero; give the quantity received, above zero"),
        ("two", "two is not a number"),
        ("1.255", "1.255 has more than two decimals"),
    ],
)
def test_a_quantity_of_zero_or_less_or_not_a_number(grants, families, quantity, message):
    report = import_list(grants, [row(families[0], quantity=quantity)])
    assert errors(report) == [f"row 2, column quantity: {message}"]
    assert_nothing_written()


def test_dates_outside_the_plan_or_unreadable(grants, families):
    fatima, mohammed = families
    report = import_list(
        grants,
        [
            row(fatima, received_on="2026-01-09"),  # the day before the plan starts
            row(mohammed, received_on="2027-01-01"),  # in the future
            row(fatima, assistance="livelihood_grant", received_on="Feb 1"),
            row(mohammed, assistance="livelihood_grant", received_on=""),
        ],
    )
    assert errors(report) == [
        "row 2, column received_on: The date received must fall within the plan's dates, "
        "Jan. 10, 2026 to ….",
        "row 3, column received_on: The date received cannot be in the future.",
        "row 4, column received_on: Feb 1 is not a date; write 2026-02-01 or 01/02/2026",
        "row 5, column received_on: empty; give the date the assistance was received",
    ]
    assert_nothing_written()


def test_a_date_after_the_plan_s_end(areas, ngo, programme, families):
    ended = plan(ngo, programme, areas["basrah"], items=[FOOD], end_date=datetime.date(2026, 1, 31))
    report = import_list(ended, [row(families[0])])
    assert errors(report) == [
        "row 2, column received_on: The date received must fall within the plan's dates, "
        "Jan. 10, 2026 to Jan. 31, 2026."
    ]


def test_repeated_rows(grants, families):
    fatima, mohammed = families
    report = import_list(
        grants,
        [
            row(fatima, row_key="V-1"),
            row(mohammed, row_key="V-1"),
            row(mohammed, assistance="livelihood_grant"),
            row(mohammed, assistance="livelihood_grant"),
        ],
    )
    assert errors(report) == [
        "row 3, column row_key: V-1 is also on row 2; each receipt has its own key",
        "row 5: the same row as row 4",
    ]
    assert_nothing_written()


def test_missing_columns_and_a_column_twice(grants):
    report = import_list(
        grants, [], content=b"household,item,household_registration_number\r\nX,food_parcel,X\r\n"
    )
    assert errors(report) == [
        "row 1, column registration_number: the column appears twice; keep one",
        "row 1, column received_on: the column is missing",
    ]
    assert report.rows == 1


def test_a_row_for_another_plan(grants, families):
    wrong = [{**row(families[0]), "plan": "PHSS-BA-2026-R2"}]
    report = import_list(grants, [], content=csv_bytes(wrong, header=(*HEADER, "plan")))
    assert errors(report) == [
        "row 2, column plan: this row is for plan PHSS-BA-2026-R2, but the list is imported "
        "into PHSS-BA-2026-R1"
    ]
    ok = import_list(
        grants,
        [],
        content=csv_bytes(
            [{**row(families[0]), "plan": "phss-ba-2026-r1"}], header=(*HEADER, "plan")
        ),
    )
    assert ok.ok, errors(ok)


def test_persons_that_cannot_be_told(grants, families, areas, ngo):
    fatima, mohammed = families
    twins = register(
        ngo,
        areas["zubair"],
        [
            head(),
            head(relationship="son", given_name="حسين"),
            head(relationship="son", given_name="حسين"),
        ],
    )
    report = import_list(
        grants,
        [
            row(fatima, person="زينب"),
            row(twins, person="حسين"),
            row(mohammed, assistance="livelihood_grant", person="1990 1234 5678"),
        ],
    )
    number = fatima.registration_number
    assert errors(report) == [
        f"row 2, column person: زينب is not an active member of household {number}; give the "
        "member's national ID number or name as registered",
        f"row 3, column person: حسين fits 2 members of household {twins.registration_number}; "
        "give more of the name, or the national ID number",
        "row 4, column person: 1990 1234 5678 is not an active member of household "
        f"{mohammed.registration_number}; give the member's national ID number or name as "
        "registered",
    ]


def test_a_training_row_names_its_trainee(areas, ngo, programme, families):
    training = plan(
        ngo,
        programme,
        areas["basrah"],
        items=[{"assistance_type": "vocational_training", "quantity": 1}],
        code="PHSS-VT-2026",
    )
    report = import_list(training, [row(families[0], assistance="vocational_training", person="")])
    assert errors(report) == [
        "row 2, column person: Name the household member who attended the training or course."
    ]
    report = import_list(
        training,
        [row(families[0], assistance="Vocational training", person="Ali Karim")],  # romanised
    )
    assert report.ok, errors(report)
    assert Receipt.objects.get().person.given_name == "علي"


def test_recorders_who_are_unknown_or_may_not_record_for_the_plan(grants, families, other_ngo):
    member("partner_reporter", other_ngo, username="outsider")
    report = import_list(
        grants,
        [row(families[0], recorder="nobody"), row(families[1], recorder="outsider")],
    )
    assert errors(report) == [
        "row 2, column recorder: nobody is not the user name of an active user",
        "row 3, column recorder: outsider may not record receipts for plan PHSS-BA-2026-R1",
    ]


# --- Double assistance ------------------------------------------------------------------------


def test_a_double_assistance_names_the_earlier_receipt(grants, second_round, families):
    fatima, mohammed = families
    earlier = receipt(second_round, fatima)
    report = import_list(grants, [row(mohammed), row(fatima, received_on="2026-02-20")])
    number = fatima.registration_number
    assert errors(report) == [
        f"row 3, column registration_number: Household {number} already received Food parcel "
        f"in cycle 2026-R1 of PHSS: receipt {earlier.pk} on Feb. 1, 2026 under plan "
        "PHSS-BA-2026-R1-B (Food parcels, Al-Zubair). A supervisor may record this one only "
        "as an override, with a reason."
    ]
    assert list(Receipt.objects.all()) == [earlier]


def test_a_double_assistance_within_the_list(grants, families):
    fatima, _mohammed = families
    report = import_list(grants, [row(fatima, row_key="A"), row(fatima, row_key="B")])
    assert errors(report) == [
        f"row 3, column registration_number: Household {fatima.registration_number} already "
        "receives Food parcel on row 2 of this list; a household receives it once in a cycle. "
        "Keep one of the rows, or give an override reason (supervisors only)."
    ]
    assert_nothing_written()


def test_a_double_assistance_through_a_linked_household_within_the_list(
    grants, families, areas, other_ngo
):
    fatima, _mohammed = families
    again = household(other_ngo, areas["zubair"], female=True)  # the same family, elsewhere
    registry.person_merge(
        actor=None, survivor=fatima.members.get(relationship="head"), merged=again.members.get()
    )
    report = import_list(grants, [row(fatima), row(again)])
    assert errors(report) == [
        f"row 3, column registration_number: Household {again.registration_number} is linked "
        f"to household {fatima.registration_number} (the same people registered again), "
        "which receives Food parcel on row 2 of this list; a household receives it once in a "
        "cycle. Keep one of the rows, or give an override reason (supervisors only)."
    ]
    assert_nothing_written()


def test_a_supervisor_s_override_reason_lets_the_second_receipt_in(
    grants, second_round, families, supervisor
):
    fatima, _mohammed = families
    earlier = receipt(second_round, fatima)
    reason = "The first parcel was lost in the flood (report 14/2026)."
    report = import_list(
        grants, [row(fatima, received_on="2026-02-20", override_reason=reason)], actor=supervisor
    )
    assert report.ok, errors(report)
    assert (report.receipts_created, report.overrides) == (1, 1)
    recorded = Receipt.objects.exclude(pk=earlier.pk).get()
    assert recorded.override
    assert (recorded.override_reason, recorded.overridden_by, recorded.overrides_receipt) == (
        reason,
        supervisor,
        earlier,
    )


def test_a_partner_reporter_s_override_reason_is_not_accepted(
    grants, second_round, families, reporter
):
    fatima, mohammed = families
    earlier = receipt(second_round, fatima)
    report = import_list(
        grants,
        [
            row(fatima, received_on="2026-02-20", override_reason="lost in the flood"),
            row(mohammed, override_reason="not a repeat: the reason is ignored"),
        ],
        actor=reporter,
    )
    assert errors(report) == [
        f"row 2, column registration_number: Household {fatima.registration_number} already "
        f"received Food parcel in cycle 2026-R1 of PHSS: receipt {earlier.pk} on Feb. 1, 2026 "
        "under plan PHSS-BA-2026-R1-B (Food parcels, Al-Zubair). A supervisor may record this "
        "one only as an override, with a reason. Only a programme manager, an IM officer or a "
        "system administrator may import a row as an override; the override reason on this "
        "row was not accepted."
    ]
    assert list(Receipt.objects.all()) == [earlier]
    # Without the refused row, the reason on a first receipt is simply not kept.
    report = import_list(
        grants,
        [row(mohammed, override_reason="not a repeat: the reason is ignored")],
        actor=reporter,
    )
    assert report.ok, errors(report)
    assert Receipt.objects.get(household=mohammed).override_reason == ""


def test_a_supervisor_without_a_reason_is_refused_too(grants, second_round, families, supervisor):
    receipt(second_round, families[0])
    report = import_list(grants, [row(families[0], received_on="2026-02-20")], actor=supervisor)
    assert len(errors(report)) == 1
    assert "A supervisor may record this one only as an override" in errors(report)[0]


# --- All or nothing, dry run, idempotence ------------------------------------------------------


def test_all_or_nothing_every_error_at_once(grants, second_round, families):
    fatima, mohammed = families
    earlier = receipt(second_round, fatima)
    report = import_list(
        grants,
        [
            row(mohammed),  # good
            row(fatima, received_on="2026-02-20"),  # double assistance
            row(mohammed, assistance="livelihood_grant", quantity="0"),
            row(fatima, assistance="livelihood_grant"),  # good
            {**row(mohammed), "registration_number": "NO-SUCH"},
        ],
    )
    assert [line.split(":")[0] for line in errors(report)] == [
        "row 3, column registration_number",
        "row 4, column quantity",
        "row 6, column registration_number",
    ]
    assert report.error_header == (
        "Nothing was imported: the file has 3 errors. Correct them and import the file again."
    )
    assert (report.receipts_created, report.overrides) == (0, 0)
    assert list(Receipt.objects.all()) == [earlier]
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()


def test_dry_run_reports_what_the_import_would_do_and_writes_nothing(grants, families, reporter):
    rows = [row(household) for household in families]
    before = AuditEntry.objects.count()
    report = import_list(grants, rows, actor=reporter, dry_run=True)
    assert report.ok, errors(report)
    assert (report.receipts_created, report.unchanged) == (2, 0)
    assert report.summary == (
        "Dry run for plan PHSS-BA-2026-R1: 2 rows read; 2 receipts would be recorded (0 of "
        "them overrides by a supervisor); 0 rows were imported before and would be left "
        "unchanged. Nothing was written."
    )
    assert not Receipt.objects.exists()
    assert AuditEntry.objects.count() == before
    assert import_list(grants, rows, actor=reporter).receipts_created == 2


def test_a_dry_run_with_errors_lists_them(grants, families):
    report = import_list(grants, [row(families[0], quantity="0")], dry_run=True)
    assert report.dry_run
    assert errors(report) == [
        "row 2, column quantity: 0 is not above zero; give the quantity received"
    ]


def test_importing_the_same_list_again_changes_nothing(grants, families, reporter):
    fatima, mohammed = families
    rows = [row(fatima, row_key="V-1"), row(mohammed), row(fatima, assistance="livelihood_grant")]
    first = import_list(grants, rows, actor=reporter)
    assert first.receipts_created == 3
    stored = list(Receipt.objects.order_by("pk").values())
    audited = AuditEntry.objects.count()
    again = import_list(grants, rows, actor=reporter, content=xlsx_bytes(rows), filename="l.xlsx")
    assert again.ok, errors(again)
    assert (again.receipts_created, again.unchanged) == (0, 3)
    assert again.summary.endswith("3 rows were imported before and were left unchanged.")
    assert list(Receipt.objects.order_by("pk").values()) == stored
    assert AuditEntry.objects.count() == audited
    # A row with its own key is the same receipt, even when a cell was changed since.
    changed = [{**rows[0], "quantity": "3"}, *rows[1:]]
    assert import_list(grants, changed, actor=reporter).unchanged == 3
    assert list(Receipt.objects.order_by("pk").values()) == stored


def test_a_key_imported_meanwhile_by_another_import_counts_as_already_imported(
    grants, families, monkeypatch
):
    fatima, _mohammed = families
    import_list(grants, [row(fatima, row_key="V-1")])
    # As if another import committed the row between the check and the write.
    monkeypatch.setattr(apply._Checks, "_imported", lambda self: set())
    report = import_list(grants, [row(fatima, row_key="V-1")])
    assert report.ok, errors(report)
    assert (report.receipts_created, report.unchanged) == (0, 1)
    assert Receipt.objects.count() == 1


def test_new_rows_of_a_list_imported_before_are_added(grants, families):
    fatima, mohammed = families
    import_list(grants, [row(fatima)])
    report = import_list(grants, [row(fatima), row(mohammed)])
    assert (report.receipts_created, report.unchanged) == (1, 1)
    assert Receipt.objects.count() == 2


# --- Encodings and formats --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("cp1256", "windows-1256"), ("utf-8-sig", "utf-8"), ("utf-8", "utf-8")],
)
def test_csv_in_windows_1256_or_utf_8_with_or_without_bom(grants, families, encoding, expected):
    fatima, _mohammed = families
    content = csv_bytes([row(fatima, person="علي", id_checked="نعم")], encoding=encoding)
    report = import_list(grants, [], content=content)
    assert report.ok, errors(report)
    assert report.encoding == expected
    recorded = Receipt.objects.get()
    assert (recorded.person.given_name, recorded.id_checked) == ("علي", True)


def test_xlsx_with_date_and_number_cells(grants, families):
    fatima, mohammed = families
    content = xlsx_bytes(
        [
            row(fatima, received_on=datetime.datetime(2026, 2, 1), quantity=2, id_checked=True),
            row(mohammed, received_on=datetime.date(2026, 2, 3), quantity=1.5),
        ]
    )
    report = import_list(grants, [], content=content, filename="list.xlsx")
    assert report.ok, errors(report)
    assert report.format == "xlsx"
    assert sorted(Receipt.objects.values_list("received_on", "quantity", "id_checked")) == [
        (datetime.date(2026, 2, 1), Decimal("2.00"), True),
        (datetime.date(2026, 2, 3), Decimal("1.50"), False),
    ]


def test_a_file_that_is_no_table(grants):
    report = import_list(grants, [], content=b"PK\x03\x04 broken", filename="list.xlsx")
    assert len(errors(report)) == 1
    assert errors(report)[0].startswith("row 1: the file is not a readable XLSX workbook")
    report = import_list(grants, [], content=b"")
    assert errors(report) == ["row 1: the file is empty"]


# --- Who may import into which plan ------------------------------------------------------------


def test_another_partner_may_not_import_into_the_plan(grants, families, other_ngo):
    outsider = member("partner_reporter", other_ngo)
    with pytest.raises(PermissionDenied):
        import_list(grants, [row(families[0])], actor=outsider)
    assert_nothing_written()


def test_a_draft_plan_takes_no_list(areas, ngo, programme, families):
    draft = plan(ngo, programme, areas["basrah"], items=[FOOD], approve=False)
    with pytest.raises(ValidationError) as refused:
        import_list(draft, [row(families[0])])
    assert refused.value.messages == [
        "Receipts are recorded only for approved plans; this plan is draft."
    ]


def test_find_plan_by_code_or_number(grants):
    assert apply.find_plan("phss-ba-2026-r1") == grants
    assert apply.find_plan(str(grants.pk)) == grants
    assert apply.find_plan("NO-SUCH") is None
    assert apply.find_plan("") is None
