"""Criteria test data, made through the services as a programme manager would."""

from typing import Any

from marsad.assistance import services
from marsad.assistance.models import CriteriaSet, CriteriaSetVersion

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
