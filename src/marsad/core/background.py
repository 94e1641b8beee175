"""Background work that users can follow: every task runs under a ``TaskRun`` row that records
its progress, outcome and error, shown on the task page and through the API.

Start work with ``task_start``; inside the task function wrap the work in ``tracked(run_id)``.
"""

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.models import AuditAction, TaskRun, TaskStatus

logger = logging.getLogger(__name__)


@transaction.atomic
def task_start(*, actor: Any, task: Any, label: str, **kwargs: Any) -> TaskRun:
    """Record a task run and enqueue ``task`` once the surrounding transaction commits.

    ``task`` is a django-tasks task whose first keyword argument is ``run_id``.
    """
    run = TaskRun.objects.create(
        kind=task.name,
        label=label[:255],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        language=translation.get_language() or "",
    )
    audit.record(actor=actor, action=AuditAction.TASK, instance=run, context={"kind": task.name})
    run_id = str(run.pk)

    def enqueue() -> None:
        result = task.enqueue(run_id=run_id, **kwargs)
        TaskRun.objects.filter(pk=run_id).update(backend_task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return run


class Progress:
    """Reports progress of one run, writing at most every ``interval`` seconds."""

    def __init__(self, run_id: str, interval: float = 0.5) -> None:
        self.run_id = run_id
        self.interval = interval
        self._last_write = 0.0

    def __call__(
        self, done: int, total: int | None = None, message: str = "", force: bool = False
    ) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.interval:
            return
        self._last_write = now
        fields: dict[str, Any] = {"progress_done": done}
        if total is not None:
            fields["progress_total"] = max(total, done)
        if message:
            fields["message"] = message[:500]
        TaskRun.objects.filter(pk=self.run_id).update(**fields)


@contextlib.contextmanager
def tracked(run_id: str) -> Iterator[Callable[..., None]]:
    """Mark the run running, yield a progress callback, then mark it finished or failed.

    The task stores its result by calling ``finish(run_id, result)`` before leaving the block;
    an exception marks the run failed with its message and is re-raised for the worker's log.
    Inside the block the language is the one the run was started in, so that its messages,
    row errors and report read as the page that started it does (the worker's own language is
    the site's default).
    """
    language = TaskRun.objects.filter(pk=run_id).values_list("language", flat=True).first()
    with translation.override(language or None), _marked(run_id) as progress:
        yield progress


@contextlib.contextmanager
def _marked(run_id: str) -> Iterator[Callable[..., None]]:
    TaskRun.objects.filter(pk=run_id).update(
        status=TaskStatus.RUNNING, started_at=timezone.now(), message=_("Started")
    )
    try:
        yield Progress(run_id)
    except Exception as exc:
        logger.exception("Task run %s failed", run_id)
        TaskRun.objects.filter(pk=run_id).update(
            status=TaskStatus.FAILED,
            finished_at=timezone.now(),
            error=str(exc)[:5000] or exc.__class__.__name__,
            message=_("Failed"),
        )
        raise
    else:
        run = TaskRun.objects.get(pk=run_id)
        if run.status != TaskStatus.FAILED:
            TaskRun.objects.filter(pk=run_id).update(
                status=TaskStatus.SUCCEEDED,
                finished_at=timezone.now(),
                progress_done=run.progress_total or run.progress_done,
                message=run.message if run.message != _("Started") else _("Finished"),
            )


def finish(run_id: str, result: dict[str, Any], message: str = "") -> None:
    """Store a run's result (and a closing message) while it is still running."""
    fields: dict[str, Any] = {"result": result}
    if message:
        fields["message"] = message[:500]
    TaskRun.objects.filter(pk=run_id).update(**fields)


def fail(run_id: str, error: str) -> None:
    """Mark a run failed without raising (e.g. the input was rejected with row errors)."""
    TaskRun.objects.filter(pk=run_id).update(
        status=TaskStatus.FAILED,
        finished_at=timezone.now(),
        error=error[:5000],
        message=_("Failed"),
    )


def run_import(
    run_id: str,
    *,
    paths: list[Any],
    actor_id: int | None,
    do_import: Callable[..., Any],
) -> dict[str, Any]:
    """Run an import task: ``do_import(actor=..., progress=...)`` returns a report (``ok``,
    ``summary``, ``as_dict()``, ``error_header``, ``error_lines(n)``). A refusal or a report with
    errors marks the run failed with every error listed; the uploaded files in ``paths`` are
    removed afterwards, whatever happens."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied, ValidationError

    from marsad.core.errors import error_text

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with tracked(run_id) as progress:
            try:
                report = do_import(actor=actor, progress=progress)
            except (ValidationError, PermissionDenied) as error:
                message = error_text(error)
                finish(run_id, {"errors": [message], "error_count": 1}, _("Nothing was imported"))
                fail(run_id, message)
                return {"errors": [message]}
            result = report.as_dict()
            finish(run_id, result, report.summary if report.ok else _("Nothing was imported"))
            if not report.ok:
                fail(run_id, "\n".join([report.error_header, *report.error_lines(200)]))
            return result
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
