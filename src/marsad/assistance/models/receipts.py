"""Receipts: assistance received by a household (and person), under a plan's item, verified and
recorded by someone — with the supervisor's override when it repeats an earlier receipt, and
the supervisor's void when it was recorded in error."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.assistance.models.plans import AssistancePlan, AssistanceType, PlanItem
from marsad.core.models import TimeStampedModel
from marsad.core.scoping import ScopeSpec


class Receipt(TimeStampedModel):
    """Assistance received: by a household (and the person who collected it or was trained),
    under a plan's item, on a date, verified by ID, signature or thumbprint, recorded by
    someone. The programme, cycle and assistance type are copied from the plan and item so the
    double-assistance check reads one index.

    ``override`` marks a receipt a supervisor let through although the household (or one linked
    to it) had already received this assistance in the cycle: ``overrides_receipt`` is that
    earlier receipt, ``override_reason`` why.

    ``voided_at`` marks a receipt a supervisor voided because it was recorded in error (the
    wrong household, item or date): it stays, with who voided it and why, but no longer blocks
    another receipt of the assistance in the cycle and no longer counts in reports. A receipt
    is never deleted."""

    plan = models.ForeignKey(
        AssistancePlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="receipts"
    )
    item = models.ForeignKey(
        PlanItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="receipts"
    )
    assistance_type = models.CharField(
        _("assistance"), max_length=24, choices=AssistanceType.choices, editable=False
    )
    programme = models.ForeignKey(
        "partners.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="assistance_receipts",
        editable=False,
    )
    cycle = models.CharField(_("cycle"), max_length=24, editable=False)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="assistance_receipts",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistance_receipts",
        help_text=_("Who collected the assistance or attended the training."),
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    received_on = models.DateField(_("date received"))
    id_checked = models.BooleanField(_("ID checked"), default=False)
    signed = models.BooleanField(_("signed"), default=False)
    thumbprint = models.BooleanField(_("thumbprint"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_key = models.CharField(
        _("source key"),
        max_length=64,
        blank=True,
        help_text=_("The row's key in an imported distribution list; makes imports idempotent."),
    )
    override = models.BooleanField(_("override"), default=False)
    override_reason = models.TextField(_("override reason"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    overrides_receipt = models.ForeignKey(
        "self",
        verbose_name=_("earlier receipt overridden"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overridden_by_receipts",
    )

    voided_at = models.DateTimeField(_("voided"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True, editable=False)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="plan__organisation",
        programme="programme",
        area="household__area",
        sensitivity="household__sensitivity",
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_on", "-pk"]
        indexes = [
            # The double-assistance check: equality on the first three, household IN (...).
            models.Index(
                fields=["programme", "cycle", "assistance_type", "household"],
                name="receipt_double_check",
            ),
            models.Index(fields=["plan", "received_on"], name="receipt_plan_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "assistance_type", "programme", "cycle"],
                condition=models.Q(override=False, voided_at__isnull=True),
                name="receipt_once_per_cycle",
                violation_error_message=_(
                    "This household already received this assistance in this cycle."
                ),
            ),
            models.UniqueConstraint(
                fields=["plan", "source_key"],
                condition=~models.Q(source_key=""),
                name="receipt_source_key_once_per_plan",
                violation_error_message=_("This plan already has a receipt with this source key."),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="receipt_quantity_positive",
                violation_error_message=_("The quantity must be above zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(assistance_type__in=[choice.value for choice in AssistanceType]),
                name="receipt_type_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    override=False,
                    override_reason="",
                    overridden_by__isnull=True,
                    overrides_receipt__isnull=True,
                )
                | (
                    models.Q(override=True, overrides_receipt__isnull=False)
                    & ~models.Q(override_reason="")
                ),
                name="receipt_override_explained",
                violation_error_message=_(
                    "An override names the earlier receipt and gives its reason."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True, void_reason="", voided_by__isnull=True)
                | (models.Q(voided_at__isnull=False) & ~models.Q(void_reason="")),
                name="receipt_void_explained",
                violation_error_message=_("A voided receipt gives the reason it was voided."),
            ),
        ]

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def __str__(self) -> str:
        return _("%(household)s: %(assistance)s on %(date)s") % {
            "household": self.household.registration_number,
            "assistance": self.get_assistance_type_display(),
            "date": self.received_on.isoformat(),
        }
