"""Factories for displacement tracking, shared by the displacement tests."""

import datetime

import factory

from marsad.displacement.models import (
    AssessmentRound,
    DisplacementPeriod,
    Intention,
    LocationAssessment,
    PopulationGroup,
    SectorNeed,
)
from marsad.geo.models import AdminArea, AreaLevel
from tests.factories import AdminAreaFactory, OrganisationFactory


class AssessmentRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentRound
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    period_start = factory.LazyAttribute(
        lambda r: datetime.date(2008, 1, 1) + datetime.timedelta(days=30 * (r.number - 1))
    )
    period_end = factory.LazyAttribute(lambda r: r.period_start + datetime.timedelta(days=27))


def location(pcode: str, parent: AdminArea, **names) -> AdminArea:
    """A level-4 location under ``parent``."""
    return AdminAreaFactory(pcode=pcode, level=AreaLevel.LOCATION, parent=parent, **names)


class LocationAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocationAssessment

    round = factory.SubFactory(AssessmentRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    area = factory.SubFactory(AdminAreaFactory, level=AreaLevel.LOCATION)
    assessed_on = factory.LazyAttribute(lambda a: a.round.period_end)


class PopulationGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationGroup

    assessment = factory.SubFactory(LocationAssessmentFactory)
    population_type = "idp"
    families = 10
    individuals = 60


def period(code: str = "2006-2008") -> DisplacementPeriod:
    return DisplacementPeriod.objects.get(code=code)


class SectorNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SectorNeed

    assessment = factory.SubFactory(LocationAssessmentFactory)
    sector = "food"
    priority = 1


class IntentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intention

    assessment = factory.SubFactory(LocationAssessmentFactory)
    intention = "return"
    families = 5


# --- Helpers for the core (services, importers, API) tests ----------------------------------

MASTERLIST_HEADER = (
    "location_id,location_name,location_name_ar,parent_pcode,latitude,longitude,"
    "population_type,origin_pcode,displacement_period,shelter_category,families,individuals"
)


def masterlist_csv(*rows: str, header: str = MASTERLIST_HEADER) -> bytes:
    """A master-list CSV (UTF-8) from the header and ``rows`` (each a CSV line)."""
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def open_round(number: int = 4, **kwargs) -> AssessmentRound:
    """Round ``number`` (open), 1–28 January 2008 unless told otherwise."""
    defaults = {
        "period_start": datetime.date(2008, 1, 1),
        "period_end": datetime.date(2008, 1, 28),
        "status": "open",
    }
    return AssessmentRoundFactory(number=number, **{**defaults, **kwargs})
