"""Applying a master list to the database: check the rows against what is stored (P-codes,
periods, existing assessments, the importer's scope), then create or update everything in bulk,
all or nothing, with one audit row per created location, assessment and population group and per
updated population group. A row whose figures are already stored changes nothing."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.models import AuditAction
from marsad.core.scoping import CHANGE, can_create, scope
from marsad.displacement.estimates import estimate_individuals
from marsad.displacement.importers.masterlist import COLUMNS, MasterRow, parse_rows
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
from marsad.geo.normalise import search_text
from marsad.partners.models import Organisation, Programme

BATCH_SIZE = 500
PROGRESS_EVERY = 250
SOURCE = "masterlist"
PARENT_LEVELS = (AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT)
COMPARED_FIELDS = ("families", "individuals", "individuals_estimated")

ProgressCallback = Callable[[int, int, str], None]


def _level(level: int) -> str:
    return str(AreaLevel(level).label).lower()


def _batched(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _areas(pcodes: Iterable[str]) -> dict[str, AdminArea]:
    found: dict[str, AdminArea] = {}
    for batch in _batched(code for code in pcodes if code):
        # The names are loaded too: audit rows name each location, and a deferred name would
        # cost one query per location.
        for area in AdminArea.objects.filter(pcode__in=batch).only(
            "pk", "pcode", "level", "path", "parent_id", "name_en", "name_ar", "name_ku"
        ):
            found[area.pcode] = area
    return found


class _Plan:
    """What the import will write, built while checking."""

    def __init__(self, programme: Programme | None = None) -> None:
        # New assessments belong to this programme (so programme-narrowed staff see them).
        self.programme = programme
        self.new_locations: dict[str, AdminArea] = {}
        self.location_rows: dict[str, int] = {}
        self.new_assessments: dict[str, LocationAssessment] = {}
        self.create: list[tuple[MasterRow, PopulationGroup]] = []
        self.update: list[tuple[MasterRow, PopulationGroup, dict[str, list[Any]]]] = []


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
    notify = progress or (lambda done, total, message: None)
    table = read_table(content, filename)
    report = ImportReport(dry_run=dry_run, format=table.format, rows=len(table.records))
    total = len(table.records)
    notify(0, total, _("Reading %(count)d rows") % {"count": total})
    rows, errors = parse_rows(table)

    with transaction.atomic():
        plan = _Plan(programme)
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
        _write(actor, round_, organisation, filename, plan, notify, total)
        notify(total, total, report.summary)
    return report


def _check_and_plan(
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    rows: list[MasterRow],
    plan: _Plan,
    notify: ProgressCallback,
    total: int,
) -> list[RowError]:
    errors: list[RowError] = []
    areas = _areas(
        code for row in rows for code in (row.location_pcode, row.parent_pcode, row.origin_pcode)
    )
    periods = {period.code: period for period in DisplacementPeriod.objects.all()}
    period_list = ", ".join(periods)
    reference_holder = is_reference_holder(actor)

    # The round's assessments of the file's stored locations.
    location_ids = {areas[row.location_pcode].pk for row in rows if row.location_pcode in areas}
    assessments: dict[int, LocationAssessment] = {}
    for batch in _batched(location_ids):
        for assessment in LocationAssessment.objects.filter(
            round=round_, area_id__in=batch
        ).select_related("organisation"):
            assessments[assessment.area_id] = assessment
    changeable: set[int] = set()
    if actor is None:
        changeable = {assessment.pk for assessment in assessments.values()}
    else:
        for batch in _batched(assessment.pk for assessment in assessments.values()):
            changeable |= set(
                scope(LocationAssessment.objects.filter(pk__in=batch), actor, CHANGE).values_list(
                    "pk", flat=True
                )
            )
    groups = _existing_groups(assessments.values())

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
        origin = areas.get(row.origin_pcode) if row.origin_pcode else None
        if row.origin_pcode and origin is None:
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
                round_,
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
        _plan_group(row, areas, periods, origin, assessments, groups, plan)
    return errors


def _check_location(
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    row: MasterRow,
    areas: dict[str, AdminArea],
    assessments: dict[int, LocationAssessment],
    changeable: set[int],
    reference_holder: bool,
    plan: _Plan,
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
        assessment = assessments.get(location.pk)
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
        location = AdminArea(
            pcode=row.location_pcode,
            level=AreaLevel.LOCATION,
            parent=parent,
            name_en=row.location_name,
            name_ar=row.location_name_ar,
            latitude=row.latitude,
            longitude=row.longitude,
            path=f"{parent.path}{row.location_pcode}/",
            search_text=search_text(row.location_name, row.location_name_ar),
        )
        plan.new_locations[row.location_pcode] = location
        plan.location_rows[row.location_pcode] = row.row
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
    plan.new_assessments[row.location_pcode] = LocationAssessment(
        round=round_,
        area=location,
        organisation=organisation,
        programme=plan.programme,
        assessed_on=round_.period_end,
        status=AssessmentStatus.DRAFT,
        source=SOURCE,
        source_key=row.location_pcode,
    )
    return []


def _check_assessment(
    actor: Any,
    organisation: Organisation,
    row: MasterRow,
    assessment: LocationAssessment,
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
                % {"code": row.location_pcode, "other": assessment.organisation.code},
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


def _existing_groups(
    assessments: Iterable[LocationAssessment],
) -> dict[tuple[int, str, str, str, str], PopulationGroup]:
    """The stored population groups of these assessments by (assessment id, row key parts)."""
    found = {}
    for batch in _batched(assessment.pk for assessment in assessments):
        queryset = (
            PopulationGroup.objects.filter(assessment_id__in=batch)
            .select_related("origin_area", "displacement_period")
            .only(
                "pk",
                "assessment_id",
                "population_type",
                "shelter_category",
                "families",
                "individuals",
                "individuals_estimated",
                "source_key",
                "origin_area__pcode",
                "displacement_period__code",
            )
        )
        for group in queryset:
            key = (
                group.assessment_id,
                group.population_type,
                group.origin_area.pcode if group.origin_area_id else "",
                group.displacement_period.code if group.displacement_period_id else "",
                group.shelter_category,
            )
            found[key] = group
    return found


def _plan_group(
    row: MasterRow,
    areas: dict[str, AdminArea],
    periods: dict[str, DisplacementPeriod],
    origin: AdminArea | None,
    assessments: dict[int, LocationAssessment],
    groups: dict[tuple[int, str, str, str, str], PopulationGroup],
    plan: _Plan,
) -> None:
    if row.individuals is None:
        individuals = estimate_individuals(row.families, row.shelter_category)
        estimated = True
    else:
        individuals, estimated = row.individuals, False
    location = areas[row.location_pcode]
    assessment = assessments.get(location.pk) if location.pk else None
    existing = None
    if assessment is not None:
        existing = groups.get(
            (
                assessment.pk,
                row.population_type,
                row.origin_pcode,
                row.period_code,
                row.shelter_category,
            )
        )
    values = {
        "families": row.families,
        "individuals": individuals,
        "individuals_estimated": estimated,
    }
    if existing is None:
        group = PopulationGroup(
            population_type=row.population_type,
            origin_area=origin,
            displacement_period=periods.get(row.period_code) if row.period_code else None,
            shelter_category=row.shelter_category,
            source_key="|".join(row.key),
            **values,
        )
        if assessment is not None:
            group.assessment = assessment
        else:
            group._location_pcode = row.location_pcode  # its assessment is saved in _write
        plan.create.append((row, group))
        return
    changes = {
        name: [getattr(existing, name), value]
        for name, value in values.items()
        if getattr(existing, name) != value
    }
    if changes:
        for name, value in values.items():
            setattr(existing, name, value)
        plan.update.append((row, existing, changes))


def _validate(instances: Iterable[models.Model], exclude: set[str]) -> None:
    """Field validators as a guard (the parser applies them already); no queries."""
    for instance in instances:
        try:
            models.Model.clean_fields(instance, exclude=exclude)
        except ValidationError as error:  # pragma: no cover - the parser's checks come first
            raise ValidationError(
                _("%(object)s: %(errors)s") % {"object": instance, "errors": error}
            ) from error


def _write(
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    filename: str,
    plan: _Plan,
    notify: ProgressCallback,
    total: int,
) -> None:
    context = {"import": SOURCE, "source": filename, "round": round_.number}
    entries = []
    locations = list(plan.new_locations.values())
    _validate(locations, {"parent", "path", "search_text", "boundary"})
    for location in locations:
        location.parent_id = location.parent.pk
    AdminArea.objects.bulk_create(locations, batch_size=BATCH_SIZE)
    for location in locations:
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.CREATE,
                instance=location,
                changes={
                    key: [None, value]
                    for key, value in audit.snapshot(
                        location,
                        ["pcode", "level", "parent", "name_en", "name_ar", "latitude", "longitude"],
                    ).items()
                },
                context={**context, "row": plan.location_rows[location.pcode]},
            )
        )
    notify(0, total, _("Saving %(count)d new locations") % {"count": len(locations)})

    new_assessments = list(plan.new_assessments.values())
    for assessment in new_assessments:
        assessment.area_id = assessment.area.pk
    _validate(new_assessments, {"round", "area", "organisation", "programme", "monitor"})
    LocationAssessment.objects.bulk_create(new_assessments, batch_size=BATCH_SIZE)
    for assessment in new_assessments:
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.CREATE,
                instance=assessment,
                changes={key: [None, value] for key, value in audit.snapshot(assessment).items()},
                context=context,
            )
        )
    notify(0, total, _("Saving %(count)d new assessments") % {"count": len(new_assessments)})

    assessment_of = dict(plan.new_assessments)
    to_create = []
    for _row, group in plan.create:
        pcode = getattr(group, "_location_pcode", None)
        if pcode is not None:
            group.assessment = assessment_of[pcode]
        to_create.append(group)
    _validate(to_create, {"assessment", "origin_area", "displacement_period"})
    done = 0
    for start in range(0, len(to_create), BATCH_SIZE):
        batch = to_create[start : start + BATCH_SIZE]
        PopulationGroup.objects.bulk_create(batch)
        done += len(batch)
        notify(done, total, _("Saving population rows"))
    for row, group in plan.create:
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.CREATE,
                instance=group,
                organisation_id=organisation.pk,
                changes={key: [None, value] for key, value in audit.snapshot(group).items()},
                context={**context, "row": row.row},
            )
        )
    updated = [group for _row, group, _changes in plan.update]
    _validate(updated, {"assessment", "origin_area", "displacement_period"})
    PopulationGroup.objects.bulk_update(updated, list(COMPARED_FIELDS), batch_size=BATCH_SIZE)
    for row, group, changes in plan.update:
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=group,
                organisation_id=organisation.pk,
                changes=changes,
                context={**context, "row": row.row},
            )
        )
    if updated:
        LocationAssessment.objects.filter(pk__in={group.assessment_id for group in updated}).update(
            updated_at=timezone.now()
        )
    audit.record_many(entries, batch_size=BATCH_SIZE)
