"""The one scoping function: what a user may see and change, for every queryset in Marsad.

Every API view, UI view, export and admin list passes its queryset through ``scope``. A model
says how it is owned with a ``scope_spec`` class attribute; a user's active memberships say
which organisation, role, programmes and areas they act in (see ``core.roles``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet

from marsad.core.roles import Capability, capabilities_of, sensitivities_visible

VIEW = "view"
CHANGE = "change"


@dataclass(frozen=True)
class ScopeSpec:
    """How records of one model are owned, as lookups from the model.

    kind:
      reference  shared reference data (areas, organisations, programmes): every member sees it,
                 ``change_capability`` holders change it.
      owned      a record owned by an organisation, optionally in a programme and an area, with a
                 sensitivity level.
      personal   a user's own record (``owner``), e.g. their background tasks.
      audit      the audit log: only for holders of the view-audit capability.

    narrow: an optional ``narrow(user, membership) -> Q | None`` that an owned model's app adds
      to what a membership grants (None: nothing more), e.g. ``border`` narrowing a border
      officer's membership to the crossing points they are posted at.
    shared: an optional ``shared(user, membership) -> Q | None``: owned records of other
      organisations that a membership holding the view-records capability may also *view*
      (never change), e.g. the mission's published vulnerability criteria, which partners
      select with in the programmes they work in. Reference-like for reading, owned for
      changing: ``can(user, CHANGE, …)`` and ``can_create`` never consult it.
    """

    REFERENCE = "reference"
    OWNED = "owned"
    PERSONAL = "personal"
    AUDIT = "audit"

    kind: str
    organisation: str | None = None
    programme: str | None = None
    area: str | None = None
    sensitivity: str | None = None
    owner: str | None = None
    change_capability: Capability = Capability.CHANGE_RECORDS
    narrow: "Callable[[Any, MembershipScope], Q | None] | None" = None
    shared: "Callable[[Any, MembershipScope], Q | None] | None" = None


@dataclass(frozen=True)
class MembershipScope:
    """One active membership reduced to what scoping needs."""

    organisation_id: int
    organisation_is_mission: bool
    role: str
    capabilities: frozenset[Capability]
    programme_ids: frozenset[int]
    area_paths: tuple[str, ...]


def membership_scopes(user: Any) -> list[MembershipScope]:
    """The user's active memberships, read once per user object and cached on it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_marsad_scopes", None)
    if cached is not None:
        return cached
    scopes = []
    memberships = (
        user.memberships.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .prefetch_related("programmes", "areas")
    )
    for membership in memberships:
        scopes.append(
            MembershipScope(
                organisation_id=membership.organisation_id,
                organisation_is_mission=membership.organisation.is_mission,
                role=membership.role,
                capabilities=capabilities_of(membership.role),
                programme_ids=frozenset(p.pk for p in membership.programmes.all()),
                area_paths=tuple(a.path for a in membership.areas.all()),
            )
        )
    user._marsad_scopes = scopes
    return scopes


def forget_scopes(user: Any) -> None:
    """Drop the cached memberships (after a membership of this user changed)."""
    if hasattr(user, "_marsad_scopes"):
        del user._marsad_scopes


def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def capabilities(user: Any) -> frozenset[Capability]:
    """Every capability the user holds through any active membership."""
    if is_superuser(user):
        return frozenset(Capability)
    held: set[Capability] = set()
    for membership in membership_scopes(user):
        held |= membership.capabilities
    return frozenset(held)


def has_capability(user: Any, capability: Capability) -> bool:
    return capability in capabilities(user)


def _membership_filter(spec: ScopeSpec, membership: MembershipScope, action: str) -> Q | None:
    """The Q a single membership grants on an owned model, or None when it grants nothing."""
    caps = membership.capabilities
    if Capability.VIEW_RECORDS not in caps:
        return None
    if action == CHANGE and spec.change_capability not in caps:
        return None
    condition = Q()
    if Capability.ALL_RECORDS in caps:
        return condition
    oversees = Capability.OVERSIGHT in caps and membership.organisation_is_mission
    if spec.organisation and not oversees:
        condition &= Q(**{spec.organisation: membership.organisation_id})
    if spec.programme and membership.programme_ids:
        condition &= Q(**{f"{spec.programme}__in": sorted(membership.programme_ids)})
    elif spec.programme and oversees:
        # Oversight without narrowing: partners' records in any programme, own records always.
        condition &= Q(**{f"{spec.programme}__isnull": False}) | Q(
            **{spec.organisation: membership.organisation_id}
        )
    if spec.area and membership.area_paths:
        within = Q()
        for path in membership.area_paths:
            within |= Q(**{f"{spec.area}__path__startswith": path})
        condition &= within
    if spec.sensitivity:
        condition &= Q(**{f"{spec.sensitivity}__in": sensitivities_visible(caps)})
    return condition


