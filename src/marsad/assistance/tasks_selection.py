"""A beneficiary selection run in the background, for selections over many households: the
page that started it follows the task and opens the beneficiary list when it is done. The run
itself is ``services.selection_run``, exactly as when it runs while the page waits."""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.assistance import services
from marsad.assistance.models import AssistancePlan
from marsad.core.background import fail, finish, task_start, tracked
from marsad.core.errors import error_text
from marsad.core.models import TaskRun
from marsad.geo.models import AdminArea


def selection_start(*, actor: Any, plan: AssistancePlan, arguments: dict[str, Any]) -> TaskRun:
    """Queue ``selection_run`` for ``plan`` with the selection form's ``arguments``."""
    budget = arguments.get("budget")
    return task_start(
        actor=actor,
        task=selection_task,
        label=_("Beneficiary selection for %(plan)s") % {"plan": plan.code},
        plan_id=plan.pk,
        area_ids=[area.pk for area in arguments.get("areas") or ()],
        statuses=list(arguments["statuses"]),
        quota=arguments.get("quota"),
        budget=str(budget) if budget is not None else None,
        minimum_category=arguments.get("minimum_category"),
        as_of=arguments["as_of"].isoformat(),
        actor_id=getattr(actor, "pk", None),
    )


@task()
def selection_task(
    run_id: str,
    *,
    plan_id: int,
    area_ids: list[int],
    statuses: list[str],
    quota: int | None,
    budget: str | None,
    minimum_category: str | None,
    as_of: str,
    actor_id: int | None,
) -> dict[str, Any]:
    """Run the selection; a refusal marks the run failed with the service's words."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    with tracked(run_id) as progress:
        progress(0, None, _("Scoring and ranking the households…"), force=True)
        plan = AssistancePlan.objects.get(pk=plan_id)
        areas = list(AdminArea.objects.filter(pk__in=area_ids).order_by("pk"))
        try:
            selection = services.selection_run(
                actor=actor,
                plan=plan,
                areas=areas,
                statuses=statuses,
                quota=quota,
                budget=Decimal(budget) if budget is not None else None,
                minimum_category=minimum_category,
                as_of=datetime.date.fromisoformat(as_of),
            )
        except (ValidationError, PermissionDenied) as error:
            message = error_text(error)
            finish(run_id, {"plan": plan_id, "errors": [message]}, _("Nothing was selected"))
            fail(run_id, message)
            return {"errors": [message]}
        result = {
            "plan": plan_id,
            "selection": selection.pk,
            "considered": selection.considered_count,
            "included": selection.included_count,
        }
        finish(
            run_id,
            result,
            _("%(included)d of %(considered)d households are on the beneficiary list.")
            % {"included": selection.included_count, "considered": selection.considered_count},
        )
        return result
