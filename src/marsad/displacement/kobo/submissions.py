"""Kobo API v2 JSON submissions of the location-assessment form (``kobo.xlsform``) as plain
dataclasses, with every error named by submission and field in plain words.

A page is ``{"count", "next", "previous", "results": [...]}``; each result carries ``_uuid``,
``meta/instanceID``, ``_submission_time`` and the answers under their group paths
(``general/location_pcode``); the ``population`` repeat is a list of dicts whose keys are
``population/families`` and so on. ``check`` then compares the submissions with the database:
known locations and origins, known displacement periods, dates inside the round.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from marsad.displacement.importers.report import RowError
from marsad.displacement.kobo.xlsform import PRIORITIES
from marsad.displacement.models import (
    AssessmentMethod,
    AssessmentRound,
    DisplacementPeriod,
    IntentionChoice,
    PopulationType,
    Sector,
    ShareLevel,
    ShelterCategory,
)
from marsad.geo.models import AdminArea, AreaLevel

# Where a submission read from a spreadsheet or CSV export came from: its sheet and row.
SHEET_KEY = "__sheet__"
ROW_KEY = "__row__"
PLACE_KEYS = (SHEET_KEY, ROW_KEY)


@dataclass(frozen=True)
class SubmissionError(RowError):
    """One thing wrong with one submission: ``row`` is its position in a page of JSON (from 1),
    or its row in ``sheet`` when it came from a spreadsheet or CSV export."""

    sheet: str = ""

    def __str__(self) -> str:
        if self.row == 0:  # about a whole file, not one submission
            return self.message
        if self.sheet:
            place = _("%(sheet)s, row %(row)d") % {"sheet": self.sheet, "row": self.row}
            if not self.column:
                return f"{place}: {self.message}"
            return _("%(place)s, field %(column)s: %(message)s") % {
                "place": place,
                "column": self.column,
                "message": self.message,
            }
        if not self.column:
            return _("submission %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        return _("submission %(row)d, field %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class PopulationRow:
    population_type: str
    origin_pcode: str
    displacement_period: str
    shelter_category: str
    families: int
    individuals: int | None
    place: str = ""  # how errors name it: population[2], or the sheet and row it came from

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (
            self.population_type,
            self.origin_pcode,
            self.displacement_period,
            self.shelter_category,
        )


@dataclass
class Submission:
    """One submitted location assessment; ``number`` is its position in the file (from 1)."""

    number: int
    uuid: str
    instance_id: str
    submitted_at: str
    location_pcode: str
    location_name: str
    assessed_on: datetime.date | None
    method: str
    key_informants: int | None
    monitor_name: str
    documentation_status: str
    property_status: str
    security_notes: str
    access_notes: str
    population: list[PopulationRow] = field(default_factory=list)
    needs: dict[str, int] = field(default_factory=dict)  # sector → priority
    intentions: dict[str, int] = field(default_factory=dict)  # intention → IDP families
    sheet: str = ""  # the sheet or file it came from, for a spreadsheet or CSV export

    def error(self, column: str, message: str) -> "SubmissionError":
        return SubmissionError(row=self.number, column=column, message=message, sheet=self.sheet)


def results_of(data: Any) -> list[Any]:
    """The submissions of one page (or of a list of pages, or a bare list)."""
    if isinstance(data, list):
        results: list[Any] = []
        for item in data:
            if isinstance(item, Mapping) and "results" in item:
                results.extend(item["results"] or [])
            else:
                results.append(item)
        return results
    if isinstance(data, Mapping) and isinstance(data.get("results"), list):
        return list(data["results"])
    raise ValueError(_('This is not a page of Kobo submissions: it has no "results" list.'))


class _Reader:
    """Reads one submission's answers, collecting errors under its number."""

    def __init__(
        self, number: int, answers: Mapping[str, Any], errors: list[RowError], sheet: str = ""
    ) -> None:
        self.number = number
        self.answers = answers
        self.errors = errors
        self.sheet = sheet

    def error(self, column: str, message: str) -> None:
        self.errors.append(
            SubmissionError(row=self.number, column=column, message=message, sheet=self.sheet)
        )

    def text(self, name: str, answers: Mapping[str, Any] | None = None) -> str:
        value = (answers if answers is not None else self.answers).get(name)
        return "" if value is None else str(value).strip()

    def integer(
        self, name: str, answers: Mapping[str, Any] | None = None, *, column: str = ""
    ) -> int | None:
        text = self.text(name, answers)
        if text == "":
            return None
        try:
            value = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                number = None
            if number is None or number != int(number):
                self.error(
                    column or name,
                    _("%(value)s is not a whole number.") % {"value": text},
                )
                return None
            value = int(number)
        if value < 0:
            self.error(
                column or name,
                _("%(value)d is negative; a count cannot be below 0.") % {"value": value},
            )
            return None
        return value

    def choice(
        self,
        name: str,
        choices: Iterable[str],
        answers: Mapping[str, Any] | None = None,
        *,
        column: str = "",
        default: str = "",
    ) -> str:
        text = self.text(name, answers)
        if text == "":
            return default
        allowed = list(choices)
        if text not in allowed:
            self.error(
                column or name,
                _("%(value)s is not one of %(choices)s.")
                % {"value": text, "choices": ", ".join(allowed)},
            )
            return default
        return text