def scope(queryset: QuerySet, user: Any, action: str = VIEW) -> QuerySet:
    """Restrict ``queryset`` to the rows ``user`` may see (``action="view"``) or change."""
    spec: ScopeSpec | None = getattr(queryset.model, "scope_spec", None)
    if spec is None:
        raise TypeError(f"{queryset.model.__name__} declares no scope_spec; it cannot be scoped.")
    if action not in (VIEW, CHANGE):
        raise ValueError(f"Unknown scope action {action!r}.")
    if is_superuser(user):
        return queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    held = capabilities(user)
    if spec.kind == ScopeSpec.PERSONAL:
        # One's own records (account, background tasks) need no membership.
        if Capability.ALL_RECORDS in held:
            return queryset
        return queryset.filter(**{spec.owner: user.pk})
    memberships = membership_scopes(user)
    if not memberships:
        return queryset.none()

    if spec.kind == ScopeSpec.REFERENCE:
        if action == VIEW or spec.change_capability in held:
            return queryset
        return queryset.none()
    if spec.kind == ScopeSpec.AUDIT:
        return queryset if Capability.VIEW_AUDIT in held and action == VIEW else queryset.none()
    granted = Q(pk__in=[])
    any_grant = False
    for membership in memberships:
        if (
            action == VIEW
            and spec.shared is not None
            and Capability.VIEW_RECORDS in membership.capabilities
        ):
            extra = spec.shared(user, membership)
            if extra is not None:
                granted |= extra
                any_grant = True
        condition = _membership_filter(spec, membership, action)
        if condition is None:
            continue
        if spec.narrow is not None:
            narrowing = spec.narrow(user, membership)
            if narrowing is not None:
                condition &= narrowing
        if not condition:  # an empty Q: this membership sees everything
            return queryset
        granted |= condition
        any_grant = True
    return queryset.filter(granted) if any_grant else queryset.none()


def can(user: Any, action: str, obj: Model) -> bool:
    """Whether ``user`` may ``action`` (view/change) the saved object ``obj``."""
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def can_create(user: Any, model: type[Model], **owner: Any) -> bool:
    """Whether ``user`` may create a ``model`` record with the given owner values.

    For owned models pass ``organisation``, ``programme``, ``area`` and ``sensitivity`` as model
    instances or values; for reference models only the change capability counts.
    """
    spec: ScopeSpec = model.scope_spec
    if is_superuser(user):
        return True
    if spec.kind == ScopeSpec.REFERENCE:
        return has_capability(user, spec.change_capability)
    if spec.kind != ScopeSpec.OWNED:
        return False
    organisation = owner.get("organisation")
    programme = owner.get("programme")
    area = owner.get("area")
    sensitivity = owner.get("sensitivity") or "normal"
    for membership in membership_scopes(user):
        caps = membership.capabilities
        if Capability.VIEW_RECORDS not in caps or spec.change_capability not in caps:
            continue
        if Capability.ALL_RECORDS in caps:
            return True
        oversees = Capability.OVERSIGHT in caps and membership.organisation_is_mission
        if not oversees and getattr(organisation, "pk", organisation) != membership.organisation_id:
            continue
        # A narrowing applies where the model has that dimension, as in ``_membership_filter``
        # (an area-narrowed border officer views travellers, who have no area: and creates them).
        if (
            spec.programme
            and membership.programme_ids
            and getattr(programme, "pk", programme) not in membership.programme_ids
        ):
            continue
        if (
            spec.area
            and membership.area_paths
            and not (
                area is not None and any(area.path.startswith(p) for p in membership.area_paths)
            )
        ):
            continue
        if sensitivity not in sensitivities_visible(caps):
            continue
        return True
    return False
