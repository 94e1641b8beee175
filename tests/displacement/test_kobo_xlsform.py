"""The location-assessment XLSForm: pyxform converts it, its choices are the models'."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from marsad.displacement.kobo.xlsform import build_xlsform
from marsad.displacement.models import (
    AssessmentMethod,
    DisplacementPeriod,
    PopulationType,
    Sector,
    ShareLevel,
    ShelterCategory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def _sheet(content: bytes, name: str) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook[name].iter_rows(values_only=True))


def test_pyxform_converts_the_form_without_warnings():
    warnings: list[str] = []
    result = convert(build_xlsform(), warnings=warnings, file_type=".xlsx")
    assert warnings == []
    assert result.warnings == []
    assert "<population " in result.xform or "<population>" in result.xform
    assert "jr:constraint" in result.xform or "constraint=" in result.xform
    assert "regex(" in result.xform
    for language in ("English (en)", "Arabic (ar)", "Kurdish (ckb)"):
        assert f'lang="{language}"' in result.xform


def test_choices_are_the_models_choices():
    rows = _sheet(build_xlsform(), "choices")
    assert rows[0] == (
        "list_name",
        "name",
        "label::English (en)",
        "label::Arabic (ar)",
        "label::Kurdish (ckb)",
    )
    lists: dict[str, list[str]] = {}
    for list_name, name, *_labels in rows[1:]:
        lists.setdefault(list_name, []).append(name)
    assert lists == {
        "method": AssessmentMethod.values,
        "population_type": PopulationType.values,
        "displacement_period": list(
            DisplacementPeriod.objects.order_by("sort_order", "code").values_list("code", flat=True)
        ),
        "shelter_category": ShelterCategory.values,
        "sector": Sector.values,
        "share_level": ShareLevel.values,
    }
    period = DisplacementPeriod.objects.get(code="aug-2014")
    assert (
        "displacement_period",
        "aug-2014",
        period.label_en,
        period.label_ar,
        period.label_ku,
    ) in rows


def test_survey_has_the_repeat_and_the_individuals_constraint():
    rows = _sheet(build_xlsform(), "survey")
    header = rows[0]
    assert header[:5] == (
        "type",
        "name",
        "label::English (en)",
        "label::Arabic (ar)",
        "label::Kurdish (ckb)",
    )
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:] if row[1]}
    assert by_name["population"]["type"] == "begin_repeat"
    assert by_name["individuals"]["constraint"] == ". >= ${families}"
    assert by_name["location_pcode"]["constraint"].startswith("regex(., ")
    assert by_name["families"]["label::Arabic (ar)"] == "العائلات"
    settings = _sheet(build_xlsform(), "settings")
    assert settings[1][1] == "marsad_location_assessment"


def test_command_writes_the_form(tmp_path):
    path = tmp_path / "form.xlsx"
    out = io.StringIO()
    call_command("displacement", "xlsform", "--output", str(path), stdout=out)
    assert out.getvalue().strip() == f"XLSForm written to {path}."
    assert convert(path.read_bytes(), file_type=".xlsx").warnings == []
