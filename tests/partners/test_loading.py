"""The partners document loader: the whole demo file, idempotence, all-or-nothing, error paths."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from marsad.core.models import AuditEntry
from marsad.partners.models import Funding, Organisation, Programme
from marsad.partners.services import partners_load
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db

DEMO_FILE = Path(__file__).resolve().parents[2] / "src/marsad/partners/data/demo_partners.json"


@pytest.fixture
def demo():
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def small_document():
    return {
        "organisations": [
            {
                "code": "IOM",
                "kind": "un_agency",
                "acronym": "IOM",
                "name_en": "IOM Iraq",
                "name_ar": "المنظمة الدولية للهجرة",
                "name_ku": "",
                "country": "IQ",
                "website": "",
            },
            {
                "code": "IOM-IDP",
                "kind": "mission_unit",
                "acronym": "IDP",
                "name_en": "IDP unit",
                "name_ar": "",
                "name_ku": "",
                "country": "IQ",
                "website": "",
            },
            {
                "code": "MODM",
                "kind": "government_ministry",
                "acronym": "MoDM",
                "name_en": "Ministry of Displacement and Migration",
                "name_ar": "وزارة الهجرة",
                "name_ku": "",
                "country": "IQ",
                "website": "",
            },
            {
                "code": "JPN",
                "kind": "donor",
                "acronym": "",
                "name_en": "Government of Japan",
                "name_ar": "",
                "name_ku": "",
                "country": "JP",
                "website": "",
            },
        ],
        "programmes": [
            {
                "code": "IDP",
                "name_en": "IDP programme",
                "name_ar": "",
                "name_ku": "",
                "description": "",
                "lead_unit": "IOM-IDP",
                "partner_ministries": ["MODM"],
                "donors": ["JPN"],
                "start_date": "2008-01-01",
                "end_date": None,
            },
        ],
        "funding": [
            {
                "donor": "JPN",
                "programme": "IDP",
                "amount": "1000.00",
                "currency": "USD",
                "period_start": None,
                "period_end": None,
                "appeal_line": "Shelter",
                "source_note": "Japan 2008",
            },
            {
                "donor": None,
                "programme": "IDP",
                "amount": "5000.00",
                "currency": "USD",
                "period_start": None,
                "period_end": None,
                "appeal_line": "Shelter",
                "source_note": "Appeal 2008",
            },
        ],
    }


def test_the_whole_demo_file_loads(demo):
    report = partners_load(actor=None, data=demo)
    assert report.errors == []
    assert report.created == {
        "organisations": len(demo["organisations"]),
        "programmes": len(demo["programmes"]),
        "funding": len(demo["funding"]),
    }
    assert Organisation.objects.count() == len(demo["organisations"])
    assert Programme.objects.count() == len(demo["programmes"])
    assert Funding.objects.count() == len(demo["funding"])
    appeals = sum(1 for row in demo["funding"] if row["donor"] is None)
    assert Funding.objects.filter(kind="appeal", donor__isnull=True).count() == appeals
    assert Funding.objects.filter(kind="contribution").count() == len(demo["funding"]) - appeals


def test_mission_units_are_part_of_iom(demo):
    partners_load(actor=None, data=demo)
    units = Organisation.objects.filter(kind="mission_unit")
    assert units.count() == sum(1 for o in demo["organisations"] if o["kind"] == "mission_unit")
    assert set(units.values_list("parent__code", flat=True)) == {"IOM"}
    assert (
        Organisation.objects.exclude(kind="mission_unit").filter(parent__isnull=False).count() == 0
    )


def test_demo_programme_relations(demo):
    partners_load(actor=None, data=demo)
    programme = Programme.objects.get(code="CBMMP")
    assert programme.lead_unit.code == "IOM-IBM"
    assert sorted(programme.partner_ministries.values_list("code", flat=True)) == [
        "BPC",
        "IMPTF",
        "KRG-MOI",
        "MOI",
    ]
    assert list(programme.donors.values_list("code", flat=True)) == ["AUS"]
    contribution = Funding.objects.get(programme=programme, kind="contribution")
    assert (contribution.donor.code, contribution.amount) == ("AUS", Decimal("840000.00"))


def test_second_load_changes_nothing_and_writes_no_audit_row(demo):
    partners_load(actor=None, data=demo)
    audit_rows = AuditEntry.objects.count()
    report = partners_load(actor=None, data=demo)
    assert report.errors == []
    assert report.created == {"organisations": 0, "programmes": 0, "funding": 0}
    assert report.updated == {"organisations": 0, "programmes": 0, "funding": 0}
    assert report.unchanged == {
        "organisations": len(demo["organisations"]),
        "programmes": len(demo["programmes"]),
        "funding": len(demo["funding"]),
    }
    assert AuditEntry.objects.count() == audit_rows


def test_first_load_audits_each_record_and_the_import(demo):
    partners_load(actor=None, data=demo, source="demo_partners.json")
    total = len(demo["organisations"]) + len(demo["programmes"]) + len(demo["funding"])
    assert AuditEntry.objects.filter(action="create").count() == total
    entry = AuditEntry.objects.get(action="import")
    assert entry.object_repr == "demo_partners.json"
    assert entry.context["created"]["funding"] == len(demo["funding"])


def test_a_changed_row_is_updated_with_its_before_and_after():
    partners_load(actor=None, data=small_document())
    document = small_document()
    document["funding"][0]["amount"] = "2500.00"
    document["programmes"][0]["donors"] = []
    report = partners_load(actor=None, data=document)
    assert report.updated == {"organisations": 0, "programmes": 1, "funding": 1}
    assert report.created == {"organisations": 0, "programmes": 0, "funding": 0}
    funding = Funding.objects.get(kind="contribution")
    assert funding.amount == Decimal("2500.00")
    entry = AuditEntry.objects.get(action="update", object_type="partners.funding")
    assert entry.changes == {"amount": ["1000.00", "2500.00"]}
    assert Programme.objects.get(code="IDP").donors.count() == 0


def test_a_bad_reference_loads_nothing_and_names_its_path():
    document = small_document()
    document["programmes"][0]["donors"] = ["JPN", "XYZ"]
    document["funding"][1]["programme"] = "NOPE"
    report = partners_load(actor=None, data=document)
    assert report.errors == [
        'programmes[0].donors[1]: unknown organisation code "XYZ"',
        'funding[1].programme: unknown programme code "NOPE"',
    ]
    assert report.created == {"organisations": 0, "programmes": 0, "funding": 0}
    assert Organisation.objects.count() == 0
    assert Programme.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_domain_rules_are_checked_before_writing():
    document = small_document()
    document["programmes"][0]["lead_unit"] = "MODM"
    document["programmes"][0]["partner_ministries"] = ["JPN"]
    document["funding"][0]["donor"] = "MODM"
    document["funding"][0]["currency"] = "XYZ"
    report = partners_load(actor=None, data=document)
    assert report.errors == [
        "programmes[0].lead_unit: The lead unit must be a mission unit or a UN agency; MODM is "
        "of kind “Government ministry”.",
        "programmes[0].partner_ministries[0]: Partner ministries must be government ministries; "
        "JPN is of kind “Donor”.",
        "funding[0].donor: A donor must be an organisation of kind Donor; MODM is of kind "
        "“Government ministry”.",
        'funding[0].currency: "XYZ" is not an ISO 4217 currency code, e.g. USD or IQD.',
    ]
    assert Organisation.objects.count() == 0


def test_field_errors_name_row_and_field():
    document = small_document()
    document["organisations"][1]["code"] = "iom idp"
    document["organisations"][2]["country"] = "ZZ"
    document["programmes"][0]["start_date"] = "2008-13-01"
    document["funding"][0]["amount"] = "a lot"
    document["funding"][1]["colour"] = "red"
    del document["organisations"][3]["name_en"]
    report = partners_load(actor=None, data=document)
    assert report.errors == [
        "organisations[1].code: Use capital letters, digits and hyphens only (up to 32), e.g. "
        "MODM or IOM-IDP.",
        'organisations[2].country: "ZZ" is not an ISO 3166-1 alpha-2 country code, e.g. IQ or JP.',
        "organisations[3].name_en: is required",
        'programmes[0].start_date: "2008-13-01" is not a date (YYYY-MM-DD)',
        'programmes[0].lead_unit: unknown organisation code "IOM-IDP"',
        'programmes[0].donors[0]: unknown organisation code "JPN"',
        'funding[0].amount: "a lot" is not an amount, e.g. "840000.00"',
        'funding[0].donor: unknown organisation code "JPN"',
        'funding[1]: unknown field "colour"',
    ]
    assert Organisation.objects.count() == 0


def test_duplicates_inside_the_document_are_errors():
    document = small_document()
    document["organisations"].append(copy.deepcopy(document["organisations"][3]))
    document["funding"].append(copy.deepcopy(document["funding"][0]))
    report = partners_load(actor=None, data=document)
    assert report.errors == [
        'organisations[4].code: "JPN" appears twice in the document',
        "funding[2]: repeats funding[0] (same kind, donor, programme, appeal line and period "
        "start)",
    ]


def test_a_document_that_is_not_an_object():
    report = partners_load(actor=None, data=["organisations"])
    assert report.errors == [
        "The document must be a JSON object with the keys organisations, programmes, funding."
    ]


def test_references_may_point_to_organisations_already_loaded():
    OrganisationFactory(code="IOM-IDP", kind="mission_unit")
    OrganisationFactory(code="JPN", kind="donor")
    report = partners_load(
        actor=None,
        data={
            "programmes": [
                {"code": "X1", "name_en": "X", "lead_unit": "IOM-IDP", "donors": ["JPN"]}
            ]
        },
    )
    assert report.errors == []
    assert report.created["programmes"] == 1


def test_a_row_leaves_unmentioned_fields_as_they_are():
    partners_load(actor=None, data=small_document())
    Organisation.objects.filter(code="JPN").update(website="https://www.mofa.go.jp/")
    report = partners_load(
        actor=None, data={"organisations": [{"code": "JPN", "kind": "donor", "name_en": "Japan"}]}
    )
    assert report.updated["organisations"] == 1
    japan = Organisation.objects.get(code="JPN")
    assert (japan.name_en, japan.website) == ("Japan", "https://www.mofa.go.jp/")


def test_dry_run_reports_and_writes_nothing(demo):
    report = partners_load(actor=None, data=demo, dry_run=True)
    assert report.errors == []
    assert report.created["organisations"] == len(demo["organisations"])
    assert Organisation.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_loading_as_a_user_needs_the_capabilities(mission):
    report = partners_load(actor=member("field_monitor", mission), data=small_document())
    assert report.errors == ["organisations[0]: Your role may not add organisations."]
    assert Organisation.objects.filter(code="JPN").count() == 0
    admin = member("system_admin", mission)
    assert partners_load(actor=admin, data=small_document()).errors == []
    assert AuditEntry.objects.filter(action="import").get().actor_username == admin.username
