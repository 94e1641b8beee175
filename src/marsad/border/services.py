"""Every write to border records: crossing points and postings, recording a crossing (with the
document's MRZ read and checked), raising and deciding screening hits, watchlists and their
entries, and document examination cases.

Each function takes keyword arguments, runs in one transaction, checks the actor's scope with
``core.scoping`` and writes the audit log through ``core.services``. ``actor=None`` is the
system (command line, background screening). Screening itself is pure (``border.screening``):
its matches come in through ``hits_raise``, which remembers cleared hits.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marsad.accounts.models import Membership
from marsad.border import mrz
from marsad.border.models import (
    POSTED_ROLES,
    BorderCrossingPoint,
    CaseStatus,
    Crossing,
    DatePrecision,
    Decision,
    Direction,
    DocumentExaminationCase,
    DocumentType,
    ExaminationOutcome,
    HitStatus,
    PostAssignment,
    ScreeningHit,
    ScreeningOutcome,
    Sex,
    TravelDocument,
    Traveller,
    Watchlist,
    WatchlistEntry,
)
from marsad.border.selectors import may_record_at, readable_entries
from marsad.core import services
from marsad.core.models import Sensitivity
from marsad.core.scoping import CHANGE, VIEW, can, can_create
from marsad.geo.loaders import Problem
from marsad.geo.models import AdminArea, AreaLevel
from marsad.linkage.normalise import normalise_id
from marsad.partners.models import Organisation

__all__ = [
    "REFERENCE_FILE",
    "HitsRaised",
    "PointsLoadReport",
    "ScreeningMatch",
    "cleared_before",
    "crossing_decide",
    "crossing_record",
    "examination_close",
    "examination_open",
    "examination_update",
    "hit_decide",
    "hits_raise",
    "is_border_officer",
    "point_create",
    "point_update",
    "points_load_reference",
    "post_assign",
    "post_end",
    "watchlist_create",
    "watchlist_entry_create",
    "watchlist_entry_update",
    "watchlist_update",
]

REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "iraq_border_crossing_points.csv"


# --- Crossing points and postings --------------------------------------------------------------


@transaction.atomic
def point_create(*, actor: Any, data: Mapping[str, Any]) -> BorderCrossingPoint:
    """Add a crossing point (reference data: IM officers and system administrators)."""
    return services.record_create(actor=actor, model=BorderCrossingPoint, data=data)


@transaction.atomic
def point_update(
    *, actor: Any, point: BorderCrossingPoint, data: Mapping[str, Any]
) -> BorderCrossingPoint:
    if "code" in data and data["code"] != point.code:
        raise ValidationError({"code": _("A crossing point's code never changes once given.")})
    return services.record_update(actor=actor, instance=point, data=data)


POINT_COLUMNS = (
    "code",
    "kind",
    "name_en",
    "name_ar",
    "name_ku",
    "governorate_pcode",
    "latitude",
    "longitude",
    "neighbouring_country",
    "authority",
)
POINT_FIELDS = (
    "kind",
    "name_en",
    "name_ar",
    "name_ku",
    "governorate",
    "latitude",
    "longitude",
    "neighbouring_country",
    "authority",
)


@dataclass
class PointsLoadReport:
    """What a load of crossing points did (or, in a dry run, would do), or why it did nothing."""

    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        counts = {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                _(
                    "Dry run: %(created)d crossing points would be created, %(updated)d updated, "
                    "%(unchanged)d unchanged; nothing was written."
                )
                % counts
            )
        return (
            _("Crossing points: %(created)d created, %(updated)d updated, %(unchanged)d unchanged")
            % counts
        )

    @property
    def error_text(self) -> str:
        header = ngettext(
            "Nothing was loaded: the file has %(count)d error.",
            "Nothing was loaded: the file has %(count)d errors.",
            len(self.problems),
        ) % {"count": len(self.problems)}
        return "\n".join([header, *(str(problem) for problem in self.problems)])


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def _read_point_rows(
    content: str, report: PointsLoadReport
) -> list[tuple[int, str, dict[str, Any]]]:
    """Each row as (line, code, field values), or problems in ``report``."""
    reader = csv.DictReader(io.StringIO(content))
    missing = [column for column in POINT_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        report.problems.append(
            Problem(1, "", _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        )
        return []
    governorates = {
        area.pcode: area for area in AdminArea.objects.filter(level=AreaLevel.GOVERNORATE)
    }
    authorities = {org.code: org for org in Organisation.objects.all()}
    rows = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in row.items() if key}
        code = row["code"]
        if code in seen:
            report.problems.append(
                Problem(line, "code", _("%(code)s appears twice.") % {"code": code})
            )
            continue
        seen.add(code)
        governorate = governorates.get(row["governorate_pcode"])
        if governorate is None:
            report.problems.append(
                Problem(
                    line,
                    "governorate_pcode",
                    _(
                        "No governorate has the P-code '%(pcode)s'; load the administrative "
                        "areas first (marsad geo load-reference)."
                    )
                    % {"pcode": row["governorate_pcode"]},
                )
            )
            continue
        try:
            latitude, longitude = _decimal(row["latitude"]), _decimal(row["longitude"])
        except InvalidOperation:
            report.problems.append(
                Problem(line, "latitude", _("Coordinates are decimal degrees, e.g. 30.5491."))
            )
            continue
        authority = authorities.get(row["authority"]) if row["authority"] else None
        if row["authority"] and authority is None:
            report.notes.append(
                _("%(code)s: no organisation has the code %(authority)s; authority left empty.")
                % {"code": code, "authority": row["authority"]}
            )
        values = {
            "kind": row["kind"],
            "name_en": row["name_en"],
            "name_ar": row["name_ar"],
            "name_ku": row["name_ku"],
            "governorate": governorate,
            "latitude": latitude,
            "longitude": longitude,
            "neighbouring_country": row["neighbouring_country"],
            "authority": authority,
        }
        problem = _point_problem(code, values)
        if problem:
            report.problems.append(Problem(line, problem[0], problem[1]))
            continue
        rows.append((line, code, values))
    return rows


def _point_problem(code: str, values: dict[str, Any]) -> tuple[str, str] | None:
    """The first thing wrong with a point, as (column, message), validated as the model does."""
    try:
        BorderCrossingPoint(code=code, **values).full_clean(validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = {"governorate": "governorate_pcode", "__all__": ""}.get(name, name)
            return column, " ".join(messages)
    return None


@transaction.atomic
def points_load_reference(
    *, actor: Any, dry_run: bool = False, path: Path | None = None
) -> PointsLoadReport:
    """Load the shipped list of Iraq's main border crossing points (or the CSV at ``path``):
    all or nothing, idempotent (matched by code), every created or changed point audited.
    The governorates must be loaded first; an unknown authority is left empty and noted."""
    report = PointsLoadReport(dry_run=dry_run)
    rows = _read_point_rows((path or REFERENCE_FILE).read_text(encoding="utf-8"), report)
    if report.problems:
        return report
    stored = BorderCrossingPoint.objects.in_bulk([code for _, code, _ in rows], field_name="code")
    for _line, code, values in rows:
        point = stored.get(code)
        if point is None:
            report.created.append(code)
            if not dry_run:
                point_create(actor=actor, data={"code": code, **values})
            continue
        changed = {
            name: value
            for name, value in values.items()
            if getattr(point, name) != value and not (name == "authority" and value is None)
        }
        if not changed:
            report.unchanged += 1
            continue
        report.updated.append(code)
        if not dry_run:
            point_update(actor=actor, point=point, data=changed)
    return report


def is_border_officer(user: Any) -> bool:
    """Whether ``user`` holds an active border officer or supervisor membership (the roles
    posted at crossing points)."""
    return Membership.objects.filter(
        user=user, role__in=POSTED_ROLES, is_active=True, organisation__is_active=True
    ).exists()


@transaction.atomic
def post_assign(
    *, actor: Any, officer: Any, point: BorderCrossingPoint | None = None
) -> PostAssignment:
    """Post a border officer at ``point`` (None: every point). Posting them again where an
    earlier posting ended makes it active again."""
    if not is_border_officer(officer):
        raise ValidationError(
            {
                "officer": _("%(user)s holds no active border officer membership.")
                % {"user": officer}
            }
        )
    existing = PostAssignment.objects.filter(officer=officer, point=point).first()
    if existing is not None:
        if existing.is_active:
            return existing
        return services.record_update(actor=actor, instance=existing, data={"is_active": True})
    return services.record_create(
        actor=actor, model=PostAssignment, data={"officer": officer, "point": point}
    )


@transaction.atomic
def post_end(*, actor: Any, assignment: PostAssignment) -> PostAssignment:
    """End a posting: the officer no longer sees that point's crossings."""
    return services.record_update(actor=actor, instance=assignment, data={"is_active": False})


