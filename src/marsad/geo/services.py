"""Writes to administrative areas: loading files (all or nothing, idempotent, audited), editing
and moving areas (which re-paths everything below), and audited exports."""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marsad.core import audit, services
from marsad.core.models import AuditAction
from marsad.core.scoping import can_create
from marsad.geo import exporters, loaders, selectors
from marsad.geo.loaders import AreaRow, ParsedFile, Problem
from marsad.geo.models import AdminArea, AreaLevel
from marsad.geo.normalise import search_text

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "iraq_admin_areas.csv"

# Fields a file can set; compared to decide created / updated / unchanged.
LOADED_FIELDS = ("name_en", "name_ar", "name_ku", "iso_code", "latitude", "longitude", "boundary")
BATCH_SIZE = 500

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class LoadReport:
    """What a load did (or, in a dry run, would do), or why it did nothing."""

    format: str = ""
    source: str = ""
    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        counts = {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                _(
                    "Dry run: %(created)d would be created, %(updated)d updated, %(unchanged)d "
                    "unchanged; nothing was written."
                )
                % counts
            )
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged") % counts

    @property
    def error_text(self) -> str:
        header = ngettext(
            "Nothing was loaded: the file has %(count)d error. Correct it and load the file again.",
            "Nothing was loaded: the file has %(count)d errors. Correct them and load the file "
            "again.",
            len(self.problems),
        ) % {"count": len(self.problems)}
        return "\n".join([header, *(str(problem) for problem in self.problems)])

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "errors": len(self.problems),
            "dry_run": self.dry_run,
            "format": self.format,
        }


def check_may_change(actor: Any) -> None:
    if actor is not None and not can_create(actor, AdminArea):
        raise PermissionDenied(_("Your role may not change administrative areas."))


def _boundary_summary(boundary: Any) -> Any:
    """A short stand-in for a geometry in the audit log (full polygons would swamp it)."""
    if not isinstance(boundary, dict):
        return boundary
    polygons = boundary.get("coordinates") or []
    if boundary.get("type") == "Polygon":
        polygons = [polygons]
    points = sum(len(ring) for polygon in polygons for ring in polygon)
    return f"{boundary.get('type')} ({points} points)"


def _audit_value(name: str, value: Any) -> Any:
    return _boundary_summary(value) if name == "boundary" else value


def _fetch_by_pcode(pcodes: Iterable[str], with_boundary: bool) -> dict[str, AdminArea]:
    """Stored areas by P-code, in batches (SQLite limits the parameters of one query)."""
    wanted = sorted(set(pcodes))
    found: dict[str, AdminArea] = {}
    base = AdminArea.objects.all()
    if not with_boundary:
        base = base.defer("boundary")
    for start in range(0, len(wanted), BATCH_SIZE):
        for area in base.filter(pcode__in=wanted[start : start + BATCH_SIZE]):
            found[area.pcode] = area
    return found


def _level_label(level: int) -> str:
    return str(AreaLevel(level).label).lower()


def _parent_problems(
    parsed: ParsedFile, stored: dict[str, AdminArea]
) -> tuple[list[Problem], dict[str, int]]:
    """Unknown parents and parents not above their child; the level each P-code will have."""
    problems: list[Problem] = []
    levels = {pcode: area.level for pcode, area in stored.items()}
    levels.update({pcode: level for pcode, level in parsed.seen.items() if level is not None})
    for row in parsed.rows:
        if not row.parent_pcode:
            continue
        if row.parent_pcode not in parsed.seen and row.parent_pcode not in stored:
            problems.append(
                Problem(
                    row.line,
                    row.column("parent_pcode"),
                    _("the parent P-code %(parent)s is neither in this file nor in the database")
                    % {"parent": row.parent_pcode},
                    row.unit,
                )
            )
            continue
        parent_level = levels.get(row.parent_pcode)
        if parent_level is not None and parent_level >= row.level:
            problems.append(
                Problem(
                    row.line,
                    row.column("parent_pcode"),
                    _(
                        "the parent %(parent)s is a %(parent_level)s; the parent of a %(level)s "
                        "must be at a level above it"
                    )
                    % {
                        "parent": row.parent_pcode,
                        "parent_level": _level_label(parent_level),
                        "level": _level_label(row.level),
                    },
                    row.unit,
                )
            )
    return problems, levels


