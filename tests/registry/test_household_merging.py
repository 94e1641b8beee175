"""Merging two registrations of one household by the survivorship rules, undoing it exactly,
the refusals, undoing a person merge a household merge rested on, the bulk merge linkage uses,
and finding the households left empty by person merges."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from marsad.core.models import AuditAction, AuditEntry
from marsad.registry import selectors, services
from marsad.registry.models import Household, HouseholdMerge, Person, SourceRecord
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


def source(kind: str, key: str) -> dict:
    return {"kind": kind, "source_key": key, "payload": {"key": key}}


def ministry(ngo, area, tag: str = "1", **household) -> Household:
    """The ministry's household: a head and his wife, a size of 2, no address or shelter."""
    values = {"size": 2, **household}
    return register(
        ngo,
        area,
        [
            head(source=source("ministry", f"M-{tag}-1")),
            head(
                relationship="spouse",
                given_name="زينب",
                sex="female",
                source=source("ministry", f"M-{tag}-2"),
            ),
        ],
        **values,
    )


def distribution(ngo, area, tag: str = "1", **household) -> Household:
    """A distribution list's household: the same head, and a son the ministry missed."""
    values = {
        "size": 2,
        "address": "Hay Al-Jihad, street 5",
        "shelter_type": "camp",
        "displacement_date": datetime.date(2015, 6, 1),
        "has_income": False,
        "documentation_status": "partial",
        **household,
    }
    return register(
        ngo,
        area,
        [
            head(given_name="Mohammed", source=source("distribution", f"D-{tag}-1")),
            head(
                relationship="son",
                given_name="علي",
                birth_date=datetime.date(2010, 7, 1),
                source=source("distribution", f"D-{tag}-2"),
            ),
        ],
        **values,
    )


def heads_merged(kept: Household, folded: Household):
    return services.person_merge(actor=None, survivor=kept.head, merged=folded.head, reason="r")


@pytest.fixture
def twice(ngo, areas):
    """(ministry household, distribution household) whose heads are merged: the distribution
    household keeps one active member, the son."""
    kept, folded = ministry(ngo, areas["karkh"]), distribution(ngo, areas["karkh"])
    heads_merged(kept, folded)
    return kept, folded


def state(household: Household) -> dict:
    household.refresh_from_db()
    values = {
        field.name: getattr(household, field.attname)
        for field in Household._meta.concrete_fields
        if field.name != "updated_at"
    }
    values["members"] = sorted(household.members.values_list("pk", "is_active"))
    values["sources"] = sorted(household.source_records.values_list("pk", flat=True))
    return values


def test_the_kept_household_is_the_more_trusted_or_the_earlier(ngo, areas):
    kept, folded = ministry(ngo, areas["karkh"]), distribution(ngo, areas["karkh"])
    assert services.choose_household_survivor(folded, kept) == (kept, folded)
    assert services.choose_household_survivor(kept, folded) == (kept, folded)
    first = distribution(ngo, areas["karkh"], tag="2")
    second = distribution(ngo, areas["karkh"], tag="3")
    assert services.choose_household_survivor(second, first) == (first, second)


def test_merge_applies_the_rules(twice):
    kept, folded = twice
    son = folded.members.get(is_active=True)
    folded_sources = set(folded.source_records.values_list("pk", flat=True))
    before = state(kept)

    merge = services.household_merge(actor=None, survivor=kept, merged=folded, reason="Same")

    kept.refresh_from_db()
    folded.refresh_from_db()
    son.refresh_from_db()
    assert (kept.address, kept.shelter_type, kept.displacement_date) == (
        "Hay Al-Jihad, street 5",
        "camp",
        datetime.date(2015, 6, 1),
    )  # empty fields filled
    assert (kept.has_income, kept.documentation_status) == (False, "partial")
    assert (kept.status, kept.area_id, kept.organisation_id) == (
        before["status"],
        before["area"],
        before["organisation"],
    )  # kept
    assert kept.size == 3  # head, wife and the son the ministry missed
    assert (son.household_id, son.is_active) == (kept.pk, True)
    assert (folded.status, folded.merged_into_id) == ("closed", kept.pk)
    assert list(folded.members.values_list("is_active", flat=True)) == [False]  # the head
    assert folded_sources <= set(kept.source_records.values_list("pk", flat=True))
    assert not folded.source_records.exists()
    assert sorted(merge.filled_fields) == sorted(
        [
            "address",
            "shelter_type",
            "displacement_date",
            "has_income",
            "documentation_status",
            "size",
        ]
    )
    assert (merge.moved_members, merge.merged_status) == ([son.pk], "displaced")
    assert sorted(merge.moved_sources) == sorted(folded_sources)
    entries = AuditEntry.objects.filter(action=AuditAction.MERGE, object_type="registry.household")
    kept_entry = entries.get(object_id=str(kept.pk))
    assert kept_entry.changes["size"] == [2, 3]
    assert kept_entry.changes["address"] == ["", "Hay Al-Jihad, street 5"]
    assert kept_entry.context["household_merge"] == merge.pk
    assert kept_entry.context["reason"] == "Same"
    assert entries.get(object_id=str(folded.pk)).changes == {
        "status": ["displaced", "closed"],
        "merged_into": [None, kept.pk],
    }


