"""Selections: the stored outcome of choosing a plan's beneficiaries — the run's parameters and
criteria version, and every household considered with its rank, score, explanation and, when
left out, the reason (see ``assistance.ranking``). Written once, never changed."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.assistance.explanations import CATEGORY_NAMES
from marsad.assistance.models.criteria import CriteriaSetVersion, _Immutable
from marsad.assistance.models.plans import AssistancePlan
from marsad.assistance.ranking import Reason
from marsad.assistance.scoring import Category
from marsad.core.scoping import ScopeSpec

REASON_NAMES = {
    Reason.STATUS: _("Household status not taken by this selection"),
    Reason.ALREADY_ASSISTED: _("Already assisted in this cycle"),
    Reason.LINKED_ASSISTED: _("Linked to a household already assisted in this cycle"),
    Reason.BELOW_CATEGORY: _("Below the minimum vulnerability category"),
    Reason.LINKED_DUPLICATE: _("Linked duplicate of a household higher in the list"),
    Reason.OVER_QUOTA: _("Beyond the quota"),
    Reason.OVER_BUDGET: _("Beyond the budget"),
}
REASON_CHOICES = [(reason.value, REASON_NAMES[reason]) for reason in Reason]
CATEGORY_CHOICES = [(category.value, CATEGORY_NAMES[category]) for category in Category]


class Selection(_Immutable):
    """One run of beneficiary selection for a plan, as it was: its parameters, the criteria
    version it scored with and the scoring date, and its totals. Its entries list every
    household considered, ranked, included or excluded with the reason (``ranking``).

    Households are ranked by category (high first), score (higher first), household size
    (larger first), displacement date (earlier first, unknown last) and registration number;
    each is then included, or excluded for the first reason that applies: status, already
    assisted in the cycle, linked to an assisted household, below the minimum category, linked
    duplicate of a household higher in the list, beyond the quota, beyond the budget
    (``assistance.ranking`` states the rules in full).

    Written once by ``selection.selection_run``; a plan's latest selection is its current
    beneficiary list; an earlier one stays, to be explained again."""

    immutable_changed = "A selection is never changed; run a new one."
    immutable_deleted = "A selection is never deleted."

    plan = models.ForeignKey(
        AssistancePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="selections"
    )
    criteria_version = models.ForeignKey(
        CriteriaSetVersion,
        verbose_name=_("criteria version"),
        on_delete=models.PROTECT,
        related_name="selections",
    )
    as_of = models.DateField(
        _("scored on"), help_text=_("Ages and months since displacement count to this date.")
    )
    areas = models.ManyToManyField(
        "geo.AdminArea", verbose_name=_("areas"), related_name="assistance_selections"
    )
    statuses = models.JSONField(
        _("household statuses"), default=list, help_text=_("Stored values, e.g. displaced.")
    )
    minimum_category = models.CharField(
        _("minimum category"), max_length=8, choices=CATEGORY_CHOICES, blank=True
    )
    quota = models.PositiveIntegerField(_("quota (households)"), null=True, blank=True)
    budget_usd = models.DecimalField(
        _("budget (USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cost_per_household_usd = models.DecimalField(
        _("cost per household (USD)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    considered_count = models.PositiveIntegerField(_("households considered"))
    included_count = models.PositiveIntegerField(_("households included"))
    total_cost_usd = models.DecimalField(
        _("total cost (USD)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("run"), auto_now_add=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="plan__organisation",
        programme="plan__programme",
        area="plan__location",
    )

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["plan", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quota__isnull=True) | models.Q(quota__gte=1),
                name="selection_quota_positive",
                violation_error_message=_("A quota is at least one household."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_usd__isnull=True) | models.Q(budget_usd__gt=0),
                name="selection_budget_positive",
                violation_error_message=_("A budget must be above zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(included_count__lte=models.F("considered_count")),
                name="selection_included_within_considered",
            ),
        ]

    def __str__(self) -> str:
        return _("Selection for %(plan)s on %(date)s") % {
            "plan": self.plan.code,
            "date": self.as_of.isoformat(),
        }


class SelectionEntry(_Immutable):
    """One household in a selection: its rank, score and category with the stored explanation
    (``ScoreResult.to_dict()``), and whether it is included or, if not, why — naming the earlier
    receipt or the linked household where the reason has one."""

    immutable_changed = "A selection entry is never changed; run a new selection."
    immutable_deleted = "A selection entry is never deleted."

    selection = models.ForeignKey(
        Selection, verbose_name=_("selection"), on_delete=models.PROTECT, related_name="entries"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="selection_entries",
    )
    rank = models.PositiveIntegerField(_("rank"))
    score = models.PositiveIntegerField(_("score"))
    category = models.CharField(_("category"), max_length=8, choices=CATEGORY_CHOICES)
    result = models.JSONField(_("explanation"))
    included = models.BooleanField(_("included"))
    reason = models.CharField(
        _("reason not included"), max_length=24, choices=REASON_CHOICES, blank=True
    )
    other_household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("linked household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    earlier_receipt = models.ForeignKey(
        "assistance.Receipt",
        verbose_name=_("earlier receipt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="selection__plan__organisation",
        programme="selection__plan__programme",
        area="household__area",
        sensitivity="household__sensitivity",
    )

    class Meta:
        verbose_name = _("selection entry")
        verbose_name_plural = _("selection entries")
        ordering = ["selection", "rank"]
        indexes = [
            models.Index(fields=["selection", "included", "rank"], name="selection_entry_list")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "household"], name="selection_entry_household_once"
            ),
            models.UniqueConstraint(fields=["selection", "rank"], name="selection_entry_rank_once"),
            models.CheckConstraint(
                condition=models.Q(included=True, reason="")
                | (models.Q(included=False) & ~models.Q(reason="")),
                name="selection_entry_reason_when_excluded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.household_id}"

    def score_result(self) -> Any:
        """The stored explanation as a ``scoring.ScoreResult``."""
        from marsad.assistance.scoring import ScoreResult

        return ScoreResult.from_dict(self.result)
