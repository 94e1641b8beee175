"""Fixtures for the assistance tests: the PHSS programme and the mission's published IOM
Household Vulnerability Criteria."""

import pytest

from tests.assistance.factories import criteria_set, phss, publish


@pytest.fixture
def programme(mission):
    return phss(mission)


@pytest.fixture
def version(mission):
    return publish(criteria_set(mission))
