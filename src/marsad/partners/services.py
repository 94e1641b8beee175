"""Writes on organisations, programmes, funding and focal points — each scoped, validated and
audited through ``core.services`` — and the idempotent loader for partner reference documents."""

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from marsad.core import audit, services
from marsad.core.models import AuditAction
from marsad.core.scoping import CHANGE, can, can_create
from marsad.partners.loading import SECTIONS, Plan, parse_document
from marsad.partners.models import Contact, Funding, FundingKind, Organisation, Programme
from marsad.partners.rules import (
    country_error,
    currency_error,
    donor_error,
    lead_unit_error,
    partner_ministry_error,
)
from marsad.partners.selectors import usage_of

Errors = dict[str, list[str]]


# --- Helpers -------------------------------------------------------------------------------------


def _add(errors: Errors, field: str, message: str | None) -> None:
    if message:
        errors.setdefault(field, []).append(message)


def _organisations(values: Iterable[Any] | None) -> list[Organisation]:
    """Organisations given as instances or primary keys, as instances."""
    items = list(values or [])
    pks = [item for item in items if not isinstance(item, Organisation)]
    fetched = {org.pk: org for org in Organisation.objects.filter(pk__in=pks)} if pks else {}
    return [item if isinstance(item, Organisation) else fetched[item] for item in items]


def _field_errors(instance: models.Model) -> Errors:
    """The model's field and uniqueness errors, by field, to show with the domain rules' errors.

    The check constraints are left out: the domain rules repeat them with the field named."""
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as error:
        return {key: list(messages) for key, messages in error.message_dict.items()}
    return {}


def _merge(first: Errors, second: Errors) -> Errors:
    merged = {key: list(messages) for key, messages in first.items()}
    for key, messages in second.items():
        merged.setdefault(key, []).extend(
            message for message in messages if message not in merged[key]
        )
    return merged


