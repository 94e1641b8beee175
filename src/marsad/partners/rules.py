"""The domain rules on partner data as plain checks returning a message, shared by the services
and the document loader (which checks a whole document before writing anything)."""

import pycountry
from django.utils.translation import gettext as _

from marsad.partners.models import OrganisationKind

# Who may lead a programme: the mission's own units and UN agencies (a joint programme).
LEAD_UNIT_KINDS = frozenset({OrganisationKind.MISSION_UNIT, OrganisationKind.UN_AGENCY})


def currency_error(code: str) -> str | None:
    """Why ``code`` is not an ISO 4217 currency code, or None when it is one."""
    if not code or pycountry.currencies.get(alpha_3=code) is None:
        return _('"%(code)s" is not an ISO 4217 currency code, e.g. USD or IQD.') % {"code": code}
    return None


def country_error(code: str) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 country code, or None (empty is allowed)."""
    if code and (len(code) != 2 or pycountry.countries.get(alpha_2=code) is None):
        return _('"%(code)s" is not an ISO 3166-1 alpha-2 country code, e.g. IQ or JP.') % {
            "code": code
        }
    return None


def _kind_label(kind: str) -> str:
    try:
        return str(OrganisationKind(kind).label)
    except ValueError:
        return kind


def lead_unit_error(code: str, kind: str) -> str | None:
    if kind in LEAD_UNIT_KINDS:
        return None
    return _(
        "The lead unit must be a mission unit or a UN agency; %(code)s is of kind “%(kind)s”."
    ) % {"code": code, "kind": _kind_label(kind)}


def partner_ministry_error(code: str, kind: str) -> str | None:
    if kind == OrganisationKind.GOVERNMENT_MINISTRY:
        return None
    return _(
        "Partner ministries must be government ministries; %(code)s is of kind “%(kind)s”."
    ) % {"code": code, "kind": _kind_label(kind)}


def donor_error(code: str, kind: str) -> str | None:
    if kind == OrganisationKind.DONOR:
        return None
    return _("A donor must be an organisation of kind Donor; %(code)s is of kind “%(kind)s”.") % {
        "code": code,
        "kind": _kind_label(kind),
    }
