"""``marsad partners``: load, load-demo (with dry run), export as CSV and JSON."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marsad.core.models import AuditEntry
from marsad.partners.models import Funding, Organisation, Programme

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("partners", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo_loaded():
    run("load-demo")


def test_load_demo_reports_counts():
    out, _err = run("load-demo")
    assert out.splitlines()[0] == "Loaded demo_partners.json:"
    assert "organisations: 44 created, 0 updated, 0 unchanged" in out
    assert "programmes: 12 created, 0 updated, 0 unchanged" in out
    assert "funding: 13 created, 0 updated, 0 unchanged" in out
    assert (Organisation.objects.count(), Programme.objects.count(), Funding.objects.count()) == (
        44,
        12,
        13,
    )


def test_load_demo_twice_changes_nothing(demo_loaded):
    audit_rows = AuditEntry.objects.count()
    out, _err = run("load-demo")
    assert "organisations: 0 created, 0 updated, 44 unchanged" in out
    assert AuditEntry.objects.count() == audit_rows


def test_dry_run_writes_nothing():
    out, _err = run("load-demo", "--dry-run")
    assert out.splitlines()[0] == "Would load (dry run, nothing written) demo_partners.json:"
    assert "funding: 13 created" in out
    assert Organisation.objects.count() == 0


def test_load_a_file_with_errors_fails_and_lists_them(tmp_path):
    path = tmp_path / "partners.json"
    path.write_text(
        json.dumps({"programmes": [{"code": "P1", "name_en": "P", "lead_unit": "NOWHERE"}]}),
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Nothing was loaded from partners.json: 1 error"):
        call_command("partners", "load", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == 'programmes[0].lead_unit: unknown organisation code "NOWHERE"\n'
    assert Programme.objects.count() == 0


def test_load_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json is not valid JSON"):
        run("load", str(path))


def test_load_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("load", str(tmp_path / "missing.json"))


def test_export_funding_csv(demo_loaded):
    out, _err = run("export", "--what", "funding", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 13
    assert list(rows[0]) == [
        "kind",
        "donor",
        "programme",
        "amount",
        "currency",
        "period_start",
        "period_end",
        "appeal_line",
        "source_note",
    ]
    australia = next(row for row in rows if row["donor"] == "AUS")
    assert (australia["kind"], australia["programme"], australia["amount"]) == (
        "contribution",
        "CBMMP",
        "840000.00",
    )
    export = AuditEntry.objects.get(action="export")
    assert export.context == {"what": "funding", "format": "csv", "rows": 13, "via": "command line"}


def test_export_organisations_csv_keeps_arabic_names(demo_loaded):
    out, _err = run("export", "--what", "organisations", "--format", "csv")
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(out))}
    assert len(rows) == 44
    assert rows["MODM"]["name_ar"] == Organisation.objects.get(code="MODM").name_ar
    assert rows["IOM-IDP"]["parent"] == "IOM"


def test_export_programmes_csv_joins_lists(demo_loaded):
    out, _err = run("export", "--what", "programmes", "--format", "csv")
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["CBMMP"]["partner_ministries"] == "BPC;IMPTF;KRG-MOI;MOI"


@pytest.mark.parametrize("what", ["organisations", "programmes", "funding"])
def test_json_export_loads_back_unchanged(demo_loaded, tmp_path, what):
    out, _err = run("export", "--what", what, "--format", "json")
    document = json.loads(out)
    assert list(document) == [what]
    path = tmp_path / f"{what}.json"
    path.write_text(out, encoding="utf-8")
    audit_rows = AuditEntry.objects.count()
    out, _err = run("load", str(path))
    count = len(document[what])
    assert f"{what}: 0 created, 0 updated, {count} unchanged" in out
    assert AuditEntry.objects.count() == audit_rows


def test_export_needs_what():
    with pytest.raises(CommandError):
        run("export", "--format", "csv")
