"""Registering households: members, derived name forms, documents, phones, the source record,
registration numbers, the rules (one head, size), scope and the audit log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.core.models import AuditEntry
from marsad.registry import services
from marsad.registry.models import Person, SourceKind, SourceRecord
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


def test_register_household_with_members_documents_phones_and_source(areas, ngo):
    officer = member("case_worker", ngo)
    household = register(
        ngo,
        areas["karkh"],
        [
            head(
                documents=[{"kind": "national_id", "number": "١٩٩٠ ١٢٣٤ ٥٦٧٨"}],
                phones=["+964 770 123 4567"],
            ),
            head(relationship="spouse", given_name="فاطمة", sex="female", father_name="حسين"),
        ],
        actor=officer,
    )
    assert household.registration_number == f"BG-{datetime.date.today().year}-000001"
    assert household.members.count() == 2
    head_person = household.head
    assert head_person.given_name == "محمد"
    document = head_person.documents.get()
    assert document.number_normalised == "199012345678"
    assert head_person.phones.get().number_normalised == "7701234567"
    source = SourceRecord.objects.get()
    assert (source.kind, source.household, source.person) == (
        SourceKind.REGISTRATION,
        household,
        head_person,
    )
    assert source.payload["members"][0]["given_name"] == "محمد"
    assert source.payload["household"]["area"] == "IQG08Q03"
    logged = set(AuditEntry.objects.values_list("object_type", flat=True))
    assert {"registry.household", "registry.person", "registry.sourcerecord"} <= logged
    assert "registry.identitydocument" in logged


def test_numbers_count_up_per_governorate(areas, ngo):
    first = register(ngo, areas["karkh"])
    second = register(ngo, areas["karkh"])
    basrah = register(ngo, areas["zubair"])
    year = datetime.date.today().year
    assert first.registration_number.endswith("-000001")
    assert second.registration_number == f"BG-{year}-000002"
    assert basrah.registration_number == f"BA-{year}-000001"


def test_derived_forms_let_scripts_meet(areas, ngo):
    arabic = register(ngo, areas["karkh"]).head
    latin = register(
        ngo,
        areas["karkh"],
        [head(given_name="Mohammed", father_name="Jasim", family_name="Al-Jubouri")],
    ).head
    assert arabic.given_key == latin.given_key != ""
    assert arabic.family_key == latin.family_key != ""
    assert arabic.search_text.startswith(" ")
    assert arabic.search_text.endswith(" ")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([], "Register at least the head of household."),
        ([head(relationship="son")], "exactly one head; 0 members"),
        ([head(), head()], "exactly one head; 2 members"),
    ],
)
def test_one_head(areas, ngo, members, message):
    with pytest.raises(ValidationError) as raised:
        services.household_register(
            actor=None,
            data={"organisation": ngo, "area": areas["karkh"], "size": 5},
            members=members,
        )
    assert message in " ".join(raised.value.messages)
    assert not Person.objects.exists()


def test_more_members_than_size_refused(areas, ngo):
    with pytest.raises(ValidationError, match="3 members are registered but the household size"):
        register(
            ngo,
            areas["karkh"],
            [head(), head(relationship="son"), head(relationship="son")],
            size=2,
        )


def test_pregnant_man_refused_and_nothing_saved(areas, ngo):
    with pytest.raises(ValidationError):
        register(ngo, areas["karkh"], [head(pregnant_or_lactating=True)])
    assert not SourceRecord.objects.exists()


def test_other_organisation_refused(areas, ngo, other_ngo):
    officer = member("case_worker", ngo)
    with pytest.raises(PermissionDenied):
        register(other_ngo, areas["karkh"], actor=officer)


def test_area_narrowed_officer_only_in_their_area(areas, ngo):
    officer = member("case_worker", ngo, areas=[areas["basrah"]])
    with pytest.raises(PermissionDenied):
        register(ngo, areas["karkh"], actor=officer)
    assert register(ngo, areas["zubair"], actor=officer).area == areas["zubair"]


def test_person_update_rederives_names_and_audits(areas, ngo):
    person = register(ngo, areas["karkh"]).head
    services.person_update(actor=None, instance=person, data={"given_name": "Ahmed"})
    person.refresh_from_db()
    assert person.given_name == "Ahmed"
    assert " ahmed" in person.search_text
    entry = AuditEntry.objects.filter(object_type="registry.person", action="update").get()
    assert entry.changes["given_name"] == ["محمد", "Ahmed"]


def test_person_add_second_head_refused_and_size_grows(areas, ngo):
    household = register(ngo, areas["karkh"], size=1)
    with pytest.raises(ValidationError, match="already has a head"):
        services.person_add(actor=None, household=household, data=head())
    services.person_add(
        actor=None, household=household, data=head(relationship="daughter", given_name="Zainab")
    )
    household.refresh_from_db()
    assert household.size == 2


def test_registration_number_never_changes(areas, ngo):
    household = register(ngo, areas["karkh"])
    with pytest.raises(ValidationError):
        services.household_update(
            actor=None, instance=household, data={"registration_number": "X-1"}
        )


def test_source_rows_each_kept_once(areas, ngo):
    rows = [
        head(source={"kind": "distribution", "source_key": "D-1", "payload": {"n": "محمد"}}),
        head(
            relationship="son",
            given_name="Ali",
            source={"kind": "distribution", "source_key": "D-2", "payload": {"n": "Ali"}},
        ),
    ]
    household = register(ngo, areas["karkh"], rows)
    sources = SourceRecord.objects.order_by("source_key")
    assert [(s.source_key, s.person.given_name) for s in sources] == [
        ("D-1", "محمد"),
        ("D-2", "Ali"),
    ]
    again = services.source_record_receive(
        actor=None,
        organisation=ngo,
        kind="distribution",
        source_key="D-1",
        payload={"changed": True},
        household=household,
    )
    assert again.payload == {"n": "محمد"}
    assert SourceRecord.objects.count() == 2


def test_phone_and_document_validation(areas, ngo):
    person = register(ngo, areas["karkh"]).head
    with pytest.raises(ValidationError, match="is not a phone number"):
        services.phone_add(actor=None, person=person, number="abc")
    with pytest.raises(ValidationError, match="document number is empty"):
        services.document_add(actor=None, person=person, kind="passport", number=" - ")
