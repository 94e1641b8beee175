"""Displacement tracking (in the manner of IOM's Displacement Tracking Matrix): assessment rounds,
the assessment of each location in a round, and what it found — population groups by type,
origin, displacement period and shelter; sector needs; intentions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.core.models import ScopedRecord, TimeStampedModel
from marsad.core.roles import Capability
from marsad.core.scoping import ScopeSpec


class RoundKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    LOCATION_ASSESSMENT = "location_assessment", _("Location assessment")
    RETURN_MONITORING = "return_monitoring", _("Return monitoring")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Published")


class AssessmentRound(TimeStampedModel):
    """One round of assessments across the country (DTM "round N")."""

    number = models.PositiveIntegerField(_("round number"), unique=True)
    kind = models.CharField(
        _("kind"), max_length=24, choices=RoundKind.choices, default=RoundKind.LOCATION_ASSESSMENT
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    notes = models.TextField(_("notes"), blank=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.CHANGE_REFERENCE)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="round_period_ordered",
                violation_error_message=_("The round must not end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{_('Round')} {self.number}"


class DisplacementPeriod(models.Model):
    """A configurable band of displacement dates (e.g. "post-February 2006")."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=120)
    label_ar = models.CharField(_("label (Arabic)"), max_length=120, blank=True)
    label_ku = models.CharField(_("label (Kurdish)"), max_length=120, blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.CHANGE_REFERENCE)

    class Meta:
        verbose_name = _("displacement period")
        verbose_name_plural = _("displacement periods")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label_en


class AssessmentMethod(models.TextChoices):
    KEY_INFORMANTS = "key_informants", _("Key informant interviews")
    DIRECT_OBSERVATION = "direct_observation", _("Direct observation")
    HOUSEHOLD_INTERVIEWS = "household_interviews", _("Household interviews")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    PUBLISHED = "published", _("Published")


class ShareLevel(models.TextChoices):
    """How many families a condition affects, as key informants estimate it."""

    NONE = "none", _("None")
    FEW = "few", _("A few (under a quarter)")
    SOME = "some", _("Some (a quarter to half)")
    MOST = "most", _("Most (over half)")
    ALL = "all", _("All")
    UNKNOWN = "unknown", _("Unknown")


