"""Every write to the registry: registering a household with its members, changing a household
or a person, adding documents and phones, and keeping each registration as its source sent it.

Each function takes keyword arguments, runs in one transaction, checks the actor's scope and
writes the audit log (through ``core.services``). Derived name forms (normalised, romanised,
phonetic keys) are computed here on every write, never typed by a user.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from marsad.core import services
from marsad.core.scoping import CHANGE, can, can_create
from marsad.geo.models import AreaLevel
from marsad.linkage import normalise
from marsad.registry.models import (
    DERIVED_NAME_FIELDS,
    NAME_PARTS,
    Household,
    IdentityDocument,
    Person,
    Phone,
    Relationship,
    SourceKind,
    SourceRecord,
)
from marsad.registry.signals import announce_registered

__all__ = [
    "choose_household_survivor",
    "choose_survivor",
    "derive_names",
    "document_add",
    "household_merge",
    "household_merge_many",
    "household_merge_undo",
    "household_register",
    "household_update",
    "merge_clusters",
    "merge_undo",
    "person_add",
    "person_merge",
    "person_update",
    "phone_add",
    "registration_number",
    "source_record_receive",
]

PERSON_FIELDS = frozenset(
    {
        "relationship",
        *NAME_PARTS,
        "sex",
        "birth_date",
        "birth_date_precision",
        "marital_status",
        "disability",
        "chronic_illness",
        "pregnant_or_lactating",
        "separated_child",
    }
)


def _keys(text: str) -> list[str]:
    return [key for key in (normalise.name_key(token) for token in normalise.tokens(text)) if key]


def derive_names(person: Person) -> None:
    """Fill the person's normalised, romanised and phonetic forms from the names as written."""
    parts = [getattr(person, name) or "" for name in NAME_PARTS]
    normalised = [normalise.normalise(part) for part in parts]
    latin = [normalise.romanise(part) for part in parts]
    person.names_normalised = " | ".join(normalised)[:500]
    person.names_latin = " | ".join(latin)[:500]
    person.given_key = normalise.name_key(person.given_name or "")[:100]
    person.family_key = normalise.name_key(person.family_name or "")[:100]
    person.father_key = normalise.name_key(person.father_name or "")[:100]
    words: list[str] = []
    for part, norm, roman in zip(parts, normalised, latin, strict=True):
        words += normalise.tokens(norm) + normalise.tokens(roman) + _keys(part)
    # Space-delimited so a search can ask for whole words (" key ") or beginnings (" key").
    person.search_text = " " + " ".join(dict.fromkeys(word for word in words if word)) + " "


def _check_household_scope(actor: Any, household: Household) -> None:
    if actor is not None and not can(actor, CHANGE, household):
        raise PermissionDenied(_("You may not change this household."))


def _refuse_merged(household: Household) -> None:
    """A merged household is kept as it was registered; its survivor is the one to change."""
    if household.merged_into_id is not None:
        raise ValidationError(
            _(
                "Household %(number)s is merged into household %(survivor)s: change that "
                "household, or undo the merge."
            )
            % {
                "number": household.registration_number,
                "survivor": household.merged_into.registration_number,
            }
        )


