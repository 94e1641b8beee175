"""Writes on users, memberships and API tokens — each audited in the same transaction."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from marsad.accounts.models import Membership, RoleChoice, User
from marsad.core import audit, services
from marsad.core.models import AuditAction
from marsad.core.scoping import forget_scopes


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
) -> User:
    """Create a user; the password must pass the configured validators."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        preferred_language=preferred_language,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        instance=user,
        changes={
            key: [None, value]
            for key, value in audit.snapshot(user).items()
            if key not in {"password", "last_login"}
        },
    )
    return user


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
    """Give ``user`` a role in ``organisation``; system administrators may use the admin site."""
    membership = services.record_create(
        actor=actor,
        model=Membership,
        data={
            "user": user,
            "organisation": organisation,
            "role": role,
            "programmes": list(programmes),
            "areas": list(areas),
        },
    )
    if role == RoleChoice.SYSTEM_ADMIN and not user.is_staff:
        User.objects.filter(pk=user.pk).update(is_staff=True)
    forget_scopes(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> Membership:
    membership = services.record_update(
        actor=actor, instance=membership, data={"is_active": False}
    )
    forget_scopes(membership.user)
    return membership


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
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            instance=user,
            changes={"api_token": ["(previous)", None]},
        )
