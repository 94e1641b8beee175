"""Applying a master list to the database: check the rows against what is stored (P-codes,
periods, existing assessments, the importer's scope), then create or update everything in bulk,
all or nothing, with one audit row per created location, assessment and population group and per
updated population group. A row whose figures are already stored changes nothing.

Speed (see bench/displacement): a clean file is parsed by ``clean_rows`` (``parse_rows`` words the
errors of any other); the checks read plain values (``plan``), not model instances, since a
master list has tens of thousands of rows and each instance costs more than its check; writing
is ``write_orm`` (any database) or, on PostgreSQL, ``write_pg`` (set-based SQL), which write the
same rows and the same audit entries."""

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, IntegerField, Model, Q
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from marsad.core.scoping import CHANGE, can_create, scope
from marsad.displacement.estimates import estimate_individuals, household_sizes
from marsad.displacement.importers.clean_rows import clean_rows
from marsad.displacement.importers.masterlist import COLUMNS, MasterRow, parse_rows
from marsad.displacement.importers.plan import (
    Area,
    Assessment,
    Group,
    GroupKey,
    NewGroup,
    Plan,
    ProgressCallback,
)
from marsad.displacement.importers.report import ImportReport, RowError
from marsad.displacement.importers.tables import read_table
from marsad.displacement.models import (
    AssessmentRound,
    AssessmentStatus,
    DisplacementPeriod,
    LocationAssessment,
    PopulationGroup,
)
from marsad.displacement.permissions import is_reference_holder
from marsad.geo.models import AdminArea, AreaLevel
from marsad.partners.models import Organisation, Programme

LOOKUP_BATCH = 5000  # values per IN (...) when reading what is stored
PROGRESS_EVERY = 250
PARENT_LEVELS = (AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT)


def _level(level: int) -> str:
    return str(AreaLevel(level).label).lower()


def _batched(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), LOOKUP_BATCH):
        yield items[start : start + LOOKUP_BATCH]


def _among(model: type[Model], name: str, values: Iterable[Any]) -> list[Any]:
    """Filters for ``name`` among ``values``, one query each: on PostgreSQL one ``= ANY(array)``
    (thousands of placeholders cost more to build and parse than the query takes to run, and
    ``IN (SELECT unnest(...))`` may be planned as a scan of the whole table); elsewhere IN lists
    in batches.

    The array goes as one text parameter joined here, several times faster than the driver
    adapting thousands of values one by one. Ids go through ``ARRAY(SELECT unnest(...))``,
    whose length the planner cannot see, so it looks them up by index whatever the statistics:
    without statistics (autovacuum off, or just after a bulk load) a plain array of thousands of
    ids was planned as a scan of every population row, or not, depending on its element type."""
    wanted = sorted(set(values))
    if connection.vendor != "postgresql":
        return [Q(**{f"{name}__in": batch}) for batch in _batched(wanted)]
    quote = connection.ops.quote_name
    field = model._meta.get_field(name)
    column = f"{quote(model._meta.db_table)}.{quote(field.column)}"
    # The column comes from the model, the values go as one parameter.
    if isinstance(field.target_field if field.is_relation else field, IntegerField):
        condition = f"{column} = ANY(ARRAY(SELECT unnest(%s::bigint[])))"
        array = "{" + ",".join(map(str, map(int, wanted))) + "}"
    else:
        condition, array = f"{column} = ANY(%s::text[])", _text_array(wanted)
    return [RawSQL(condition, (array,), output_field=BooleanField())]  # noqa: S611


def _text_array(values: list[str]) -> str:
    """``values`` as a PostgreSQL array literal, each element quoted: any character is safe."""
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def _areas(pcodes: set[str]) -> dict[str, Area]:
    found: dict[str, Area] = {}
    for among in _among(AdminArea, "pcode", (code for code in pcodes if code)):
        for pk, pcode, level, path in (
            AdminArea.objects.filter(among).order_by().values_list("pk", "pcode", "level", "path")
        ):
            found[pcode] = Area(pk, pcode, level, path)
    return found


