"""The admin for areas: scoped, searchable, and saving through the geo services."""

import pytest

from marsad.core.models import AuditEntry
from marsad.geo.models import AdminArea, AreaLevel
from tests.factories import AdminAreaFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, mission):
    client.force_login(member("system_admin", mission, username="sysadmin"))
    return client


def test_changelist_search_and_filter(admin_client, areas):
    response = admin_client.get("/admin/geo/adminarea/", {"q": "بغداد"})
    assert response.status_code == 200
    assert [a.pcode for a in response.context["cl"].result_list] == ["IQG08"]
    response = admin_client.get("/admin/geo/adminarea/", {"level__exact": "2"})
    assert [a.pcode for a in response.context["cl"].result_list] == ["IQG02Q04", "IQG08Q03"]


def test_changing_the_parent_in_the_admin_repaths_below_and_audits(admin_client, areas):
    location = AdminAreaFactory(pcode="IQG08Q03L1", level=AreaLevel.LOCATION, parent=areas["karkh"])
    karkh = areas["karkh"]
    response = admin_client.post(
        f"/admin/geo/adminarea/{karkh.pk}/change/",
        {
            "pcode": "IQG08Q03",
            "level": "2",
            "parent": str(areas["basrah"].pk),
            "name_en": "Al-Karkh",
            "name_ar": "الكرخ",
            "name_ku": "کەرخ",
            "iso_code": "",
            "latitude": "",
            "longitude": "",
            "boundary": "null",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    location.refresh_from_db()
    assert location.path == "IQ/IQG02/IQG08Q03/IQG08Q03L1/"
    entry = AuditEntry.objects.filter(object_type="geo.adminarea").get()
    assert entry.changes["parent"] == [areas["baghdad"].pk, areas["basrah"].pk]
    assert entry.actor_username == "sysadmin"


def test_path_is_read_only_in_the_admin(admin_client, areas):
    response = admin_client.get(f"/admin/geo/adminarea/{areas['karkh'].pk}/change/")
    assert "path" not in response.context["adminform"].form.fields
    assert "IQ/IQG08/IQG08Q03/" in response.content.decode()


def test_adding_an_area_in_the_admin(admin_client, areas):
    response = admin_client.post(
        "/admin/geo/adminarea/add/",
        {
            "pcode": "IQG08Q04",
            "level": "2",
            "parent": str(areas["baghdad"].pk),
            "name_en": "Al-Adhamiya",
            "name_ar": "",
            "name_ku": "",
            "iso_code": "",
            "latitude": "",
            "longitude": "",
            "boundary": "null",
        },
    )
    assert response.status_code == 302
    assert AdminArea.objects.get(pcode="IQG08Q04").path == "IQ/IQG08/IQG08Q04/"