def test_undo_restores_both_exactly(twice):
    kept, folded = twice
    kept_before, folded_before = state(kept), state(folded)
    merge = services.household_merge(actor=None, survivor=kept, merged=folded, reason="Same")
    assert state(kept) != kept_before

    services.household_merge_undo(actor=None, merge=merge)

    assert state(kept) == kept_before
    assert state(folded) == folded_before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    entries = AuditEntry.objects.filter(action=AuditAction.UNMERGE)
    assert set(entries.values_list("object_id", flat=True)) == {str(kept.pk), str(folded.pk)}
    with pytest.raises(ValidationError, match="already undone"):
        services.household_merge_undo(actor=None, merge=merge)
    # merged again after the undo: a new merge, the old one stays as history
    again = services.household_merge(actor=None, survivor=kept, merged=folded)
    assert HouseholdMerge.objects.filter(merged=folded).count() == 2
    assert again.pk != merge.pk


def test_refusals_change_nothing(twice, ngo, areas, other_ngo):
    kept, folded = twice
    with pytest.raises(ValidationError, match="cannot be merged with itself"):
        services.household_merge(actor=None, survivor=kept, merged=kept)
    third = ministry(ngo, areas["karkh"], tag="3")
    with pytest.raises(ValidationError, match="has one too: merge the two heads"):
        services.household_merge(actor=None, survivor=kept, merged=third)
    closed = distribution(ngo, areas["karkh"], tag="4", status="closed")
    with pytest.raises(ValidationError, match="is closed"):
        services.household_merge(actor=None, survivor=kept, merged=closed)
    with pytest.raises(ValidationError, match="is closed"):
        services.household_merge(actor=None, survivor=closed, merged=folded)
    outsider = member("case_worker", other_ngo)
    with pytest.raises(PermissionDenied, match="may not change household"):
        services.household_merge(actor=outsider, survivor=kept, merged=folded)
    elsewhere = register(ngo, areas["zubair"], [head(given_name="حسن")])
    narrowed = member("case_worker", ngo, areas=[areas["basrah"]])
    with pytest.raises(PermissionDenied, match=kept.registration_number):
        services.household_merge(actor=narrowed, survivor=kept, merged=elsewhere)
    assert not HouseholdMerge.objects.exists()
    assert not Household.objects.filter(merged_into__isnull=False).exists()

    services.household_merge(actor=None, survivor=kept, merged=folded)
    with pytest.raises(ValidationError, match="already merged into household"):
        services.household_merge(actor=None, survivor=third, merged=folded)
    with pytest.raises(ValidationError, match="already merged into household"):
        services.household_merge(actor=None, survivor=folded, merged=elsewhere)
    assert HouseholdMerge.objects.count() == 1


def test_a_merged_household_stays_as_it_was(twice):
    kept, folded = twice
    services.household_merge(actor=None, survivor=kept, merged=folded)
    folded.refresh_from_db()
    with pytest.raises(ValidationError, match="change that household, or undo the merge"):
        services.household_update(actor=None, instance=folded, data={"address": "x"})
    with pytest.raises(ValidationError, match="change that household, or undo the merge"):
        services.person_add(
            actor=None, household=folded, data={"relationship": "son", "given_name": "x"}
        )
    # the database holds the rules too, whatever the door
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=folded.pk).update(status="displaced")
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMerge.objects.create(
            survivor=kept, merged=folded, survivor_before={}, merged_status="displaced"
        )


