"""Signing in: audited successes and failures, lockout after repeated failures."""

import pytest
from django.conf import settings

from marsad.core.models import AuditAction, AuditEntry
from tests.factories import PASSWORD, member

pytestmark = pytest.mark.django_db


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_success_and_logout_are_audited(client, ngo):
    user = member("field_monitor", ngo)
    assert login(client, user.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    actions = list(
        AuditEntry.objects.filter(actor=user).order_by("id").values_list("action", flat=True)
    )
    assert actions == [AuditAction.LOGIN, AuditAction.LOGOUT]


def test_failure_is_audited_without_the_password(client, ngo):
    user = member("field_monitor", ngo)
    response = login(client, user.username, "wrong password 1")
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.object_repr == user.username
    assert failed.object_id == str(user.pk)
    assert "wrong password 1" not in str(failed.context) + str(failed.changes)


def test_lockout_after_repeated_failures_even_with_the_right_password(client, ngo):
    user = member("field_monitor", ngo)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, user.username, f"wrong {attempt}")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    response = login(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT).count() >= 1


def test_lockout_is_per_user_name(client, ngo):
    victim = member("field_monitor", ngo)
    other = member("field_monitor", ngo)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, victim.username, f"wrong {attempt}")
    assert login(client, other.username, PASSWORD).status_code == 302


def test_anonymous_pages_redirect_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
