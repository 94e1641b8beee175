"""Rounds, location assessments, their workflow and rows: validated, scoped, audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.core.models import AuditEntry
from marsad.displacement import services
from marsad.displacement.models import (
    AssessmentRound,
    Intention,
    LocationAssessment,
    PopulationGroup,
    SectorNeed,
)
from tests.displacement.factories import (
    LocationAssessmentFactory,
    PopulationGroupFactory,
    location,
    open_round,
    period,
)
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(areas):
    return {
        **areas,
        "mansour": location("IQG08Q03L001", areas["karkh"], name_en="Al-Mansour"),
        "zubair_town": location("IQG02Q04L001", areas["zubair"], name_en="Zubair town"),
    }


@pytest.fixture
def round4(db):
    return open_round(4)


@pytest.fixture
def im_officer(ngo):
    return member("im_officer", ngo, username="im")


@pytest.fixture
def monitor(ngo, places):
    """A field monitor of the NGO narrowed to Baghdad."""
    return member("field_monitor", ngo, areas=[places["baghdad"]], username="monitor")


@pytest.fixture
def draft(round4, ngo, places):
    return LocationAssessmentFactory(
        round=round4,
        organisation=ngo,
        area=places["mansour"],
        assessed_on=datetime.date(2008, 1, 10),
    )


def audits(instance, action=None):
    entries = AuditEntry.objects.filter(
        object_type=instance._meta.label_lower, object_id=str(instance.pk)
    )
    return list(entries.filter(action=action) if action else entries)


# --- Rounds -----------------------------------------------------------------------------------


def test_round_create_opens_and_audits(im_officer):
    round_ = services.round_create(
        actor=im_officer,
        number=7,
        kind="baseline",
        period_start=datetime.date(2008, 7, 1),
        period_end=datetime.date(2008, 7, 31),
        notes="Baseline",
    )
    assert (round_.number, round_.kind, round_.status) == (7, "baseline", "open")
    [entry] = audits(round_, "create")
    assert entry.actor_username == "im"
    assert entry.changes["number"] == [None, 7]


def test_round_create_refused_to_field_monitor(monitor):
    with pytest.raises(PermissionDenied):
        services.round_create(
            actor=monitor,
            number=7,
            kind="baseline",
            period_start=datetime.date(2008, 7, 1),
            period_end=datetime.date(2008, 7, 31),
        )
    assert not AssessmentRound.objects.filter(number=7).exists()
    assert not AuditEntry.objects.filter(object_type="displacement.assessmentround").exists()


def test_round_create_refuses_end_before_start():
    with pytest.raises(ValidationError) as error:
        services.round_create(
            actor=None,
            number=7,
            kind="baseline",
            period_start=datetime.date(2008, 7, 31),
            period_end=datetime.date(2008, 7, 1),
        )
    assert error.value.message_dict == {
        "period_end": ["The round ends on 1 July 2008, before it starts on 31 July 2008."]
    }
    assert not AssessmentRound.objects.exists()


def test_round_status_open_closed_reopen_published(round4, im_officer):
    for status in ("closed", "open", "closed", "published"):
        round4 = services.round_set_status(actor=im_officer, instance=round4, status=status)
        assert AssessmentRound.objects.get(pk=round4.pk).status == status
    changes = [entry.changes["status"] for entry in reversed(audits(round4, "update"))]
    assert changes == [
        ["open", "closed"],
        ["closed", "open"],
        ["open", "closed"],
        ["closed", "published"],
    ]


@pytest.mark.parametrize(
    ("start", "to", "message"),
    [
        ("open", "published", "Round 4 is open; it cannot go straight to published."),
        ("published", "closed", "Round 4 is published; its status cannot change any more."),
        ("closed", "closed", "Round 4 is already closed."),
        ("open", "finished", "finished is not a round status; use one of open, closed, published."),
    ],
)
def test_round_status_refusals(start, to, message):
    round_ = open_round(4, status=start)
    with pytest.raises(ValidationError) as error:
        services.round_set_status(actor=None, instance=round_, status=to)
    assert error.value.message_dict == {"status": [message]}
    assert AssessmentRound.objects.get(pk=round_.pk).status == start
    assert not AuditEntry.objects.exists()


def test_round_status_refused_to_field_monitor(round4, monitor):
    with pytest.raises(PermissionDenied):
        services.round_set_status(actor=monitor, instance=round4, status="closed")
    assert AssessmentRound.objects.get(pk=round4.pk).status == "open"


def test_round_update_keeps_period_around_assessments(draft, im_officer):
    with pytest.raises(ValidationError) as error:
        services.round_update(
            actor=im_officer,
            instance=draft.round,
            data={"period_end": datetime.date(2008, 1, 5)},
        )
    assert error.value.message_dict == {
        "period_end": [
            "1 assessment(s) of this round are dated outside 1 January 2008 – 5 January 2008 "
            "(the first on 10 January 2008); correct them first."
        ]
    }
    updated = services.round_update(actor=im_officer, instance=draft.round, data={"notes": "ok"})
    assert updated.notes == "ok"


def test_round_update_refuses_status(round4):
    with pytest.raises(ValidationError) as error:
        services.round_update(actor=None, instance=round4, data={"status": "closed"})
    assert list(error.value.message_dict) == ["status"]


# --- Assessments ------------------------------------------------------------------------------


def assessment_data(round_, ngo, area, **extra):
    return {
        "round": round_,
        "area": area,
        "organisation": ngo,
        "assessed_on": datetime.date(2008, 1, 15),
        "monitor_name": "Ali",
        "method": "key_informants",
        "key_informants": 3,
        **extra,
    }


def test_monitor_creates_draft_in_own_area(round4, ngo, places, monitor):
    assessment = services.assessment_create(
        actor=monitor, data=assessment_data(round4, ngo, places["mansour"])
    )
    assert assessment.status == "draft"
    assert [entry.action for entry in audits(assessment)] == ["create"]


def test_monitor_cannot_create_outside_own_area(round4, ngo, places, monitor):
    with pytest.raises(PermissionDenied):
        services.assessment_create(
            actor=monitor, data=assessment_data(round4, ngo, places["zubair_town"])
        )
    assert not LocationAssessment.objects.exists()
    assert not AuditEntry.objects.exists()


def test_date_outside_round_refused(round4, ngo, places, monitor):
    with pytest.raises(ValidationError) as error:
        services.assessment_create(
            actor=monitor,
            data=assessment_data(
                round4, ngo, places["mansour"], assessed_on=datetime.date(2008, 3, 3)
            ),
        )
    assert error.value.message_dict == {
        "assessed_on": ["3 March 2008 is outside round 4 (1 January – 28 January 2008)."]
    }
    assert not LocationAssessment.objects.exists()


def test_closed_round_and_non_location_refused(ngo, places):
    closed = open_round(5, status="closed")
    with pytest.raises(ValidationError) as error:
        services.assessment_create(
            actor=None,
            data=assessment_data(
                closed, ngo, places["karkh"], assessed_on=datetime.date(2008, 1, 20)
            ),
        )
    assert error.value.message_dict == {
        "round": [
            "Round 5 is closed; assessments can be added or changed only while the round is open."
        ],
        "area": [
            "IQG08Q03 is a district; an assessment is made of a location (a village or "
            "neighbourhood)."
        ],
    }
    assert not LocationAssessment.objects.exists()


def test_new_assessment_cannot_start_submitted(round4, ngo, places):
    with pytest.raises(ValidationError) as error:
        services.assessment_create(
            actor=None,
            data=assessment_data(round4, ngo, places["mansour"], status="submitted"),
        )
    assert list(error.value.message_dict) == ["status"]


def test_workflow_submit_validate_publish(draft, monitor, im_officer):
    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=monitor, instance=draft)
    assert list(error.value.message_dict) == ["population_groups"]
    PopulationGroupFactory(assessment=draft)
    draft = services.assessment_submit(actor=monitor, instance=draft)
    assert draft.status == "submitted"
    with pytest.raises(PermissionDenied):
        services.assessment_validate(actor=monitor, instance=draft)
    draft = services.assessment_validate(actor=im_officer, instance=draft)
    with pytest.raises(PermissionDenied):
        services.assessment_publish(actor=monitor, instance=draft)
    draft = services.assessment_publish(actor=im_officer, instance=draft)
    assert LocationAssessment.objects.get(pk=draft.pk).status == "published"
    steps = [entry.changes["status"] for entry in reversed(audits(draft, "update"))]
    assert steps == [
        ["draft", "submitted"],
        ["submitted", "validated"],
        ["validated", "published"],
    ]


def test_publish_needs_validation_first(draft, im_officer):
    PopulationGroupFactory(assessment=draft)
    services.assessment_submit(actor=im_officer, instance=draft)
    with pytest.raises(ValidationError) as error:
        services.assessment_publish(actor=im_officer, instance=draft)
    assert error.value.message_dict == {
        "status": [
            "The assessment is submitted; only an assessment that is validated can be published."
        ]
    }


def test_return_keeps_reason_in_audit(draft, im_officer):
    PopulationGroupFactory(assessment=draft)
    services.assessment_submit(actor=im_officer, instance=draft)
    with pytest.raises(ValidationError) as error:
        services.assessment_return(actor=im_officer, instance=draft, reason="  ")
    assert list(error.value.message_dict) == ["reason"]
    returned = services.assessment_return(
        actor=im_officer, instance=draft, reason="Families do not add up"
    )
    assert returned.status == "draft"
    latest = audits(draft, "update")[0]
    assert latest.changes == {"status": ["submitted", "draft"]}
    assert latest.context["reason"] == "Families do not add up"
    assert latest.context["workflow"] == "draft"


def test_return_refused_to_monitor_and_for_drafts(draft, monitor, im_officer):
    with pytest.raises(PermissionDenied):
        services.assessment_return(actor=monitor, instance=draft, reason="x")
    with pytest.raises(ValidationError):
        services.assessment_return(actor=im_officer, instance=draft, reason="x")


def test_monitor_edits_only_drafts(draft, monitor, im_officer):
    edited = services.assessment_update(actor=monitor, instance=draft, data={"key_informants": 4})
    assert edited.key_informants == 4
    PopulationGroupFactory(assessment=draft)
    services.assessment_submit(actor=monitor, instance=draft)
    with pytest.raises(PermissionDenied):
        services.assessment_update(actor=monitor, instance=draft, data={"key_informants": 9})
    assert LocationAssessment.objects.get(pk=draft.pk).key_informants == 4
    # The IM officer corrects the submitted assessment; the audit log keeps before and after.
    services.assessment_update(actor=im_officer, instance=draft, data={"key_informants": 5})
    assert audits(draft, "update")[0].changes == {"key_informants": [4, 5]}


def test_monitor_cannot_edit_outside_own_area(round4, ngo, places, monitor):
    basrah_draft = LocationAssessmentFactory(
        round=round4, organisation=ngo, area=places["zubair_town"]
    )
    with pytest.raises(PermissionDenied):
        services.assessment_update(actor=monitor, instance=basrah_draft, data={"key_informants": 1})
    with pytest.raises(PermissionDenied):
        services.population_group_save(
            actor=monitor, assessment=basrah_draft, data={"population_type": "idp", "families": 3}
        )
    assert not PopulationGroup.objects.exists()


def test_published_cannot_be_corrected(draft, im_officer):
    LocationAssessment.objects.filter(pk=draft.pk).update(status="published")
    with pytest.raises(ValidationError) as error:
        services.assessment_update(actor=im_officer, instance=draft, data={"key_informants": 2})
    assert error.value.message_dict == {
        "status": [
            "The assessment of IQG08Q03L001 in round 4 is published; published figures cannot "
            "be changed."
        ]
    }


def test_update_refuses_status_and_date_outside_round(draft, im_officer):
    with pytest.raises(ValidationError) as error:
        services.assessment_update(actor=im_officer, instance=draft, data={"status": "published"})
    assert list(error.value.message_dict) == ["status"]
    with pytest.raises(ValidationError) as error:
        services.assessment_update(
            actor=im_officer, instance=draft, data={"assessed_on": datetime.date(2007, 12, 31)}
        )
    assert list(error.value.message_dict) == ["assessed_on"]


def test_monitor_cannot_edit_in_closed_round(draft, monitor):
    AssessmentRound.objects.filter(pk=draft.round_id).update(status="closed")
    with pytest.raises(PermissionDenied):
        services.assessment_update(actor=monitor, instance=draft, data={"key_informants": 1})


# --- Population groups, needs, intentions -----------------------------------------------------


def test_individuals_estimated_when_missing(draft, monitor):
    camp = services.population_group_save(
        actor=monitor,
        assessment=draft,
        data={"population_type": "idp", "families": 10, "shelter_category": "camp"},
    )
    rented = services.population_group_save(
        actor=monitor,
        assessment=draft,
        data={
            "population_type": "idp",
            "families": 10,
            "shelter_category": "rented",
            "individuals": None,
            "displacement_period": period("2006-2008"),
        },
    )
    assert (camp.individuals, camp.individuals_estimated) == (50, True)
    assert (rented.individuals, rented.individuals_estimated) == (60, True)
    [entry] = audits(camp, "create")
    assert entry.organisation_id == draft.organisation_id
    assert entry.actor_username == "monitor"


def test_estimate_follows_families_and_entered_figure_stays(draft, monitor):
    group = services.population_group_save(
        actor=monitor, assessment=draft, data={"population_type": "idp", "families": 10}
    )
    group = services.population_group_save(
        actor=monitor, assessment=draft, instance=group, data={"families": 12}
    )
    assert (group.individuals, group.individuals_estimated) == (72, True)
    group = services.population_group_save(
        actor=monitor, assessment=draft, instance=group, data={"individuals": 80}
    )
    assert (group.individuals, group.individuals_estimated) == (80, False)
    group = services.population_group_save(
        actor=monitor, assessment=draft, instance=group, data={"families": 13}
    )
    assert (group.families, group.individuals, group.individuals_estimated) == (13, 80, False)
    assert audits(group, "update")[0].changes == {"families": [12, 13]}


def test_individuals_fewer_than_families_refused(draft, monitor):
    with pytest.raises(ValidationError) as error:
        services.population_group_save(
            actor=monitor,
            assessment=draft,
            data={"population_type": "idp", "families": 10, "individuals": 9},
        )
    assert error.value.message_dict == {
        "individuals": [
            "9 individuals is fewer than the 10 families; every family has at least one person."
        ]
    }
    assert not PopulationGroup.objects.exists()


def test_negative_families_refused(draft, monitor):
    with pytest.raises(ValidationError) as error:
        services.population_group_save(
            actor=monitor, assessment=draft, data={"population_type": "idp", "families": -1}
        )
    assert "families" in error.value.message_dict
    assert not PopulationGroup.objects.exists()


def test_rows_of_submitted_assessment_locked_for_monitor(draft, monitor, im_officer):
    group = PopulationGroupFactory(assessment=draft)
    services.assessment_submit(actor=monitor, instance=draft)
    with pytest.raises(PermissionDenied):
        services.population_group_save(
            actor=monitor, assessment=draft, instance=group, data={"families": 1}
        )
    with pytest.raises(PermissionDenied):
        services.population_group_delete(actor=monitor, instance=group)
    assert PopulationGroup.objects.get(pk=group.pk).families == 10
    services.population_group_delete(actor=im_officer, instance=group)
    assert not PopulationGroup.objects.exists()
    [entry] = AuditEntry.objects.filter(action="delete", object_type="displacement.populationgroup")
    assert entry.changes["families"] == [10, None]


def test_other_organisation_cannot_add_rows(draft, other_ngo):
    outsider = member("field_monitor", other_ngo)
    with pytest.raises(PermissionDenied):
        services.population_group_save(
            actor=outsider, assessment=draft, data={"population_type": "idp", "families": 3}
        )
    assert not PopulationGroup.objects.exists()


def test_needs_and_intentions(draft, monitor):
    with pytest.raises(ValidationError) as error:
        services.need_save(actor=monitor, assessment=draft, data={"sector": "food"})
    assert error.value.message_dict == {
        "priority": ["Give the need a priority, a severity or both."]
    }
    need = services.need_save(
        actor=monitor, assessment=draft, data={"sector": "food", "priority": 1, "severity": 4}
    )
    need = services.need_save(actor=monitor, assessment=draft, instance=need, data={"severity": 5})
    assert SectorNeed.objects.get(pk=need.pk).severity == 5
    with pytest.raises(ValidationError):
        services.need_save(actor=monitor, assessment=draft, data={"sector": "water", "severity": 9})
    intention = services.intention_save(
        actor=monitor,
        assessment=draft,
        data={"population_type": "idp", "intention": "return", "families": 4},
    )
    assert Intention.objects.get(pk=intention.pk).families == 4
    services.intention_delete(actor=monitor, instance=intention)
    services.need_delete(actor=monitor, instance=need)
    assert not Intention.objects.exists()
    assert not SectorNeed.objects.exists()
    actions = sorted(
        AuditEntry.objects.filter(
            object_type__in=["displacement.sectorneed", "displacement.intention"]
        ).values_list("object_type", "action")
    )
    assert actions == [
        ("displacement.intention", "create"),
        ("displacement.intention", "delete"),
        ("displacement.sectorneed", "create"),
        ("displacement.sectorneed", "delete"),
        ("displacement.sectorneed", "update"),
    ]


def test_row_of_other_assessment_refused(draft, round4, ngo, places):
    other = LocationAssessmentFactory(round=round4, organisation=ngo, area=places["zubair_town"])
    group = PopulationGroupFactory(assessment=other)
    with pytest.raises(ValidationError):
        services.population_group_save(
            actor=None, assessment=draft, instance=group, data={"families": 1}
        )
