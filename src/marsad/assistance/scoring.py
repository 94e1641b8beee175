"""Household vulnerability scoring: a pure function of a household snapshot, a criteria version
and a scoring date. No Django, no database, no clock — the same inputs always give the same
score, category and explanation, so a stored version reproduces every past result.

Each rule of the catalogue (``RuleKind``) reads plain household and member attributes. A rule's
meaning is code: once versions use a kind, its meaning never changes — a different rule gets a
new kind. The outcome of each criterion carries a reason code and the facts it was decided on;
``assistance.explanations`` turns them into words in the reader's language.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Stored values of the registry's choices that the rules read (tests keep them in step).
HEAD = "head"
FEMALE = "female"
MALE = "male"
WIDOWED = "widowed"
EXACT_DATE = "day"
DOCUMENTS_MISSING = frozenset({"partial", "none"})
DOCUMENTS_UNKNOWN = frozenset({"unknown", ""})
CRITICAL_SHELTER = frozenset(
    {"informal_settlement", "religious_building", "school", "unfinished_building", "other"}
)


class RuleKind(StrEnum):
    FEMALE_HEAD = "female_head"
    ELDERLY_HEAD = "elderly_head"
    CHILD_HEAD = "child_head"
    MEMBER_DISABILITY = "member_disability"
    MEMBER_CHRONIC_ILLNESS = "member_chronic_illness"
    PREGNANT_OR_LACTATING = "pregnant_or_lactating"
    SEPARATED_CHILD = "separated_child"
    WIDOWED_HEAD = "widowed_head"
    LARGE_HOUSEHOLD = "large_household"
    NO_INCOME = "no_income"
    CRITICAL_SHELTER = "critical_shelter"
    MISSING_DOCUMENTS = "missing_documents"
    RECENT_DISPLACEMENT = "recent_displacement"


class Category(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True)
class Parameter:
    """The one number a rule takes: what it counts, its usual value and its allowed range."""

    unit: str  # "age" (years), "people" or "months"
    default: int
    minimum: int
    maximum: int


RULE_PARAMETERS: dict[RuleKind, Parameter | None] = {
    RuleKind.FEMALE_HEAD: None,
    RuleKind.ELDERLY_HEAD: Parameter("age", default=60, minimum=1, maximum=120),
    RuleKind.CHILD_HEAD: Parameter("age", default=18, minimum=1, maximum=120),
    RuleKind.MEMBER_DISABILITY: None,
    RuleKind.MEMBER_CHRONIC_ILLNESS: None,
    RuleKind.PREGNANT_OR_LACTATING: None,
    RuleKind.SEPARATED_CHILD: None,
    RuleKind.WIDOWED_HEAD: None,
    RuleKind.LARGE_HOUSEHOLD: Parameter("people", default=6, minimum=1, maximum=98),
    RuleKind.NO_INCOME: None,
    RuleKind.CRITICAL_SHELTER: None,
    RuleKind.MISSING_DOCUMENTS: None,
    RuleKind.RECENT_DISPLACEMENT: Parameter("months", default=6, minimum=1, maximum=600),
}

WEIGHT_MIN = 1
WEIGHT_MAX = 100


# --- Inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSnapshot:
    """An active household member, as the rules see it (stored registry values)."""

    person_id: int | None
    relationship: str
    sex: str = ""
    birth_date: datetime.date | None = None
    birth_date_precision: str = EXACT_DATE
    marital_status: str = ""
    disability: bool = False
    chronic_illness: bool = False
    pregnant_or_lactating: bool = False
    separated_child: bool = False


@dataclass(frozen=True)
class HouseholdSnapshot:
    """A household with its active members, as the rules see it."""

    household_id: int | None
    size: int
    members: tuple[MemberSnapshot, ...] = ()
    shelter_type: str = ""
    documentation_status: str = "unknown"
    has_income: bool | None = None
    displacement_date: datetime.date | None = None

    @property
    def head(self) -> MemberSnapshot | None:
        return next((m for m in self.members if m.relationship == HEAD), None)


@dataclass(frozen=True)
class CriterionSpec:
    """One criterion of a version: a rule, its parameter (always explicit), its weight."""

    kind: RuleKind
    weight: int
    parameter: int | None = None
    label: str = ""  # a custom label typed by a manager; empty: the standard wording


@dataclass(frozen=True)
class CriteriaVersion:
    """A published criteria version as plain data: its criteria and category cut-offs."""

    criteria: tuple[CriterionSpec, ...]
    high_min: int
    medium_min: int
    version_id: int | None = None
    number: int | None = None

    @property
    def max_score(self) -> int:
        return sum(criterion.weight for criterion in self.criteria)


# --- Validation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A reason a version cannot be published: ``code`` with its facts, ``index`` the
    criterion concerned (None for the version's cut-offs)."""

    code: str
    index: int | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


