"""Every write to displacement tracking: rounds and their status, location assessments and their
workflow (draft → submitted → validated → published), population groups, needs, intentions, and
the master-list import. Each step is validated, scoped and audited in one transaction."""

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import dateformat
from django.utils.translation import gettext as _

from marsad.core import audit, middleware, services
from marsad.core.models import AuditAction
from marsad.core.scoping import CHANGE, can
from marsad.displacement.estimates import estimate_individuals
from marsad.displacement.importers import ImportReport, RowError
from marsad.displacement.importers.apply import masterlist_apply
from marsad.displacement.models import (
    AssessmentRound,
    AssessmentStatus,
    Intention,
    LocationAssessment,
    PopulationGroup,
    RoundStatus,
    SectorNeed,
)
from marsad.displacement.permissions import is_reference_holder
from marsad.geo.models import AreaLevel
from marsad.partners.models import Organisation, Programme

__all__ = [
    "ImportReport",
    "RowError",
    "assessment_create",
    "assessment_publish",
    "assessment_return",
    "assessment_submit",
    "assessment_update",
    "assessment_validate",
    "intention_delete",
    "intention_save",
    "masterlist_import",
    "need_delete",
    "need_save",
    "population_group_delete",
    "population_group_save",
    "round_create",
    "round_set_status",
    "round_update",
]

ProgressCallback = Callable[[int, int, str], None]

# Round status changes allowed: open → closed → published; closed → open (reopen).
ROUND_TRANSITIONS = {
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.OPEN, RoundStatus.PUBLISHED},
    RoundStatus.PUBLISHED: set(),
}

# Fields set by the workflow steps only, never by an update.
WORKFLOW_FIELDS = ("status",)


# --- Helpers ----------------------------------------------------------------------------------


def day(value: datetime.date) -> str:
    """A date in words, e.g. "3 March 2008" (month in the active language)."""
    return dateformat.format(value, "j F Y")


def period_text(round_: AssessmentRound) -> str:
    """A round's period in words, e.g. "1 January – 28 January 2008"."""
    start, end = round_.period_start, round_.period_end
    first = dateformat.format(start, "j F") if start.year == end.year else day(start)
    return f"{first} – {day(end)}"


def _require_reference(actor: Any, message: str) -> None:
    if not is_reference_holder(actor):
        raise PermissionDenied(message)


def _refuse_workflow_fields(data: Mapping[str, Any], instance: models.Model | None = None) -> None:
    for name in WORKFLOW_FIELDS:
        if name in data and (instance is None or data[name] != getattr(instance, name)):
            raise ValidationError(
                {
                    name: _(
                        "The status is changed by the workflow steps (submit, validate, publish, "
                        "return), not by editing."
                    )
                }
            )


# --- Rounds -----------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *,
    actor: Any,
    number: int,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    notes: str = "",
) -> AssessmentRound:
    """Open a new assessment round (IM officers and system administrators)."""
    _require_reference(actor, _("Only IM officers and system administrators may add rounds."))
    if period_end < period_start:
        raise ValidationError(
            {
                "period_end": _("The round ends on %(end)s, before it starts on %(start)s.")
                % {"end": day(period_end), "start": day(period_start)}
            }
        )
    return services.record_create(
        actor=actor,
        model=AssessmentRound,
        data={
            "number": number,
            "kind": kind,
            "period_start": period_start,
            "period_end": period_end,
            "notes": notes,
            "status": RoundStatus.OPEN,
        },
    )


@transaction.atomic
def round_update(*, actor: Any, instance: AssessmentRound, data: dict) -> AssessmentRound:
    """Change a round's number, kind, period or notes; its status changes by ``round_set_status``.

    The period cannot shrink past the assessments already dated in the round.
    """
    _require_reference(actor, _("Only IM officers and system administrators may change rounds."))
    if "status" in data and data["status"] != instance.status:
        raise ValidationError(
            {"status": _("Change a round's status with open, close or publish, not by editing.")}
        )
    data = {key: value for key, value in data.items() if key != "status"}
    start = data.get("period_start", instance.period_start)
    end = data.get("period_end", instance.period_end)
    if start and end and ("period_start" in data or "period_end" in data):
        outside = (
            LocationAssessment.objects.filter(round=instance)
            .exclude(assessed_on__range=(start, end))
            .order_by("assessed_on")
        )
        count = outside.count()
        if count:
            first = outside.first()
            field_name = "period_start" if first.assessed_on < start else "period_end"
            raise ValidationError(
                {
                    field_name: _(
                        "%(count)d assessment(s) of this round are dated outside %(start)s – "
                        "%(end)s (the first on %(first)s); correct them first."
                    )
                    % {
                        "count": count,
                        "start": day(start),
                        "end": day(end),
                        "first": day(first.assessed_on),
                    }
                }
            )
    return services.record_update(actor=actor, instance=instance, data=data)


