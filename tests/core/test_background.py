"""Task runs: progress, success, failure, and who may see them."""

import pytest
from django.utils import translation
from django_tasks import task

from marsad.core.background import fail, finish, task_start, tracked
from marsad.core.models import AuditAction, AuditEntry, TaskRun, TaskStatus
from tests.factories import member

pytestmark = pytest.mark.django_db


@task()
def count_to(run_id: str, limit: int) -> None:
    with tracked(run_id) as progress:
        for number in range(1, limit + 1):
            progress(number, limit, f"counted {number}", force=True)
        finish(run_id, {"counted": limit}, f"Counted to {limit}")


@task()
def explode(run_id: str) -> None:
    with tracked(run_id):
        raise ValueError("the file has no header row")


@task()
def reject(run_id: str) -> None:
    with tracked(run_id):
        fail(run_id, "line 3: unknown P-code IQX99")


@task()
def idle(run_id: str) -> None:
    with tracked(run_id):
        pass


@pytest.mark.parametrize(("language", "finished"), [("ar", "اكتملت"), ("en", "Finished")])
def test_a_run_speaks_the_language_it_was_started_in(
    ngo, django_capture_on_commit_callbacks, language, finished
):
    user = member("im_officer", ngo)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        translation.override(language),
    ):
        run = task_start(actor=user, task=idle, label="Idle")
    with translation.override("ckb"):  # whatever the worker's own language is
        for callback in callbacks:
            callback()
        assert translation.get_language() == "ckb"  # and it is left as it was
    run.refresh_from_db()
    assert (run.language, run.status, run.message) == (language, TaskStatus.SUCCEEDED, finished)


def test_a_run_reports_progress_and_result(ngo, django_capture_on_commit_callbacks):
    user = member("im_officer", ngo)
    with django_capture_on_commit_callbacks(execute=True):
        run = task_start(actor=user, task=count_to, label="Count", limit=4)
    run.refresh_from_db()
    assert run.status == TaskStatus.SUCCEEDED
    assert (run.progress_done, run.progress_total, run.percent) == (4, 4, 100)
    assert run.result == {"counted": 4}
    assert run.message == "Counted to 4"
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.backend_task_id
    assert AuditEntry.objects.filter(action=AuditAction.TASK, object_id=str(run.pk)).count() == 1


def test_nothing_is_enqueued_when_the_transaction_rolls_back(
    ngo, django_capture_on_commit_callbacks
):
    user = member("im_officer", ngo)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = task_start(actor=user, task=count_to, label="Count", limit=2)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == TaskStatus.QUEUED
    assert run.progress_done == 0


def test_an_exception_marks_the_run_failed_with_its_message(
    ngo, django_capture_on_commit_callbacks
):
    user = member("im_officer", ngo)
    with django_capture_on_commit_callbacks(execute=True):
        run = task_start(actor=user, task=explode, label="Explode")
    run.refresh_from_db()
    assert run.status == TaskStatus.FAILED
    assert run.error == "the file has no header row"


def test_rejected_input_stays_failed(ngo, django_capture_on_commit_callbacks):
    user = member("im_officer", ngo)
    with django_capture_on_commit_callbacks(execute=True):
        run = task_start(actor=user, task=reject, label="Reject")
    run.refresh_from_db()
    assert run.status == TaskStatus.FAILED
    assert run.error == "line 3: unknown P-code IQX99"


def test_task_pages_show_own_runs_only(client, ngo):
    owner = member("im_officer", ngo)
    stranger = member("im_officer", ngo)
    run = TaskRun.objects.create(
        kind="x", label="Loading areas", created_by=owner, progress_total=10, progress_done=5
    )
    client.force_login(owner)
    page = client.get(f"/tasks/{run.pk}/")
    assert page.status_code == 200
    assert "5 of 10 (50%)" in page.content.decode()
    assert "Loading areas" in client.get("/tasks/").content.decode()
    partial = client.get(f"/tasks/{run.pk}/", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert 'hx-trigger="every 2s"' in partial.content.decode()
    client.force_login(stranger)
    assert client.get(f"/tasks/{run.pk}/").status_code == 404
    assert "Loading areas" not in client.get("/tasks/").content.decode()


def test_finished_run_stops_polling(client, ngo):
    owner = member("im_officer", ngo)
    run = TaskRun.objects.create(
        kind="x", label="Done", created_by=owner, status=TaskStatus.SUCCEEDED
    )
    client.force_login(owner)
    assert "hx-trigger" not in client.get(f"/tasks/{run.pk}/").content.decode()


def test_the_task_page_names_each_figure_in_the_readers_language(client, ngo):
    owner = member("im_officer", ngo)
    run = TaskRun.objects.create(
        kind="x",
        label="Master list",
        created_by=owner,
        status=TaskStatus.SUCCEEDED,
        result={
            "rows": 12,
            "locations_created": 3,
            "dry_run": True,
            "errors": [],
            "notes": ["row 4 repeats row 2", "two columns ignored"],
            "created": {"partners": 2, "projects": 0},
            "run": None,
            "made_up_count": 7,
        },
    )
    client.force_login(owner)
    client.cookies["django_language"] = "ar"
    page = client.get(f"/tasks/{run.pk}/").content.decode()
    assert "<dt>الصفوف المقروءة</dt><dd><bdi>12</bdi></dd>" in page
    assert "<dt>المواقع المضافة</dt>" in page
    assert "<dt>تشغيل تجريبي (لم يُحفظ شيء)</dt><dd>نعم</dd>" in page
    assert "<li><bdi>row 4 repeats row 2</bdi></li>" in page
    assert "<li><bdi>partners: 2</bdi></li>" in page
    assert "<dt>Made up count</dt><dd><bdi>7</bdi></dd>" in page  # a figure with no label yet
    assert "locations_created" not in page
    assert "True" not in page
    assert "الأخطاء المكتشفة" not in page  # no errors: nothing to list


def test_a_failed_runs_errors_are_listed_once(client, ngo):
    owner = member("im_officer", ngo)
    run = TaskRun.objects.create(
        kind="x",
        label="Master list",
        created_by=owner,
        status=TaskStatus.FAILED,
        error="Nothing was imported: the file has 1 error.\nrow 2, column families: -2",
        result={"error_count": 1, "errors": ["row 2, column families: -2"]},
    )
    client.force_login(owner)
    page = client.get(f"/tasks/{run.pk}/").content.decode()
    assert page.count("row 2, column families: -2") == 1
    assert "<dt>Errors</dt><dd><bdi>1</bdi></dd>" in page
