"""Background work for border management: importing an uploaded watchlist file, with progress
on the task page. The upload is saved under ``MEDIA_ROOT/uploads`` and removed once the task has
run."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django_tasks import task

from marsad.border.models import Watchlist
from marsad.border.watchlist_import import (
    WatchlistImportReport,
    check_may_import,
    watchlist_import,
)
from marsad.core.background import run_import, task_start
from marsad.core.models import TaskRun
from marsad.geo.tasks import save_upload, uploads_dir


def watchlist_import_start(
    *,
    actor: Any,
    watchlist: Watchlist,
    upload: UploadedFile,
    dry_run: bool,
    deactivate_missing: bool = False,
) -> TaskRun:
    """Save the upload and queue its import into ``watchlist``; the task page follows it. A user
    who may not change the watchlist is refused before anything is stored."""
    check_may_import(actor, watchlist)
    stored_name = save_upload(upload)
    label = (
        _("Check watchlist file %(name)s for %(watchlist)s (dry run)")
        if dry_run
        else _("Import watchlist file %(name)s into %(watchlist)s")
    ) % {"name": upload.name, "watchlist": watchlist.name}
    return task_start(
        actor=actor,
        task=watchlist_import_task,
        label=label,
        stored_name=stored_name,
        filename=upload.name or stored_name,
        watchlist_id=watchlist.pk,
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
        actor_id=getattr(actor, "pk", None),
    )


@task()
def watchlist_import_task(
    run_id: str,
    *,
    stored_name: str,
    filename: str,
    watchlist_id: int,
    dry_run: bool,
    actor_id: int | None,
    deactivate_missing: bool = False,
) -> dict[str, Any]:
    """Import ``MEDIA_ROOT/uploads/<stored_name>``; the file is removed afterwards, whatever
    happens. Row errors mark the run failed with every error listed."""
    path = uploads_dir() / Path(stored_name).name

    def do_import(*, actor: Any, progress: Any) -> WatchlistImportReport:
        return watchlist_import(
            actor=actor,
            watchlist=Watchlist.objects.get(pk=watchlist_id),
            content=path.read_bytes(),
            filename=filename,
            dry_run=dry_run,
            deactivate_missing=deactivate_missing,
            progress=progress,
        )

    return run_import(run_id, paths=[path], actor_id=actor_id, do_import=do_import)