# --- Recording a crossing ----------------------------------------------------------------------

DOCUMENT_FIELDS = (
    "document_type",
    "issuing_state",
    "number",
    "surname",
    "given_names",
    "nationality",
    "birth_date",
    "birth_date_precision",
    "sex",
    "expiry_date",
)
# Fields of a document that say who it belongs to: a second presentation that disagrees on
# one of them is worth a look (an altered data page, an impostor, a cloned number).
IDENTITY_FIELDS = ("surname", "given_names", "nationality", "birth_date", "sex")
MRZ_DOCUMENT_TYPES = {"P": DocumentType.PASSPORT, "V": DocumentType.VISA}
MRZ_SEX = {"M": Sex.MALE, "F": Sex.FEMALE, "X": Sex.UNSPECIFIED}
SEX_FOR_MRZ = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.UNSPECIFIED: "X"}
# The model's field names and the MRZ reader's, where they differ.
VISUAL_NAMES = {"number": "document_number"}
NOT_COMPARED = ("document_type", "birth_date_precision")


def _warning(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


def _mrz_document_type(code: str) -> str:
    letter = (code or "")[:1]
    if letter in MRZ_DOCUMENT_TYPES:
        return MRZ_DOCUMENT_TYPES[letter]
    return DocumentType.ID_CARD if letter in ("I", "A", "C") else DocumentType.OTHER


def _values_from_mrz(result: mrz.MRZResult) -> dict[str, Any]:
    """The document fields the MRZ gives (empty parts left out)."""
    fields = result.fields
    if fields is None:
        return {}
    values: dict[str, Any] = {
        "document_type": _mrz_document_type(fields.document_type),
        "issuing_state": fields.issuing_state,
        "number": fields.document_number,
        "surname": fields.surname,
        "given_names": fields.given_names,
        "nationality": fields.nationality,
        "sex": MRZ_SEX.get(fields.sex or "", ""),
        "expiry_date": fields.expiry_date,
    }
    if fields.birth_date is not None:
        values["birth_date"] = fields.birth_date
        values["birth_date_precision"] = DatePrecision.DAY
    elif (result.details.get("birth_date_parts") or {}).get("year") is not None:
        # Day or month unknown ('<<'): the year alone, stored as 1 July like the registry.
        values["birth_date"] = datetime.date(result.details["birth_date_parts"]["year"], 7, 1)
        values["birth_date_precision"] = DatePrecision.YEAR
    return {key: value for key, value in values.items() if value not in (None, "")}


def _mrz_summary(result: mrz.MRZResult) -> dict[str, Any]:
    return {
        "format": result.format,
        "checks": result.verdicts(),
        "valid": result.valid,
        "errors": [problem.as_dict() for problem in result.errors],
        "warnings": [problem.as_dict() for problem in result.warnings],
        "check_digits": result.details.get("check_digits", {}),
    }


def _mrz_fields(text: str, result: mrz.MRZResult | None) -> dict[str, Any]:
    if result is None:
        return {}
    return {
        "mrz_text": "\n".join(result.lines) or text.strip(),
        "mrz_format": result.format or "",
        "mrz_valid": result.valid,
        "mrz_checks": _mrz_summary(result),
    }


def _typed_for_comparison(typed: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed from the data page, under the MRZ reader's field names."""
    compared = {}
    for name, value in typed.items():
        if name in NOT_COMPARED or value in (None, ""):
            continue
        if name == "birth_date" and typed.get("birth_date_precision") == DatePrecision.YEAR:
            continue
        if name == "sex":
            value = SEX_FOR_MRZ.get(value, value)
        compared[VISUAL_NAMES.get(name, name)] = value
    return compared


def _clean_document_values(values: dict[str, Any]) -> dict[str, Any]:
    for name in ("issuing_state", "nationality"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip().upper()
    for name in ("number", "surname", "given_names"):
        if isinstance(values.get(name), str):
            values[name] = " ".join(values[name].split())
    missing = [
        name for name in ("document_type", "issuing_state", "number") if not values.get(name)
    ]
    if missing:
        raise ValidationError(
            {
                name: _("Give the %(field)s (typed, or read from the MRZ).")
                % {"field": TravelDocument._meta.get_field(name).verbose_name}
                for name in missing
            }
        )
    if not normalise_id(values["number"]):
        raise ValidationError(
            {"number": _("'%(number)s' is not a document number.") % {"number": values["number"]}}
        )
    return values


def _record_differences(document: TravelDocument, values: Mapping[str, Any]) -> list[str]:
    """Identity fields where what is presented now differs from the stored document."""
    differ = []
    for name in IDENTITY_FIELDS:
        presented, stored = values.get(name), getattr(document, name)
        if presented in (None, "") or stored in (None, ""):
            continue
        if name == "birth_date" and DatePrecision.YEAR in (
            values.get("birth_date_precision"),
            document.birth_date_precision,
        ):
            if presented.year != stored.year:
                differ.append(name)
            continue
        if isinstance(presented, str):
            presented, stored = presented.casefold(), str(stored).casefold()
        if presented != stored:
            differ.append(name)
    return differ


def _resolve_document(
    *,
    actor: Any,
    organisation: Organisation,
    document: Mapping[str, Any] | TravelDocument | None,
    traveller: Traveller | None,
    mrz_text: str,
    result: mrz.MRZResult | None,
    name_other_script: str,
    warnings: list[dict[str, Any]],
) -> tuple[TravelDocument, Traveller]:
    """The stored document presented (found by state, type and number, or created with its
    holder), with what is worth a warning appended to ``warnings``."""
    if isinstance(document, TravelDocument):
        stored: TravelDocument | None = document
        values: dict[str, Any] = {}
        differences: list[dict[str, Any]] = []
    else:
        typed = {
            key: value for key, value in dict(document or {}).items() if value not in (None, "")
        }
        unknown = set(typed) - set(DOCUMENT_FIELDS)
        if unknown:
            raise ValidationError(
                _("Unknown document fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
            )
        values = _clean_document_values({**(_values_from_mrz(result) if result else {}), **typed})
        differences = []
        if result is not None and result.fields is not None:
            compared = _typed_for_comparison(typed)
            differences = [diff.as_dict() for diff in mrz.compare_visual(result, compared)]
        if differences:
            warnings.append(
                _warning(
                    "visual_zone_differs",
                    ngettext(
                        "%(count)d field typed from the data page differs from the MRZ.",
                        "%(count)d fields typed from the data page differ from the MRZ.",
                        len(differences),
                    )
                    % {"count": len(differences)},
                    fields=[difference["field"] for difference in differences],
                )
            )
        stored = (
            TravelDocument.objects.select_for_update()
            .filter(
                issuing_state=values["issuing_state"],
                document_type=values["document_type"],
                number_normalised=normalise_id(values["number"]),
            )
            .select_related("traveller")
            .first()
        )
    if stored is not None:
        differ = _record_differences(stored, values)
        if differ:
            warnings.append(
                _warning(
                    "document_record_differs",
                    _(
                        "This document was recorded before with other details: %(fields)s. "
                        "Check the data page and the holder."
                    )
                    % {
                        "fields": ", ".join(
                            str(TravelDocument._meta.get_field(name).verbose_name)
                            for name in differ
                        )
                    },
                    fields=differ,
                )
            )
        mrz_fields = _mrz_fields(mrz_text, result)
        if mrz_fields and not stored.mrz_text:
            stored = services.record_update(
                actor=actor,
                instance=stored,
                data={**mrz_fields, "visual_differences": differences},
            )
        elif mrz_fields and mrz_fields["mrz_text"] != stored.mrz_text:
            warnings.append(
                _warning(
                    "mrz_differs_from_record",
                    _("The MRZ read now differs from the one recorded for this document."),
                )
            )
        holder = traveller or stored.traveller
        if holder.pk != stored.traveller_id:
            warnings.append(
                _warning(
                    "not_the_holder",
                    _("The traveller is not the recorded holder of this document."),
                )
            )
        return stored, holder
    holder = traveller or _create_traveller(
        actor=actor, organisation=organisation, values=values, name_other_script=name_other_script
    )
    created = services.record_create(
        actor=actor,
        model=TravelDocument,
        data={
            "traveller": holder,
            **values,
            **_mrz_fields(mrz_text, result),
            "visual_differences": differences,
        },
    )
    return created, holder


def _create_traveller(
    *, actor: Any, organisation: Organisation, values: Mapping[str, Any], name_other_script: str
) -> Traveller:
    data = {
        name: values[name]
        for name in (
            "surname",
            "given_names",
            "nationality",
            "birth_date",
            "birth_date_precision",
            "sex",
        )
        if name in values
    }
    return services.record_create(
        actor=actor,
        model=Traveller,
        data={"organisation": organisation, "name_other_script": name_other_script, **data},
    )


def _mrz_warnings(result: mrz.MRZResult, warnings: list[dict[str, Any]]) -> None:
    if result.fields is None:
        warnings.append(
            _warning(
                "mrz_unreadable",
                _("The MRZ could not be read: %(reason)s")
                % {"reason": " ".join(problem.message for problem in result.errors)},
            )
        )
    elif not result.valid:
        failed = [name for name, passed in (result.verdicts() or {}).items() if passed is False]
        warnings.append(
            _warning(
                "mrz_invalid",
                _("The MRZ fails its checks (%(checks)s): the document may be altered or misread.")
                % {"checks": ", ".join(failed) or _("format")},
                checks=failed,
            )
        )


@transaction.atomic
def crossing_record(
    *,
    actor: Any,
    point: BorderCrossingPoint,
    direction: str,
    decision: str = Decision.ADMITTED,
    document: Mapping[str, Any] | TravelDocument | None = None,
    mrz_text: str = "",
    traveller: Traveller | None = None,
    name_other_script: str = "",
    crossed_at: datetime.datetime | None = None,
    organisation: Organisation | None = None,
    sensitivity: str = Sensitivity.NORMAL,
    permit_type: str = "",
    permit_number: str = "",
    permit_expiry: datetime.date | None = None,
    purpose: str = "",
    conveyance: str = "",
    notes: str = "",
) -> Crossing:
    """Record one entry or exit at ``point``.

    ``document`` is a stored ``TravelDocument`` or the fields typed from the data page
    (``DOCUMENT_FIELDS``); with ``mrz_text`` the MRZ is read (centuries and expiry against the
    crossing day), fills what was not typed, and its check verdicts and the differences from
    the typed fields are stored on the document. The document is found again by issuing state,
    type and number, or created with a new traveller (its holder, unless ``traveller`` is
    given). The crossing keeps the warnings the officer was shown (MRZ invalid, document
    expired, details differing from an earlier presentation ...). The crossing belongs to
    ``organisation``, by default the point's authority; its screening stays pending until
    ``hits_raise`` is called with the screening's matches.
    """
    organisation = organisation or point.authority
    if organisation is None:
        raise ValidationError(
            {"organisation": _("The crossing point has no authority: say who records it.")}
        )
    if not point.is_active:
        raise ValidationError({"point": _("%(point)s is not in service.") % {"point": point.name}})
    if actor is not None and not (
        may_record_at(actor, point)
        and can_create(
            actor,
            Crossing,
            organisation=organisation,
            area=point.governorate,
            sensitivity=sensitivity,
        )
    ):
        raise PermissionDenied(
            _("You may not record crossings at %(point)s.") % {"point": point.name}
        )
    crossed_at = crossed_at or timezone.now()
    if crossed_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"crossed_at": _("A crossing cannot be recorded in the future.")})
    day = timezone.localtime(crossed_at).date()
    warnings: list[dict[str, Any]] = []
    result = mrz.parse(mrz_text, today=day) if mrz_text.strip() else None
    if result is not None:
        _mrz_warnings(result, warnings)
    stored, holder = _resolve_document(
        actor=actor,
        organisation=organisation,
        document=document,
        traveller=traveller,
        mrz_text=mrz_text,
        result=result,
        name_other_script=name_other_script,
        warnings=warnings,
    )
    if stored.is_expired_on(day):
        warnings.append(
            _warning(
                "document_expired",
                _("The document expired on %(date)s.") % {"date": stored.expiry_date.isoformat()},
            )
        )
    if direction == Direction.ENTRY and permit_expiry is not None and permit_expiry < day:
        warnings.append(
            _warning(
                "permit_expired",
                _("The visa or permit expired on %(date)s.") % {"date": permit_expiry.isoformat()},
            )
        )
    crossing = services.record_create(
        actor=actor,
        model=Crossing,
        data={
            "organisation": organisation,
            "area": point.governorate,
            "sensitivity": sensitivity,
            "point": point,
            "direction": direction,
            "crossed_at": crossed_at,
            "officer": actor if getattr(actor, "is_authenticated", False) else None,
            "traveller": holder,
            "document": stored,
            "nationality": stored.nationality,
            "permit_type": permit_type,
            "permit_number": permit_number.strip(),
            "permit_expiry": permit_expiry,
            "purpose": purpose,
            "conveyance": conveyance.strip(),
            "decision": decision,
            "warnings": warnings,
            "notes": notes,
        },
    )
    if actor is not None and not can(actor, CHANGE, crossing):
        raise PermissionDenied(
            _("You may not record crossings at %(point)s.") % {"point": point.name}
        )
    return crossing


@transaction.atomic
def crossing_decide(*, actor: Any, crossing: Crossing, decision: str, notes: str = "") -> Crossing:
    """Change the decision on a crossing (a referral settled), keeping the earlier notes."""
    data: dict[str, Any] = {"decision": decision}
    if notes.strip():
        data["notes"] = f"{crossing.notes}\n{notes.strip()}".strip()
    return services.record_update(actor=actor, instance=crossing, data=data)


# --- Screening hits ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningMatch:
    """One match the screening engine found: the entry (by primary key, the ``entry_id`` of
    ``WatchlistEntry.screening_values``), its 0–100 score and its explanation as JSON."""

    entry_id: int | str
    score: int
    explanation: Mapping[str, Any] = field(default_factory=dict)
    algorithm: str = ""


@dataclass
class HitsRaised:
    """What ``hits_raise`` did with each match."""

    created: list[ScreeningHit] = field(default_factory=list)
    #: Already raised for this crossing (or, without a crossing, still open for the document).
    existing: list[ScreeningHit] = field(default_factory=list)
    #: Cleared before for this document and this entry's unchanged content: not raised again.
    remembered: list[WatchlistEntry] = field(default_factory=list)
    #: The entry (or its list) is inactive or outside its validity on the day.
    not_in_force: list[WatchlistEntry] = field(default_factory=list)


def cleared_before(document: TravelDocument, entry: WatchlistEntry) -> bool:
    """A reviewer cleared a hit of this document on this entry as it reads now."""
    return ScreeningHit.objects.filter(
        document=document,
        entry=entry,
        entry_fingerprint=entry.fingerprint,
        status=HitStatus.CLEARED,
    ).exists()


def _outcome(crossing: Crossing) -> str:
    statuses = set(crossing.hits.values_list("status", flat=True))
    if not statuses:
        return ScreeningOutcome.NO_HIT
    if HitStatus.CONFIRMED in statuses:
        return ScreeningOutcome.HIT_CONFIRMED
    if HitStatus.OPEN in statuses:
        return ScreeningOutcome.PENDING
    return ScreeningOutcome.HIT_CLEARED


def _refresh_outcome(actor: Any, crossing: Crossing, *, screened: bool = False) -> Crossing:
    data: dict[str, Any] = {"screening_outcome": _outcome(crossing)}
    if screened:
        data["screened_at"] = timezone.now()
    return services.record_update(actor=actor, instance=crossing, data=data)


@transaction.atomic
def hits_raise(
    *,
    actor: Any,
    document: TravelDocument,
    matches: Iterable[ScreeningMatch],
    crossing: Crossing | None = None,
) -> HitsRaised:
    """Store the screening's matches for ``document`` (presented at ``crossing``, or
    re-screened without one) as open hits, except those a reviewer cleared before for this
    document and the entry's current fingerprint, and those already raised. With a crossing,
    its screening outcome is brought up to date (no hit / pending / cleared / confirmed)."""
    if crossing is not None and crossing.document_id != document.pk:
        raise ValueError("the crossing was made on another document")
    owner = crossing if crossing is not None else document.traveller
    if actor is not None and not can(actor, CHANGE, owner):
        raise PermissionDenied(_("You may not screen this document."))
    matches = list(matches)
    entries = WatchlistEntry.objects.select_related("watchlist").in_bulk(
        [int(match.entry_id) for match in matches]
    )
    day = timezone.localtime(crossing.crossed_at if crossing else timezone.now()).date()
    raised = HitsRaised()
    for match in sorted(matches, key=lambda m: -m.score):
        entry = entries.get(int(match.entry_id))
        if entry is None:
            raise ValueError(f"no watchlist entry {match.entry_id}")
        if not entry.in_force_on(day):
            raised.not_in_force.append(entry)
            continue
        if cleared_before(document, entry):
            raised.remembered.append(entry)
            continue
        earlier = ScreeningHit.objects.filter(entry=entry)
        if crossing is not None:
            earlier = earlier.filter(crossing=crossing)
        else:
            earlier = earlier.filter(
                document=document,
                crossing__isnull=True,
                entry_fingerprint=entry.fingerprint,
                status=HitStatus.OPEN,
            )
        found = earlier.first()
        if found is not None:
            raised.existing.append(found)
            continue
        raised.created.append(
            services.record_create(
                actor=actor,
                model=ScreeningHit,
                data={
                    "organisation": crossing.organisation if crossing else owner.organisation,
                    "sensitivity": Sensitivity.RESTRICTED,
                    "crossing": crossing,
                    "document": document,
                    "entry": entry,
                    "entry_fingerprint": entry.fingerprint,
                    "score": int(match.score),
                    "action": entry.action,
                    "explanation": dict(match.explanation),
                    "algorithm": match.algorithm,
                },
            )
        )
    if crossing is not None:
        _refresh_outcome(actor, crossing, screened=True)
    return raised


def may_decide_hit(actor: Any, hit: ScreeningHit) -> bool:
    """Whether ``actor`` may clear or confirm ``hit``: they may change it and may read the
    watchlist entry it was raised on (nobody judges a match without seeing who is listed; a
    border officer refers hits on a confidential list to a border supervisor). Who reads the
    entry is ``selectors.readable_entries``, the rule that also hides the listed person from
    the explanation of those who may not."""
    if actor is None:  # system work, e.g. a management command
        return True
    return can(actor, CHANGE, hit) and hit.entry_id in readable_entries(actor, [hit.entry_id])


@transaction.atomic
def hit_decide(*, actor: Any, hit: ScreeningHit, status: str, note: str) -> ScreeningHit:
    """Clear (a false positive) or confirm an open hit, with the reviewer's reasons. A cleared
    hit is the memory: the same document is not raised again on this entry until the entry's
    matching content changes."""
    if status not in (HitStatus.CLEARED, HitStatus.CONFIRMED):
        raise ValidationError({"status": _("A hit is either cleared or confirmed.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the hit is cleared or confirmed.")})
    current = ScreeningHit.objects.select_for_update().get(pk=hit.pk)
    if not may_decide_hit(actor, current):
        raise PermissionDenied(
            _(
                "Only a reader cleared for this watchlist may decide its hits: refer the hit "
                "to a border supervisor."
            )
        )
    if current.status != HitStatus.OPEN:
        raise ValidationError(
            {
                "status": _("This hit was already decided: %(status)s.")
                % {"status": current.get_status_display()}
            }
        )
    decided = services.record_update(
        actor=actor,
        instance=current,
        data={
            "status": status,
            "note": note,
            "decided_by": actor if getattr(actor, "is_authenticated", False) else None,
            "decided_at": timezone.now(),
        },
    )
    if decided.crossing_id:
        _refresh_outcome(actor, decided.crossing)
    return decided


# --- Watchlists --------------------------------------------------------------------------------

WATCHLIST_FIELDS = frozenset({"organisation", "name", "description", "sensitivity", "is_active"})
ENTRY_FIELDS = frozenset(
    {
        "reference",
        "names",
        "birth_date",
        "birth_date_precision",
        "nationality",
        "document_numbers",
        "reason",
        "action",
        "valid_from",
        "valid_until",
        "is_active",
    }
)


def _only(data: Mapping[str, Any], allowed: frozenset[str], what: str) -> dict[str, Any]:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(
            _("Unknown %(what)s fields: %(fields)s.")
            % {"what": what, "fields": ", ".join(sorted(unknown))}
        )
    return dict(data)


@transaction.atomic
def watchlist_create(*, actor: Any, data: Mapping[str, Any]) -> Watchlist:
    return services.record_create(
        actor=actor, model=Watchlist, data=_only(data, WATCHLIST_FIELDS, _("watchlist"))
    )


@transaction.atomic
def watchlist_update(*, actor: Any, watchlist: Watchlist, data: Mapping[str, Any]) -> Watchlist:
    return services.record_update(
        actor=actor, instance=watchlist, data=_only(data, WATCHLIST_FIELDS, _("watchlist"))
    )


def _entry_data(data: Mapping[str, Any]) -> dict[str, Any]:
    values = _only(data, ENTRY_FIELDS, _("watchlist entry"))
    for name in ("names", "document_numbers"):
        if isinstance(values.get(name), str):  # "name; alias; alias", as the CSV writes them
            values[name] = [part.strip() for part in values[name].split(";") if part.strip()]
        elif isinstance(values.get(name), tuple):
            values[name] = list(values[name])
    if isinstance(values.get("nationality"), str):
        values["nationality"] = values["nationality"].strip().upper()
    return values


@transaction.atomic
def watchlist_entry_create(
    *, actor: Any, watchlist: Watchlist, data: Mapping[str, Any]
) -> WatchlistEntry:
    """Add an entry; its derived name forms and fingerprint are computed on save."""
    return services.record_create(
        actor=actor, model=WatchlistEntry, data={"watchlist": watchlist, **_entry_data(data)}
    )


@transaction.atomic
def watchlist_entry_update(
    *, actor: Any, entry: WatchlistEntry, data: Mapping[str, Any]
) -> WatchlistEntry:
    """Change an entry. A change to what screening matches on (names, birth date, nationality,
    document numbers) gives it a new fingerprint, so hits cleared on the old content are
    raised again; a change to the reason, action or validity does not."""
    return services.record_update(actor=actor, instance=entry, data=_entry_data(data))


# --- Document examination (DAFEC) --------------------------------------------------------------

CASE_FIELDS = frozenset(
    {"suspicion", "features_examined", "findings", "examiner", "referred_to", "referred_at"}
)


def case_number(*, today: datetime.date | None = None) -> str:
    """The next free case number of the year, e.g. ``DAFEC-2026-000042``."""
    today = today or timezone.localdate()
    stem = f"DAFEC-{today.year}-"
    last = (
        DocumentExaminationCase.objects.filter(number__startswith=stem)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{stem}{(int(last.rsplit('-', 1)[-1]) + 1) if last else 1:06d}"


@transaction.atomic
def examination_open(
    *,
    actor: Any,
    document: TravelDocument,
    suspicion: str,
    crossing: Crossing | None = None,
    organisation: Organisation | None = None,
    examiner: Any = None,
    features_examined: Mapping[str, Any] | None = None,
    findings: str = "",
) -> DocumentExaminationCase:
    """Open a case on a suspected document, from a crossing or without one; it belongs to
    ``organisation``, by default the crossing's (or the holder's record's)."""
    for record in (document, crossing):
        if record is not None and actor is not None and not can(actor, VIEW, record):
            raise PermissionDenied(_("You may not open a case on this document."))
    organisation = organisation or (
        crossing.organisation if crossing else document.traveller.organisation
    )
    data = {
        "organisation": organisation,
        "document": document,
        "crossing": crossing,
        "suspicion": suspicion,
        "features_examined": dict(features_examined or {}),
        "findings": findings,
        "examiner": examiner,
    }
    try:
        with transaction.atomic():
            case = services.record_create(
                actor=actor, model=DocumentExaminationCase, data={**data, "number": case_number()}
            )
    except IntegrityError:  # two cases opened at once took the same number: retry once
        case = services.record_create(
            actor=actor, model=DocumentExaminationCase, data={**data, "number": case_number()}
        )
    if actor is not None and not can(actor, CHANGE, case):
        raise PermissionDenied(_("You may not open a case on this document."))
    return case


def _open_case(case: DocumentExaminationCase) -> DocumentExaminationCase:
    current = DocumentExaminationCase.objects.select_for_update().get(pk=case.pk)
    if current.status != CaseStatus.OPEN:
        raise ValidationError({"status": _("This case is closed; it can no longer change.")})
    return current


@transaction.atomic
def examination_update(
    *, actor: Any, case: DocumentExaminationCase, data: Mapping[str, Any]
) -> DocumentExaminationCase:
    """Record the examination's progress: features examined, findings, examiner, referral."""
    values = _only(data, CASE_FIELDS, _("examination case"))
    return services.record_update(actor=actor, instance=_open_case(case), data=values)


@transaction.atomic
def examination_close(
    *,
    actor: Any,
    case: DocumentExaminationCase,
    outcome: str,
    findings: str | None = None,
    referred_to: str = "",
    referred_at: datetime.datetime | None = None,
) -> DocumentExaminationCase:
    """Close a case with its outcome (genuine, counterfeit, ... inconclusive) and any
    referral; a referral without a time is dated now."""
    if outcome not in ExaminationOutcome.values or outcome == ExaminationOutcome.PENDING:
        raise ValidationError({"outcome": _("Give the outcome of the examination.")})
    data: dict[str, Any] = {
        "status": CaseStatus.CLOSED,
        "outcome": outcome,
        "closed_at": timezone.now(),
    }
    if findings is not None:
        data["findings"] = findings
    if referred_to.strip():
        data["referred_to"] = referred_to.strip()
        data["referred_at"] = referred_at or timezone.now()
    return services.record_update(actor=actor, instance=_open_case(case), data=data)