def registration_number(household: Household, *, today: datetime.date | None = None) -> str:
    """The next free number in the household's governorate and year, e.g. ``BG-2026-000042``
    (ISO 3166-2 code of the governorate, or ``IQ`` when the household has no area)."""
    today = today or datetime.date.today()
    prefix = "IQ"
    if household.area_id:
        area = household.area
        chain = [*area.ancestors(), area]
        governorate = next((a for a in chain if a.level == AreaLevel.GOVERNORATE), None)
        if governorate is not None:
            prefix = governorate.iso_code.split("-")[-1] or governorate.pcode
    stem = f"{prefix}-{today.year}-"
    last = (
        Household.objects.filter(registration_number__startswith=stem)
        .order_by("-registration_number")
        .values_list("registration_number", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[-1]) + 1 if last else 1
    return f"{stem}{number:06d}"


def _person_data(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - PERSON_FIELDS - {"documents", "phones", "source"}
    if unknown:
        raise ValidationError(
            _("Unknown person fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    return {key: value for key, value in data.items() if key in PERSON_FIELDS}


def _create_person(*, actor: Any, household: Household, data: Mapping[str, Any]) -> Person:
    person = Person(household=household, **_person_data(data))
    derive_names(person)
    values = {
        field.name: getattr(person, field.name)
        for field in Person._meta.concrete_fields
        if field.name not in ("id", "created_at", "updated_at")
    }
    person = services.record_create(actor=actor, model=Person, data=values)
    for document in data.get("documents") or []:
        document_add(actor=actor, person=person, **document)
    for phone in data.get("phones") or []:
        phone_add(actor=actor, person=person, number=phone)
    return person


def _check_members(members: list[Mapping[str, Any]], size: int) -> None:
    heads = [m for m in members if m.get("relationship") == Relationship.HEAD]
    errors = []
    if not members:
        errors.append(_("Register at least the head of household."))
    elif len(heads) != 1:
        errors.append(
            _("A household has exactly one head; %(count)d members are marked as head.")
            % {"count": len(heads)}
        )
    if size and len(members) > size:
        errors.append(
            _("%(members)d members are registered but the household size is %(size)d.")
            % {"members": len(members), "size": size}
        )
    if errors:
        raise ValidationError({"members": errors})


@transaction.atomic
def household_register(
    *,
    actor: Any,
    data: Mapping[str, Any],
    members: list[Mapping[str, Any]],
    source: Mapping[str, Any] | None = None,
) -> Household:
    """Register a household with its members (the head among them), each member with its
    documents (``[{"kind", "number"}]``) and phones (``["0770…"]``), and keep the registration
    as a source record (``source``: kind, source_name, source_key, payload; a registration form
    by default). When members carry their own ``source`` (rows of a source list), each row is
    kept as its own source record, tied to the person it made."""
    data = dict(data)
    _check_members(members, int(data.get("size") or 0))
    if not data.get("registration_number"):
        draft = Household(**{k: v for k, v in data.items() if k in ("area",)})
        data["registration_number"] = registration_number(draft)
    if actor is not None and not can_create(
        actor,
        Household,
        organisation=data.get("organisation"),
        programme=data.get("programme"),
        area=data.get("area"),
        sensitivity=data.get("sensitivity"),
    ):
        raise PermissionDenied(_("You may not register households for this organisation here."))
    try:
        with transaction.atomic():
            household = services.record_create(actor=actor, model=Household, data=data)
    except IntegrityError as error:  # two officers took the same number at once: retry once
        if "registration_number" not in str(error):
            raise
        data["registration_number"] = registration_number(Household(area=data.get("area")))
        household = services.record_create(actor=actor, model=Household, data=data)
    people = [_create_person(actor=actor, household=household, data=member) for member in members]
    announce_registered(person_ids=[person.pk for person in people], actor=actor)
    if any(member.get("source") for member in members):
        # A source list: one source record a row, each tied to the person it made.
        for person, member in zip(people, members, strict=True):
            if member.get("source"):
                _receive(actor, household, person, dict(member["source"]))
        return household
    source = dict(source or {})
    source.setdefault("payload", _payload(data, members))
    source.setdefault("source_key", household.registration_number)
    head = next((p for p in people if p.relationship == Relationship.HEAD), None)
    _receive(actor, household, head, source)
    return household


def _receive(
    actor: Any, household: Household, person: Person | None, source: dict[str, Any]
) -> SourceRecord:
    return source_record_receive(
        actor=actor,
        organisation=household.organisation,
        programme=household.programme,
        area=household.area,
        kind=source.get("kind", SourceKind.REGISTRATION),
        source_name=source.get("source_name", ""),
        source_key=source["source_key"],
        payload=source["payload"],
        household=household,
        person=person,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return getattr(value, "pcode", None) or getattr(value, "code", None) or value.pk
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _payload(data: Mapping[str, Any], members: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """What the officer entered, as JSON, for the source record of a form registration."""
    return {"household": _plain(dict(data)), "members": [_plain(dict(m)) for m in members]}


@transaction.atomic
def household_update(*, actor: Any, instance: Household, data: Mapping[str, Any]) -> Household:
    if (
        "registration_number" in data
        and data["registration_number"] != instance.registration_number
    ):
        raise ValidationError(
            {"registration_number": _("A registration number never changes once given.")}
        )
    _refuse_merged(instance)
    return services.record_update(actor=actor, instance=instance, data=data)


@transaction.atomic
def person_add(*, actor: Any, household: Household, data: Mapping[str, Any]) -> Person:
    _check_household_scope(actor, household)
    _refuse_merged(household)
    if (
        data.get("relationship") == Relationship.HEAD
        and household.members.filter(relationship=Relationship.HEAD, is_active=True).exists()
    ):
        raise ValidationError({"relationship": _("This household already has a head.")})
    count = household.members.filter(is_active=True).count() + 1
    person = _create_person(actor=actor, household=household, data=data)
    announce_registered(person_ids=[person.pk], actor=actor)
    if count > household.size:
        services.record_update(actor=actor, instance=household, data={"size": count})
    return person


@transaction.atomic
def person_update(*, actor: Any, instance: Person, data: Mapping[str, Any]) -> Person:
    _check_household_scope(actor, instance.household)
    values = _person_data(data)
    if any(name in values for name in NAME_PARTS):
        probe = Person(**{name: values.get(name, getattr(instance, name)) for name in NAME_PARTS})
        derive_names(probe)
        for name in DERIVED_NAME_FIELDS:
            values[name] = getattr(probe, name)
    return services.record_update(actor=actor, instance=instance, data=values)


@transaction.atomic
def document_add(*, actor: Any, person: Person, kind: str, number: str) -> IdentityDocument:
    _check_household_scope(actor, person.household)
    normalised = normalise.normalise_id(number)
    if not normalised:
        raise ValidationError({"number": _("The document number is empty.")})
    return services.record_create(
        actor=actor,
        model=IdentityDocument,
        data={"person": person, "kind": kind, "number": number, "number_normalised": normalised},
    )


@transaction.atomic
def phone_add(*, actor: Any, person: Person, number: str) -> Phone:
    _check_household_scope(actor, person.household)
    normalised = normalise.normalise_phone(number)
    if not normalised:
        raise ValidationError(
            {"number": _("%(number)s is not a phone number.") % {"number": number}}
        )
    return services.record_create(
        actor=actor,
        model=Phone,
        data={"person": person, "number": number, "number_normalised": normalised},
    )


@transaction.atomic
def source_record_receive(*, actor: Any, **data: Any) -> SourceRecord:
    """Keep one record as a source sent it. Receiving the same (organisation, kind, key) again
    returns the stored record unchanged: sources are idempotent and never overwritten."""
    existing = SourceRecord.objects.filter(
        organisation=data["organisation"], kind=data["kind"], source_key=data["source_key"]
    ).first()
    if existing is not None:
        return existing
    return services.record_create(actor=actor, model=SourceRecord, data=data)


# Merges are written in their own module (survivorship rules); they are services like these.
from marsad.registry.household_merging import (  # noqa: E402
    choose_household_survivor,
    household_merge,
    household_merge_many,
    household_merge_undo,
)
from marsad.registry.merging import (  # noqa: E402
    choose_survivor,
    merge_clusters,
    merge_undo,
    person_merge,
)
