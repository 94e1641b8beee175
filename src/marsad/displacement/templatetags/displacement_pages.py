"""Template filters for the displacement pages."""

from django import template

from marsad.displacement.models import DisplacementPeriod
from marsad.displacement.selectors import period_label as label_of

register = template.Library()


@register.filter
def period_label(period: DisplacementPeriod | None) -> str:
    """The displacement period's label in the active language."""
    return label_of(period)
