"""The words of scoring: labels with their parameters, why each criterion fired or not, the
summary, problems; and the registry values the pure rules rely on."""

import datetime
import json

import pytest
from django.utils import translation

from marsad.assistance import scoring
from marsad.assistance.explanations import (
    RULE_NAMES,
    criterion_label,
    explain,
    problem_text,
    reason_text,
    summary,
)
from marsad.assistance.scoring import (
    CriteriaVersion,
    CriterionSpec,
    RuleKind,
    ScoreResult,
    decide,
    problems,
    score,
)
from marsad.registry.models import (
    CRITICAL_SHELTER,
    DatePrecision,
    DocumentationStatus,
    Household,
    MaritalStatus,
    Person,
    Relationship,
    Sex,
    ShelterType,
)
from tests.assistance.snapshots import AS_OF, head, household, only, person, with_head

K = RuleKind


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_registry_values_the_rules_read_are_the_registry_s():
    assert {str(value) for value in CRITICAL_SHELTER} == scoring.CRITICAL_SHELTER
    assert {str(value) for value in ShelterType} >= scoring.CRITICAL_SHELTER
    assert {DocumentationStatus.PARTIAL, DocumentationStatus.NONE} == scoring.DOCUMENTS_MISSING
    assert DocumentationStatus.UNKNOWN in scoring.DOCUMENTS_UNKNOWN
    assert (scoring.HEAD, scoring.FEMALE, scoring.MALE, scoring.WIDOWED, scoring.EXACT_DATE) == (
        Relationship.HEAD,
        Sex.FEMALE,
        Sex.MALE,
        MaritalStatus.WIDOWED,
        DatePrecision.DAY,
    )
    snapshot_fields = set(scoring.MemberSnapshot.__dataclass_fields__) - {"person_id"}
    assert snapshot_fields <= {field.name for field in Person._meta.fields}
    household_fields = set(scoring.HouseholdSnapshot.__dataclass_fields__) - {
        "household_id",
        "members",
    }
    assert household_fields <= {field.name for field in Household._meta.fields}


@pytest.mark.parametrize(
    ("kind", "parameter", "label"),
    [
        (K.FEMALE_HEAD, None, "Female-headed household"),
        (K.ELDERLY_HEAD, 60, "Head of household aged 60 or older"),
        (K.CHILD_HEAD, 18, "Head of household under 18 (child-headed)"),
        (K.MEMBER_DISABILITY, None, "Member with a disability"),
        (K.MEMBER_CHRONIC_ILLNESS, None, "Member with a chronic illness"),
        (K.PREGNANT_OR_LACTATING, None, "Pregnant or lactating member"),
        (K.SEPARATED_CHILD, None, "Separated or unaccompanied child"),
        (K.WIDOWED_HEAD, None, "Widowed head of household"),
        (K.LARGE_HOUSEHOLD, 6, "Household of more than 6 people"),
        (K.LARGE_HOUSEHOLD, 1, "Household of more than 1 person"),
        (K.NO_INCOME, None, "No regular income"),
        (K.CRITICAL_SHELTER, None, "Critical shelter"),
        (K.MISSING_DOCUMENTS, None, "Missing civil documents"),
        (K.RECENT_DISPLACEMENT, 6, "Displaced within the last 6 months"),
        (K.RECENT_DISPLACEMENT, 1, "Displaced within the last 1 month"),
    ],
)
def test_labels(kind, parameter, label):
    assert criterion_label(kind, parameter) == label


def test_a_custom_label_is_shown_as_typed():
    assert criterion_label(K.NO_INCOME, None, "No breadwinner") == "No breadwinner"


def test_every_rule_has_a_name():
    assert set(RULE_NAMES) == set(RuleKind)


def _why(kind, snapshot, parameter=None, as_of=AS_OF):
    parameter = (
        parameter
        if parameter is not None
        else scoring.with_defaults(CriterionSpec(kind, 1)).parameter
    )
    (outcome,) = score(snapshot, only(kind, parameter), as_of=as_of).outcomes
    return reason_text(outcome)


