"""The location-assessment XLSForm that field teams load into KoboToolbox or ODK Collect.

Labels are in English, Arabic and Kurdish (Sorani), taken from the translation catalogues; the
choice lists come from the models' choices and the DisplacementPeriod table, so the form and the
importer (``kobo.submissions``) always agree. Field names are those of the Kobo JSON:
``general/location_pcode``, ``population/families`` (inside the ``population`` repeat), …
"""

import io
from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from marsad.displacement.models import (
    AssessmentMethod,
    DisplacementPeriod,
    IntentionChoice,
    PopulationType,
    Sector,
    ShareLevel,
    ShelterCategory,
)

FORM_ID = "marsad_location_assessment"
LANGUAGES = [("en", "English (en)"), ("ar", "Arabic (ar)"), ("ckb", "Kurdish (ckb)")]
PCODE_REGEX = "^[A-Za-z0-9_-]{2,32}$"
PRIORITIES = 3

SURVEY_COLUMNS = ["type", "name", "relevant", "constraint", "required", "appearance"]


def _pcode_constraint() -> str:
    return f"regex(., '{PCODE_REGEX}')"


# (type, name, label, extra columns) in form order; "begin_group"/"end_group" nest the names.
def _survey_rows() -> list[tuple[str, str, Any, dict[str, str]]]:
    not_host = "${population_type} != 'host'"
    rows: list[tuple[str, str, Any, dict[str, str]]] = [
        ("begin_group", "general", _("Location and assessment"), {}),
        (
            "integer",
            "round",
            _("Round number"),
            {"required": "yes", "constraint": ". > 0"},
        ),
        (
            "text",
            "location_pcode",
            _("Location P-code"),
            {"required": "yes", "constraint": _pcode_constraint()},
        ),
        ("text", "location_name", _("Location name"), {}),
        ("date", "assessed_on", _("Assessment date"), {"required": "yes"}),
        ("select_one method", "method", _("Method"), {"required": "yes"}),
        ("integer", "key_informants", _("Number of key informants"), {"constraint": ". >= 0"}),
        ("text", "monitor_name", _("Monitor's name"), {}),
        ("end_group", "", "", {}),
        ("begin_repeat", "population", _("Population groups"), {}),
        (
            "select_one population_type",
            "population_type",
            _("Population type"),
            {"required": "yes"},
        ),
        (
            "text",
            "origin_pcode",
            _("P-code of the origin (IDPs) or of the last displacement (returnees)"),
            {"relevant": not_host, "constraint": _pcode_constraint()},
        ),
        (
            "select_one displacement_period",
            "displacement_period",
            _("Displacement period"),
            {"relevant": not_host},
        ),
        (
            "select_one shelter_category",
            "shelter_category",
            _("Shelter"),
            {"relevant": not_host},
        ),
        ("integer", "families", _("Families"), {"required": "yes", "constraint": ". >= 0"}),
        (
            "integer",
            "individuals",
            _("Individuals (leave empty to estimate from families)"),
            {"constraint": ". >= ${families}"},
        ),
        ("end_repeat", "", "", {}),
        ("begin_group", "needs", _("Priority needs"), {}),
    ]
    for priority in range(1, PRIORITIES + 1):
        earlier = " and ".join(f". != ${{need_{p}}}" for p in range(1, priority))
        rows.append(
            (
                "select_one sector",
                f"need_{priority}",
                (_("Priority need %(number)d"), {"number": priority}),
                {"constraint": earlier} if earlier else {},
            )
        )
    rows.append(("end_group", "", "", {}))
    rows.append(("begin_group", "intentions", _("Intentions of IDP families"), {}))
    for choice in IntentionChoice:
        rows.append(("integer", choice.value, choice.label, {"constraint": ". >= 0"}))
    rows += [
        ("end_group", "", "", {}),
        ("begin_group", "status", _("Documentation and property"), {}),
        (
            "select_one share_level",
            "documentation_status",
            _("Families lacking civil documents"),
            {},
        ),
        (
            "select_one share_level",
            "property_status",
            _("Families whose property is damaged or occupied"),
            {},
        ),
        ("end_group", "", "", {}),
        ("begin_group", "notes", _("Security and access"), {}),
        ("text", "security_notes", _("Security"), {"appearance": "multiline"}),
        ("text", "access_notes", _("Access"), {"appearance": "multiline"}),
        ("end_group", "", "", {}),
    ]
    return rows


def field_paths() -> dict[str, str]:
    """Each question's name → its path in a submission: ``general/location_pcode``; the
    population repeat's questions are ``population/families`` and so on. Exports of the form
    name their columns by these paths (or by the bare names, when groups are left out)."""
    paths: dict[str, str] = {}
    groups: list[str] = []
    for kind, name, _label, _columns in _survey_rows():
        if kind in ("begin_group", "begin_repeat"):
            groups.append(name)
        elif kind in ("end_group", "end_repeat"):
            groups.pop()
        else:
            paths[name] = "/".join([*groups, name])
    return paths


def repeat_names() -> list[str]:
    """The names of the form's repeat groups (their rows come in a sheet or file of their own
    in Kobo's XLSX exports and ODK Central's CSV exports)."""
    return [name for kind, name, _label, _columns in _survey_rows() if kind == "begin_repeat"]


def choice_lists() -> dict[str, list[tuple[str, Any]]]:
    """Every choice list of the form: list name → [(value, label)], label a lazy string or a
    mapping of language code to label (displacement periods)."""
    periods = [
        (period.code, {"en": period.label_en, "ar": period.label_ar, "ckb": period.label_ku})
        for period in DisplacementPeriod.objects.order_by("sort_order", "code")
    ]
    return {
        "method": list(AssessmentMethod.choices),
        "population_type": list(PopulationType.choices),
        "displacement_period": periods,
        "shelter_category": list(ShelterCategory.choices),
        "sector": list(Sector.choices),
        "share_level": list(ShareLevel.choices),
    }


def _labels(label: Any) -> list[str]:
    if isinstance(label, dict):
        return [label.get(code) or label["en"] for code, _name in LANGUAGES]
    if label == "":
        return ["" for _code in LANGUAGES]
    label, params = label if isinstance(label, tuple) else (label, None)
    texts = []
    for code, _name in LANGUAGES:
        with translation.override(code):
            texts.append(str(label) % params if params else str(label))
    return texts


def _label_headers() -> list[str]:
    return [f"label::{name}" for _code, name in LANGUAGES]


def _append(sheet: Any, rows: Iterable[list[Any]]) -> None:
    for row in rows:
        sheet.append(row)


def build_xlsform(*, version: str = "1") -> bytes:
    """The XLSForm as XLSX bytes (sheets survey, choices, settings)."""
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    extra = SURVEY_COLUMNS[2:]
    survey.append(["type", "name", *_label_headers(), *extra])
    # Kobo metadata: the instance id is added by pyxform; start/end/today help reviewers.
    _append(
        survey,
        [
            ["start", "start", "", "", "", *["" for _c in extra]],
            ["end", "end", "", "", "", *["" for _c in extra]],
        ],
    )
    for kind, name, label, columns in _survey_rows():
        survey.append([kind, name, *_labels(label), *[columns.get(c, "") for c in extra]])

    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", *_label_headers()])
    for list_name, items in choice_lists().items():
        for value, label in items:
            choices.append([list_name, value, *_labels(label)])

    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    with translation.override("en"):
        title = str(_("Location assessment"))
    settings.append([title, FORM_ID, version, LANGUAGES[0][1]])

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
