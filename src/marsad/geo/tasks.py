"""Background work for administrative areas: loading an uploaded file with progress."""

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.core.background import fail, finish, task_start, tracked
from marsad.core.models import TaskRun
from marsad.geo import services


def uploads_dir() -> Path:
    """Where uploaded files wait for their task (created on first use)."""
    directory = Path(settings.MEDIA_ROOT) / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def save_upload(upload: UploadedFile) -> str:
    """Store an uploaded file under ``MEDIA_ROOT/uploads``; returns the stored file's name."""
    name = f"{uuid.uuid4().hex}-{get_valid_filename(Path(upload.name or 'areas').name)}"[:200]
    with (uploads_dir() / name).open("wb") as destination:
        for chunk in upload.chunks():
            destination.write(chunk)
    return name


def areas_load_start(*, actor: Any, upload: UploadedFile, dry_run: bool) -> TaskRun:
    """Save the upload and queue its load; the task page follows it."""
    services.check_may_change(actor)
    stored_name = save_upload(upload)
    label = (
        _("Check areas file %(name)s (dry run)") if dry_run else _("Load areas file %(name)s")
    ) % {"name": upload.name}
    return task_start(
        actor=actor,
        task=areas_load_task,
        label=label,
        stored_name=stored_name,
        filename=upload.name or stored_name,
        dry_run=dry_run,
        actor_id=getattr(actor, "pk", None),
    )


@task()
def areas_load_task(
    run_id: str, *, stored_name: str, filename: str, dry_run: bool, actor_id: int | None
) -> dict[str, Any]:
    """Load ``MEDIA_ROOT/uploads/<stored_name>``; the file is removed afterwards."""
    path = uploads_dir() / Path(stored_name).name
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        with tracked(run_id) as progress:
            content = path.read_bytes()
            report = services.areas_load_file(
                actor=actor,
                content=content,
                filename=filename,
                dry_run=dry_run,
                progress=progress,
            )
            result = report.as_dict()
            finish(run_id, result, report.summary if report.ok else _("Nothing was loaded"))
            if not report.ok:
                fail(run_id, report.error_text)
            return result
    finally:
        path.unlink(missing_ok=True)
