"""A plan's distribution-list upload through the API: queued as the page queues it, 202 with
the task run to follow, refused for the wrong file, plan or role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marsad.assistance.models import Receipt
from marsad.core.models import TaskRun, TaskStatus
from tests.assistance.factories import FOOD, GRANT, household, plan
from tests.assistance.test_import import csv_bytes, row
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def grants(areas, ngo, programme):
    return plan(ngo, programme, areas["basrah"], items=[GRANT, FOOD])


@pytest.fixture
def families(areas, ngo):
    return household(ngo, areas["zubair"], female=True), household(ngo, areas["zubair"])


def url(plan):
    return f"/api/v1/assistance/plans/{plan.pk}/import-receipts/"


def upload(content, name="list.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_dry_run_then_import(client, grants, families, ngo, django_capture_on_commit_callbacks):
    client.force_login(member("partner_reporter", ngo, username="reporter"))
    rows = csv_bytes([row(family) for family in families])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(grants), {"file": upload(rows), "dry_run": "true"})
    assert response.status_code == 202, response.content
    followed = client.get(response["Location"]).json()
    assert followed["status"] == TaskStatus.SUCCEEDED, followed["error"]
    assert (followed["result"]["dry_run"], followed["result"]["receipts_created"]) == (True, 2)
    assert not Receipt.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(grants), {"file": upload(rows)})
    followed = client.get(response["Location"]).json()
    assert followed["status"] == TaskStatus.SUCCEEDED, followed["error"]
    assert Receipt.objects.count() == 2
    assert set(Receipt.objects.values_list("recorded_by__username", flat=True)) == {"reporter"}


def test_refusals(client, areas, grants, ngo, other_ngo, programme):
    client.force_login(member("partner_reporter", ngo))
    response = client.post(url(grants), {"file": upload(b"x", name="list.pdf")})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    draft = plan(ngo, programme, areas["basrah"], items=[FOOD], approve=False, code="DRAFT-1")
    response = client.post(url(draft), {"file": upload(csv_bytes([]))})
    assert response.status_code == 400
    assert "approved plans" in response.json()["errors"][0]["message"]
    client.force_login(member("partner_reporter", other_ngo))
    assert client.post(url(grants), {"file": upload(csv_bytes([]))}).status_code == 404
    client.force_login(member("aggregate_viewer", ngo))
    assert client.post(url(grants), {"file": upload(csv_bytes([]))}).status_code == 403
    assert not TaskRun.objects.exists()