def _stranded_children(
    parsed: ParsedFile, stored: dict[str, AdminArea], levels: dict[str, int]
) -> list[Problem]:
    """Stored areas the file does not mention, whose parent's new level would not be above them."""
    relevelled = {
        row.pcode: row
        for row in parsed.rows
        if row.pcode in stored and stored[row.pcode].level != row.level
    }
    problems = []
    if not relevelled:
        return problems
    children = (
        AdminArea.objects.filter(parent__pcode__in=list(relevelled))
        .exclude(pcode__in=list(parsed.seen))
        .values_list("pcode", "level", "parent__pcode")
        .order_by("pcode")
    )
    for pcode, level, parent_pcode in children:
        row = relevelled[parent_pcode]
        if levels[parent_pcode] >= level:
            problems.append(
                Problem(
                    row.line,
                    row.columns.get("level") or row.column("pcode"),
                    _(
                        "%(pcode)s cannot become a %(level)s: it has the %(child_level)s "
                        "%(child)s below it, which must stay at a lower level"
                    )
                    % {
                        "pcode": row.pcode,
                        "level": _level_label(row.level),
                        "child_level": _level_label(level),
                        "child": pcode,
                    },
                    row.unit,
                )
            )
    return problems


def areas_load(
    *,
    actor: Any,
    parsed: ParsedFile,
    dry_run: bool = False,
    source: str = "",
    progress: ProgressCallback | None = None,
) -> LoadReport:
    """Add or update the areas of a parsed file, all or nothing.

    Every problem — from parsing and from checking parents against the database — is reported;
    if there is any, nothing is written. Areas whose stored values already match are left alone
    and write no audit row, so loading the same file twice changes nothing the second time.
    """
    check_may_change(actor)
    report = LoadReport(format=parsed.format, source=source, dry_run=dry_run)
    notify = progress or (lambda done, total, message: None)
    total = len(parsed.rows)
    notify(0, total, _("Checking %(count)d areas") % {"count": total})

    with transaction.atomic():
        parent_codes = {row.parent_pcode for row in parsed.rows if row.parent_pcode}
        wanted = {row.pcode for row in parsed.rows} | (parent_codes - set(parsed.seen))
        with_boundary = any("boundary" in row.values for row in parsed.rows)
        stored = _fetch_by_pcode(wanted, with_boundary)
        # The stored parents' P-codes, to compare with the file's, in one query.
        stored_parent_ids = {area.parent_id for area in stored.values() if area.parent_id}
        pcode_by_id = dict(
            AdminArea.objects.filter(pk__in=stored_parent_ids).values_list("pk", "pcode")
        )

        problems, levels = _parent_problems(parsed, stored)
        problems += _stranded_children(parsed, stored, levels)
        report.problems = sorted(
            [*parsed.problems, *problems], key=lambda problem: (problem.unit, problem.line)
        )
        if report.problems:
            return report

        now = timezone.now()
        in_file: dict[str, AdminArea] = {}
        to_create: dict[int, list[AdminArea]] = {}
        to_update: list[AdminArea] = []
        moved: list[AdminArea] = []
        audit_rows: list[tuple[str, AdminArea, dict[str, list[Any]], AreaRow]] = []
        for row in sorted(parsed.rows, key=lambda row: (row.level, row.pcode)):
            parent = None
            if row.parent_pcode:
                parent = in_file.get(row.parent_pcode) or stored[row.parent_pcode]
            area = stored.get(row.pcode)
            if area is None:
                area = AdminArea(pcode=row.pcode, level=row.level, **row.values)
                area.parent = parent
                _derive(area, parent)
                to_create.setdefault(row.level, []).append(area)
                report.created.append(row.pcode)
                changes = {
                    name: [None, _audit_value(name, value)]
                    for name, value in {
                        "pcode": row.pcode,
                        "level": row.level,
                        "parent": row.parent_pcode or None,
                        **row.values,
                    }.items()
                }
                audit_rows.append((AuditAction.CREATE, area, changes, row))
            else:
                changes = _load_changes(area, row, pcode_by_id.get(area.parent_id))
                if changes:
                    if "parent" in changes:
                        moved.append(area)
                    area.level = row.level
                    for name, value in row.values.items():
                        setattr(area, name, value)
                    area.parent = parent
                    _derive(area, parent)
                    area.updated_at = now
                    to_update.append(area)
                    report.updated.append(row.pcode)
                    audit_rows.append((AuditAction.UPDATE, area, changes, row))
                else:
                    # Unchanged; its path may still follow a moved ancestor (re-pathed below).
                    area.path = f"{parent.path if parent else ''}{area.pcode}/"
                    report.unchanged += 1
            in_file[row.pcode] = area
        _validate(to_update, *to_create.values())
        if dry_run:
            notify(total, total, report.summary)
            return report

        done = 0
        for level in sorted(to_create):
            batch = to_create[level]
            for area in batch:
                area.parent_id = area.parent.pk if area.parent is not None else None
            AdminArea.objects.bulk_create(batch, batch_size=BATCH_SIZE)
            done += len(batch)
            notify(done, total, _("Saving areas"))
        update_fields = ["level", "parent", "path", "search_text", "updated_at", *LOADED_FIELDS]
        if not with_boundary:
            update_fields.remove("boundary")
        AdminArea.objects.bulk_update(to_update, update_fields, batch_size=BATCH_SIZE)
        repath_descendants(moved)
        context = {"source": source, "format": parsed.format}
        _audit_many(
            actor,
            [
                (action, area, changes, {**context, row.unit: row.line})
                for action, area, changes, row in audit_rows
            ],
        )
        notify(total, total, report.summary)
    return report


