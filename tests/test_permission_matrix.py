"""The permission matrix: every URL, every role, in and out of scope, gets the right answer.

Each route the project serves is declared in MATRIX with the status each role must get for a
record of its own organisation ("own") and, where the route takes a record, for another
organisation's record ("other"). A route added without a declaration fails
``test_every_route_is_declared``, so no endpoint ships unchecked.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from marsad.core.models import TaskRun
from tests import factories
from tests.factories import member

ROLES = [
    "system_admin",
    "programme_manager",
    "im_officer",
    "field_monitor",
    "case_worker",
    "border_officer",
    "border_supervisor",
    "partner_reporter",
    "aggregate_viewer",
]
PRINCIPALS = ["anonymous", "no_membership", *ROLES]
PII_ROLES = {
    "system_admin",
    "programme_manager",
    "im_officer",
    "field_monitor",
    "case_worker",
    "border_officer",
    "border_supervisor",
    "partner_reporter",
}
REFERENCE_CHANGERS = {"system_admin", "im_officer"}
PROGRAMME_CHANGERS = {"system_admin", "programme_manager"}
EXPORTERS = {"system_admin", "programme_manager", "im_officer", "partner_reporter"}
RECORD_VIEWERS = PII_ROLES
# Approve and close assistance plans: oversight or change-programmes.
SUPERVISORS = {"system_admin", "programme_manager", "im_officer"}
# Border pages need view-restricted; the matrix's border officer and supervisor have no posting,
# so they have no point to record at and see no crossing, hit or case.
POSTED = {"border_officer", "border_supervisor"}
BORDER_ROLES = {"system_admin", "programme_manager", "im_officer", "case_worker", *POSTED}
BORDER_RECORDERS = BORDER_ROLES - POSTED

# Routes that need no row: Django's own machinery, or covered by a dedicated test.
EXEMPT = {
    "set_language": "Django's language switch; covered by the i18n tests",
    "api-root": "the DRF router's index of links",
}
EXEMPT_NAMESPACES = {"admin": "Django admin: covered by test_admin_is_for_system_administrators"}


def statuses(default: int, *, anonymous: int, **by_role: int) -> dict[str, int]:
    """Expected statuses: ``default`` for every signed-in principal unless named."""
    table = dict.fromkeys(PRINCIPALS, default)
    table["anonymous"] = anonymous
    table.update(by_role)
    return table


def only(
    roles: set[str], granted: int, refused: int, *, anonymous: int, **by_role: int
) -> dict[str, int]:
    table = {principal: (granted if principal in roles else refused) for principal in PRINCIPALS}
    table["anonymous"] = anonymous
    table.update(by_role)
    return table


def pii_other(granted: int = 200, *, anonymous: int, **by_role: int) -> dict[str, int]:
    """Another organisation's personal record: only the system administrator reaches it;
    other PII roles do not learn it exists (404); roles without PII access are refused (403)."""
    table = only(PII_ROLES, 404, 403, anonymous=anonymous)
    table["system_admin"] = granted
    table.update(by_role)
    return table


def border_own(granted: int = 200, *, anonymous: int) -> dict[str, int]:
    """A border record of the own organisation: the unposted border officer does not find it."""
    return only(
        BORDER_ROLES, granted, 403, anonymous=anonymous, border_officer=404, border_supervisor=404
    )


def border_other(granted: int = 200, *, anonymous: int) -> dict[str, int]:
    """Another organisation's border record: only the system administrator reaches it."""
    table = only(BORDER_ROLES, 404, 403, anonymous=anonymous)
    table["system_admin"] = granted
    return table


def ui(default: int = 200, **by_role: int) -> dict[str, int]:
    return statuses(default, anonymous=302, **by_role)


def api(default: int = 200, **by_role: int) -> dict[str, int]:
    return statuses(default, anonymous=401, **by_role)


@dataclass
class World:
    own: Any
    other: Any
    mission: Any
    programme: Any
    areas: dict[str, Any]
    users: dict[str, Any]
    objects: dict[str, Any] = field(default_factory=dict)


@dataclass
class Route:
    name: str
    expect: dict[str, int]
    expect_other: dict[str, int] | None = None
    method: str = "get"
    kwargs: Callable[[World, str, str], dict[str, Any]] | None = None
    data: Callable[[World, str], dict[str, Any]] | None = None
    query: str = ""


def contact(world: World, which: str, role: str) -> dict[str, Any]:
    organisation = world.own if which == "own" else world.other
    return {"pk": factories.ContactFactory(organisation=organisation).pk}


def organisation(world: World, which: str, role: str) -> dict[str, Any]:
    return {"code": (world.own if which == "own" else world.other).code}


def org_contact(world: World, which: str, role: str) -> dict[str, Any]:
    organisation = world.own if which == "own" else world.other
    record = factories.ContactFactory(organisation=organisation)
    return {"code": organisation.code, "pk": record.pk}


def programme(world: World, which: str, role: str) -> dict[str, Any]:
    return {"code": world.programme.code}


def funding(world: World, which: str, role: str) -> dict[str, Any]:
    line = factories.FundingFactory(programme=world.programme, donor=world.objects["donor"])
    return {"code": world.programme.code, "pk": line.pk}


