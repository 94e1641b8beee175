"""Applying a checked watchlist file to the stored watchlist: compare each row with the entry of
its reference, then create, update and (with ``deactivate_missing``) end entries in bulk, with
their audit rows, in one transaction under a lock on the watchlist."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.border.models import Watchlist, WatchlistEntry
from marsad.border.watchlist_import.report import WatchlistImportReport, add_notes
from marsad.border.watchlist_import.rows import (
    ProgressCallback,
    Row,
    error_order,
    read_rows,
    validate,
)
from marsad.core import audit
from marsad.core.bulk import update_rows
from marsad.core.models import AuditAction, AuditEntry
from marsad.core.scoping import CHANGE, can, can_create
from marsad.core.tables import RowError

SOURCE = "watchlist_import"
BATCH_SIZE = 500
#: The fields each column governs: an existing entry keeps the fields of a column not in the file.
COLUMN_FIELDS = {
    "birth_date": ("birth_date", "birth_date_precision"),
    "nationality": ("nationality",),
    "document_number": ("document_numbers",),
    "reason": ("reason",),
    "action": ("action",),
    "valid_from": ("valid_from",),
    "valid_until": ("valid_until",),
}
UPDATED_FIELDS = [
    "names",
    "names_normalised",
    "names_latin",
    "name_key",
    "search_text",
    "birth_date",
    "birth_date_precision",
    "nationality",
    "document_numbers",
    "document_numbers_normalised",
    "reason",
    "action",
    "valid_from",
    "valid_until",
    "fingerprint",
    "updated_at",
]


# --- Who may import -----------------------------------------------------------------------------


def may_import(user: Any, watchlist: Watchlist) -> bool:
    """Whether ``user`` may change ``watchlist`` and add entries to it: a membership of its
    authority (or oversight) that changes records and is cleared for its sensitivity, as the
    watchlist services require. ``None`` is the command line."""
    if user is None:
        return True
    return can(user, CHANGE, watchlist) and can_create(
        user,
        WatchlistEntry,
        organisation=watchlist.organisation_id,
        sensitivity=watchlist.sensitivity,
    )


def check_may_import(actor: Any, watchlist: Watchlist) -> None:
    if not may_import(actor, watchlist):
        raise PermissionDenied(_("You may not import entries into this watchlist."))


# --- Comparing with what is stored --------------------------------------------------------------


def _batched(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _stored(watchlist: Watchlist, references: Iterable[str]) -> dict[str, WatchlistEntry]:
    """The watchlist's entries with these references, locked until the import commits."""
    found: dict[str, WatchlistEntry] = {}
    for batch in _batched(sorted(set(references))):
        entries = WatchlistEntry.objects.select_for_update().filter(
            watchlist=watchlist, reference__in=batch
        )
        found.update((entry.reference, entry) for entry in entries)
    return found


def _merged(stored: WatchlistEntry, fresh: WatchlistEntry, columns: set[str]) -> dict[str, Any]:
    """The values the file gives ``stored``: every field whose column the file has."""
    values: dict[str, Any] = {}
    names = list(fresh.names)
    if "aliases" not in columns:
        names += [alias for alias in stored.aliases if alias not in names]
    values["names"] = names
    for column, names_ in COLUMN_FIELDS.items():
        if column in columns:
            values.update((name, getattr(fresh, name)) for name in names_)
    return values


def _update(
    stored: WatchlistEntry, values: dict[str, Any], row: int, errors: list[RowError]
) -> dict[str, list[Any]] | None:
    """Apply ``values`` to ``stored``; its audited changes, or None when it reads the same
    (or cannot take them: an error is then added)."""
    if all(getattr(stored, name) == value for name, value in values.items()):
        return None
    before = audit.snapshot(stored)
    for name, value in values.items():
        setattr(stored, name, value)
    if not validate(stored, row, errors):
        return None
    changes = audit.diff(before, audit.snapshot(stored))
    changes.pop("updated_at", None)
    return changes or None


def _missing(watchlist: Watchlist, references: set[str]) -> list[tuple[int, Any, Any]]:
    """(pk, valid_from, valid_until) of the watchlist's referenced entries not in the file."""
    stored = (
        WatchlistEntry.objects.filter(watchlist=watchlist)
        .exclude(reference="")
        .values_list("pk", "reference", "valid_from", "valid_until")
        .order_by("pk")
    )
    return [
        (pk, valid_from, valid_until)
        for pk, reference, valid_from, valid_until in stored.iterator(chunk_size=5000)
        if reference not in references
    ]


# --- The import ---------------------------------------------------------------------------------


@dataclass
class _Plan:
    create: list[tuple[int, WatchlistEntry]] = field(default_factory=list)
    update: list[tuple[int, WatchlistEntry, dict[str, list[Any]]]] = field(default_factory=list)
    end: list[tuple[WatchlistEntry, dict[str, list[Any]]]] = field(default_factory=list)
    inactive: int = 0


