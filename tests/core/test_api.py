"""The API's common behaviour: one error format, pagination, token auth, audit and tasks."""

import pytest
from rest_framework.authtoken.models import Token

from marsad.core import audit
from marsad.core.models import AuditAction, TaskRun
from tests.factories import ContactFactory, member

pytestmark = pytest.mark.django_db


def test_validation_errors_name_field_code_and_message(api_client, ngo):
    api_client.force_authenticate(member("partner_reporter", ngo))
    response = api_client.post(
        "/api/v1/contacts/", {"organisation": ngo.code, "full_name": "", "email": "not-an-email"}
    )
    assert response.status_code == 400
    errors = {error["field"]: error for error in response.json()["errors"]}
    assert errors["full_name"]["code"] == "blank"
    assert errors["email"]["code"] == "invalid"
    assert all(error["message"] for error in errors.values())


def test_not_found_and_forbidden_use_the_same_format(api_client, ngo):
    api_client.force_authenticate(member("field_monitor", ngo))
    response = api_client.get("/api/v1/audit/")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    response = api_client.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (None, "not_found")
    assert error["message"]


def test_anonymous_requests_are_refused(api_client):
    response = api_client.get("/api/v1/tasks/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_token_authentication(api_client, ngo):
    user = member("im_officer", ngo)
    token = Token.objects.create(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/tasks/").status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get("/api/v1/tasks/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_pagination(api_client, ngo):
    user = member("im_officer", ngo)
    for number in range(7):
        TaskRun.objects.create(kind="x", label=f"run {number}", created_by=user)
    api_client.force_authenticate(user)
    page = api_client.get("/api/v1/tasks/?page_size=3&page=2").json()
    assert page["count"] == 7
    assert len(page["results"]) == 3
    assert page["next"]
    assert page["previous"]


def test_audit_api_for_system_administrators_only(api_client, ngo):
    admin = member("system_admin", ngo)
    audit.record(
        actor=admin,
        action=AuditAction.EXPORT,
        object_type="partners.funding",
        object_repr="funding.csv",
    )
    api_client.force_authenticate(admin)
    response = api_client.get("/api/v1/audit/?action=export")
    assert response.status_code == 200
    assert [row["object_repr"] for row in response.json()["results"]] == ["funding.csv"]
    api_client.force_authenticate(member("programme_manager", ngo))
    assert api_client.get("/api/v1/audit/").status_code == 403


def test_audit_api_is_read_only(api_client, ngo):
    admin = member("system_admin", ngo)
    entry = audit.record(actor=admin, action=AuditAction.EXPORT, object_repr="x")
    api_client.force_authenticate(admin)
    assert api_client.patch(f"/api/v1/audit/{entry.pk}/", {"object_repr": "y"}).status_code == 405
    assert api_client.delete(f"/api/v1/audit/{entry.pk}/").status_code == 405


def test_reading_a_restricted_record_is_audited(api_client, ngo):
    user = member("border_officer", ngo)
    restricted = ContactFactory(organisation=ngo, sensitivity="restricted")
    normal = ContactFactory(organisation=ngo)
    api_client.force_authenticate(user)
    assert api_client.get(f"/api/v1/contacts/{restricted.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/contacts/{normal.pk}/").status_code == 200
    reads = audit.AuditEntry.objects.filter(action=AuditAction.READ)
    assert list(reads.values_list("object_id", "actor_id")) == [(str(restricted.pk), user.pk)]


def test_schema_and_docs_are_served(client, ngo):
    client.force_login(member("im_officer", ngo))
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/areas/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
