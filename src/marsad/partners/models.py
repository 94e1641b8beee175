"""Organisations (ministries, UN agencies, NGOs, donors, mission units), programmes, funding and
organisations' focal points."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.core.models import LocalisedNameMixin, ScopedRecord, TimeStampedModel
from marsad.core.roles import Capability
from marsad.core.scoping import ScopeSpec

code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,31}$",
    _("Use capital letters, digits and hyphens only (up to 32), e.g. MODM or IOM-IDP."),
)


class OrganisationKind(models.TextChoices):
    UN_AGENCY = "un_agency", _("UN agency")
    GOVERNMENT_MINISTRY = "government_ministry", _("Government ministry")
    INTERNATIONAL_NGO = "international_ngo", _("International NGO")
    NATIONAL_NGO = "national_ngo", _("National NGO")
    DONOR = "donor", _("Donor")
    MISSION_UNIT = "mission_unit", _("Mission unit")


# Only the mission's own units oversee partners; other UN agencies are partners like any other.
MISSION_KINDS = {OrganisationKind.MISSION_UNIT}


class Organisation(LocalisedNameMixin, TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code, e.g. IQ.")
    )
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.CHANGE_REFERENCE)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[choice.value for choice in OrganisationKind]),
                name="organisation_kind_known",
            )
        ]

    def __str__(self) -> str:
        return self.acronym or self.name

    @property
    def is_mission(self) -> bool:
        """Mission staff oversee partners' records in their programmes (see core.scoping)."""
        return self.kind in MISSION_KINDS


class Programme(LocalisedNameMixin, TimeStampedModel):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_programmes",
    )
    partner_ministries = models.ManyToManyField(
        Organisation,
        verbose_name=_("partner ministries"),
        blank=True,
        related_name="partner_programmes",
    )
    donors = models.ManyToManyField(
        Organisation, verbose_name=_("donors"), blank=True, related_name="donor_programmes"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.CHANGE_PROGRAMMES)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_start",
                violation_error_message=_("The end date must not be before the start date."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class FundingKind(models.TextChoices):
    APPEAL = "appeal", _("Appeal (requested)")
    CONTRIBUTION = "contribution", _("Contribution (committed by a donor)")


class Funding(TimeStampedModel):
    """Money for a programme: an appeal line the mission asked for, or a donor's contribution."""

    kind = models.CharField(
        _("kind"), max_length=16, choices=FundingKind.choices, default=FundingKind.CONTRIBUTION
    )
    donor = models.ForeignKey(
        Organisation,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_given",
        help_text=_("Required for a contribution; an appeal line may not have a donor yet."),
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="funding"
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code, e.g. USD.")
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    appeal_line = models.CharField(_("appeal line"), max_length=255, blank=True)
    source_note = models.TextField(_("source"), blank=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.CHANGE_PROGRAMMES)

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["programme__code", "-period_start", "donor__name_en"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="funding_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="appeal") | models.Q(donor__isnull=False),
                name="funding_contribution_has_donor",
                violation_error_message=_("A contribution needs its donor."),
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="funding_period_ordered",
                violation_error_message=_("The period must not end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["kind", "donor", "programme", "appeal_line", "period_start"],
                name="funding_unique_line",
            ),
        ]

    def __str__(self) -> str:
        source = self.donor or self.get_kind_display()
        return f"{source} → {self.programme.code}: {self.amount} {self.currency}"


class Contact(ScopedRecord):
    """A focal point in an organisation: person-level data, scoped and audited like any record."""

    full_name = models.CharField(_("full name"), max_length=255)
    title = models.CharField(_("title / function"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")
        ordering = ["organisation__code", "full_name"]

    def __str__(self) -> str:
        return self.full_name
