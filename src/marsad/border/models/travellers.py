"""Travellers and the travel documents they present, as typed from the data page and read from
the MRZ."""

from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marsad.border.models.common import (
    YEAR_ONLY_HELP,
    DatePrecision,
    NamedMixin,
    Sex,
    state_code_validator,
)
from marsad.border.models.points import posted
from marsad.core.models import Sensitivity, TimeStampedModel
from marsad.core.scoping import ScopeSpec
from marsad.linkage import normalise


def _crossed_at(points: list[int]) -> Any:
    """The travellers who crossed at ``points`` (a subquery)."""
    from marsad.border.models.crossings import Crossing  # crossings build on travellers

    return Crossing.objects.filter(point__in=points).values("traveller")


# --- Travellers and their documents -----------------------------------------------------------


class Traveller(NamedMixin, TimeStampedModel):
    """A person crossing the border, known by the documents they present."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="border_travellers",
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.NORMAL,
    )
    surname = models.CharField(_("surname"), max_length=200, blank=True)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    name_other_script = models.CharField(
        _("name in another script"),
        max_length=300,
        blank=True,
        help_text=_("The full name as also printed on the document, e.g. in Arabic script."),
    )
    nationality = models.CharField(
        _("nationality"), max_length=3, blank=True, validators=[state_code_validator]
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=YEAR_ONLY_HELP,
    )
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, blank=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        sensitivity="sensitivity",
        narrow=posted(lambda points: Q(pk__in=_crossed_at(points))),
    )

    class Meta:
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        ordering = ["surname", "given_names", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(surname="", given_names=""),
                name="traveller_has_a_name",
                violation_error_message=_("A traveller needs a surname or given names."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.surname) if part)

    def names_as_written(self) -> list[str]:
        return [self.given_names, self.surname, self.name_other_script]


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    ID_CARD = "id_card", _("Identity card")
    VISA = "visa", _("Visa")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
    OTHER = "other", _("Other travel document")


class TravelDocument(NamedMixin, TimeStampedModel):
    """A travel document as presented and read: the typed data page and the MRZ."""

    traveller = models.ForeignKey(
        Traveller,
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    document_type = models.CharField(
        _("document type"), max_length=16, choices=DocumentType.choices
    )
    issuing_state = models.CharField(
        _("issuing state"), max_length=3, validators=[state_code_validator]
    )
    number = models.CharField(_("document number"), max_length=40)
    number_normalised = models.CharField(max_length=40, editable=False, db_index=True)
    surname = models.CharField(_("surname"), max_length=200, blank=True)
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    nationality = models.CharField(
        _("nationality"), max_length=3, blank=True, validators=[state_code_validator]
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=YEAR_ONLY_HELP,
    )
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, blank=True)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    mrz_text = models.TextField(_("MRZ"), blank=True, help_text=_("The MRZ lines as read."))
    mrz_format = models.CharField(_("MRZ format"), max_length=8, blank=True)
    mrz_valid = models.BooleanField(
        _("MRZ valid"),
        null=True,
        blank=True,
        help_text=_("Every check digit passed; empty when no MRZ was read."),
    )
    mrz_checks = models.JSONField(
        _("MRZ checks"),
        default=dict,
        blank=True,
        help_text=_("Each check digit's verdict, with the reader's errors and warnings."),
    )
    visual_differences = models.JSONField(
        _("differences from the visual zone"),
        default=list,
        blank=True,
        help_text=_("Fields where the data page as typed and the MRZ disagree."),
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="traveller__organisation",
        sensitivity="traveller__sensitivity",
        narrow=posted(lambda points: Q(traveller__in=_crossed_at(points))),
    )

    class Meta:
        verbose_name = _("travel document")
        verbose_name_plural = _("travel documents")
        ordering = ["issuing_state", "number_normalised"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_state", "document_type", "number_normalised"],
                name="travel_document_once",
                violation_error_message=_(
                    "A document of this type and number from this state is already recorded."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(number_normalised=""),
                name="travel_document_has_number",
                violation_error_message=_("The document number is empty."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuing_state} {self.get_document_type_display()} {self.number}"

    @property
    def sensitivity(self) -> str:
        return self.traveller.sensitivity

    def names_as_written(self) -> list[str]:
        return [self.given_names, self.surname]

    def refresh_derived(self) -> None:
        super().refresh_derived()
        self.number_normalised = normalise.normalise_id(self.number)[:40]

    def is_expired_on(self, day: date) -> bool:
        return self.expiry_date is not None and self.expiry_date < day

    def screening_values(self) -> dict[str, str]:
        """The traveller side of screening, as ``border.screening.Traveller`` takes it."""
        birth = ""
        if self.birth_date is not None:
            birth = (
                f"{self.birth_date.year:04d}"
                if self.birth_date_precision == DatePrecision.YEAR
                else self.birth_date.isoformat()
            )
        return {
            "traveller_id": str(self.traveller_id),
            "surname": self.surname,
            "given_names": self.given_names,
            "birth_date": birth,
            "nationality": self.nationality,
            "document_number": self.number,
        }