def _population(reader: _Reader, items: Any) -> list[PopulationRow]:
    if items in (None, ""):
        items = []
    if not isinstance(items, list):
        reader.error("population", _("The population groups are not a list."))
        return []
    rows: list[PopulationRow] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            reader.error(f"population[{position}]", _("This population group is not a record."))
            continue
        # Keys are "population/families" (Kobo) or "families".
        answers = {
            key.rsplit("/", 1)[-1]: value for key, value in item.items() if key not in PLACE_KEYS
        }

        def column(name: str, position: int = position, item: Mapping = item) -> str:
            if ROW_KEY in item:  # a row of the population sheet of a spreadsheet export
                place = _("%(sheet)s row %(row)d") % {
                    "sheet": item.get(SHEET_KEY, "population"),
                    "row": item[ROW_KEY],
                }
                return f"{place}/{name}"
            return f"population[{position}]/{name}"

        population_type = reader.choice(
            "population_type",
            PopulationType.values,
            answers,
            column=column("population_type"),
        )
        if not population_type and reader.text("population_type", answers) == "":
            reader.error(column("population_type"), _("The population type is missing."))
        families = reader.integer("families", answers, column=column("families"))
        if families is None and reader.text("families", answers) == "":
            reader.error(column("families"), _("The number of families is missing."))
        individuals = reader.integer("individuals", answers, column=column("individuals"))
        if families is not None and individuals is not None and individuals < families:
            reader.error(
                column("individuals"),
                _(
                    "%(individuals)d individuals is fewer than the %(families)d families; every "
                    "family has at least one person."
                )
                % {"individuals": individuals, "families": families},
            )
        shelter = reader.choice(
            "shelter_category",
            ShelterCategory.values,
            answers,
            column=column("shelter_category"),
        )
        rows.append(
            PopulationRow(
                population_type=population_type,
                origin_pcode=reader.text("origin_pcode", answers),
                displacement_period=reader.text("displacement_period", answers),
                shelter_category=shelter,
                families=families if families is not None else 0,
                individuals=individuals,
                place=column("").removesuffix("/"),
            )
        )
    seen: dict[tuple[str, str, str, str], int] = {}
    for position, row in enumerate(rows, start=1):
        if row.key in seen:
            reader.error(
                row.place,
                _(
                    "This group repeats group %(first)d (same population type, origin, "
                    "displacement period and shelter)."
                )
                % {"first": seen[row.key]},
            )
        else:
            seen[row.key] = position
    return rows


def _submission(number: int, raw: Any, errors: list[RowError]) -> Submission | None:
    if not isinstance(raw, Mapping):
        errors.append(
            SubmissionError(row=number, column="", message=_("This is not a submission."))
        )
        return None
    sheet = str(raw.get(SHEET_KEY, ""))
    number = int(raw.get(ROW_KEY, number))
    reader = _Reader(number, raw, errors, sheet)
    uuid = reader.text("_uuid")
    if not uuid:
        reader.error("_uuid", _("The submission has no _uuid."))
    pcode = reader.text("general/location_pcode")
    if not pcode:
        reader.error("general/location_pcode", _("The location P-code is missing."))
    assessed_on = None
    date_text = reader.text("general/assessed_on")
    if not date_text:
        reader.error("general/assessed_on", _("The assessment date is missing."))
    else:
        try:
            assessed_on = datetime.date.fromisoformat(date_text[:10])
        except ValueError:
            reader.error(
                "general/assessed_on",
                _("%(value)s is not a date (YYYY-MM-DD).") % {"value": date_text},
            )
    needs: dict[str, int] = {}
    for priority in range(1, PRIORITIES + 1):
        name = f"needs/need_{priority}"
        sector = reader.choice(name, Sector.values)
        if not sector:
            continue
        if sector in needs:
            reader.error(
                name,
                _("%(sector)s is already priority %(priority)d.")
                % {"sector": sector, "priority": needs[sector]},
            )
            continue
        needs[sector] = priority
    intentions: dict[str, int] = {}
    for choice in IntentionChoice.values:
        families = reader.integer(f"intentions/{choice}")
        if families is not None:
            intentions[choice] = families
    population = _population(reader, raw.get("population"))
    if not population and not any(error.column.startswith("population") for error in errors):
        reader.error("population", _("The submission has no population group."))
    return Submission(
        number=number,
        sheet=sheet,
        uuid=uuid,
        instance_id=reader.text("meta/instanceID"),
        submitted_at=reader.text("_submission_time"),
        location_pcode=pcode,
        location_name=reader.text("general/location_name"),
        assessed_on=assessed_on,
        method=reader.choice(
            "general/method", AssessmentMethod.values, default=AssessmentMethod.KEY_INFORMANTS
        ),
        key_informants=reader.integer("general/key_informants"),
        monitor_name=reader.text("general/monitor_name"),
        documentation_status=reader.choice(
            "status/documentation_status", ShareLevel.values, default=ShareLevel.UNKNOWN
        ),
        property_status=reader.choice(
            "status/property_status", ShareLevel.values, default=ShareLevel.UNKNOWN
        ),
        security_notes=reader.text("notes/security_notes"),
        access_notes=reader.text("notes/access_notes"),
        population=population,
        needs=needs,
        intentions=intentions,
    )


