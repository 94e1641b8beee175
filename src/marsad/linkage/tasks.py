"""Background linkage runs, followed on the task page: a full run (trains a new model) and an
incremental run (new registrations against the registry).

An incremental task started without person ids takes every person waiting in
``PendingMatch``: registrations add their persons there and queue a task only when none is
already waiting (``receivers``), so one task matches a whole imported list.
"""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.core.background import fail, finish, task_start, tracked
from marsad.core.models import TaskRun, TaskStatus
from marsad.linkage import runs
from marsad.linkage.models import LinkageRun, PendingMatch, RunStatus


def _actor(actor_id: int | None) -> Any:
    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


def _result(run: LinkageRun | None) -> dict[str, Any]:
    if run is None:
        return {"run": None}
    return {
        "run": run.pk,
        "status": run.status,
        "model": run.model.version if run.model_id else None,
        "records": run.records,
        "pairs_scored": run.pairs_scored,
        "auto_linked": run.auto_linked,
        "to_review": run.to_review,
        "seconds": run.seconds,
    }


def _close(run_id: str, run: LinkageRun | None, empty_message: str) -> dict[str, Any]:
    result = _result(run)
    if run is None:
        finish(run_id, result, empty_message)
    else:
        finish(run_id, result, runs.summary(run).split("\n", 1)[0])
        if run.status == RunStatus.FAILED:
            fail(run_id, run.message)
    return result


def full_run_start(*, actor: Any) -> TaskRun:
    """Queue a full run; refused for a user who may not choose the model in use."""
    runs.check_may_train(actor)
    return task_start(
        actor=actor,
        task=full_task,
        label=_("Record linkage over the whole registry (trains a new model)"),
        actor_id=getattr(actor, "pk", None),
    )


def incremental_start(*, actor: Any, person_ids: list[int] | None = None) -> TaskRun:
    """Queue an incremental run for ``person_ids``, or for every person waiting when None."""
    return task_start(
        actor=actor,
        task=incremental_task,
        label=_("Record linkage of new registrations against the registry"),
        actor_id=getattr(actor, "pk", None),
        person_ids=person_ids,
    )


#: A queued task older than this is taken to be lost (its worker gone): another is queued.
QUEUED_FOR_AT_MOST = datetime.timedelta(hours=1)


def incremental_waiting() -> bool:
    """Whether an incremental task is queued and not yet started (it will take every person
    waiting when it starts)."""
    return TaskRun.objects.filter(
        kind=incremental_task.name,
        status=TaskStatus.QUEUED,
        created_at__gte=timezone.now() - QUEUED_FOR_AT_MOST,
    ).exists()


@task()
def full_task(run_id: str, *, actor_id: int | None) -> dict[str, Any]:
    with tracked(run_id) as progress:
        run = runs.run_full(actor=_actor(actor_id), progress=progress, task_id=run_id)
        return _close(run_id, run, "")


@task()
def incremental_task(
    run_id: str, *, actor_id: int | None, person_ids: list[int] | None = None
) -> dict[str, Any]:
    with tracked(run_id) as progress:
        if person_ids is None:
            person_ids = list(PendingMatch.objects.values_list("person_id", flat=True))
        if not person_ids:
            finish(run_id, {"run": None}, _("Nobody is waiting to be matched"))
            return {"run": None}
        run = runs.run_incremental(
            actor=_actor(actor_id), person_ids=person_ids, progress=progress, task_id=run_id
        )
        return _close(run_id, run, _("No linkage model is in use: nothing was matched"))
