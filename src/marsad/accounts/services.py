"""Writes on users, memberships and API tokens — each audited in the same transaction."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from marsad.accounts.models import Membership, RoleChoice, User
from marsad.core import audit, services
from marsad.core.models import AuditAction
from marsad.core.roles import Capability
from marsad.core.scoping import forget_scopes, has_capability

# Never written to the audit log: the password hash, and the sign-in time (its own audit rows).
USER_FIELDS_NOT_AUDITED = frozenset({"password", "last_login"})
PASSWORD_CHANGED = "password changed"  # noqa: S105  (a note, not a password)


def user_snapshot(user: User) -> dict[str, Any]:
    """The user's fields for an audit before/after, without the password hash."""
    return {
        key: value
        for key, value in audit.snapshot(user).items()
        if key not in USER_FIELDS_NOT_AUDITED
    }


def user_change_recorded(
    *, actor: Any, user: User, before: dict[str, Any] | None, password_changed: bool = False
) -> None:
    """Audit a user saved elsewhere (the admin site): before/after of what changed, and
    "password changed" in place of any password hash. ``before`` None means a new user."""
    after = user_snapshot(user)
    if before is None:
        changes = {key: [None, value] for key, value in after.items()}
    else:
        changes = audit.diff(before, after)
    if password_changed:
        changes["password"] = [None, PASSWORD_CHANGED]
    if before is not None and not changes:
        return
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        instance=user,
        changes=changes,
    )


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    preferred_language: str = "",
    phone: str = "",
) -> User:
    """Create a user; the password must pass the configured validators (errors under
    ``password``). ``actor`` must hold the manage-users capability (None: the command line)."""
    if actor is not None and not has_capability(actor, Capability.MANAGE_USERS):
        raise PermissionDenied(_("Your role may not add users."))
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
        phone=phone,
    )
    errors: dict[str, list[str]] = {}
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = list(error.messages)
    user.set_password(password)
    try:
        user.full_clean()
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    user.save()
    user_change_recorded(actor=actor, user=user, before=None, password_changed=True)
    return user


@transaction.atomic
def user_set_language(*, actor: Any, user: User, language: str) -> User:
    """Save the language ``user`` reads Marsad in ("" follows the browser)."""
    known = {code for code, _name in settings.LANGUAGES}
    if language and language not in known:
        raise ValidationError(
            {
                "preferred_language": _('"%(language)s" is not one of Marsad\'s languages.')
                % {"language": language}
            }
        )
    return services.record_update(actor=actor, instance=user, data={"preferred_language": language})


def _membership_duplicate(user: User, organisation: Any, role: str, exclude: int | None) -> None:
    others = Membership.objects.filter(
        user=user, organisation=organisation, role=role, is_active=True
    ).exclude(pk=exclude)
    if others.exists():
        raise ValidationError(
            {
                "role": _("%(user)s already has this role in %(organisation)s.")
                % {"user": user.username, "organisation": organisation}
            }
        )


@transaction.atomic
def membership_grant(
    *,
    actor: Any,
    user: User,
    organisation: Any,
    role: str,
    programmes: Iterable[Any] = (),
    areas: Iterable[Any] = (),
) -> Membership:
    """Give ``user`` a role in ``organisation``; a revoked membership of that role is restored.
    System administrators may use the admin site."""
    _membership_duplicate(user, organisation, role, exclude=None)
    revoked = Membership.objects.filter(
        user=user, organisation=organisation, role=role, is_active=False
    ).first()
    data = {"programmes": list(programmes), "areas": list(areas)}
    if revoked is not None:
        membership = services.record_update(
            actor=actor, instance=revoked, data={**data, "is_active": True}
        )
    else:
        membership = services.record_create(
            actor=actor,
            model=Membership,
            data={"user": user, "organisation": organisation, "role": role, **data},
        )
    if role == RoleChoice.SYSTEM_ADMIN and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
    forget_scopes(user)
    return membership


@transaction.atomic
def membership_create(*, actor: Any, data: Mapping[str, Any]) -> Membership:
    """``membership_grant`` with the fields as one mapping (the API's shape)."""
    return membership_grant(
        actor=actor,
        user=data["user"],
        organisation=data["organisation"],
        role=data["role"],
        programmes=data.get("programmes", ()),
        areas=data.get("areas", ()),
    )


@transaction.atomic
def membership_update(*, actor: Any, instance: Membership, data: Mapping[str, Any]) -> Membership:
    """Change a membership's role, narrowing or active flag (not its user)."""
    if "user" in data and data["user"].pk != instance.user_id:
        raise ValidationError(
            {"user": _("A membership cannot move to another user; grant a new one instead.")}
        )
    values = {key: value for key, value in data.items() if key != "user"}
    if values.get("is_active", instance.is_active):
        _membership_duplicate(
            instance.user,
            values.get("organisation", instance.organisation),
            values.get("role", instance.role),
            exclude=instance.pk,
        )
    membership = services.record_update(actor=actor, instance=instance, data=values)
    forget_scopes(membership.user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> Membership:
    """End a membership; the row stays (inactive) so the audit trail keeps its meaning."""
    membership = services.record_update(actor=actor, instance=membership, data={"is_active": False})
    forget_scopes(membership.user)
    return membership


def membership_delete(*, actor: Any, instance: Membership) -> None:
    """The API's delete: revokes the membership (see ``membership_revoke``)."""
    membership_revoke(actor=actor, membership=instance)


@transaction.atomic
def api_token_rotate(*, actor: Any, user: User) -> Token:
    """Replace the user's API token with a new one; the old key stops working at once."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        instance=user,
        changes={"api_token": ["(previous)", "(new)"]},
    )
    return token


@transaction.atomic
def api_token_revoke(*, actor: Any, user: User) -> None:
    deleted, _count = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=user,
            changes={"api_token": ["(previous)", None]},
        )
