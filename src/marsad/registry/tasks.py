"""Background work for the registry: importing an uploaded source list with progress on the task
page. The upload is saved under ``MEDIA_ROOT/uploads`` and removed once the task has run."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.core.background import run_import, task_start
from marsad.core.models import TaskRun
from marsad.geo.tasks import save_upload, uploads_dir
from marsad.partners.models import Organisation, Programme
from marsad.registry.importers import source_list_import
from marsad.registry.importers.apply import check_may_import


def source_list_import_start(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    source_name: str,
    upload: UploadedFile,
    dry_run: bool,
    programme: Programme | None = None,
) -> TaskRun:
    """Save the upload and queue its import; the task page follows it. A user who may register
    households for ``organisation`` nowhere is refused before anything is stored."""
    check_may_import(actor, organisation, programme)
    stored_name = save_upload(upload)
    label = (
        _("Check source list %(name)s of %(organisation)s (dry run)")
        if dry_run
        else _("Import source list %(name)s of %(organisation)s")
    ) % {"name": upload.name, "organisation": organisation.code}
    return task_start(
        actor=actor,
        task=source_list_import_task,
        label=label,
        stored_name=stored_name,
        filename=upload.name or stored_name,
        organisation_id=organisation.pk,
        kind=kind,
        source_name=source_name,
        programme_id=programme.pk if programme else None,
        dry_run=dry_run,
        actor_id=getattr(actor, "pk", None),
    )


@task()
def source_list_import_task(
    run_id: str,
    *,
    stored_name: str,
    filename: str,
    organisation_id: int,
    kind: str,
    source_name: str,
    dry_run: bool,
    actor_id: int | None,
    programme_id: int | None = None,
) -> dict[str, Any]:
    """Import ``MEDIA_ROOT/uploads/<stored_name>``; the file is removed afterwards, whatever
    happens. Row errors mark the run failed with every error listed."""
    path = uploads_dir() / Path(stored_name).name

    def do_import(*, actor: Any, progress: Any) -> Any:
        return source_list_import(
            actor=actor,
            organisation=Organisation.objects.get(pk=organisation_id),
            kind=kind,
            source_name=source_name,
            content=path.read_bytes(),
            filename=filename,
            dry_run=dry_run,
            progress=progress,
            programme=Programme.objects.filter(pk=programme_id).first() if programme_id else None,
        )

    return run_import(run_id, paths=[path], actor_id=actor_id, do_import=do_import)
