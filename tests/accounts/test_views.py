"""The user's own page: the language preference (saved, audited, cookie set) in any language."""

import pytest
from django.conf import settings
from django.urls import reverse

from marsad.core.models import AuditEntry
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_profile_shows_the_language_choice(client, ngo):
    client.force_login(member("field_monitor", ngo))
    html = client.get(reverse("accounts:profile")).content.decode()
    assert f'action="{reverse("accounts:language")}"' in html
    assert "العربيّة" in html
    assert "کوردی" in html


def test_saving_a_language(client, ngo):
    user = member("field_monitor", ngo)
    client.force_login(user)
    response = client.post(reverse("accounts:language"), {"preferred_language": "ar"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    user.refresh_from_db()
    assert user.preferred_language == "ar"
    entry = AuditEntry.objects.get(action="update", object_type="accounts.user")
    assert entry.changes == {"preferred_language": ["", "ar"]}
    html = client.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_choosing_the_browser_language_clears_the_cookie(client, ngo):
    user = member("field_monitor", ngo)
    user.preferred_language = "ckb"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ckb"
    response = client.post(reverse("accounts:language"), {"preferred_language": ""})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    user.refresh_from_db()
    assert user.preferred_language == ""


def test_an_unknown_language_is_refused(client, ngo):
    user = member("field_monitor", ngo)
    client.force_login(user)
    response = client.post(reverse("accounts:language"), {"preferred_language": "fr"})
    assert response.status_code == 400
    assert response.context["language_form"].errors == {
        "preferred_language": ["Select a valid choice. fr is not one of the available choices."]
    }
    user.refresh_from_db()
    assert user.preferred_language == ""
    assert not AuditEntry.objects.filter(action="update").exists()


def test_language_needs_post_and_sign_in(client, ngo):
    assert (
        client.post(reverse("accounts:language"), {"preferred_language": "ar"}).status_code == 302
    )
    client.force_login(member("field_monitor", ngo))
    assert client.get(reverse("accounts:language")).status_code == 405


def test_profile_in_arabic(client, ngo):
    client.force_login(member("field_monitor", ngo))
    html = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert 'dir="rtl"' in html
