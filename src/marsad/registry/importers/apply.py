"""Importing a source list: read the file, check every row, then register each new household
through ``registry.services`` (so every record is validated, scoped and audited), all in one
transaction.

All or nothing: if any row has an error, every error is reported and nothing is written.
Idempotent: a row whose key (``record_id``, or a hash of the row) was already received from the
organisation as this kind of source is left unchanged; new rows of a household already received
join that household. A dry run does the whole import and rolls it back, so it reports exactly
what the import would do.
"""

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from marsad.core import audit
from marsad.core.models import AuditAction, Sensitivity
from marsad.core.roles import Capability
from marsad.core.scoping import can_create, has_capability, is_superuser, membership_scopes
from marsad.core.tables import RowError, read_table, row_errors
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation, Programme
from marsad.registry import services
from marsad.registry.importers import columns
from marsad.registry.importers.report import SourceListReport
from marsad.registry.importers.rows import HouseholdRows, Parsed, SourceRow, parse_table
from marsad.registry.models import Household, SourceKind, SourceRecord

ProgressCallback = Callable[[int, int, str], None]

IMPORT_KINDS = (
    SourceKind.MINISTRY,
    SourceKind.ASSESSMENT,
    SourceKind.DISTRIBUTION,
    SourceKind.PARTNER,
)
BATCH = 500
# Where a service's complaint about a field points in the file.
FIELD_COLUMNS = {
    "area": "location_pcode",
    "origin_area": "origin_pcode",
    "size": "household_size",
    "members": "relationship",
    "number": "national_id",
    NON_FIELD_ERRORS: "",
}


class _RolledBack(Exception):
    """Leaves the import's transaction so that it is rolled back (dry run, or an error)."""


