"""Loading Kobo submissions into a round: each submission becomes (or updates) its location's
assessment, with its population groups, needs and intentions, through the displacement services
(validated, scoped, audited). All or nothing: one transaction, rolled back on any error or in a
dry run. Idempotent by ``_uuid`` (the assessment's ``source_key``, ``source="kobo"``): loading the
same submissions again changes nothing and writes no audit row. A submission is the whole
assessment: rows it no longer has are deleted (counted as updated)."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from marsad.core.errors import error_text
from marsad.displacement import services
from marsad.displacement.estimates import estimate_individuals
from marsad.displacement.importers.report import ImportReport
from marsad.displacement.kobo.exports import read_export
from marsad.displacement.kobo.submissions import (
    Submission,
    SubmissionError,
    check,
    parse,
    results_of,
)
from marsad.displacement.models import (
    AssessmentRound,
    LocationAssessment,
    PopulationType,
    RoundStatus,
)
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme

SOURCE = "kobo"
PROGRESS_EVERY = 25
ProgressCallback = Callable[[int, int, str], None]


def _changed(instance: models.Model, data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if getattr(instance, key) != value}


class _Loader:
    def __init__(
        self,
        *,
        actor: Any,
        round_: AssessmentRound,
        organisation: Organisation,
        programme: Programme | None,
        format: str,
    ) -> None:
        self.actor = actor
        self.round = round_
        self.organisation = organisation
        self.programme = programme
        self.report = ImportReport(format=format)

    def load(
        self, submission: Submission, areas: dict[str, AdminArea], periods: dict[str, Any]
    ) -> None:
        location = areas[submission.location_pcode]
        data = {
            "assessed_on": submission.assessed_on,
            "monitor_name": submission.monitor_name,
            "method": submission.method,
            "key_informants": submission.key_informants,
            "documentation_status": submission.documentation_status,
            "property_status": submission.property_status,
            "security_notes": submission.security_notes,
            "access_notes": submission.access_notes,
            "source": SOURCE,
            "source_key": submission.uuid,
        }
        assessment = (
            LocationAssessment.objects.filter(round=self.round, area=location)
            .select_related("round", "area")
            .first()
        )
        created = assessment is None
        if created:
            assessment = services.assessment_create(
                actor=self.actor,
                data={
                    **data,
                    "round": self.round,
                    "area": location,
                    "organisation": self.organisation,
                    **({"programme": self.programme} if self.programme else {}),
                },
            )
            self.report.assessments_created += 1
        else:
            changes = _changed(assessment, data)
            if changes:
                assessment = services.assessment_update(
                    actor=self.actor, instance=assessment, data=changes
                )
        self._population(assessment, submission, areas, periods)
        self._needs(assessment, submission)
        self._intentions(assessment, submission)
        if created:
            services.assessment_submit(actor=self.actor, instance=assessment)

    def _population(
        self,
        assessment: LocationAssessment,
        submission: Submission,
        areas: dict[str, AdminArea],
        periods: dict[str, Any],
    ) -> None:
        existing = {
            (
                group.population_type,
                group.origin_area.pcode if group.origin_area else "",
                group.displacement_period.code if group.displacement_period else "",
                group.shelter_category,
            ): group
            for group in assessment.population_groups.select_related(
                "origin_area", "displacement_period"
            )
        }
        for row in submission.population:
            group = existing.pop(row.key, None)
            if group is None:
                services.population_group_save(
                    actor=self.actor,
                    assessment=assessment,
                    data={
                        "population_type": row.population_type,
                        "origin_area": areas.get(row.origin_pcode),
                        "displacement_period": periods.get(row.displacement_period),
                        "shelter_category": row.shelter_category,
                        "families": row.families,
                        "individuals": row.individuals,
                    },
                )
                self.report.created += 1
                continue
            if row.individuals is None:
                wanted = (estimate_individuals(row.families, row.shelter_category), True)
            else:
                wanted = (row.individuals, False)
            if (group.families, group.individuals, group.individuals_estimated) == (
                row.families,
                *wanted,
            ):
                self.report.unchanged += 1
                continue
            services.population_group_save(
                actor=self.actor,
                assessment=assessment,
                instance=group,
                data={"families": row.families, "individuals": row.individuals},
            )
            self.report.updated += 1
        for group in existing.values():
            services.population_group_delete(actor=self.actor, instance=group)
            self.report.updated += 1

    def _needs(self, assessment: LocationAssessment, submission: Submission) -> None:
        existing = {need.sector: need for need in assessment.needs.all()}
        for sector, priority in submission.needs.items():
            need = existing.pop(sector, None)
            if need is None:
                services.need_save(
                    actor=self.actor,
                    assessment=assessment,
                    data={"sector": sector, "priority": priority},
                )
            elif need.priority != priority:
                services.need_save(
                    actor=self.actor,
                    assessment=assessment,
                    instance=need,
                    data={"priority": priority},
                )
        for need in existing.values():
            services.need_delete(actor=self.actor, instance=need)

    def _intentions(self, assessment: LocationAssessment, submission: Submission) -> None:
        existing = {
            intention.intention: intention
            for intention in assessment.intentions.filter(population_type=PopulationType.IDP)
        }
        for choice, families in submission.intentions.items():
            intention = existing.pop(choice, None)
            if intention is None:
                services.intention_save(
                    actor=self.actor,
                    assessment=assessment,
                    data={
                        "population_type": PopulationType.IDP,
                        "intention": choice,
                        "families": families,
                    },
                )
            elif intention.families != families:
                services.intention_save(
                    actor=self.actor,
                    assessment=assessment,
                    instance=intention,
                    data={"families": families},
                )
        for intention in existing.values():
            services.intention_delete(actor=self.actor, instance=intention)


def _check_round(round: AssessmentRound) -> AssessmentRound:
    round_ = AssessmentRound.objects.get(pk=round.pk)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(
            {
                "round": _(
                    "Round %(number)d is %(status)s; submissions can be imported only into an "
                    "open round."
                )
                % {"number": round_.number, "status": RoundStatus(round_.status).label.lower()}
            }
        )
    return round_


def _require_importer(actor: Any) -> None:
    if not services.is_reference_holder(actor):
        raise PermissionDenied(
            _("Only IM officers and system administrators may import Kobo submissions.")
        )


def submissions_import(
    *,
    actor: Any,
    round: AssessmentRound,
    organisation: Organisation,
    submissions: Any,
    source: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    programme: Programme | None = None,
) -> ImportReport:
    """Import Kobo API v2 submissions (a page, a list of pages or a list of results) into
    ``round`` for ``organisation`` (new assessments in ``programme`` when given); ``source``
    names where they came from (a file or a URL) in errors. Nothing is written when any
    submission has an error, nor in a dry run."""
    _require_importer(actor)
    round_ = _check_round(round)
    try:
        results = results_of(submissions)
    except ValueError as error:
        report = ImportReport(format=SOURCE, dry_run=dry_run)
        report.errors.append(SubmissionError(row=0, column="", message=f"{source}: {error}"))
        return report
    return _load(
        actor=actor,
        round_=round_,
        organisation=organisation,
        programme=programme,
        results=results,
        format=SOURCE,
        dry_run=dry_run,
        progress=progress,
    )


def files_import(
    *,
    actor: Any,
    round: AssessmentRound,
    organisation: Organisation,
    files: list[tuple[str, bytes]],
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    programme: Programme | None = None,
) -> ImportReport:
    """Import the submissions in ``files`` — (name, content) pairs: a Kobo JSON file, a Kobo
    XLSX export, or the CSV files of a Kobo or ODK Central export, loose or zipped (see
    ``kobo.exports``) — exactly as ``submissions_import`` does: all or nothing, idempotent by
    the submission's instance ID, every error by sheet, row and field."""
    _require_importer(actor)
    round_ = _check_round(round)
    data = read_export(files)
    try:
        results = results_of(data.results)
    except ValueError as error:
        data.errors.append(SubmissionError(row=0, column="", message=f"{files[0][0]}: {error}"))
    if data.errors:
        report = ImportReport(format=data.format or SOURCE, dry_run=dry_run)
        report.errors = data.errors
        return report
    return _load(
        actor=actor,
        round_=round_,
        organisation=organisation,
        programme=programme,
        results=results,
        format=data.format,
        dry_run=dry_run,
        progress=progress,
    )


