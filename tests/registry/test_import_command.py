"""``marsad registry import``: the summary on success, every error as a CommandError, dry run,
idempotence, and unknown organisations, programmes, kinds and files."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marsad.core.models import AuditEntry
from marsad.registry.models import Household, Person, SourceRecord
from tests.factories import ProgrammeFactory
from tests.registry.source_lists import csv_bytes, family, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def list_file(tmp_path):
    path = tmp_path / "ministry.csv"
    path.write_bytes(csv_bytes(family(), encoding="cp1256"))
    return path


def registry_import(path, *extra, organisation="NGO-A", kind="ministry"):
    out = io.StringIO()
    args = [
        "registry",
        "import",
        str(path),
        "--organisation",
        organisation,
        "--kind",
        kind,
        "--source-name",
        "MoDM register",
    ]
    call_command(*args, *extra, stdout=out)
    return out.getvalue().strip()


def test_import_prints_the_summary(areas, ngo, list_file):
    output = registry_import(list_file)

    assert output == (
        "4 rows read; 2 households and 4 persons created; 0 rows were already received and "
        "were left unchanged."
    )
    assert Household.objects.count() == 2
    assert set(SourceRecord.objects.values_list("kind", "source_name")) == {
        ("ministry", "MoDM register")
    }
    # The command line acts as no user; the audit log says so.
    assert set(AuditEntry.objects.values_list("actor_username", flat=True)) == {""}


def test_second_import_changes_nothing(areas, ngo, list_file):
    registry_import(list_file)
    output = registry_import(list_file)
    assert output.startswith("4 rows read; 0 households and 0 persons created; 4 rows")
    assert Person.objects.count() == 4


def test_dry_run_writes_nothing(areas, ngo, list_file):
    output = registry_import(list_file, "--dry-run")
    assert output.startswith("Dry run: 4 rows read; 2 households and 4 persons would be created")
    assert not Household.objects.exists()
    assert not AuditEntry.objects.exists()


def test_programme_and_xlsx(areas, ngo, tmp_path):
    ProgrammeFactory(code="NFI")
    path = tmp_path / "list.xlsx"
    path.write_bytes(xlsx_bytes(family()))
    registry_import(path, "--programme", "NFI", kind="distribution")
    assert set(Household.objects.values_list("programme__code", flat=True)) == {"NFI"}


def test_errors_are_raised_with_every_row(areas, ngo, tmp_path):
    rows = family()
    rows[0]["location_pcode"] = "IQG99"
    rows[1]["birth_date"] = "1985-13-01"
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(rows))

    with pytest.raises(CommandError) as error:
        registry_import(path)

    assert str(error.value).splitlines() == [
        "Nothing was imported: the file has 2 errors. Correct them and import the file again.",
        "row 2, column location_pcode: IQG99 is not a known P-code",
        "row 3, column birth_date: 1985-13-01 is not a date: write 1985-03-14, 14/03/1985 or "
        "the year alone (1985).",
    ]
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    ("extra", "options", "message"),
    [
        ((), {"organisation": "NOPE"}, "There is no organisation with the code NOPE."),
        (("--programme", "NOPE"), {}, "There is no programme with the code NOPE."),
    ],
)
def test_unknown_organisation_or_programme(areas, ngo, list_file, extra, options, message):
    with pytest.raises(CommandError, match=message):
        registry_import(list_file, *extra, **options)


def test_unknown_kind_is_refused_by_the_parser(areas, ngo, list_file):
    with pytest.raises(CommandError, match="invalid choice: 'registration'"):
        registry_import(list_file, kind="registration")


def test_missing_file(areas, ngo, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.csv"):
        registry_import(tmp_path / "missing.csv")
