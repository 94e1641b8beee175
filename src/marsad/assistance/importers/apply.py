"""Importing a completed distribution list into an approved plan: read the file, check every
row, then record each receipt through ``receipt_record`` (so every receipt is validated,
scoped, checked against double assistance and audited), all in one transaction.

All or nothing: if any row has an error, every error is reported and nothing is written. The
rows that can be recorded are recorded anyway inside the transaction before it is rolled back,
so one pass reports every error — a double assistance included, whether the earlier receipt
was recorded before or comes from an earlier row of the same file.

Idempotent: each row keeps its key (``row_key``, or a hash of the row) as the receipt's source
key, which a plan takes once; a row whose key the plan already has is left unchanged (a
correction is made on the receipt, not by importing the row again). A dry run does the whole
import and rolls it back, so it reports exactly what the import would do.

A row that repeats an earlier receipt in the cycle is refused, naming that receipt, unless it
gives an ``override_reason`` and the importing user is a supervisor (``plans.is_supervisor``);
the receipt is then recorded as an override. The command line without ``--user`` is the system,
a supervisor.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from marsad.assistance.importers import columns
from marsad.assistance.importers.report import ReceiptListReport
from marsad.assistance.importers.rows import ReceiptRow, parse_table
from marsad.assistance.models import AssistancePlan, AssistanceType, PlanItem, PlanStatus, Receipt
from marsad.assistance.plans import is_supervisor
from marsad.assistance.receipts import AlreadyAssisted, receipt_record
from marsad.core import audit, services
from marsad.core.models import AuditAction
from marsad.core.roles import Capability
from marsad.core.scoping import CHANGE, VIEW, can, has_capability, scope
from marsad.core.tables import RowError, read_table, row_errors
from marsad.linkage import normalise
from marsad.registry.models import Household, IdentityDocument, Person

ProgressCallback = Callable[[int, int, str], None]

BATCH = 500
# Where a complaint of ``receipt_record`` about a field points in the file.
FIELD_COLUMNS = {
    "received_on": columns.RECEIVED_ON,
    "person": columns.PERSON,
    "quantity": columns.QUANTITY,
    "item": columns.ASSISTANCE,
    "household": columns.REGISTRATION_NUMBER,
    "source_key": columns.ROW_KEY,
    "recorded_by": columns.RECORDER,
    NON_FIELD_ERRORS: "",
}


class _RolledBack(Exception):
    """Leaves the import's transaction so that it is rolled back (dry run, or an error)."""