def _raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _current(instance: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """The instance's values with ``data`` applied (many-to-many read when not given)."""
    values: dict[str, Any] = {}
    for model_field in instance._meta.concrete_fields:
        values[model_field.name] = getattr(instance, model_field.name)
    for model_field in instance._meta.many_to_many:
        if model_field.name not in data:
            values[model_field.name] = list(getattr(instance, model_field.name).all())
    values.update(data)
    return values


def _copy_with(instance: models.Model, values: Mapping[str, Any]) -> models.Model:
    """An unsaved copy of ``instance`` carrying ``values`` (concrete fields only), to validate."""
    names = {model_field.name for model_field in instance._meta.concrete_fields}
    copy = type(instance)(**{key: value for key, value in values.items() if key in names})
    copy.pk = instance.pk
    copy._state.adding = False
    return copy


def _require_create(actor: Any, model: type[models.Model]) -> None:
    if actor is not None and not can_create(actor, model):
        raise PermissionDenied(
            _("Your role may not add %(things)s.") % {"things": model._meta.verbose_name_plural}
        )


def _require_change(actor: Any, instance: models.Model) -> None:
    if actor is not None and not can(actor, CHANGE, instance):
        raise PermissionDenied(
            _("Your role may not change this %(thing)s.") % {"thing": instance._meta.verbose_name}
        )


def _refuse_if_used(instance: Organisation | Programme) -> None:
    """Raise ProtectedError naming what still uses ``instance`` (many-to-many uses too)."""
    usage = usage_of(instance)
    if not usage:
        return
    described = ", ".join(f"{item.count} {item.label}" for item in usage)
    message = _(
        "%(name)s cannot be deleted: it is still used by %(usage)s. Remove or reassign those "
        "first, or mark it inactive instead."
    ) % {"name": getattr(instance, "code", str(instance)), "usage": described}
    samples = [obj for item in usage for obj in item.samples]
    raise ProtectedError(message, samples)


# --- Organisations -------------------------------------------------------------------------------


def organisation_errors(values: Mapping[str, Any], pk: int | None) -> Errors:
    """The domain rules on an organisation's values (``pk``: the one being changed, if any)."""
    errors: Errors = {}
    _add(errors, "country", country_error(values.get("country") or ""))
    parent = values.get("parent")
    seen = {pk} if pk is not None else set()
    while parent is not None:
        if parent.pk in seen:
            _add(errors, "parent", _("An organisation cannot be part of itself."))
            break
        seen.add(parent.pk)
        parent = parent.parent
    return errors


def _normalise_organisation(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if isinstance(values.get("country"), str):
        values["country"] = values["country"].strip().upper()
    if isinstance(values.get("code"), str):
        values["code"] = values["code"].strip()
    return values


@transaction.atomic
def organisation_create(*, actor: Any, data: Mapping[str, Any]) -> Organisation:
    """Add an organisation (fields of ``Organisation``; ``parent`` as an instance or None)."""
    _require_create(actor, Organisation)
    values = _normalise_organisation(data)
    errors = organisation_errors(values, None)
    if errors:
        errors = _merge(_field_errors(Organisation(**values)), errors)
    _raise_if(errors)
    return services.record_create(actor=actor, model=Organisation, data=values)


@transaction.atomic
def organisation_update(
    *, actor: Any, instance: Organisation, data: Mapping[str, Any]
) -> Organisation:
    _require_change(actor, instance)
    values = _normalise_organisation(data)
    merged = _current(instance, values)
    errors = organisation_errors(merged, instance.pk)
    if errors:
        errors = _merge(_field_errors(_copy_with(instance, merged)), errors)
    _raise_if(errors)
    return services.record_update(actor=actor, instance=instance, data=values)


@transaction.atomic
def organisation_delete(*, actor: Any, instance: Organisation) -> None:
    """Delete an unused organisation; one still used is refused (ProtectedError) naming by what."""
    _require_change(actor, instance)
    _refuse_if_used(instance)
    services.record_delete(actor=actor, instance=instance)


# --- Programmes ----------------------------------------------------------------------------------


def programme_errors(values: Mapping[str, Any]) -> Errors:
    """The domain rules on a programme's values (lead unit, ministries, donors, dates)."""
    errors: Errors = {}
    lead_unit = values.get("lead_unit")
    if lead_unit is not None:
        _add(errors, "lead_unit", lead_unit_error(lead_unit.code, lead_unit.kind))
    for ministry in _organisations(values.get("partner_ministries")):
        _add(errors, "partner_ministries", partner_ministry_error(ministry.code, ministry.kind))
    for donor in _organisations(values.get("donors")):
        _add(errors, "donors", donor_error(donor.code, donor.kind))
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        _add(errors, "end_date", _("The end date must not be before the start date."))
    return errors


@transaction.atomic
def programme_create(*, actor: Any, data: Mapping[str, Any]) -> Programme:
    """Add a programme; ``partner_ministries`` and ``donors`` are lists of organisations."""
    _require_create(actor, Programme)
    values = dict(data)
    errors = programme_errors(values)
    if errors:
        plain = {
            key: value
            for key, value in values.items()
            if key not in {"partner_ministries", "donors"}
        }
        errors = _merge(_field_errors(Programme(**plain)), errors)
    _raise_if(errors)
    return services.record_create(actor=actor, model=Programme, data=values)


@transaction.atomic
def programme_update(*, actor: Any, instance: Programme, data: Mapping[str, Any]) -> Programme:
    _require_change(actor, instance)
    merged = _current(instance, data)
    errors = programme_errors(merged)
    if errors:
        errors = _merge(_field_errors(_copy_with(instance, merged)), errors)
    _raise_if(errors)
    return services.record_update(actor=actor, instance=instance, data=data)


@transaction.atomic
def programme_delete(*, actor: Any, instance: Programme) -> None:
    """Delete a programme with no funding, memberships or records; otherwise ProtectedError."""
    _require_change(actor, instance)
    _refuse_if_used(instance)
    services.record_delete(actor=actor, instance=instance)


# --- Funding -------------------------------------------------------------------------------------


def funding_line_query(
    *, kind: str, donor: Any, programme: Any, appeal_line: str, period_start: Any
) -> models.QuerySet[Funding]:
    """Funding rows with this identity; a missing donor or start date matches a missing one."""
    return Funding.objects.filter(
        kind=kind,
        donor=donor,
        programme=programme,
        appeal_line=appeal_line,
        period_start=period_start,
    )


def funding_errors(values: Mapping[str, Any], pk: int | None) -> Errors:
    """The domain rules on a funding line's values (``pk``: the line being changed, if any)."""
    errors: Errors = {}
    _add(errors, "currency", currency_error(values.get("currency") or ""))
    donor = values.get("donor")
    if donor is None and values.get("kind", FundingKind.CONTRIBUTION) == FundingKind.CONTRIBUTION:
        _add(errors, "donor", _("A contribution needs its donor."))
    if donor is not None:
        _add(errors, "donor", donor_error(donor.code, donor.kind))
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start:
        _add(errors, "period_end", _("The period must not end before it starts."))
    programme = values.get("programme")
    if programme is not None:
        duplicates = funding_line_query(
            kind=values["kind"],
            donor=donor,
            programme=programme,
            appeal_line=values.get("appeal_line") or "",
            period_start=start,
        ).exclude(pk=pk)
        if duplicates.exists():
            _add(
                errors,
                "appeal_line",
                _(
                    "This programme already has a funding line of this kind, donor, appeal line "
                    "and period start; change that line instead."
                ),
            )
    return errors


def _normalise_funding(data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if isinstance(values.get("currency"), str):
        values["currency"] = values["currency"].strip().upper()
    return values


@transaction.atomic
def funding_create(*, actor: Any, data: Mapping[str, Any]) -> Funding:
    """Add a funding line: an appeal (donor optional) or a contribution (donor required)."""
    _require_create(actor, Funding)
    values = _normalise_funding(data)
    values.setdefault("kind", FundingKind.CONTRIBUTION)
    values.setdefault("currency", "USD")
    errors = funding_errors(values, None)
    if errors:
        errors = _merge(_field_errors(Funding(**values)), errors)
    _raise_if(errors)
    return services.record_create(actor=actor, model=Funding, data=values)


@transaction.atomic
def funding_update(*, actor: Any, instance: Funding, data: Mapping[str, Any]) -> Funding:
    _require_change(actor, instance)
    values = _normalise_funding(data)
    merged = _current(instance, values)
    errors = funding_errors(merged, instance.pk)
    if errors:
        errors = _merge(_field_errors(_copy_with(instance, merged)), errors)
    _raise_if(errors)
    return services.record_update(actor=actor, instance=instance, data=values)


@transaction.atomic
def funding_delete(*, actor: Any, instance: Funding) -> None:
    _require_change(actor, instance)
    services.record_delete(actor=actor, instance=instance)


# --- Focal points --------------------------------------------------------------------------------


@transaction.atomic
def contact_create(*, actor: Any, data: Mapping[str, Any]) -> Contact:
    """Add a focal point; the actor's role must allow its organisation, programme, area and
    sensitivity (PermissionDenied otherwise)."""
    return services.record_create(actor=actor, model=Contact, data=data)


@transaction.atomic
def contact_update(*, actor: Any, instance: Contact, data: Mapping[str, Any]) -> Contact:
    return services.record_update(actor=actor, instance=instance, data=data)


@transaction.atomic
def contact_delete(*, actor: Any, instance: Contact) -> None:
    services.record_delete(actor=actor, instance=instance)


# --- Loading a partners document -----------------------------------------------------------------


@dataclass
class LoadReport:
    """What a load did (or, for a dry run, would do), by section; ``errors`` when it refused."""

    dry_run: bool = False
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "errors": list(self.errors),
        }

    def summary(self) -> str:
        lines = []
        for section in SECTIONS:
            lines.append(
                _("%(section)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
                % {
                    "section": section,
                    "created": self.created[section],
                    "updated": self.updated[section],
                    "unchanged": self.unchanged[section],
                }
            )
        return "\n".join(lines)


class _LoadRefused(Exception):
    """Raised inside the load transaction to roll every write back."""


def _differences(instance: models.Model, values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` that differ from ``instance`` (relations compared by key)."""
    changed = {}
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if model_field.many_to_many:
            current = set(getattr(instance, name).values_list("pk", flat=True))
            if current != {item.pk for item in value}:
                changed[name] = value
        elif model_field.is_relation:
            if getattr(instance, model_field.attname) != getattr(value, "pk", None):
                changed[name] = value
        elif getattr(instance, name) != value:
            changed[name] = value
    return changed


def _upsert(
    *,
    actor: Any,
    report: LoadReport,
    section: str,
    existing: models.Model | None,
    values: dict[str, Any],
    create: Any,
    update: Any,
) -> models.Model:
    if existing is None:
        report.created[section] += 1
        return create(actor=actor, data=values)
    changed = _differences(existing, values)
    if not changed:
        report.unchanged[section] += 1
        return existing
    report.updated[section] += 1
    return update(actor=actor, instance=existing, data=changed)


def _write_organisations(actor: Any, plan: Plan, report: LoadReport) -> None:
    pending = list(plan.organisations)
    in_document = {row.code for row in pending}
    written: set[str] = set()
    while pending:
        # Parents first: a row waits until the organisation it is part of has been written.
        ready = [
            row
            for row in pending
            if not row.parent or row.parent not in in_document or row.parent in written
        ]
        for row in ready:
            values = dict(row.values)
            if row.parent is not None:
                values["parent"] = Organisation.objects.get(code=row.parent) if row.parent else None
            with _row(report, row.path):
                _upsert(
                    actor=actor,
                    report=report,
                    section="organisations",
                    existing=Organisation.objects.filter(code=row.code).first(),
                    values=values,
                    create=organisation_create,
                    update=organisation_update,
                )
            written.add(row.code)
        pending = [row for row in pending if row.code not in written]
        if not ready:  # parse_document reports loops first; this is the last guard
            report.errors.extend(
                f"{row.path}.parent: " + _("the parents form a loop") for row in pending
            )
            raise _LoadRefused


def _write_programmes(actor: Any, plan: Plan, report: LoadReport) -> None:
    organisations = {org.code: org for org in Organisation.objects.all()}
    for row in plan.programmes:
        values: dict[str, Any] = {**row.values, "lead_unit": organisations[row.lead_unit]}
        if row.partner_ministries is not None:
            values["partner_ministries"] = [organisations[c] for c in row.partner_ministries]
        if row.donors is not None:
            values["donors"] = [organisations[c] for c in row.donors]
        with _row(report, row.path):
            _upsert(
                actor=actor,
                report=report,
                section="programmes",
                existing=Programme.objects.filter(code=row.code).first(),
                values=values,
                create=programme_create,
                update=programme_update,
            )


def _write_funding(actor: Any, plan: Plan, report: LoadReport) -> None:
    organisations = {org.code: org for org in Organisation.objects.all()}
    programmes = {programme.code: programme for programme in Programme.objects.all()}
    for row in plan.funding:
        identity = {
            "kind": row.kind,
            "donor": organisations[row.donor] if row.donor else None,
            "programme": programmes[row.programme],
            "appeal_line": row.appeal_line,
            "period_start": row.period_start,
        }
        with _row(report, row.path):
            _upsert(
                actor=actor,
                report=report,
                section="funding",
                existing=funding_line_query(**identity).first(),
                values={**identity, **row.values},
                create=funding_create,
                update=funding_update,
            )


@contextlib.contextmanager
def _row(report: LoadReport, path: str) -> Iterator[None]:
    """Turns a refusal while writing one row into errors naming the row, and stops the load."""
    try:
        yield
    except ValidationError as error:
        messages = (
            error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        )
        for name, texts in messages.items():
            where = path if name == "__all__" else f"{path}.{name}"
            report.errors.extend(f"{where}: {text}" for text in texts)
        raise _LoadRefused from error
    except PermissionDenied as error:
        report.errors.append(f"{path}: {error}")
        raise _LoadRefused from error


def partners_load(*, actor: Any, data: Any, dry_run: bool = False, source: str = "") -> LoadReport:
    """Load a partners document (the shape of ``data/demo_partners.json``) idempotently.

    Organisations and programmes are matched by code, funding lines by kind, donor, programme,
    appeal line and period start. Nothing is written when any row has an error (each reported
    with its path, e.g. ``programmes[3].donors[1]: unknown organisation code "XYZ"``); a second
    load of the same document creates and updates nothing and writes no audit row. A dry run
    reports what would change and writes nothing.
    """
    report = LoadReport(dry_run=dry_run)
    plan = parse_document(data)
    if plan.errors:
        report.errors = plan.errors
        return report
    try:
        with transaction.atomic():
            _write_organisations(actor, plan, report)
            _write_programmes(actor, plan, report)
            _write_funding(actor, plan, report)
            if report.changed and not dry_run:
                audit.record(
                    actor=actor,
                    action=AuditAction.IMPORT,
                    object_type="partners.document",
                    object_repr=(source or _("partners document"))[:255],
                    context={"source": source, **report.as_dict()},
                )
            if dry_run:
                raise _LoadRefused
    except _LoadRefused:
        if report.errors:
            for counts in (report.created, report.updated, report.unchanged):
                counts.update(dict.fromkeys(SECTIONS, 0))
    return report