def funding_pk(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": funding(world, which, role)["pk"]}


def membership(world: World, which: str, role: str) -> dict[str, Any]:
    owner = world.users["field_monitor" if which == "own" else "partner_reporter_other"]
    return {"pk": owner.memberships.get().pk}


def user_pk(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": world.users["field_monitor"].pk}


def _assessment(world: World, which: str) -> Any:
    """A draft assessment with one population group, in the open round, at a new location."""
    from marsad.displacement.models import LocationAssessment, PopulationGroup

    world.objects["locations"] = world.objects.get("locations", 0) + 1
    location = factories.AdminAreaFactory(
        pcode=f"IQG08Q03L{world.objects['locations']:03d}",
        level=4,
        parent=world.areas["karkh"],
    )
    round_ = world.objects["open_round"]
    assessment = LocationAssessment.objects.create(
        round=round_,
        area=location,
        organisation=world.own if which == "own" else world.other,
        assessed_on=round_.period_end,
    )
    PopulationGroup.objects.create(
        assessment=assessment, population_type="idp", families=12, individuals=70
    )
    return assessment


def assessment(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _assessment(world, which).pk}


def assessment_submit(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _assessment(world, which).pk, "action": "submit"}


def assessment_row(relation: str) -> Callable[[World, str, str], dict[str, Any]]:
    def kwargs(world: World, which: str, role: str) -> dict[str, Any]:
        record = _assessment(world, which)
        if relation == "needs":
            record.needs.create(sector="food", priority=1)
        if relation == "intentions":
            record.intentions.create(intention="return", families=4)
        return {"pk": getattr(record, relation).get().pk}

    return kwargs


def _household(world: World, which: str) -> Any:
    from tests.registry.factories import register

    return register(world.own if which == "own" else world.other, world.areas["karkh"])


def household(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _household(world, which).pk}


def person(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _household(world, which).head.pk}


def source_record(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _household(world, which).source_records.get().pk}


def merge(world: World, which: str, role: str) -> dict[str, Any]:
    from marsad.registry import services

    kept, folded = _household(world, which).head, _household(world, which).head
    return {"pk": services.person_merge(actor=None, survivor=kept, merged=folded).pk}


def _households_twice(world: World, which: str) -> tuple[Any, Any]:
    """Two registrations of one household: the second's head merged into the first's head."""
    from marsad.registry import services

    kept, folded = _household(world, which), _household(world, which)
    services.person_merge(actor=None, survivor=kept.head, merged=folded.head)
    return kept, folded


def household_to_merge(world: World, which: str, role: str) -> dict[str, Any]:
    """The household left empty (it is merged, by POST, into the one remembered here)."""
    kept, folded = _households_twice(world, which)
    world.objects["merge_survivor"] = kept
    return {"pk": folded.pk}


def household_merge(world: World, which: str, role: str) -> dict[str, Any]:
    from marsad.registry import services

    kept, folded = _households_twice(world, which)
    return {"pk": services.household_merge(actor=None, survivor=kept, merged=folded).pk}


def pair(world: World, which: str, role: str) -> dict[str, Any]:
    from marsad.linkage.models import CandidatePair

    left, right = _household(world, which).head, _household(world, which).head
    record = CandidatePair.objects.create(
        left=left, right=right, match_probability=0.9, match_weight=3.2
    )
    return {"pk": record.pk}


def _model_version() -> Any:
    from marsad.linkage.models import ModelVersion

    return ModelVersion.objects.get_or_create(
        version=1,
        defaults={"model": {}, "auto_link_threshold": 0.99, "review_threshold": 0.8},
    )[0]


def model_version(world: World, which: str, role: str) -> dict[str, Any]:
    return {"version": _model_version().version}


def linkage_run(world: World, which: str, role: str) -> dict[str, Any]:
    from marsad.linkage.models import LinkageRun

    return {"pk": LinkageRun.objects.create(kind="full", model=_model_version()).pk}


def open_round(world: World, which: str, role: str) -> dict[str, Any]:
    return {"number": world.objects["open_round"].number}


def task_run(world: World, which: str, role: str) -> dict[str, Any]:
    owner = world.users.get(role) if which == "own" else world.users["partner_reporter_other"]
    return {"pk": TaskRun.objects.create(kind="x", label="run", created_by=owner).pk}


def _next(world: World, name: str) -> int:
    world.objects[name] = world.objects.get(name, 0) + 1
    return world.objects[name]


def _criteria_version(world: World, which: str) -> Any:
    """A published criteria version of a new set of the own or the other organisation."""
    from tests.assistance.factories import criteria_set, publish

    organisation = world.own if which == "own" else world.other
    number = _next(world, "criteria_sets")
    return publish(criteria_set(organisation, name=f"Matrix criteria {number}"))


def _assistance_plan(
    world: World, which: str, *, approve: bool = True, criteria: bool = False
) -> Any:
    """A plan (one in-kind grant item) of the own or the other organisation in Al-Basrah."""
    from tests.assistance.factories import plan

    organisation = world.own if which == "own" else world.other
    extra = {"criteria_version": _criteria_version(world, which)} if criteria else {}
    return plan(
        organisation,
        world.programme,
        world.areas["basrah"],
        code=f"MATRIX-{which.upper()}-{_next(world, 'assistance_plans')}",
        approve=approve,
        **extra,
    )


def _assistance_household(world: World, which: str) -> Any:
    from tests.registry.factories import register

    return register(world.own if which == "own" else world.other, world.areas["zubair"])


def _assistance_selection(world: World, which: str) -> tuple[Any, Any]:
    """A selection run on a new plan with criteria, and the household it considered."""
    import datetime

    from marsad.assistance import services as assistance

    chosen = _assistance_plan(world, which, criteria=True)
    family = _assistance_household(world, which)
    found = assistance.selection_run(
        actor=None, plan=chosen, statuses=["displaced"], as_of=datetime.date(2026, 3, 1)
    )
    return found, family


def assistance_criteria_set(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _criteria_version(world, which).criteria_set_id}


def assistance_criteria_version(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _criteria_version(world, which).pk}


def assistance_draft_plan(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _assistance_plan(world, which, approve=False).pk}


def assistance_approved_plan(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _assistance_plan(world, which).pk}


def assistance_plan_with_criteria(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _assistance_plan(world, which, criteria=True).pk}


def assistance_selection(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _assistance_selection(world, which)[0].pk}


def assistance_selection_entry(world: World, which: str, role: str) -> dict[str, Any]:
    found, family = _assistance_selection(world, which)
    return {"pk": found.pk, "household": family.pk}


def assistance_selection_task(world: World, which: str, role: str) -> dict[str, Any]:
    """A finished background selection started by the user (another partner's, for "other")."""
    from marsad.assistance.tasks_selection import selection_task

    found, _family = _assistance_selection(world, which)
    owner = world.users.get(role) if which == "own" else world.users["partner_reporter_other"]
    run = TaskRun.objects.create(
        kind=selection_task.name,
        label="selection",
        created_by=owner,
        status="succeeded",
        result={"plan": found.plan_id, "selection": found.pk},
    )
    return {"pk": found.plan_id, "run": run.pk}


def assistance_receipt(world: World, which: str, role: str) -> dict[str, Any]:
    from tests.assistance.factories import receipt

    chosen = _assistance_plan(world, which)
    return {"pk": receipt(chosen, _assistance_household(world, which)).pk}


def assistance_receipt_body(world: World, who: str) -> dict[str, Any]:
    """A new household of the own organisation receiving the grant of the own approved plan."""
    if "receipt_plan" not in world.objects:
        world.objects["receipt_plan"] = _assistance_plan(world, "own")
    return {
        "plan": world.objects["receipt_plan"].pk,
        "household": _assistance_household(world, "own").registration_number,
        "received_on": "2026-02-01",
    }


def assistance_plan_body(world: World, who: str) -> dict[str, Any]:
    return {
        "code": f"NEW-{who.upper().replace('_', '-')}"[:32],
        "title": f"Food parcels planned by {who}",
        "organisation": world.own.code,
        "programme": world.programme.code,
        "location": "IQG02",
        "start_date": "2026-01-10",
        "cycle": "2026-R1",
        "items": [{"assistance_type": "food_parcel", "quantity": "1"}],
    }


def assistance_version_body(world: World, who: str) -> dict[str, Any]:
    return {
        "criteria_set": _criteria_version(world, "own").criteria_set_id,
        "criteria": [{"rule": "female_head", "weight": 3}, {"rule": "no_income", "weight": 2}],
        "high_min": 5,
        "medium_min": 2,
    }


def _border_crossing(world: World, which: str) -> Any:
    from tests.border.factories import cross

    where = world.objects["border_point" if which == "own" else "border_point_other"]
    return cross(where, number=f"PM{_next(world, 'border_numbers'):05d}")


def border_crossing(world: World, which: str, role: str) -> dict[str, Any]:
    return {"pk": _border_crossing(world, which).pk}


def border_case_open(world: World, which: str, role: str) -> dict[str, Any]:
    return {"crossing": _border_crossing(world, which).pk}


def border_case_open_document(world: World, which: str, role: str) -> dict[str, Any]:
    return {"document": _border_crossing(world, which).document_id}


def border_hit(world: World, which: str, role: str) -> dict[str, Any]:
    """An open screening hit on a new crossing, against an entry of the own watchlist."""
    from marsad.border import services
    from tests.border.factories import entry, watchlist

    crossing = _border_crossing(world, which)
    if "border_entry" not in world.objects:
        world.objects["border_entry"] = entry(watchlist(world.own))
    match = services.ScreeningMatch(entry_id=world.objects["border_entry"].pk, score=90)
    raised = services.hits_raise(
        actor=None, document=crossing.document, crossing=crossing, matches=[match]
    )
    return {"pk": raised.created[0].pk}


def border_case(world: World, which: str, role: str) -> dict[str, Any]:
    from marsad.border import services

    crossing = _border_crossing(world, which)
    case = services.examination_open(
        actor=None, document=crossing.document, crossing=crossing, suspicion="forged"
    )
    return {"pk": case.pk}


def border_point_code(world: World, which: str, role: str) -> dict[str, Any]:
    return {"code": world.objects["border_point"].code}


CONFIDENTIAL_READERS = {"system_admin", "case_worker", "border_supervisor"}


def border_confidential_own(granted: int = 200, *, anonymous: int) -> dict[str, int]:
    """A confidential border record of the own organisation: only roles cleared for
    confidential records find it; other border roles do not learn it exists (404)."""
    table = only(BORDER_ROLES, 404, 403, anonymous=anonymous)
    table.update(dict.fromkeys(CONFIDENTIAL_READERS, granted))
    return table


def border_confidential_other(granted: int = 200, *, anonymous: int) -> dict[str, int]:
    """Another organisation's confidential border record: only the system administrator."""
    table = only(BORDER_ROLES, 404, 403, anonymous=anonymous)
    table["system_admin"] = granted
    return table


def border_watchlist(world: World, which: str, role: str) -> dict[str, Any]:
    """A confidential watchlist (one per organisation, made once) with one entry."""
    from tests.border.factories import entry, watchlist

    key = f"border_watchlist_{which}"
    if key not in world.objects:
        owner = world.own if which == "own" else world.other
        world.objects[key] = watchlist(owner, name=f"Matrix watchlist {which}")
        entry(world.objects[key], reference=f"M-{which}")
    return {"pk": world.objects[key].pk}


MATRIX: list[Route] = [
    # --- registry
    Route("registry:household-list", only(PII_ROLES, 200, 403, anonymous=302)),
    Route("registry:household-register", only(PII_ROLES, 200, 403, anonymous=302)),
    Route("registry:source-import", only(PII_ROLES, 200, 403, anonymous=302)),
    Route(
        "registry:possible-duplicates",
        only(PII_ROLES, 200, 403, anonymous=302),
        query="?members-0-given_name=Ali&members-0-father_name=Hasan",
    ),
    Route(
        "registry:household-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=household,
    ),
    Route(
        "registry:household-edit",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=household,
    ),
    Route(
        "registry:person-edit",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=person,
    ),
    Route(
        "registry:merge-undo",
        only(PII_ROLES, 302, 403, anonymous=302),
        pii_other(302, anonymous=302),
        method="post",
        kwargs=merge,
    ),
    Route(
        "registry:household-merge",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=household_to_merge,
    ),
    Route(
        # the matrix posts JSON: no form fields, so the form comes back with its errors
        "registry:household-merge",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        method="post",
        kwargs=household_to_merge,
    ),
    Route(
        "registry:household-merge-undo",
        only(PII_ROLES, 302, 403, anonymous=302),
        pii_other(302, anonymous=302),
        method="post",
        kwargs=household_merge,
    ),
    Route("linkage:queue", only(PII_ROLES, 200, 403, anonymous=302)),
    Route("linkage:runs", only(PII_ROLES, 200, 403, anonymous=302)),
    Route(
        "linkage:run-start",
        only(REFERENCE_CHANGERS, 302, 403, anonymous=302),
        method="post",
    ),
    Route(
        "linkage:model-activate",
        only(REFERENCE_CHANGERS, 302, 403, anonymous=302),
        method="post",
        kwargs=model_version,
    ),
    Route(
        "linkage:pair-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=pair,
    ),
    Route(
        "linkage:pair-decide",
        only(PII_ROLES, 302, 403, anonymous=302),
        pii_other(302, anonymous=302),
        method="post",
        kwargs=pair,
        data=lambda world, who: {"decision": "different"},
    ),
    Route("candidate-pair-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "candidate-pair-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=pair,
    ),
    Route(
        "candidate-pair-decide",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="post",
        kwargs=pair,
        data=lambda world, who: {"decision": "unsure"},
    ),
    Route("linkage-model-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route("linkage-model-detail", only(PII_ROLES, 200, 403, anonymous=401), kwargs=model_version),
    Route("linkage-run-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route("linkage-run-detail", only(PII_ROLES, 200, 403, anonymous=401), kwargs=linkage_run),
    Route("household-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "household-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=household,
    ),
    Route(
        "household-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="patch",
        kwargs=household,
        data=lambda world, who: {"notes": "Visited again."},
    ),
    Route(
        "household-merge",
        only(PII_ROLES, 201, 403, anonymous=401),
        pii_other(201, anonymous=401),
        method="post",
        kwargs=household_to_merge,
        data=lambda world, who: {
            "survivor": world.objects["merge_survivor"].pk,
            "reason": "Registered twice.",
        },
    ),
    Route(
        "household-import",
        only(PII_ROLES, 415, 403, anonymous=401),
        method="post",
        data=lambda world, who: {},
    ),
    Route("household-merge-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "household-merge-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=household_merge,
    ),
    Route(
        "household-merge-undo",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="post",
        kwargs=household_merge,
    ),
    Route("person-list", only(PII_ROLES, 200, 403, anonymous=401), query="?q=Ali"),
    Route(
        "person-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=person,
    ),
    Route(
        "person-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="patch",
        kwargs=person,
        data=lambda world, who: {"mother_name": "Zahra"},
    ),
    Route(
        "person-possible-duplicates",
        only(PII_ROLES, 200, 403, anonymous=401),
        method="post",
        data=lambda world, who: {"given_name": "Ali", "father_name": "Hasan"},
    ),
    Route("source-record-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "source-record-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=source_record,
    ),
    # --- assistance pages: every page shows beneficiaries or receipts (record roles, their own
    # organisation's only); criteria are managed by programme changers, plans approved and
    # closed by supervisors, beneficiary lists downloaded by exporters
    Route("assistance:plan-list", only(PII_ROLES, 200, 403, anonymous=302)),
    Route("assistance:plan-create", only(PII_ROLES, 200, 403, anonymous=302)),
    Route(
        "assistance:plan-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_plan_with_criteria,
    ),
    Route(
        "assistance:plan-edit",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_plan_with_criteria,
    ),
    Route(
        "assistance:plan-approve",
        only(SUPERVISORS, 302, 403, anonymous=302),
        pii_other(302, anonymous=302),
        method="post",
        kwargs=assistance_draft_plan,
    ),
    Route(
        "assistance:plan-close",
        only(SUPERVISORS, 302, 403, anonymous=302),
        pii_other(302, anonymous=302),
        method="post",
        kwargs=assistance_plan_with_criteria,
    ),
    Route(
        "assistance:selection-run",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_plan_with_criteria,
    ),
    Route(
        "assistance:selection-progress",
        only(PII_ROLES, 302, 403, anonymous=302),
        pii_other(302, anonymous=302),
        kwargs=assistance_selection_task,
    ),
    Route(
        "assistance:receipt-create",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_plan_with_criteria,
    ),
    Route(
        "assistance:receipt-import",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_approved_plan,
    ),
    Route(
        "assistance:selection-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_selection,
    ),
    Route(
        "assistance:selection-entry",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_selection_entry,
    ),
    Route(
        "assistance:selection-xlsx",
        only(EXPORTERS, 200, 403, anonymous=302),
        only(EXPORTERS, 404, 403, anonymous=302, system_admin=200),
        kwargs=assistance_selection,
    ),
    Route(
        "assistance:selection-pdf",
        only(EXPORTERS, 200, 403, anonymous=302),
        only(EXPORTERS, 404, 403, anonymous=302, system_admin=200),
        kwargs=assistance_selection,
    ),
    Route("assistance:criteria-set-list", only(PII_ROLES, 200, 403, anonymous=302)),
    Route("assistance:criteria-set-create", only(PROGRAMME_CHANGERS, 200, 403, anonymous=302)),
    Route(
        "assistance:criteria-set-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_criteria_set,
    ),
    Route(
        "assistance:criteria-set-edit",
        only(PROGRAMME_CHANGERS, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_criteria_set,
    ),
    Route(
        "assistance:criteria-version-create",
        only(PROGRAMME_CHANGERS, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_criteria_set,
    ),
    Route(
        "assistance:criteria-version-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_criteria_version,
    ),
    # --- assistance API: criteria (read by record roles; programme managers publish), plans
    # (drafted by anyone who may change records of the organisation; approved and closed by
    # supervisors), selections and receipts (personal data: record roles, their own
    # organisation's only)
    Route("assistance-criteria-set-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "assistance-criteria-set-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assistance_criteria_set,
    ),
    Route("assistance-criteria-version-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "assistance-criteria-version-list",
        only(PROGRAMME_CHANGERS, 201, 403, anonymous=401),
        method="post",
        data=assistance_version_body,
    ),
    Route(
        "assistance-criteria-version-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assistance_criteria_version,
    ),
    Route("assistance-plan-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "assistance-plan-list",
        only(PII_ROLES, 201, 403, anonymous=401),
        method="post",
        data=assistance_plan_body,
    ),
    Route(
        "assistance-plan-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assistance_draft_plan,
    ),
    Route(
        "assistance-plan-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="patch",
        kwargs=assistance_draft_plan,
        data=lambda world, who: {"notes": "Checked on site."},
    ),
    Route(
        "assistance-plan-approve",
        only(SUPERVISORS, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="post",
        kwargs=assistance_draft_plan,
    ),
    Route(
        "assistance-plan-close",
        only(SUPERVISORS, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="post",
        kwargs=assistance_approved_plan,
    ),
    Route(
        "assistance-plan-import-receipts",
        only(PII_ROLES, 415, 403, anonymous=401),
        pii_other(415, anonymous=401),
        method="post",
        kwargs=assistance_approved_plan,
        data=lambda world, who: {},
    ),
    Route(
        "assistance-plan-items",
        only(PII_ROLES, 201, 403, anonymous=401),
        pii_other(201, anonymous=401),
        method="post",
        kwargs=assistance_draft_plan,
        data=lambda world, who: {"assistance_type": "food_parcel", "quantity": "1"},
    ),
    Route(
        "assistance-plan-select",
        only(PII_ROLES, 201, 403, anonymous=401),
        pii_other(201, anonymous=401),
        method="post",
        kwargs=assistance_plan_with_criteria,
        data=lambda world, who: {"as_of": "2026-03-01"},
    ),
    Route("assistance-selection-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "assistance-selection-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assistance_selection,
    ),
    Route(
        "assistance-selection-entries",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assistance_selection,
    ),
    Route("assistance-receipt-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "assistance-receipt-list",
        only(PII_ROLES, 201, 403, anonymous=401),
        method="post",
        data=assistance_receipt_body,
    ),
    Route(
        "assistance-receipt-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assistance_receipt,
    ),
    # --- assistance reports: figures for everyone with aggregates (suppressed for aggregate
    # viewers), in the API and on the report page with its downloads
    Route("assistance-report-assisted-list", api(200, no_membership=403)),
    Route("assistance-report-5w-list", api(200, no_membership=403)),
    Route(
        "assistance-report-export-list",
        api(200, no_membership=403),
        query="?report=5w&file_format=hxl",
    ),
    Route("assistance:reports", ui(200, no_membership=403)),
    Route(
        "assistance:reports-download",
        ui(200, no_membership=403),
        query="?report=governorate&format=xlsx",
    ),
    # --- border pages: crossings, hits and cases for roles cleared for restricted data, at the
    # points of their own organisation; flow statistics for everyone with aggregates
    Route("border:index", ui(200, no_membership=403)),
    Route("border:counter", only(BORDER_RECORDERS, 200, 403, anonymous=302)),
    Route(
        "border:counter-read",
        only(BORDER_RECORDERS, 200, 403, anonymous=302),
        method="post",
        data=lambda world, who: {"mrz": "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"},
    ),
    Route(
        "border:counter-done",
        border_own(anonymous=302),
        border_other(anonymous=302),
        kwargs=border_crossing,
    ),
    Route("border:crossing-list", only(BORDER_ROLES, 200, 403, anonymous=302)),
    Route(
        "border:crossing-detail",
        border_own(anonymous=302),
        border_other(anonymous=302),
        kwargs=border_crossing,
    ),
    Route("border:hit-list", only(BORDER_ROLES, 200, 403, anonymous=302)),
    Route(
        "border:hit-detail",
        border_own(anonymous=302),
        border_other(anonymous=302),
        kwargs=border_hit,
    ),
    Route("border:case-list", only(BORDER_ROLES, 200, 403, anonymous=302)),
    Route(
        "border:case-open",
        border_own(anonymous=302),
        border_other(anonymous=302),
        kwargs=border_case_open,
    ),
    Route(
        "border:case-open-document",
        border_own(anonymous=302),
        border_other(anonymous=302),
        kwargs=border_case_open_document,
    ),
    Route(
        "border:case-detail",
        border_own(anonymous=302),
        border_other(anonymous=302),
        kwargs=border_case,
    ),
    Route(
        "border:case-close",
        border_own(anonymous=302),
        border_other(anonymous=302),
        kwargs=border_case,
    ),
    Route("border:flows", ui(200, no_membership=403)),
    Route("border:flows-export", ui(200, no_membership=403), query="?table=by_day&format=csv"),
    # --- border API (recording a crossing is covered by tests/border/test_api.py)
    Route("border-point-list", api()),
    Route("border-point-detail", api(200, no_membership=404), kwargs=border_point_code),
    Route("border-crossing-list", only(BORDER_ROLES, 200, 403, anonymous=401)),
    Route(
        "border-crossing-detail",
        border_own(anonymous=401),
        border_other(anonymous=401),
        kwargs=border_crossing,
    ),
    Route("border-hit-list", only(BORDER_ROLES, 200, 403, anonymous=401)),
    Route(
        "border-hit-detail",
        border_own(anonymous=401),
        border_other(anonymous=401),
        kwargs=border_hit,
    ),
    Route(
        "border-hit-decide",
        # The matrix's hit is on a confidential watchlist: only readers cleared for it decide.
        only(
            BORDER_ROLES,
            200,
            403,
            anonymous=401,
            border_officer=404,
            border_supervisor=404,
            programme_manager=403,
            im_officer=403,
        ),
        border_other(anonymous=401),
        method="post",
        kwargs=border_hit,
        data=lambda world, who: {"status": "cleared", "note": "Not the listed person."},
    ),
    Route(
        "border-flows-list",
        api(200, no_membership=403),
        query="?date_from=2026-03-01&date_to=2026-03-02",
    ),
    # --- shell
    Route("core:home", ui()),
    Route("core:task-list", ui()),
    Route("core:task-detail", ui(200), ui(404, system_admin=200), kwargs=task_run),
    Route("core:audit-list", only({"system_admin"}, 200, 403, anonymous=302)),
    Route("accounts:login", statuses(302, anonymous=200)),
    Route("accounts:logout", statuses(302, anonymous=302), method="post"),
    Route("accounts:profile", ui()),
    Route("accounts:token-rotate", ui(302), method="post"),
    Route("accounts:token-revoke", ui(302), method="post"),
    Route("api-schema", statuses(200, anonymous=401)),
    Route("api-docs", statuses(200, anonymous=401)),
    # --- geography (reference data: every member reads it; IM officers load it)
    Route("geo:area-list", ui()),
    Route(
        "geo:area-detail",
        ui(200, no_membership=404),
        kwargs=lambda world, which, role: {"pcode": "IQG08Q03"},
    ),
    Route("geo:area-load", only(REFERENCE_CHANGERS, 200, 403, anonymous=302)),
    Route("geo:area-export", ui()),
    Route("area-list", api()),
    Route(
        "area-detail",
        api(200, no_membership=404),
        kwargs=lambda world, which, role: {"pcode": "IQG02"},
    ),
    # --- organisations, programmes, funding (reference data) and focal points (personal data)
    Route("partners:organisation-list", ui()),
    Route(
        "partners:organisation-detail",
        ui(200, no_membership=404),
        ui(200, no_membership=404),
        kwargs=organisation,
    ),
    Route("partners:organisation-create", only(REFERENCE_CHANGERS, 200, 403, anonymous=302)),
    Route(
        "partners:organisation-edit",
        only(REFERENCE_CHANGERS, 200, 403, anonymous=302, no_membership=404),
        kwargs=organisation,
    ),
    Route(
        "partners:organisation-delete",
        only(REFERENCE_CHANGERS, 200, 403, anonymous=302, no_membership=404),
        kwargs=organisation,
    ),
    Route(
        "partners:contact-create",
        only(PII_ROLES, 200, 403, anonymous=302, no_membership=404),
        only({"system_admin"}, 200, 403, anonymous=302, no_membership=404),
        kwargs=organisation,
    ),
    Route(
        "partners:contact-detail",
        only(PII_ROLES, 200, 403, anonymous=302, no_membership=404),
        pii_other(anonymous=302, no_membership=404),
        kwargs=org_contact,
    ),
    Route(
        "partners:contact-edit",
        only(PII_ROLES, 200, 403, anonymous=302, no_membership=404),
        pii_other(anonymous=302, no_membership=404),
        kwargs=org_contact,
    ),
    Route(
        "partners:contact-delete",
        only(PII_ROLES, 302, 403, anonymous=302, no_membership=404),
        pii_other(302, anonymous=302, no_membership=404),
        method="post",
        kwargs=org_contact,
    ),
    Route("partners:programme-list", ui()),
    Route("partners:programme-detail", ui(200, no_membership=404), kwargs=programme),
    Route("partners:programme-create", only(PROGRAMME_CHANGERS, 200, 403, anonymous=302)),
    Route(
        "partners:programme-edit",
        only(PROGRAMME_CHANGERS, 200, 403, anonymous=302, no_membership=404),
        kwargs=programme,
    ),
    Route(
        "partners:funding-create",
        only(PROGRAMME_CHANGERS, 200, 403, anonymous=302, no_membership=404),
        kwargs=programme,
    ),
    Route(
        "partners:funding-edit",
        only(PROGRAMME_CHANGERS, 200, 403, anonymous=302, no_membership=404),
        kwargs=funding,
    ),
    Route(
        "partners:funding-delete",
        only(PROGRAMME_CHANGERS, 302, 403, anonymous=302, no_membership=404),
        method="post",
        kwargs=funding,
    ),
    Route("partners:funding-export", only(EXPORTERS, 200, 403, anonymous=302)),
    Route("accounts:language", ui(302), method="post", data=lambda world, who: {"language": "ar"}),
    Route("organisation-list", api()),
    Route(
        "organisation-list",
        only(REFERENCE_CHANGERS, 201, 403, anonymous=401),
        method="post",
        data=lambda world, who: {
            "code": f"NEW-{who.upper().replace('_', '-')[:20]}",
            "kind": "national_ngo",
            "name_en": f"New {who}",
        },
    ),
    Route(
        "organisation-detail",
        api(200, no_membership=404),
        api(200, no_membership=404),
        kwargs=organisation,
    ),
    Route(
        "organisation-detail",
        only(REFERENCE_CHANGERS, 200, 403, anonymous=401, no_membership=404),
        method="patch",
        kwargs=organisation,
        data=lambda world, who: {"website": "https://example.org"},
    ),
    Route("programme-list", api()),
    Route("programme-detail", api(200, no_membership=404), kwargs=programme),
    Route("funding-list", api()),
    Route("funding-detail", api(200, no_membership=404), kwargs=funding_pk),
    Route(
        "funding-detail",
        only(PROGRAMME_CHANGERS, 204, 403, anonymous=401, no_membership=404),
        method="delete",
        kwargs=funding_pk,
    ),
    Route("contact-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "contact-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=contact,
    ),
    Route(
        "contact-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="patch",
        kwargs=contact,
        data=lambda world, who: {"title": "Coordinator"},
    ),
    Route(
        "contact-detail",
        only(PII_ROLES, 204, 403, anonymous=401),
        pii_other(204, anonymous=401),
        method="delete",
        kwargs=contact,
    ),
    # --- accounts API
    Route("me-list", api()),
    Route("membership-list", api()),
    Route(
        "membership-detail",
        only(RECORD_VIEWERS, 200, 404, anonymous=401),
        only({"system_admin"}, 200, 404, anonymous=401),
        kwargs=membership,
    ),
    Route("user-list", only({"system_admin"}, 200, 403, anonymous=401)),
    Route("user-detail", only({"system_admin"}, 200, 403, anonymous=401), kwargs=user_pk),
    # --- displacement tracking: record pages and API for record roles; the dashboard and the
    # aggregate API for everyone with aggregates (published data only for aggregate viewers)
    Route("displacement:round-list", only(PII_ROLES, 200, 403, anonymous=302)),
    Route("displacement:round-create", only(REFERENCE_CHANGERS, 200, 403, anonymous=302)),
    Route("displacement:round-detail", only(PII_ROLES, 200, 403, anonymous=302), kwargs=open_round),
    Route(
        "displacement:round-status",
        only(REFERENCE_CHANGERS, 302, 403, anonymous=302),
        method="post",
        kwargs=open_round,
    ),
    Route(
        "displacement:masterlist-import",
        only(REFERENCE_CHANGERS, 200, 403, anonymous=302),
        kwargs=open_round,
    ),
    Route(
        "displacement:submissions-import",
        only(REFERENCE_CHANGERS, 200, 403, anonymous=302),
        kwargs=open_round,
    ),
    Route("displacement:xlsform", ui(200)),
    Route(
        "displacement:assessment-create",
        only(PII_ROLES, 200, 403, anonymous=302),
        kwargs=open_round,
    ),
    Route(
        "displacement:assessment-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assessment,
    ),
    Route(
        "displacement:assessment-edit",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assessment,
    ),
    Route(
        "displacement:assessment-transition",
        only(PII_ROLES, 302, 403, anonymous=302),
        pii_other(302, anonymous=302),
        method="post",
        kwargs=assessment_submit,
    ),
    Route("displacement:dashboard", ui(200, no_membership=403)),
    Route("displacement:dashboard-data", ui(200, no_membership=403)),
    Route(
        "displacement:dashboard-export",
        ui(200, no_membership=403),
        query="?chart=governorate&format=csv&round=1",
    ),
    Route("assessment-round-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route("assessment-round-detail", only(PII_ROLES, 200, 403, anonymous=401), kwargs=open_round),
    Route(
        "assessment-round-set-status",
        only(REFERENCE_CHANGERS, 400, 403, anonymous=401),
        method="post",
        kwargs=open_round,
        data=lambda world, who: {"status": "published"},
    ),
    # Uploads through the API: JSON is refused (415) once the role may import at all.
    Route(
        "assessment-round-import-masterlist",
        only(REFERENCE_CHANGERS, 415, 403, anonymous=401),
        method="post",
        kwargs=open_round,
        data=lambda world, who: {},
    ),
    Route(
        "assessment-round-import-submissions",
        only(REFERENCE_CHANGERS, 415, 403, anonymous=401),
        method="post",
        kwargs=open_round,
        data=lambda world, who: {},
    ),
    Route("location-assessment-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "location-assessment-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assessment,
    ),
    Route(
        "location-assessment-submit",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="post",
        kwargs=assessment,
    ),
    Route(
        "location-assessment-validate",
        only(REFERENCE_CHANGERS, 400, 403, anonymous=401),
        pii_other(400, anonymous=401),
        method="post",
        kwargs=assessment,
    ),
    Route(
        "location-assessment-publish",
        only(REFERENCE_CHANGERS, 400, 403, anonymous=401),
        pii_other(400, anonymous=401),
        method="post",
        kwargs=assessment,
    ),
    Route(
        "location-assessment-return-to-draft",
        only(REFERENCE_CHANGERS, 400, 403, anonymous=401),
        pii_other(400, anonymous=401),
        method="post",
        kwargs=assessment,
        data=lambda world, who: {"reason": "numbers do not add up"},
    ),
    Route("population-group-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "population-group-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assessment_row("population_groups"),
    ),
    Route("sector-need-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "sector-need-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assessment_row("needs"),
    ),
    Route("intention-list", only(PII_ROLES, 200, 403, anonymous=401)),
    Route(
        "intention-detail",
        only(PII_ROLES, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        kwargs=assessment_row("intentions"),
    ),
    *[
        Route(name, api(200, no_membership=403), query="?round=1")
        for name in [
            "aggregate-round-list",
            "aggregate-totals-list",
            "aggregate-area-list",
            "aggregate-trend-list",
            "aggregate-flow-list",
            "aggregate-shelter-list",
            "aggregate-need-list",
            "aggregate-intention-list",
            "aggregate-export-list",
        ]
    ],
    # --- core API
    Route("audit-list", only({"system_admin"}, 200, 403, anonymous=401)),
    Route(
        "audit-detail",
        only({"system_admin"}, 200, 403, anonymous=401),
        kwargs=lambda world, which, role: {"pk": world.objects["audit"].pk},
    ),
    Route("task-list", api()),
    Route("task-detail", api(200), api(404, system_admin=200), kwargs=task_run),
    # --- border watchlists: confidential by default, so only cleared readers find one; the
    # import endpoint is multipart only, and the matrix posts JSON: 415 once access is granted.
    Route("border:watchlist-list", only(BORDER_ROLES, 200, 403, anonymous=302)),
    Route(
        "border:watchlist-detail",
        border_confidential_own(anonymous=302),
        border_confidential_other(anonymous=302),
        kwargs=border_watchlist,
    ),
    Route(
        "border:watchlist-import",
        border_confidential_own(anonymous=302),
        border_confidential_other(anonymous=302),
        kwargs=border_watchlist,
    ),
    # border API (the multipart import itself: tests/border/test_watchlist_import.py)
    Route("border-watchlist-list", only(BORDER_ROLES, 200, 403, anonymous=401)),
    Route(
        "border-watchlist-detail",
        border_confidential_own(anonymous=401),
        border_confidential_other(anonymous=401),
        kwargs=border_watchlist,
    ),
    Route(
        "border-watchlist-import",
        border_confidential_own(415, anonymous=401),
        border_confidential_other(415, anonymous=401),
        method="post",
        kwargs=border_watchlist,
        data=lambda world, who: {},
    ),
    # --- a receipt's page and voiding a receipt recorded in error (supervisors)
    Route(
        "assistance:receipt-detail",
        only(PII_ROLES, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        kwargs=assistance_receipt,
    ),
    Route(
        "assistance:receipt-void",
        only(SUPERVISORS, 200, 403, anonymous=302),
        pii_other(anonymous=302),
        method="post",
        kwargs=assistance_receipt,
        data=lambda world, who: {"reason": "Recorded for the wrong household."},
    ),
    Route(
        "assistance-receipt-void",
        only(SUPERVISORS, 200, 403, anonymous=401),
        pii_other(anonymous=401),
        method="post",
        kwargs=assistance_receipt,
        data=lambda world, who: {"reason": "Recorded for the wrong household."},
    ),
]


@pytest.fixture
def world(db) -> World:
    areas = factories.area_tree()
    mission = factories.OrganisationFactory(code="IOM-IDP", kind="mission_unit")
    own = factories.OrganisationFactory(code="NGO-A")
    other = factories.OrganisationFactory(code="NGO-B")
    programme = factories.ProgrammeFactory(code="IDP", lead_unit=mission)
    users = {role: member(role, own, username=role) for role in ROLES}
    users["no_membership"] = factories.UserFactory(username="no_membership")
    users["partner_reporter_other"] = member("partner_reporter", other, username="reporter_b")
    from marsad.core import audit
    from marsad.core.models import AuditAction

    objects = {
        "audit": audit.record(actor=None, action=AuditAction.EXPORT, object_repr="x"),
        "donor": factories.OrganisationFactory(code="DONOR", kind="donor"),
        **_displacement_world(own, areas),
        **_border_world(own, other, areas),
    }
    return World(own, other, mission, programme, areas, users, objects)


def _displacement_world(own: Any, areas: dict[str, Any]) -> dict[str, Any]:
    """A published round with one published assessment (so aggregates answer) and an open one."""
    import datetime

    from marsad.displacement.models import AssessmentRound, LocationAssessment, PopulationGroup

    published = AssessmentRound.objects.create(
        number=1,
        period_start=datetime.date(2008, 1, 1),
        period_end=datetime.date(2008, 2, 28),
        status="published",
    )
    location = factories.AdminAreaFactory(pcode="IQG02Q04L900", level=4, parent=areas["zubair"])
    assessment = LocationAssessment.objects.create(
        round=published,
        area=location,
        organisation=own,
        assessed_on=published.period_end,
        status="published",
    )
    PopulationGroup.objects.create(
        assessment=assessment, population_type="idp", families=40, individuals=240
    )
    open_round = AssessmentRound.objects.create(
        number=2, period_start=datetime.date(2008, 4, 1), period_end=datetime.date(2008, 5, 31)
    )
    return {"published_round": published, "open_round": open_round}


def _border_world(own: Any, other: Any, areas: dict[str, Any]) -> dict[str, Any]:
    """An active crossing point of each organisation; no border officer is posted at either."""
    from tests.border.factories import point

    return {
        "border_point": point("MATRIX-OWN", areas["basrah"], authority=own),
        "border_point_other": point("MATRIX-OTHER", areas["basrah"], authority=other),
    }


def _request(client: Any, route: Route, world: World, principal: str, which: str) -> int:
    client.logout()
    if principal != "anonymous":
        client.force_login(world.users[principal])
    kwargs = route.kwargs(world, which, principal) if route.kwargs else {}
    url = reverse(route.name, kwargs=kwargs) + route.query
    data = route.data(world, principal) if route.data else None
    if route.method == "get":
        response = client.get(url)
    else:
        response = getattr(client, route.method)(url, data=data, content_type="application/json")
    return response.status_code


@pytest.mark.parametrize("route", MATRIX, ids=lambda route: f"{route.method} {route.name}")
def test_route_answers_each_role(client, world, route):
    failures = []
    for which, table in (("own", route.expect), ("other", route.expect_other)):
        if table is None:
            continue
        for principal in PRINCIPALS:
            got = _request(client, route, world, principal, which)
            if got != table[principal]:
                failures.append(f"{principal} ({which}): expected {table[principal]}, got {got}")
    assert not failures, "\n".join(failures)


def _route_names(patterns: list, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_route_is_declared():
    declared = {route.name for route in MATRIX} | set(EXEMPT)
    served = {
        name
        for name in _route_names(get_resolver().url_patterns)
        if name.split(":")[0] not in EXEMPT_NAMESPACES
    }
    undeclared = sorted(served - declared)
    assert not undeclared, f"Declare these routes in the permission matrix: {undeclared}"
    stale = sorted(declared - served)
    assert not stale, f"The matrix declares routes that no longer exist: {stale}"


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_admin_is_for_system_administrators(client, world, principal):
    if principal != "anonymous":
        client.force_login(world.users[principal])
    index = client.get(reverse("admin:index"))
    changelist = client.get(reverse("admin:partners_contact_changelist"))
    if principal == "system_admin":
        assert (index.status_code, changelist.status_code) == (200, 200)
    else:
        assert index.status_code == 302  # to the admin login, which refuses them
        assert changelist.status_code == 302
