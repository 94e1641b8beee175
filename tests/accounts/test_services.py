"""Account services: user creation with the password rules, language, memberships; audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marsad.accounts import services
from marsad.accounts.models import Membership, User
from marsad.core.models import AuditEntry
from tests.factories import ProgrammeFactory, UserFactory, member

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "river-falcon-lantern-42"


def test_user_create_is_audited_without_the_password_hash(mission):
    admin = member("system_admin", mission)
    user = services.user_create(
        actor=admin, username="layla", password=GOOD_PASSWORD, first_name="Layla"
    )
    assert user.check_password(GOOD_PASSWORD)
    entry = AuditEntry.objects.get(action="create", object_type="accounts.user")
    assert entry.changes["username"] == [None, "layla"]
    assert entry.changes["password"] == [None, "password changed"]
    assert user.password not in str(entry.changes)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("3141592653589", "This password is entirely numeric."),
    ],
)
def test_user_create_refuses_weak_passwords(password, message):
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(actor=None, username="layla", password=password)
    assert message in excinfo.value.message_dict["password"]
    assert not User.objects.filter(username="layla").exists()
    assert not AuditEntry.objects.exists()


def test_user_create_reports_every_field(ngo):
    UserFactory(username="taken")
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(actor=None, username="taken", password="x", email="not-an-email")
    assert set(excinfo.value.message_dict) == {"username", "password", "email"}


def test_user_create_needs_manage_users(ngo):
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=member("im_officer", ngo), username="layla", password=GOOD_PASSWORD
        )
    assert not User.objects.filter(username="layla").exists()


def test_user_sets_own_language_audited(ngo):
    user = member("field_monitor", ngo)
    services.user_set_language(actor=user, user=user, language="ar")
    user.refresh_from_db()
    assert user.preferred_language == "ar"
    entry = AuditEntry.objects.get(action="update", object_type="accounts.user")
    assert entry.changes == {"preferred_language": ["", "ar"]}


def test_unknown_language_is_refused(ngo):
    user = member("field_monitor", ngo)
    with pytest.raises(ValidationError) as excinfo:
        services.user_set_language(actor=user, user=user, language="fr")
    assert excinfo.value.message_dict == {
        "preferred_language": ['"fr" is not one of Marsad\'s languages.']
    }
    assert not AuditEntry.objects.exists()


def test_a_user_cannot_set_another_users_language(ngo):
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.user_set_language(actor=member("field_monitor", ngo), user=other, language="ar")


def test_membership_grant_and_duplicate(ngo, mission):
    admin = member("system_admin", mission)
    user = UserFactory()
    programme = ProgrammeFactory(lead_unit=mission)
    membership = services.membership_grant(
        actor=admin, user=user, organisation=ngo, role="field_monitor", programmes=[programme]
    )
    assert list(membership.programmes.all()) == [programme]
    with pytest.raises(ValidationError) as excinfo:
        services.membership_grant(actor=admin, user=user, organisation=ngo, role="field_monitor")
    assert list(excinfo.value.message_dict) == ["role"]
    assert Membership.objects.filter(user=user).count() == 1


def test_revoked_membership_is_restored_not_doubled(ngo, mission):
    admin = member("system_admin", mission)
    user = UserFactory()
    membership = services.membership_grant(
        actor=admin, user=user, organisation=ngo, role="field_monitor"
    )
    services.membership_revoke(actor=admin, membership=membership)
    membership.refresh_from_db()
    assert membership.is_active is False
    restored = services.membership_grant(
        actor=admin, user=user, organisation=ngo, role="field_monitor"
    )
    assert restored.pk == membership.pk
    assert restored.is_active is True
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.membership")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update"]


def test_membership_grant_needs_manage_users(ngo):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=member("im_officer", ngo), user=UserFactory(), organisation=ngo, role="im_officer"
        )
    assert Membership.objects.count() == 1  # the officer's own


def test_membership_update_cannot_move_to_another_user(ngo, mission):
    admin = member("system_admin", mission)
    membership = Membership.objects.get(user=member("field_monitor", ngo))
    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(actor=admin, instance=membership, data={"user": UserFactory()})
    assert list(excinfo.value.message_dict) == ["user"]
    services.membership_update(actor=admin, instance=membership, data={"role": "case_worker"})
    membership.refresh_from_db()
    assert membership.role == "case_worker"


def test_system_admin_role_makes_staff(ngo, mission):
    user = UserFactory()
    services.membership_grant(
        actor=member("system_admin", mission), user=user, organisation=ngo, role="system_admin"
    )
    user.refresh_from_db()
    assert user.is_staff is True
