"""Merging two records of one person by the survivorship rules, and undoing it exactly."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

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
