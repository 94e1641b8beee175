"""Watchlists and their entries, with the fingerprint of what screening matches on."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marsad.border.models.common import (
    YEAR_ONLY_HELP,
    DatePrecision,
    NamedMixin,
    state_code_validator,
)
from marsad.border.screening.records import PartialDate, identity_fingerprint
from marsad.core.models import Sensitivity, TimeStampedModel
from marsad.core.scoping import ScopeSpec
from marsad.linkage import normalise

# --- Watchlists --------------------------------------------------------------------------------


class WatchlistAction(models.TextChoices):
    ALERT = "alert", _("Alert only")
    REFER = "refer", _("Refer to a supervisor")
    ARREST = "arrest", _("Arrest")
    DENY_ENTRY = "deny_entry", _("Deny entry")


WATCHLIST_SENSITIVITIES = (Sensitivity.RESTRICTED, Sensitivity.CONFIDENTIAL)


class Watchlist(TimeStampedModel):
    """A list of persons of interest kept by an authority; at least restricted, by default
    confidential (the level decides which roles see its entries)."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("owner authority"),
        on_delete=models.PROTECT,
        related_name="watchlists",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sensitivity = models.CharField(
        _("confidentiality"),
        max_length=16,
        choices=[(level.value, level.label) for level in WATCHLIST_SENSITIVITIES],
        default=Sensitivity.CONFIDENTIAL,
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED, organisation="organisation", sensitivity="sensitivity"
    )

    class Meta:
        verbose_name = _("watchlist")
        verbose_name_plural = _("watchlists")
        ordering = ["organisation__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="watchlist_name_once",
                violation_error_message=_("This authority already has a watchlist of this name."),
            ),
            models.CheckConstraint(
                condition=Q(sensitivity__in=[level.value for level in WATCHLIST_SENSITIVITIES]),
                name="watchlist_never_normal",
                violation_error_message=_("A watchlist is restricted or confidential."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


def entry_fingerprint(
    *,
    names: Iterable[str],
    birth_date: date | None,
    birth_date_precision: str,
    nationality: str,
    document_numbers: Iterable[str],
) -> str:
    """The stored entry's ``identity_fingerprint`` (the screening's one rule for "the entry
    changed"): names and aliases (as written, in any order), birth date to its precision,
    nationality and document numbers in their matching forms. A reason, action or validity
    change keeps it; any change to these gives a new one."""
    birth = None
    if birth_date is not None:
        birth = (
            PartialDate(birth_date.year)
            if birth_date_precision == DatePrecision.YEAR
            else PartialDate(birth_date.year, birth_date.month, birth_date.day)
        )
    return identity_fingerprint(
        names=names,
        birth_date=birth,
        nationality=nationality,
        document_numbers=document_numbers,
    )


def _string_list(value: Any, field: str, *, required: bool) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError({field: _("Give a list of texts.")})
    if required and not any(item.strip() for item in value):
        raise ValidationError({field: _("Give at least one name.")})


class WatchlistEntry(NamedMixin, TimeStampedModel):
    """One listed person: names and aliases in any script, birth date (full or year),
    nationality, document numbers, why they are listed and what to do on a hit."""

    watchlist = models.ForeignKey(
        Watchlist,
        verbose_name=_("watchlist"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    reference = models.CharField(
        _("reference"),
        max_length=64,
        blank=True,
        help_text=_("The list's own entry number, kept so that imports are idempotent."),
    )
    names = models.JSONField(
        _("names"),
        default=list,
        help_text=_("The full name first, then the aliases, in any script."),
    )
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_precision = models.CharField(
        _("birth date precision"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=YEAR_ONLY_HELP,
    )
    nationality = models.CharField(
        _("nationality"), max_length=3, blank=True, validators=[state_code_validator]
    )
    document_numbers = models.JSONField(_("document numbers"), default=list, blank=True)
    document_numbers_normalised = models.JSONField(default=list, blank=True, editable=False)
    reason = models.TextField(_("reason for listing"), blank=True)
    action = models.CharField(
        _("action on a hit"),
        max_length=12,
        choices=WatchlistAction.choices,
        default=WatchlistAction.REFER,
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        editable=False,
        db_index=True,
        help_text=_("A hash of the fields screening matches on; it changes when they change."),
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="watchlist__organisation",
        sensitivity="watchlist__sensitivity",
    )

    class Meta:
        verbose_name = _("watchlist entry")
        verbose_name_plural = _("watchlist entries")
        ordering = ["watchlist", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "reference"],
                condition=~Q(reference=""),
                name="watchlist_entry_reference_once",
                violation_error_message=_(
                    "This watchlist already has an entry with this reference."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="watchlist_entry_validity_ordered",
                violation_error_message=_("An entry cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(action__in=[choice.value for choice in WatchlistAction]),
                name="watchlist_entry_action_known",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.reference or str(self.pk)

    @property
    def full_name(self) -> str:
        return self.names[0] if self.names else ""

    @property
    def aliases(self) -> list[str]:
        return list(self.names[1:])

    @property
    def sensitivity(self) -> str:
        return self.watchlist.sensitivity

    def names_as_written(self) -> list[str]:
        names = self.names if isinstance(self.names, list) else []
        return [name for name in names if isinstance(name, str)]

    def compute_fingerprint(self) -> str:
        return entry_fingerprint(
            names=self.names_as_written(),
            birth_date=self.birth_date,
            birth_date_precision=self.birth_date_precision,
            nationality=self.nationality,
            document_numbers=self.document_numbers or [],
        )

    def refresh_derived(self) -> None:
        if isinstance(self.names, list):  # tidy spaces; anything else is left for clean()
            tidied = [" ".join(n.split()) if isinstance(n, str) else n for n in self.names]
            self.names = [name for name in tidied if name != ""]
        super().refresh_derived()
        numbers = self.document_numbers if isinstance(self.document_numbers, list) else []
        normalised = [normalise.normalise_id(str(number)) for number in numbers]
        self.document_numbers_normalised = list(dict.fromkeys(n for n in normalised if n))
        self.search_text = (
            self.search_text.rstrip() + " " + " ".join(self.document_numbers_normalised) + " "
        )
        self.fingerprint = self.compute_fingerprint()

    def clean(self) -> None:
        _string_list(self.names, "names", required=True)
        _string_list(self.document_numbers, "document_numbers", required=False)

    def in_force_on(self, day: date) -> bool:
        """Active, on an active list, and within its validity on ``day``."""
        if not (self.is_active and self.watchlist.is_active):
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def screening_values(self) -> dict[str, Any]:
        """The entry as ``border.screening.WatchlistEntry`` takes it (``entry_id`` is the
        primary key, so a hit finds its way back to this row)."""
        birth = ""
        if self.birth_date is not None:
            birth = (
                f"{self.birth_date.year:04d}"
                if self.birth_date_precision == DatePrecision.YEAR
                else self.birth_date.isoformat()
            )
        return {
            "entry_id": str(self.pk),
            "names": tuple(self.names),
            "birth_date": birth,
            "nationality": self.nationality,
            "document_numbers": tuple(self.document_numbers),
            "reason": self.reason,
            "action": self.action,
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
        }