def _batched(items: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def find_plan(value: Any) -> AssistancePlan | None:
    """A plan by its code (any case) or, failing that, by its number."""
    text = str(value or "").strip()
    if not text:
        return None
    found = AssistancePlan.objects.filter(code__iexact=text).first()
    if found is None and text.isdigit():
        found = AssistancePlan.objects.filter(pk=int(text)).first()
    return found


IMPORT_CAPABILITIES = (Capability.CHANGE_RECORDS, Capability.VIEW_PII)


def may_import(user: Any) -> bool:
    """Whether the user's roles let them import distribution lists at all (change records and
    see personal data); the plan decides the rest."""
    return all(has_capability(user, capability) for capability in IMPORT_CAPABILITIES)


def check_may_import(actor: Any, plan: AssistancePlan) -> None:
    """Refuse a user who may not record receipts for ``plan`` (``None`` is the command line),
    and a plan that does not take receipts."""
    if actor is not None and not can(actor, CHANGE, plan):
        raise PermissionDenied(
            _("You may record receipts only for plans of your organisation, in your scope.")
        )
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError(
            _("Receipts are recorded only for approved plans; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )


def _sorted(errors: list[RowError]) -> list[RowError]:
    order = {column: position for position, column in enumerate(columns.COLUMNS)}
    return sorted(errors, key=lambda error: (error.row, order.get(error.column, -1)))


class _Checks:
    """What a row needs from the database: its household, item, person and recorder, and
    whether the plan already has its key. Each lookup is a few batched queries for the whole
    file; a problem is a row error."""

    def __init__(self, actor: Any, plan: AssistancePlan, rows: list[ReceiptRow]) -> None:
        self.actor = actor
        self.plan = plan
        self.rows = rows
        self.errors: list[RowError] = []
        self.items = {item.assistance_type: item for item in plan.items.order_by("assistance_type")}
        self.imported = self._imported()
        pending = [row for row in rows if row.key not in self.imported]
        self.households = self._households(pending)
        self.persons = self._persons(pending)
        self.recorders = self._recorders(pending)
        self.item_of: dict[int, PlanItem] = {}
        for row in pending:
            self._check_plan(row)
            self._check_item(row)

    def error(self, row: ReceiptRow, column: str, message: str) -> None:
        self.errors.append(RowError(row.row, column, message))
        row.ok = False

    def _imported(self) -> set[str]:
        keys: set[str] = set()
        for batch in _batched(sorted({row.key for row in self.rows})):
            keys.update(
                Receipt.objects.filter(plan=self.plan, source_key__in=batch).values_list(
                    "source_key", flat=True
                )
            )
        return keys

    def _check_plan(self, row: ReceiptRow) -> None:
        if row.plan_code and row.plan_code.upper() != self.plan.code.upper():
            self.error(
                row,
                columns.PLAN,
                _("this row is for plan %(row_plan)s, but the list is imported into %(plan)s")
                % {"row_plan": row.plan_code, "plan": self.plan.code},
            )

    def _check_item(self, row: ReceiptRow) -> None:
        given = ", ".join(str(AssistanceType(kind).label) for kind in self.items)
        if not row.assistance_text:
            if len(self.items) == 1:
                self.item_of[row.row] = next(iter(self.items.values()))
            else:
                self.error(
                    row,
                    columns.ASSISTANCE,
                    _("empty; plan %(plan)s gives %(items)s: say which this row received")
                    % {"plan": self.plan.code, "items": given},
                )
            return
        if row.assistance is None:
            return  # unreadable: reported with the row's cells
        item = self.items.get(row.assistance)
        if item is None:
            self.error(
                row,
                columns.ASSISTANCE,
                _("plan %(plan)s gives no %(assistance)s; it gives %(items)s")
                % {
                    "plan": self.plan.code,
                    "assistance": AssistanceType(row.assistance).label,
                    "items": given,
                },
            )
            return
        self.item_of[row.row] = item

    def _households(self, rows: list[ReceiptRow]) -> dict[str, Household]:
        """The households the rows name that the user may see, by the number as written."""
        wanted = {row.registration_number for row in rows if row.registration_number}
        spellings = wanted | {number.upper() for number in wanted}
        queryset = Household.objects.all()
        if self.actor is not None:
            queryset = scope(queryset, self.actor, VIEW)
        by_number: dict[str, Household] = {}
        for batch in _batched(sorted(spellings)):
            by_number.update(
                (household.registration_number, household)
                for household in queryset.filter(registration_number__in=batch)
            )
        found = {}
        for row in rows:
            number = row.registration_number
            if not number:
                continue
            household = by_number.get(number) or by_number.get(number.upper())
            if household is None:
                self.error(
                    row,
                    columns.REGISTRATION_NUMBER,
                    _("no household you may see has the registration number %(value)s")
                    % {"value": number},
                )
                continue
            found[number] = household
        return found

    def household(self, row: ReceiptRow) -> Household | None:
        return self.households.get(row.registration_number)

    def _persons(self, rows: list[ReceiptRow]) -> dict[int, Person]:
        """The member each row names, by row number."""
        named = [row for row in rows if row.person and self.household(row) is not None]
        household_ids = sorted({self.household(row).pk for row in named})  # type: ignore[union-attr]
        members: dict[int, list[Person]] = defaultdict(list)
        for batch in _batched(household_ids):
            for person in Person.objects.filter(household_id__in=batch, is_active=True).order_by(
                "pk"
            ):
                members[person.household_id].append(person)
        documents: dict[int, set[str]] = defaultdict(set)
        person_ids = sorted(person.pk for group in members.values() for person in group)
        for batch in _batched(person_ids):
            for person_id, number in IdentityDocument.objects.filter(
                person_id__in=batch
            ).values_list("person_id", "number_normalised"):
                documents[person_id].add(number)
        found: dict[int, Person] = {}
        for row in named:
            household = self.household(row)
            assert household is not None
            matches = _matching_members(row.person, members[household.pk], documents)
            if len(matches) == 1:
                found[row.row] = matches[0]
            elif not matches:
                self.error(
                    row,
                    columns.PERSON,
                    _(
                        "%(value)s is not an active member of household %(household)s; give the "
                        "member's national ID number or name as registered"
                    )
                    % {"value": row.person, "household": household.registration_number},
                )
            else:
                self.error(
                    row,
                    columns.PERSON,
                    _(
                        "%(value)s fits %(count)d members of household %(household)s; give more "
                        "of the name, or the national ID number"
                    )
                    % {
                        "value": row.person,
                        "count": len(matches),
                        "household": household.registration_number,
                    },
                )
        return found

    def _recorders(self, rows: list[ReceiptRow]) -> dict[str, Any]:
        """The users the rows name as recorders; each must be able to record for the plan."""
        names = sorted({row.recorder for row in rows if row.recorder})
        users = {}
        for batch in _batched(names):
            wanted = Q(pk__in=[])
            for name in batch:
                wanted |= Q(username__iexact=name)
            users.update(
                (user.username.lower(), user)
                for user in get_user_model().objects.filter(wanted, is_active=True)
            )
        allowed = {key: can(user, CHANGE, self.plan) for key, user in users.items()}
        found = {}
        for row in rows:
            if not row.recorder:
                continue
            key = row.recorder.lower()
            if key not in users:
                self.error(
                    row,
                    columns.RECORDER,
                    _("%(value)s is not the user name of an active user") % {"value": row.recorder},
                )
            elif not allowed[key]:
                self.error(
                    row,
                    columns.RECORDER,
                    _("%(value)s may not record receipts for plan %(plan)s")
                    % {"value": row.recorder, "plan": self.plan.code},
                )
            else:
                found[row.recorder] = users[key]
        return found


def _name_forms(person: Person) -> set[str]:
    """What a list may call a member: the given name, followed by the father's, grandfather's
    and family names (each prefix), or the given and family names; in normal and Latin form."""
    parts = [person.given_name, person.father_name, person.grandfather_name, person.family_name]
    present = [part for part in parts if part]
    names = {" ".join(present[:length]) for length in range(1, len(present) + 1)}
    if person.family_name:
        names.add(f"{person.given_name} {person.family_name}")
    forms = set()
    for name in names:
        forms.add(normalise.normalise(name))
        forms.add(normalise.romanise(name))
    forms.discard("")
    return forms


def _matching_members(
    text: str, members: list[Person], documents: dict[int, set[str]]
) -> list[Person]:
    number = normalise.normalise_id(text)
    if number and any(char.isdigit() for char in number):
        by_document = [member for member in members if number in documents[member.pk]]
        if by_document:
            return by_document
    wanted = {normalise.normalise(text), normalise.romanise(text)} - {""}
    return [member for member in members if wanted & _name_forms(member)]


def receipt_list_import(
    *,
    actor: Any,
    plan: AssistancePlan,
    content: bytes,
    filename: str,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ReceiptListReport:
    """Import a completed distribution list (CSV or XLSX, one row per receipt, the columns of
    ``columns.COLUMNS``) into the approved ``plan``. See the module."""
    plan = AssistancePlan.objects.select_related("programme", "organisation").get(pk=plan.pk)
    check_may_import(actor, plan)
    notify = progress or (lambda done, total, message: None)
    table = read_table(content, filename)
    report = ReceiptListReport(
        plan=plan.code,
        dry_run=dry_run,
        format=table.format,
        encoding=table.encoding,
        rows=len(table.records),
    )
    total = report.rows
    notify(0, total, _("Checking %(count)d rows") % {"count": total})
    parsed = parse_table(table)
    errors = parsed.errors
    if table.errors or not parsed.rows:
        report.errors = _sorted(errors)
        return report
    checks = _Checks(actor, plan, parsed.rows)
    errors += checks.errors
    writer = _Writer(actor=actor, plan=plan, checks=checks, report=report)
    try:
        with transaction.atomic():
            for done, row in enumerate(parsed.rows, start=1):
                if row.key in checks.imported:
                    report.unchanged += 1
                elif row.ok and row.row not in parsed.repeated:
                    writer.write(row)
                notify(
                    done,
                    total,
                    _("%(done)d of %(total)d rows checked") % {"done": done, "total": total},
                )
            report.errors = _sorted(errors + report.errors)
            if report.errors or dry_run:
                raise _RolledBack
            if report.receipts_created:
                audit.record(
                    actor=actor,
                    action=AuditAction.IMPORT,
                    object_type="assistance.receiptlist",
                    object_repr=f"{plan.code}: {filename}"[:255],
                    organisation_id=plan.organisation_id,
                    context={
                        "filename": filename,
                        "plan": plan.code,
                        **{k: v for k, v in report.as_dict().items() if k != "errors"},
                    },
                )
    except _RolledBack:
        if report.errors:
            report.receipts_created = report.overrides = 0
    notify(total, total, report.summary if report.ok else report.error_header)
    return report


class _Writer:
    """Records one row at a time through ``receipt_record``, each in a savepoint so that a
    refusal is reported as a row error and the other rows are still checked."""

    def __init__(
        self, *, actor: Any, plan: AssistancePlan, checks: _Checks, report: ReceiptListReport
    ) -> None:
        self.actor = actor
        self.plan = plan
        self.checks = checks
        self.report = report
        self.supervisor = is_supervisor(actor)
        self.rows_of: dict[int, int] = {}  # receipt recorded by this import → its row

    def write(self, row: ReceiptRow) -> None:
        household = self.checks.household(row)
        item = self.checks.item_of.get(row.row)
        if household is None or item is None:  # pragma: no cover - such a row is not ok
            return
        reason = row.override_reason if self.supervisor else ""
        try:
            with transaction.atomic():
                receipt = receipt_record(
                    actor=self.actor,
                    plan=self.plan,
                    item=item,
                    household=household,
                    received_on=row.received_on,  # type: ignore[arg-type]
                    quantity=row.quantity,
                    person=self.checks.persons.get(row.row),
                    id_checked=row.id_checked,
                    signed=row.signed,
                    thumbprint=row.thumbprint,
                    override_reason=reason,
                    source_key=row.key,
                )
                recorder = self.checks.recorders.get(row.recorder)
                if recorder is not None and recorder != receipt.recorded_by:
                    receipt = services.record_update(
                        actor=self.actor, instance=receipt, data={"recorded_by": recorder}
                    )
        except AlreadyAssisted as refusal:
            self.report.errors.append(
                RowError(row.row, columns.REGISTRATION_NUMBER, self._refusal(row, refusal))
            )
            return
        except ValidationError as error:
            if _duplicate_key(error):  # imported meanwhile by another import of the list
                self.report.unchanged += 1
                return
            self.report.errors += row_errors(error, row.row, FIELD_COLUMNS)
            return
        except PermissionDenied as error:
            self.report.errors.append(RowError(row.row, "", str(error)))
            return
        self.rows_of[receipt.pk] = row.row
        self.report.receipts_created += 1
        self.report.overrides += int(receipt.override)

    def _refusal(self, row: ReceiptRow, refusal: AlreadyAssisted) -> str:
        earlier = refusal.receipt
        earlier_row = self.rows_of.get(earlier.pk)
        if earlier_row is None:
            message = refusal.messages[0]
        else:
            household = self.checks.household(row)
            values = {
                "household": household.registration_number if household else "",
                "other": earlier.household.registration_number,
                "assistance": AssistanceType(earlier.assistance_type).label,
                "row": earlier_row,
            }
            if household is not None and earlier.household_id == household.pk:
                message = (
                    _(
                        "Household %(household)s already receives %(assistance)s on row "
                        "%(row)d of this list; a household receives it once in a cycle."
                    )
                    % values
                )
            else:
                message = (
                    _(
                        "Household %(household)s is linked to household %(other)s (the same "
                        "people registered again), which receives %(assistance)s on row "
                        "%(row)d of this list; a household receives it once in a cycle."
                    )
                    % values
                )
        if row.override_reason and not self.supervisor:
            message += " " + _(
                "Only a programme manager, an IM officer or a system administrator may import "
                "a row as an override; the override reason on this row was not accepted."
            )
        elif earlier_row is not None:
            message += " " + _(
                "Keep one of the rows, or give an override reason (supervisors only)."
            )
        return message


def _duplicate_key(error: ValidationError) -> bool:
    if not hasattr(error, "error_dict"):
        return False
    return any(
        item.code == "duplicate_source_key" for item in error.error_dict.get("source_key", [])
    )
