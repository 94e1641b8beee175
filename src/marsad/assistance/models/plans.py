"""Assistance plans and their items: the fixed catalogue of assistance types, and a plan of one
implementing partner in one programme — where, when, funded by whom, in which cycle, with which
criteria, giving what to each household."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.assistance.models.criteria import CriteriaSetVersion
from marsad.core.models import TimeStampedModel
from marsad.core.scoping import ScopeSpec
from marsad.partners.models import OrganisationKind, code_validator


class AssistanceType(models.TextChoices):
    """The fixed catalogue of assistance a plan gives (reports group by it)."""

    FOOD_PARCEL = "food_parcel", _("Food parcel")
    NFI_KIT = "nfi_kit", _("Non-food item kit")
    HYGIENE_KIT = "hygiene_kit", _("Hygiene kit")
    WATER = "water", _("Water")
    CASH_GRANT = "cash_grant", _("Cash grant")
    LIVELIHOOD_GRANT = "livelihood_grant", _("In-kind livelihood grant")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    AGRICULTURAL_COURSE = "agricultural_course", _("Agricultural course")


#: What a quantity of each type counts. A cash grant's quantity is its amount in US dollars; an
#: in-kind livelihood grant is counted in grants, each with its value in US dollars.
ASSISTANCE_UNITS = {
    AssistanceType.FOOD_PARCEL: _("parcels"),
    AssistanceType.NFI_KIT: _("kits"),
    AssistanceType.HYGIENE_KIT: _("kits"),
    AssistanceType.WATER: _("litres"),
    AssistanceType.CASH_GRANT: _("US dollars"),
    AssistanceType.LIVELIHOOD_GRANT: _("grants"),
    AssistanceType.VOCATIONAL_TRAINING: _("trainees"),
    AssistanceType.AGRICULTURAL_COURSE: _("participants"),
}
#: Assistance given to one person (a trainee, a course participant): its receipt names them.
PERSONAL_TYPES = frozenset({AssistanceType.VOCATIONAL_TRAINING, AssistanceType.AGRICULTURAL_COURSE})


CENT = Decimal("0.01")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    CLOSED = "closed", _("Closed")


cycle_validator = RegexValidator(
    r"^[0-9A-Z][0-9A-Z./-]{0,23}$",
    _(
        "Name the cycle with capital letters, digits, hyphens, dots or slashes (up to 24), "
        "e.g. 2026-R1."
    ),
)


def normalise_cycle(value: Any) -> str:
    """A cycle label as stored: trimmed and in capitals, so "2026-r1" is the cycle 2026-R1."""
    return str(value or "").strip().upper()


class AssistancePlan(TimeStampedModel):
    """A distribution, grant round or training of one implementing partner in one programme:
    what each household receives (its items), where, when, funded by whom, in which cycle,
    and the criteria version its beneficiaries are selected with.

    Drafts are edited freely; an approved plan takes receipts and changes only its end date and
    notes; a closed plan changes no more."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("implementing partner"),
        on_delete=models.PROTECT,
        related_name="assistance_plans",
    )
    programme = models.ForeignKey(
        "partners.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="assistance_plans",
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator],
        help_text=_("The plan's reference, e.g. PHSS-BA-2026-R1."),
    )
    title = models.CharField(_("title"), max_length=200)
    project_name = models.CharField(_("project"), max_length=200, blank=True)
    project_code = models.CharField(_("project code"), max_length=64, blank=True)
    donor = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_plans_funded",
    )
    funding = models.ForeignKey(
        "partners.Funding",
        verbose_name=_("funding"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_plans",
        help_text=_("The programme's funding line this plan spends, when known."),
    )
    location = models.ForeignKey(
        "geo.AdminArea",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        related_name="assistance_plans",
        help_text=_("The area the plan serves; its beneficiaries live in it."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    cycle = models.CharField(
        _("cycle"),
        max_length=24,
        validators=[cycle_validator],
        help_text=_(
            "Plans of one programme with the same cycle are one cycle: a household receives "
            "each kind of assistance once per cycle."
        ),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    criteria_version = models.ForeignKey(
        CriteriaSetVersion,
        verbose_name=_("vulnerability criteria"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        help_text=_("The published criteria version beneficiaries are selected with."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        programme="programme",
        area="location",
    )

    class Meta:
        verbose_name = _("assistance plan")
        verbose_name_plural = _("assistance plans")
        ordering = ["-start_date", "code"]
        indexes = [models.Index(fields=["programme", "cycle"], name="assistance_plan_cycle")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="assistance_plan_ends_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[choice.value for choice in PlanStatus]),
                name="assistance_plan_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status=PlanStatus.DRAFT) | models.Q(approved_at__isnull=False),
                name="assistance_plan_approved_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    def clean_fields(self, exclude: Any = None) -> None:
        self.cycle = normalise_cycle(self.cycle)
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.donor_id and self.donor.kind != OrganisationKind.DONOR:
            errors["donor"] = _("Choose an organisation of the kind donor.")
        if self.funding_id:
            if self.programme_id and self.funding.programme_id != self.programme_id:
                errors["funding"] = _("This funding line belongs to another programme.")
            elif self.donor_id and self.funding.donor_id not in (None, self.donor_id):
                errors["funding"] = _("This funding line comes from another donor.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == PlanStatus.APPROVED

    def cost_per_household(self) -> Decimal | None:
        """What one household's items are worth in US dollars; None while an item has no
        value (a budget cannot then be applied)."""
        values = [item.value_per_household for item in self.items.all()]
        if not values or any(value is None for value in values):
            return None
        return sum(values, Decimal(0))


class PlanItem(TimeStampedModel):
    """What each household (or person, for training) of a plan receives: an assistance type,
    the quantity per household and, where it has one, the value of a unit in US dollars."""

    plan = models.ForeignKey(
        AssistancePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    assistance_type = models.CharField(
        _("assistance"), max_length=24, choices=AssistanceType.choices
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("What exactly is given, e.g. a bakery oven and mixer, or a 5-day course."),
    )
    quantity = models.DecimalField(
        _("quantity per household"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("For a cash grant, the amount in US dollars."),
    )
    unit_value_usd = models.DecimalField(
        _("value of a unit (USD)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Required for an in-kind livelihood grant; empty for a cash grant."),
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="plan__organisation",
        programme="plan__programme",
        area="plan__location",
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "assistance_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "assistance_type"],
                name="plan_item_type_once",
                violation_error_message=_("This plan already has an item of this assistance."),
            ),
            models.CheckConstraint(
                condition=models.Q(assistance_type__in=[choice.value for choice in AssistanceType]),
                name="plan_item_type_known",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="plan_item_quantity_positive",
                violation_error_message=_("The quantity must be above zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(unit_value_usd__isnull=True) | models.Q(unit_value_usd__gte=0),
                name="plan_item_value_not_negative",
                violation_error_message=_("The value must not be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_assistance_type_display()} × {self.quantity.normalize():f}"

    def clean(self) -> None:
        super().clean()
        if self.assistance_type == AssistanceType.LIVELIHOOD_GRANT and self.unit_value_usd is None:
            raise ValidationError(
                {"unit_value_usd": _("Give the value in US dollars of an in-kind grant.")}
            )
        if self.assistance_type == AssistanceType.CASH_GRANT and self.unit_value_usd is not None:
            raise ValidationError(
                {
                    "unit_value_usd": _(
                        "A cash grant has no unit value: give its amount in US dollars as the "
                        "quantity."
                    )
                }
            )

    @property
    def unit(self) -> str:
        return str(ASSISTANCE_UNITS.get(self.assistance_type, ""))

    @property
    def value_per_household(self) -> Decimal | None:
        """The item's worth for one household in US dollars, when known."""
        if self.assistance_type == AssistanceType.CASH_GRANT:
            return Decimal(self.quantity).quantize(CENT, ROUND_HALF_UP)
        if self.unit_value_usd is None:
            return None
        return (Decimal(self.quantity) * Decimal(self.unit_value_usd)).quantize(CENT, ROUND_HALF_UP)