@transaction.atomic
def round_set_status(*, actor: Any, instance: AssessmentRound, status: str) -> AssessmentRound:
    """open → closed → published; a closed round may be reopened until it is published."""
    _require_reference(
        actor, _("Only IM officers and system administrators may open, close or publish rounds.")
    )
    if status not in RoundStatus.values:
        raise ValidationError(
            {
                "status": _("%(status)s is not a round status; use one of %(choices)s.")
                % {"status": status, "choices": ", ".join(RoundStatus.values)}
            }
        )
    current = AssessmentRound.objects.select_for_update().get(pk=instance.pk)
    if status not in ROUND_TRANSITIONS[RoundStatus(current.status)]:
        if current.status == RoundStatus.PUBLISHED:
            message = _("Round %(number)d is published; its status cannot change any more.")
        elif current.status == status:
            message = _("Round %(number)d is already %(status)s.")
        else:
            message = _("Round %(number)d is %(current)s; it cannot go straight to %(status)s.")
        raise ValidationError(
            {
                "status": message
                % {
                    "number": current.number,
                    "status": RoundStatus(status).label.lower(),
                    "current": RoundStatus(current.status).label.lower(),
                }
            }
        )
    return services.record_update(actor=actor, instance=current, data={"status": status})


# --- Location assessments ---------------------------------------------------------------------


def check_assessment_values(values: Mapping[str, Any], *, actor: Any, creating: bool) -> None:
    """The round is open (or a reference holder corrects it), the area is a location and the
    date falls inside the round."""
    round_ = values.get("round")
    area = values.get("area")
    assessed_on = values.get("assessed_on")
    errors: dict[str, str] = {}
    if isinstance(round_, AssessmentRound):
        if round_.status != RoundStatus.OPEN and (creating or not is_reference_holder(actor)):
            errors["round"] = _(
                "Round %(number)d is %(status)s; assessments can be added or changed only while "
                "the round is open."
            ) % {"number": round_.number, "status": RoundStatus(round_.status).label.lower()}
        if isinstance(assessed_on, datetime.date) and not (
            round_.period_start <= assessed_on <= round_.period_end
        ):
            errors["assessed_on"] = _("%(date)s is outside round %(number)d (%(period)s).") % {
                "date": day(assessed_on),
                "number": round_.number,
                "period": period_text(round_),
            }
    if area is not None and getattr(area, "level", AreaLevel.LOCATION) != AreaLevel.LOCATION:
        errors["area"] = _(
            "%(area)s is a %(level)s; an assessment is made of a location (a village or "
            "neighbourhood)."
        ) % {"area": area.pcode, "level": str(AreaLevel(area.level).label).lower()}
    if errors:
        raise ValidationError(errors)


def check_editable(actor: Any, assessment: LocationAssessment) -> None:
    """The editing rule: nobody changes a published assessment; roles without
    CHANGE_REFERENCE change only drafts, in an open round, within their scope."""
    if actor is not None and not can(actor, CHANGE, assessment):
        raise PermissionDenied(_("You may not change this assessment."))
    if assessment.status == AssessmentStatus.PUBLISHED:
        raise ValidationError(
            {
                "status": _(
                    "The assessment of %(location)s in round %(number)d is published; published "
                    "figures cannot be changed."
                )
                % {"location": assessment.area.pcode, "number": assessment.round.number}
            }
        )
    if is_reference_holder(actor):
        return
    if assessment.status != AssessmentStatus.DRAFT:
        raise PermissionDenied(
            _(
                "This assessment is %(status)s; only an IM officer can correct it now (or return "
                "it to you as a draft)."
            )
            % {"status": AssessmentStatus(assessment.status).label.lower()}
        )
    if assessment.round.status != RoundStatus.OPEN:
        raise PermissionDenied(
            _("Round %(number)d is %(status)s; only an IM officer can correct it now.")
            % {
                "number": assessment.round.number,
                "status": RoundStatus(assessment.round.status).label.lower(),
            }
        )


@transaction.atomic
def assessment_create(*, actor: Any, data: dict) -> LocationAssessment:
    """A new draft assessment of a location in an open round (dated within the round)."""
    data = dict(data)
    if data.get("status", AssessmentStatus.DRAFT) != AssessmentStatus.DRAFT:
        _refuse_workflow_fields(data)
    data["status"] = AssessmentStatus.DRAFT
    check_assessment_values(data, actor=actor, creating=True)
    return services.record_create(actor=actor, model=LocationAssessment, data=data)


