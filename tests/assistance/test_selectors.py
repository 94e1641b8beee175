"""Reading for scoring: household snapshots from the registry (scoped, active members only, in
chunks), criteria sets and versions in scope, and scores reproduced from a stored version."""

import datetime

import pytest

from marsad.assistance import selectors
from marsad.assistance.explanations import explain
from marsad.assistance.models import CriteriaSetVersion
from marsad.assistance.scoring import Category, HouseholdSnapshot, MemberSnapshot, RuleKind
from marsad.core.scoping import membership_scopes
from marsad.registry.models import Household, Person
from tests.assistance.factories import IOM_ROWS, criteria_set, publish
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 15)


def vulnerable(organisation, area, **household):
    """A widowed woman of 67 heading seven people in a school, displaced in March, no income."""
    values = {
        "size": 7,
        "shelter_type": "school",
        "documentation_status": "partial",
        "has_income": False,
        "displacement_date": datetime.date(2025, 3, 1),
        **household,
    }
    return register(
        organisation,
        area,
        [
            head(
                given_name="زينب",
                sex="female",
                marital_status="widowed",
                birth_date=datetime.date(1958, 1, 1),
                birth_date_precision="year",
                chronic_illness=True,
            ),
            head(
                relationship="son",
                given_name="علي",
                birth_date=datetime.date(2010, 4, 2),
                birth_date_precision="day",
                disability=True,
            ),
        ],
        **values,
    )


def test_snapshot_carries_what_the_rules_read(areas, ngo):
    household = vulnerable(ngo, areas["karkh"])
    manager = member("programme_manager", ngo)
    head_person = household.members.get(relationship="head")
    son = household.members.get(relationship="son")
    assert selectors.household_snapshot(manager, household.pk) == HouseholdSnapshot(
        household_id=household.pk,
        size=7,
        members=(
            MemberSnapshot(
                person_id=head_person.pk,
                relationship="head",
                sex="female",
                birth_date=datetime.date(1958, 1, 1),
                birth_date_precision="year",
                marital_status="widowed",
                chronic_illness=True,
            ),
            MemberSnapshot(
                person_id=son.pk,
                relationship="son",
                sex="male",
                birth_date=datetime.date(2010, 4, 2),
                birth_date_precision="day",
                disability=True,
            ),
        ),
        shelter_type="school",
        documentation_status="partial",
        has_income=False,
        displacement_date=datetime.date(2025, 3, 1),
    )


def test_members_who_left_or_were_merged_are_not_read(areas, ngo):
    household = vulnerable(ngo, areas["karkh"])
    Person.objects.filter(household=household, relationship="son").update(is_active=False)
    snapshot = selectors.household_snapshot(member("programme_manager", ngo), household.pk)
    assert [m.relationship for m in snapshot.members] == ["head"]


def test_snapshots_are_scoped(areas, ngo, other_ngo):
    ours = vulnerable(ngo, areas["karkh"])
    secret = vulnerable(ngo, areas["karkh"], sensitivity="confidential")
    theirs = vulnerable(other_ngo, areas["zubair"])

    def seen(user):
        return [s.household_id for s in selectors.household_snapshots(user)]

    assert seen(member("programme_manager", ngo)) == [ours.pk]
    assert seen(member("case_worker", ngo)) == [ours.pk, secret.pk]
    assert seen(member("partner_reporter", other_ngo)) == [theirs.pk]
    assert seen(member("field_monitor", ngo, areas=[areas["basrah"]])) == []
    assert seen(member("aggregate_viewer", ngo)) == []
    with pytest.raises(Household.DoesNotExist):
        selectors.household_snapshot(member("programme_manager", ngo), theirs.pk)


def test_snapshots_read_in_chunks_with_two_queries_each(areas, ngo, django_assert_num_queries):
    households = [
        register(ngo, areas["karkh"], [head(), head(relationship="son")]) for _ in range(5)
    ]
    manager = member("programme_manager", ngo)
    membership_scopes(manager)  # the memberships are read once per user, before
    with django_assert_num_queries(6):  # three chunks of at most two households
        snapshots = list(selectors.household_snapshots(manager, chunk_size=2))
    assert [s.household_id for s in snapshots] == [h.pk for h in households]
    assert all(len(s.members) == 2 for s in snapshots)


def test_snapshots_of_a_given_queryset_only(areas, ngo):
    register(ngo, areas["karkh"], size=3)
    large = register(ngo, areas["karkh"], size=9)
    manager = member("programme_manager", ngo)
    found = selectors.household_snapshots(manager, Household.objects.filter(size__gt=5))
    assert [s.household_id for s in found] == [large.pk]
    with pytest.raises(TypeError):
        list(selectors.household_snapshots(manager, Person.objects.all()))


def test_scores_are_reproduced_from_a_stored_version_after_the_set_changed(areas, ngo):
    household = vulnerable(ngo, areas["karkh"])
    manager = member("programme_manager", ngo)
    created = criteria_set(ngo, actor=manager)
    first = publish(created, actor=manager)
    before = next(selectors.score_households(manager, first, as_of=AS_OF))
    # female 3 + elderly 2 + disability 3 + chronic 2 + widowed 2 + size 1 + no income 2
    # + shelter 2 + documents 1 + displaced within 6 months 1
    assert (before.score, before.category, before.version_number) == (19, Category.HIGH, 1)
    assert (before.household_id, before.version_id, before.as_of) == (household.pk, first.pk, AS_OF)

    rows = [dict(row) for row in IOM_ROWS if row["kind"] != "critical_shelter"]
    rows[0]["weight"] = 1
    publish(created, rows, actor=manager, high_min=20, medium_min=10)
    stored = CriteriaSetVersion.objects.get(pk=first.pk)
    again = next(selectors.score_households(manager, stored, as_of=AS_OF))
    assert again == before
    assert explain(again) == explain(before)

    latest = selectors.latest_version(manager, created)
    changed = next(selectors.score_households(manager, latest, as_of=AS_OF))
    assert (changed.score, changed.category, changed.version_number) == (15, Category.MEDIUM, 2)
    assert RuleKind.CRITICAL_SHELTER not in [o.kind for o in changed.outcomes]


def test_a_version_s_rows_publish_an_identical_next_version(mission):
    created = criteria_set(mission)
    first = publish(created)
    second = publish(created, selectors.version_rows(first))
    assert selectors.version_spec(second).criteria == selectors.version_spec(first).criteria
    assert selectors.version_spec(first).criteria[1].parameter == 60


def test_criteria_sets_and_versions_in_scope(mission, ngo, other_ngo):
    ours = criteria_set(ngo)
    publish(ours)
    theirs = criteria_set(other_ngo)
    publish(theirs)
    reporter = member("partner_reporter", ngo)
    assert list(selectors.criteria_sets(reporter)) == [ours]
    assert [v.criteria_set for v in selectors.criteria_versions(reporter)] == [ours]
    assert list(selectors.criteria_sets(member("aggregate_viewer", ngo))) == []
    assert set(selectors.criteria_sets(member("system_admin", mission))) == {ours, theirs}
    ours.is_active = False
    ours.save()
    assert list(selectors.criteria_sets(reporter, active_only=True)) == []
    assert selectors.latest_version(member("programme_manager", other_ngo), ours) is None
