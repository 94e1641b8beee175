"""Kobo API v2 JSON submissions: parsing, errors by submission and field, all-or-nothing,
idempotent loading by _uuid, and ``marsad displacement import-kobo``."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from marsad.core.models import AuditEntry
from marsad.displacement.kobo.load import submissions_import
from marsad.displacement.models import LocationAssessment, PopulationGroup
from tests.displacement.factories import location, open_round

DATA = Path(__file__).parent / "data" / "kobo"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def page(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def both_pages() -> list[dict]:
    return [page("page1.json"), page("page2.json")]


@pytest.fixture
def round4(areas):
    location("IQG08Q03L001", areas["karkh"], name_en="Hay al-Jihad")
    location("IQG08Q03L002", areas["karkh"], name_en="Al-Amiriya")
    return open_round(4)


def run(submissions, round_, organisation, **kwargs):
    return submissions_import(
        actor=None,
        round=round_,
        organisation=organisation,
        submissions=submissions,
        source="test.json",
        **kwargs,
    )


def test_import_creates_submitted_assessments_with_rows(round4, ngo):
    report = run(both_pages(), round4, ngo)
    assert report.ok, report.error_text
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.assessments_created == 2
    first = LocationAssessment.objects.get(area__pcode="IQG08Q03L001")
    assert (first.source, first.source_key) == ("kobo", "5b1e0c2a-0001-4c1e-9d6e-000000000001")
    assert first.status == "submitted"
    assert first.organisation == ngo
    assert (first.method, first.key_informants, first.monitor_name) == (
        "key_informants",
        3,
        "Layla Hassan",
    )
    assert (first.documentation_status, first.property_status) == ("few", "some")
    groups = sorted(
        (
            g.shelter_category,
            g.families,
            g.individuals,
            g.individuals_estimated,
            g.origin_area.pcode,
        )
        for g in first.population_groups.all()
    )
    assert groups == [("camp", 4, 20, True, "IQG02"), ("rented", 12, 70, False, "IQG02")]
    assert sorted(first.needs.values_list("sector", "priority")) == [
        ("documentation", 3),
        ("food", 1),
        ("water", 2),
    ]
    assert sorted(first.intentions.values_list("population_type", "intention", "families")) == [
        ("idp", "return", 5),
        ("idp", "undecided", 11),
    ]


def test_reimport_changes_nothing_and_writes_no_audit(round4, ngo):
    run(both_pages(), round4, ngo)
    audit_rows = AuditEntry.objects.count()
    report = run(both_pages(), round4, ngo)
    assert report.ok
    assert (report.created, report.updated, report.unchanged, report.assessments_created) == (
        0,
        0,
        3,
        0,
    )
    assert AuditEntry.objects.count() == audit_rows


def test_changed_submission_updates_the_assessment(round4, ngo):
    run(both_pages(), round4, ngo)
    pages = both_pages()
    result = pages[0]["results"][0]
    result["population"][0]["population/families"] = "15"
    del result["population"][1]
    result["needs/need_3"] = ""
    report = run(pages, round4, ngo)
    assert report.ok, report.error_text
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    first = LocationAssessment.objects.get(area__pcode="IQG08Q03L001")
    assert list(first.population_groups.values_list("families", "individuals")) == [(15, 70)]
    assert sorted(first.needs.values_list("sector", flat=True)) == ["food", "water"]


def test_dry_run_writes_nothing(round4, ngo):
    report = run(both_pages(), round4, ngo, dry_run=True)
    assert report.ok
    assert report.dry_run
    assert (report.created, report.assessments_created) == (3, 2)
    assert LocationAssessment.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_every_error_by_submission_and_field_and_nothing_written(round4, ngo):
    pages = both_pages()
    good = pages[0]["results"][0]
    bad = copy.deepcopy(pages[1]["results"][0])
    bad["general/location_pcode"] = "IQG08Q03L999"
    bad["general/assessed_on"] = "2008-02-15"
    bad["population"] = [
        {
            "population/population_type": "idp",
            "population/origin_pcode": "IQG77",
            "population/displacement_period": "2006-2008",
            "population/families": "-2",
        },
        {
            "population/population_type": "returnee",
            "population/families": "10",
            "population/individuals": "4",
        },
    ]
    duplicate = copy.deepcopy(good)
    duplicate["general/location_pcode"] = "IQG08Q03L002"
    report = run([good, bad, duplicate], round4, ngo)
    assert not report.ok
    assert [str(error) for error in report.errors] == [
        "submission 2, field population[1]/families: -2 is negative; a count cannot be below 0.",
        "submission 2, field population[2]/individuals: 4 individuals is fewer than the 10 "
        "families; every family has at least one person.",
        "submission 2, field general/location_pcode: IQG08Q03L999 is not a known P-code.",
        "submission 2, field general/assessed_on: 15 February 2008 is outside round 4 "
        "(1 January – 28 January 2008).",
        "submission 2, field population[1]/origin_pcode: IQG77 is not a known P-code.",
        "submission 3, field _uuid: 5b1e0c2a-0001-4c1e-9d6e-000000000001 repeats submission 1.",
    ]
    assert (report.created, report.assessments_created) == (0, 0)
    assert LocationAssessment.objects.count() == 0
    assert PopulationGroup.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_not_a_page(round4, ngo):
    report = run({"detail": "Not found."}, round4, ngo)
    assert [str(error) for error in report.errors] == [
        'test.json: This is not a page of Kobo submissions: it has no "results" list.'
    ]


def test_command_imports_and_reimports(round4, ngo, tmp_path):
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(both_pages()), encoding="utf-8")
    args = ["displacement", "import-kobo", str(path), "--round", "4", "--organisation", ngo.code]
    out = io.StringIO()
    call_command(*args, "--dry-run", stdout=out)
    assert out.getvalue().startswith("Dry run: 3 population rows would be created")
    assert LocationAssessment.objects.count() == 0
    out = io.StringIO()
    call_command(*args, stdout=out)
    assert out.getvalue().strip() == (
        "3 population rows created, 0 updated, 0 unchanged; 0 new locations, 2 new assessments."
    )
    out = io.StringIO()
    call_command(*args, stdout=out)
    assert out.getvalue().strip() == (
        "0 population rows created, 0 updated, 3 unchanged; 0 new locations, 0 new assessments."
    )


def test_command_reports_errors(round4, ngo, tmp_path):
    pages = both_pages()
    pages[1]["results"][0]["population"][0]["population/families"] = "x"
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(pages), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command(
            "displacement", "import-kobo", str(path), "--round", "4", "--organisation", ngo.code
        )
    assert str(raised.value) == (
        "Nothing was imported: the file has 1 error. Correct it and import the file again.\n"
        "submission 2, field population[1]/families: x is not a whole number."
    )
    assert LocationAssessment.objects.count() == 0