class LocationAssessment(ScopedRecord):
    """A location's assessment in one round. ``area`` (from ScopedRecord) is the location."""

    round = models.ForeignKey(
        AssessmentRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    assessed_on = models.DateField(_("assessment date"))
    monitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("monitor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    monitor_name = models.CharField(_("monitor's name"), max_length=150, blank=True)
    method = models.CharField(
        _("method"),
        max_length=24,
        choices=AssessmentMethod.choices,
        default=AssessmentMethod.KEY_INFORMANTS,
    )
    key_informants = models.PositiveSmallIntegerField(_("key informants"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    documentation_status = models.CharField(
        _("families lacking civil documents"),
        max_length=16,
        choices=ShareLevel.choices,
        default=ShareLevel.UNKNOWN,
    )
    property_status = models.CharField(
        _("families whose property is damaged or occupied"),
        max_length=16,
        choices=ShareLevel.choices,
        default=ShareLevel.UNKNOWN,
    )
    security_notes = models.TextField(_("security"), blank=True)
    access_notes = models.TextField(_("access"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=32,
        blank=True,
        help_text=_("Where it came from: master list, Kobo, ODK or the form."),
    )
    source_key = models.CharField(
        _("source key"),
        max_length=128,
        blank=True,
        help_text=_("The submission's id in its source (Kobo _uuid, ODK instanceID, row key)."),
    )

    class Meta:
        verbose_name = _("location assessment")
        verbose_name_plural = _("location assessments")
        ordering = ["-round__number", "area__pcode"]
        constraints = [
            models.UniqueConstraint(fields=["round", "area"], name="assessment_one_per_location"),
            models.CheckConstraint(
                condition=models.Q(area__isnull=False), name="assessment_has_location"
            ),
        ]
        indexes = [models.Index(fields=["source", "source_key"])]

    def __str__(self) -> str:
        return f"{self.round} — {self.area}"


class PopulationType(models.TextChoices):
    IDP = "idp", _("IDPs")
    RETURNEE = "returnee", _("Returnees")
    HOST = "host", _("Host community")


class ShelterCategory(models.TextChoices):
    CAMP = "camp", _("Camp")
    RENTED = "rented", _("Private: rented housing")
    HOST_FAMILY = "host_family", _("Private: host family")
    HOTEL = "hotel", _("Private: hotel or motel")
    INFORMAL_SETTLEMENT = "informal_settlement", _("Critical: informal settlement")
    RELIGIOUS_BUILDING = "religious_building", _("Critical: religious building")
    SCHOOL = "school", _("Critical: school building")
    UNFINISHED_BUILDING = "unfinished_building", _("Critical: unfinished or abandoned building")
    OTHER = "other", _("Critical: other")


SHELTER_GROUPS = {
    "camp": [ShelterCategory.CAMP],
    "private": [ShelterCategory.RENTED, ShelterCategory.HOST_FAMILY, ShelterCategory.HOTEL],
    "critical": [
        ShelterCategory.INFORMAL_SETTLEMENT,
        ShelterCategory.RELIGIOUS_BUILDING,
        ShelterCategory.SCHOOL,
        ShelterCategory.UNFINISHED_BUILDING,
        ShelterCategory.OTHER,
    ],
}

AGE_SEX_FIELDS = [
    "female_0_17",
    "female_18_59",
    "female_60_plus",
    "male_0_17",
    "male_18_59",
    "male_60_plus",
]

_assessment_scope = ScopeSpec(
    kind=ScopeSpec.OWNED,
    organisation="assessment__organisation",
    programme="assessment__programme",
    area="assessment__area",
    sensitivity="assessment__sensitivity",
)


class PopulationGroup(models.Model):
    """Families and individuals of one population type, origin, period and shelter at a location."""

    assessment = models.ForeignKey(
        LocationAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="population_groups",
    )
    population_type = models.CharField(
        _("population type"), max_length=16, choices=PopulationType.choices
    )
    origin_area = models.ForeignKey(
        "geo.AdminArea",
        verbose_name=_("origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where IDPs came from; for returnees, where they were last displaced."),
    )
    displacement_period = models.ForeignKey(
        DisplacementPeriod,
        verbose_name=_("displacement period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    shelter_category = models.CharField(
        _("shelter"), max_length=24, choices=ShelterCategory.choices, blank=True
    )
    families = models.PositiveIntegerField(_("families"))
    individuals = models.PositiveIntegerField(_("individuals"))
    individuals_estimated = models.BooleanField(
        _("individuals estimated"),
        default=False,
        help_text=_("Estimated from families with the household-size multiplier."),
    )
    # Sex and age disaggregation, where the source gives it.
    female_0_17 = models.PositiveIntegerField(_("girls (0–17)"), null=True, blank=True)
    female_18_59 = models.PositiveIntegerField(_("women (18–59)"), null=True, blank=True)
    female_60_plus = models.PositiveIntegerField(_("women (60+)"), null=True, blank=True)
    male_0_17 = models.PositiveIntegerField(_("boys (0–17)"), null=True, blank=True)
    male_18_59 = models.PositiveIntegerField(_("men (18–59)"), null=True, blank=True)
    male_60_plus = models.PositiveIntegerField(_("men (60+)"), null=True, blank=True)
    source_key = models.CharField(_("source key"), max_length=128, blank=True)

    scope_spec = _assessment_scope

    class Meta:
        verbose_name = _("population group")
        verbose_name_plural = _("population groups")
        ordering = ["assessment", "population_type", "origin_area__pcode"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(individuals__gte=models.F("families")),
                name="population_individuals_at_least_families",
                violation_error_message=_("Individuals cannot be fewer than families."),
            ),
            models.UniqueConstraint(
                fields=[
                    "assessment",
                    "population_type",
                    "origin_area",
                    "displacement_period",
                    "shelter_category",
                ],
                name="population_group_unique",
                nulls_distinct=False,
                violation_error_message=_(
                    "This location already has a row for this population type, origin, "
                    "displacement period and shelter."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_population_type_display()}: {self.families} / {self.individuals}"


class Sector(models.TextChoices):
    FOOD = "food", _("Food")
    HEALTH = "health", _("Health care")
    WATER = "water", _("Water")
    SANITATION = "sanitation", _("Sanitation")
    SHELTER = "shelter", _("Shelter")
    NFI = "nfi", _("Non-food items")
    EDUCATION = "education", _("Education")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    DOCUMENTATION = "documentation", _("Documentation")
    LEGAL_PROPERTY = "legal_property", _("Legal aid and property")


class SectorNeed(models.Model):
    """A need key informants reported: its priority (1 = first) and/or severity (1–5)."""

    assessment = models.ForeignKey(
        LocationAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="needs",
    )
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 = minimal, 5 = catastrophic."),
    )

    scope_spec = _assessment_scope

    class Meta:
        verbose_name = _("sector need")
        verbose_name_plural = _("sector needs")
        ordering = ["assessment", "priority", "sector"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "sector"], name="need_one_per_sector"),
            models.CheckConstraint(
                condition=models.Q(severity__isnull=True)
                | models.Q(severity__gte=1, severity__lte=5),
                name="need_severity_range",
            ),
            models.CheckConstraint(
                condition=models.Q(priority__isnull=False) | models.Q(severity__isnull=False),
                name="need_has_priority_or_severity",
                violation_error_message=_("Give the need a priority, a severity or both."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_sector_display()


class IntentionChoice(models.TextChoices):
    RETURN = "return", _("Return to origin")
    INTEGRATE = "integrate", _("Integrate locally")
    SETTLE_ELSEWHERE = "settle_elsewhere", _("Settle elsewhere")
    UNDECIDED = "undecided", _("Undecided")


class Intention(models.Model):
    """How many families of a population type intend to return, stay or move on."""

    assessment = models.ForeignKey(
        LocationAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="intentions",
    )
    population_type = models.CharField(
        _("population type"),
        max_length=16,
        choices=PopulationType.choices,
        default=PopulationType.IDP,
    )
    intention = models.CharField(_("intention"), max_length=24, choices=IntentionChoice.choices)
    families = models.PositiveIntegerField(_("families"))

    scope_spec = _assessment_scope

    class Meta:
        verbose_name = _("intention")
        verbose_name_plural = _("intentions")
        ordering = ["assessment", "population_type", "intention"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "population_type", "intention"], name="intention_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_intention_display()}: {self.families}"


class AssessmentTotals(models.Model):
    """Each assessment's families, individuals and population rows by population type, with the
    assessment's round, owner and status copied beside them: the trend across every round sums
    one row per assessment instead of joining every population row to its assessment.

    Derived data, kept by database triggers on PopulationGroup and LocationAssessment (migration
    0003), so every door that writes those tables (services, imports, admin, fixtures, SQL)
    keeps it right. The application never writes it."""

    assessment = models.OneToOneField(
        LocationAssessment,
        verbose_name=_("assessment"),
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Indexed by round (see Meta), not by the other columns: the trend reads the whole table.
    round = models.ForeignKey(
        AssessmentRound,
        verbose_name=_("round"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    programme = models.ForeignKey(
        "partners.Programme",
        verbose_name=_("programme"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    area = models.ForeignKey(
        "geo.AdminArea",
        verbose_name=_("area"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    sensitivity = models.CharField(_("sensitivity"), max_length=16)
    status = models.CharField(_("status"), max_length=16)
    idp_families = models.BigIntegerField(default=0)
    idp_individuals = models.BigIntegerField(default=0)
    idp_groups = models.IntegerField(default=0)
    returnee_families = models.BigIntegerField(default=0)
    returnee_individuals = models.BigIntegerField(default=0)
    returnee_groups = models.IntegerField(default=0)
    host_families = models.BigIntegerField(default=0)
    host_individuals = models.BigIntegerField(default=0)
    host_groups = models.IntegerField(default=0)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        programme="programme",
        area="area",
        sensitivity="sensitivity",
    )

    class Meta:
        # Every public read of a round (totals, by area, flows, shelter, the master list)
        # first works out which of its cells to hide from that round's rows here: without
        # this index each such read scanned every round's rows (40 rounds: 120,000 rows,
        # about 18 ms on PostgreSQL, several times a page). The import writes one index
        # entry per assessment more.
        indexes = [models.Index(fields=["round"], name="assessment_totals_round")]

    def __str__(self) -> str:
        return f"{self.assessment_id}"
