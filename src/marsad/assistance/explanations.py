"""The words of vulnerability scoring, in the reader's language: rule names and labels, why each
criterion fired or not, version problems and the score summary.

``scoring`` decides with reason codes and facts; this module only words them, so a stored
result (``ScoreResult.to_dict``) is explained again, identically, in any language.
"""

import datetime
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from marsad.assistance.scoring import (
    Category,
    CriterionOutcome,
    CriterionSpec,
    Problem,
    RuleKind,
    ScoreResult,
)
from marsad.registry.models import DocumentationStatus, MaritalStatus, ShelterType

RULE_NAMES = {
    RuleKind.FEMALE_HEAD: gettext_lazy("Female-headed household"),
    RuleKind.ELDERLY_HEAD: gettext_lazy("Elderly head of household"),
    RuleKind.CHILD_HEAD: gettext_lazy("Child-headed household"),
    RuleKind.MEMBER_DISABILITY: gettext_lazy("Member with a disability"),
    RuleKind.MEMBER_CHRONIC_ILLNESS: gettext_lazy("Member with a chronic illness"),
    RuleKind.PREGNANT_OR_LACTATING: gettext_lazy("Pregnant or lactating member"),
    RuleKind.SEPARATED_CHILD: gettext_lazy("Separated or unaccompanied child"),
    RuleKind.WIDOWED_HEAD: gettext_lazy("Widowed head of household"),
    RuleKind.LARGE_HOUSEHOLD: gettext_lazy("Large household"),
    RuleKind.NO_INCOME: gettext_lazy("No regular income"),
    RuleKind.CRITICAL_SHELTER: gettext_lazy("Critical shelter"),
    RuleKind.MISSING_DOCUMENTS: gettext_lazy("Missing civil documents"),
    RuleKind.RECENT_DISPLACEMENT: gettext_lazy("Recently displaced"),
}

PARAMETER_UNITS = {
    "age": gettext_lazy("age in years"),
    "people": gettext_lazy("number of people"),
    "months": gettext_lazy("months"),
}

CATEGORY_NAMES = {
    Category.HIGH: gettext_lazy("High"),
    Category.MEDIUM: gettext_lazy("Medium"),
    Category.LOW: gettext_lazy("Low"),
}


def _date(iso: str) -> str:
    return date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")


