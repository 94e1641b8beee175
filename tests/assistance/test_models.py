"""Invariants the database and the models keep whatever door a write comes through."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from marsad.assistance.models import CriteriaSetVersion, Criterion
from tests.assistance.factories import criteria_set, publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("high_min", "medium_min"), [(3, 3), (2, 3), (3, 0)])
def test_database_refuses_unordered_cutoffs(mission, high_min, medium_min):
    created = criteria_set(mission)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriteriaSetVersion.objects.create(
            criteria_set=created, number=1, high_min=high_min, medium_min=medium_min
        )


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "has_goats", "weight": 1},
        {"kind": "no_income", "weight": 0},
        {"kind": "no_income", "weight": 101},
    ],
)
def test_database_refuses_unknown_rules_and_weights_out_of_range(mission, values):
    version = publish(criteria_set(mission))
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(version=version, position=99, **values)


@pytest.mark.parametrize(
    ("kind", "parameter", "message"),
    [
        ("no_income", 3, "This rule takes no number; leave it empty."),
        ("elderly_head", None, "This rule needs its number."),
        ("recent_displacement", 601, "The number must be from 1 to 600."),
    ],
)
def test_clean_checks_the_parameter_against_the_rule(mission, kind, parameter, message):
    version = publish(criteria_set(mission))
    criterion = Criterion(version=version, position=99, kind=kind, parameter=parameter, weight=1)
    with pytest.raises(ValidationError) as refused:
        criterion.full_clean()
    assert refused.value.message_dict == {"parameter": [message]}


def test_version_names_its_set_and_number(mission):
    version = publish(criteria_set(mission))
    assert str(version) == "IOM Household Vulnerability Criteria, version 1"
    assert str(version.criteria.get(position=2)) == "Head of household aged 60 or older"
