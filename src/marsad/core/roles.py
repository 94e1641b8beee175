"""Roles and what each may do: a pure table, no Django import, read by the scoping function.

A membership gives a user exactly one role in one organisation. The capabilities below are the
only place where a role's powers are written down; views, API and exports ask ``has_capability``.
"""

from enum import StrEnum


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    PROGRAMME_MANAGER = "programme_manager"
    IM_OFFICER = "im_officer"
    FIELD_MONITOR = "field_monitor"
    CASE_WORKER = "case_worker"
    BORDER_OFFICER = "border_officer"
    BORDER_SUPERVISOR = "border_supervisor"
    PARTNER_REPORTER = "partner_reporter"
    AGGREGATE_VIEWER = "aggregate_viewer"


class Capability(StrEnum):
    # Sees every organisation's records, ignoring organisation, programme and area narrowing.
    ALL_RECORDS = "all_records"
    # In a mission unit: sees partners' records within its programmes, not only its own.
    OVERSIGHT = "oversight"
    VIEW_RECORDS = "view_records"
    CHANGE_RECORDS = "change_records"
    # Person-level data, by sensitivity level.
    VIEW_PII = "view_pii"
    VIEW_RESTRICTED = "view_restricted"
    VIEW_CONFIDENTIAL = "view_confidential"
    VIEW_AGGREGATES = "view_aggregates"
    CHANGE_REFERENCE = "change_reference"  # admin areas, organisations
    CHANGE_PROGRAMMES = "change_programmes"  # programmes and funding
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    ADMIN_SITE = "admin_site"


C = Capability

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.SYSTEM_ADMIN: frozenset(Capability),
    Role.PROGRAMME_MANAGER: frozenset(
        {
            C.OVERSIGHT,
            C.VIEW_RECORDS,
            C.CHANGE_RECORDS,
            C.VIEW_PII,
            C.VIEW_RESTRICTED,
            C.VIEW_AGGREGATES,
            C.CHANGE_PROGRAMMES,
            C.EXPORT,
        }
    ),
    Role.IM_OFFICER: frozenset(
        {
            C.OVERSIGHT,
            C.VIEW_RECORDS,
            C.CHANGE_RECORDS,
            C.VIEW_PII,
            C.VIEW_RESTRICTED,
            C.VIEW_AGGREGATES,
            C.CHANGE_REFERENCE,
            C.EXPORT,
        }
    ),
    Role.FIELD_MONITOR: frozenset(
        {C.VIEW_RECORDS, C.CHANGE_RECORDS, C.VIEW_PII, C.VIEW_AGGREGATES}
    ),
    Role.CASE_WORKER: frozenset(
        {
            C.VIEW_RECORDS,
            C.CHANGE_RECORDS,
            C.VIEW_PII,
            C.VIEW_RESTRICTED,
            C.VIEW_CONFIDENTIAL,
            C.VIEW_AGGREGATES,
        }
    ),
    Role.BORDER_OFFICER: frozenset(
        {C.VIEW_RECORDS, C.CHANGE_RECORDS, C.VIEW_PII, C.VIEW_RESTRICTED, C.VIEW_AGGREGATES}
    ),
    # The shift supervisor at a crossing point: an officer's view of the points they are posted
    # at, and clearance for confidential watchlists, so they decide the hits officers refer.
    Role.BORDER_SUPERVISOR: frozenset(
        {
            C.VIEW_RECORDS,
            C.CHANGE_RECORDS,
            C.VIEW_PII,
            C.VIEW_RESTRICTED,
            C.VIEW_CONFIDENTIAL,
            C.VIEW_AGGREGATES,
        }
    ),
    Role.PARTNER_REPORTER: frozenset(
        {C.VIEW_RECORDS, C.CHANGE_RECORDS, C.VIEW_PII, C.VIEW_AGGREGATES, C.EXPORT}
    ),
    Role.AGGREGATE_VIEWER: frozenset({C.VIEW_AGGREGATES}),
}


def capabilities_of(role: str) -> frozenset[Capability]:
    """The capabilities of a role by its stored value; an unknown role has none."""
    try:
        return ROLE_CAPABILITIES[Role(role)]
    except ValueError:
        return frozenset()


def sensitivities_visible(capabilities: frozenset[Capability]) -> list[str]:
    """The sensitivity levels (stored values) a holder of these capabilities may read."""
    levels = []
    if Capability.VIEW_PII in capabilities:
        levels.append("normal")
    if Capability.VIEW_RESTRICTED in capabilities:
        levels.append("restricted")
    if Capability.VIEW_CONFIDENTIAL in capabilities:
        levels.append("confidential")
    return levels
