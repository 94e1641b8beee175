"""Background work for displacement tracking: importing an uploaded master list, or uploaded
Kobo / ODK Central submissions, with progress on the task page."""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.core.background import run_import, task_start
from marsad.core.models import TaskRun
from marsad.displacement import services
from marsad.displacement.importers.report import ImportReport
from marsad.displacement.models import AssessmentRound
from marsad.geo.tasks import save_upload, uploads_dir
from marsad.partners.models import Organisation, Programme


def require_importer(actor: Any, message: str) -> None:
    if not services.is_reference_holder(actor):
        raise PermissionDenied(message)


def masterlist_import_start(
    *,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    upload: UploadedFile,
    dry_run: bool,
    programme: Programme | None = None,
) -> TaskRun:
    """Save the upload and queue its import; the task page follows it."""
    require_importer(
        actor, _("Only IM officers and system administrators may import master lists.")
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
        programme_id=programme.pk if programme else None,
        dry_run=dry_run,
        actor_id=getattr(actor, "pk", None),
    )


def submissions_import_start(
    *,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    uploads: list[UploadedFile],
    dry_run: bool,
    programme: Programme | None = None,
) -> TaskRun:
    """Save the uploaded export files (Kobo JSON, XLSX or CSV; ODK Central CSV or ZIP) and
    queue their import; the task page follows it."""
    require_importer(
        actor, _("Only IM officers and system administrators may import Kobo submissions.")
    )
    names = ", ".join(upload.name or "" for upload in uploads)
    label = (
        _("Check submissions %(name)s for round %(number)d (dry run)")
        if dry_run
        else _("Import submissions %(name)s into round %(number)d")
    ) % {"name": names, "number": round_.number}
    return task_start(
        actor=actor,
        task=submissions_import_task,
        label=label,
        stored=[(save_upload(upload), upload.name or "") for upload in uploads],
        round_id=round_.pk,
        organisation_id=organisation.pk,
        programme_id=programme.pk if programme else None,
        dry_run=dry_run,
        actor_id=getattr(actor, "pk", None),
    )


def _programme(programme_id: int | None) -> Programme | None:
    return Programme.objects.filter(pk=programme_id).first() if programme_id else None


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
    programme_id: int | None = None,
) -> dict[str, Any]:
    """Import ``MEDIA_ROOT/uploads/<stored_name>``; the file is removed afterwards."""
    path = uploads_dir() / Path(stored_name).name

    def do_import(*, actor: Any, progress: Any) -> ImportReport:
        return services.masterlist_import(
            actor=actor,
            round=AssessmentRound.objects.get(pk=round_id),
            organisation=Organisation.objects.get(pk=organisation_id),
            content=path.read_bytes(),
            filename=filename,
            dry_run=dry_run,
            progress=progress,
            programme=_programme(programme_id),
        )

    return run_import(run_id, paths=[path], actor_id=actor_id, do_import=do_import)


@task()
def submissions_import_task(
    run_id: str,
    *,
    stored: list[tuple[str, str]],
    round_id: int,
    organisation_id: int,
    dry_run: bool,
    actor_id: int | None,
    programme_id: int | None = None,
) -> dict[str, Any]:
    """Import the stored export files ``(stored name, original name)``; they are removed
    afterwards."""
    from marsad.displacement.kobo.load import files_import

    paths = [uploads_dir() / Path(stored_name).name for stored_name, _name in stored]

    def do_import(*, actor: Any, progress: Any) -> ImportReport:
        return files_import(
            actor=actor,
            round=AssessmentRound.objects.get(pk=round_id),
            organisation=Organisation.objects.get(pk=organisation_id),
            files=[
                (name, path.read_bytes()) for path, (_s, name) in zip(paths, stored, strict=True)
            ],
            dry_run=dry_run,
            progress=progress,
            programme=_programme(programme_id),
        )

    return run_import(run_id, paths=paths, actor_id=actor_id, do_import=do_import)
