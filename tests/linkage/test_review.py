"""Clerical review of candidate pairs: decisions (same merges, a changed mind undoes the merge),
scope, the queue and the side-by-side page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from marsad.core.models import AuditEntry
from marsad.linkage import services
from marsad.linkage.models import CandidatePair, PairStatus
from marsad.registry.models import Person
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db

EVIDENCE = [
    {"field": "given_name", "label": "agrees: same name", "weight": 4.1},
    {"field": "father_name", "label": "agrees: same spelling", "weight": 3.0},
    {"field": "birth_date", "label": "close: within a year", "weight": 0.8},
    {"field": "phone", "label": "missing", "weight": 0.0},
    {"field": "sex", "label": "disagrees", "weight": -2.5},
]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def make_pair(ngo, areas, probability=0.93, **right):
    left = register(
        ngo,
        areas["karkh"],
        [head(source={"kind": "ministry", "source_key": f"M-{probability}", "payload": {"n": 1}})],
    ).head
    right = register(
        ngo,
        areas["karkh"],
        [
            head(
                given_name="Mohammed",
                father_name="Jasim",
                birth_date=datetime.date(1981, 7, 1),
                **right,
            )
        ],
    ).head
    return CandidatePair.objects.create(
        left=left,
        right=right,
        match_probability=probability,
        match_weight=5.5,
        evidence=EVIDENCE,
    )


@pytest.fixture
def reviewer(ngo, areas):
    return member("case_worker", ngo, username="reviewer")


def test_same_merges_by_the_survivorship_rules(ngo, areas, reviewer):
    pair = make_pair(ngo, areas)
    pair = services.pair_decide(actor=reviewer, pair=pair, decision="same", note="Same ID card")
    assert pair.status == PairStatus.SAME
    assert pair.decided_by == reviewer
    assert pair.merge.survivor == pair.left  # registered from the ministry: more trusted
    right = Person.objects.get(pk=pair.right_id)
    assert (right.is_active, right.merged_into_id) == (False, pair.left_id)
    entry = AuditEntry.objects.get(object_type="linkage.candidatepair")
    assert entry.changes["status"] == ["review", "same"]
    assert entry.actor_username == "reviewer"


def test_changing_a_same_decision_undoes_the_merge(ngo, areas, reviewer):
    pair = services.pair_decide(actor=reviewer, pair=make_pair(ngo, areas), decision="same")
    merge = pair.merge
    pair = services.pair_decide(actor=reviewer, pair=pair, decision="different")
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert pair.merge is None
    assert Person.objects.filter(is_active=True).count() == 2
    pair = services.pair_decide(actor=reviewer, pair=pair, decision="unsure")
    assert pair.status == PairStatus.UNSURE


def test_undoing_the_merge_elsewhere_reopens_the_pair(ngo, areas, reviewer):
    """The household page's Undo: the two records are separate again, so the pair's "same"
    no longer holds; it waits for review, and a later decision merges again."""
    from marsad.registry import services as registry

    pair = services.pair_decide(actor=reviewer, pair=make_pair(ngo, areas), decision="same")
    registry.merge_undo(actor=reviewer, merge=pair.merge)
    pair.refresh_from_db()
    assert pair.status == PairStatus.REVIEW
    reopened = AuditEntry.objects.filter(object_type="linkage.candidatepair").latest("pk")
    assert reopened.changes["status"] == ["same", "review"]
    assert reopened.context["merge_undone"] == pair.merge_id
    pair = services.pair_decide(actor=reviewer, pair=pair, decision="same")
    assert Person.objects.filter(is_active=True).count() == 1
    pair = services.pair_decide(actor=reviewer, pair=pair, decision="different")
    pair.refresh_from_db()
    assert pair.status == PairStatus.DIFFERENT


def test_bad_decision_and_scope(ngo, other_ngo, areas, reviewer):
    pair = make_pair(ngo, areas)
    with pytest.raises(ValidationError):
        services.pair_decide(actor=reviewer, pair=pair, decision="maybe")
    with pytest.raises(PermissionDenied):
        services.pair_decide(actor=member("case_worker", other_ngo), pair=pair, decision="same")
    with pytest.raises(PermissionDenied):
        services.pair_decide(actor=member("aggregate_viewer", ngo), pair=pair, decision="same")
    pair.refresh_from_db()
    assert pair.status == PairStatus.REVIEW


def test_already_merged_records_follow_to_the_kept_one(ngo, areas, reviewer):
    first = services.pair_decide(actor=reviewer, pair=make_pair(ngo, areas, 0.95), decision="same")
    third = register(ngo, areas["karkh"], [head(given_name="Muhammad")]).head
    pair = CandidatePair.objects.create(
        left=first.right, right=third, match_probability=0.9, match_weight=4
    )
    pair = services.pair_decide(actor=reviewer, pair=pair, decision="same")
    assert pair.merge.survivor_id == first.left_id
    assert Person.objects.filter(is_active=True).count() == 1


def test_queue_lists_pairs_in_scope_best_first(client, ngo, other_ngo, areas, reviewer):
    low = make_pair(ngo, areas, 0.81)
    high = make_pair(ngo, areas, 0.97)
    make_pair(other_ngo, areas, 0.99)
    client.force_login(reviewer)
    response = client.get(reverse("linkage:queue"))
    assert [p.pk for p in response.context["page"]] == [high.pk, low.pk]
    assert response.context["counts"]["review"] == 2
    assert response.context["first"] == high
    response = client.get(reverse("linkage:queue"), {"minimum": "0.9"})
    assert [p.pk for p in response.context["page"]] == [high.pk]


def test_pair_page_shows_both_records_and_the_evidence(client, ngo, areas, reviewer):
    pair = make_pair(ngo, areas, phones=["07701234567"])
    client.force_login(reviewer)
    page = client.get(reverse("linkage:pair-detail", args=[pair.pk])).content.decode()
    assert "محمد" in page
    assert "Mohammed" in page
    assert "agrees: same name in another spelling or script" in page
    assert "close: within a year" in page
    assert "verdict-disagrees" in page
    assert "07701234567" in page
    assert 'data-key="s"' in page
    assert "Ministry register" in page


def test_decide_goes_on_to_the_next_pair(client, ngo, areas, reviewer):
    first = make_pair(ngo, areas, 0.97)
    second = make_pair(ngo, areas, 0.85)
    client.force_login(reviewer)
    response = client.post(
        reverse("linkage:pair-decide", args=[first.pk]), {"decision": "different"}
    )
    assert response["Location"] == reverse("linkage:pair-detail", args=[second.pk])
    response = client.post(reverse("linkage:pair-decide", args=[second.pk]), {"decision": "same"})
    assert response["Location"] == reverse("linkage:queue")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("different", "same")


def test_merge_undo_from_the_household_page(client, ngo, areas, reviewer):
    pair = services.pair_decide(actor=reviewer, pair=make_pair(ngo, areas), decision="same")
    client.force_login(reviewer)
    page = client.get(reverse("registry:household-detail", args=[pair.left.household_id]))
    assert reverse("registry:merge-undo", args=[pair.merge.pk]) in page.content.decode()
    response = client.post(reverse("registry:merge-undo", args=[pair.merge.pk]))
    assert response.status_code == 302
    assert Person.objects.filter(is_active=True).count() == 2


def test_same_merges_the_household_it_leaves_without_a_member(ngo, areas, reviewer):
    """The right record was its household's only member: once it lives on in the left one's
    household, that household was the same family registered twice and is merged there too
    (as a linkage run does); changing the decision undoes both."""
    from marsad.linkage import selectors
    from marsad.registry.models import Household, HouseholdMerge

    pair = services.pair_decide(actor=reviewer, pair=make_pair(ngo, areas), decision="same")
    household_merge = HouseholdMerge.objects.get()
    assert (household_merge.survivor_id, household_merge.merged_id) == (
        pair.left.household_id,
        pair.right.household_id,
    )
    assert Household.objects.get(pk=pair.right.household_id).merged_into_id == (
        pair.left.household_id
    )
    assert selectors.household_merge_of(pair) == household_merge
    # Both merges name the pair; their reason is put into words in the reader's language.
    assert (pair.merge.review_pair, pair.merge.reason) == (pair.pk, "")
    assert (household_merge.review_pair, household_merge.reason) == (pair.pk, "")
    assert pair.merge.reason_text == f"Reviewed: same person (pair {pair.pk})"
    with translation.override("ar"):
        assert household_merge.reason_text == (
            f"روجع: الشخص نفسه (ثنائي السجلات {pair.pk})؛ لم يبقَ في الأسرة فرد خاص بها"
        )
    entry = AuditEntry.objects.filter(action="merge", object_type="registry.person").get()
    assert entry.context["review_pair"] == pair.pk
    services.pair_decide(actor=reviewer, pair=pair, decision="different")
    household_merge.refresh_from_db()
    assert household_merge.undone_at is not None
    assert Household.objects.get(pk=pair.right.household_id).merged_into_id is None


def test_same_leaves_a_household_with_other_members_alone(ngo, areas, reviewer):
    from marsad.registry.models import HouseholdMerge

    left = register(ngo, areas["karkh"], [head()]).head
    right = register(
        ngo,
        areas["karkh"],
        [
            head(given_name="Mohammed"),
            head(relationship="spouse", given_name="Zainab", sex="female"),
        ],
    ).head
    pair = CandidatePair.objects.create(
        left=left, right=right, match_probability=0.9, match_weight=4.0, evidence=EVIDENCE
    )
    pair = services.pair_decide(actor=reviewer, pair=pair, decision="same")
    assert pair.merge is not None
    assert not HouseholdMerge.objects.exists()


def test_decision_page_and_api_say_the_household_was_merged(client, ngo, areas, reviewer):
    pair = make_pair(ngo, areas)
    client.force_login(reviewer)
    response = client.post(
        reverse("linkage:pair-decide", args=[pair.pk]), {"decision": "same"}, follow=True
    )
    shown = [str(message) for message in response.context["messages"]]
    assert any("was merged into household" in message for message in shown), shown
    body = client.get(f"/api/v1/linkage/pairs/{pair.pk}/").json()
    assert body["household_merge"] is not None
    response = client.post(
        f"/api/v1/linkage/pairs/{pair.pk}/decide/",
        {"decision": "unsure"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["household_merge"] is None


def test_household_page_says_where_a_merged_member_lives_on(client, ngo, areas):
    from marsad.registry.models import Household

    left = register(ngo, areas["karkh"], [head()]).head
    right = register(
        ngo,
        areas["karkh"],
        [
            head(given_name="Mohammed"),
            head(relationship="spouse", given_name="Zainab", sex="female"),
        ],
    ).head
    reviewer = member("case_worker", ngo, username="reviewer")
    pair = CandidatePair.objects.create(
        left=left, right=right, match_probability=0.9, match_weight=4.0, evidence=EVIDENCE
    )
    services.pair_decide(actor=reviewer, pair=pair, decision="same")
    client.force_login(reviewer)
    page = client.get(reverse("registry:household-detail", args=[right.household_id]))
    text = page.content.decode()
    survivor_home = Household.objects.get(pk=left.household_id)
    assert "Merged into" in text
    assert reverse("registry:household-detail", args=[survivor_home.pk]) in text
    assert reverse("registry:person-edit", args=[right.pk]) not in text