@transaction.atomic
def assessment_update(
    *, actor: Any, instance: LocationAssessment, data: dict
) -> LocationAssessment:
    """Change an assessment under the editing rule; the audit log keeps before and after."""
    instance = LocationAssessment.objects.select_related("round", "area").get(pk=instance.pk)
    check_editable(actor, instance)
    _refuse_workflow_fields(data, instance)
    merged = {
        "round": instance.round,
        "area": instance.area,
        "assessed_on": instance.assessed_on,
        **data,
    }
    check_assessment_values(merged, actor=actor, creating=False)
    return services.record_update(actor=actor, instance=instance, data=data)


def _transition(
    *,
    actor: Any,
    instance: LocationAssessment,
    allowed_from: tuple[str, ...],
    to: str,
    step: str,
    **context: Any,
) -> LocationAssessment:
    current = (
        LocationAssessment.objects.select_for_update(of=("self",))
        .select_related("round", "area")
        .get(pk=instance.pk)
    )
    if actor is not None and not can(actor, CHANGE, current):
        raise PermissionDenied(_("You may not change this assessment."))
    if current.status not in allowed_from:
        raise ValidationError(
            {
                "status": _(
                    "The assessment is %(status)s; only an assessment that is %(allowed)s can be "
                    "%(step)s."
                )
                % {
                    "status": AssessmentStatus(current.status).label.lower(),
                    "allowed": _(" or ").join(
                        str(AssessmentStatus(value).label).lower() for value in allowed_from
                    ),
                    "step": step,
                }
            }
        )
    with middleware.audit_context(workflow=to, **context):
        return services.record_update(actor=actor, instance=current, data={"status": to})


@transaction.atomic
def assessment_submit(*, actor: Any, instance: LocationAssessment) -> LocationAssessment:
    """draft → submitted; an assessment must have at least one population group."""
    if not PopulationGroup.objects.filter(assessment_id=instance.pk).exists():
        raise ValidationError(
            {
                "population_groups": _(
                    "Add at least one population group (families by type, origin and shelter) "
                    "before submitting."
                )
            }
        )
    return _transition(
        actor=actor,
        instance=instance,
        allowed_from=(AssessmentStatus.DRAFT,),
        to=AssessmentStatus.SUBMITTED,
        step=_("submitted"),
    )


@transaction.atomic
def assessment_validate(*, actor: Any, instance: LocationAssessment) -> LocationAssessment:
    """submitted → validated (IM officers and system administrators)."""
    _require_reference(
        actor, _("Only IM officers and system administrators may validate assessments.")
    )
    return _transition(
        actor=actor,
        instance=instance,
        allowed_from=(AssessmentStatus.SUBMITTED,),
        to=AssessmentStatus.VALIDATED,
        step=_("validated"),
    )


@transaction.atomic
def assessment_publish(*, actor: Any, instance: LocationAssessment) -> LocationAssessment:
    """validated → published (IM officers and system administrators)."""
    _require_reference(
        actor, _("Only IM officers and system administrators may publish assessments.")
    )
    return _transition(
        actor=actor,
        instance=instance,
        allowed_from=(AssessmentStatus.VALIDATED,),
        to=AssessmentStatus.PUBLISHED,
        step=_("published"),
    )


@transaction.atomic
def assessment_return(
    *, actor: Any, instance: LocationAssessment, reason: str
) -> LocationAssessment:
    """submitted/validated → draft, with the reason kept in the audit log."""
    _require_reference(
        actor, _("Only IM officers and system administrators may return assessments.")
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why the assessment goes back, so the monitor knows what to fix.")}
        )
    return _transition(
        actor=actor,
        instance=instance,
        allowed_from=(AssessmentStatus.SUBMITTED, AssessmentStatus.VALIDATED),
        to=AssessmentStatus.DRAFT,
        step=_("returned"),
        reason=reason,
    )


# --- Rows of an assessment: population groups, needs, intentions ------------------------------


def _locked_assessment(actor: Any, assessment: LocationAssessment) -> LocationAssessment:
    assessment = (
        LocationAssessment.objects.select_for_update(of=("self",))
        .select_related("round", "area")
        .get(pk=assessment.pk)
    )
    check_editable(actor, assessment)
    return assessment


def _row_create(*, actor: Any, assessment: LocationAssessment, instance: models.Model) -> Any:
    """Create a row of an assessment (already checked editable): validate, save, audit.

    ``core.services.record_create`` cannot be used here: its scope check reads the owner from
    the data, and a row's owner is its assessment's.
    """
    instance.full_clean()
    instance.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=instance,
        organisation_id=assessment.organisation_id,
        changes={key: [None, value] for key, value in audit.snapshot(instance).items()},
        context={"assessment": assessment.pk},
    )
    return instance


