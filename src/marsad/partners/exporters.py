"""Organisations, programmes and funding as records of the partners document schema (what
``services.partners_load`` reads back), written as JSON or CSV."""

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from django.db.models import QuerySet

from marsad.partners.models import Funding, Organisation, Programme

ORGANISATION_COLUMNS = [
    "code",
    "kind",
    "acronym",
    "name_en",
    "name_ar",
    "name_ku",
    "country",
    "website",
    "parent",
    "is_active",
]
PROGRAMME_COLUMNS = [
    "code",
    "name_en",
    "name_ar",
    "name_ku",
    "description",
    "lead_unit",
    "partner_ministries",
    "donors",
    "start_date",
    "end_date",
]
FUNDING_COLUMNS = [
    "kind",
    "donor",
    "programme",
    "amount",
    "currency",
    "period_start",
    "period_end",
    "appeal_line",
    "source_note",
]
COLUMNS = {
    "organisations": ORGANISATION_COLUMNS,
    "programmes": PROGRAMME_COLUMNS,
    "funding": FUNDING_COLUMNS,
}


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def organisation_records(organisations: QuerySet[Organisation]) -> list[dict[str, Any]]:
    return [
        {
            "code": org.code,
            "kind": org.kind,
            "acronym": org.acronym,
            "name_en": org.name_en,
            "name_ar": org.name_ar,
            "name_ku": org.name_ku,
            "country": org.country,
            "website": org.website,
            "parent": org.parent.code if org.parent else None,
            "is_active": org.is_active,
        }
        for org in organisations.select_related("parent").order_by("code")
    ]


def programme_records(programmes: QuerySet[Programme]) -> list[dict[str, Any]]:
    return [
        {
            "code": programme.code,
            "name_en": programme.name_en,
            "name_ar": programme.name_ar,
            "name_ku": programme.name_ku,
            "description": programme.description,
            "lead_unit": programme.lead_unit.code,
            "partner_ministries": sorted(org.code for org in programme.partner_ministries.all()),
            "donors": sorted(org.code for org in programme.donors.all()),
            "start_date": _date(programme.start_date),
            "end_date": _date(programme.end_date),
        }
        for programme in programmes.select_related("lead_unit")
        .prefetch_related("partner_ministries", "donors")
        .order_by("code")
    ]


def funding_records(funding: QuerySet[Funding]) -> list[dict[str, Any]]:
    return [
        {
            "kind": line.kind,
            "donor": line.donor.code if line.donor else None,
            "programme": line.programme.code,
            "amount": str(line.amount),
            "currency": line.currency,
            "period_start": _date(line.period_start),
            "period_end": _date(line.period_end),
            "appeal_line": line.appeal_line,
            "source_note": line.source_note,
        }
        for line in funding.select_related("donor", "programme").order_by(
            "programme__code", "kind", "donor__code", "appeal_line", "period_start", "pk"
        )
    ]


def _cell(value: Any) -> Any:
    """A CSV cell: lists joined by ";"; text that a spreadsheet would run as a formula quoted."""
    if isinstance(value, list):
        value = ";".join(value)
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write_csv(records: Iterable[dict[str, Any]], columns: list[str], stream: IO[str]) -> int:
    """Write ``records`` as CSV with a header row; returns the number of records."""
    writer = csv.writer(stream)
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
        count += 1
    return count


def write_json(section: str, records: list[dict[str, Any]], stream: IO[str]) -> int:
    """Write ``{section: records}``, a document ``partners load`` reads back."""
    json.dump({section: records}, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
    return len(records)
