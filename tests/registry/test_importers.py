"""Source-list import: CSV (UTF-8, BOM, Windows-1256) and XLSX, one row per person, every bad
input reported by row and column, all or nothing, idempotent, dry run, progress, scope, audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.core.models import AuditAction, AuditEntry
from marsad.registry.importers import source_list_import
from marsad.registry.importers.rows import row_hash
from marsad.registry.models import (
    DatePrecision,
    Household,
    IdentityDocument,
    Person,
    Phone,
    ShelterType,
    SourceRecord,
)
from tests.factories import ProgrammeFactory, member
from tests.registry.source_lists import HEADER, csv_bytes, family, xlsx_bytes

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def run(content, organisation, *, filename="list.csv", kind="partner", **kwargs):
    return source_list_import(
        actor=kwargs.pop("actor", None),
        organisation=organisation,
        kind=kind,
        source_name=kwargs.pop("source_name", "Partner list March"),
        content=content,
        filename=filename,
        **kwargs,
    )


def nothing_written():
    return (
        Household.objects.count(),
        Person.objects.count(),
        SourceRecord.objects.count(),
        AuditEntry.objects.count(),
    ) == (0, 0, 0, 0)


def with_changes(**changes):
    """The family list with some rows changed: ``changes`` maps a row index to its cells."""
    rows = family()
    for index, cells in changes.items():
        rows[int(index.removeprefix("r"))].update(cells)
    return rows


def test_import_registers_households_persons_and_source_records(areas, ngo):
    report = run(csv_bytes(family()), ngo)

    assert report.ok, report.error_text
    assert (report.rows, report.households_created, report.persons_created) == (4, 2, 4)
    assert report.unchanged == 0
    assert report.summary == (
        "4 rows read; 2 households and 4 persons created; 0 rows were already received and "
        "were left unchanged."
    )
    family_home = Household.objects.get(area=areas["karkh"])
    assert family_home.organisation == ngo
    assert family_home.origin_area == areas["basrah"]
    assert family_home.size == 4
    assert family_home.address == "حي الجهاد"
    assert family_home.displacement_date == datetime.date(2014, 6, 10)
    assert (family_home.shelter_type, family_home.status) == (ShelterType.CAMP, "displaced")
    assert family_home.registration_number.startswith(f"BG-{TODAY.year}-")
    members = {person.given_name: person for person in family_home.members.all()}
    assert set(members) == {"محمد", "فاطمة", "علي"}
    head = members["محمد"]
    assert (head.relationship, head.sex, head.mother_name) == ("head", "male", "زينب")
    assert (head.birth_date, head.birth_date_precision) == (
        datetime.date(1980, 7, 1),
        DatePrecision.YEAR,
    )
    assert head.given_key  # derived forms filled by the registry's services
    assert head.documents.get().number_normalised == "199012345678"
    assert head.phones.get().number_normalised == "7701234567"
    spouse = members["فاطمة"]
    assert (spouse.relationship, spouse.sex, spouse.pregnant_or_lactating) == (
        "spouse",
        "female",
        True,
    )
    assert spouse.birth_date == datetime.date(1985, 3, 14)
    son = members["علي"]
    assert (son.relationship, son.birth_date, son.disability) == (
        "son",
        datetime.date(2010, 3, 14),
        True,
    )
    alone = Household.objects.get(area=areas["zubair"])
    assert alone.size == 1
    assert alone.shelter_type == ShelterType.HOST_FAMILY
    assert alone.members.get().relationship == "head"  # a household of one: its head


def test_each_row_is_kept_as_received_tied_to_its_person(areas, ngo):
    rows = family()
    rows[0]["Camp_Block"] = "B-12"
    run(csv_bytes(rows, header=(*HEADER, "Camp_Block")), ngo, source_name="UNHCR list")

    records = SourceRecord.objects.order_by("source_key")
    assert [r.source_key for r in records[:3]] == ["R1", "R2", "R3"]
    first = records[0]
    assert (first.kind, first.source_name, first.organisation) == ("partner", "UNHCR list", ngo)
    assert first.person.given_name == "محمد"
    assert first.household == first.person.household
    assert first.area == first.household.area
    assert first.payload["camp_block"] == "B-12"  # unknown columns kept, as received
    assert first.payload["given_name"] == "محمد"
    assert first.payload["birth_date"] == "1980"
    assert len(first.payload) == len(HEADER) + 1
    without_key = SourceRecord.objects.get(person__given_name="Ahmed")
    assert without_key.source_key == row_hash(without_key.payload)
    assert without_key.source_key.startswith("sha256:")


def test_reimporting_the_same_file_creates_nothing(areas, ngo):
    content = csv_bytes(family())
    run(content, ngo)
    counts = (Household.objects.count(), Person.objects.count(), SourceRecord.objects.count())
    audit_rows = AuditEntry.objects.count()

    again = run(content, ngo)

    assert again.ok
    assert (again.households_created, again.persons_created, again.unchanged) == (0, 0, 4)
    assert (
        Household.objects.count(),
        Person.objects.count(),
        SourceRecord.objects.count(),
    ) == counts
    assert AuditEntry.objects.count() == audit_rows


def test_the_same_rows_in_xlsx_are_recognised_even_without_record_ids(areas, ngo):
    rows = [{**row, "record_id": ""} for row in family()]
    first = run(csv_bytes(rows, encoding="cp1256"), ngo)
    again = run(xlsx_bytes(rows), ngo, filename="list.xlsx")

    assert (first.households_created, first.persons_created) == (2, 4)
    assert again.ok, again.error_text
    assert (again.households_created, again.persons_created, again.unchanged) == (0, 0, 4)


def test_same_key_from_another_kind_or_organisation_is_new(areas, ngo, other_ngo):
    run(csv_bytes(family()), ngo)
    assert run(csv_bytes(family()), ngo, kind="distribution").persons_created == 4
    assert run(csv_bytes(family()), other_ngo).persons_created == 4
    assert Household.objects.count() == 6


def test_new_rows_of_a_household_already_received_join_it(areas, ngo):
    run(csv_bytes(family()[:2]), ngo)  # the head and the spouse
    household = Household.objects.get()

    report = run(csv_bytes(family()), ngo)  # now with the son and the man alone

    assert report.ok, report.error_text
    assert (report.households_created, report.persons_created, report.unchanged) == (1, 2, 2)
    son = Person.objects.get(given_name="علي")
    assert son.household == household
    assert SourceRecord.objects.get(source_key="R3").household == household
    assert household.members.count() == 3


def test_windows_1256_and_bom_files_read_alike(areas, ngo, other_ngo):
    cp1256 = run(csv_bytes(family(), encoding="cp1256"), ngo)
    bom = run(csv_bytes(family(), encoding="utf-8-sig", delimiter=";"), other_ngo)

    assert cp1256.ok, cp1256.error_text
    assert bom.ok, bom.error_text
    assert cp1256.encoding == "windows-1256"
    assert bom.encoding == "utf-8"
    names = sorted(Person.objects.values_list("given_name", "household__organisation__code"))
    assert names.count(("محمد", "NGO-A")) == 1
    assert names.count(("محمد", "NGO-B")) == 1
    assert SourceRecord.objects.filter(payload__given_name="فاطمة").count() == 2


def test_xlsx_with_numbers_and_dates_as_cells(areas, ngo):
    rows = family()
    rows[0].update(household_size=4, birth_date=1980, displacement_date=datetime.date(2014, 6, 10))
    rows[1]["birth_date"] = datetime.datetime(1985, 3, 14)
    rows[0]["national_id"] = 199012345678

    report = run(xlsx_bytes(rows), ngo, filename="list.xlsx")

    assert report.ok, report.error_text
    assert report.format == "xlsx"
    assert Person.objects.get(given_name="فاطمة").birth_date == datetime.date(1985, 3, 14)
    household = Household.objects.get(area=areas["karkh"])
    assert (household.size, household.displacement_date) == (4, datetime.date(2014, 6, 10))
    assert IdentityDocument.objects.get().number == "199012345678"


def test_english_labels_and_other_spellings_are_read(areas, ngo):
    rows = with_changes(
        r0={"relationship": "Head of household", "shelter_type": "Critical: school building"},
        r1={"relationship": "SPOUSE", "sex": "Female", "pregnant_or_lactating": "Yes"},
        r2={"relationship": "other relative", "disability": "no", "status": ""},
        r3={"status": "Returned", "sex": "ذكر", "chronic_illness": "لا"},
    )
    report = run(csv_bytes(rows), ngo)

    assert report.ok, report.error_text
    assert Person.objects.get(given_name="علي").relationship == "other_relative"
    assert Household.objects.get(area=areas["karkh"]).shelter_type == ShelterType.SCHOOL
    assert Household.objects.get(area=areas["zubair"]).status == "returned"


def test_household_columns_may_repeat_on_every_row_in_any_case(areas, ngo):
    rows = with_changes(r1={"location_pcode": "iqg08q03", "shelter_type": "Camp"})
    report = run(csv_bytes(rows), ngo)
    assert report.ok, report.error_text
    assert Household.objects.get(area=areas["karkh"]).members.count() == 3


def test_national_id_written_as_none_is_no_document(areas, ngo):
    report = run(csv_bytes(with_changes(r0={"national_id": "لا يوجد", "phone": "N/A"})), ngo)
    assert report.ok, report.error_text
    assert not IdentityDocument.objects.exists()
    assert not Phone.objects.exists()


def test_programme_is_given_to_new_households(areas, ngo):
    programme = ProgrammeFactory(code="FOOD")
    run(csv_bytes(family()), ngo, programme=programme)
    assert set(Household.objects.values_list("programme__code", flat=True)) == {"FOOD"}
    assert set(SourceRecord.objects.values_list("programme__code", flat=True)) == {"FOOD"}


FUTURE = (TODAY + datetime.timedelta(days=2)).isoformat()

BAD_INPUTS = [
    (
        "unknown location",
        {"r0": {"location_pcode": "IQG99"}},
        2,
        "location_pcode",
        "IQG99 is not a known P-code",
    ),
    (
        "unknown origin",
        {"r3": {"origin_pcode": "XX1"}},
        5,
        "origin_pcode",
        "XX1 is not a known P-code",
    ),
    (
        "no location",
        {"r3": {"location_pcode": ""}},
        5,
        "location_pcode",
        "empty; give the P-code of the place where the household lives now",
    ),
    (
        "bad birth date",
        {"r1": {"birth_date": "31/02/1985"}},
        3,
        "birth_date",
        "31/02/1985 is not a date: write 1985-03-14, 14/03/1985 or the year alone (1985).",
    ),
    (
        "future birth date",
        {"r2": {"birth_date": FUTURE}},
        4,
        "birth_date",
        f"{FUTURE} is in the future",
    ),
    (
        "future birth year",
        {"r2": {"birth_date": str(TODAY.year + 1)}},
        4,
        "birth_date",
        f"{TODAY.year + 1} is in the future",
    ),
    (
        "birth before 1900",
        {"r2": {"birth_date": "1890"}},
        4,
        "birth_date",
        "1890 is before 1900; check the year",
    ),
    (
        "bad displacement date",
        {"r0": {"displacement_date": "June 2014"}},
        2,
        "displacement_date",
        "June 2014 is not a date; write 2014-06-10 or 10/06/2014",
    ),
    (
        "future displacement date",
        {"r0": {"displacement_date": FUTURE}},
        2,
        "displacement_date",
        f"{FUTURE} is in the future",
    ),
    ("no given name", {"r1": {"given_name": ""}}, 3, "given_name", "empty; give the name"),
    (
        "name too long",
        {"r1": {"family_name": "ا" * 101}},
        3,
        "family_name",
        "longer than 100 characters",
    ),
    (
        "no head",
        {"r0": {"relationship": "brother"}},
        2,
        "relationship",
        "household HH1 has no head; mark one member as head",
    ),
    (
        "two heads",
        {"r2": {"relationship": "head"}},
        4,
        "relationship",
        "household HH1 already has a head on row 2",
    ),
    (
        "alone but not head",
        {"r3": {"relationship": "son"}},
        5,
        "relationship",
        "a person without a household_id is their own household and must be its head",
    ),
    (
        "relationship missing in a household",
        {"r1": {"relationship": ""}},
        3,
        "relationship",
        "empty; say how the person is related to the head (head, spouse, son…)",
    ),
    (
        "bad relationship",
        {"r1": {"relationship": "wife"}},
        3,
        "relationship",
        "wife is not a relationship; write one of head, spouse, son, daughter, father, mother, "
        "brother, sister, grandchild, other_relative, not_related",
    ),
    (
        "size smaller than rows",
        {"r0": {"household_size": "2"}},
        2,
        "household_size",
        "the household size is 2 but household HH1 has 3 rows",
    ),
    (
        "size not a number",
        {"r0": {"household_size": "four"}},
        2,
        "household_size",
        "four is not a whole number",
    ),
    (
        "size zero",
        {"r0": {"household_size": "0"}},
        2,
        "household_size",
        "0 is not a household size; give a number from 1 to 99",
    ),
    ("duplicate record_id", {"r3": {"record_id": "R2"}}, 5, "record_id", "R2 is also on row 3"),
    (
        "bad sex",
        {"r1": {"sex": "woman"}},
        3,
        "sex",
        "woman is not a sex; write female or male (f, m, أنثى, ذكر)",
    ),
    (
        "bad flag",
        {"r2": {"disability": "maybe"}},
        4,
        "disability",
        "maybe is not yes or no; write yes, no, 1 or 0",
    ),
    (
        "pregnant man",
        {"r3": {"pregnant_or_lactating": "yes"}},
        5,
        "pregnant_or_lactating",
        "yes, but the sex is male; only a woman can be pregnant or lactating",
    ),
    ("bad phone", {"r0": {"phone": "12-34"}}, 2, "phone", "12-34 is not a phone number"),
    (
        "national ID too long",
        {"r0": {"national_id": "1" * 41}},
        2,
        "national_id",
        "longer than 40 characters",
    ),
    (
        "household column differs",
        {"r2": {"location_pcode": "IQG02Q04"}},
        4,
        "location_pcode",
        "IQG02Q04 differs from IQG08Q03 on row 2 of the same household",
    ),
    (
        "bad shelter",
        {"r0": {"shelter_type": "tent"}},
        2,
        "shelter_type",
        "tent is not a shelter type; write one of own_home, camp, rented, host_family, hotel, "
        "informal_settlement, religious_building, school, unfinished_building, other",
    ),
    (
        "bad status",
        {"r3": {"status": "moved"}},
        5,
        "status",
        "moved is not a household status; write one of displaced, returned, relocated, closed",
    ),
    (
        "record_id too long",
        {"r3": {"record_id": "X" * 101}},
        5,
        "record_id",
        "longer than 100 characters",
    ),
]


@pytest.mark.parametrize(
    ("changes", "row", "column", "message"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_each_bad_input_is_reported_by_row_and_column_and_nothing_written(
    areas, ngo, changes, row, column, message
):
    report = run(csv_bytes(with_changes(**changes)), ngo)

    assert [(e.row, e.column, e.message) for e in report.errors] == [(row, column, message)]
    assert (report.households_created, report.persons_created) == (0, 0)
    assert nothing_written()


def test_the_same_row_twice_without_record_id(areas, ngo):
    rows = [{**family()[3], "record_id": ""}] * 2
    report = run(csv_bytes(rows), ngo)
    assert [str(error) for error in report.errors] == ["row 3: the same row as row 2"]
    assert nothing_written()


def test_missing_required_columns_are_named(areas, ngo):
    header = [column for column in HEADER if column not in ("given_name", "location_pcode")]
    report = run(csv_bytes(family(), header=header), ngo)
    assert [str(error) for error in report.errors] == [
        "row 1, column given_name: the column is missing",
        "row 1, column location_pcode: the column is missing",
    ]
    assert nothing_written()


def test_headers_are_matched_loosely_but_a_repeated_column_is_refused(areas, ngo):
    header = [column.replace("_", " ").title() for column in HEADER]
    assert run(csv_bytes(family(), header=header), ngo).ok
    repeated = run(csv_bytes(family(), header=[*HEADER, "Given-Name"]), ngo, kind="ministry")
    assert [str(error) for error in repeated.errors] == [
        "row 1, column given_name: the column appears twice; keep one"
    ]


def test_unreadable_files(areas, ngo):
    assert [str(e) for e in run(b"", ngo).errors] == ["row 1: the file is empty"]
    broken = run(b"PK\x03\x04 not really a workbook", ngo, filename="list.xlsx")
    assert broken.errors[0].message.startswith("the file is not a readable XLSX workbook")
    assert nothing_written()


def test_every_error_is_reported_then_nothing_written(areas, ngo):
    rows = with_changes(
        r0={"location_pcode": "IQG99"},
        r1={"sex": "x", "birth_date": "soon"},
        r3={"given_name": ""},
    )
    report = run(csv_bytes(rows), ngo)

    assert [(e.row, e.column) for e in report.errors] == [
        (2, "location_pcode"),
        (3, "sex"),
        (3, "birth_date"),
        (5, "given_name"),
    ]
    assert report.error_header == (
        "Nothing was imported: the file has 4 errors. Correct them and import the file again."
    )
    assert report.error_text.splitlines()[1] == (
        "row 2, column location_pcode: IQG99 is not a known P-code"
    )
    assert report.as_dict()["error_count"] == 4
    assert nothing_written()


def test_a_refusal_while_writing_rolls_back_the_whole_file(areas, ngo):
    run(csv_bytes(family()[:2]), ngo)  # household HH1 with its head and spouse
    before = (Household.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    new_head = {**family()[2], "record_id": "R9", "relationship": "head"}
    rows = [family()[1], new_head, family()[3]]  # the spouse again, a second head, a new man

    report = run(csv_bytes(rows), ngo)

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "relationship", "This household already has a head.")
    ]
    assert (report.households_created, report.persons_created) == (0, 0)
    after = (Household.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    assert after == before  # the man alone on row 4 was not kept either


def test_dry_run_reports_what_would_happen_and_writes_nothing(areas, ngo):
    report = run(csv_bytes(family()), ngo, dry_run=True)

    assert report.ok
    assert report.dry_run
    assert (report.households_created, report.persons_created, report.unchanged) == (2, 4, 0)
    assert report.summary.startswith("Dry run: 4 rows read; 2 households and 4 persons would")
    assert report.summary.endswith("Nothing was written.")
    assert nothing_written()
    real = run(csv_bytes(family()), ngo)
    assert (real.households_created, real.persons_created) == (2, 4)


def test_dry_run_still_reports_errors(areas, ngo):
    report = run(csv_bytes(with_changes(r1={"sex": "x"})), ngo, dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "sex")]
    assert nothing_written()


def test_progress_is_reported_from_zero_to_every_row(areas, ngo):
    calls = []
    report = run(csv_bytes(family()), ngo, progress=lambda *args: calls.append(args))

    assert calls[0] == (0, 4, "Checking 4 rows")
    assert calls[-1] == (4, 4, report.summary)
    done = [call[0] for call in calls]
    assert done == sorted(done)
    assert (3, 4, "3 of 4 rows imported") in calls  # after the household of three


def test_unknown_kind_is_refused(areas, ngo):
    with pytest.raises(ValidationError) as error:
        run(csv_bytes(family()), ngo, kind="registration")
    assert "registration is not a kind of source list" in error.value.message_dict["kind"][0]


def test_partner_reporter_imports_for_its_own_organisation_only(areas, ngo, other_ngo):
    reporter = member("partner_reporter", ngo)

    report = run(csv_bytes(family()), ngo, actor=reporter)
    assert report.ok, report.error_text
    assert Household.objects.filter(organisation=ngo).count() == 2

    with pytest.raises(PermissionDenied):
        run(csv_bytes(family()), other_ngo, actor=reporter)
    assert not Household.objects.filter(organisation=other_ngo).exists()


@pytest.mark.parametrize("role", ["aggregate_viewer"])
def test_roles_without_change_rights_are_refused(areas, ngo, role):
    with pytest.raises(PermissionDenied):
        run(csv_bytes(family()), ngo, actor=member(role, ngo))
    assert nothing_written()


def test_a_user_narrowed_to_an_area_imports_only_there(areas, ngo):
    worker = member("case_worker", ngo, areas=[areas["baghdad"]])

    report = run(csv_bytes(family()), ngo, actor=worker)

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (5, "location_pcode", "you may not register households of NGO-A in IQG02Q04")
    ]
    assert Household.objects.count() == 0
    assert run(csv_bytes(family()[:3]), ngo, actor=worker).households_created == 1


def test_a_user_narrowed_to_an_area_of_another_organisation_is_refused(areas, ngo, other_ngo):
    worker = member("case_worker", other_ngo, areas=[areas["baghdad"]])
    with pytest.raises(PermissionDenied):
        run(csv_bytes(family()), ngo, actor=worker)


def test_every_record_is_audited_with_its_actor_and_the_import_once(areas, ngo):
    officer = member("im_officer", ngo, username="officer")

    report = run(csv_bytes(family()), ngo, actor=officer, filename="march.csv")

    created = AuditEntry.objects.filter(action=AuditAction.CREATE)
    assert set(created.values_list("actor_username", flat=True)) == {"officer"}
    types = list(created.values_list("object_type", flat=True))
    assert types.count("registry.household") == 2
    assert types.count("registry.person") == 4
    assert types.count("registry.sourcerecord") == 4
    assert types.count("registry.identitydocument") == 1
    assert types.count("registry.phone") == 1
    summary = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert summary.object_type == "registry.sourcelist"
    assert summary.organisation_id == ngo.pk
    assert summary.context["filename"] == "march.csv"
    assert summary.context["persons_created"] == report.persons_created == 4
    run(csv_bytes(family()), ngo, actor=officer)
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT).count() == 1
