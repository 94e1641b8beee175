"""Assistance test data, made through the services as a programme manager would: criteria sets
and versions, plans, receipts."""

import datetime
from typing import Any

from marsad.assistance import services
from marsad.assistance.models import AssistancePlan, CriteriaSet, CriteriaSetVersion, Receipt
from marsad.partners.models import Organisation, OrganisationKind, Programme
from marsad.registry.models import Household
from tests.factories import OrganisationFactory, ProgrammeFactory
from tests.registry.factories import head, register

IOM_ROWS = [
    {"kind": "female_head", "weight": 3},
    {"kind": "elderly_head", "weight": 2},  # the usual age, 60, is filled in
    {"kind": "child_head", "weight": 3, "parameter": 18},
    {"kind": "member_disability", "weight": 3},
    {"kind": "member_chronic_illness", "weight": 2},
    {"kind": "pregnant_or_lactating", "weight": 1},
    {"kind": "separated_child", "weight": 3},
    {"kind": "widowed_head", "weight": 2},
    {"kind": "large_household", "weight": 1, "parameter": 6},
    {"kind": "no_income", "weight": 2},
    {"kind": "critical_shelter", "weight": 2},
    {"kind": "missing_documents", "weight": 1},
    {"kind": "recent_displacement", "weight": 1, "parameter": 6},
]


def criteria_set(organisation: Any, *, actor: Any = None, **data: Any) -> CriteriaSet:
    values = {"name": "IOM Household Vulnerability Criteria", **data}
    return services.criteria_set_create(actor=actor, organisation=organisation, **values)


def publish(
    criteria_set: CriteriaSet,
    rows: list[dict[str, Any]] | None = None,
    *,
    actor: Any = None,
    high_min: int = 7,
    medium_min: int = 4,
    note: str = "",
) -> CriteriaSetVersion:
    return services.criteria_version_publish(
        actor=actor,
        criteria_set=criteria_set,
        criteria=IOM_ROWS if rows is None else rows,
        high_min=high_min,
        medium_min=medium_min,
        note=note,
    )


# --- Plans, receipts (PHSS: in-kind grants, vocational training, rice farmers) ---------------

AS_OF = datetime.date(2026, 3, 1)
START = datetime.date(2026, 1, 10)
GRANT = {"assistance_type": "livelihood_grant", "quantity": 1, "unit_value_usd": "1600.00"}
FOOD = {"assistance_type": "food_parcel", "quantity": 1}


def phss(mission: Any) -> Programme:
    return ProgrammeFactory(
        code="PHSS",
        name_en="Programme for Human Security and Stabilization",
        lead_unit=mission,
        start_date=datetime.date(2007, 7, 1),
    )


def japan() -> Organisation:
    return OrganisationFactory(
        code="JP-GOV", kind=OrganisationKind.DONOR, name_en="Government of Japan"
    )


def plan(
    organisation: Any,
    programme: Any,
    location: Any,
    *,
    actor: Any = None,
    items: list[dict[str, Any]] | None = None,
    approve: bool = True,
    **data: Any,
) -> AssistancePlan:
    """An in-kind grants plan of ``organisation`` (approved unless ``approve=False``)."""
    values = {
        "organisation": organisation,
        "programme": programme,
        "code": "PHSS-BA-2026-R1",
        "title": "In-kind livelihood grants, Al-Basrah",
        "project_name": "Small enterprise grants through MoLSA",
        "location": location,
        "start_date": START,
        "cycle": "2026-R1",
        **data,
    }
    created = services.plan_create(
        actor=actor, data=values, items=[GRANT] if items is None else items
    )
    if approve:
        created = services.plan_approve(actor=None, plan=created)
    return created


def receipt(
    plan: AssistancePlan,
    household: Any,
    *,
    actor: Any = None,
    received_on: datetime.date = datetime.date(2026, 2, 1),
    **data: Any,
) -> Receipt:
    item = data.pop("item", None) or plan.items.order_by("pk").first()
    return services.receipt_record(
        actor=actor, plan=plan, item=item, household=household, received_on=received_on, **data
    )


def household(
    organisation: Any,
    area: Any,
    *,
    female: bool = False,
    no_income: bool = False,
    school: bool = False,
    **data: Any,
) -> Household:
    """A registered household scoring, with the IOM rows, 3 for a female head, 2 without
    income, 2 in a school building (0 otherwise: a married man of 45 heads five people)."""
    members = [head(given_name="فاطمة", sex="female") if female else head()]
    values = {
        "has_income": False if no_income else None,
        "shelter_type": "school" if school else "",
        "displacement_date": datetime.date(2024, 5, 1),
        **data,
    }
    return register(organisation, area, members, **values)
