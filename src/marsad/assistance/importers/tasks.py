"""Background work for distribution-list imports: the upload is saved under
``MEDIA_ROOT/uploads``, imported with progress on the task page, and removed once the task has
run."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.assistance.importers.apply import check_may_import, receipt_list_import
from marsad.assistance.models import AssistancePlan
from marsad.core.background import run_import, task_start
from marsad.core.models import TaskRun
from marsad.geo.tasks import save_upload, uploads_dir


def receipt_list_import_start(
    *, actor: Any, plan: AssistancePlan, upload: UploadedFile, dry_run: bool
) -> TaskRun:
    """Save the upload and queue its import into ``plan``; the task page follows it. A user
    who may not record receipts for the plan, or a plan that takes none, is refused before
    anything is stored."""
    check_may_import(actor, plan)
    stored_name = save_upload(upload)
    label = (
        _("Check distribution list %(name)s for plan %(plan)s (dry run)")
        if dry_run
        else _("Import distribution list %(name)s into plan %(plan)s")
    ) % {"name": upload.name, "plan": plan.code}
    return task_start(
        actor=actor,
        task=receipt_list_import_task,
        label=label,
        stored_name=stored_name,
        filename=upload.name or stored_name,
        plan_id=plan.pk,
        dry_run=dry_run,
        actor_id=getattr(actor, "pk", None),
    )


@task()
def receipt_list_import_task(
    run_id: str,
    *,
    stored_name: str,
    filename: str,
    plan_id: int,
    dry_run: bool,
    actor_id: int | None,
) -> dict[str, Any]:
    """Import ``MEDIA_ROOT/uploads/<stored_name>`` into the plan; the file is removed
    afterwards, whatever happens. Row errors mark the run failed with every error listed."""
    path = uploads_dir() / Path(stored_name).name

    def do_import(*, actor: Any, progress: Any) -> Any:
        return receipt_list_import(
            actor=actor,
            plan=AssistancePlan.objects.get(pk=plan_id),
            content=path.read_bytes(),
            filename=filename,
            dry_run=dry_run,
            progress=progress,
        )

    return run_import(run_id, paths=[path], actor_id=actor_id, do_import=do_import)