def test_the_merge_permission_is_the_person_merge_s(twice, ngo):
    kept, folded = twice
    officer = member("case_worker", ngo)
    merge = services.household_merge(actor=officer, survivor=kept, merged=folded, reason="r")
    assert merge.decided_by == officer
    services.household_merge_undo(actor=officer, merge=merge)
    merge.refresh_from_db()
    assert merge.undone_by == officer


def test_an_undo_waits_for_a_later_merge_of_the_kept_household(twice, ngo, areas):
    kept, folded = twice
    first = services.household_merge(actor=None, survivor=kept, merged=folded)
    other = register(ngo, areas["karkh"], [head(given_name="حسن")])
    Person.objects.filter(household=kept, relationship="head").update(relationship="father")
    second = services.household_merge(actor=None, survivor=other, merged=kept)
    with pytest.raises(ValidationError, match="undo that merge first"):
        services.household_merge_undo(actor=None, merge=first)
    services.household_merge_undo(actor=None, merge=second)
    services.household_merge_undo(actor=None, merge=first)
    folded.refresh_from_db()
    assert (folded.status, folded.merged_into_id) == ("displaced", None)
    assert folded.members.filter(is_active=True).count() == 1


def test_undoing_a_person_merge_undoes_the_household_merge_it_rested_on(ngo, areas):
    kept = ministry(ngo, areas["karkh"])
    folded = register(
        ngo, areas["karkh"], [head(given_name="Mohammed", source=source("distribution", "D-1"))]
    )
    person_merge = heads_merged(kept, folded)
    folded_before = state(folded)
    household_merge = services.household_merge(actor=None, survivor=kept, merged=folded)

    services.merge_undo(actor=None, merge=person_merge)

    household_merge.refresh_from_db()
    assert household_merge.undone_at is not None
    assert state(folded) | {"members": None} == folded_before | {"members": None}
    assert folded.members.get().is_active  # the head is back, in his open household
    assert set(
        AuditEntry.objects.filter(action=AuditAction.UNMERGE).values_list("object_type", flat=True)
    ) == {"registry.household", "registry.person"}


def test_the_bulk_merge_does_what_merging_one_by_one_does(ngo, areas):
    one_by_one = [
        (ministry(ngo, areas["karkh"], f"a{n}"), distribution(ngo, areas["karkh"], f"b{n}"))
        for n in range(2)
    ]
    together = [
        (ministry(ngo, areas["karkh"], f"c{n}"), distribution(ngo, areas["karkh"], f"d{n}"))
        for n in range(2)
    ]
    for kept, folded in [*one_by_one, *together]:
        heads_merged(kept, folded)
    expected = [
        services.household_merge(actor=None, survivor=kept, merged=folded, reason="r")
        for kept, folded in one_by_one
    ]
    merges = services.household_merge_many(
        actor=None, pairs=[(kept.pk, folded.pk) for kept, folded in together], reason="r"
    )
    for (kept, folded), (reference_kept, reference_folded), reference in zip(
        together, one_by_one, expected, strict=True
    ):
        merge = merges[folded.pk]
        merge.refresh_from_db()
        assert merge.filled_fields == reference.filled_fields
        assert len(merge.moved_members) == len(reference.moved_members) == 1
        assert len(merge.moved_sources) == len(reference.moved_sources) == 2
        mine, theirs = state(kept), state(reference_kept)
        ignore = {"id": None, "registration_number": None, "created_at": None}
        assert mine | ignore | {"members": None, "sources": None} == theirs | ignore | {
            "members": None,
            "sources": None,
        }
        assert state(folded)["status"] == state(reference_folded)["status"] == "closed"


def test_several_households_merge_into_one_in_one_step(ngo, areas):
    kept = ministry(ngo, areas["karkh"])
    first = register(
        ngo, areas["karkh"], [head(), head(relationship="son", given_name="حسن")], size=2
    )
    second = register(
        ngo,
        areas["karkh"],
        [head(), head(relationship="daughter", given_name="مريم", sex="female")],
        address="Street 9",
        size=2,
    )
    heads_merged(kept, first)
    heads_merged(kept, second)
    merges = services.household_merge_many(
        actor=None, pairs=[(kept.pk, first.pk), (kept.pk, second.pk)]
    )
    kept.refresh_from_db()
    assert (kept.size, kept.address) == (4, "Street 9")
    assert merges[first.pk].filled_fields == ["size"]
    assert merges[second.pk].filled_fields == ["address", "size"]
    assert merges[second.pk].survivor_before["size"] == 3
    with pytest.raises(ValidationError, match="merged once"):
        services.household_merge_many(actor=None, pairs=[(kept.pk, first.pk)] * 2)


