"""The runs page: models and runs listed, a full run started in the background, the model in
use chosen — by IM officers and system administrators only."""

import pytest
from django.urls import reverse
from django.utils import translation

from marsad.core.models import AuditEntry, TaskRun
from marsad.linkage.models import LinkageRun, ModelVersion
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def model(version, active=False):
    return ModelVersion.objects.create(
        version=version,
        model={},
        auto_link_threshold=0.99,
        review_threshold=0.8,
        records=120,
        is_active=active,
    )


def test_page_lists_models_and_runs(client, ngo):
    first = model(1, active=True)
    LinkageRun.objects.create(kind="full", model=first, status="finished", records=120)
    client.force_login(member("im_officer", ngo))
    page = client.get(reverse("linkage:runs")).content.decode()
    assert "v1" in page
    assert "In use" in page
    assert "Compare the whole registry" in page
    assert "Whole registry (trains a new model)" in page


def test_case_worker_sees_but_does_not_run(client, ngo):
    model(1, active=True)
    model(2)
    client.force_login(member("case_worker", ngo))
    page = client.get(reverse("linkage:runs")).content.decode()
    assert "Compare the whole registry" not in page
    assert "Use this model" not in page
    assert client.post(reverse("linkage:run-start")).status_code == 403
    assert client.post(reverse("linkage:model-activate", args=[2])).status_code == 403


def test_choose_the_model_in_use(client, ngo):
    model(1, active=True)
    model(2)
    client.force_login(member("im_officer", ngo))
    response = client.post(reverse("linkage:model-activate", args=[2]))
    assert response["Location"] == reverse("linkage:runs")
    assert list(ModelVersion.objects.filter(is_active=True).values_list("version", flat=True)) == [
        2
    ]
    assert AuditEntry.objects.filter(object_type="linkage.modelversion").exists()
    assert client.post(reverse("linkage:model-activate", args=[9])).status_code == 404


def test_full_run_starts_a_background_task(client, ngo, django_capture_on_commit_callbacks):
    client.force_login(member("im_officer", ngo))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("linkage:run-start"))
    task = TaskRun.objects.get()
    assert response["Location"] == reverse("core:task-detail", args=[task.pk])
    assert LinkageRun.objects.filter(kind="full").exists()
