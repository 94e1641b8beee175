"""Assistance data for ``marsad demo``, on the demo registry (load it first): the mission's IOM
Household Vulnerability Criteria; two plans of the seeds' programmes — emergency food parcels
and hygiene kits of the IDP Programme through the Italian Consortium of Solidarity (ICS),
funded by Australia, and in-kind livelihood grants of PHSS through MoLSA, funded by Japan, both
in Baghdad in 2008; a beneficiary selection for each; and receipts for the first
beneficiaries, among them one refused as a double assistance and recorded anyway as a
supervisor's override, and one voided as recorded in error.

Everything goes through the services (audited), as the system itself. Running it again adds
nothing: the set is found by name, the plans by code, a plan's selection is run once, and each
receipt has its source key.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from marsad.assistance import services
from marsad.assistance.models import (
    AssistancePlan,
    CriteriaSet,
    CriteriaSetVersion,
    PlanStatus,
    Receipt,
    Selection,
)
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme
from marsad.registry.models import Household

DEMO_MISSION = "IOM-IDP"
DEMO_SET = "IOM Household Vulnerability Criteria"
DEMO_SET_DESCRIPTION = (
    "The mission's household vulnerability criteria, by which implementing partners select "
    "beneficiaries (IOM IDP and Returnee Assistance Project Guidelines, 2008)."
)
#: The criteria of the IOM IDP and Returnee Assistance Project Guidelines the partners select by.
DEMO_CRITERIA = [
    {"kind": "female_head", "weight": 3},
    {"kind": "elderly_head", "weight": 2, "parameter": 60},
    {"kind": "member_disability", "weight": 3},
    {"kind": "member_chronic_illness", "weight": 2},
    {"kind": "pregnant_or_lactating", "weight": 1},
    {"kind": "large_household", "weight": 1, "parameter": 6},
    {"kind": "critical_shelter", "weight": 2},
    {"kind": "missing_documents", "weight": 1},
    {"kind": "recent_displacement", "weight": 1, "parameter": 12},
]
DEMO_HIGH_MIN = 6
DEMO_MEDIUM_MIN = 3
#: The demo user who overrides and voids, when loaded (a supervisor who sees MoDM's registry).
DEMO_SUPERVISOR = "admin"


@dataclass(frozen=True)
class DemoPlan:
    code: str
    title: str
    programme: str
    partner: str
    donor: str
    location: str
    start: datetime.date
    end: datetime.date
    cycle: str
    project_name: str
    items: list[dict[str, Any]]
    quota: int
    #: (assistance type, how many of the first beneficiaries received it, first day received)
    received: list[tuple[str, int, datetime.date]] = field(default_factory=list)


DEMO_PLANS = [
    DemoPlan(
        code="IDP-BG-2008-R3",
        title="Emergency food parcels and hygiene kits, Baghdad",
        programme="IDP",
        partner="ICS",
        donor="AUS",
        location="IQG08",
        start=datetime.date(2008, 7, 1),
        end=datetime.date(2008, 9, 30),
        cycle="2008-R3",
        project_name="Emergency food and non-food items for the most vulnerable IDPs",
        items=[
            {
                "assistance_type": "food_parcel",
                "quantity": 1,
                "unit_value_usd": Decimal("45.00"),
                "description": "Monthly family food parcel: rice, flour, lentils, oil, sugar, tea",
            },
            {
                "assistance_type": "hygiene_kit",
                "quantity": 1,
                "unit_value_usd": Decimal("18.00"),
                "description": "Family hygiene kit",
            },
        ],
        quota=40,
        received=[
            ("food_parcel", 24, datetime.date(2008, 7, 8)),
            ("hygiene_kit", 12, datetime.date(2008, 7, 8)),
        ],
    ),
    DemoPlan(
        code="PHSS-BG-2008-G1",
        title="In-kind livelihood grants, Baghdad",
        programme="PHSS",
        partner="MOLSA",
        donor="JPN",
        location="IQG08",
        start=datetime.date(2008, 8, 1),
        end=datetime.date(2008, 12, 31),
        cycle="2008-G1",
        project_name="Small enterprise grants through MoLSA",
        items=[
            {
                "assistance_type": "livelihood_grant",
                "quantity": 1,
                "unit_value_usd": Decimal("1600.00"),
                "description": "Equipment for a small business: sewing machines, oven or stock",
            }
        ],
        quota=12,
        received=[("livelihood_grant", 8, datetime.date(2008, 9, 2))],
    ),
]
OVERRIDE_KEY = "demo-override-1"
OVERRIDE_REASON = (
    "The first parcel was destroyed in the fire at the collective centre on 20 July 2008; "
    "replaced on the programme manager's decision."
)
VOID_REASON = (
    "Entered for the wrong household: the parcel was collected by the neighbouring family, "
    "which is recorded under its own registration."
)


def load_demo_assistance() -> list[str]:
    """Load the demo assistance data that is not in yet; returns one line per step."""
    mission = Organisation.objects.filter(code=DEMO_MISSION).first()
    if mission is None:
        return [f"skipped: organisation {DEMO_MISSION} is not loaded"]
    if not Household.objects.exists():
        return ["skipped: the demo registry is not loaded"]
    version, line = _criteria(mission)
    lines = [line]
    supervisor = get_user_model().objects.filter(username=DEMO_SUPERVISOR).first()
    for spec in DEMO_PLANS:
        plan = _plan(spec, version)
        if plan is None:
            lines.append(f"{spec.code}: skipped (its programme, partner or place is not loaded)")
            continue
        selection, ran = _selection(spec, plan)
        added = _receipts(spec, plan, selection)
        lines.append(
            f"{plan.code}: selection {'run' if ran else 'kept'} "
            f"({selection.included_count} of {selection.considered_count} households), "
            f"{added} receipts added"
        )
    first = AssistancePlan.objects.filter(code=DEMO_PLANS[0].code).first()
    if first is not None:
        lines.extend(_override_and_void(first, supervisor))
    return lines


def _criteria(mission: Organisation) -> tuple[CriteriaSetVersion, str]:
    criteria_set = CriteriaSet.objects.filter(organisation=mission, name=DEMO_SET).first()
    if criteria_set is None:
        criteria_set = services.criteria_set_create(
            actor=None, organisation=mission, name=DEMO_SET, description=DEMO_SET_DESCRIPTION
        )
    version = criteria_set.versions.order_by("-number").first()
    if version is not None:
        return version, f"{DEMO_SET}: version {version.number} kept"
    version = services.criteria_version_publish(
        actor=None,
        criteria_set=criteria_set,
        criteria=DEMO_CRITERIA,
        high_min=DEMO_HIGH_MIN,
        medium_min=DEMO_MEDIUM_MIN,
        note="The criteria of the IOM IDP and Returnee Assistance Project Guidelines.",
    )
    return version, f"{DEMO_SET}: version {version.number} published"


def _plan(spec: DemoPlan, version: CriteriaSetVersion) -> AssistancePlan | None:
    plan = AssistancePlan.objects.filter(code=spec.code).first()
    if plan is not None:
        return plan
    programme = Programme.objects.filter(code=spec.programme).first()
    partner = Organisation.objects.filter(code=spec.partner).first()
    location = AdminArea.objects.filter(pcode=spec.location).first()
    if programme is None or partner is None or location is None:
        return None
    plan = services.plan_create(
        actor=None,
        data={
            "organisation": partner,
            "programme": programme,
            "code": spec.code,
            "title": spec.title,
            "project_name": spec.project_name,
            "donor": Organisation.objects.filter(code=spec.donor).first(),
            "location": location,
            "start_date": spec.start,
            "end_date": spec.end,
            "cycle": spec.cycle,
            "criteria_version": version,
        },
        items=spec.items,
    )
    return services.plan_approve(actor=None, plan=plan)


def _selection(spec: DemoPlan, plan: AssistancePlan) -> tuple[Selection, bool]:
    found = plan.selections.order_by("-created_at", "-pk").first()
    if found is not None:
        return found, False
    selection = services.selection_run(
        actor=None,
        plan=plan,
        statuses=["displaced"],
        quota=spec.quota,
        minimum_category="medium",
        as_of=spec.start,
    )
    return selection, True


def _beneficiaries(selection: Selection, count: int) -> list[Household]:
    entries = (
        selection.entries.filter(included=True)
        .select_related("household__area")
        .order_by("rank")[:count]
    )
    return [entry.household for entry in entries]


def _receipts(spec: DemoPlan, plan: AssistancePlan, selection: Selection) -> int:
    if plan.status != PlanStatus.APPROVED:
        return 0
    taken = set(plan.receipts.exclude(source_key="").values_list("source_key", flat=True))
    items = {item.assistance_type: item for item in plan.items.all()}
    added = 0
    for assistance_type, count, first_day in spec.received:
        item = items.get(assistance_type)
        if item is None:
            continue
        for number, household in enumerate(_beneficiaries(selection, count), start=1):
            key = f"demo-{assistance_type}-{number}"
            if key in taken:
                continue
            services.receipt_record(
                actor=None,
                plan=plan,
                item=item,
                household=household,
                received_on=first_day + datetime.timedelta(days=(number - 1) // 6),
                id_checked=number % 5 != 0,
                signed=number % 3 != 0,
                thumbprint=number % 3 == 0,
                source_key=key,
            )
            added += 1
    return added


def _override_and_void(plan: AssistancePlan, supervisor: Any) -> list[str]:
    """A second food parcel for the first beneficiary: refused as a double assistance, then
    recorded as the supervisor's override; and the last food parcel recorded voided as recorded
    in error (once: a plan with a voided receipt keeps it)."""
    lines = []
    if (
        plan.status == PlanStatus.APPROVED
        and not plan.receipts.filter(source_key=OVERRIDE_KEY).exists()
    ):
        first = plan.receipts.filter(source_key="demo-food_parcel-1").select_related("household")
        earlier = first.first()
        if earlier is not None:
            arguments = {
                "plan": plan,
                "item": earlier.item,
                "household": earlier.household,
                "received_on": datetime.date(2008, 7, 22),
                "id_checked": True,
                "signed": True,
                "source_key": OVERRIDE_KEY,
            }
            try:
                services.receipt_record(actor=None, **arguments)
            except services.AlreadyAssisted:
                services.receipt_record(
                    actor=supervisor, override_reason=OVERRIDE_REASON, **arguments
                )
                lines.append(
                    f"{plan.code}: a second food parcel for {earlier.household} refused, then "
                    "recorded as an override"
                )
    wrong = (
        Receipt.objects.filter(plan=plan, source_key__startswith="demo-food_parcel-")
        .exclude(source_key="demo-food_parcel-1")
        .order_by("-pk")
        .first()
    )
    if wrong is not None and not plan.receipts.filter(voided_at__isnull=False).exists():
        services.receipt_void(actor=supervisor, receipt=wrong, reason=VOID_REASON)
        lines.append(f"{plan.code}: receipt {wrong.pk} voided as recorded in error")
    return lines