def _row_save(
    *,
    actor: Any,
    assessment: LocationAssessment,
    model: type[models.Model],
    data: Mapping[str, Any],
    instance: models.Model | None,
) -> Any:
    data = {key: value for key, value in data.items() if key not in ("assessment", "id")}
    if instance is not None and instance.assessment_id != assessment.pk:
        raise ValidationError({"assessment": _("This row belongs to another assessment.")})
    assessment = _locked_assessment(actor, assessment)
    if instance is None:
        return _row_create(
            actor=actor, assessment=assessment, instance=model(assessment=assessment, **data)
        )
    return services.record_update(actor=actor, instance=instance, data=data)


def _row_delete(*, actor: Any, instance: Any) -> None:
    _locked_assessment(actor, instance.assessment)
    services.record_delete(actor=actor, instance=instance)


def _individuals_check(families: Any, individuals: Any) -> None:
    if (
        isinstance(families, int)
        and isinstance(individuals, int)
        and families >= 0
        and individuals < families
    ):
        raise ValidationError(
            {
                "individuals": _(
                    "%(individuals)d individuals is fewer than the %(families)d families; every "
                    "family has at least one person."
                )
                % {"individuals": individuals, "families": families}
            }
        )


@transaction.atomic
def population_group_save(
    *,
    actor: Any,
    assessment: LocationAssessment,
    data: dict,
    instance: PopulationGroup | None = None,
) -> PopulationGroup:
    """Add or change a population group. Without ``individuals`` (missing or None) they are
    estimated from families (household-size multipliers) and marked estimated."""
    data = dict(data)
    families = data.get("families", instance.families if instance else None)
    shelter = data.get("shelter_category", instance.shelter_category if instance else "")
    estimate = data.get("individuals") is None and (
        "individuals" in data or instance is None or instance.individuals_estimated
    )
    if estimate:
        if isinstance(families, int) and families >= 0:
            data["individuals"] = estimate_individuals(families, shelter or "")
        else:
            data.pop("individuals", None)
        data["individuals_estimated"] = True
    elif "individuals" in data:
        data["individuals_estimated"] = False
    _individuals_check(
        families, data.get("individuals", instance.individuals if instance else None)
    )
    return _row_save(
        actor=actor, assessment=assessment, model=PopulationGroup, data=data, instance=instance
    )


@transaction.atomic
def population_group_delete(*, actor: Any, instance: PopulationGroup) -> None:
    _row_delete(actor=actor, instance=instance)


@transaction.atomic
def need_save(
    *,
    actor: Any,
    assessment: LocationAssessment,
    data: dict,
    instance: SectorNeed | None = None,
) -> SectorNeed:
    """Add or change a sector need (priority and/or severity 1–5)."""
    merged = {
        "priority": instance.priority if instance else None,
        "severity": instance.severity if instance else None,
        **data,
    }
    if merged["priority"] is None and merged["severity"] is None:
        raise ValidationError({"priority": _("Give the need a priority, a severity or both.")})
    return _row_save(
        actor=actor, assessment=assessment, model=SectorNeed, data=data, instance=instance
    )


@transaction.atomic
def need_delete(*, actor: Any, instance: SectorNeed) -> None:
    _row_delete(actor=actor, instance=instance)


@transaction.atomic
def intention_save(
    *,
    actor: Any,
    assessment: LocationAssessment,
    data: dict,
    instance: Intention | None = None,
) -> Intention:
    """Add or change how many families of a population type intend to return, stay or move."""
    return _row_save(
        actor=actor, assessment=assessment, model=Intention, data=data, instance=instance
    )


@transaction.atomic
def intention_delete(*, actor: Any, instance: Intention) -> None:
    _row_delete(actor=actor, instance=instance)


# --- Master list import -----------------------------------------------------------------------


def masterlist_import(
    *,
    actor: Any,
    round: AssessmentRound,
    organisation: Organisation,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    programme: Programme | None = None,
) -> ImportReport:
    """Import a master list (CSV or XLSX) into ``round`` for ``organisation`` (new assessments in
    ``programme`` when given): all or nothing, idempotent by row key, every error reported by
    row and column. See ``importers``."""
    _require_reference(
        actor, _("Only IM officers and system administrators may import master lists.")
    )
    round_ = AssessmentRound.objects.get(pk=round.pk)
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(
            {
                "round": _(
                    "Round %(number)d is %(status)s; a master list can be imported only into an "
                    "open round."
                )
                % {"number": round_.number, "status": RoundStatus(round_.status).label.lower()}
            }
        )
    return masterlist_apply(
        actor=actor,
        round_=round_,
        organisation=organisation,
        content=content,
        filename=filename,
        dry_run=dry_run,
        progress=progress,
        programme=programme,
    )