def _writer() -> Callable[..., None]:
    """The set-based writer on PostgreSQL, the ORM one elsewhere (same rows, same audit)."""
    if connection.vendor == "postgresql":
        from marsad.displacement.importers.write_pg import write

        return write
    from marsad.displacement.importers.write_orm import write

    return write


def masterlist_apply(
    *,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    programme: Programme | None = None,
) -> ImportReport:
    """Parse, check and (unless ``dry_run`` or any error) write a master list; see the module."""
    with _collector_paused():
        return _apply(actor, round_, organisation, content, filename, dry_run, progress, programme)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector during an import: it allocates tens of thousands
    of small objects, none in a cycle, and each full collection the allocations trigger walks
    every object in the process (tens of milliseconds, several times per import)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _apply(
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    content: bytes,
    filename: str,
    dry_run: bool,
    progress: ProgressCallback | None,
    programme: Programme | None,
) -> ImportReport:
    notify = progress or (lambda done, total, message: None)
    file_format, total, rows, errors = _parse(content, filename)
    report = ImportReport(dry_run=dry_run, format=file_format, rows=total)
    notify(0, total, _("Reading %(count)d rows") % {"count": total})

    with transaction.atomic():
        plan = Plan(programme)
        errors += _check_and_plan(actor, round_, organisation, rows, plan, notify, total)
        order = {column: position for position, column in enumerate(COLUMNS)}
        report.errors = sorted(errors, key=lambda e: (e.row, order.get(e.column, -1)))
        if report.errors:
            return report
        report.locations_created = len(plan.new_locations)
        report.assessments_created = len(plan.new_assessments)
        report.created = len(plan.create)
        report.updated = len(plan.update)
        report.unchanged = len(rows) - report.created - report.updated
        if dry_run:
            notify(total, total, report.summary)
            return report
        if plan.new_locations or plan.new_assessments or plan.create or plan.update:
            _writer()(
                actor=actor,
                round_=round_,
                organisation=organisation,
                filename=filename,
                plan=plan,
                notify=notify,
                total=total,
            )
        notify(total, total, report.summary)
    return report


def _parse(content: bytes, filename: str) -> tuple[str, int, list[MasterRow], list[RowError]]:
    """The file's format, number of records, parsed rows and parse errors: the fast path for a
    clean file, the full parser (with its messages) for any file it declines."""
    table = read_table(content, filename)
    rows = clean_rows(table)
    if rows is None:
        rows, errors = parse_rows(table)
        return table.format, len(table.records), rows, errors
    return table.format, len(table.records), rows, []


def _round_assessments(
    actor: Any, round_: AssessmentRound, location_ids: set[int]
) -> tuple[dict[int, Assessment], set[int]]:
    """The round's assessments of these areas by area id, and the ids the actor may change.

    Read by round alone (its index) and sifted here: a round holds about as many assessments
    as a master list has locations, and a list of thousands of area ids costs more to match."""
    assessments: dict[int, Assessment] = {}
    for values in (
        LocationAssessment.objects.filter(round=round_)
        .order_by()
        .values_list("pk", "area_id", "organisation_id", "status")
    ):
        if values[1] in location_ids:
            assessments[values[1]] = Assessment(*values)
    if actor is None:
        return assessments, {assessment.pk for assessment in assessments.values()}
    changeable = set(
        scope(LocationAssessment.objects.filter(round=round_), actor, CHANGE)
        .order_by()
        .values_list("pk", flat=True)
    )
    return assessments, changeable


