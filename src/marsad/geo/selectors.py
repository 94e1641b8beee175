"""Reads of administrative areas, always through the scope: lists, search, trees, exports."""

from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from marsad.core.scoping import VIEW, scope
from marsad.geo.models import AdminArea
from marsad.geo.normalise import normalise


def search_filter(query: str) -> Q:
    """Areas whose P-code starts with ``query`` or any of whose names contains it.

    Case and the Arabic/Kurdish letter variants folded by ``geo.normalise`` do not matter.
    """
    query = (query or "").strip()
    if not query:
        return Q()
    condition = Q(pcode__istartswith=query)
    folded = normalise(query)
    if folded:
        condition |= Q(search_text__contains=folded)
    return condition


def _scoped(user: Any, queryset: QuerySet[AdminArea]) -> QuerySet[AdminArea]:
    """Scope for a user; ``None`` is the command line or the system, which sees everything."""
    return queryset if user is None else scope(queryset, user, VIEW)


def areas(
    *,
    user: Any,
    level: int | None = None,
    parent: AdminArea | None = None,
    below: AdminArea | None = None,
    query: str = "",
    iso_code: str = "",
) -> QuerySet[AdminArea]:
    """Areas ``user`` may see, with their parent joined and ``has_boundary`` annotated.

    ``parent`` keeps its direct children; ``below`` keeps everything under an area.
    The boundary itself is deferred: lists never need the polygons.
    """
    queryset = (
        AdminArea.objects.select_related("parent")
        .defer("boundary", "parent__boundary")
        .annotate(
            has_boundary=ExpressionWrapper(Q(boundary__isnull=False), output_field=BooleanField())
        )
    )
    if level is not None:
        queryset = queryset.filter(level=level)
    if parent is not None:
        queryset = queryset.filter(parent=parent)
    if below is not None:
        queryset = queryset.filter(path__startswith=below.path).exclude(pk=below.pk)
    if query:
        queryset = queryset.filter(search_filter(query))
    if iso_code:
        queryset = queryset.filter(iso_code__iexact=iso_code.strip())
    return _scoped(user, queryset)


def with_children_count(queryset: QuerySet[AdminArea]) -> QuerySet[AdminArea]:
    return queryset.annotate(children_count=Count("children", distinct=True))


def area_for_pcode(*, user: Any, pcode: str) -> AdminArea:
    """The area with this P-code if ``user`` may see it (raises ``AdminArea.DoesNotExist``)."""
    return _scoped(user, AdminArea.objects.select_related("parent")).get(pcode=pcode)


def area_children(*, user: Any, area: AdminArea) -> QuerySet[AdminArea]:
    return with_children_count(areas(user=user, parent=area)).order_by("pcode")


def areas_for_export(
    *, user: Any, level: int | None = None, below: AdminArea | None = None
) -> QuerySet[AdminArea]:
    """Areas for an export, sorted by P-code, with the boundary (GeoJSON needs it)."""
    queryset = AdminArea.objects.select_related("parent").defer("parent__boundary")
    if level is not None:
        queryset = queryset.filter(level=level)
    if below is not None:
        queryset = queryset.filter(path__startswith=below.path).exclude(pk=below.pk)
    return _scoped(user, queryset).order_by("pcode")