def with_defaults(criterion: CriterionSpec) -> CriterionSpec:
    """The criterion with its rule's usual parameter filled in where none was given."""
    parameter = RULE_PARAMETERS.get(criterion.kind)
    if parameter is not None and criterion.parameter is None:
        return CriterionSpec(criterion.kind, criterion.weight, parameter.default, criterion.label)
    return criterion


def problems(version: CriteriaVersion) -> list[Problem]:
    """Everything wrong with ``version``; empty when it may be published."""
    found: list[Problem] = []
    if not version.criteria:
        found.append(Problem("no_criteria"))
    seen: dict[tuple[str, int | None], int] = {}
    for index, criterion in enumerate(version.criteria):
        if criterion.kind not in RULE_PARAMETERS:
            found.append(Problem("unknown_kind", index, {"kind": str(criterion.kind)}))
            continue
        parameter = RULE_PARAMETERS[RuleKind(criterion.kind)]
        if parameter is None and criterion.parameter is not None:
            found.append(Problem("parameter_not_taken", index))
        if parameter is not None and criterion.parameter is None:
            found.append(Problem("parameter_missing", index))
        if (
            parameter is not None
            and criterion.parameter is not None
            and not parameter.minimum <= criterion.parameter <= parameter.maximum
        ):
            found.append(
                Problem(
                    "parameter_out_of_range",
                    index,
                    {"minimum": parameter.minimum, "maximum": parameter.maximum},
                )
            )
        if not WEIGHT_MIN <= criterion.weight <= WEIGHT_MAX:
            found.append(
                Problem(
                    "weight_out_of_range", index, {"minimum": WEIGHT_MIN, "maximum": WEIGHT_MAX}
                )
            )
        key = (str(criterion.kind), criterion.parameter)
        if key in seen:
            found.append(Problem("duplicate", index, {"first": seen[key] + 1}))
        else:
            seen[key] = index
    if version.medium_min < 1:
        found.append(Problem("medium_min_too_low"))
    if version.high_min <= version.medium_min:
        found.append(Problem("cutoffs_unordered"))
    if version.criteria and version.high_min > version.max_score:
        found.append(Problem("high_unreachable", facts={"max_score": version.max_score}))
    return found


