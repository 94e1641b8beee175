"""Writing a checked master-list plan with the ORM, in bulk, on any database (SQLite's path;
PostgreSQL uses ``write_pg``). Also the steps both writers share: new locations (a first import
only) and changed figures (a re-import of corrected rows), which are few."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.models import AuditAction, AuditEntry
from marsad.displacement.importers.plan import (
    BATCH_SIZE,
    COMPARED_FIELDS,
    SOURCE,
    Plan,
    ProgressCallback,
)
from marsad.displacement.models import (
    AssessmentRound,
    AssessmentStatus,
    LocationAssessment,
    PopulationGroup,
)
from marsad.geo.models import AdminArea, AreaLevel
from marsad.geo.normalise import search_text
from marsad.partners.models import Organisation

LOCATION_AUDIT_FIELDS = ["pcode", "level", "parent", "name_en", "name_ar", "latitude", "longitude"]


def import_context(round_: AssessmentRound, filename: str) -> dict[str, Any]:
    """The context every audit row of one import carries (plus ``row`` where one row caused it)."""
    return {"import": SOURCE, "source": filename, "round": round_.number}


def validate(instances: Iterable[models.Model], exclude: set[str]) -> None:
    """Field validators as a guard (the parser applies them already); no queries."""
    for instance in instances:
        try:
            models.Model.clean_fields(instance, exclude=exclude)
        except ValidationError as error:  # pragma: no cover - the parser's checks come first
            raise ValidationError(
                _("%(object)s: %(errors)s") % {"object": instance, "errors": error}
            ) from error


def save_new_locations(
    actor: Any,
    round_: AssessmentRound,
    filename: str,
    plan: Plan,
    notify: ProgressCallback,
    total: int,
) -> list[AuditEntry]:
    """Create the file's new locations (setting their ids in ``plan.areas``); their audit rows."""
    context = import_context(round_, filename)
    locations = []
    for pcode, (row, parent) in plan.new_locations.items():
        locations.append(
            AdminArea(
                pcode=pcode,
                level=AreaLevel.LOCATION,
                parent_id=parent.pk,
                name_en=row.location_name,
                name_ar=row.location_name_ar,
                latitude=row.latitude,
                longitude=row.longitude,
                path=plan.areas[pcode].path,
                search_text=search_text(row.location_name, row.location_name_ar),
            )
        )
    validate(locations, {"parent", "path", "search_text", "boundary"})
    AdminArea.objects.bulk_create(locations, batch_size=BATCH_SIZE)
    entries = []
    for location in locations:
        plan.areas[location.pcode].pk = location.pk
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.CREATE,
                instance=location,
                changes={
                    key: [None, value]
                    for key, value in audit.snapshot(location, LOCATION_AUDIT_FIELDS).items()
                },
                context={**context, "row": plan.new_locations[location.pcode][0].row},
            )
        )
    notify(0, total, _("Saving %(count)d new locations") % {"count": len(locations)})
    return entries


def save_updates(
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    filename: str,
    plan: Plan,
) -> list[AuditEntry]:
    """Store the changed figures of existing population groups; their audit rows."""
    if not plan.update:
        return []
    context = import_context(round_, filename)
    updated = []
    entries = []
    for row, group, changes in plan.update:
        instance = PopulationGroup(
            pk=group.pk,
            assessment_id=group.assessment_id,
            population_type=group.population_type,
            families=group.families,
            individuals=group.individuals,
            individuals_estimated=group.individuals_estimated,
        )
        updated.append(instance)
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.UPDATE,
                instance=instance,
                organisation_id=organisation.pk,
                changes=changes,
                context={**context, "row": row.row},
            )
        )
    validate(updated, {"assessment", "origin_area", "displacement_period"})
    PopulationGroup.objects.bulk_update(updated, list(COMPARED_FIELDS), batch_size=BATCH_SIZE)
    LocationAssessment.objects.filter(pk__in={group.assessment_id for group in updated}).update(
        updated_at=timezone.now()
    )
    return entries


def new_assessment(
    round_: AssessmentRound, organisation: Organisation, plan: Plan, pcode: str = ""
) -> LocationAssessment:
    """A new assessment of the import (``pcode`` is its location's); unsaved."""
    return LocationAssessment(
        round=round_,
        organisation=organisation,
        programme=plan.programme,
        assessed_on=round_.period_end,
        status=AssessmentStatus.DRAFT,
        source=SOURCE,
        source_key=pcode,
    )


def write(
    *,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    filename: str,
    plan: Plan,
    notify: ProgressCallback,
    total: int,
) -> None:
    """Write ``plan`` with bulk ORM statements and one audit row per record (see ``apply``)."""
    context = import_context(round_, filename)
    entries = save_new_locations(actor, round_, filename, plan, notify, total)

    areas = plan.areas
    stored = AdminArea.objects.filter(
        pk__in=[areas[pcode].pk for pcode in plan.new_assessments]
    ).only("pk", "pcode", "name_en", "name_ar", "name_ku")
    location_of = {area.pcode: area for area in stored}
    new_assessments = []
    for pcode in plan.new_assessments:
        assessment = new_assessment(round_, organisation, plan, pcode)
        assessment.area = location_of[pcode]
        new_assessments.append(assessment)
    validate(new_assessments, {"round", "area", "organisation", "programme", "monitor"})
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

    assessment_of = {assessment.source_key: assessment.pk for assessment in new_assessments}
    periods = plan.periods
    to_create = []
    for new in plan.create:
        row = new.row
        to_create.append(
            PopulationGroup(
                assessment_id=new.assessment_id or assessment_of[row.location_pcode],
                population_type=row.population_type,
                origin_area_id=areas[row.origin_pcode].pk if row.origin_pcode else None,
                displacement_period_id=periods[row.period_code] if row.period_code else None,
                shelter_category=row.shelter_category,
                source_key="|".join(row.key),
                families=row.families,
                individuals=new.individuals,
                individuals_estimated=new.individuals_estimated,
            )
        )
    validate(to_create, {"assessment", "origin_area", "displacement_period"})
    done = 0
    for start in range(0, len(to_create), BATCH_SIZE):
        batch = to_create[start : start + BATCH_SIZE]
        PopulationGroup.objects.bulk_create(batch)
        done += len(batch)
        notify(done, total, _("Saving population rows"))
    for new, group in zip(plan.create, to_create, strict=True):
        entries.append(
            audit.build(
                actor=actor,
                action=AuditAction.CREATE,
                instance=group,
                organisation_id=organisation.pk,
                changes={key: [None, value] for key, value in audit.snapshot(group).items()},
                context={**context, "row": new.row.row},
            )
        )
    entries += save_updates(actor, round_, organisation, filename, plan)
    audit.record_many(entries, batch_size=BATCH_SIZE)