def _audit_many(
    actor: Any, entries: Sequence[tuple[str, AdminArea, dict[str, list[Any]], dict[str, Any]]]
) -> None:
    """One audit row per (action, area, changes, context), inserted in batches: a 5,000-row
    COD-AB file would otherwise spend most of its time writing audit rows one by one."""
    audit.record_many(
        (
            audit.build(
                actor=actor,
                action=action,
                instance=area,
                changes=_json_safe(changes),
                context=_json_safe(context),
            )
            for action, area, changes, context in entries
        ),
        batch_size=BATCH_SIZE,
    )


def _json_safe(value: Any) -> Any:
    """Decimals, dates and the like as the audit log stores them (strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _load_changes(area: AdminArea, row: AreaRow, before_parent: str | None) -> dict[str, list]:
    """The fields the row changes, as ``{field: [before, after]}`` (parent by P-code)."""
    changes: dict[str, list[Any]] = {}
    if area.level != row.level:
        changes["level"] = [area.level, row.level]
    after_parent = row.parent_pcode or None
    if before_parent != after_parent:
        changes["parent"] = [before_parent, after_parent]
    for name in LOADED_FIELDS:
        if name not in row.values:
            continue
        before, after = getattr(area, name), row.values[name]
        if before != after:
            changes[name] = [_audit_value(name, before), _audit_value(name, after)]
    return changes


def _derive(area: AdminArea, parent: AdminArea | None) -> None:
    """Path and search text for an area whose parent may not be saved yet."""
    area.path = f"{parent.path if parent else ''}{area.pcode}/"
    area.search_text = search_text(area.name_en, area.name_ar, area.name_ku)


def _validate(*batches: Sequence[AdminArea]) -> None:
    """Field validators the parser does not already apply (a guard; no queries)."""
    for batch in batches:
        for area in batch:
            # Model.clean_fields itself: AdminArea's override would re-derive the path from a
            # parent that may not be saved yet.
            models.Model.clean_fields(area, exclude={"parent", "path", "search_text", "boundary"})


def areas_load_file(
    *,
    actor: Any,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> LoadReport:
    """Parse ``content`` (CSV or GeoJSON) and load it; see ``areas_load``."""
    check_may_change(actor)
    parsed = loaders.parse(content, filename)
    return areas_load(
        actor=actor, parsed=parsed, dry_run=dry_run, source=filename, progress=progress
    )


def areas_load_reference(*, actor: Any, dry_run: bool = False) -> LoadReport:
    """Load the shipped list of Iraq's country, governorates and districts (idempotent)."""
    return areas_load_file(
        actor=actor,
        content=REFERENCE_FILE.read_bytes(),
        filename=REFERENCE_FILE.name,
        dry_run=dry_run,
    )