@pytest.mark.parametrize(
    ("kind", "snapshot", "text"),
    [
        (K.FEMALE_HEAD, with_head(household(), sex="female"), "The head of household is a woman."),
        (K.FEMALE_HEAD, household(), "The head of household is a man."),
        (K.FEMALE_HEAD, household(person()), "No head of household is recorded."),
        (
            K.ELDERLY_HEAD,
            household(),
            "The head of household is 45 years old, under 60.",
        ),
        (
            K.ELDERLY_HEAD,
            with_head(
                household(), birth_date=datetime.date(1960, 7, 1), birth_date_precision="year"
            ),
            "The head of household is 64 years old, at least 60. "
            "The birth date is not exact (year only or estimated).",
        ),
        (
            K.CHILD_HEAD,
            with_head(household(), birth_date=datetime.date(2008, 1, 1)),
            "The head of household is 17 years old, under 18.",
        ),
        (K.CHILD_HEAD, household(), "The head of household is 45 years old, not under 18."),
        (
            K.MEMBER_DISABILITY,
            household(head(disability=True), person(disability=True)),
            "2 members live with a disability.",
        ),
        (
            K.MEMBER_DISABILITY,
            household(head(), person(disability=True)),
            "1 member lives with a disability.",
        ),
        (K.MEMBER_DISABILITY, household(), "No member is recorded as living with a disability."),
        (
            K.MEMBER_CHRONIC_ILLNESS,
            household(head(chronic_illness=True)),
            "1 member has a chronic illness.",
        ),
        (
            K.PREGNANT_OR_LACTATING,
            household(),
            "No member is recorded as pregnant or lactating.",
        ),
        (
            K.SEPARATED_CHILD,
            household(head(), person(separated_child=True), person(separated_child=True)),
            "2 members are separated or unaccompanied children.",
        ),
        (
            K.WIDOWED_HEAD,
            with_head(household(), marital_status="widowed"),
            "The head of household is widowed.",
        ),
        (K.WIDOWED_HEAD, household(), "The head of household's marital status is: Married."),
        (
            K.WIDOWED_HEAD,
            with_head(household(), marital_status=""),
            "The head of household's marital status is not recorded.",
        ),
        (K.LARGE_HOUSEHOLD, household(size=9), "The household has 9 people, more than 6."),
        (K.LARGE_HOUSEHOLD, household(), "The household has 5 people, not more than 6."),
        (K.NO_INCOME, household(has_income=False), "The household has no regular income."),
        (
            K.NO_INCOME,
            household(has_income=None),
            "Whether the household has an income was not recorded.",
        ),
        (
            K.CRITICAL_SHELTER,
            household(shelter_type="unfinished_building"),
            "The household lives in critical shelter: Critical: unfinished or abandoned building.",
        ),
        (
            K.CRITICAL_SHELTER,
            household(shelter_type="camp"),
            "The household's shelter is not critical: Camp.",
        ),
        (
            K.MISSING_DOCUMENTS,
            household(documentation_status="none"),
            "Civil documents are missing: No member holds civil documents.",
        ),
        (
            K.MISSING_DOCUMENTS,
            household(documentation_status="unknown"),
            "The household's civil documents are not recorded.",
        ),
        (
            K.RECENT_DISPLACEMENT,
            household(displacement_date=datetime.date(2025, 3, 2)),
            "Displaced on March 2, 2025, within 6 months before June 15, 2025.",
        ),
        (
            K.RECENT_DISPLACEMENT,
            household(),
            "Displaced on June 10, 2014, more than 6 months before June 15, 2025.",
        ),
        (
            K.RECENT_DISPLACEMENT,
            household(displacement_date=datetime.date(2025, 7, 1)),
            "Displaced on July 1, 2025, after the scoring date June 15, 2025.",
        ),
    ],
)
def test_why_in_words(kind, snapshot, text):
    assert _why(kind, snapshot) == text


ALL = CriteriaVersion(
    tuple(scoring.with_defaults(CriterionSpec(kind, 2)) for kind in RuleKind),
    high_min=10,
    medium_min=4,
    version_id=1,
    number=3,
)


