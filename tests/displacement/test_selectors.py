"""Displacement reads: every selector scoped (partner, narrowed monitor, aggregate viewer),
population totals equal to hand-computed sums, filters, and the version history of an
assessment including the changes to its rows."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied

from marsad.core.models import AuditEntry
from marsad.core.scoping import membership_scopes
from marsad.displacement import selectors, services
from marsad.displacement.models import AssessmentRound, LocationAssessment
from tests.displacement.factories import (
    IntentionFactory,
    LocationAssessmentFactory,
    PopulationGroupFactory,
    SectorNeedFactory,
    location,
    open_round,
    period,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


def pages_world(areas, ngo, other_ngo) -> SimpleNamespace:
    """Two rounds; NGO A assessed a Baghdad and a Basrah location in round 4 and the Baghdad one
    again (published) in round 5; NGO B assessed another Baghdad location in round 4.

    Shared with test_views (a plain function, so that importing it collects no tests).
    """
    mansour = location(
        "IQG08Q03L001",
        areas["karkh"],
        name_en="Al-Mansour",
        name_ar="المنصور",
        name_ku="مەنسوور",
    )
    adel = location("IQG08Q03L002", areas["karkh"], name_en="Al-Adel", name_ar="العدل")
    zubair_town = location(
        "IQG02Q04L001", areas["zubair"], name_en="Zubair town", name_ar="مدينة الزبير"
    )
    round4 = open_round(4)
    round5 = open_round(
        5,
        period_start=datetime.date(2008, 2, 1),
        period_end=datetime.date(2008, 2, 28),
    )
    baghdad = LocationAssessmentFactory(
        round=round4, organisation=ngo, area=mansour, assessed_on=datetime.date(2008, 1, 10)
    )
    PopulationGroupFactory(
        assessment=baghdad,
        population_type="idp",
        origin_area=areas["basrah"],
        displacement_period=period("2006-2008"),
        shelter_category="rented",
        families=10,
        individuals=60,
    )
    PopulationGroupFactory(
        assessment=baghdad,
        population_type="idp",
        origin_area=areas["basrah"],
        displacement_period=period("2006-2008"),
        shelter_category="camp",
        families=4,
        individuals=20,
    )
    PopulationGroupFactory(
        assessment=baghdad,
        population_type="returnee",
        shelter_category="",
        families=3,
        individuals=15,
    )
    PopulationGroupFactory(
        assessment=baghdad, population_type="host", shelter_category="", families=2, individuals=12
    )
    SectorNeedFactory(assessment=baghdad, sector="water", priority=2, severity=3)
    SectorNeedFactory(assessment=baghdad, sector="food", priority=1, severity=4)
    SectorNeedFactory(assessment=baghdad, sector="health", priority=None, severity=5)
    IntentionFactory(assessment=baghdad, population_type="idp", intention="return", families=9)
    basrah = LocationAssessmentFactory(
        round=round4, organisation=ngo, area=zubair_town, assessed_on=datetime.date(2008, 1, 12)
    )
    PopulationGroupFactory(assessment=basrah, population_type="idp", families=5, individuals=30)
    other = LocationAssessmentFactory(
        round=round4,
        organisation=other_ngo,
        area=adel,
        assessed_on=datetime.date(2008, 1, 15),
        status="submitted",
    )
    PopulationGroupFactory(assessment=other, population_type="returnee", families=7, individuals=40)
    published = LocationAssessmentFactory(
        round=round5,
        organisation=ngo,
        area=mansour,
        assessed_on=datetime.date(2008, 2, 10),
        status="published",
    )
    return SimpleNamespace(
        areas=areas,
        mansour=mansour,
        adel=adel,
        zubair_town=zubair_town,
        round4=round4,
        round5=round5,
        baghdad=baghdad,
        basrah=basrah,
        other=other,
        published=published,
    )


@pytest.fixture
def world(areas, ngo, other_ngo):
    return pages_world(areas, ngo, other_ngo)


def pks(queryset) -> set[int]:
    return {record.pk for record in queryset}


# --- Scope ---------------------------------------------------------------------------------------


def test_partner_reporter_sees_only_its_organisations_assessments(world, ngo):
    user = member("partner_reporter", ngo)
    assert pks(selectors.assessments(user=user)) == {
        world.baghdad.pk,
        world.basrah.pk,
        world.published.pk,
    }
    with pytest.raises(LocationAssessment.DoesNotExist):
        selectors.assessment_detail(user=user, pk=world.other.pk)


def test_field_monitor_narrowed_to_basrah_sees_nothing_in_baghdad(world, ngo):
    user = member("field_monitor", ngo, areas=[world.areas["basrah"]])
    assert pks(selectors.assessments(user=user)) == {world.basrah.pk}
    assert pks(selectors.assessments(user=user, area=world.areas["baghdad"])) == set()
    with pytest.raises(LocationAssessment.DoesNotExist):
        selectors.assessment_detail(user=user, pk=world.baghdad.pk)
    counts = {r.number: r.assessment_count for r in selectors.rounds(user=user)}
    assert counts == {5: 0, 4: 1}


def test_aggregate_viewer_sees_no_assessment(world, ngo):
    user = member("aggregate_viewer", ngo)
    assert pks(selectors.assessments(user=user)) == set()
    with pytest.raises(LocationAssessment.DoesNotExist):
        selectors.assessment_detail(user=user, pk=world.baghdad.pk)
    with pytest.raises(PermissionDenied):
        selectors.assessment_versions(user=user, assessment=world.baghdad)
    detail = selectors.round_detail(user=user, number=4)
    assert detail.total == 0
    assert [r.assessment_count for r in selectors.rounds(user=user)] == [0, 0]


def test_no_membership_sees_no_round(world):
    user = member("field_monitor")
    user.memberships.all().delete()
    assert list(selectors.rounds(user=user)) == []
    with pytest.raises(AssessmentRound.DoesNotExist):
        selectors.round_detail(user=user, number=4)


def test_system_admin_sees_every_assessment(world, mission):
    user = member("system_admin", mission)
    assert pks(selectors.assessments(user=user)) == {
        world.baghdad.pk,
        world.basrah.pk,
        world.other.pk,
        world.published.pk,
    }


# --- Totals and filters --------------------------------------------------------------------------


def test_population_totals_equal_hand_computed_sums(world, mission):
    user = member("system_admin", mission)
    rows = {a.pk: a for a in selectors.assessments(user=user)}
    baghdad = rows[world.baghdad.pk]
    # IDPs: 10 families / 60 people rented + 4 / 20 in a camp; returnees 3 / 15; host not counted.
    assert (baghdad.idp_families, baghdad.idp_individuals) == (14, 80)
    assert (baghdad.returnee_families, baghdad.returnee_individuals) == (3, 15)
    other = rows[world.other.pk]
    assert (other.idp_families, other.idp_individuals) == (0, 0)
    assert (other.returnee_families, other.returnee_individuals) == (7, 40)
    published = rows[world.published.pk]
    assert (published.idp_families, published.returnee_individuals) == (0, 0)


def test_population_type_filter_keeps_the_totals_whole(world, mission):
    user = member("system_admin", mission)
    returnees = list(selectors.assessments(user=user, population_type="returnee"))
    assert pks(returnees) == {world.baghdad.pk, world.other.pk}
    baghdad = next(a for a in returnees if a.pk == world.baghdad.pk)
    assert (baghdad.idp_families, baghdad.idp_individuals) == (14, 80)
    assert pks(selectors.assessments(user=user, population_type="host")) == {world.baghdad.pk}


def test_filters_by_round_area_status_and_organisation(world, mission, other_ngo):
    user = member("system_admin", mission)
    assert pks(selectors.assessments(user=user, round=world.round5)) == {world.published.pk}
    assert pks(selectors.assessments(user=user, round=world.round4, area=world.areas["karkh"])) == {
        world.baghdad.pk,
        world.other.pk,
    }
    assert pks(selectors.assessments(user=user, status="submitted")) == {world.other.pk}
    assert pks(selectors.assessments(user=user, organisation=other_ngo)) == {world.other.pk}


@pytest.mark.parametrize(
    "query",
    ["Mansour", "al-mansour", "المنصور", "منصور", "مەنسوور", "IQG08Q03L001", "iqg08q03l00"],
)
def test_search_by_location_name_in_any_language_or_pcode(world, mission, query):
    user = member("system_admin", mission)
    found = pks(selectors.assessments(user=user, round=world.round4, query=query))
    if query.lower() == "iqg08q03l00":
        assert found == {world.baghdad.pk, world.other.pk}
    else:
        assert found == {world.baghdad.pk}


def test_assessment_list_is_one_query(world, mission, django_assert_num_queries):
    user = member("system_admin", mission)
    membership_scopes(user)
    with django_assert_num_queries(1):
        rows = list(selectors.assessments(user=user))
        names = [(a.round.number, a.area.parent.name_en, a.organisation.code) for a in rows]
    assert len(names) == 4


# --- Rounds --------------------------------------------------------------------------------------


def test_rounds_count_the_assessments_the_user_sees(world, ngo):
    user = member("partner_reporter", ngo)
    rounds = list(selectors.rounds(user=user))
    assert [(r.number, r.assessment_count, r.published_count) for r in rounds] == [
        (5, 1, 1),
        (4, 2, 0),
    ]


def test_round_detail_counts_by_status(world, mission):
    detail = selectors.round_detail(user=member("system_admin", mission), number=4)
    assert detail.round == world.round4
    assert detail.total == 3
    assert [(value, count) for value, _label, count in detail.status_counts] == [
        ("draft", 2),
        ("submitted", 1),
        ("validated", 0),
        ("published", 0),
    ]


# --- One assessment ------------------------------------------------------------------------------


def test_assessment_detail_prefetches_rows(world, ngo, django_assert_num_queries):
    user = member("partner_reporter", ngo)
    membership_scopes(user)
    with django_assert_num_queries(4):
        assessment = selectors.assessment_detail(user=user, pk=world.baghdad.pk)
        groups = [
            (g.population_type, g.origin_area and g.origin_area.pcode, g.displacement_period)
            for g in assessment.population_groups.all()
        ]
        needs = [need.sector for need in assessment.needs.all()]
        intentions = [(i.intention, i.families) for i in assessment.intentions.all()]
        assert assessment.area.parent.pcode == "IQG08Q03"
    assert len(groups) == 4
    assert ("idp", "IQG02", period("2006-2008")) in groups
    # Ranked: priority 1, priority 2, then the need with a severity only.
    assert needs == ["food", "water", "health"]
    assert intentions == [("return", 9)]


def test_location_chain_runs_from_the_country_down(world):
    chain = selectors.location_chain(world.mansour)
    assert [area.pcode for area in chain] == ["IQ", "IQG08", "IQG08Q03"]


def test_period_label_follows_the_language():
    from django.utils import translation

    label = selectors.period_label(period("aug-2014"))
    assert label == "August 2014"
    with translation.override("ar"):
        assert selectors.period_label(period("aug-2014")) == "آب 2014"
    with translation.override("ckb"):
        assert selectors.period_label(period("aug-2014")) == "ئابی 2014"
    assert selectors.period_label(None) == ""


# --- Versions ------------------------------------------------------------------------------------


def test_versions_hold_the_assessment_and_its_rows_newest_first(world, ngo):
    im = member("im_officer", ngo)
    assessment = world.basrah
    group = assessment.population_groups.get()
    services.population_group_save(
        actor=im, assessment=assessment, data={"families": 6, "individuals": 33}, instance=group
    )
    need = services.need_save(
        actor=im, assessment=assessment, data={"sector": "shelter", "priority": 1}
    )
    services.need_delete(actor=im, instance=need)
    services.intention_save(
        actor=im,
        assessment=assessment,
        data={"population_type": "idp", "intention": "undecided", "families": 2},
    )
    services.assessment_update(actor=im, instance=assessment, data={"monitor_name": "Hassan Ali"})
    # Another assessment's row changes stay out of this history.
    other_group = world.baghdad.population_groups.filter(population_type="host").get()
    services.population_group_save(
        actor=im, assessment=world.baghdad, data={"families": 3}, instance=other_group
    )

    reader = member("partner_reporter", ngo)  # no audit capability: sees its own record's history
    versions = list(selectors.assessment_versions(user=reader, assessment=assessment))
    summary = [(entry.object_type, entry.action) for entry in versions]
    assert summary == [
        ("displacement.locationassessment", "update"),
        ("displacement.intention", "create"),
        ("displacement.sectorneed", "delete"),
        ("displacement.sectorneed", "create"),
        ("displacement.populationgroup", "update"),
    ]
    group_update = versions[-1]
    assert group_update.object_id == str(group.pk)
    assert group_update.changes["families"] == [5, 6]
    assert group_update.changes["individuals"] == [30, 33]
    assert versions[0].changes["monitor_name"] == ["", "Hassan Ali"]
    assert str(other_group.pk) not in {
        entry.object_id for entry in versions if entry.object_type.endswith("populationgroup")
    }
    assert (
        AuditEntry.objects.filter(
            object_type="displacement.populationgroup", object_id=str(other_group.pk)
        ).count()
        == 1
    )


def test_versions_are_refused_outside_scope(world, other_ngo):
    with pytest.raises(PermissionDenied):
        selectors.assessment_versions(
            user=member("partner_reporter", other_ngo), assessment=world.baghdad
        )
