"""Fixtures shared by every test module."""

import pytest
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture
def areas(db):
    return factories.area_tree()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def mission(db):
    """The mission's IDP unit, the kind of organisation whose managers oversee partners."""
    from marsad.partners.models import OrganisationKind

    return factories.OrganisationFactory(
        code="IOM-IDP", kind=OrganisationKind.MISSION_UNIT, name_en="IOM IDP unit"
    )


@pytest.fixture
def ngo(db):
    return factories.OrganisationFactory(code="NGO-A", name_en="Partner NGO A")


@pytest.fixture
def other_ngo(db):
    return factories.OrganisationFactory(code="NGO-B", name_en="Partner NGO B")
