"""Reads of the registry, always through the one scoping function: households and persons a
user may see, search by name in either script, by document number and by phone, and the
possible duplicates of a person being registered."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from marsad.core.scoping import VIEW, scope
from marsad.linkage import normalise
from marsad.registry.models import Household, Person

DIGITS_ONLY_MIN = 5  # a query of at least this many digits is a document or phone number
CANDIDATES = 10


def households(user: Any) -> QuerySet[Household]:
    return scope(Household.objects.all(), user, VIEW).select_related(
        "area", "origin_area", "organisation", "programme"
    )


def household_detail(user: Any, pk: int) -> Household:
    return (
        households(user)
        .prefetch_related(
            Prefetch(
                "members",
                queryset=Person.objects.prefetch_related("documents", "phones").order_by("pk"),
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
