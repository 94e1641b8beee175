"""Reads on organisations, programmes, funding and focal points, always through the scope."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet, Sum

from marsad.core.scoping import VIEW, scope
from marsad.partners.models import Contact, Funding, Organisation, Programme

# --- Organisations -------------------------------------------------------------------------------


def search_organisations(queryset: QuerySet[Organisation], query: str) -> QuerySet[Organisation]:
    """Organisations whose code, acronym or name in any language contains ``query``."""
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(code__icontains=query)
        | Q(acronym__icontains=query)
        | Q(name_en__icontains=query)
        | Q(name_ar__icontains=query)
        | Q(name_ku__icontains=query)
    )


def organisation_list(*, user: Any, query: str = "", kind: str = "") -> QuerySet[Organisation]:
    organisations = scope(Organisation.objects.select_related("parent"), user, VIEW)
    organisations = search_organisations(organisations, query)
    if kind:
        organisations = organisations.filter(kind=kind)
    return organisations


@dataclass
class OrganisationDetail:
    organisation: Organisation
    units: list[Organisation]
    programmes_led: list[Programme]
    programmes_partnered: list[Programme]
    programmes_funded: list[Programme]
    funding_given: list[Funding]
    funding_totals: list[dict[str, Any]]
    contacts: list[Contact]


def organisation_detail(*, user: Any, code: str) -> OrganisationDetail:
    """One organisation and what it does; raises ``Organisation.DoesNotExist`` outside scope."""
    organisation = scope(Organisation.objects.select_related("parent"), user, VIEW).get(code=code)
    programmes = scope(Programme.objects.select_related("lead_unit"), user, VIEW)
    funding = funding_list(user=user).filter(donor=organisation)
    return OrganisationDetail(
        organisation=organisation,
        units=list(scope(organisation.units.all(), user, VIEW)),
        programmes_led=list(programmes.filter(lead_unit=organisation)),
        programmes_partnered=list(programmes.filter(partner_ministries=organisation)),
        programmes_funded=list(programmes.filter(donors=organisation)),
        funding_given=list(funding),
        funding_totals=funding_totals(funding),
        contacts=list(contact_list(user=user, organisation=organisation)),
    )


@dataclass(frozen=True)
class Usage:
    """What still refers to a record: ``count`` rows of one relation, a few as ``samples``."""

    label: str
    count: int
    samples: list[models.Model] = field(default_factory=list)


def usage_of(instance: models.Model, samples: int = 20) -> list[Usage]:
    """Every relation that still refers to ``instance`` (foreign keys and many-to-many)."""
    usage = []
    for relation in instance._meta.related_objects:
        if relation.one_to_one:
            continue
        related = getattr(instance, relation.get_accessor_name()).all()
        count = related.count()
        if count:
            meta = relation.related_model._meta
            name = meta.verbose_name if count == 1 else meta.verbose_name_plural
            label = f"{name} ({relation.field.verbose_name})"
            usage.append(Usage(label=label, count=count, samples=list(related[:samples])))
    return usage


# --- Programmes ----------------------------------------------------------------------------------


def filter_programmes(
    queryset: QuerySet[Programme],
    *,
    query: str = "",
    lead_unit: str = "",
    donor: str = "",
    ministry: str = "",
    active_on: datetime.date | None = None,
) -> QuerySet[Programme]:
    """Programmes matching a search and the codes of their lead unit, a donor or a ministry."""
    query = query.strip()
    if query:
        queryset = queryset.filter(
            Q(code__icontains=query)
            | Q(name_en__icontains=query)
            | Q(name_ar__icontains=query)
            | Q(name_ku__icontains=query)
            | Q(description__icontains=query)
        )
    if lead_unit:
        queryset = queryset.filter(lead_unit__code=lead_unit)
    if donor:
        queryset = queryset.filter(donors__code=donor)
    if ministry:
        queryset = queryset.filter(partner_ministries__code=ministry)
    if active_on:
        queryset = queryset.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=active_on),
            Q(end_date__isnull=True) | Q(end_date__gte=active_on),
        )
    return queryset


def programme_queryset() -> QuerySet[Programme]:
    """Programmes with their lead unit, partner ministries and donors joined."""
    return Programme.objects.select_related("lead_unit").prefetch_related(
        models.Prefetch("partner_ministries", Organisation.objects.order_by("code")),
        models.Prefetch("donors", Organisation.objects.order_by("code")),
    )


def programme_list(
    *,
    user: Any,
    query: str = "",
    lead_unit: str = "",
    donor: str = "",
    ministry: str = "",
    active_on: datetime.date | None = None,
) -> QuerySet[Programme]:
    return filter_programmes(
        scope(programme_queryset(), user, VIEW),
        query=query,
        lead_unit=lead_unit,
        donor=donor,
        ministry=ministry,
        active_on=active_on,
    )


@dataclass
class ProgrammeDetail:
    programme: Programme
    funding: list[Funding]
    funding_totals: list[dict[str, Any]]


def programme_detail(*, user: Any, code: str) -> ProgrammeDetail:
    """One programme with its funding lines and totals; ``Programme.DoesNotExist`` outside scope."""
    programme = scope(programme_queryset(), user, VIEW).get(code=code)
    funding = funding_list(user=user).filter(programme=programme)
    return ProgrammeDetail(
        programme=programme, funding=list(funding), funding_totals=funding_totals(funding)
    )


# --- Funding -------------------------------------------------------------------------------------


def funding_list(
    *,
    user: Any,
    programme: str = "",
    donor: str = "",
    kind: str = "",
    currency: str = "",
) -> QuerySet[Funding]:
    """Funding lines ``user`` may see, optionally by programme code, donor code, kind, currency."""
    funding = scope(Funding.objects.select_related("programme", "donor"), user, VIEW)
    if programme:
        funding = funding.filter(programme__code=programme)
    if donor:
        funding = funding.filter(donor__code=donor)
    if kind:
        funding = funding.filter(kind=kind)
    if currency:
        funding = funding.filter(currency=currency.upper())
    return funding


def funding_totals(funding: QuerySet[Funding]) -> list[dict[str, Any]]:
    """Totals of ``funding`` by kind and currency: ``[{kind, currency, total, lines}]``."""
    rows = (
        funding.order_by()
        .values("kind", "currency")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by("kind", "currency")
    )
    return [
        {
            "kind": row["kind"],
            "currency": row["currency"],
            "total": row["total"] if row["total"] is not None else Decimal("0"),
            "lines": row["lines"],
        }
        for row in rows
    ]


# --- Focal points --------------------------------------------------------------------------------


def contact_list(
    *, user: Any, organisation: Organisation | None = None, query: str = ""
) -> QuerySet[Contact]:
    """The focal points ``user`` may see (none for roles without person-level access)."""
    contacts = scope(
        Contact.objects.select_related("organisation", "programme", "area"), user, VIEW
    )
    if organisation is not None:
        contacts = contacts.filter(organisation=organisation)
    query = query.strip()
    if query:
        contacts = contacts.filter(
            Q(full_name__icontains=query) | Q(title__icontains=query) | Q(email__icontains=query)
        )
    return contacts