def repath_descendants(roots: Iterable[AdminArea]) -> int:
    """Rewrite the stored path of everything below ``roots`` (whose own path is current).

    Walks down by parent, one level per query, so it is right however many areas moved at once.
    Returns how many paths changed.
    """
    frontier = {area.pk: area.path for area in roots if area.pk is not None}
    changed = 0
    while frontier:
        children: list[AdminArea] = []
        ids = list(frontier)
        for start in range(0, len(ids), BATCH_SIZE):
            children.extend(
                AdminArea.objects.filter(parent_id__in=ids[start : start + BATCH_SIZE]).only(
                    "pk", "pcode", "parent_id", "path"
                )
            )
        stale = []
        next_frontier = {}
        for child in children:
            path = f"{frontier[child.parent_id]}{child.pcode}/"
            if child.path != path:
                child.path = path
                stale.append(child)
            next_frontier[child.pk] = path
        AdminArea.objects.bulk_update(stale, ["path"], batch_size=BATCH_SIZE)
        changed += len(stale)
        frontier = next_frontier
    return changed


@transaction.atomic
def area_create(*, actor: Any, data: dict[str, Any]) -> AdminArea:
    """Create one area (validated, scoped, audited)."""
    return services.record_create(actor=actor, model=AdminArea, data=data)


@transaction.atomic
def area_update(*, actor: Any, area: AdminArea, data: dict[str, Any]) -> AdminArea:
    """Change one area; a new parent re-paths everything below it."""
    old_path = AdminArea.objects.filter(pk=area.pk).values_list("path", flat=True).get()
    area = services.record_update(actor=actor, instance=area, data=data)
    if area.path != old_path:
        repath_descendants([area])
    return area


def area_move(*, actor: Any, area: AdminArea, parent: AdminArea) -> AdminArea:
    """Put ``area`` under ``parent`` and re-path all its descendants."""
    if parent.level >= area.level:
        raise ValidationError(
            {
                "parent": _(
                    "The parent %(parent)s is a %(parent_level)s; the parent of a %(level)s "
                    "must be at a level above it."
                )
                % {
                    "parent": parent.pcode,
                    "parent_level": _level_label(parent.level),
                    "level": _level_label(area.level),
                }
            }
        )
    return area_update(actor=actor, area=area, data={"parent": parent})


def areas_export(
    *,
    actor: Any,
    user: Any = None,
    level: int | None = None,
    below: AdminArea | None = None,
    export_format: str = "csv",
) -> str:
    """The areas ``user`` may see (all, for the command line) as CSV or GeoJSON text, audited."""
    areas = list(selectors.areas_for_export(user=user, level=level, below=below))
    if export_format == "geojson":
        text = exporters.areas_geojson(areas)
    else:
        text = exporters.areas_csv(areas)
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=AdminArea._meta.label_lower,
        object_repr=_("Administrative areas"),
        context={
            "format": export_format,
            "level": level,
            "below": below.pcode if below else None,
            "count": len(areas),
        },
    )
    return text
