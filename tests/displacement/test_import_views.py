"""The master-list upload page and its background task."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from marsad.core.models import AuditEntry, TaskRun, TaskStatus
from marsad.displacement.models import PopulationGroup
from tests.displacement import kobo_export_files
from tests.displacement.factories import masterlist_csv, open_round
from tests.factories import member

pytestmark = pytest.mark.django_db

ROW = "IQG08Q03L001,Al-Mansour,المنصور,IQG08Q03,33.3,44.35,IDP,IQG02,2006-2008,rented,10,"
URL = "/displacement/rounds/4/import/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def round4(areas):
    return open_round(4)


@pytest.fixture
def officer(ngo):
    return member("im_officer", ngo, username="officer")


def login(client, user):
    client.force_login(user)
    return client


def upload(content=None, name="list.csv"):
    return SimpleUploadedFile(name, content or masterlist_csv(ROW), content_type="text/csv")


def test_url_name():
    assert reverse("displacement:masterlist-import", args=[4]) == URL


@pytest.mark.parametrize("role", ["field_monitor", "programme_manager", "aggregate_viewer"])
def test_403_without_change_reference(client, round4, ngo, role):
    login(client, member(role, ngo))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"file": upload(), "organisation": ngo.pk})
    assert response.status_code == 403
    assert not TaskRun.objects.exists()
    assert not PopulationGroup.objects.exists()


def test_anonymous_sent_to_login(client, round4):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_unknown_round_404(client, officer):
    assert login(client, officer).get("/displacement/rounds/99/import/").status_code == 404


def test_form_offers_own_organisations_and_dry_run_ticked(client, round4, officer, other_ngo):
    response = login(client, officer).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert [o.code for o in form.fields["organisation"].queryset] == ["NGO-A"]
    html = response.content.decode()
    assert 'name="dry_run"' in html
    assert "checked" in html
    assert 'type="file"' in html


def test_other_organisation_refused_by_form(client, round4, officer, other_ngo):
    response = login(client, officer).post(URL, {"file": upload(), "organisation": other_ngo.pk})
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not TaskRun.objects.exists()


def test_wrong_suffix_refused(client, round4, officer, ngo):
    response = login(client, officer).post(
        URL, {"file": upload(name="list.txt"), "organisation": ngo.pk}
    )
    assert response.context["form"].errors["file"] == [
        "list.txt is not a file this page reads; upload .csv, .xlsx."
    ]


def test_dry_run_then_import(
    client, round4, officer, ngo, media_root, django_capture_on_commit_callbacks
):
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": upload(), "organisation": ngo.pk, "dry_run": "on"})
    run = TaskRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    assert run.status == TaskStatus.SUCCEEDED
    assert run.result["dry_run"] is True
    assert run.result["created"] == 1
    assert run.created_by == officer
    assert not PopulationGroup.objects.exists()
    assert list((media_root / "uploads").iterdir()) == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"file": upload(), "organisation": ngo.pk})
    run = TaskRun.objects.order_by("-created_at").first()
    assert run.status == TaskStatus.SUCCEEDED
    assert run.result == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "locations_created": 1,
        "assessments_created": 1,
        "rows": 1,
        "dry_run": False,
        "format": "csv",
        "error_count": 0,
        "errors": [],
    }
    assert run.message.startswith("1 population rows created")
    assert PopulationGroup.objects.get().assessment.organisation == ngo
    assert "officer" in set(AuditEntry.objects.values_list("actor_username", flat=True))


def test_errors_fail_the_task(client, round4, officer, ngo, django_capture_on_commit_callbacks):
    login(client, officer)
    bad = masterlist_csv(ROW.replace(",10,", ",-2,"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": upload(bad), "organisation": ngo.pk})
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.FAILED
    assert run.error == (
        "Nothing was imported: the file has 1 error. Correct it and import the file again.\n"
        "row 2, column families: -2 is below zero; give 0 or more"
    )
    assert run.result["errors"] == ["row 2, column families: -2 is below zero; give 0 or more"]
    assert not PopulationGroup.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "row 2, column families" in page


def test_the_task_writes_in_the_language_of_the_page_that_started_it(
    client, round4, officer, ngo, django_capture_on_commit_callbacks
):
    """The worker runs in the site's default language; the officer uploaded in Arabic, so
    the row errors and messages are in Arabic."""
    login(client, officer)
    client.cookies["django_language"] = "ar"
    bad = masterlist_csv(ROW.replace(",10,", ",-2,"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(URL, {"file": upload(bad), "organisation": ngo.pk})
    with translation.override("en"):  # the worker's own language
        for callback in callbacks:
            callback()
    run = TaskRun.objects.get()
    assert (run.language, run.status) == ("ar", TaskStatus.FAILED)
    [error] = run.result["errors"]
    assert "-2 أقل من الصفر؛ أدخل 0 أو أكثر" in error
    assert "below zero" not in run.error


def test_closed_round_fails_the_task(
    client, areas, officer, ngo, django_capture_on_commit_callbacks
):
    open_round(4, status="closed")
    login(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"file": upload(), "organisation": ngo.pk})
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.FAILED
    assert run.error == (
        "Round 4 is closed; a master list can be imported only into an open round."
    )


SUBMISSIONS_URL = "/displacement/rounds/4/import-submissions/"


@pytest.fixture
def kobo_round(areas):
    from tests.displacement.factories import location

    location("IQG08Q03L001", areas["karkh"], name_en="Hay al-Jihad")
    location("IQG08Q03L002", areas["karkh"], name_en="Al-Amiriya")
    return open_round(4)


def test_submissions_url_name():
    assert reverse("displacement:submissions-import", args=[4]) == SUBMISSIONS_URL


@pytest.mark.parametrize("role", ["field_monitor", "programme_manager", "partner_reporter"])
def test_submissions_page_refused_without_change_reference(client, kobo_round, ngo, role):
    login(client, member(role, ngo))
    assert client.get(SUBMISSIONS_URL).status_code == 403
    response = client.post(
        SUBMISSIONS_URL,
        {"files": [SimpleUploadedFile("a.xlsx", kobo_export_files.kobo_xlsx())]},
    )
    assert response.status_code == 403
    assert not TaskRun.objects.exists()


def test_submissions_page_offers_programme_and_several_files(client, kobo_round, officer):
    html = login(client, officer).get(SUBMISSIONS_URL).content.decode()
    assert 'name="files"' in html
    assert "multiple" in html
    assert 'name="programme"' in html
    assert reverse("displacement:xlsform") in html


def test_submissions_odk_zip_dry_run_then_import_with_programme(
    client, kobo_round, officer, ngo, media_root, django_capture_on_commit_callbacks
):
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(lead_unit=ngo)
    login(client, officer)
    zipped = kobo_export_files.odk_central_zip()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SUBMISSIONS_URL,
            {
                "files": [SimpleUploadedFile("odk.zip", zipped)],
                "organisation": ngo.pk,
                "programme": programme.pk,
                "dry_run": "on",
            },
        )
    run = TaskRun.objects.get()
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    assert run.status == TaskStatus.SUCCEEDED
    assert run.result["dry_run"] is True
    assert run.result["format"] == "odk-central-csv"
    assert not PopulationGroup.objects.exists()
    assert list((media_root / "uploads").iterdir()) == []

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            SUBMISSIONS_URL,
            {
                "files": [SimpleUploadedFile("odk.zip", zipped)],
                "organisation": ngo.pk,
                "programme": programme.pk,
            },
        )
    run = TaskRun.objects.order_by("-created_at").first()
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert (run.result["created"], run.result["assessments_created"]) == (3, 2)
    assert run.progress_total == 2
    assessment = PopulationGroup.objects.first().assessment
    assert (assessment.organisation, assessment.programme) == (ngo, programme)


def test_submissions_two_csv_files_together(
    client, kobo_round, officer, ngo, django_capture_on_commit_callbacks
):
    login(client, officer)
    files = [
        SimpleUploadedFile(name, content) for name, content in kobo_export_files.kobo_csv_files()
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SUBMISSIONS_URL, {"files": files, "organisation": ngo.pk})
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.SUCCEEDED, run.error
    assert PopulationGroup.objects.count() == 3


def test_submissions_errors_fail_the_task(
    client, kobo_round, officer, ngo, django_capture_on_commit_callbacks
):
    login(client, officer)
    main, _population = kobo_export_files.kobo_tables(kobo_export_files.submissions())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            SUBMISSIONS_URL,
            {
                "files": [SimpleUploadedFile("main.csv", kobo_export_files.csv_bytes(main))],
                "organisation": ngo.pk,
            },
        )
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.FAILED
    assert "The population groups are missing" in run.error
    assert not PopulationGroup.objects.exists()


def test_submissions_wrong_suffix_refused(client, kobo_round, officer, ngo):
    response = login(client, officer).post(
        SUBMISSIONS_URL,
        {"files": [SimpleUploadedFile("a.txt", b"x")], "organisation": ngo.pk},
    )
    assert response.context["form"].errors["files"] == [
        "a.txt is not a file this page reads; upload .json, .xlsx, .csv, .zip."
    ]
    assert not TaskRun.objects.exists()


def test_round_page_links_both_imports_for_officers_only(client, kobo_round, officer, ngo):
    page = login(client, officer).get("/displacement/rounds/4/").content.decode()
    assert SUBMISSIONS_URL in page
    assert URL in page
    client.force_login(member("field_monitor", ngo, username="fm"))
    page = client.get("/displacement/rounds/4/").content.decode()
    assert SUBMISSIONS_URL not in page


def test_xlsform_download(client, officer):
    import io

    from openpyxl import load_workbook

    response = login(client, officer).get(reverse("displacement:xlsform"))
    assert response.status_code == 200
    assert "marsad_location_assessment.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
