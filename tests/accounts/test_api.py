"""Accounts API: /me/, memberships (scoped reads, manage-users writes) and users."""

import pytest

from marsad.accounts.models import Membership, User
from marsad.core.models import AuditEntry
from tests.factories import ProgrammeFactory, UserFactory, member

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "river-falcon-lantern-42"


def test_me(api_client, mission, areas):
    programme = ProgrammeFactory(code="IDP", lead_unit=mission)
    user = member("field_monitor", mission, programmes=[programme], areas=[areas["basrah"]])
    User.objects.filter(pk=user.pk).update(
        first_name="Zainab", last_name="Kadhim", preferred_language="ar"
    )
    user.refresh_from_db()
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 200
    membership = Membership.objects.get(user=user)
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "first_name": "Zainab",
        "last_name": "Kadhim",
        "full_name": "Zainab Kadhim",
        "email": user.email,
        "preferred_language": "ar",
        "memberships": [
            {
                "id": membership.pk,
                "organisation": "IOM-IDP",
                "organisation_name": "IOM IDP unit",
                "role": "field_monitor",
                "role_display": "Field monitor",
                "programmes": ["IDP"],
                "areas": ["IQG02"],
                "is_active": True,
            }
        ],
        "capabilities": ["change_records", "view_aggregates", "view_pii", "view_records"],
    }


def test_me_leaves_out_revoked_memberships(api_client, ngo):
    user = member("field_monitor", ngo)
    user.memberships.update(is_active=False)
    api_client.force_authenticate(user)
    body = api_client.get("/api/v1/me/").json()
    assert (body["memberships"], body["capabilities"]) == ([], [])


def test_me_needs_sign_in(api_client):
    assert api_client.get("/api/v1/me/").status_code == 401


# --- Memberships ---------------------------------------------------------------------------------


def test_memberships_are_read_by_scope(api_client, ngo, other_ngo):
    member("partner_reporter", other_ngo)
    user = member("field_monitor", ngo, username="monitor")
    member("case_worker", ngo, username="worker")
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/memberships/")
    assert response.status_code == 200
    assert sorted(row["user"] for row in response.json()["results"]) == ["monitor", "worker"]


def test_aggregate_viewer_sees_no_memberships(api_client, ngo):
    api_client.force_authenticate(member("aggregate_viewer", ngo))
    assert api_client.get("/api/v1/memberships/").json()["count"] == 0


@pytest.mark.parametrize("role", ["im_officer", "programme_manager", "partner_reporter"])
def test_only_user_managers_write_memberships(api_client, ngo, role):
    actor = member(role, ngo)
    target = UserFactory(username="target")
    api_client.force_authenticate(actor)
    response = api_client.post(
        "/api/v1/memberships/", {"user": "target", "organisation": "NGO-A", "role": "im_officer"}
    )
    assert response.status_code == 403
    assert not Membership.objects.filter(user=target).exists()
    own = Membership.objects.get(user=actor)
    assert (
        api_client.patch(f"/api/v1/memberships/{own.pk}/", {"role": "system_admin"}).status_code
        == 403
    )
    assert api_client.delete(f"/api/v1/memberships/{own.pk}/").status_code == 403
    own.refresh_from_db()
    assert (own.role, own.is_active) == (role, True)


