"""The main navigation: which sections a user's role opens, in order."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from marsad.core.roles import Capability


@dataclass(frozen=True)
class NavItem:
    """A section: shown to holders of ``capability`` (everyone when None), except holders of
    ``unless``, who reach the page from another section."""

    label: Promise
    url_name: str
    capability: Capability | None = None
    superuser_only: bool = False
    unless: Capability | None = None


NAVIGATION = [
    NavItem(_("Home"), "core:home"),
    NavItem(_("Dashboard"), "displacement:dashboard", capability=Capability.VIEW_AGGREGATES),
    NavItem(_("Assessments"), "displacement:round-list", capability=Capability.VIEW_RECORDS),
    NavItem(_("Registry"), "registry:household-list", capability=Capability.VIEW_PII),
    NavItem(_("Assistance"), "assistance:plan-list", capability=Capability.VIEW_PII),
    # The reports are open to aggregate viewers too (no personal data, small cells
    # suppressed); roles with the assistance section reach them from its plan list.
    NavItem(
        _("Assistance reports"),
        "assistance:reports",
        capability=Capability.VIEW_AGGREGATES,
        unless=Capability.VIEW_PII,
    ),
    NavItem(_("Border"), "border:index", capability=Capability.VIEW_RESTRICTED),
    NavItem(_("Areas"), "geo:area-list"),
    NavItem(_("Organisations"), "partners:organisation-list"),
    NavItem(_("Programmes"), "partners:programme-list"),
    NavItem(_("Background tasks"), "core:task-list"),
    NavItem(_("Audit log"), "core:audit-list", capability=Capability.VIEW_AUDIT),
    NavItem(_("Administration"), "admin:index", capability=Capability.ADMIN_SITE),
    NavItem(_("API"), "api-docs"),
]


def navigation_for(request: Any, held: frozenset[Capability]) -> list[dict[str, Any]]:
    items = []
    for item in NAVIGATION:
        if item.capability is not None and item.capability not in held:
            continue
        if item.unless is not None and item.unless in held:
            continue
        url = reverse(item.url_name)
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "current": current})
    return items