def _load(
    *,
    actor: Any,
    round_: AssessmentRound,
    organisation: Organisation,
    programme: Programme | None,
    results: list[Any],
    format: str,
    dry_run: bool,
    progress: ProgressCallback | None,
) -> ImportReport:
    parsed, errors = parse(results)
    areas, periods, found = check(parsed, round_=round_)
    errors += found
    loader = _Loader(
        actor=actor,
        round_=round_,
        organisation=organisation,
        programme=programme,
        format=format,
    )
    loader.report.rows = len(results)
    loader.report.dry_run = dry_run
    broken = {error.row for error in errors}
    total = len(parsed)
    with transaction.atomic():
        for done, submission in enumerate(parsed, start=1):
            if submission.number not in broken:
                try:
                    with transaction.atomic():
                        loader.load(submission, areas, periods)
                except (ValidationError, PermissionDenied) as error:
                    errors.append(submission.error("", error_text(error)))
            if progress and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total, _("Checking and loading submissions"))
        loader.report.errors = sorted(errors, key=lambda error: error.row)
        if loader.report.errors or dry_run:
            transaction.set_rollback(True)
    if loader.report.errors:
        loader.report.created = loader.report.updated = loader.report.unchanged = 0
        loader.report.assessments_created = 0
    return loader.report
