"""``marsad assistance import-receipts FILE --plan CODE_OR_ID [--dry-run] [--user USERNAME]``:
the summary printed, every error printed with nothing written, the plan by code or number,
and the import run as the system or as a named user with that user's rights."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marsad.assistance.models import Receipt
from tests.assistance.factories import FOOD, GRANT, household, plan, receipt
from tests.assistance.test_import import csv_bytes, row, xlsx_bytes
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def grants(areas, ngo, programme):
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD])


@pytest.fixture
def families(areas, ngo):
    return household(ngo, areas["zubair"], female=True), household(ngo, areas["zubair"])


def write(tmp_path, rows, name="list.csv"):
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows))
    return str(path)


def run(*args, capsys=None):
    call_command("assistance", "import-receipts", *args)
    return capsys.readouterr().out if capsys else None


def test_import_prints_the_summary(tmp_path, grants, families, capsys):
    path = write(tmp_path, [row(household) for household in families])
    out = run(path, "--plan", "PHSS-BA-2026-R1", capsys=capsys)
    assert out.strip() == (
        "Plan PHSS-BA-2026-R1: 2 rows read; 2 receipts recorded (0 of them overrides by a "
        "supervisor); 0 rows were imported before and were left unchanged."
    )
    assert Receipt.objects.count() == 2
    assert set(Receipt.objects.values_list("recorded_by", flat=True)) == {None}
    out = run(path, "--plan", str(grants.pk), capsys=capsys)  # by number; again: unchanged
    assert out.strip().endswith("2 rows were imported before and were left unchanged.")
    assert Receipt.objects.count() == 2


def test_dry_run_writes_nothing(tmp_path, grants, families, capsys):
    path = write(tmp_path, [row(families[0])], name="list.xlsx")
    out = run(path, "--plan", "phss-ba-2026-r1", "--dry-run", capsys=capsys)
    assert out.startswith("Dry run for plan PHSS-BA-2026-R1: 1 rows read; 1 receipts would be")
    assert not Receipt.objects.exists()


def test_errors_are_printed_and_nothing_is_written(tmp_path, grants, families):
    path = write(tmp_path, [row(families[0]), row(families[1], received_on="2025-12-31")])
    with pytest.raises(CommandError) as failed:
        run(path, "--plan", "PHSS-BA-2026-R1")
    assert str(failed.value) == (
        "Nothing was imported: the file has 1 error. Correct it and import the file again.\n"
        "row 3, column received_on: The date received must fall within the plan's dates, "
        "Jan. 10, 2026 to …."
    )
    assert not Receipt.objects.exists()


def test_unknown_plan_file_or_user(tmp_path, grants, families):
    path = write(tmp_path, [row(families[0])])
    with pytest.raises(CommandError, match="There is no assistance plan with the code or number"):
        run(path, "--plan", "NO-SUCH")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"), "--plan", "PHSS-BA-2026-R1")
    with pytest.raises(CommandError, match=r"There is no active user nobody\."):
        run(path, "--plan", "PHSS-BA-2026-R1", "--user", "nobody")
    assert not Receipt.objects.exists()


def test_as_a_user_their_rights_apply(tmp_path, grants, families, other_ngo, ngo, capsys):
    path = write(tmp_path, [row(families[0])])
    member("partner_reporter", other_ngo, username="outsider")
    with pytest.raises(CommandError) as refused:
        run(path, "--plan", "PHSS-BA-2026-R1", "--user", "outsider")
    assert str(refused.value) == (
        "You may record receipts only for plans of your organisation, in your scope."
    )
    reporter = member("partner_reporter", ngo, username="reporter")
    run(path, "--plan", "PHSS-BA-2026-R1", "--user", "reporter", capsys=capsys)
    assert Receipt.objects.get().recorded_by == reporter


def test_override_reason_by_the_system_or_a_supervisor_not_by_a_reporter(
    tmp_path, grants, families, ngo, areas, other_ngo, programme, capsys
):
    earlier_plan = plan(
        other_ngo, programme, areas["basrah"], items=[FOOD], code="PHSS-BA-2026-R1-B"
    )
    earlier = receipt(earlier_plan, families[0])
    path = write(
        tmp_path, [row(families[0], received_on="2026-02-20", override_reason="parcel lost")]
    )
    member("partner_reporter", ngo, username="reporter")
    with pytest.raises(CommandError, match="the override reason on this row was not accepted"):
        run(path, "--plan", "PHSS-BA-2026-R1", "--user", "reporter")
    assert list(Receipt.objects.all()) == [earlier]
    out = run(path, "--plan", "PHSS-BA-2026-R1", capsys=capsys)  # the system is a supervisor
    assert "1 receipts recorded (1 of them overrides by a supervisor)" in out
    assert Receipt.objects.get(override=True).overrides_receipt == earlier
