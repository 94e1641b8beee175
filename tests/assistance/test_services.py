"""Writing criteria: sets and versions, who may, what the audit log keeps, what is refused (with
nothing half-saved), and that a published version never changes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.assistance import services
from marsad.assistance.models import CriteriaSet, CriteriaSetVersion, Criterion
from marsad.core.models import AuditAction, AuditEntry
from tests.assistance.factories import IOM_ROWS, criteria_set, publish
from tests.factories import ProgrammeFactory, member

pytestmark = pytest.mark.django_db

ROLES = [
    "system_admin",
    "programme_manager",
    "im_officer",
    "field_monitor",
    "case_worker",
    "border_officer",
    "partner_reporter",
    "aggregate_viewer",
]
MANAGERS = {"system_admin", "programme_manager"}


def test_manager_creates_a_set_and_publishes_its_first_version(mission):
    manager = member("programme_manager", mission)
    programme = ProgrammeFactory(lead_unit=mission)
    created = criteria_set(mission, actor=manager, programme=programme, description="From 2008")
    version = publish(created, actor=manager, note="As in the project guidelines")
    assert (version.number, version.high_min, version.medium_min) == (1, 7, 4)
    assert (version.created_by, version.note) == (manager, "As in the project guidelines")
    rows = list(version.criteria.values_list("position", "kind", "parameter", "weight"))
    assert rows[:3] == [
        (1, "female_head", None, 3),
        (2, "elderly_head", 60, 2),
        (3, "child_head", 18, 3),
    ]
    assert [row[0] for row in rows] == list(range(1, 14))
    assert rows[-1] == (13, "recent_displacement", 6, 1)
    assert created.latest_version == version


def test_every_write_is_audited_with_its_actor(mission):
    manager = member("programme_manager", mission, username="manager")
    created = criteria_set(mission, actor=manager)
    version = publish(created, actor=manager)
    entries = AuditEntry.objects.filter(action=AuditAction.CREATE)
    assert set(entries.values_list("actor_username", flat=True)) == {"manager"}
    by_type = {}
    for object_type in entries.values_list("object_type", flat=True):
        by_type[object_type] = by_type.get(object_type, 0) + 1
    assert by_type == {
        "assistance.criteriaset": 1,
        "assistance.criteriasetversion": 1,
        "assistance.criterion": 13,
    }
    logged = entries.get(object_type="assistance.criteriasetversion")
    assert logged.object_id == str(version.pk)
    assert logged.organisation_id is None  # owned through its set; the set's entry names it
    assert logged.changes["high_min"] == [None, 7]
    first = entries.filter(object_type="assistance.criterion").order_by("id").first()
    assert first.changes["kind"] == [None, "female_head"]
    assert entries.get(object_type="assistance.criteriaset").organisation_id == mission.pk


def test_editing_publishes_a_new_version_and_leaves_the_old_one_untouched(mission):
    manager = member("programme_manager", mission)
    created = criteria_set(mission, actor=manager)
    first = publish(created, actor=manager)
    before = list(first.criteria.values_list("kind", "parameter", "weight", "label"))
    rows = [dict(row) for row in IOM_ROWS]
    rows[0]["weight"] = 5
    rows[8]["parameter"] = 8
    second = publish(created, rows, actor=manager, high_min=9, medium_min=5, note="Heavier")
    assert (second.number, second.high_min) == (2, 9)
    first = CriteriaSetVersion.objects.get(pk=first.pk)
    assert (first.number, first.high_min, first.medium_min) == (1, 7, 4)
    assert list(first.criteria.values_list("kind", "parameter", "weight", "label")) == before
    assert second.criteria.get(position=1).weight == 5
    assert second.criteria.get(position=9).parameter == 8
    assert created.latest_version == second


def test_a_published_version_cannot_be_changed_or_deleted_through_any_model_door(mission):
    version = publish(criteria_set(mission))
    criterion = version.criteria.first()
    version.high_min = 3
    with pytest.raises(PermissionError):
        version.save()
    criterion.weight = 50
    with pytest.raises(PermissionError):
        criterion.save()
    with pytest.raises(PermissionError):
        Criterion.objects.filter(version=version).update(weight=1)
    with pytest.raises(PermissionError):
        CriteriaSetVersion.objects.filter(pk=version.pk).update(high_min=4)
    with pytest.raises(PermissionError):
        version.delete()
    with pytest.raises(PermissionError):
        Criterion.objects.filter(version=version).delete()
    fresh = CriteriaSetVersion.objects.get(pk=version.pk)
    assert fresh.high_min == 7
    assert set(fresh.criteria.values_list("weight", flat=True)) == {1, 2, 3}


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_system_admins_create_sets(mission, role):
    user = member(role, mission)
    if role in MANAGERS:
        created = criteria_set(mission, actor=user)
        assert CriteriaSet.objects.get() == created
        return
    with pytest.raises(PermissionDenied, match="Only programme managers and system admin"):
        criteria_set(mission, actor=user)
    assert not CriteriaSet.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_system_admins_publish(mission, role):
    created = criteria_set(mission)
    user = member(role, mission)
    audited = AuditEntry.objects.count()
    if role in MANAGERS:
        assert publish(created, actor=user).number == 1
        return
    with pytest.raises(PermissionDenied):
        publish(created, actor=user)
    assert not CriteriaSetVersion.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_a_manager_cannot_manage_another_organisation_s_sets(ngo, other_ngo):
    theirs = criteria_set(other_ngo)
    manager = member("programme_manager", ngo)
    with pytest.raises(PermissionDenied):
        criteria_set(other_ngo, actor=manager, name="Ours in their name")
    with pytest.raises(PermissionDenied):
        publish(theirs, actor=manager)
    with pytest.raises(PermissionDenied):
        services.criteria_set_update(actor=manager, instance=theirs, data={"name": "Mine"})
    assert CriteriaSet.objects.get().name == "IOM Household Vulnerability Criteria"
    assert not CriteriaSetVersion.objects.exists()


def test_a_manager_narrowed_to_a_programme_works_only_in_it(mission):
    ours, other = ProgrammeFactory(lead_unit=mission), ProgrammeFactory(lead_unit=mission)
    manager = member("programme_manager", mission, programmes=[ours])
    assert criteria_set(mission, actor=manager, programme=ours).programme == ours
    with pytest.raises(PermissionDenied):
        criteria_set(mission, actor=manager, programme=other, name="Elsewhere")
    foreign = criteria_set(mission, programme=other, name="Elsewhere")
    with pytest.raises(PermissionDenied):
        publish(foreign, actor=manager)


def test_mission_manager_oversees_a_partner_s_programme_set(mission, ngo):
    programme = ProgrammeFactory(lead_unit=mission)
    partners = criteria_set(ngo, programme=programme)
    manager = member("programme_manager", mission)
    assert publish(partners, actor=manager).number == 1


def test_update_renames_and_retires_with_a_before_after_record(mission):
    manager = member("programme_manager", mission)
    created = criteria_set(mission, actor=manager)
    services.criteria_set_update(
        actor=manager, instance=created, data={"name": "Winter 2008 criteria", "is_active": False}
    )
    created.refresh_from_db()
    assert (created.name, created.is_active) == ("Winter 2008 criteria", False)
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.changes == {
        "is_active": [True, False],
        "name": ["IOM Household Vulnerability Criteria", "Winter 2008 criteria"],
    }


def test_update_refuses_moving_a_set_to_another_organisation(mission, ngo):
    created = criteria_set(mission)
    with pytest.raises(ValidationError, match="cannot be changed here: organisation"):
        services.criteria_set_update(actor=None, instance=created, data={"organisation": ngo})


def test_a_name_is_used_once_per_organisation(mission, ngo):
    criteria_set(mission)
    criteria_set(ngo)  # another organisation may use the same name
    with pytest.raises(ValidationError, match="already has a criteria set with this name"):
        criteria_set(mission)


@pytest.mark.parametrize(
    ("rows", "cutoffs", "errors"),
    [
        ([], (2, 1), {"criteria": ["Add at least one criterion."]}),
        (
            [{"kind": "has_goats", "weight": 2}, {"kind": "no_income", "weight": 2}],
            (2, 1),
            {"criteria": ["Criterion 1: has_goats is not a rule of the catalogue."]},
        ),
        (
            [{"kind": "no_income", "weight": 2, "parameter": 3}],
            (2, 1),
            {"criteria": ["Criterion 1: this rule takes no number; leave it empty."]},
        ),
        (
            [{"kind": "elderly_head", "weight": 2, "parameter": 0}],
            (2, 1),
            {"criteria": ["Criterion 1: the number must be from 1 to 120."]},
        ),
        (
            [{"kind": "no_income", "weight": 0}, {"kind": "female_head", "weight": 3}],
            (2, 1),
            {"criteria": ["Criterion 1: the weight must be from 1 to 100."]},
        ),
        (
            [{"kind": "no_income", "weight": "two"}],
            (2, 1),
            {"criteria": ["Criterion 1: the weight must be a whole number."]},
        ),
        (
            [{"weight": 2}, {"kind": "no_income", "weight": 2.5}],
            (2, 1),
            {
                "criteria": [
                    "Criterion 1: choose a rule.",
                    "Criterion 2: the weight must be a whole number.",
                ]
            },
        ),
        (
            [{"kind": "large_household", "weight": 2, "parameter": "six"}],
            (2, 1),
            {"criteria": ["Criterion 1: the number must be a whole number."]},
        ),
        (
            [{"kind": "no_income", "weight": 2, "points": 4}],
            (2, 1),
            {"criteria": ["Criterion 1: unknown fields points."]},
        ),
        (
            [
                {"kind": "large_household", "weight": 1},
                {"kind": "large_household", "weight": 1, "parameter": 6},
            ],
            (2, 1),
            {"criteria": ["Criterion 2 repeats criterion 1."]},  # the default is 6
        ),
        (
            [{"kind": "no_income", "weight": 2}],
            (2, 2),
            {"high_min": ["The high cut-off must be above the medium cut-off."]},
        ),
        (
            [{"kind": "no_income", "weight": 2}],
            ("", "one"),
            {
                "high_min": ["Give the cut-off as a whole number."],
                "medium_min": ["Give the cut-off as a whole number."],
            },
        ),
        (
            [{"kind": "no_income", "weight": 2}],
            (2, 0),
            {"medium_min": ["The medium cut-off must be at least 1."]},
        ),
        (
            [{"kind": "no_income", "weight": 2}],
            (3, 1),
            {
                "high_min": [
                    "The high cut-off is above the highest possible score (2); "
                    "no household could be high."
                ]
            },
        ),
    ],
)
def test_bad_versions_are_refused_in_plain_words_and_nothing_is_saved(
    mission, rows, cutoffs, errors
):
    created = criteria_set(mission)
    audited = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        publish(created, rows, high_min=cutoffs[0], medium_min=cutoffs[1])
    assert refused.value.message_dict == errors
    assert not CriteriaSetVersion.objects.exists()
    assert not Criterion.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_a_label_too_long_rolls_the_whole_version_back(mission):
    created = criteria_set(mission)
    rows = [
        {"kind": "no_income", "weight": 2},
        {"kind": "female_head", "weight": 2, "label": "x" * 201},
    ]
    with pytest.raises(ValidationError) as refused:
        publish(created, rows, high_min=3, medium_min=1)
    assert "label" in refused.value.message_dict
    assert not CriteriaSetVersion.objects.exists()
    assert not Criterion.objects.exists()


def test_custom_labels_and_tiers_are_kept(mission):
    rows = [
        {"kind": "large_household", "weight": 1, "parameter": 6, "label": "7 or more people"},
        {"kind": "large_household", "weight": 2, "parameter": 9},
    ]
    version = publish(criteria_set(mission), rows, high_min=3, medium_min=1)
    assert [c.display_label for c in version.criteria.all()] == [
        "7 or more people",
        "Household of more than 9 people",
    ]


def test_versions_count_up_per_set(mission):
    first_set, second_set = criteria_set(mission), criteria_set(mission, name="Cash grants")
    assert [publish(first_set).number for _ in range(3)] == [1, 2, 3]
    assert publish(second_set).number == 1
