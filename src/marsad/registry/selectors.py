"""Reads of the registry, always through the one scoping function: households and persons a
user may see, search by name in either script, by document number and by phone, and the
possible duplicates of a person being registered."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from marsad.core.scoping import VIEW, scope
from marsad.linkage import normalise
from marsad.registry.models import NAME_PARTS, DatePrecision, Household, Person

DIGITS_ONLY_MIN = 5  # a query of at least this many digits is a document or phone number
CANDIDATES = 10


def households(user: Any, *, merged: bool = False) -> QuerySet[Household]:
    """Households ``user`` may see; those merged into another only with ``merged=True`` (a
    merged household is the same household as its survivor: lists, counts and choices leave
    it out, its own page still shows it)."""
    found = scope(Household.objects.all(), user, VIEW).select_related(
        "area", "origin_area", "organisation", "programme"
    )
    if merged:
        return found.select_related("merged_into")
    return found.filter(merged_into__isnull=True)


def household_detail(user: Any, pk: int) -> Household:
    return (
        households(user, merged=True)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Person.objects.select_related("merged_into__household")
                .prefetch_related("documents", "phones")
                .order_by("pk"),
            ),
            "source_records",
        )
        .get(pk=pk)
    )


def persons_any(user: Any) -> QuerySet[Person]:
    """Every person record in scope, merged (inactive) ones included."""
    return scope(Person.objects.all(), user, VIEW)


def persons(user: Any) -> QuerySet[Person]:
    return scope(Person.objects.filter(is_active=True), user, VIEW).select_related(
        "household", "household__area"
    )


# --- Households registered twice ---------------------------------------------------------------

#: Households (or persons) looked up per query when following merges.
MERGE_LOOKUP = 500


def _chunks(ids: Iterable[int], size: int = MERGE_LOOKUP) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), size):
        yield items[start : start + size]


def household_survivors(household_ids: Iterable[int]) -> dict[int, int]:
    """Each household → the household it lives on as now: itself, or the end of its chain of
    household merges. A query per link of the longest chain (usually one or two)."""
    household_ids = list(household_ids)
    pointing: dict[int, int | None] = {}
    pending = set(household_ids)
    while pending:
        for chunk in _chunks(pending):
            pointing.update(
                Household.objects.filter(pk__in=chunk).values_list("pk", "merged_into_id")
            )
        pending = {target for target in pointing.values() if target and target not in pointing}
    resolved = {}
    for household in household_ids:
        current, seen = household, {household}
        while pointing.get(current) is not None and pointing[current] not in seen:
            current = pointing[current]  # type: ignore[assignment]
            seen.add(current)
        resolved[household] = current
    return resolved


def living_records(person_ids: Iterable[int]) -> dict[int, tuple[int, int] | None]:
    """Each person → (the active record it lives on now, that record's household): itself, or
    the end of its chain of merges; None when the chain ends on a record that is inactive
    without being merged (someone who left). A query per link of the longest chain."""
    person_ids = list(person_ids)
    rows: dict[int, tuple[bool, int | None, int]] = {}
    pending = set(person_ids)
    while pending:
        for chunk in _chunks(pending):
            for pk, active, merged_into, household in Person.objects.filter(
                pk__in=chunk
            ).values_list("pk", "is_active", "merged_into_id", "household_id"):
                rows[pk] = (active, merged_into, household)
        pending = {row[1] for row in rows.values() if not row[0] and row[1] and row[1] not in rows}
    living: dict[int, tuple[int, int] | None] = {}
    for pk in person_ids:
        current, seen = pk, {pk}
        while current in rows and not rows[current][0]:
            target = rows[current][1]
            if target is None or target in seen:
                break
            current = target
            seen.add(current)
        row = rows.get(current)
        living[pk] = (current, row[2]) if row is not None and row[0] else None
    return living


def _merged_members(household_ids: Iterable[int]) -> tuple[set[int], dict[int, list[int]]]:
    """(households with an active member, each household's members merged into another)."""
    with_active: set[int] = set()
    merged: dict[int, list[int]] = {}
    for chunk in _chunks(household_ids):
        for pk, household, active, merged_into in Person.objects.filter(
            household_id__in=chunk
        ).values_list("pk", "household_id", "is_active", "merged_into_id"):
            if active:
                with_active.add(household)
            elif merged_into is not None:
                merged.setdefault(household, []).append(pk)
    return with_active, merged


def households_absorbed(household_ids: Iterable[int]) -> dict[int, int]:
    """Of ``household_ids``, each open household left with no active member whose merged
    members all live on (through their chains of merges) in one other open household, mapped
    to that household: what linkage merges after linking persons. A household a merge of
    which into that same household was undone is left alone (someone decided). A few queries
    for every ``MERGE_LOOKUP`` households, whatever their number."""
    from marsad.registry.models import HouseholdMerge, HouseholdStatus

    ids = set(household_ids)
    with_active, merged = _merged_members(ids)
    candidates = dict(merged)
    for household in with_active:
        candidates.pop(household, None)
    living = living_records(pk for members in candidates.values() for pk in members)
    targets: dict[int, int] = {}
    for household, members in candidates.items():
        homes = {living[pk][1] if living[pk] else None for pk in members}
        if len(homes) == 1 and None not in homes and household not in homes:
            targets[household] = homes.pop()  # type: ignore[assignment]
    if not targets:
        return {}
    open_households: set[int] = set()
    for chunk in _chunks({*targets, *targets.values()}):
        open_households.update(
            Household.objects.filter(pk__in=chunk, merged_into__isnull=True)
            .exclude(status=HouseholdStatus.CLOSED)
            .values_list("pk", flat=True)
        )
    undone: set[tuple[int, int]] = set()
    for chunk in _chunks(targets):
        undone.update(
            HouseholdMerge.objects.filter(merged_id__in=chunk, undone_at__isnull=False).values_list(
                "merged_id", "survivor_id"
            )
        )
    return {
        household: target
        for household, target in targets.items()
        if household in open_households
        and target in open_households
        and (household, target) not in undone
    }


def household_merge_suggestions(user: Any, household: Household) -> list[tuple[Household, int]]:
    """The households (in ``user``'s scope, open) holding the survivors of ``household``'s
    merged members, with how many of its members live on in each, most first: the households
    it was most likely registered again as."""
    _active, merged = _merged_members([household.pk])
    living = living_records(merged.get(household.pk, []))
    counts: dict[int, int] = {}
    for found in living.values():
        if found is not None and found[1] != household.pk:
            counts[found[1]] = counts.get(found[1], 0) + 1
    if not counts:
        return []
    from marsad.registry.models import HouseholdStatus

    found_households = (
        households(user)
        .filter(pk__in=counts)
        .exclude(status=HouseholdStatus.CLOSED)
        .prefetch_related(
            Prefetch("members", queryset=Person.objects.filter(is_active=True).order_by("pk"))
        )
    )
    return sorted(
        ((item, counts[item.pk]) for item in found_households),
        key=lambda pair: (-pair[1], pair[0].registration_number),
    )


def household_merges(household: Household) -> QuerySet[Any]:
    """Merges into ``household`` and of it into another (undone ones too), newest first, with
    the two households: for the page of a household the reader may see."""
    from marsad.registry.models import HouseholdMerge

    return (
        HouseholdMerge.objects.filter(Q(survivor=household) | Q(merged=household))
        .select_related("survivor", "merged", "decided_by", "undone_by")
        .order_by("-created_at", "-pk")
    )


def _name_condition(query: str) -> Q:
    condition = Q()
    for token in normalise.tokens(query):
        key = normalise.name_key(token)
        forms = {f" {form}" for form in (normalise.normalise(token), key) if form}
        if not forms:
            continue
        word = Q()
        for form in forms:
            word |= Q(search_text__contains=form)
        condition &= word
    return condition


def search_persons(user: Any, query: str) -> QuerySet[Person]:
    """Persons whose names (in either script), document number or phone match ``query``.

    Every word of a name query must begin a word of the person's names, compared on the
    normalised and phonetic forms, so "محمد جاسم" finds "Mohammed Jasim" and the reverse.
    A query of digits (Arabic-Indic digits too) also matches document numbers and phones."""
    query = (query or "").strip()
    found = persons(user)
    if not query:
        return found.none()
    digits = normalise.normalise_id(query)
    condition = Q(pk__in=[])
    if digits.isdigit() and len(digits) >= DIGITS_ONLY_MIN:
        phone = normalise.normalise_phone(query)
        condition |= Q(documents__number_normalised=digits)
        if phone:
            condition |= Q(phones__number_normalised=phone)
    elif any(ch.isdigit() for ch in digits) and len(digits) >= DIGITS_ONLY_MIN:
        condition |= Q(documents__number_normalised=digits)
    name = _name_condition(query)
    if name:
        condition |= name
    return found.filter(condition).distinct().order_by("household__registration_number", "pk")


@dataclass
class Candidate:
    """A registered person who may be the one being registered, with the evidence."""

    person: Person
    score: int
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (field, agrees/close/…)

    @property
    def evidence_labels(self) -> list[tuple[str, tuple[str, str]]]:
        """(field label, (verdict, verdict label)) in the reader's language."""
        return [
            (str(FIELD_LABELS.get(name, name)), (verdict, str(VERDICT_LABELS[verdict])))
            for name, verdict in self.evidence
        ]


FIELD_LABELS = {
    "given_name": gettext_lazy("Given name"),
    "father_name": gettext_lazy("Father's name"),
    "grandfather_name": gettext_lazy("Grandfather's name"),
    "family_name": gettext_lazy("Family or tribe name"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Birth date"),
    "document": gettext_lazy("Document number"),
    "phone": gettext_lazy("Phone"),
}
VERDICT_LABELS = {
    "agrees": gettext_lazy("agrees"),
    "close": gettext_lazy("close"),
    "disagrees": gettext_lazy("disagrees"),
    "missing": gettext_lazy("missing"),
}


def _agreement(a: str, b: str) -> str:
    """Two spellings of a name: the same once normalised or romanised (so "محمد" and
    "Muhammad" agree), close when only their phonetic keys meet, else they disagree."""
    if not a or not b:
        return "missing"
    if normalise.normalise(a) == normalise.normalise(b):
        return "agrees"
    if normalise.romanise(a) == normalise.romanise(b):
        return "agrees"
    if normalise.name_key(a) == normalise.name_key(b):
        return "close"
    return "disagrees"


WEIGHTS = {
    "given_name": (30, 20, -25),
    "father_name": (20, 12, -15),
    "grandfather_name": (10, 6, -8),
    "family_name": (15, 8, -10),
}


def possible_duplicates(
    user: Any, data: dict[str, Any], *, limit: int = CANDIDATES
) -> list[Candidate]:
    """Registered persons who may be the person described by ``data`` (names, sex, birth date,
    document number, phone), best first.

    When ``MARSAD_DUPLICATE_FINDER`` names a function (record linkage provides one that scores
    with the trained model) and it answers, its candidates are used; it returns None when it
    cannot (no model in use). Otherwise candidates come from the phonetic name keys, the
    document number and the phone, each scored on the fields both records have."""
    finder_path = getattr(settings, "MARSAD_DUPLICATE_FINDER", "")
    if finder_path:
        found = import_string(finder_path)(user, data, limit=limit)
        if found is not None:
            return found
    given_key = normalise.name_key(data.get("given_name") or "")
    family_key = normalise.name_key(data.get("family_name") or "")
    father_key = normalise.name_key(data.get("father_name") or "")
    document = normalise.normalise_id(data.get("document_number") or "")
    phone = normalise.normalise_phone(data.get("phone") or "")
    condition = Q(pk__in=[])
    if given_key and (father_key or family_key):
        condition |= (
            Q(given_key=given_key)
            & (Q(search_text__contains=f" {father_key} ") if father_key else Q())
            & (Q(family_key=family_key) if family_key and not father_key else Q())
        )
    if document:
        condition |= Q(documents__number_normalised=document)
    if phone:
        condition |= Q(phones__number_normalised=phone)
    pool = (
        persons(user)
        .filter(condition)
        .prefetch_related("documents", "phones")
        .distinct()[: limit * 5]
    )
    candidates = [_score(person, data, document, phone) for person in pool]
    candidates = [c for c in candidates if c.score > 0]
    candidates.sort(key=lambda c: (-c.score, c.person.pk))
    return candidates[:limit]


def _score(person: Person, data: dict[str, Any], document: str, phone: str) -> Candidate:
    candidate = Candidate(person=person, score=0)
    for name, (agree, close, disagree) in WEIGHTS.items():
        verdict = _agreement(data.get(name) or "", getattr(person, name))
        candidate.score += {"agrees": agree, "close": close, "disagrees": disagree}.get(verdict, 0)
        candidate.evidence.append((name, verdict))
    sex = data.get("sex") or ""
    if sex and person.sex:
        same = sex == person.sex
        candidate.score += 5 if same else -30
        candidate.evidence.append(("sex", "agrees" if same else "disagrees"))
    birth = data.get("birth_date")
    if isinstance(birth, str) and birth:
        try:
            birth = datetime.date.fromisoformat(birth)
        except ValueError:
            birth = None
    if birth and person.birth_date:
        gap = abs(birth.year - person.birth_date.year)
        verdict = "agrees" if birth == person.birth_date else "close" if gap <= 2 else "disagrees"
        candidate.score += {"agrees": 15, "close": 5, "disagrees": -20}[verdict]
        candidate.evidence.append(("birth_date", verdict))
    if document:
        held = {d.number_normalised for d in person.documents.all()}
        if held:
            same = document in held
            candidate.score += 40 if same else 0
            candidate.evidence.append(("document", "agrees" if same else "disagrees"))
    if phone:
        held = {p.number_normalised for p in person.phones.all()}
        if held:
            same = phone in held
            candidate.score += 20 if same else 0
            candidate.evidence.append(("phone", "agrees" if same else "disagrees"))
    return candidate


#: Documents in the order one is taken for the linkage's ``national_id`` column: the unified card
#: and the civil ID are the numbers another register most likely holds too.
_DOCUMENT_PREFERENCE = ("national_id", "civil_id", "nationality", "passport", "pds", "modm")


def _firsts(rows: Iterator[tuple[int, int, Any]]) -> dict[int, Any]:
    """person id → the value with the lowest rank, from (person id, rank, value) rows."""
    best: dict[int, tuple[int, Any]] = {}
    for person_id, rank, value in rows:
        held = best.get(person_id)
        if held is None or rank < held[0]:
            best[person_id] = (rank, value)
    return {person_id: value for person_id, (_rank, value) in best.items()}


def linkage_records(
    queryset: QuerySet[Person], *, chunk_size: int = 5000
) -> Iterator[dict[str, str]]:
    """The persons of ``queryset`` as record linkage reads them: the black-box columns of
    ``marsad linkage dedupe`` (ARCHITECTURE.md), one dictionary a person, in primary-key order.

    ``source`` is the most trusted kind of source the person was registered from (the merge
    rules' order), the names are as written, ``birth_date`` is ``YYYY`` when only the year is
    known (or estimated), ``phone`` the first phone in its national form, ``national_id`` the
    first document number (a national or civil ID before other documents), ``origin_pcode``
    the household's area of origin and ``household_id`` the household (the optional column of
    ``marsad.linkage.model.OPTIONAL_COLUMNS``).

    Persons are read ``chunk_size`` at a time by primary key (keyset pagination: no cursor or
    transaction held open), and each chunk's phones, documents and sources by their person's
    foreign-key index, the first of each chosen here; so a million persons take a few hundred
    short queries and never sit in memory at once.
    """
    from marsad.registry.merging import SOURCE_TRUST
    from marsad.registry.models import IdentityDocument, Phone, SourceRecord

    source_rank = {kind: rank for rank, kind in enumerate(SOURCE_TRUST)}
    document_rank = {kind: rank for rank, kind in enumerate(_DOCUMENT_PREFERENCE)}
    people = queryset.order_by("pk").values_list(
        "pk",
        *NAME_PARTS,
        "sex",
        "birth_date",
        "birth_date_precision",
        "household__origin_area__pcode",
        "household_id",
    )
    lookup_size = max(1, min(chunk_size, (connection.features.max_query_params or 5000) - 10))
    last = None
    while True:
        page = people if last is None else people.filter(pk__gt=last)
        chunk = list(page[:chunk_size])
        if not chunk:
            return
        last = chunk[-1][0]
        phones: dict[int, str] = {}
        documents: dict[int, str] = {}
        sources: dict[int, str] = {}
        if last - chunk[0][0] < 2 * len(chunk):
            # dense primary keys (the whole registry): one range scan of each index
            lookups = [{"person_id__gte": chunk[0][0], "person_id__lte": last}]
        else:
            ids = [row[0] for row in chunk]
            lookups = [
                {"person_id__in": ids[start : start + lookup_size]}
                for start in range(0, len(ids), lookup_size)
            ]
        for lookup in lookups:
            phone_rows = Phone.objects.filter(**lookup).values_list(
                "person_id", "pk", "number_normalised"
            )
            phones.update(_firsts(iter(phone_rows)))
            document_rows = IdentityDocument.objects.filter(**lookup).values_list(
                "person_id", "kind", "pk", "number_normalised"
            )
            documents.update(
                _firsts(
                    (person_id, (document_rank.get(kind, 99), pk), number)
                    for person_id, kind, pk, number in document_rows
                )
            )
            source_rows = SourceRecord.objects.filter(**lookup).values_list(
                "person_id", "kind", "pk"
            )
            sources.update(
                _firsts(
                    (person_id, (source_rank.get(kind, 99), pk), kind)
                    for person_id, kind, pk in source_rows
                )
            )
        for pk, *names, sex, birth, precision, origin, household in chunk:
            if birth is None:
                birth_text = ""
            elif precision == DatePrecision.DAY:
                birth_text = birth.isoformat()
            else:
                birth_text = f"{birth.year:04d}"
            yield {
                "record_id": str(pk),
                "source": sources.get(pk, ""),
                **dict(zip(NAME_PARTS, (name or "" for name in names), strict=True)),
                "sex": sex or "",
                "birth_date": birth_text,
                "phone": phones.get(pk, ""),
                "national_id": documents.get(pk, ""),
                "origin_pcode": origin or "",
                "household_id": str(household) if household else "",
            }
