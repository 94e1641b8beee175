"""Background work for displacement tracking: importing an uploaded master list with progress."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.core.background import fail, finish, task_start, tracked
from marsad.core.models import TaskRun
from marsad.displacement import services
from marsad.displacement.models import AssessmentRound
from marsad.geo.tasks import save_upload, uploads_dir
from marsad.partners.models import Organisation


def masterlist_import_start(
    *,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    upload: UploadedFile,
    dry_run: bool,
) -> TaskRun:
    """Save the upload and queue its import; the task page follows it."""
    if not services.is_reference_holder(actor):
        raise PermissionDenied(
            _("Only IM officers and system administrators may import master lists.")
        )
    stored_name = save_upload(upload)
    label = (
        _("Check master list %(name)s for round %(number)d (dry run)")
        if dry_run
        else _("Import master list %(name)s into round %(number)d")
    ) % {"name": upload.name, "number": round_.number}
    return task_start(
        actor=actor,
        task=masterlist_import_task,
        label=label,
        stored_name=stored_name,
        filename=upload.name or stored_name,
        round_id=round_.pk,
        organisation_id=organisation.pk,
        dry_run=dry_run,
        actor_id=getattr(actor, "pk", None),
    )


@task()
def masterlist_import_task(
    run_id: str,
    *,
    stored_name: str,
    filename: str,
    round_id: int,
    organisation_id: int,
    dry_run: bool,
    actor_id: int | None,
) -> dict[str, Any]:
    """Import ``MEDIA_ROOT/uploads/<stored_name>``; the file is removed afterwards."""
    path = uploads_dir() / Path(stored_name).name
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with tracked(run_id) as progress:
            try:
                report = services.masterlist_import(
                    actor=actor,
                    round=AssessmentRound.objects.get(pk=round_id),
                    organisation=Organisation.objects.get(pk=organisation_id),
                    content=path.read_bytes(),
                    filename=filename,
                    dry_run=dry_run,
                    progress=progress,
                )
            except (ValidationError, PermissionDenied) as error:
                message = " ".join(getattr(error, "messages", None) or [str(error)])
                finish(run_id, {"errors": [message], "error_count": 1}, _("Nothing was imported"))
                fail(run_id, message)
                return {"errors": [message]}
            result = report.as_dict()
            finish(run_id, result, report.summary if report.ok else _("Nothing was imported"))
            if not report.ok:
                lines = report.error_lines(200)
                fail(run_id, "\n".join([report.error_header, *lines]))
            return result
    finally:
        path.unlink(missing_ok=True)