def test_system_admin_grants_changes_and_revokes(api_client, ngo, mission, areas):
    api_client.force_authenticate(member("system_admin", mission))
    ProgrammeFactory(code="IDP", lead_unit=mission)
    UserFactory(username="target")
    response = api_client.post(
        "/api/v1/memberships/",
        {
            "user": "target",
            "organisation": "NGO-A",
            "role": "field_monitor",
            "programmes": ["IDP"],
            "areas": ["IQG08"],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["programmes"], body["areas"], body["role_display"]) == (
        ["IDP"],
        ["IQG08"],
        "Field monitor",
    )
    pk = body["id"]
    again = api_client.post(
        "/api/v1/memberships/", {"user": "target", "organisation": "NGO-A", "role": "field_monitor"}
    )
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "role"
    assert api_client.patch(f"/api/v1/memberships/{pk}/", {"areas": []}).status_code == 200
    assert api_client.delete(f"/api/v1/memberships/{pk}/").status_code == 204
    membership = Membership.objects.get(pk=pk)
    assert (membership.is_active, membership.areas.count()) == (False, 0)
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.membership", object_id=str(pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "update"]


# --- Users ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["im_officer", "programme_manager", "partner_reporter"])
def test_users_endpoint_is_for_user_managers_only(api_client, ngo, role):
    api_client.force_authenticate(member(role, ngo))
    assert api_client.get("/api/v1/users/").status_code == 403
    response = api_client.post("/api/v1/users/", {"username": "x", "password": GOOD_PASSWORD})
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_system_admin_lists_and_reads_users(api_client, ngo, mission):
    admin = member("system_admin", mission, username="admin")
    worker = member("case_worker", ngo, username="worker")
    api_client.force_authenticate(admin)
    names = [row["username"] for row in api_client.get("/api/v1/users/").json()["results"]]
    assert names == ["admin", "worker"]
    body = api_client.get(f"/api/v1/users/{worker.pk}/").json()
    assert body["memberships"][0]["organisation"] == "NGO-A"
    assert "password" not in body


def test_user_create_rejects_a_weak_password(api_client, mission):
    api_client.force_authenticate(member("system_admin", mission))
    response = api_client.post("/api/v1/users/", {"username": "layla", "password": "password"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {error["field"] for error in errors} == {"password"}
    assert {error["message"] for error in errors} == {
        "This password is too short. It must contain at least 10 characters.",
        "This password is too common.",
    }
    assert all(error["code"] == "invalid" for error in errors)
    assert not User.objects.filter(username="layla").exists()
    assert not AuditEntry.objects.filter(object_type="accounts.user").exists()


def test_user_create_never_returns_the_password(api_client, mission):
    api_client.force_authenticate(member("system_admin", mission))
    response = api_client.post(
        "/api/v1/users/",
        {"username": "layla", "password": GOOD_PASSWORD, "first_name": "Layla", "email": "l@x.org"},
    )
    assert response.status_code == 201
    body = response.json()
    assert "password" not in body
    assert GOOD_PASSWORD not in response.content.decode()
    user = User.objects.get(username="layla")
    assert user.check_password(GOOD_PASSWORD)
    assert body["id"] == user.pk
    entry = AuditEntry.objects.get(object_type="accounts.user", action="create")
    assert user.password not in str(entry.changes)


def test_user_create_duplicate_username(api_client, mission):
    api_client.force_authenticate(member("system_admin", mission))
    UserFactory(username="layla")
    response = api_client.post("/api/v1/users/", {"username": "layla", "password": GOOD_PASSWORD})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["username"]


def test_membership_list_query_count(api_client, django_assert_num_queries, ngo, areas):
    for number in range(5):
        member("field_monitor", ngo, username=f"monitor{number}", areas=[areas["basrah"]])
    api_client.force_authenticate(member("im_officer", ngo))
    # memberships of the reader (+ programmes, areas), count, page, programmes, areas
    with django_assert_num_queries(7):
        response = api_client.get("/api/v1/memberships/")
    assert response.json()["count"] == 6


def test_user_list_query_count(api_client, django_assert_num_queries, ngo, mission):
    for number in range(5):
        member("field_monitor", ngo, username=f"monitor{number}")
    api_client.force_authenticate(member("system_admin", mission))
    # memberships of the reader (+ programmes, areas), count, page, then each user's
    # memberships with their organisation, programmes and areas
    with django_assert_num_queries(8):
        response = api_client.get("/api/v1/users/")
    assert response.json()["count"] == 6
