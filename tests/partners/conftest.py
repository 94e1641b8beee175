"""Fixtures for the partners tests: organisations of each kind and a programme between them."""

import pytest

from marsad.core.models import AuditEntry
from tests import factories


@pytest.fixture
def ministry(db):
    return factories.OrganisationFactory(
        code="MODM",
        kind="government_ministry",
        acronym="MoDM",
        name_en="Ministry of Displacement and Migration",
        name_ar="وزارة الهجرة والمهجرين",
        name_ku="وەزارەتی کۆچ و کۆچبەران",
    )


@pytest.fixture
def donor(db):
    return factories.OrganisationFactory(
        code="JPN",
        kind="donor",
        name_en="Government of Japan",
        name_ar="حكومة اليابان",
        name_ku="حکومەتی ژاپۆن",
        country="JP",
    )


@pytest.fixture
def programme(mission, ministry, donor):
    programme = factories.ProgrammeFactory(
        code="IDP",
        lead_unit=mission,
        name_en="IDP Programme",
        name_ar="برنامج النازحين",
        name_ku="بەرنامەی ئاوارەکان",
        description="Assistance to internally displaced families.",
    )
    programme.partner_ministries.set([ministry])
    programme.donors.set([donor])
    return programme


@pytest.fixture
def audit_count(db):
    """How many audit rows exist now; call again to compare."""
    return lambda: AuditEntry.objects.count()
