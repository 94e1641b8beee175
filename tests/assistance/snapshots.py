"""Plain household snapshots for the scoring tests: a baseline household on which no rule of the
catalogue fires, and helpers to change one attribute at a time."""

import dataclasses
import datetime
from typing import Any

from marsad.assistance.scoring import (
    CriteriaVersion,
    CriterionSpec,
    HouseholdSnapshot,
    MemberSnapshot,
    RuleKind,
)

AS_OF = datetime.date(2025, 6, 15)


def head(**changes: Any) -> MemberSnapshot:
    values: dict[str, Any] = {
        "person_id": 1,
        "relationship": "head",
        "sex": "male",
        "birth_date": datetime.date(1980, 3, 1),
        "birth_date_precision": "day",
        "marital_status": "married",
    }
    values.update(changes)
    return MemberSnapshot(**values)


def person(**changes: Any) -> MemberSnapshot:
    values: dict[str, Any] = {
        "person_id": 2,
        "relationship": "spouse",
        "sex": "female",
        "birth_date": datetime.date(1984, 5, 20),
        "marital_status": "married",
    }
    values.update(changes)
    return MemberSnapshot(**values)


def household(*members: MemberSnapshot, **changes: Any) -> HouseholdSnapshot:
    """Five people, a married male head aged 45, rented housing, documents complete, an income,
    displaced years ago: no rule fires."""
    values: dict[str, Any] = {
        "household_id": 10,
        "size": 5,
        "members": members or (head(), person()),
        "shelter_type": "rented",
        "documentation_status": "complete",
        "has_income": True,
        "displacement_date": datetime.date(2014, 6, 10),
    }
    values.update(changes)
    return HouseholdSnapshot(**values)


def with_head(snapshot: HouseholdSnapshot, **changes: Any) -> HouseholdSnapshot:
    members = tuple(
        dataclasses.replace(m, **changes) if m.relationship == "head" else m
        for m in snapshot.members
    )
    return dataclasses.replace(snapshot, members=members)


def only(
    kind: RuleKind, parameter: int | None = None, weight: int = 3, label: str = ""
) -> CriteriaVersion:
    """A version with one criterion: high when it fires."""
    return CriteriaVersion(
        (CriterionSpec(kind, weight, parameter, label),), high_min=weight, medium_min=1
    )
