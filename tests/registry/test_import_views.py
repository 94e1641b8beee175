"""The source-list upload page and its background task: who may use it, which organisations it
offers, dry run then import, errors failing the task, and the upload removed afterwards."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse

from marsad import urls as project_urls
from marsad.accounts.models import Membership
from marsad.core.models import AuditEntry, TaskRun, TaskStatus
from marsad.registry import urls as registry_urls
from marsad.registry import urls_import
from marsad.registry.models import Household, SourceRecord
from tests.factories import ProgrammeFactory, UserFactory, member
from tests.registry.source_lists import csv_bytes, family, xlsx_bytes

# The project's URLs with the upload page in the registry namespace, whether or not
# registry/urls.py includes it yet.
_registry_names = {pattern.name for pattern in registry_urls.urlpatterns}
urlpatterns = [
    path(
        "registry/",
        include(
            (
                [
                    *registry_urls.urlpatterns,
                    *(p for p in urls_import.urlpatterns if p.name not in _registry_names),
                ],
                "registry",
            )
        ),
    ),
    *(p for p in project_urls.urlpatterns if getattr(p, "namespace", None) != "registry"),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

URL = "/registry/import/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reporter(ngo):
    return member("partner_reporter", ngo, username="reporter")


def login(client, user):
    client.force_login(user)
    return client


def upload(content=None, name="list.csv"):
    return SimpleUploadedFile(name, content or csv_bytes(family()), content_type="text/csv")


def form_data(organisation, **overrides):
    data = {
        "file": upload(),
        "organisation": organisation.pk,
        "kind": "partner",
        "source_name": "NGO-A March list",
    }
    data.update(overrides)
    return data


def test_url_name():
    assert reverse("registry:source-import") == URL


def test_anonymous_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("role", ["aggregate_viewer", None])
def test_refused_without_change_and_personal_data_rights(client, areas, ngo, role):
    login(client, member(role, ngo) if role else UserFactory())
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(ngo)).status_code == 403
    assert not TaskRun.objects.exists()
    assert not Household.objects.exists()


@pytest.mark.parametrize(
    "role",
    [
        "case_worker",
        "im_officer",
        "programme_manager",
        "system_admin",
        "partner_reporter",
        "field_monitor",
        "border_officer",
    ],
)
def test_page_open_to_roles_that_register_households(client, ngo, role):
    assert login(client, member(role, ngo)).get(URL).status_code == 200


def test_form_offers_own_organisations_list_kinds_and_dry_run_ticked(client, reporter, other_ngo):
    response = login(client, reporter).get(URL)
    form = response.context["form"]
    assert [o.code for o in form.fields["organisation"].queryset] == ["NGO-A"]
    assert [value for value, _label in form.fields["kind"].choices] == [
        "ministry",
        "assessment",
        "distribution",
        "partner",
    ]
    html = response.content.decode()
    assert 'type="file"' in html
    assert 'name="dry_run"' in html
    assert "checked" in html
    assert "location_pcode" in html  # the columns are explained


def test_organisation_where_the_user_only_reads_figures_is_not_offered(client, reporter, other_ngo):
    Membership.objects.create(user=reporter, organisation=other_ngo, role="aggregate_viewer")
    form = login(client, reporter).get(URL).context["form"]
    assert [o.code for o in form.fields["organisation"].queryset] == ["NGO-A"]


def test_partner_reporter_cannot_import_for_another_organisation(
    client, areas, reporter, other_ngo
):
    response = login(client, reporter).post(URL, form_data(other_ngo))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not TaskRun.objects.exists()
    assert not Household.objects.exists()


def test_wrong_suffix_refused(client, reporter, ngo):
    response = login(client, reporter).post(URL, form_data(ngo, file=upload(name="list.txt")))
    assert response.context["form"].errors["file"] == [
        "list.txt is not a file this page reads; upload .csv, .xlsx."
    ]
    assert not TaskRun.objects.exists()


def test_dry_run_then_import(
    client, areas, reporter, ngo, media_root, django_capture_on_commit_callbacks
):
    login(client, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(ngo, dry_run="on"))
    run = TaskRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    assert run.status == TaskStatus.SUCCEEDED
    assert run.created_by == reporter
    assert run.label == "Check source list list.csv of NGO-A (dry run)"
    assert run.result["dry_run"] is True
    assert (run.result["households_created"], run.result["persons_created"]) == (2, 4)
    assert not Household.objects.exists()
    assert list((media_root / "uploads").iterdir()) == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(ngo))
    run = TaskRun.objects.order_by("-created_at").first()
    assert run.status == TaskStatus.SUCCEEDED
    assert run.result == {
        "rows": 4,
        "households_created": 2,
        "persons_created": 4,
        "unchanged": 0,
        "dry_run": False,
        "format": "csv",
        "encoding": "utf-8",
        "error_count": 0,
        "errors": [],
    }
    assert run.message.startswith("4 rows read; 2 households and 4 persons created")
    assert (run.progress_done, run.progress_total) == (4, 4)
    assert set(Household.objects.values_list("organisation__code", flat=True)) == {"NGO-A"}
    assert set(SourceRecord.objects.values_list("source_name", "kind")) == {
        ("NGO-A March list", "partner")
    }
    assert "reporter" in set(AuditEntry.objects.values_list("actor_username", flat=True))
    assert list((media_root / "uploads").iterdir()) == []


def test_xlsx_upload_without_a_list_name_is_named_after_the_file(
    client, areas, reporter, ngo, django_capture_on_commit_callbacks
):
    login(client, reporter)
    content = xlsx_bytes(family())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(ngo, file=upload(content, "march.xlsx"), source_name=""))
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert run.result["format"] == "xlsx"
    assert set(SourceRecord.objects.values_list("source_name", flat=True)) == {"march.xlsx"}


def test_errors_fail_the_task_and_show_on_its_page(
    client, areas, reporter, ngo, django_capture_on_commit_callbacks
):
    rows = family()
    rows[1]["sex"] = "woman"
    login(client, reporter)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(ngo, file=upload(csv_bytes(rows))))
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.FAILED
    message = "row 3, column sex: woman is not a sex; write female or male (f, m, أنثى, ذكر)"
    assert run.error == (
        "Nothing was imported: the file has 1 error. Correct it and import the file again.\n"
        + message
    )
    assert run.result["errors"] == [message]
    assert not Household.objects.exists()
    assert "row 3, column sex" in client.get(response["Location"]).content.decode()


def test_a_programme_outside_the_users_programmes_is_refused_before_storing(
    client, areas, ngo, media_root
):
    food = ProgrammeFactory(code="FOOD")
    worker = member("case_worker", ngo, programmes=[food])
    response = login(client, worker).post(URL, form_data(ngo))  # no programme chosen
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"] == [
        "You may not register households for NGO-A."
    ]
    assert not TaskRun.objects.exists()
    assert not (media_root / "uploads").exists()
