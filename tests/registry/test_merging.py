"""Merging two records of one person by the survivorship rules, and undoing it exactly."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marsad.core.models import AuditEntry
from marsad.registry import services
from marsad.registry.models import Person, PersonMerge, SourceRecord
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(areas, ngo):
    ministry = register(
        ngo,
        areas["karkh"],
        [
            head(
                mother_name="",
                birth_date=datetime.date(1980, 7, 1),
                birth_date_precision="year",
                documents=[{"kind": "national_id", "number": "111122223333"}],
                source={"kind": "ministry", "source_key": "M-1", "payload": {"row": 1}},
            )
        ],
    ).head
    distribution = register(
        ngo,
        areas["karkh"],
        [
            head(
                given_name="Mohammed",
                father_name="Jasim",
                mother_name="Zahra",
                birth_date=datetime.date(1980, 3, 14),
                birth_date_precision="day",
                disability=True,
                phones=["07701234567"],
                documents=[{"kind": "national_id", "number": "1111-2222-3333"}],
                source={"kind": "distribution", "source_key": "D-9", "payload": {"row": 9}},
            )
        ],
    ).head
    return ministry, distribution


def test_survivor_is_the_more_trusted_source(pair):
    ministry, distribution = pair
    assert services.choose_survivor(distribution, ministry) == (ministry, distribution)
    assert services.choose_survivor(ministry, distribution) == (ministry, distribution)


def test_merge_applies_the_rules(pair):
    ministry, distribution = pair
    merge = services.person_merge(
        actor=None, survivor=ministry, merged=distribution, reason="Same ID"
    )
    ministry.refresh_from_db()
    distribution.refresh_from_db()
    assert ministry.given_name == "محمد"  # kept
    assert ministry.mother_name == "Zahra"  # filled
    assert (ministry.birth_date, ministry.birth_date_precision) == (
        datetime.date(1980, 3, 14),
        "day",
    )  # more precise
    assert ministry.disability is True
    assert ministry.documents.count() == 1  # the same number, once
    assert [p.number_normalised for p in ministry.phones.all()] == ["7701234567"]
    assert " zahra" in ministry.search_text
    assert (distribution.is_active, distribution.merged_into) == (False, ministry)
    assert set(SourceRecord.objects.values_list("person", flat=True)) == {ministry.pk}
    assert sorted(merge.filled_fields) == sorted(
        ["mother_name", "birth_date", "birth_date_precision", "disability"]
    )
    entry = AuditEntry.objects.get(action="merge")
    assert entry.context["merged"] == distribution.pk
    assert entry.changes["mother_name"] == ["", "Zahra"]


def test_undo_restores_both_exactly(pair):
    ministry, distribution = pair
    before = {name: getattr(ministry, name) for name in ("mother_name", "birth_date", "disability")}
    text = ministry.search_text
    merge = services.person_merge(actor=None, survivor=ministry, merged=distribution)
    services.merge_undo(actor=None, merge=merge)
    ministry.refresh_from_db()
    distribution.refresh_from_db()
    assert {n: getattr(ministry, n) for n in before} == before
    assert ministry.search_text == text
    assert ministry.phones.count() == 0
    assert distribution.is_active
    assert distribution.merged_into is None
    assert SourceRecord.objects.get(source_key="D-9").person == distribution
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert AuditEntry.objects.filter(action="unmerge").exists()
    with pytest.raises(ValidationError, match="already undone"):
        services.merge_undo(actor=None, merge=merge)
    services.person_merge(actor=None, survivor=ministry, merged=distribution)  # again: allowed


def test_refusals(pair, areas, other_ngo):
    ministry, distribution = pair
    with pytest.raises(ValidationError, match="with itself"):
        services.person_merge(actor=None, survivor=ministry, merged=ministry)
    services.person_merge(actor=None, survivor=ministry, merged=distribution)
    with pytest.raises(ValidationError, match="no longer active"):
        services.person_merge(actor=None, survivor=ministry, merged=distribution)
    stranger = register(other_ngo, areas["karkh"]).head
    outsider = member("case_worker", other_ngo)
    with pytest.raises(PermissionDenied):
        services.person_merge(actor=outsider, survivor=stranger, merged=ministry)
    assert PersonMerge.objects.count() == 1


def test_undo_waits_for_a_later_merge(pair, areas, ngo):
    ministry, distribution = pair
    first = services.person_merge(actor=None, survivor=ministry, merged=distribution)
    third = register(ngo, areas["karkh"]).head
    services.person_merge(actor=None, survivor=third, merged=ministry)
    with pytest.raises(ValidationError, match="merged again since"):
        services.merge_undo(actor=None, merge=first)
    assert Person.objects.filter(is_active=True).count() == 1


def _cluster(ngo, area, tag: str) -> list[Person]:
    """Three records of one man: a partner list's, the ministry's, a distribution list's."""
    partner = head(
        given_name="Mohammed",
        father_name="Jasim",
        grandfather_name="",
        mother_name="Zahra",
        birth_date=None,
        phones=["07701234567", "07809990000"],
        source={"kind": "partner", "source_key": f"P-{tag}", "payload": {"row": 1}},
    )
    ministry = head(
        mother_name="",
        marital_status="",
        documents=[{"kind": "national_id", "number": "111122223333"}],
        source={"kind": "ministry", "source_key": f"M-{tag}", "payload": {"row": 2}},
    )
    distribution = head(
        given_name="Muhammad",
        mother_name="Zahraa",
        marital_status="married",
        birth_date=datetime.date(1980, 3, 14),
        birth_date_precision="day",
        chronic_illness=True,
        phones=["0770 123 4567", "07501112222"],
        documents=[
            {"kind": "national_id", "number": "1111-2222-3333"},
            {"kind": "passport", "number": "A1234567"},
        ],
        source={"kind": "distribution", "source_key": f"D-{tag}", "payload": {"row": 3}},
    )
    return [register(ngo, area, [data]).head for data in (partner, ministry, distribution)]


