"""Crossings: one entry or exit of a traveller at a crossing point, on a document."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marsad.border.models.common import state_code_validator
from marsad.border.models.points import BorderCrossingPoint, posted
from marsad.border.models.travellers import TravelDocument, Traveller
from marsad.core.models import Sensitivity, TimeStampedModel
from marsad.core.scoping import ScopeSpec

# --- Crossings ---------------------------------------------------------------------------------


class Direction(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")


class PermitType(models.TextChoices):
    NONE = "", _("No visa or permit")
    VISA = "visa", _("Visa")
    VISA_ON_ARRIVAL = "visa_on_arrival", _("Visa on arrival")
    E_VISA = "e_visa", _("Electronic visa")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    WORK_PERMIT = "work_permit", _("Work permit")
    OTHER = "other", _("Other permit")


class Purpose(models.TextChoices):
    TOURISM = "tourism", _("Tourism")
    BUSINESS = "business", _("Business")
    WORK = "work", _("Work")
    PILGRIMAGE = "pilgrimage", _("Religious visit or pilgrimage")
    FAMILY = "family", _("Family visit")
    TRANSIT = "transit", _("Transit")
    RETURN = "return", _("Return home")
    OTHER = "other", _("Other")
    UNKNOWN = "", _("Not recorded")


class ScreeningOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    NO_HIT = "no_hit", _("No hit")
    HIT_CLEARED = "hit_cleared", _("Hit cleared")
    HIT_CONFIRMED = "hit_confirmed", _("Hit confirmed")


class Decision(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    REFUSED = "refused", _("Refused")
    REFERRED = "referred", _("Referred")


class Crossing(TimeStampedModel):
    """One entry or exit of a traveller at a crossing point, on a document."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="border_crossings",
    )
    area = models.ForeignKey(
        "geo.AdminArea",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        editable=False,
        related_name="border_crossings",
        help_text=_("The crossing point's governorate, for area-narrowed memberships."),
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.NORMAL,
    )
    point = models.ForeignKey(
        BorderCrossingPoint,
        verbose_name=_("crossing point"),
        on_delete=models.PROTECT,
        related_name="crossings",
    )
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    crossed_at = models.DateTimeField(_("time"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="border_crossings",
    )
    traveller = models.ForeignKey(
        Traveller,
        verbose_name=_("traveller"),
        on_delete=models.PROTECT,
        related_name="crossings",
    )
    document = models.ForeignKey(
        TravelDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="crossings",
    )
    nationality = models.CharField(
        _("nationality"),
        max_length=3,
        blank=True,
        validators=[state_code_validator],
        help_text=_("As the document presented gives it."),
    )
    permit_type = models.CharField(
        _("visa or permit"), max_length=20, choices=PermitType.choices, blank=True
    )
    permit_number = models.CharField(_("visa or permit number"), max_length=40, blank=True)
    permit_expiry = models.DateField(
        _("visa or permit valid until"),
        null=True,
        blank=True,
        help_text=_("The last day of the permitted stay."),
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, blank=True)
    conveyance = models.CharField(
        _("flight or vehicle"),
        max_length=40,
        blank=True,
        help_text=_("Flight number, vehicle plate or vessel name."),
    )
    screening_outcome = models.CharField(
        _("screening"),
        max_length=16,
        choices=ScreeningOutcome.choices,
        default=ScreeningOutcome.PENDING,
    )
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    warnings = models.JSONField(
        _("warnings"),
        default=list,
        blank=True,
        help_text=_("What the officer was warned of when recording: MRZ, expiry, differences."),
    )
    notes = models.TextField(_("notes"), blank=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        area="area",
        sensitivity="sensitivity",
        narrow=posted(lambda points: Q(point__in=points)),
    )

    class Meta:
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        ordering = ["-crossed_at", "-pk"]
        indexes = [
            models.Index(fields=["point", "crossed_at"]),
            models.Index(fields=["traveller", "crossed_at"]),
            models.Index(fields=["crossed_at"]),
            models.Index(fields=["direction", "permit_expiry"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=[choice.value for choice in Direction]),
                name="crossing_direction_known",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=[choice.value for choice in Decision]),
                name="crossing_decision_known",
            ),
            models.CheckConstraint(
                condition=Q(screening_outcome__in=[choice.value for choice in ScreeningOutcome]),
                name="crossing_screening_outcome_known",
            ),
            models.CheckConstraint(
                condition=Q(permit_type="", permit_number="", permit_expiry__isnull=True)
                | ~Q(permit_type=""),
                name="crossing_permit_has_type",
                violation_error_message=_(
                    "Say which kind of visa or permit the number and date belong to."
                ),
            ),
        ]

    def __str__(self) -> str:
        when = f"{timezone.localtime(self.crossed_at):%Y-%m-%d %H:%M}" if self.crossed_at else ""
        return f"{self.get_direction_display()} {self.point.code} {when}"

    def refresh_derived(self) -> None:
        """The area is the point's governorate, whichever door set the point."""
        if self.point_id:
            self.area_id = self.point.governorate_id

    def clean_fields(self, exclude: Any = None) -> None:
        self.refresh_derived()
        super().clean_fields(exclude=exclude)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)
