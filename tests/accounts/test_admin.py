"""The users and memberships admin: scoped, manage-users only, audited without password hashes."""

import pytest

from marsad.accounts.models import Membership, User
from marsad.core.models import AuditEntry
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "river-falcon-lantern-42"


@pytest.fixture
def admin_user(mission):
    return member("system_admin", mission, username="admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_user_changelist_for_system_administrators(admin_client, ngo):
    member("field_monitor", ngo, username="monitor")
    html = admin_client.get("/admin/accounts/user/").content.decode()
    assert "monitor" in html
    assert "admin" in html


def test_user_admin_is_closed_to_other_roles(client, ngo):
    client.force_login(member("im_officer", ngo))
    assert client.get("/admin/accounts/user/").status_code == 302


def test_user_change_is_audited_without_the_hash(admin_client, admin_user, ngo):
    user = member("field_monitor", ngo, username="monitor")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "username": "monitor",
            "first_name": "Zainab",
            "last_name": "",
            "email": user.email,
            "phone": "",
            "preferred_language": "ar",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="update", object_type="accounts.user")
    assert entry.actor_username == "admin"
    assert entry.changes == {"first_name": ["", "Zainab"], "preferred_language": ["", "ar"]}


def test_user_add_records_password_changed(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "layla",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "first_name": "Layla",
            "last_name": "",
            "email": "",
            "preferred_language": "",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="layla")
    entry = AuditEntry.objects.get(action="create", object_type="accounts.user")
    assert entry.changes["password"] == [None, "password changed"]
    assert user.password not in str(entry.changes)


def test_password_change_is_audited(admin_client, ngo):
    user = member("field_monitor", ngo, username="monitor")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)
    entry = AuditEntry.objects.get(action="update", object_type="accounts.user")
    assert entry.changes == {"password": [None, "password changed"]}


def test_users_are_never_deleted_in_the_admin(admin_client, ngo):
    user = UserFactory()
    assert admin_client.get(f"/admin/accounts/user/{user.pk}/delete/").status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_membership_admin_saves_through_the_services(admin_client, ngo):
    user = UserFactory(username="target")
    response = admin_client.post(
        "/admin/accounts/membership/add/",
        {"user": user.pk, "organisation": ngo.pk, "role": "field_monitor", "is_active": "on"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.role == "field_monitor"
    entry = AuditEntry.objects.get(action="create", object_type="accounts.membership")
    assert entry.actor_username == "admin"
    assert admin_client.get("/admin/accounts/membership/").status_code == 200