def watchlist_import(
    *,
    actor: Any,
    watchlist: Watchlist,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    progress: ProgressCallback | None = None,
    today: datetime.date | None = None,
) -> WatchlistImportReport:
    """Import a watchlist file into ``watchlist`` (see the module). ``actor=None`` is the
    command line; anyone else must be cleared to change the watchlist (PermissionDenied)."""
    check_may_import(actor, watchlist)
    notify = progress or (lambda *args, **kwargs: None)
    today = today or timezone.localdate()
    report = WatchlistImportReport(
        watchlist=watchlist.pk,
        filename=filename,
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
    )
    notify(0, None, _("Reading %(name)s") % {"name": filename})
    rows, columns = read_rows(watchlist, content, filename, report, today, notify)
    if not report.ok:
        notify(report.rows, report.rows, report.error_header, force=True)
        return report
    with transaction.atomic():
        # One import at a time per watchlist; the entries it changes are locked in ``_stored``.
        Watchlist.objects.select_for_update().filter(pk=watchlist.pk).first()
        plan = _plan(watchlist, rows, columns, report, today, deactivate_missing)
        if report.errors:
            report.errors.sort(key=error_order)
            report.created = report.updated = report.unchanged = report.ended = 0
        elif not dry_run:
            _write(actor, watchlist, filename, plan, report, notify)
    add_notes(report, inactive=plan.inactive, today=today)
    notify(report.rows, report.rows, report.summary if report.ok else report.error_header, True)
    return report


def _plan(
    watchlist: Watchlist,
    rows: list[Row],
    columns: set[str],
    report: WatchlistImportReport,
    today: datetime.date,
    deactivate_missing: bool,
) -> _Plan:
    plan = _Plan()
    stored = _stored(watchlist, (row.reference for row in rows))
    for row in rows:
        existing = stored.get(row.reference)
        if existing is None:
            plan.create.append((row.row, row.fresh))
            continue
        plan.inactive += not existing.is_active
        changes = _update(existing, _merged(existing, row.fresh, columns), row.row, report.errors)
        if changes is None:
            report.unchanged += 1
        else:
            plan.update.append((row.row, existing, changes))
    report.created, report.updated = len(plan.create), len(plan.update)
    missing = _missing(watchlist, {row.reference for row in rows})
    report.missing = len(missing)
    if deactivate_missing:
        yesterday = today - datetime.timedelta(days=1)
        in_force = [pk for pk, _from, until in missing if until is None or until >= today]
        for batch in _batched(in_force):
            for entry in WatchlistEntry.objects.select_for_update().filter(pk__in=batch):
                before = audit.snapshot(entry)
                entry.valid_until = yesterday
                if entry.valid_from is not None and entry.valid_from > yesterday:
                    entry.valid_from = yesterday  # never in force, and now ended
                changes = audit.diff(before, audit.snapshot(entry))
                plan.end.append((entry, changes))
        report.ended = len(plan.end)
    return plan


def _write(
    actor: Any,
    watchlist: Watchlist,
    filename: str,
    plan: _Plan,
    report: WatchlistImportReport,
    notify: ProgressCallback,
) -> None:
    context = {"import": SOURCE, "source": filename}
    now = timezone.now()
    entries: list[AuditEntry] = []

    def audited(action: str, entry: WatchlistEntry, changes: dict, **extra: Any) -> AuditEntry:
        return audit.build(
            actor=actor,
            action=action,
            instance=entry,
            organisation_id=watchlist.organisation_id,
            changes=changes,
            context={**context, **extra},
        )

    created = [entry for _row, entry in plan.create]
    for done, batch in enumerate(_batched(created), start=1):
        WatchlistEntry.objects.bulk_create(batch)
        written = min(done * BATCH_SIZE, len(created))
        notify(
            written,
            len(created),
            _("%(done)d of %(total)d new entries saved") % {"done": written, "total": len(created)},
        )
    for row, entry in plan.create:
        after = audit.snapshot(entry)
        entries.append(
            audited(AuditAction.CREATE, entry, {k: [None, v] for k, v in after.items()}, row=row)
        )
    changed = [entry for _row, entry, _changes in plan.update]
    for entry in changed:
        entry.updated_at = now
    update_rows(changed, UPDATED_FIELDS)
    entries += [
        audited(AuditAction.UPDATE, entry, changes, row=row) for row, entry, changes in plan.update
    ]
    ended = [entry for entry, _changes in plan.end]
    for entry in ended:
        entry.updated_at = now
    update_rows(ended, ["valid_from", "valid_until", "updated_at"])
    entries += [
        audited(AuditAction.UPDATE, entry, changes, deactivate_missing=True)
        for entry, changes in plan.end
    ]
    if entries:
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.IMPORT,
                instance=watchlist,
                organisation_id=watchlist.organisation_id,
                context={
                    **context,
                    **{k: v for k, v in report.as_dict().items() if k not in ("errors", "notes")},
                },
            )
        )
    audit.record_many(entries, batch_size=BATCH_SIZE)
