"""What the home page offers each role: the sections of work its capabilities open."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marsad.core.roles import Capability
from marsad.core.scoping import capabilities

SECTIONS = [
    {
        "title": _("Displacement dashboard"),
        "text": _(
            "IDP and returnee families and individuals by round and area, flows, shelter, "
            "needs and intentions."
        ),
        "url_name": "displacement:dashboard",
        "capability": Capability.VIEW_AGGREGATES,
    },
    {
        "title": _("Assessment rounds"),
        "text": _(
            "Location assessments by round: master-list imports, review, validation and "
            "publication."
        ),
        "url_name": "displacement:round-list",
        "capability": Capability.VIEW_RECORDS,
    },
    {
        "title": _("Areas"),
        "text": _("Browse governorates, districts and locations by P-code in any language."),
        "url_name": "geo:area-list",
        "capability": None,
    },
    {
        "title": _("Organisations"),
        "text": _("Ministries, UN agencies, NGOs, donors and mission units, with focal points."),
        "url_name": "partners:organisation-list",
        "capability": None,
    },
    {
        "title": _("Programmes"),
        "text": _("The mission's programmes, their partner ministries, donors and funding."),
        "url_name": "partners:programme-list",
        "capability": None,
    },
    {
        "title": _("Load administrative areas"),
        "text": _("Add or update areas from a CSV or GeoJSON file, e.g. an OCHA COD-AB export."),
        "url_name": "geo:area-load",
        "capability": Capability.CHANGE_REFERENCE,
    },
    {
        "title": _("Background tasks"),
        "text": _("Follow imports and other long work you started."),
        "url_name": "core:task-list",
        "capability": None,
    },
    {
        "title": _("Household registry"),
        "text": _(
            "Register displaced households, find a person by name in Arabic or Latin letters, "
            "by document or phone, and see every registration each source sent."
        ),
        "url_name": "registry:household-list",
        "capability": Capability.VIEW_PII,
    },
    {
        "title": _("Assistance"),
        "text": _(
            "Vulnerability criteria, assistance plans, beneficiary selection and the receipts "
            "of each distribution."
        ),
        "url_name": "assistance:plan-list",
        "capability": Capability.VIEW_PII,
    },
    {
        "title": _("Assistance reports"),
        "text": _(
            "Households and individuals assisted by place, type, programme, donor and partner; "
            "the 5W export."
        ),
        "url_name": "assistance:reports",
        "capability": Capability.VIEW_AGGREGATES,
    },
    {
        "title": _("Border management"),
        "text": _(
            "The counter with the passport's machine-readable zone, watchlist hits, document "
            "examination cases and flow statistics."
        ),
        "url_name": "border:index",
        "capability": Capability.VIEW_RESTRICTED,
    },
    {
        "title": _("Audit log"),
        "text": _(
            "Who did what, when, from where: every change, export, login and sensitive read."
        ),
        "url_name": "core:audit-list",
        "capability": Capability.VIEW_AUDIT,
    },
    {
        "title": _("Administration"),
        "text": _("Users, memberships and reference data maintenance."),
        "url_name": "admin:index",
        "capability": Capability.ADMIN_SITE,
    },
]


def home_sections(user: Any) -> list[dict[str, Any]]:
    held = capabilities(user)
    return [
        {"title": s["title"], "text": s["text"], "url": reverse(s["url_name"])}
        for s in SECTIONS
        if s["capability"] is None or s["capability"] in held
    ]