def parse(results: list[Any]) -> tuple[list[Submission], list[RowError]]:
    """Submissions and the errors found in them alone (without the database)."""
    errors: list[RowError] = []
    submissions: list[Submission] = []
    first_of_uuid: dict[str, int] = {}
    first_of_location: dict[str, int] = {}
    for number, raw in enumerate(results, start=1):
        submission = _submission(number, raw, errors)
        if submission is None:
            continue
        if submission.uuid:
            if submission.uuid in first_of_uuid:
                errors.append(
                    submission.error(
                        "_uuid",
                        _("%(uuid)s repeats submission %(first)d.")
                        % {"uuid": submission.uuid, "first": first_of_uuid[submission.uuid]},
                    )
                )
                continue
            first_of_uuid[submission.uuid] = submission.number
        if submission.location_pcode:
            if submission.location_pcode in first_of_location:
                errors.append(
                    submission.error(
                        "general/location_pcode",
                        _(
                            "Location %(pcode)s was already assessed in submission %(first)d; "
                            "a location has one assessment per round."
                        )
                        % {
                            "pcode": submission.location_pcode,
                            "first": first_of_location[submission.location_pcode],
                        },
                    )
                )
                continue
            first_of_location[submission.location_pcode] = submission.number
        submissions.append(submission)
    return submissions, errors


def check(
    submissions: list[Submission], *, round_: AssessmentRound
) -> tuple[dict[str, AdminArea], dict[str, DisplacementPeriod], list[RowError]]:
    """Compare the submissions with the database: the locations, origins and displacement
    periods they name exist, and each date falls inside the round."""
    from marsad.displacement.services import day, period_text

    pcodes = {s.location_pcode for s in submissions} | {
        row.origin_pcode for s in submissions for row in s.population if row.origin_pcode
    }
    areas = {area.pcode: area for area in AdminArea.objects.filter(pcode__in=pcodes)}
    periods = {period.code: period for period in DisplacementPeriod.objects.all()}
    errors: list[RowError] = []
    for submission in submissions:
        location = areas.get(submission.location_pcode)
        column = "general/location_pcode"
        if submission.location_pcode and location is None:
            errors.append(
                submission.error(
                    column,
                    _("%(pcode)s is not a known P-code.") % {"pcode": submission.location_pcode},
                )
            )
        elif location is not None and location.level != AreaLevel.LOCATION:
            errors.append(
                submission.error(
                    column,
                    _("%(pcode)s is a %(level)s, not a location (a village or neighbourhood).")
                    % {
                        "pcode": location.pcode,
                        "level": str(AreaLevel(location.level).label).lower(),
                    },
                )
            )
        if submission.assessed_on and not (
            round_.period_start <= submission.assessed_on <= round_.period_end
        ):
            errors.append(
                submission.error(
                    "general/assessed_on",
                    _("%(date)s is outside round %(number)d (%(period)s).")
                    % {
                        "date": day(submission.assessed_on),
                        "number": round_.number,
                        "period": period_text(round_),
                    },
                )
            )
        for row in submission.population:
            if row.origin_pcode and row.origin_pcode not in areas:
                errors.append(
                    submission.error(
                        f"{row.place}/origin_pcode",
                        _("%(pcode)s is not a known P-code.") % {"pcode": row.origin_pcode},
                    )
                )
            if row.displacement_period and row.displacement_period not in periods:
                errors.append(
                    submission.error(
                        f"{row.place}/displacement_period",
                        _("%(code)s is not a displacement period; use one of %(codes)s.")
                        % {"code": row.displacement_period, "codes": ", ".join(periods)},
                    )
                )
    return areas, periods, errors
