"""A source list's upload through the API: queued as the page queues it, 202 with the task run
to follow, refused for the wrong file, organisation or role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marsad.core.models import TaskRun, TaskStatus
from marsad.registry.models import Household, SourceRecord
from tests.factories import member
from tests.registry.source_lists import csv_bytes, family

pytestmark = pytest.mark.django_db

URL = "/api/v1/registry/households/import/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name="list.csv"):
    return SimpleUploadedFile(name, csv_bytes(family()), content_type="text/csv")


def test_dry_run_then_import(client, areas, ngo, media_root, django_capture_on_commit_callbacks):
    client.force_login(member("partner_reporter", ngo, username="reporter"))
    data = {"organisation": "NGO-A", "kind": "partner", "source_name": "NGO-A March list"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**data, "file": upload(), "dry_run": "true"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["label"] == "Check source list list.csv of NGO-A (dry run)"
    followed = client.get(response["Location"]).json()
    assert followed["status"] == TaskStatus.SUCCEEDED, followed["error"]
    assert followed["result"]["households_created"] == 2
    assert not Household.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {**data, "file": upload()})
    assert client.get(response["Location"]).json()["status"] == TaskStatus.SUCCEEDED
    assert Household.objects.count() == 2
    assert set(SourceRecord.objects.values_list("source_name", "kind")) == {
        ("NGO-A March list", "partner")
    }
    assert list((media_root / "uploads").iterdir()) == []


def test_refusals(client, areas, ngo, other_ngo):
    client.force_login(member("partner_reporter", ngo))
    response = client.post(
        URL, {"file": upload(), "organisation": other_ngo.code, "kind": "partner"}
    )
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["organisation"]
    response = client.post(
        URL, {"file": upload("list.doc"), "organisation": "NGO-A", "kind": "census"}
    )
    assert sorted(error["field"] for error in response.json()["errors"]) == ["file", "kind"]
    client.force_login(member("aggregate_viewer", ngo))
    response = client.post(URL, {"file": upload(), "organisation": "NGO-A", "kind": "partner"})
    assert response.status_code == 403
    assert not TaskRun.objects.exists()