def _state(person: Person) -> dict:
    person.refresh_from_db()
    values = {
        field.name: getattr(person, field.attname)
        for field in Person._meta.concrete_fields
        if field.name not in ("id", "household", "created_at", "updated_at", "merged_into")
    }
    values["documents"] = sorted((d.kind, d.number) for d in person.documents.all())
    values["phones"] = sorted(p.number for p in person.phones.all())
    values["sources"] = sorted(s.source_key[0] for s in person.source_records.all())
    return values


def test_merge_clusters_does_what_merging_one_by_one_does(areas, ngo):
    one_by_one = _cluster(ngo, areas["karkh"], "a")
    together = _cluster(ngo, areas["karkh"], "b")
    survivor = one_by_one[1]  # the ministry's record: rule 1
    expected = [
        services.person_merge(actor=None, survivor=survivor, merged=person, reason="r")
        for person in (one_by_one[0], one_by_one[2])
    ]
    merges = services.merge_clusters(
        actor=None, clusters=[{person.pk for person in together}], reason="r"
    )

    assert set(merges) == {together[0].pk, together[2].pk}
    assert _state(together[1]) == _state(survivor)
    for person in (together[0], together[2]):
        person.refresh_from_db()
        assert (person.is_active, person.merged_into_id) == (False, together[1].pk)
    for merge, reference in zip(
        (merges[together[0].pk], merges[together[2].pk]), expected, strict=True
    ):
        merge.refresh_from_db()
        assert merge.filled_fields == reference.filled_fields
        assert merge.survivor_before.keys() == reference.survivor_before.keys()
        assert len(merge.copied_documents) == len(reference.copied_documents)
        assert len(merge.copied_phones) == len(reference.copied_phones)
        assert len(merge.moved_sources) == len(reference.moved_sources) == 1
    entries = AuditEntry.objects.filter(action="merge").order_by("pk")
    ours = [e.changes for e in entries if e.object_id == str(together[1].pk)]
    theirs = [e.changes for e in entries if e.object_id == str(survivor.pk)]
    assert ours == theirs
    assert theirs[1]["birth_date"] == ["1980-07-01", "1980-03-14"]

    # undone in reverse, the bulk merges put every record back as it was
    services.merge_undo(actor=None, merge=merges[together[2].pk])
    services.merge_undo(actor=None, merge=merges[together[0].pk])
    fresh = _cluster(ngo, areas["karkh"], "c")
    for person, original in zip(together, fresh, strict=True):
        assert _state(person) | {"sources": None} == _state(original) | {"sources": None}


def test_merge_clusters_writes_many_clusters_in_a_few_queries(areas, ngo):
    clusters = [{p.pk for p in _cluster(ngo, areas["karkh"], str(n))} for n in range(6)]
    with CaptureQueriesContext(connection) as queries:
        merges = services.merge_clusters(actor=None, clusters=clusters, reason="bulk")
    assert len(merges) == 12
    assert len(queries.captured_queries) <= 15  # not a dozen a merge, as one by one
    assert Person.objects.filter(is_active=True).count() == 6
    assert PersonMerge.objects.count() == 12


def test_merge_clusters_refuses_all_or_nothing(areas, ngo):
    first = [p.pk for p in _cluster(ngo, areas["karkh"], "x")]
    second = [p.pk for p in _cluster(ngo, areas["karkh"], "y")]
    services.person_merge(
        actor=None,
        survivor=Person.objects.get(pk=second[1]),
        merged=Person.objects.get(pk=second[0]),
    )
    with pytest.raises(ValidationError, match="no longer active"):
        services.merge_clusters(actor=None, clusters=[set(first), set(second)])
    assert PersonMerge.objects.count() == 1
    assert Person.objects.filter(pk__in=first, is_active=True).count() == 3
    with pytest.raises(ValidationError, match="with itself"):
        services.merge_clusters(actor=None, clusters=[set(first), {first[0], second[2]}])
    male_pregnant = register(ngo, areas["karkh"], [head(pregnant_or_lactating=False)]).head
    Person.objects.filter(pk=first[2]).update(sex="", pregnant_or_lactating=True)
    Person.objects.filter(pk__in=first[:2]).update(sex="male")
    with pytest.raises(ValidationError, match="pregnant"):
        services.merge_clusters(actor=None, clusters=[set(first)])
    assert male_pregnant.is_active
