"""The API's master-list and submissions uploads: queued as the pages queue them, 202 with the
task run to follow, refused in the same words for the wrong file, organisation or role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from marsad.core.models import TaskRun, TaskStatus
from marsad.displacement.models import LocationAssessment, PopulationGroup
from tests.displacement import kobo_export_files
from tests.displacement.factories import location, masterlist_csv, open_round
from tests.factories import member

pytestmark = pytest.mark.django_db

ROW = "IQG08Q03L001,Al-Mansour,المنصور,IQG08Q03,33.3,44.35,IDP,IQG02,2006-2008,rented,10,"
MASTERLIST = "/api/v1/rounds/4/import-masterlist/"
SUBMISSIONS = "/api/v1/rounds/4/import-submissions/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def round4(areas):
    location("IQG08Q03L002", areas["karkh"], name_en="Al-Amiriya")
    return open_round(4)


@pytest.fixture
def officer(client, ngo):
    user = member("im_officer", ngo, username="officer")
    client.force_login(user)
    return user


def csv_file(content=None, name="list.csv"):
    return SimpleUploadedFile(name, content or masterlist_csv(ROW), content_type="text/csv")


def test_masterlist_dry_run_then_import(
    client, round4, officer, ngo, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            MASTERLIST, {"file": csv_file(), "organisation": "NGO-A", "dry_run": "true"}
        )
    assert response.status_code == 202, response.content
    run = TaskRun.objects.get()
    body = response.json()
    assert body["id"] == str(run.pk)
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"/api/v1/tasks/{run.pk}/")
    assert body["label"] == "Check master list list.csv for round 4 (dry run)"
    followed = client.get(body["url"]).json()
    assert followed["status"] == TaskStatus.SUCCEEDED
    assert followed["result"]["dry_run"] is True
    assert not PopulationGroup.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MASTERLIST, {"file": csv_file(), "organisation": "NGO-A"})
    assert response.status_code == 202
    followed = client.get(response["Location"]).json()
    assert (followed["status"], followed["result"]["created"]) == (TaskStatus.SUCCEEDED, 1)
    assert PopulationGroup.objects.get().assessment.organisation == ngo
    assert list((media_root / "uploads").iterdir()) == []


def test_masterlist_row_errors_fail_the_run_with_every_error(
    client, round4, officer, django_capture_on_commit_callbacks
):
    bad = masterlist_csv(ROW.replace(",10,", ",-2,"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MASTERLIST, {"file": csv_file(bad), "organisation": "NGO-A"})
    followed = client.get(response["Location"]).json()
    assert followed["status"] == TaskStatus.FAILED
    assert followed["result"]["errors"] == [
        "row 2, column families: -2 is below zero; give 0 or more"
    ]
    assert not PopulationGroup.objects.exists()


def test_masterlist_bad_requests_are_refused_before_anything_is_stored(
    client, round4, officer, other_ngo, media_root
):
    response = client.post(MASTERLIST, {"file": csv_file(name="list.txt"), "organisation": "NGO-A"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "file",
            "code": "invalid",
            "message": "list.txt is not a file this page reads; upload .csv, .xlsx.",
        }
    ]
    response = client.post(MASTERLIST, {"file": csv_file(), "organisation": other_ngo.code})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["organisation"]
    response = client.post(MASTERLIST, {"organisation": "NGO-A"})
    assert [error["field"] for error in response.json()["errors"]] == ["file"]
    assert client.post("/api/v1/rounds/99/import-masterlist/", {}).status_code == 404
    assert not TaskRun.objects.exists()
    assert not (media_root / "uploads").exists() or not list((media_root / "uploads").iterdir())


@pytest.mark.parametrize("role", ["field_monitor", "programme_manager", "partner_reporter"])
def test_refused_without_the_right_to_import(client, round4, ngo, role):
    client.force_login(member(role, ngo))
    response = client.post(MASTERLIST, {"file": csv_file(), "organisation": "NGO-A"})
    assert response.status_code == 403
    assert "import master lists" in response.json()["errors"][0]["message"]
    response = client.post(
        SUBMISSIONS,
        {"files": [SimpleUploadedFile("a.xlsx", kobo_export_files.kobo_xlsx())]},
    )
    assert response.status_code == 403
    assert not TaskRun.objects.exists()


def test_submissions_several_files_imported(
    client, areas, officer, django_capture_on_commit_callbacks
):
    location("IQG08Q03L001", areas["karkh"], name_en="Hay al-Jihad")
    location("IQG08Q03L002", areas["karkh"], name_en="Al-Amiriya")
    open_round(4)
    files = [
        SimpleUploadedFile(name, content) for name, content in kobo_export_files.kobo_csv_files()
    ]
    assert len(files) > 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SUBMISSIONS, {"files": files, "organisation": "NGO-A"})
    assert response.status_code == 202, response.content
    followed = client.get(response["Location"]).json()
    assert followed["status"] == TaskStatus.SUCCEEDED, followed["error"]
    assert LocationAssessment.objects.count() == followed["result"]["assessments_created"] > 0


def test_submissions_need_a_file_of_a_kind_read(client, round4, officer):
    response = client.post(SUBMISSIONS, {"organisation": "NGO-A"})
    assert [error["field"] for error in response.json()["errors"]] == ["files"]
    response = client.post(
        SUBMISSIONS,
        {"files": [SimpleUploadedFile("notes.txt", b"x")], "organisation": "NGO-A"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("files")
    assert not TaskRun.objects.exists()