def _batched(items: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


IMPORT_CAPABILITIES = (Capability.CHANGE_RECORDS, Capability.VIEW_PII)


def may_import(user: Any) -> bool:
    """Whether the user's roles let them import source lists at all (change records and see
    personal data)."""
    return all(has_capability(user, capability) for capability in IMPORT_CAPABILITIES)


def import_organisations(user: Any) -> Any:
    """The organisations whose lists the user may import: those where one of their memberships
    changes records and sees personal data (every active one, for a superuser)."""
    organisations = Organisation.objects.filter(is_active=True)
    if not is_superuser(user):
        organisations = organisations.filter(
            pk__in=[
                scope.organisation_id
                for scope in membership_scopes(user)
                if all(capability in scope.capabilities for capability in IMPORT_CAPABILITIES)
            ]
        )
    return organisations.order_by("code")


def check_may_import(actor: Any, organisation: Organisation, programme: Programme | None) -> None:
    """Refuse a user who may register households for ``organisation`` nowhere (``None`` is the
    command line). A user narrowed to areas passes here; each household's area is checked
    against the memberships later."""
    if actor is None:
        return
    owner = {
        "organisation": organisation,
        "programme": programme,
        "sensitivity": Sensitivity.NORMAL,
    }
    if can_create(actor, Household, **owner):
        return
    paths = [path for scope in membership_scopes(actor) for path in scope.area_paths]
    if any(
        can_create(actor, Household, area=area, **owner)
        for area in AdminArea.objects.filter(path__in=paths)
    ):
        return
    raise PermissionDenied(
        _("You may not register households for %(organisation)s.")
        % {"organisation": organisation.code}
    )


def _areas(parsed: Parsed, errors: list[RowError]) -> dict[str, AdminArea]:
    """The admin areas the file names, by P-code; an unknown P-code is an error where written."""
    codes = {
        value
        for row in parsed.rows
        for column in ("location_pcode", "origin_pcode")
        if (value := row.household.get(column, ("", ""))[1])
    }
    areas: dict[str, AdminArea] = {}
    for batch in _batched(sorted(codes)):
        areas.update((area.pcode, area) for area in AdminArea.objects.filter(pcode__in=batch))
    for row in parsed.rows:
        for column in ("location_pcode", "origin_pcode"):
            if column in row.household and row.household[column][1] not in areas:
                errors.append(
                    RowError(
                        row.row,
                        column,
                        _("%(value)s is not a known P-code") % {"value": row.household[column][0]},
                    )
                )
    return areas


def _received(organisation: Organisation, kind: str, keys: Iterable[str]) -> dict[str, int | None]:
    """The keys already received from this organisation as this kind of source, with the
    household each resolved to."""
    received: dict[str, int | None] = {}
    for batch in _batched(keys):
        received.update(
            SourceRecord.objects.filter(
                organisation=organisation, kind=kind, source_key__in=batch
            ).values_list("source_key", "household_id")
        )
    return received


def _check_locations_given(
    parsed: Parsed, received: dict[str, int | None], errors: list[RowError]
) -> None:
    """A new household needs the place it lives now; new rows of a household received before
    join it where it is."""
    for household in parsed.households:
        if household.values.get("location_pcode"):
            continue
        if any(received.get(row.key) for row in household.rows):
            continue
        errors.append(
            RowError(
                household.first_row,
                "location_pcode",
                _("empty; give the P-code of the place where the household lives now"),
            )
        )


def _check_areas_allowed(
    actor: Any,
    organisation: Organisation,
    programme: Programme | None,
    parsed: Parsed,
    areas: dict[str, AdminArea],
    errors: list[RowError],
) -> None:
    if actor is None:
        return
    allowed: dict[str, bool] = {}
    for household in parsed.households:
        area = areas.get(household.values.get("location_pcode") or "")
        if area is None:
            continue
        if area.pcode not in allowed:
            allowed[area.pcode] = can_create(
                actor,
                Household,
                organisation=organisation,
                programme=programme,
                area=area,
                sensitivity=Sensitivity.NORMAL,
            )
        if not allowed[area.pcode]:
            errors.append(
                RowError(
                    household.first_row,
                    "location_pcode",
                    _("you may not register households of %(organisation)s in %(area)s")
                    % {"organisation": organisation.code, "area": area.pcode},
                )
            )


def _sorted(errors: list[RowError]) -> list[RowError]:
    order = {column: position for position, column in enumerate(columns.COLUMNS)}
    return sorted(errors, key=lambda error: (error.row, order.get(error.column, -1)))


def source_list_import(
    *,
    actor: Any,
    organisation: Organisation,
    kind: str,
    source_name: str,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
    programme: Programme | None = None,
) -> SourceListReport:
    """Import a source list (CSV or XLSX, one row per person) received from ``organisation``
    as a ``kind`` source (ministry, assessment, distribution or partner list) named
    ``source_name``; new households belong to ``programme`` when given. See the module."""
    if kind not in IMPORT_KINDS:
        raise ValidationError(
            {
                "kind": _("%(kind)s is not a kind of source list; use one of %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(IMPORT_KINDS)}
            }
        )
    check_may_import(actor, organisation, programme)
    notify = progress or (lambda done, total, message: None)
    table = read_table(content, filename)
    report = SourceListReport(
        dry_run=dry_run, format=table.format, encoding=table.encoding, rows=len(table.records)
    )
    total = report.rows
    notify(0, total, _("Checking %(count)d rows") % {"count": total})
    parsed = parse_table(table)
    errors = parsed.errors
    received = _received(organisation, kind, (row.key for row in parsed.rows))
    _check_locations_given(parsed, received, errors)
    areas = _areas(parsed, errors)
    _check_areas_allowed(actor, organisation, programme, parsed, areas, errors)
    if errors:
        report.errors = _sorted(errors)
        return report
    writer = _Writer(
        actor=actor,
        organisation=organisation,
        programme=programme,
        kind=kind,
        source_name=source_name or filename,
        areas=areas,
        received=received,
        report=report,
    )
    try:
        with transaction.atomic():
            done = 0
            for household in parsed.households:
                writer.write(household)
                done += len(household.rows)
                notify(
                    done,
                    total,
                    _("%(done)d of %(total)d rows imported") % {"done": done, "total": total},
                )
            if report.errors or dry_run:
                raise _RolledBack
            if report.households_created or report.persons_created:
                audit.record(
                    actor=actor,
                    action=AuditAction.IMPORT,
                    object_type="registry.sourcelist",
                    object_repr=(source_name or filename)[:255],
                    organisation_id=organisation.pk,
                    context={
                        "filename": filename,
                        "kind": kind,
                        "source_name": source_name,
                        "programme": programme.code if programme else None,
                        **{k: v for k, v in report.as_dict().items() if k != "errors"},
                    },
                )
    except _RolledBack:
        if report.errors:
            report.errors = _sorted(report.errors)
            report.households_created = report.persons_created = 0
    notify(total, total, report.summary if report.ok else report.error_header)
    return report


class _Writer:
    """Writes one household at a time through the registry's services, each in a savepoint so
    that a refusal is reported as a row error and the other households are still checked."""

    def __init__(
        self,
        *,
        actor: Any,
        organisation: Organisation,
        programme: Programme | None,
        kind: str,
        source_name: str,
        areas: dict[str, AdminArea],
        received: dict[str, int | None],
        report: SourceListReport,
    ) -> None:
        self.actor = actor
        self.organisation = organisation
        self.programme = programme
        self.kind = kind
        self.source_name = source_name
        self.areas = areas
        self.received = received
        self.report = report

    def source(self, row: SourceRow) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source_name": self.source_name,
            "source_key": row.key,
            "payload": row.payload,
        }

    def write(self, household: HouseholdRows) -> None:
        new = [row for row in household.rows if row.key not in self.received]
        self.report.unchanged += len(household.rows) - len(new)
        if not new:
            return
        known = next(
            (self.received[r.key] for r in household.rows if self.received.get(r.key)), None
        )
        try:
            with transaction.atomic():
                if known is not None:
                    self._add_members(Household.objects.get(pk=known), new)
                else:
                    self._register(household, new)
        except ValidationError as error:
            self.report.errors += row_errors(error, household.first_row, FIELD_COLUMNS)
        except PermissionDenied as error:
            self.report.errors.append(RowError(household.first_row, "", str(error)))

    def _register(self, household: HouseholdRows, rows: list[SourceRow]) -> None:
        values = household.values
        data = {
            "organisation": self.organisation,
            "programme": self.programme,
            "area": self.areas[values["location_pcode"]],
            "origin_area": self.areas.get(values.get("origin_pcode") or ""),
            "address": values.get("address", ""),
            "displacement_date": values.get("displacement_date"),
            "size": values.get("household_size") or len(household.rows),
            "shelter_type": values.get("shelter_type", ""),
            "status": values.get("status") or "displaced",
        }
        members = [{**row.person, "source": self.source(row)} for row in rows]
        services.household_register(actor=self.actor, data=data, members=members)
        self.report.households_created += 1
        self.report.persons_created += len(rows)

    def _add_members(self, household: Household, rows: list[SourceRow]) -> None:
        """Rows of a household received before: the new ones join it as members."""
        for row in rows:
            person = services.person_add(actor=self.actor, household=household, data=row.person)
            household.refresh_from_db(fields=["size"])
            services.source_record_receive(
                actor=self.actor,
                organisation=household.organisation,
                programme=household.programme,
                area=household.area,
                household=household,
                person=person,
                **self.source(row),
            )
            self.report.persons_created += 1
