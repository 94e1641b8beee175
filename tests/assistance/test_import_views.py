"""A plan's distribution-list upload page and its background task: who may use it for which
plan, dry run then import, errors failing the task and shown on its page, the override column
by a supervisor, and the upload removed afterwards."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marsad.assistance.models import Receipt
from marsad.core.models import AuditEntry, TaskRun, TaskStatus
from tests.assistance.factories import FOOD, GRANT, household, plan, receipt
from tests.assistance.test_import import csv_bytes, row, xlsx_bytes
from tests.factories import ProgrammeFactory, UserFactory, member

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


@pytest.fixture
def reporter(ngo):
    return member("partner_reporter", ngo, username="reporter")


def url(plan):
    return reverse("assistance:receipt-import", args=[plan.pk])


def upload(content, name="list.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def post(client, plan, content, *, name="list.csv", dry_run=False, capture):
    data = {"file": upload(content, name)}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        return client.post(url(plan), data)


def test_url(grants):
    assert url(grants) == f"/assistance/plans/{grants.pk}/receipts/import/"


def test_anonymous_sent_to_login(client, grants):
    response = client.get(url(grants))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("role", ["aggregate_viewer", None])
def test_refused_without_change_and_personal_data_rights(client, grants, ngo, role):
    client.force_login(member(role, ngo) if role else UserFactory())
    assert client.get(url(grants)).status_code == 403
    assert client.post(url(grants), {"file": upload(b"x")}).status_code == 403
    assert not TaskRun.objects.exists()


def test_another_partner_s_plan_is_not_found(client, grants, other_ngo, media_root):
    client.force_login(member("partner_reporter", other_ngo))
    assert client.get(url(grants)).status_code == 404
    assert client.post(url(grants), {"file": upload(b"x")}).status_code == 404
    assert not TaskRun.objects.exists()
    assert not (media_root / "uploads").exists()


def test_a_plan_outside_the_user_s_programmes_is_not_found(client, grants, ngo):
    narrowed = member("case_worker", ngo, programmes=[ProgrammeFactory(code="FOOD")])
    client.force_login(narrowed)
    assert client.get(url(grants)).status_code == 404


@pytest.mark.parametrize(
    "role",
    ["partner_reporter", "case_worker", "field_monitor", "im_officer", "programme_manager"],
)
def test_page_open_to_those_who_record_the_plan_s_receipts(client, grants, ngo, role):
    client.force_login(member(role, ngo))
    response = client.get(url(grants))
    assert response.status_code == 200
    html = response.content.decode()
    assert "PHSS-BA-2026-R1" in html
    assert 'type="file"' in html
    assert 'name="dry_run"' in html
    assert "checked" in html
    for column in ("registration_number", "received_on", "override_reason", "row_key"):
        assert column in html
    assert ("As a supervisor you may import" in html) == (
        role in ("im_officer", "programme_manager")
    )


def test_wrong_suffix_refused(client, grants, reporter):
    client.force_login(reporter)
    response = client.post(url(grants), {"file": upload(b"x", "list.txt")})
    assert response.context["form"].errors["file"] == [
        "list.txt is not a file this page reads; upload .csv, .xlsx."
    ]
    assert not TaskRun.objects.exists()


def test_a_draft_plan_is_refused_before_storing(
    client, areas, ngo, programme, reporter, media_root
):
    draft = plan(ngo, programme, areas["basrah"], items=[FOOD], approve=False)
    client.force_login(reporter)
    assert (
        "Receipts are recorded only for approved plans" in client.get(url(draft)).content.decode()
    )
    response = client.post(url(draft), {"file": upload(b"registration_number\r\n")})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Receipts are recorded only for approved plans; this plan is draft."
    ]
    assert not TaskRun.objects.exists()
    assert not (media_root / "uploads").exists()


def test_dry_run_then_import(
    client, grants, families, reporter, media_root, django_capture_on_commit_callbacks
):
    rows = [row(household) for household in families]
    client.force_login(reporter)
    response = post(
        client, grants, csv_bytes(rows), dry_run=True, capture=django_capture_on_commit_callbacks
    )
    run = TaskRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert (run.created_by, run.label) == (
        reporter,
        "Check distribution list list.csv for plan PHSS-BA-2026-R1 (dry run)",
    )
    assert (run.result["dry_run"], run.result["receipts_created"]) == (True, 2)
    assert not Receipt.objects.exists()
    assert list((media_root / "uploads").iterdir()) == []

    post(client, grants, csv_bytes(rows), capture=django_capture_on_commit_callbacks)
    run = TaskRun.objects.order_by("-created_at").first()
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert run.result == {
        "plan": "PHSS-BA-2026-R1",
        "rows": 2,
        "receipts_created": 2,
        "overrides": 0,
        "unchanged": 0,
        "dry_run": False,
        "format": "csv",
        "encoding": "utf-8",
        "error_count": 0,
        "errors": [],
    }
    assert run.message.startswith("Plan PHSS-BA-2026-R1: 2 rows read; 2 receipts recorded")
    assert (run.progress_done, run.progress_total) == (2, 2)
    assert set(Receipt.objects.values_list("recorded_by__username", flat=True)) == {"reporter"}
    assert "reporter" in set(AuditEntry.objects.values_list("actor_username", flat=True))
    assert list((media_root / "uploads").iterdir()) == []

    post(client, grants, csv_bytes(rows), capture=django_capture_on_commit_callbacks)
    again = TaskRun.objects.order_by("-created_at").first()
    assert (again.result["receipts_created"], again.result["unchanged"]) == (0, 2)
    assert Receipt.objects.count() == 2


def test_an_xlsx_list(client, grants, families, reporter, django_capture_on_commit_callbacks):
    client.force_login(reporter)
    content = xlsx_bytes([row(families[0])])
    post(client, grants, content, name="march.xlsx", capture=django_capture_on_commit_callbacks)
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert run.result["format"] == "xlsx"
    assert Receipt.objects.count() == 1


def test_errors_fail_the_task_and_show_on_its_page(
    client, grants, families, reporter, django_capture_on_commit_callbacks
):
    client.force_login(reporter)
    rows = [row(families[0]), row(families[1], quantity="0")]
    response = post(client, grants, csv_bytes(rows), capture=django_capture_on_commit_callbacks)
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.FAILED
    message = "row 3, column quantity: 0 is not above zero; give the quantity received"
    assert run.error == (
        "Nothing was imported: the file has 1 error. Correct it and import the file again.\n"
        + message
    )
    assert run.result["errors"] == [message]
    assert not Receipt.objects.exists()
    assert "row 3, column quantity" in client.get(response["Location"]).content.decode()


def test_the_override_column_counts_only_for_a_supervisor(
    client,
    grants,
    families,
    reporter,
    ngo,
    areas,
    other_ngo,
    programme,
    django_capture_on_commit_callbacks,
):
    earlier_plan = plan(
        other_ngo, programme, areas["basrah"], items=[FOOD], code="PHSS-BA-2026-R1-B"
    )
    earlier = receipt(earlier_plan, families[0])
    rows = [row(families[0], received_on="2026-02-20", override_reason="parcel lost")]

    client.force_login(reporter)
    post(client, grants, csv_bytes(rows), capture=django_capture_on_commit_callbacks)
    refused = TaskRun.objects.get()
    assert refused.status == TaskStatus.FAILED
    assert f"receipt {earlier.pk} on Feb. 1, 2026" in refused.error
    assert "the override reason on this row was not accepted" in refused.error
    assert list(Receipt.objects.all()) == [earlier]

    supervisor = member("im_officer", ngo, username="supervisor")
    client.force_login(supervisor)
    post(client, grants, csv_bytes(rows), capture=django_capture_on_commit_callbacks)
    run = TaskRun.objects.order_by("-created_at").first()
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert (run.result["receipts_created"], run.result["overrides"]) == (1, 1)
    override = Receipt.objects.get(override=True)
    assert (override.overridden_by, override.overrides_receipt) == (supervisor, earlier)