def _choice(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def criterion_label(kind: str, parameter: int | None = None, label: str = "") -> str:
    """What the criterion is called: the manager's own label, or the standard wording with
    its parameter."""
    if label:
        return label
    kind = RuleKind(kind)
    if kind == RuleKind.ELDERLY_HEAD:
        return _("Head of household aged %(age)d or older") % {"age": parameter}
    if kind == RuleKind.CHILD_HEAD:
        return _("Head of household under %(age)d (child-headed)") % {"age": parameter}
    if kind == RuleKind.LARGE_HOUSEHOLD:
        return ngettext(
            "Household of more than %(people)d person",
            "Household of more than %(people)d people",
            parameter or 0,
        ) % {"people": parameter}
    if kind == RuleKind.RECENT_DISPLACEMENT:
        return ngettext(
            "Displaced within the last %(months)d month",
            "Displaced within the last %(months)d months",
            parameter or 0,
        ) % {"months": parameter}
    return str(RULE_NAMES[kind])


def spec_label(criterion: CriterionSpec) -> str:
    return criterion_label(criterion.kind, criterion.parameter, criterion.label)


def _head_age(outcome: CriterionOutcome) -> str:
    age, threshold = outcome.facts["age"], outcome.parameter
    if outcome.kind == RuleKind.ELDERLY_HEAD:
        text = (
            ngettext(
                "The head of household is %(age)d year old, at least %(threshold)d.",
                "The head of household is %(age)d years old, at least %(threshold)d.",
                age,
            )
            if outcome.fired
            else ngettext(
                "The head of household is %(age)d year old, under %(threshold)d.",
                "The head of household is %(age)d years old, under %(threshold)d.",
                age,
            )
        )
    else:
        text = (
            ngettext(
                "The head of household is %(age)d year old, under %(threshold)d.",
                "The head of household is %(age)d years old, under %(threshold)d.",
                age,
            )
            if outcome.fired
            else ngettext(
                "The head of household is %(age)d year old, not under %(threshold)d.",
                "The head of household is %(age)d years old, not under %(threshold)d.",
                age,
            )
        )
    text %= {"age": age, "threshold": threshold}
    if outcome.facts.get("approximate"):
        text += " " + _("The birth date is not exact (year only or estimated).")
    return text


def _members(outcome: CriterionOutcome) -> str:
    count = outcome.facts["count"]
    if outcome.kind == RuleKind.MEMBER_DISABILITY:
        if not count:
            return _("No member is recorded as living with a disability.")
        text = ngettext(
            "%(count)d member lives with a disability.",
            "%(count)d members live with a disability.",
            count,
        )
    elif outcome.kind == RuleKind.MEMBER_CHRONIC_ILLNESS:
        if not count:
            return _("No member is recorded with a chronic illness.")
        text = ngettext(
            "%(count)d member has a chronic illness.",
            "%(count)d members have a chronic illness.",
            count,
        )
    elif outcome.kind == RuleKind.PREGNANT_OR_LACTATING:
        if not count:
            return _("No member is recorded as pregnant or lactating.")
        text = ngettext(
            "%(count)d member is pregnant or lactating.",
            "%(count)d members are pregnant or lactating.",
            count,
        )
    else:
        if not count:
            return _("No separated or unaccompanied child is recorded.")
        text = ngettext(
            "%(count)d member is a separated or unaccompanied child.",
            "%(count)d members are separated or unaccompanied children.",
            count,
        )
    return text % {"count": count}


def _displacement(outcome: CriterionOutcome) -> str:
    facts = outcome.facts
    values = {
        "date": _date(facts["date"]),
        "as_of": _date(facts["as_of"]),
        "threshold": outcome.parameter,
    }
    if outcome.reason == "displaced_after_scoring_date":
        return _("Displaced on %(date)s, after the scoring date %(as_of)s.") % values
    if outcome.fired:
        text = ngettext(
            "Displaced on %(date)s, within %(threshold)d month before %(as_of)s.",
            "Displaced on %(date)s, within %(threshold)d months before %(as_of)s.",
            outcome.parameter or 0,
        )
    else:
        text = ngettext(
            "Displaced on %(date)s, more than %(threshold)d month before %(as_of)s.",
            "Displaced on %(date)s, more than %(threshold)d months before %(as_of)s.",
            outcome.parameter or 0,
        )
    return text % values


def reason_text(outcome: CriterionOutcome) -> str:
    """Why the criterion fired or did not, in one or two sentences."""
    reason, facts = outcome.reason, outcome.facts
    fixed = {
        "no_head": _("No head of household is recorded."),
        "head_birth_date_unknown": _("The head of household's birth date is not recorded."),
        "head_born_after_scoring_date": _(
            "The head of household's birth date is after the scoring date."
        ),
        "head_sex_unknown": _("The head of household's sex is not recorded."),
        "head_marital_status_unknown": _("The head of household's marital status is not recorded."),
        "income_unknown": _("Whether the household has an income was not recorded."),
        "shelter_unknown": _("The household's shelter is not recorded."),
        "documentation_unknown": _("The household's civil documents are not recorded."),
        "displacement_date_unknown": _("The displacement date is not recorded."),
    }
    if reason in fixed:
        return fixed[reason]
    if reason == "head_age":
        return _head_age(outcome)
    if reason == "head_sex":
        if outcome.fired:
            return _("The head of household is a woman.")
        return _("The head of household is a man.")
    if reason == "head_marital_status":
        if outcome.fired:
            return _("The head of household is widowed.")
        return _("The head of household's marital status is: %(status)s.") % {
            "status": _choice(MaritalStatus, facts["status"])
        }
    if reason == "members_flagged":
        return _members(outcome)
    if reason == "household_size":
        values = {"size": facts["size"], "threshold": outcome.parameter}
        if outcome.fired:
            return (
                ngettext(
                    "The household has %(size)d person, more than %(threshold)d.",
                    "The household has %(size)d people, more than %(threshold)d.",
                    facts["size"],
                )
                % values
            )
        return (
            ngettext(
                "The household has %(size)d person, not more than %(threshold)d.",
                "The household has %(size)d people, not more than %(threshold)d.",
                facts["size"],
            )
            % values
        )
    if reason == "income":
        if outcome.fired:
            return _("The household has no regular income.")
        return _("The household has an income.")
    if reason == "shelter":
        shelter = {"shelter": _choice(ShelterType, facts["shelter"])}
        if outcome.fired:
            return _("The household lives in critical shelter: %(shelter)s.") % shelter
        return _("The household's shelter is not critical: %(shelter)s.") % shelter
    if reason == "documentation":
        status = {"status": _choice(DocumentationStatus, facts["status"])}
        if outcome.fired:
            return _("Civil documents are missing: %(status)s.") % status
        return _("Civil documents are not missing: %(status)s.") % status
    if reason in ("displaced", "displaced_after_scoring_date"):
        return _displacement(outcome)
    raise ValueError(f"No wording for the reason {reason!r}.")


@dataclass(frozen=True)
class ExplanationLine:
    label: str
    fired: bool
    weight: int
    points: int
    why: str


def explain(result: ScoreResult) -> list[ExplanationLine]:
    """Each criterion of the version, in its order: fired or not, weight, points and why."""
    return [
        ExplanationLine(
            label=criterion_label(outcome.kind, outcome.parameter, outcome.label),
            fired=outcome.fired,
            weight=outcome.weight,
            points=outcome.points,
            why=reason_text(outcome),
        )
        for outcome in result.outcomes
    ]


def summary(result: ScoreResult) -> str:
    """The score and category in one sentence, with the cut-offs that decided it."""
    return _(
        "Score %(score)d: %(category)s vulnerability (high from %(high)d, medium from %(medium)d)."
    ) % {
        "score": result.score,
        "category": CATEGORY_NAMES[result.category],
        "high": result.high_min,
        "medium": result.medium_min,
    }


def problem_text(problem: Problem) -> str:
    """A reason a version cannot be published, in plain words."""
    facts = problem.facts
    row = {"row": (problem.index or 0) + 1}
    if problem.code == "no_criteria":
        return _("Add at least one criterion.")
    if problem.code == "unknown_kind":
        return _("Criterion %(row)d: %(kind)s is not a rule of the catalogue.") % {
            **row,
            "kind": facts["kind"],
        }
    if problem.code == "parameter_not_taken":
        return _("Criterion %(row)d: this rule takes no number; leave it empty.") % row
    if problem.code == "parameter_missing":
        return _("Criterion %(row)d: this rule needs its number.") % row
    if problem.code == "parameter_out_of_range":
        return _("Criterion %(row)d: the number must be from %(minimum)d to %(maximum)d.") % {
            **row,
            **facts,
        }
    if problem.code == "weight_out_of_range":
        return _("Criterion %(row)d: the weight must be from %(minimum)d to %(maximum)d.") % {
            **row,
            **facts,
        }
    if problem.code == "duplicate":
        return _("Criterion %(row)d repeats criterion %(first)d.") % {**row, **facts}
    if problem.code == "medium_min_too_low":
        return _("The medium cut-off must be at least 1.")
    if problem.code == "cutoffs_unordered":
        return _("The high cut-off must be above the medium cut-off.")
    if problem.code == "high_unreachable":
        return (
            _(
                "The high cut-off is above the highest possible score (%(max_score)d); "
                "no household could be high."
            )
            % facts
        )
    raise ValueError(f"No wording for the problem {problem.code!r}.")
