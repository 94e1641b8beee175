"""Vulnerability targeting and assistance: criteria sets and their published versions; assistance
plans with their items; selections (the stored outcome of choosing beneficiaries for a plan);
and receipts (who received what, when, verified how).

A criteria version is immutable from the moment it is published: editing a set publishes a new
version, so every selection that names a version can be scored and explained again exactly. The
rules themselves live in ``assistance.scoring`` (pure); this module only stores which rules, with
what parameters and weights, and the category cut-offs. A selection and its entries are likewise
written once. The rules of selection are in ``assistance.ranking`` (pure) and the workflow in
``assistance.plans``, ``assistance.selection`` and ``assistance.receipts``.

Cycles. A plan names a cycle of its programme, a label such as ``2026-R1``; plans of one
programme with the same label are the same cycle. A household receives each assistance type at
most once per cycle of a programme: a second receipt of that type in that programme and cycle,
by the household or by a household linked to it (``selectors.linked_households``), is refused
unless a supervisor overrides it with a reason. Receipts copy the plan's programme and cycle, so
the check is an index lookup on (programme, cycle, assistance type, household).
"""

from marsad.assistance.models.criteria import (
    CRITERION_KINDS,
    CriteriaSet,
    CriteriaSetVersion,
    Criterion,
)
from marsad.assistance.models.plans import (
    ASSISTANCE_UNITS,
    CENT,
    PERSONAL_TYPES,
    AssistancePlan,
    AssistanceType,
    PlanItem,
    PlanStatus,
    cycle_validator,
    normalise_cycle,
)
from marsad.assistance.models.receipts import Receipt
from marsad.assistance.models.selections import (
    CATEGORY_CHOICES,
    REASON_CHOICES,
    REASON_NAMES,
    Selection,
    SelectionEntry,
)

__all__ = [
    "ASSISTANCE_UNITS",
    "CATEGORY_CHOICES",
    "CENT",
    "CRITERION_KINDS",
    "PERSONAL_TYPES",
    "REASON_CHOICES",
    "REASON_NAMES",
    "AssistancePlan",
    "AssistanceType",
    "CriteriaSet",
    "CriteriaSetVersion",
    "Criterion",
    "PlanItem",
    "PlanStatus",
    "Receipt",
    "Selection",
    "SelectionEntry",
    "cycle_validator",
    "normalise_cycle",
]
