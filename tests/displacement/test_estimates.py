"""The household-size estimate of individuals from families."""

import pytest

from marsad.displacement.estimates import estimate_individuals


def test_six_a_family_outside_camps():
    assert estimate_individuals(10, "rented") == 60
    assert estimate_individuals(10, "") == 60


def test_five_a_family_in_camps():
    assert estimate_individuals(10, "camp") == 50


def test_multipliers_can_be_passed():
    assert estimate_individuals(3, "camp", household_size=7, camp_household_size=4) == 12
    assert estimate_individuals(3, "school", household_size=7, camp_household_size=4) == 21


def test_settings_are_the_default(settings):
    settings.MARSAD_HOUSEHOLD_SIZE = 8
    settings.MARSAD_HOUSEHOLD_SIZE_CAMP = 7
    assert estimate_individuals(2, "hotel") == 16
    assert estimate_individuals(2, "camp") == 14


def test_zero_families_zero_people():
    assert estimate_individuals(0, "camp") == 0


@pytest.mark.parametrize("families", [-1, 2.5, "3", True])
def test_bad_families_refused(families):
    with pytest.raises((TypeError, ValueError)):
        estimate_individuals(families, "rented")
