"""``marsad geo load / load-reference / export`` through call_command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from marsad.core.models import AuditEntry
from marsad.geo.models import AdminArea

pytestmark = pytest.mark.django_db

HEADER = "pcode,level,name_en,name_ar,name_ku,parent_pcode,iso_code,latitude,longitude\n"


def run(*args, **options):
    out = StringIO()
    call_command("geo", *args, stdout=out, **options)
    return out.getvalue()


def test_load_then_load_again(write):
    path = write("areas.csv", HEADER + "IQ,country,Iraq,العراق,عێراق,,IQ,33.2,43.6\n")
    assert run("load", str(path)) == "1 created, 0 updated, 0 unchanged\n"
    assert run("load", str(path)) == "0 created, 0 updated, 1 unchanged\n"


def test_load_verbose_lists_pcodes(write):
    path = write("areas.csv", HEADER + "IQ,country,Iraq,,,,,,\n")
    assert run("load", str(path), verbosity=2) == (
        "created IQ\n1 created, 0 updated, 0 unchanged\n"
    )


def test_load_dry_run_writes_nothing(write):
    path = write("areas.csv", HEADER + "IQ,country,Iraq,,,,,,\n")
    assert run("load", str(path), "--dry-run") == (
        "Dry run: 1 would be created, 0 updated, 0 unchanged; nothing was written.\n"
    )
    assert not AdminArea.objects.exists()


def test_load_with_errors_fails_listing_each(write):
    path = write(
        "areas.csv",
        HEADER
        + "IQ,country,Iraq,,,,,,\nIQG01,governorate,Anbar,,,IQX,,,\nIQG02,governorate,,,,IQ,,,\n",
    )
    with pytest.raises(CommandError) as error:
        run("load", str(path))
    assert str(error.value) == (
        "Nothing was loaded: the file has 2 errors. Correct them and load the file again.\n"
        "line 3, column parent_pcode: the parent P-code IQX is neither in this file nor in the "
        "database\n"
        "line 4, column name_en: the English name is empty"
    )
    assert not AdminArea.objects.exists()
    assert not AuditEntry.objects.exists()


def test_load_missing_file(tmp_path):
    with pytest.raises(
        CommandError, match=r"Cannot read .*missing\.csv: No such file or directory"
    ):
        run("load", str(tmp_path / "missing.csv"))


def test_load_reference_twice():
    assert run("load-reference") == "120 created, 0 updated, 0 unchanged\n"
    assert run("load-reference") == "0 created, 0 updated, 120 unchanged\n"


def test_export_districts_csv(areas):
    assert run("export", "--level", "district", "--format", "csv") == (
        "pcode,name_en,name_ar,parent_pcode\n"
        "IQG02Q04,Al-Zubair,الزبير,IQG02\n"
        "IQG08Q03,Al-Karkh,الكرخ,IQG08\n"
    )
    assert AuditEntry.objects.filter(action="export", object_type="geo.adminarea").count() == 1


def test_export_below_parent_and_geojson(areas):
    assert run("export", "--parent", "IQG02") == (
        "pcode,name_en,name_ar,parent_pcode\nIQG02Q04,Al-Zubair,الزبير,IQG02\n"
    )
    assert '"type": "FeatureCollection"' in run("export", "--format", "geojson", "--level", "0")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "province"], "--level 'province' is not a level"),
        (["--parent", "NOPE"], "--parent 'NOPE': no area has this P-code."),
    ],
)
def test_export_errors(areas, args, message):
    with pytest.raises(CommandError, match=message):
        run("export", *args)
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_subcommand_is_required():
    with pytest.raises(CommandError):
        call_command("geo")
