"""Linkage's automatic step merges the households it leaves empty: each household left with no
active member whose merged members all live on in one other household is merged into it, in a
few queries for many households; a household with an active member left is not."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from marsad.core.models import AuditEntry
from marsad.linkage.models import CandidatePair, LinkageRun, ModelVersion, PairStatus
from marsad.linkage.runs import autolink
from marsad.registry import services
from marsad.registry.models import Household, HouseholdMerge, PersonMerge
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


def source(kind: str, key: str) -> dict:
    return {"kind": kind, "source_key": key, "payload": {"key": key}}


def family(ngo, area, kind: str, tag: str, *, son: bool = False):
    """A head and his wife (and a son) registered from ``kind``."""
    members = [
        head(source=source(kind, f"{tag}-1")),
        head(
            relationship="spouse", given_name="زينب", sex="female", source=source(kind, f"{tag}-2")
        ),
    ]
    if son:
        members.append(
            head(
                relationship="son",
                given_name="علي",
                birth_date=datetime.date(2012, 7, 1),
                source=source(kind, f"{tag}-3"),
            )
        )
    return register(ngo, area, members, size=len(members))


def new_run() -> LinkageRun:
    version = ModelVersion.objects.get_or_create(
        version=1, defaults={"model": {}, "auto_link_threshold": 0.99, "review_threshold": 0.8}
    )[0]
    return LinkageRun.objects.create(kind="full", model=version)


def pairs_between(run: LinkageRun, first: Household, second: Household) -> None:
    """A pair above the threshold between each member of ``first`` and its namesake in
    ``second`` (same relationship)."""
    for person in first.members.all():
        other = second.members.get(relationship=person.relationship)
        left, right = sorted([person.pk, other.pk])
        CandidatePair.objects.create(
            run=run, left_id=left, right_id=right, match_probability=0.999, match_weight=9.0
        )


def test_a_household_left_empty_is_merged_into_its_members_household(ngo, areas):
    ministry = family(ngo, areas["karkh"], "ministry", "M")
    listed = family(ngo, areas["karkh"], "distribution", "D")
    with_son = family(ngo, areas["karkh"], "partner", "P", son=True)
    run = new_run()
    pairs_between(run, ministry, listed)
    pairs_between(run, ministry, with_son)

    result = autolink.auto_link(run=run, threshold=0.99)

    assert (result.merges, result.household_merges, result.problems) == (4, 1, [])
    listed.refresh_from_db()
    with_son.refresh_from_db()
    assert (listed.status, listed.merged_into_id) == ("closed", ministry.pk)
    assert (with_son.status, with_son.merged_into_id) == ("displaced", None)  # the son is left
    merge = HouseholdMerge.objects.get()
    assert (merge.survivor_id, merge.merged_id, merge.moved_members) == (
        ministry.pk,
        listed.pk,
        [],
    )
    assert (merge.linkage_run, merge.reason) == (run.pk, "")
    assert merge.decided_by is None
    # The run's reason is put into words in the reader's language, not the run's.
    assert merge.reason_text == f"Linked automatically by linkage run {run.pk}"
    with translation.override("ar"):
        assert merge.reason_text == f"رُبط تلقائيًا في عملية الربط {run.pk}"
    person_merge = PersonMerge.objects.filter(merged__household=listed).first()
    assert (person_merge.linkage_run, person_merge.reason) == (run.pk, "")
    entries = AuditEntry.objects.filter(action="merge", context__household_merge=merge.pk)
    assert entries
    assert {entry.context["linkage_run"] for entry in entries} == {run.pk}
    assert CandidatePair.objects.filter(status=PairStatus.AUTO_LINKED).count() == 4


def test_undoing_an_automatic_person_merge_reopens_the_household(ngo, areas):
    ministry = family(ngo, areas["karkh"], "ministry", "M")
    listed = family(ngo, areas["karkh"], "distribution", "D")
    run = new_run()
    pairs_between(run, ministry, listed)
    autolink.auto_link(run=run, threshold=0.99)
    pair = CandidatePair.objects.get(left__relationship="head")

    services.merge_undo(actor=None, merge=pair.merge)  # from the household page

    listed.refresh_from_db()
    assert (listed.status, listed.merged_into_id) == ("displaced", None)
    assert HouseholdMerge.objects.get().undone_at is not None
    # the next run sends the pair to review and leaves the household open
    again = autolink.auto_link(run=run, threshold=0.99)
    listed.refresh_from_db()
    assert (again.household_merges, listed.merged_into_id) == (0, None)
    assert listed.members.filter(is_active=True).count() == 1


def test_many_households_are_merged_in_a_few_queries(ngo, areas):
    def world(count: int, tag: str) -> tuple[LinkageRun, list[Household]]:
        run = new_run()
        listed = []
        for n in range(count):
            ministry = family(ngo, areas["karkh"], "ministry", f"{tag}M{n}")
            listed.append(family(ngo, areas["karkh"], "distribution", f"{tag}D{n}"))
            pairs_between(run, ministry, listed[-1])
        return run, listed

    counted = []
    for count, tag in ((3, "a"), (12, "b")):
        run, listed = world(count, tag)
        with CaptureQueriesContext(connection) as queries:
            result = autolink.auto_link(run=run, threshold=0.99)
        assert result.household_merges == count
        assert Household.objects.filter(pk__in=[h.pk for h in listed], status="closed").count() == (
            count
        )
        counted.append(len(queries.captured_queries))
    assert counted[0] == counted[1]  # four times the households, not one query more


def test_a_refused_household_is_named_and_the_others_merged(ngo, areas, monkeypatch):
    run = new_run()
    listed = []
    for n in range(3):
        ministry = family(ngo, areas["karkh"], "ministry", f"M{n}")
        listed.append(family(ngo, areas["karkh"], "distribution", f"D{n}"))
        pairs_between(run, ministry, listed[-1])
    refused = listed[1].pk
    merge_many = services.household_merge_many

    def refusing(*, actor, pairs, **how):
        if any(merged == refused for _survivor, merged in pairs):
            raise ValidationError("Refused for the test.")
        return merge_many(actor=actor, pairs=pairs, **how)

    monkeypatch.setattr(services, "household_merge_many", refusing)
    result = autolink.auto_link(run=run, threshold=0.99)
    assert result.household_merges == 2
    number = listed[1].registration_number
    assert result.problems == [f"household {number} was not merged: Refused for the test."]
    assert set(Household.objects.filter(status="closed").values_list("pk", flat=True)) == {
        listed[0].pk,
        listed[2].pk,
    }