def _check_and_plan(
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    rows: list[MasterRow],
    plan: Plan,
    notify: ProgressCallback,
    total: int,
) -> list[RowError]:
    errors: list[RowError] = []
    areas = plan.areas = _areas(
        {code for row in rows for code in (row.location_pcode, row.parent_pcode, row.origin_pcode)}
    )
    periods = plan.periods = dict(DisplacementPeriod.objects.values_list("code", "pk"))
    period_list = ", ".join(periods)
    reference_holder = is_reference_holder(actor)
    location_ids = {areas[row.location_pcode].pk for row in rows if row.location_pcode in areas}
    assessments, changeable = _round_assessments(actor, round_, location_ids)
    groups = _existing_groups([assessment.pk for assessment in assessments.values()])
    sizes = household_sizes()

    checked_locations: dict[str, bool] = {}
    for done, row in enumerate(rows, start=1):
        if done % PROGRESS_EVERY == 0:
            notify(done, total, _("Checking row %(row)d") % {"row": row.row})
        row_errors: list[RowError] = []
        if row.period_code and row.period_code not in periods:
            row_errors.append(
                RowError(
                    row.row,
                    "displacement_period",
                    _("%(code)s is not a known displacement period; use one of %(codes)s")
                    % {"code": row.period_code, "codes": period_list},
                )
            )
        if row.origin_pcode and row.origin_pcode not in areas:
            row_errors.append(
                RowError(
                    row.row,
                    "origin_pcode",
                    _("unknown P-code %(code)s: no administrative area has it")
                    % {"code": row.origin_pcode},
                )
            )
        if row.parent_pcode and row.parent_pcode not in areas:
            row_errors.append(
                RowError(
                    row.row,
                    "parent_pcode",
                    _("unknown P-code %(code)s: no district or sub-district has it")
                    % {"code": row.parent_pcode},
                )
            )
        location_ok = checked_locations.get(row.location_pcode)
        if location_ok is None:
            location_errors = _check_location(
                actor,
                organisation,
                row,
                areas,
                assessments,
                changeable,
                reference_holder,
                plan,
            )
            location_ok = not location_errors
            checked_locations[row.location_pcode] = location_ok
            row_errors += location_errors
        errors += row_errors
        if row_errors or not location_ok or not row.valid:
            continue
        _plan_group(row, areas, assessments, groups, plan, sizes)
    return errors


def _check_location(
    actor: Any,
    organisation: Organisation,
    row: MasterRow,
    areas: dict[str, Area],
    assessments: dict[int, Assessment],
    changeable: set[int],
    reference_holder: bool,
    plan: Plan,
) -> list[RowError]:
    """Checks of a row's location made once, on its first row; plans the new location and
    assessment."""
    location = areas.get(row.location_pcode)
    if location is not None:
        if location.level != AreaLevel.LOCATION:
            return [
                RowError(
                    row.row,
                    "location_id",
                    _("%(code)s is a %(level)s, not a location (a village or neighbourhood)")
                    % {"code": row.location_pcode, "level": _level(location.level)},
                )
            ]
        assessment = assessments.get(location.pk) if location.pk is not None else None
        if assessment is not None:
            return _check_assessment(
                actor, organisation, row, assessment, changeable, reference_holder
            )
    else:
        parent = areas.get(row.parent_pcode)
        problems = []
        if not row.parent_pcode:
            problems.append(
                RowError(
                    row.row,
                    "parent_pcode",
                    _(
                        "empty; %(code)s is a new location and needs the P-code of its district or "
                        "sub-district"
                    )
                    % {"code": row.location_pcode},
                )
            )
        elif parent is not None and parent.level not in PARENT_LEVELS:
            problems.append(
                RowError(
                    row.row,
                    "parent_pcode",
                    _("%(code)s is a %(level)s; a location belongs to a district or sub-district")
                    % {"code": row.parent_pcode, "level": _level(parent.level)},
                )
            )
        if not row.location_name:
            problems.append(
                RowError(
                    row.row,
                    "location_name",
                    _("empty; %(code)s is a new location and needs a name")
                    % {"code": row.location_pcode},
                )
            )
        if not reference_holder:
            problems.append(
                RowError(
                    row.row,
                    "location_id",
                    _("%(code)s is not a known location, and your role may not add locations")
                    % {"code": row.location_pcode},
                )
            )
        if problems or parent is None:
            return problems
        location = Area(
            None, row.location_pcode, AreaLevel.LOCATION, f"{parent.path}{row.location_pcode}/"
        )
        plan.new_locations[row.location_pcode] = (row, parent)
        areas[row.location_pcode] = location
    if actor is not None and not can_create(
        actor,
        LocationAssessment,
        organisation=organisation,
        programme=plan.programme,
        area=location,
    ):
        return [
            RowError(
                row.row,
                "location_id",
                _("%(code)s is outside what you may assess for %(organisation)s")
                % {"code": row.location_pcode, "organisation": organisation.code},
            )
        ]
    plan.new_assessments.append(row.location_pcode)
    return []


