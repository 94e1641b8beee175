"""``marsad displacement import-masterlist``, ``round-create`` and ``export``."""

import importlib.util
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from marsad.core.models import AuditEntry
from marsad.displacement.models import AssessmentRound, PopulationGroup
from tests.displacement.factories import masterlist_csv, open_round

pytestmark = pytest.mark.django_db

ROWS = (
    "IQG08Q03L001,Al-Mansour,المنصور,IQG08Q03,33.3,44.35,IDP,IQG02,2006-2008,rented,10,",
    "IQG08Q03L001,Al-Mansour,المنصور,IQG08Q03,33.3,44.35,Returnee,IQG02,,,4,20",
)


def command(*args):
    out = StringIO()
    call_command("displacement", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def master_file(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes(masterlist_csv(*ROWS))
    return path


def test_round_create():
    out = command(
        "round-create", "5", "--kind", "baseline", "--start", "2008-05-01", "--end", "2008-05-28"
    )
    assert out.strip() == "Round 5 opened: 1 May – 28 May 2008."
    round_ = AssessmentRound.objects.get(number=5)
    assert (round_.kind, round_.status) == ("baseline", "open")
    assert AuditEntry.objects.filter(action="create", actor=None).count() == 1


def test_round_create_errors():
    with pytest.raises(CommandError) as error:
        command("round-create", "5", "--start", "2008-05-28", "--end", "2008-05-01")
    assert (
        str(error.value)
        == "period_end: The round ends on 1 May 2008, before it starts on 28 May 2008."
    )
    with pytest.raises(CommandError) as error:
        command("round-create", "5", "--start", "28/05/2008", "--end", "2008-05-01")
    assert str(error.value) == "28/05/2008 is not a date; write it as YYYY-MM-DD."
    assert not AssessmentRound.objects.exists()


def test_import_masterlist(areas, ngo, master_file):
    open_round(4)
    out = command(
        "import-masterlist",
        str(master_file),
        "--round",
        "4",
        "--organisation",
        "NGO-A",
        "--dry-run",
    )
    assert out.startswith("Dry run: 2 population rows would be created")
    assert not PopulationGroup.objects.exists()
    out = command("import-masterlist", str(master_file), "--round", "4", "--organisation", "NGO-A")
    assert out.strip() == (
        "2 population rows created, 0 updated, 0 unchanged; 1 new locations, 1 new assessments."
    )
    out = command("import-masterlist", str(master_file), "--round", "4", "--organisation", "NGO-A")
    assert out.startswith("0 population rows created, 0 updated, 2 unchanged")


def test_import_masterlist_prints_every_error(areas, ngo, tmp_path):
    open_round(4)
    path = tmp_path / "bad.csv"
    path.write_bytes(
        masterlist_csv(ROWS[0].replace("IQG02,", "IQG77,"), ROWS[1].replace(",4,20", ",x,20"))
    )
    with pytest.raises(CommandError) as error:
        command("import-masterlist", str(path), "--round", "4", "--organisation", "NGO-A")
    assert str(error.value).splitlines() == [
        "Nothing was imported: the file has 2 errors. Correct them and import the file again.",
        "row 2, column origin_pcode: unknown P-code IQG77: no administrative area has it",
        "row 3, column families: x is not a number",
    ]
    assert not PopulationGroup.objects.exists()


def test_import_masterlist_bad_arguments(areas, ngo, master_file, tmp_path):
    with pytest.raises(CommandError, match=r"There is no round 4; add it with round-create\."):
        command("import-masterlist", str(master_file), "--round", "4", "--organisation", "NGO-A")
    open_round(4, status="closed")
    with pytest.raises(CommandError, match=r"There is no organisation with the code NOPE\."):
        command("import-masterlist", str(master_file), "--round", "4", "--organisation", "NOPE")
    with pytest.raises(CommandError, match="round: Round 4 is closed"):
        command("import-masterlist", str(master_file), "--round", "4", "--organisation", "NGO-A")
    with pytest.raises(CommandError, match="Cannot read"):
        command(
            "import-masterlist",
            str(tmp_path / "none.csv"),
            "--round",
            "4",
            "--organisation",
            "NGO-A",
        )


@pytest.mark.skipif(
    importlib.util.find_spec("marsad.displacement.cli_export") is None,
    reason="marsad.displacement.cli_export (the export body) is not written yet",
)
def test_export_delegates_to_cli_export(areas, ngo, master_file):
    open_round(4)
    command("import-masterlist", str(master_file), "--round", "4", "--organisation", "NGO-A")
    out = command("export", "--round", "4", "--level", "governorate", "--format", "hxl")
    lines = out.splitlines()
    assert "#adm1+name" in lines[1].split(",")
    assert "#affected+idps+hh" in lines[1].split(",")
    assert lines[2].startswith("IQG08,Baghdad,")


def test_import_masterlist_puts_new_assessments_in_the_programme(tmp_path, areas, mission):
    """Programme-narrowed staff see what an import creates only if it carries their programme."""
    from django.core.management import call_command

    from marsad.displacement.models import LocationAssessment
    from tests.displacement.factories import AssessmentRoundFactory
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(code="IDP", lead_unit=mission)
    AssessmentRoundFactory(number=7)
    path = tmp_path / "ml.csv"
    path.write_text(
        "location_id,location_name,location_name_ar,parent_pcode,latitude,longitude,"
        "population_type,origin_pcode,displacement_period,shelter_category,families,individuals\n"
        "IQG02Q04L001,Hay Al-Amal,حي الأمل,IQG02Q04,30.38,47.70,idp,IQG08,2006-2008,rented,12,\n",
        encoding="utf-8",
    )
    call_command(
        "displacement",
        "import-masterlist",
        str(path),
        "--round",
        "7",
        "--organisation",
        mission.code,
        "--programme",
        "IDP",
    )
    assessment = LocationAssessment.objects.get(area__pcode="IQG02Q04L001")
    assert assessment.programme == programme
    assert assessment.population_groups.get().individuals == 72
