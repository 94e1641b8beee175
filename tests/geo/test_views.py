"""The areas pages: list with search and drill-down, detail, upload (with its task), export."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marsad.core.models import AuditAction, AuditEntry, TaskRun, TaskStatus
from marsad.geo.models import AdminArea
from tests.geo.conftest import area_audit_rows

pytestmark = pytest.mark.django_db

HEADER = "pcode,level,name_en,name_ar,name_ku,parent_pcode,iso_code,latitude,longitude\n"


@pytest.fixture
def as_monitor(client, monitor):
    client.force_login(monitor)
    return client


@pytest.fixture
def as_officer(client, im_officer):
    client.force_login(im_officer)
    return client


def test_pages_need_login(client, areas):
    for url in ("/areas/", "/areas/IQ/", "/areas/load/", "/areas/export.csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_url_names():
    assert reverse("geo:area-list") == "/areas/"
    assert reverse("geo:area-detail", args=["IQG08"]) == "/areas/IQG08/"
    assert reverse("geo:area-load") == "/areas/load/"
    assert reverse("geo:area-export") == "/areas/export.csv"


def test_list_shows_areas_in_tree_order_with_children_counts(as_monitor, areas):
    response = as_monitor.get("/areas/")
    assert response.status_code == 200
    rows = [(a.pcode, a.children_count) for a in response.context["page"]]
    assert rows == [("IQ", 2), ("IQG02", 1), ("IQG02Q04", 0), ("IQG08", 1), ("IQG08Q03", 0)]
    html = response.content.decode()
    assert 'href="?parent=IQG08"' in html
    assert '<bdi lang="ar" dir="auto" class="muted">البصرة</bdi>' in html
    # Only holders of CHANGE_REFERENCE see the upload button.
    assert reverse("geo:area-load") not in html


def test_list_search_in_arabic(as_monitor, areas):
    response = as_monitor.get("/areas/", {"q": "البصره"})
    assert [a.pcode for a in response.context["page"]] == ["IQG02"]


def test_list_search_in_kurdish_and_level_filter(as_monitor, areas):
    response = as_monitor.get("/areas/", {"q": "کەرخ", "level": "district"})
    assert [a.pcode for a in response.context["page"]] == ["IQG08Q03"]
    response = as_monitor.get("/areas/", {"level": "governorate"})
    assert [a.pcode for a in response.context["page"]] == ["IQG02", "IQG08"]


def test_drill_down_by_parent_with_breadcrumbs(as_monitor, areas):
    response = as_monitor.get("/areas/", {"parent": "IQG08"})
    assert [a.pcode for a in response.context["page"]] == ["IQG08Q03"]
    assert [a.pcode for a in response.context["ancestors"]] == ["IQ"]
    html = response.content.decode()
    assert '<a href="/areas/IQ/"><bdi>Iraq</bdi></a>' in html
    assert '<span aria-current="page"><bdi>Baghdad</bdi></span>' in html
    assert "/areas/export.csv?level=&amp;parent=IQG08" in html


def test_search_below_a_parent(as_monitor, areas):
    response = as_monitor.get("/areas/", {"parent": "IQ", "q": "al"})
    assert [a.pcode for a in response.context["page"]] == ["IQG02", "IQG02Q04", "IQG08Q03"]


def test_unknown_parent_is_404(as_monitor, areas):
    assert as_monitor.get("/areas/", {"parent": "NOPE"}).status_code == 404


def test_list_in_arabic_is_rtl_with_arabic_names(as_monitor, areas):
    as_monitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = as_monitor.get("/areas/").content.decode()
    assert 'dir="rtl"' in html
    assert "<bdi>البصرة</bdi>" in html
    assert '<bdi lang="en" dir="auto" class="muted">Al-Basrah</bdi>' in html


def test_detail_shows_names_chain_and_children(as_monitor, areas):
    response = as_monitor.get("/areas/IQG08/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<bdi lang="ar" dir="rtl">بغداد</bdi>' in html
    assert '<bdi lang="ckb" dir="rtl">بەغدا</bdi>' in html
    assert "IQ-BG" in html
    assert [a.pcode for a in response.context["ancestors"]] == ["IQ"]
    assert [a.pcode for a in response.context["page"]] == ["IQG08Q03"]


def test_detail_unknown_is_404(as_monitor, areas):
    assert as_monitor.get("/areas/NOPE/").status_code == 404


def test_load_page_is_403_without_the_capability(as_monitor):
    assert as_monitor.get("/areas/load/").status_code == 403
    upload = SimpleUploadedFile("areas.csv", (HEADER + "IQ,country,Iraq,,,,,,\n").encode())
    assert as_monitor.post("/areas/load/", {"file": upload}).status_code == 403
    assert not AdminArea.objects.exists()
    assert not TaskRun.objects.exists()


def test_load_page_for_an_officer(as_officer):
    response = as_officer.get("/areas/load/")
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


def test_upload_runs_the_task_and_the_task_page_shows_the_counts(
    as_officer, im_officer, media_root, django_capture_on_commit_callbacks
):
    text = (
        HEADER + "IQ,country,Iraq,العراق,عێراق,,IQ,33.2,43.6\n"
        "IQG08,governorate,Baghdad,بغداد,بەغدا,IQ,IQ-BG,,\n"
    )
    upload = SimpleUploadedFile("areas.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_officer.post("/areas/load/", {"file": upload})
    run = TaskRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:task-detail", args=[run.pk])
    assert run.status == TaskStatus.SUCCEEDED
    assert run.created_by == im_officer
    assert run.result == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": 0,
        "dry_run": False,
        "format": "marsad-csv",
    }
    assert run.message == "2 created, 0 updated, 0 unchanged"
    assert AdminArea.objects.get(pcode="IQG08").path == "IQ/IQG08/"
    assert set(area_audit_rows().values_list("actor_username", flat=True)) == {"im-officer"}
    # The upload folder exists and the file was cleared once loaded.
    assert (media_root / "uploads").is_dir()
    assert list((media_root / "uploads").iterdir()) == []
    page = as_officer.get(response["Location"]).content.decode()
    assert "2 created, 0 updated, 0 unchanged" in page
    assert "badge-ok" in page


def test_upload_with_errors_fails_the_task_and_loads_nothing(
    as_officer, django_capture_on_commit_callbacks
):
    text = HEADER + "IQ,country,Iraq,,,,,,\nIQG08Q03,district,Karkh,,,IQG08,,,\n"
    upload = SimpleUploadedFile("areas.csv", text.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = as_officer.post("/areas/load/", {"file": upload})
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.FAILED
    assert run.error == (
        "Nothing was loaded: the file has 1 error. Correct it and load the file again.\n"
        "line 3, column parent_pcode: the parent P-code IQG08 is neither in this file nor in "
        "the database"
    )
    assert not AdminArea.objects.exists()
    assert not area_audit_rows().exists()
    page = as_officer.get(response["Location"]).content.decode()
    assert "line 3, column parent_pcode" in page


def test_dry_run_upload_writes_nothing(as_officer, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("areas.csv", (HEADER + "IQ,country,Iraq,,,,,,\n").encode())
    with django_capture_on_commit_callbacks(execute=True):
        as_officer.post("/areas/load/", {"file": upload, "dry_run": "on"})
    run = TaskRun.objects.get()
    assert run.status == TaskStatus.SUCCEEDED
    assert run.result["dry_run"] is True
    assert run.result["created"] == 1
    assert not AdminArea.objects.exists()


def test_upload_of_another_kind_of_file_is_refused(as_officer):
    upload = SimpleUploadedFile("areas.xlsx", b"PK")
    response = as_officer.post("/areas/load/", {"file": upload})
    assert response.status_code == 200
    assert "areas.xlsx is not a file this page reads; upload .csv, .geojson, .json." in (
        response.content.decode()
    )
    assert not TaskRun.objects.exists()


def test_export_csv_download_is_audited(as_monitor, monitor, areas):
    response = as_monitor.get("/areas/export.csv", {"level": "district"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="areas-district.csv"'
    assert response.content.decode("utf-8") == (
        "\ufeffpcode,name_en,name_ar,parent_pcode\n"
        "IQG02Q04,Al-Zubair,الزبير,IQG02\n"
        "IQG08Q03,Al-Karkh,الكرخ,IQG08\n"
    )
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == monitor
    assert entry.context["count"] == 2
    assert entry.context["path"] == "/areas/export.csv"


def test_export_below_a_parent(as_monitor, areas):
    response = as_monitor.get("/areas/export.csv", {"parent": "IQG02"})
    assert response["Content-Disposition"] == 'attachment; filename="areas-IQG02.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [
        "pcode,name_en,name_ar,parent_pcode",
        "IQG02Q04,Al-Zubair,الزبير,IQG02",
    ]


def test_export_bad_level_or_parent(as_monitor, areas):
    assert as_monitor.get("/areas/export.csv", {"level": "province"}).status_code == 400
    assert as_monitor.get("/areas/export.csv", {"parent": "NOPE"}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_invalid_level_is_shown_and_the_parent_still_applies(as_monitor, areas):
    response = as_monitor.get("/areas/", {"parent": "IQG08", "level": "province"})
    assert response.status_code == 200
    assert [a.pcode for a in response.context["page"]] == ["IQG08Q03"]
    assert "Select a valid choice." in response.content.decode()
