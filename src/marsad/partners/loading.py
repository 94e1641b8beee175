"""Reading and checking a partners document (organisations, programmes, funding) before anything is
written: every field, every reference and every domain rule, each error with its path.

The document has the shape of ``data/demo_partners.json``. A row sets only the keys it gives, so a
document that leaves out e.g. ``description`` leaves that field as it is on an existing record.
``services.partners_load`` writes the checked plan.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from marsad.partners.models import (
    Funding,
    FundingKind,
    Organisation,
    OrganisationKind,
    Programme,
)
from marsad.partners.rules import (
    country_error,
    currency_error,
    donor_error,
    lead_unit_error,
    partner_ministry_error,
)

SECTIONS = ("organisations", "programmes", "funding")
MISSION_PARENT_CODE = "IOM"

TEXT, DATE, CODE, CODES, AMOUNT, BOOLEAN = "text", "date", "code", "codes", "amount", "boolean"

ORGANISATION_FIELDS = {
    "code": TEXT,
    "kind": TEXT,
    "acronym": TEXT,
    "name_en": TEXT,
    "name_ar": TEXT,
    "name_ku": TEXT,
    "country": TEXT,
    "website": TEXT,
    "parent": CODE,
    "is_active": BOOLEAN,
}
PROGRAMME_FIELDS = {
    "code": TEXT,
    "name_en": TEXT,
    "name_ar": TEXT,
    "name_ku": TEXT,
    "description": TEXT,
    "lead_unit": CODE,
    "partner_ministries": CODES,
    "donors": CODES,
    "start_date": DATE,
    "end_date": DATE,
}
FUNDING_FIELDS = {
    "kind": TEXT,
    "donor": CODE,
    "programme": CODE,
    "amount": AMOUNT,
    "currency": TEXT,
    "period_start": DATE,
    "period_end": DATE,
    "appeal_line": TEXT,
    "source_note": TEXT,
}
REQUIRED = {
    "organisations": ("code", "kind", "name_en"),
    "programmes": ("code", "name_en", "lead_unit"),
    "funding": ("programme", "amount"),
}


@dataclass
class OrganisationRow:
    path: str
    code: str
    values: dict[str, Any]
    # None: leave the parent as it is; "": no parent; otherwise the parent's code.
    parent: str | None


@dataclass
class ProgrammeRow:
    path: str
    code: str
    values: dict[str, Any]
    lead_unit: str
    partner_ministries: list[str] | None
    donors: list[str] | None


@dataclass
class FundingRow:
    path: str
    kind: str
    donor: str | None
    programme: str
    appeal_line: str
    period_start: datetime.date | None
    values: dict[str, Any]


@dataclass
class Plan:
    organisations: list[OrganisationRow] = field(default_factory=list)
    programmes: list[ProgrammeRow] = field(default_factory=list)
    funding: list[FundingRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _RowReader:
    """Reads one row's fields by their declared type, collecting errors under the row's path."""

    def __init__(self, path: str, row: dict[str, Any], types: dict[str, str], errors: list[str]):
        self.path, self.row, self.types, self.errors = path, row, types, errors

    def error(self, name: str | None, message: str) -> None:
        self.errors.append(f"{self.path}.{name}: {message}" if name else f"{self.path}: {message}")

    def read(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.row:
            if name not in self.types:
                self.error(None, _('unknown field "%(name)s"') % {"name": name})
        for name, kind in self.types.items():
            if name in self.row:
                values[name] = self.convert(name, kind, self.row[name])
        return values

    def convert(self, name: str, kind: str, value: Any) -> Any:
        if kind == TEXT:
            if value is None:
                return ""
            if not isinstance(value, str):
                self.error(name, _("must be text"))
                return ""
            return value.strip()
        if kind == CODE:
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                self.error(name, _("must be a code (text) or null"))
                return None
            return value.strip()
        if kind == CODES:
            if value is None:
                return []
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                self.error(name, _("must be a list of codes"))
                return []
            return [item.strip() for item in value]
        if kind == DATE:
            if value is None or value == "":
                return None
            try:
                return datetime.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                pass
            self.error(name, _('"%(value)s" is not a date (YYYY-MM-DD)') % {"value": value})
            return None
        if kind == AMOUNT:
            try:
                if isinstance(value, bool):
                    raise InvalidOperation
                amount = Decimal(str(value))
                if not amount.is_finite():
                    raise InvalidOperation
                return amount
            except InvalidOperation:
                self.error(
                    name, _('"%(value)s" is not an amount, e.g. "840000.00"') % {"value": value}
                )
                return None
        if kind == BOOLEAN:
            if not isinstance(value, bool):
                self.error(name, _("must be true or false"))
                return True
            return value
        raise ValueError(kind)

    def model_errors(self, instance: models.Model, exclude: Iterable[str]) -> None:
        """The model's own field validation (lengths, formats, choices) on the given fields."""
        try:
            instance.full_clean(
                exclude=list(exclude), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.error(None if name == "__all__" else name, message)


def _rows(data: dict[str, Any], section: str, errors: list[str]) -> list[tuple[str, dict]]:
    rows = data.get(section, [])
    if rows is None:
        return []
    if not isinstance(rows, list):
        errors.append(f"{section}: " + _("must be a list"))
        return []
    result = []
    for index, row in enumerate(rows):
        path = f"{section}[{index}]"
        if not isinstance(row, dict):
            errors.append(f"{path}: " + _("must be an object"))
            continue
        missing = [name for name in REQUIRED[section] if row.get(name) in (None, "")]
        for name in missing:
            errors.append(f"{path}.{name}: " + _("is required"))
        if not missing:
            result.append((path, row))
    return result


def _model_fields(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.concrete_fields}


def parse_document(data: Any) -> Plan:
    """Check ``data`` completely; the plan's ``errors`` list every problem with its path."""
    plan = Plan()
    errors = plan.errors
    if not isinstance(data, dict):
        errors.append(
            _("The document must be a JSON object with the keys %(keys)s.")
            % {"keys": ", ".join(SECTIONS)}
        )
        return plan
    for key in data:
        if key not in SECTIONS:
            errors.append(
                _('unknown section "%(key)s" (expected %(keys)s)')
                % {"key": key, "keys": ", ".join(SECTIONS)}
            )

    organisation_rows = _rows(data, "organisations", errors)
    programme_rows = _rows(data, "programmes", errors)
    funding_rows = _rows(data, "funding", errors)

    # Kinds of every organisation the document may refer to: its own, then the database's.
    document_kinds: dict[str, str] = {}
    for path, row in organisation_rows:
        code = row["code"]
        if isinstance(code, str) and code in document_kinds:
            errors.append(
                f"{path}.code: " + _('"%(code)s" appears twice in the document') % {"code": code}
            )
        document_kinds[str(code)] = str(row.get("kind"))
    referenced = _referenced_codes(programme_rows, funding_rows, organisation_rows)
    kinds = dict(Organisation.objects.filter(code__in=referenced).values_list("code", "kind"))
    kinds.update(document_kinds)
    programme_codes = {str(row["code"]) for _path, row in programme_rows}
    programme_codes |= set(
        Programme.objects.filter(
            code__in=[row.get("programme") for _path, row in funding_rows]
        ).values_list("code", flat=True)
    )

    _parse_organisations(plan, organisation_rows, kinds)
    _parse_programmes(plan, programme_rows, kinds)
    _parse_funding(plan, funding_rows, kinds, programme_codes)
    plan.errors.sort(key=_document_position)  # stable: a row's errors keep their order
    return plan


_ROW_PATH = re.compile(r"^(organisations|programmes|funding)\[(\d+)\]")


def _document_position(error: str) -> tuple[int, int]:
    match = _ROW_PATH.match(error)
    if match is None:
        return (-1, 0)
    return (SECTIONS.index(match.group(1)), int(match.group(2)))


def _referenced_codes(*sections: list[tuple[str, dict]]) -> set[str]:
    codes = {MISSION_PARENT_CODE}
    for rows in sections:
        for _path, row in rows:
            for name in ("lead_unit", "donor", "parent"):
                if isinstance(row.get(name), str):
                    codes.add(row[name])
            for name in ("partner_ministries", "donors"):
                if isinstance(row.get(name), list):
                    codes.update(item for item in row[name] if isinstance(item, str))
    return codes


def _reference(reader: _RowReader, name: str, code: str, kinds: dict[str, str]) -> str | None:
    """The kind of the organisation ``code``, or None (and an error) when it is unknown."""
    if code not in kinds:
        reader.error(name, _('unknown organisation code "%(code)s"') % {"code": code})
        return None
    return kinds[code]


def _parse_organisations(plan: Plan, rows: list[tuple[str, dict]], kinds: dict[str, str]) -> None:
    parents: dict[str, str] = {}
    for path, row in rows:
        reader = _RowReader(path, row, ORGANISATION_FIELDS, plan.errors)
        values = reader.read()
        parent: str | None = values.pop("parent", None)
        if "parent" in row:
            parent = parent or ""
        elif values.get("kind") == OrganisationKind.MISSION_UNIT:
            parent = MISSION_PARENT_CODE if MISSION_PARENT_CODE in kinds else None
        if "country" in values:
            values["country"] = values["country"].upper()
            if message := country_error(values["country"]):
                reader.error("country", message)
        reader.model_errors(Organisation(**values), exclude=["parent"])
        if parent:
            if parent not in kinds:
                reader.error("parent", _('unknown organisation code "%(code)s"') % {"code": parent})
            elif parent == values["code"]:
                reader.error("parent", _("An organisation cannot be part of itself."))
            parents[values["code"]] = parent
        plan.organisations.append(OrganisationRow(path, values["code"], values, parent))
    # A loop of parents inside the document (A part of B part of A) cannot be written.
    for row in plan.organisations:
        seen, code = {row.code}, parents.get(row.code)
        while code is not None and code in parents:
            if code in seen:
                plan.errors.append(f"{row.path}.parent: " + _("the parents form a loop"))
                break
            seen.add(code)
            code = parents.get(code)


def _parse_programmes(plan: Plan, rows: list[tuple[str, dict]], kinds: dict[str, str]) -> None:
    codes: set[str] = set()
    plain_fields = _model_fields(Programme) - {"lead_unit"}
    for path, row in rows:
        reader = _RowReader(path, row, PROGRAMME_FIELDS, plan.errors)
        values = reader.read()
        code = values.get("code", "")
        if code in codes:
            reader.error("code", _('"%(code)s" appears twice in the document') % {"code": code})
        codes.add(code)
        lead_unit = values.pop("lead_unit", None) or ""
        kind = _reference(reader, "lead_unit", lead_unit, kinds)
        if kind is not None and (message := lead_unit_error(lead_unit, kind)):
            reader.error("lead_unit", message)
        related: dict[str, list[str] | None] = {}
        for name, rule in (("partner_ministries", partner_ministry_error), ("donors", donor_error)):
            related[name] = values.pop(name, None) if name in row else None
            for index, item in enumerate(related[name] or []):
                kind = _reference(reader, f"{name}[{index}]", item, kinds)
                if kind is not None and (message := rule(item, kind)):
                    reader.error(f"{name}[{index}]", message)
        start, end = values.get("start_date"), values.get("end_date")
        if start and end and end < start:
            reader.error("end_date", _("The end date must not be before the start date."))
        plain = {key: value for key, value in values.items() if key in plain_fields}
        reader.model_errors(Programme(**plain), exclude=["lead_unit"])
        plan.programmes.append(
            ProgrammeRow(
                path=path,
                code=code,
                values=plain,
                lead_unit=lead_unit,
                partner_ministries=related["partner_ministries"],
                donors=related["donors"],
            )
        )


def _parse_funding(
    plan: Plan, rows: list[tuple[str, dict]], kinds: dict[str, str], programmes: set[str]
) -> None:
    seen: dict[tuple, str] = {}
    for path, row in rows:
        reader = _RowReader(path, row, FUNDING_FIELDS, plan.errors)
        values = reader.read()
        donor = values.pop("donor", None)
        programme = values.pop("programme", None) or ""
        kind = values.pop("kind", "") or (FundingKind.CONTRIBUTION if donor else FundingKind.APPEAL)
        if kind not in FundingKind.values:
            reader.error(
                "kind",
                _('"%(kind)s" is not a funding kind (%(kinds)s)')
                % {"kind": kind, "kinds": ", ".join(FundingKind.values)},
            )
        if donor is not None:
            donor_kind = _reference(reader, "donor", donor, kinds)
            if donor_kind is not None and (message := donor_error(donor, donor_kind)):
                reader.error("donor", message)
        elif kind == FundingKind.CONTRIBUTION:
            reader.error("donor", _("A contribution needs its donor."))
        if programme not in programmes:
            reader.error("programme", _('unknown programme code "%(code)s"') % {"code": programme})
        if "currency" in values:
            values["currency"] = values["currency"].upper()
            if message := currency_error(values["currency"]):
                reader.error("currency", message)
        start, end = values.get("period_start"), values.get("period_end")
        if start and end and end < start:
            reader.error("period_end", _("The period must not end before it starts."))
        if values.get("amount") is not None:
            reader.model_errors(Funding(**{**values, "kind": kind}), exclude=["donor", "programme"])
        appeal_line = values.get("appeal_line", "")
        key = (kind, donor, programme, appeal_line, start)
        if key in seen:
            reader.error(
                None,
                _("repeats %(other)s (same kind, donor, programme, appeal line and period start)")
                % {"other": seen[key]},
            )
        seen[key] = path
        plan.funding.append(
            FundingRow(
                path=path,
                kind=kind,
                donor=donor,
                programme=programme,
                appeal_line=appeal_line,
                period_start=start,
                values={
                    k: v for k, v in values.items() if k not in {"appeal_line", "period_start"}
                },
            )
        )
