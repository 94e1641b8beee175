"""The audit log: every write leaves its row, with before/after; no door can edit it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from marsad.core import audit, services
from marsad.core.models import AuditAction, AuditEntry
from marsad.partners.models import Contact
from tests.factories import ContactFactory, member

pytestmark = pytest.mark.django_db


def entries_for(instance_type: str, object_id) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(object_type=instance_type, object_id=str(object_id)))


def test_create_update_delete_each_leave_one_row_with_before_and_after(ngo):
    user = member("partner_reporter", ngo)
    contact = services.record_create(
        actor=user, model=Contact, data={"organisation": ngo, "full_name": "Hana Saleh"}
    )
    created = entries_for("partners.contact", contact.pk)
    assert [entry.action for entry in created] == [AuditAction.CREATE]
    assert created[0].changes["full_name"] == [None, "Hana Saleh"]
    assert created[0].actor_id == user.pk
    assert created[0].actor_username == user.username
    assert created[0].organisation_id == ngo.pk

    services.record_update(actor=user, instance=contact, data={"full_name": "Hana Salih"})
    update = AuditEntry.objects.get(object_id=str(contact.pk), action=AuditAction.UPDATE)
    assert update.changes == {"full_name": ["Hana Saleh", "Hana Salih"]}

    contact_id = contact.pk
    services.record_delete(actor=user, instance=contact)
    deletion = AuditEntry.objects.get(object_id=str(contact_id), action=AuditAction.DELETE)
    assert deletion.changes["full_name"] == ["Hana Salih", None]
    assert deletion.organisation_id == ngo.pk
    assert not Contact.objects.filter(pk=contact_id).exists()


def test_update_without_change_writes_no_row(ngo):
    user = member("partner_reporter", ngo)
    contact = ContactFactory(organisation=ngo, full_name="Same")
    services.record_update(actor=user, instance=contact, data={"full_name": "Same"})
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_refused_write_leaves_neither_record_nor_audit_row(ngo, other_ngo):
    user = member("partner_reporter", ngo)
    with pytest.raises(PermissionDenied):
        services.record_create(
            actor=user, model=Contact, data={"organisation": other_ngo, "full_name": "Intruder"}
        )
    assert not Contact.objects.filter(full_name="Intruder").exists()
    assert not AuditEntry.objects.exists()


def test_invalid_write_leaves_nothing(ngo):
    user = member("partner_reporter", ngo)
    with pytest.raises(ValidationError):
        services.record_create(
            actor=user, model=Contact, data={"organisation": ngo, "full_name": "", "email": "x"}
        )
    assert not Contact.objects.exists()
    assert not AuditEntry.objects.exists()


def test_orm_refuses_to_edit_or_delete_audit_rows(ngo):
    entry = audit.record(actor=None, action=AuditAction.EXPORT, object_repr="export")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "export"


def test_database_refuses_update_through_raw_sql(ngo):
    entry = audit.record(actor=None, action=AuditAction.EXPORT, object_repr="export")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["forged", entry.pk]
        )
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "export"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="DELETE trigger is PostgreSQL-only")
def test_postgresql_refuses_delete_through_raw_sql(ngo):
    entry = audit.record(actor=None, action=AuditAction.EXPORT, object_repr="export")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_request_address_is_recorded(client, ngo):
    user = member("partner_reporter", ngo)
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": "correct horse battery"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    login = AuditEntry.objects.filter(action=AuditAction.LOGIN).latest("id")
    assert login.ip_address == "10.1.2.3"
    assert login.actor_id == user.pk


def test_opening_a_restricted_record_in_the_admin_is_audited(client, ngo):
    admin_user = member("system_admin", ngo)
    restricted = ContactFactory(organisation=ngo, sensitivity="restricted")
    normal = ContactFactory(organisation=ngo)
    client.force_login(admin_user)
    assert client.get(f"/admin/partners/contact/{restricted.pk}/change/").status_code == 200
    assert client.get(f"/admin/partners/contact/{normal.pk}/change/").status_code == 200
    reads = AuditEntry.objects.filter(action=AuditAction.READ)
    assert list(reads.values_list("object_id", "actor_id")) == [(str(restricted.pk), admin_user.pk)]