def test_explanation_lists_every_criterion_with_weight_points_and_why():
    snapshot = household(
        head(sex="female", marital_status="widowed", birth_date=datetime.date(1950, 1, 1)),
        person(relationship="son", sex="male", disability=True),
        has_income=False,
    )
    result = score(snapshot, ALL, as_of=AS_OF)
    lines = explain(result)
    assert [line.label for line in lines][:3] == [
        "Female-headed household",
        "Head of household aged 60 or older",
        "Head of household under 18 (child-headed)",
    ]
    assert [(line.fired, line.weight, line.points) for line in lines][:3] == [
        (True, 2, 2),
        (True, 2, 2),
        (False, 2, 0),
    ]
    assert sum(line.points for line in lines) == result.score == 10
    assert summary(result) == ("Score 10: High vulnerability (high from 10, medium from 4).")


@pytest.mark.parametrize("language", ["en", "ar", "ckb"])
def test_a_stored_result_is_explained_again_identically(language):
    snapshot = with_head(household(size=8, has_income=False), sex="female")
    result = score(snapshot, ALL, as_of=AS_OF)
    stored = json.dumps(result.to_dict())
    with translation.override(language):
        again = explain(ScoreResult.from_dict(json.loads(stored)))
        assert again == explain(result)
        assert summary(ScoreResult.from_dict(json.loads(stored))) == summary(result)


def test_every_reason_the_rules_give_has_words():
    snapshots = [
        household(),
        household(person()),
        with_head(household(), sex="", marital_status="", birth_date=None),
        with_head(household(), birth_date=datetime.date(2030, 1, 1)),
        household(
            shelter_type="", documentation_status="unknown", has_income=None, displacement_date=None
        ),
        household(displacement_date=datetime.date(2030, 1, 1)),
        household(
            head(sex="female", disability=True, chronic_illness=True, pregnant_or_lactating=True),
            person(separated_child=True),
            size=12,
            shelter_type="school",
            documentation_status="partial",
            has_income=False,
            displacement_date=AS_OF,
        ),
    ]
    seen = set()
    for snapshot in snapshots:
        for outcome in score(snapshot, ALL, as_of=AS_OF).outcomes:
            seen.add(outcome.reason)
            assert reason_text(outcome)
    assert len(seen) == 19


@pytest.mark.parametrize(
    ("version", "texts"),
    [
        (CriteriaVersion((), 2, 1), ["Add at least one criterion."]),
        (
            CriteriaVersion((CriterionSpec("has_goats", 1),), 1, 0),
            [
                "Criterion 1: has_goats is not a rule of the catalogue.",
                "The medium cut-off must be at least 1.",
            ],
        ),
        (
            CriteriaVersion((CriterionSpec(K.NO_INCOME, 3, 4),), 3, 1),
            ["Criterion 1: this rule takes no number; leave it empty."],
        ),
        (
            CriteriaVersion((CriterionSpec(K.LARGE_HOUSEHOLD, 3),), 3, 1),
            ["Criterion 1: this rule needs its number."],
        ),
        (
            CriteriaVersion(
                (CriterionSpec(K.NO_INCOME, 2), CriterionSpec(K.LARGE_HOUSEHOLD, 1, 0)), 3, 1
            ),
            ["Criterion 2: the number must be from 1 to 98."],
        ),
        (
            CriteriaVersion((CriterionSpec(K.NO_INCOME, 200),), 3, 1),
            ["Criterion 1: the weight must be from 1 to 100."],
        ),
        (
            CriteriaVersion((CriterionSpec(K.NO_INCOME, 2), CriterionSpec(K.NO_INCOME, 2)), 3, 1),
            ["Criterion 2 repeats criterion 1."],
        ),
        (
            CriteriaVersion((CriterionSpec(K.NO_INCOME, 2),), 2, 2),
            ["The high cut-off must be above the medium cut-off."],
        ),
        (
            CriteriaVersion((CriterionSpec(K.NO_INCOME, 2),), 5, 1),
            [
                "The high cut-off is above the highest possible score (2); "
                "no household could be high."
            ],
        ),
    ],
)
def test_problems_in_words(version, texts):
    assert [problem_text(problem) for problem in problems(version)] == texts


def test_decide_and_words_agree_on_elderly_edge():
    snapshot = with_head(household(), birth_date=datetime.date(1965, 6, 15))
    assert decide(K.ELDERLY_HEAD, 60, snapshot, AS_OF).fired
    assert (
        _why(K.ELDERLY_HEAD, snapshot, 60) == "The head of household is 60 years old, at least 60."
    )