def _check_assessment(
    actor: Any,
    organisation: Organisation,
    row: MasterRow,
    assessment: Assessment,
    changeable: set[int],
    reference_holder: bool,
) -> list[RowError]:
    if assessment.organisation_id != organisation.pk:
        return [
            RowError(
                row.row,
                "location_id",
                _(
                    "%(code)s was already assessed in this round by %(other)s; only one "
                    "organisation assesses a location in a round"
                )
                % {
                    "code": row.location_pcode,
                    "other": Organisation.objects.get(pk=assessment.organisation_id).code,
                },
            )
        ]
    if assessment.status == AssessmentStatus.PUBLISHED:
        return [
            RowError(
                row.row,
                "location_id",
                _(
                    "the assessment of %(code)s in this round is published; its figures cannot "
                    "change any more"
                )
                % {"code": row.location_pcode},
            )
        ]
    if assessment.pk not in changeable or (
        assessment.status != AssessmentStatus.DRAFT and not reference_holder
    ):
        return [
            RowError(
                row.row,
                "location_id",
                _("you may not change the assessment of %(code)s in this round")
                % {"code": row.location_pcode},
            )
        ]
    return []


def _existing_groups(assessment_ids: list[int]) -> dict[GroupKey, Group]:
    """The stored population groups of these assessments by (assessment id, population type,
    origin id, period id, shelter): ids, not codes, so no other table is joined to read them."""
    found: dict[GroupKey, Group] = {}
    if not assessment_ids:
        return found  # the round's first import
    for among in _among(PopulationGroup, "assessment", assessment_ids):
        for (
            pk,
            assessment_id,
            population_type,
            origin_id,
            period_id,
            shelter,
            families,
            individuals,
            estimated,
        ) in (
            PopulationGroup.objects.filter(among)
            .order_by()
            .values_list(
                "pk",
                "assessment_id",
                "population_type",
                "origin_area_id",
                "displacement_period_id",
                "shelter_category",
                "families",
                "individuals",
                "individuals_estimated",
            )
        ):
            key = (assessment_id, population_type, origin_id, period_id, shelter)
            found[key] = Group(pk, assessment_id, population_type, families, individuals, estimated)
    return found


def _plan_group(
    row: MasterRow,
    areas: dict[str, Area],
    assessments: dict[int, Assessment],
    groups: dict[GroupKey, Group],
    plan: Plan,
    sizes: tuple[int, int],
) -> None:
    if row.individuals is None:
        size, camp_size = sizes  # read once per import, not once per row
        individuals = estimate_individuals(
            row.families,  # type: ignore[arg-type]
            row.shelter_category,
            household_size=size,
            camp_household_size=camp_size,
        )
        estimated = True
    else:
        individuals, estimated = row.individuals, False
    location = areas[row.location_pcode]
    assessment = assessments.get(location.pk) if location.pk is not None else None
    existing = None
    origin_id = areas[row.origin_pcode].pk if row.origin_pcode else None
    # A file's origin and period are known here (the row passed its checks). A location the file
    # adds (no id yet) is the origin of no stored row: such a row is not looked up, or its lack
    # of an id would find the stored row that has no origin.
    if assessment is not None and (origin_id is not None or not row.origin_pcode):
        existing = groups.get(
            (
                assessment.pk,
                row.population_type,
                origin_id,
                plan.periods[row.period_code] if row.period_code else None,
                row.shelter_category,
            )
        )
    if existing is None:
        plan.create.append(
            NewGroup(row, individuals, estimated, assessment.pk if assessment else None)
        )
        return
    if (
        existing.families == row.families
        and existing.individuals == individuals
        and existing.individuals_estimated == estimated
    ):
        return  # the usual case on a re-import: nothing to compare further
    values = {
        "families": row.families,
        "individuals": individuals,
        "individuals_estimated": estimated,
    }
    changes = {
        name: [getattr(existing, name), value]
        for name, value in values.items()
        if getattr(existing, name) != value
    }
    for name, value in values.items():
        setattr(existing, name, value)
    plan.update.append((row, existing, changes))