# --- Rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What a rule found: whether it fired, a reason code and the facts behind it."""

    fired: bool
    reason: str
    facts: Mapping[str, Any] = field(default_factory=dict)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years from ``birth_date`` to ``day`` (a 29 February birthday counts on 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` calendar months earlier, kept inside a shorter month."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def full_months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole calendar months from ``earlier`` to ``later`` (``earlier`` <= ``later``)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    while months > 0 and months_before(later, months) < earlier:
        months -= 1
    return months


def _head_age(snapshot: HouseholdSnapshot, as_of: datetime.date) -> Decision | tuple[int, bool]:
    head = snapshot.head
    if head is None:
        return Decision(False, "no_head")
    if head.birth_date is None:
        return Decision(False, "head_birth_date_unknown")
    if head.birth_date > as_of:
        return Decision(False, "head_born_after_scoring_date")
    return age_on(head.birth_date, as_of), head.birth_date_precision != EXACT_DATE


def _elderly_head(snapshot: HouseholdSnapshot, threshold: int, as_of: datetime.date) -> Decision:
    found = _head_age(snapshot, as_of)
    if isinstance(found, Decision):
        return found
    age, approximate = found
    facts = {"age": age, "approximate": approximate}
    return Decision(age >= threshold, "head_age", facts)


def _child_head(snapshot: HouseholdSnapshot, threshold: int, as_of: datetime.date) -> Decision:
    found = _head_age(snapshot, as_of)
    if isinstance(found, Decision):
        return found
    age, approximate = found
    return Decision(age < threshold, "head_age", {"age": age, "approximate": approximate})


def _female_head(snapshot: HouseholdSnapshot) -> Decision:
    head = snapshot.head
    if head is None:
        return Decision(False, "no_head")
    if head.sex not in (FEMALE, MALE):
        return Decision(False, "head_sex_unknown")
    return Decision(head.sex == FEMALE, "head_sex", {"sex": head.sex})


def _widowed_head(snapshot: HouseholdSnapshot) -> Decision:
    head = snapshot.head
    if head is None:
        return Decision(False, "no_head")
    if not head.marital_status:
        return Decision(False, "head_marital_status_unknown")
    return Decision(
        head.marital_status == WIDOWED, "head_marital_status", {"status": head.marital_status}
    )


def _members_flagged(snapshot: HouseholdSnapshot, flag: str) -> Decision:
    count = sum(1 for member in snapshot.members if getattr(member, flag))
    return Decision(count > 0, "members_flagged", {"count": count})


def _large_household(snapshot: HouseholdSnapshot, threshold: int) -> Decision:
    return Decision(snapshot.size > threshold, "household_size", {"size": snapshot.size})


def _no_income(snapshot: HouseholdSnapshot) -> Decision:
    if snapshot.has_income is None:
        return Decision(False, "income_unknown")
    return Decision(not snapshot.has_income, "income", {"has_income": snapshot.has_income})


def _critical_shelter(snapshot: HouseholdSnapshot) -> Decision:
    if not snapshot.shelter_type:
        return Decision(False, "shelter_unknown")
    return Decision(
        snapshot.shelter_type in CRITICAL_SHELTER, "shelter", {"shelter": snapshot.shelter_type}
    )


def _missing_documents(snapshot: HouseholdSnapshot) -> Decision:
    status = snapshot.documentation_status
    if status in DOCUMENTS_UNKNOWN:
        return Decision(False, "documentation_unknown")
    return Decision(status in DOCUMENTS_MISSING, "documentation", {"status": status})


def _recent_displacement(
    snapshot: HouseholdSnapshot, months: int, as_of: datetime.date
) -> Decision:
    displaced = snapshot.displacement_date
    if displaced is None:
        return Decision(False, "displacement_date_unknown")
    facts = {"date": displaced.isoformat(), "as_of": as_of.isoformat()}
    if displaced > as_of:
        return Decision(False, "displaced_after_scoring_date", facts)
    facts["months"] = full_months_between(displaced, as_of)
    return Decision(displaced >= months_before(as_of, months), "displaced", facts)


_FLAGS = {
    RuleKind.MEMBER_DISABILITY: "disability",
    RuleKind.MEMBER_CHRONIC_ILLNESS: "chronic_illness",
    RuleKind.PREGNANT_OR_LACTATING: "pregnant_or_lactating",
    RuleKind.SEPARATED_CHILD: "separated_child",
}


def decide(
    kind: RuleKind, parameter: int | None, snapshot: HouseholdSnapshot, as_of: datetime.date
) -> Decision:
    """Apply one rule of the catalogue to ``snapshot`` on ``as_of``."""
    kind = RuleKind(kind)
    if RULE_PARAMETERS[kind] is not None and parameter is None:
        raise ValueError(f"The rule {kind} needs its parameter; a stored version always has it.")
    if kind in _FLAGS:
        return _members_flagged(snapshot, _FLAGS[kind])
    if kind == RuleKind.FEMALE_HEAD:
        return _female_head(snapshot)
    if kind == RuleKind.ELDERLY_HEAD:
        return _elderly_head(snapshot, parameter, as_of)  # type: ignore[arg-type]
    if kind == RuleKind.CHILD_HEAD:
        return _child_head(snapshot, parameter, as_of)  # type: ignore[arg-type]
    if kind == RuleKind.WIDOWED_HEAD:
        return _widowed_head(snapshot)
    if kind == RuleKind.LARGE_HOUSEHOLD:
        return _large_household(snapshot, parameter)  # type: ignore[arg-type]
    if kind == RuleKind.NO_INCOME:
        return _no_income(snapshot)
    if kind == RuleKind.CRITICAL_SHELTER:
        return _critical_shelter(snapshot)
    if kind == RuleKind.MISSING_DOCUMENTS:
        return _missing_documents(snapshot)
    if kind == RuleKind.RECENT_DISPLACEMENT:
        return _recent_displacement(snapshot, parameter, as_of)  # type: ignore[arg-type]
    raise ValueError(f"Unknown rule {kind!r}.")  # pragma: no cover - RuleKind() refuses first


# --- Outputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionOutcome:
    """One criterion applied to one household: fired or not, the points it gave and why."""

    kind: RuleKind
    parameter: int | None
    weight: int
    label: str
    fired: bool
    reason: str
    facts: Mapping[str, Any]

    @property
    def points(self) -> int:
        return self.weight if self.fired else 0


@dataclass(frozen=True)
class ScoreResult:
    """A household's score under one criteria version on one date, with its explanation."""

    household_id: int | None
    version_id: int | None
    version_number: int | None
    as_of: datetime.date
    score: int
    category: Category
    high_min: int
    medium_min: int
    outcomes: tuple[CriterionOutcome, ...]

    @property
    def fired(self) -> tuple[CriterionOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.fired)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form, to store beside a selection and explain it again later."""
        return {
            "household_id": self.household_id,
            "version_id": self.version_id,
            "version_number": self.version_number,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "category": str(self.category),
            "high_min": self.high_min,
            "medium_min": self.medium_min,
            "outcomes": [
                {
                    "kind": str(outcome.kind),
                    "parameter": outcome.parameter,
                    "weight": outcome.weight,
                    "label": outcome.label,
                    "fired": outcome.fired,
                    "reason": outcome.reason,
                    "facts": dict(outcome.facts),
                }
                for outcome in self.outcomes
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ScoreResult":
        return cls(
            household_id=data["household_id"],
            version_id=data["version_id"],
            version_number=data["version_number"],
            as_of=datetime.date.fromisoformat(data["as_of"]),
            score=data["score"],
            category=Category(data["category"]),
            high_min=data["high_min"],
            medium_min=data["medium_min"],
            outcomes=tuple(
                CriterionOutcome(
                    kind=RuleKind(item["kind"]),
                    parameter=item["parameter"],
                    weight=item["weight"],
                    label=item["label"],
                    fired=item["fired"],
                    reason=item["reason"],
                    facts=dict(item["facts"]),
                )
                for item in data["outcomes"]
            ),
        )


def categorise(score: int, *, high_min: int, medium_min: int) -> Category:
    """High from ``high_min`` up, medium from ``medium_min`` up, low below."""
    if score >= high_min:
        return Category.HIGH
    if score >= medium_min:
        return Category.MEDIUM
    return Category.LOW


def score(
    snapshot: HouseholdSnapshot, version: CriteriaVersion, *, as_of: datetime.date
) -> ScoreResult:
    """Score ``snapshot`` with ``version`` on the date ``as_of`` (ages and months count to it)."""
    outcomes = []
    for criterion in version.criteria:
        decision = decide(criterion.kind, criterion.parameter, snapshot, as_of)
        outcomes.append(
            CriterionOutcome(
                kind=RuleKind(criterion.kind),
                parameter=criterion.parameter,
                weight=criterion.weight,
                label=criterion.label,
                fired=decision.fired,
                reason=decision.reason,
                facts=dict(decision.facts),
            )
        )
    total = sum(outcome.points for outcome in outcomes)
    return ScoreResult(
        household_id=snapshot.household_id,
        version_id=version.version_id,
        version_number=version.number,
        as_of=as_of,
        score=total,
        category=categorise(total, high_min=version.high_min, medium_min=version.medium_min),
        high_min=version.high_min,
        medium_min=version.medium_min,
        outcomes=tuple(outcomes),
    )


def score_many(
    snapshots: Iterable[HouseholdSnapshot], version: CriteriaVersion, *, as_of: datetime.date
) -> list[ScoreResult]:
    return [score(snapshot, version, as_of=as_of) for snapshot in snapshots]


def _kind(value: str) -> RuleKind:
    """The catalogue's kind for ``value``; an unknown value is kept for ``problems`` to name."""
    try:
        return RuleKind(value)
    except ValueError:
        return value  # type: ignore[return-value]


def criteria_from_rows(rows: Sequence[Mapping[str, Any]]) -> tuple[CriterionSpec, ...]:
    """Criterion specs from plain rows (``kind``, ``weight``, optional ``parameter``,
    ``label``), in the order given."""
    return tuple(
        CriterionSpec(
            kind=_kind(row["kind"]),
            weight=int(row["weight"]),
            parameter=None if row.get("parameter") in (None, "") else int(row["parameter"]),
            label=row.get("label") or "",
        )
        for row in rows
    )