def test_the_bulk_merge_reads_a_fixed_number_of_queries(ngo, areas):
    pairs = []
    for n in range(9):
        kept, folded = (
            ministry(ngo, areas["karkh"], f"k{n}"),
            distribution(ngo, areas["karkh"], f"f{n}"),
        )
        heads_merged(kept, folded)
        pairs.append((kept.pk, folded.pk))
    counts = []
    for chunk in (pairs[:3], pairs[3:]):
        with CaptureQueriesContext(connection) as queries:
            services.household_merge_many(actor=None, pairs=chunk, reason="bulk")
        counts.append(len(queries.captured_queries))
    # the lock, the members, the source records, four updates, the merges, the audit rows (and
    # the savepoint): three households or six, the same queries
    assert counts[0] == counts[1] <= 11
    assert Household.objects.filter(status="closed").count() == 9


# --- Households left empty by person merges ----------------------------------------------------


def test_households_absorbed(ngo, areas):
    karkh = areas["karkh"]
    kept = ministry(ngo, karkh)
    wife = kept.members.get(relationship="spouse")
    # the head merged into kept's head: nobody left
    empty = register(ngo, karkh, [head(given_name="Mohammed")])
    heads_merged(kept, empty)
    # the head merged, a son still active: left alone
    with_son = distribution(ngo, karkh, "s")
    heads_merged(kept, with_son)
    # its members live on in two households: left alone
    other = register(ngo, karkh, [head(given_name="حسين")])
    split = register(ngo, karkh, [head(), head(relationship="son", given_name="حسين", sex="male")])
    services.person_merge(actor=None, survivor=wife, merged=split.head)
    services.person_merge(
        actor=None, survivor=other.head, merged=split.members.get(relationship="son")
    )
    # merged into a record itself merged into kept's wife since: lives on in kept
    chained = register(ngo, karkh, [head(given_name="زينب", sex="female")])
    middle = register(ngo, karkh, [head(given_name="زينب", sex="female")])
    services.person_merge(actor=None, survivor=middle.head, merged=chained.head)
    # someone who left, merged nowhere: nothing says where the household went
    left = register(ngo, karkh, [head(given_name="كريم")])
    Person.objects.filter(household=left).update(is_active=False)
    # its merge into kept was undone by hand once
    undone = register(ngo, karkh, [head(given_name="Muhammad")])
    heads_merged(kept, undone)
    services.household_merge_undo(
        actor=None, merge=services.household_merge(actor=None, survivor=kept, merged=undone)
    )
    ids = [empty.pk, with_son.pk, split.pk, chained.pk, left.pk, undone.pk, kept.pk]
    assert selectors.households_absorbed(ids) == {empty.pk: kept.pk, chained.pk: middle.pk}
    services.person_merge(actor=None, survivor=wife, merged=middle.head)
    assert selectors.households_absorbed(ids) == {empty.pk: kept.pk, chained.pk: kept.pk}
    assert selectors.households_absorbed([middle.pk]) == {middle.pk: kept.pk}


def test_suggestions_are_the_households_holding_the_survivors(ngo, areas):
    kept = ministry(ngo, areas["karkh"])
    folded = distribution(ngo, areas["karkh"])
    heads_merged(kept, folded)
    officer = member("case_worker", ngo)
    assert selectors.household_merge_suggestions(officer, folded) == [(kept, 1)]
    assert selectors.household_merge_suggestions(member("case_worker"), folded) == []
    assert selectors.household_merge_suggestions(officer, kept) == []


def test_lists_and_counts_leave_merged_households_out(twice, ngo):
    kept, folded = twice
    officer = member("case_worker", ngo)
    services.household_merge(actor=None, survivor=kept, merged=folded)
    assert list(selectors.households(officer)) == [kept]
    assert set(selectors.households(officer, merged=True)) == {kept, folded}
    assert selectors.household_detail(officer, folded.pk) == folded
    assert selectors.household_survivors([folded.pk, kept.pk]) == {
        folded.pk: kept.pk,
        kept.pk: kept.pk,
    }
    assert {p.household_id for p in selectors.search_persons(officer, "علي")} == {kept.pk}
    assert SourceRecord.objects.filter(household=folded).count() == 0
