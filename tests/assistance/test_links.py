"""Households linked by the registry's merges and linkage's decisions — what ties them, what
does not, ties followed through, and the same answer whichever way the links are read."""

import pytest

from marsad.assistance import selectors
from marsad.linkage.models import CandidatePair, PairStatus
from marsad.registry import services as registry
from tests.assistance.factories import household

pytestmark = pytest.mark.django_db


def pair(first, second, status):
    left, right = sorted([first.members.get(), second.members.get()], key=lambda p: p.pk)
    return CandidatePair.objects.create(
        left=left, right=right, match_probability=0.97, match_weight=7.1, status=status
    )


def merge(survivor, merged):
    return registry.person_merge(
        actor=None, survivor=survivor.members.get(), merged=merged.members.get()
    )


@pytest.fixture
def five(areas, ngo):
    return [household(ngo, areas["zubair"]) for _ in range(5)]


def test_a_merge_ties_the_two_households_both_ways(five):
    a, b, c, *_ = five
    merge(a, b)
    assert selectors.linked_households([a.pk, b.pk, c.pk]) == {
        a.pk: {b.pk},
        b.pk: {a.pk},
        c.pk: set(),
    }


def test_an_undone_merge_ties_nothing(five):
    a, b, *_ = five
    registry.merge_undo(actor=None, merge=merge(a, b))
    assert selectors.linked_households([a.pk]) == {a.pk: set()}


@pytest.mark.parametrize(
    ("status", "linked"),
    [
        (PairStatus.SAME, True),
        (PairStatus.AUTO_LINKED, True),
        (PairStatus.REVIEW, False),
        (PairStatus.DIFFERENT, False),
        (PairStatus.UNSURE, False),
    ],
)
def test_a_pair_ties_households_only_when_decided_the_same_person(five, status, linked):
    a, b, *_ = five
    pair(a, b, status)
    assert selectors.linked_households([b.pk]) == {b.pk: {a.pk} if linked else set()}


def test_ties_are_followed_through(five):
    a, b, c, d, e = five
    merge(a, b)  # b's record folded into a's
    merge(a, c)  # c's too: b and c meet only through a
    pair(c, d, PairStatus.SAME)  # and d through c
    assert selectors.linked_households([b.pk, e.pk]) == {b.pk: {a.pk, c.pk, d.pk}, e.pk: set()}


def test_reading_every_link_gives_the_same_answer(five, monkeypatch):
    a, b, c, d, e = five
    merge(a, b)
    pair(c, d, PairStatus.AUTO_LINKED)
    pair(b, c, PairStatus.DIFFERENT)
    ids = [h.pk for h in five]
    followed = selectors.linked_households(ids)
    monkeypatch.setattr(selectors, "LINK_SCAN_FROM", 1)
    assert (
        selectors.linked_households(ids)
        == followed
        == {
            a.pk: {b.pk},
            b.pk: {a.pk},
            c.pk: {d.pk},
            d.pk: {c.pk},
            e.pk: set(),
        }
    )


def test_links_cross_organisations(areas, ngo, other_ngo):
    ours = household(ngo, areas["zubair"])
    theirs = household(other_ngo, areas["karkh"])
    merge(theirs, ours)
    assert selectors.linked_households([ours.pk]) == {ours.pk: {theirs.pk}}


def test_nothing_asked_nothing_read(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.linked_households([]) == {}


def test_one_query_per_step_out(five, django_assert_num_queries):
    a, b, *_ = five
    with django_assert_num_queries(1):
        selectors.linked_households([a.pk])
    merge(a, b)
    with django_assert_num_queries(2):  # b's links, then a's (nothing new)
        assert selectors.linked_households([b.pk]) == {b.pk: {a.pk}}
