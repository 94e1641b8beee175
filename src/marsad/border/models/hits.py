"""Screening hits: a document scoring against a watchlist entry, the reviewer's decision, and
the memory of cleared hits (document, entry, entry fingerprint)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marsad.border.models.crossings import Crossing
from marsad.border.models.points import posted
from marsad.border.models.travellers import TravelDocument
from marsad.border.models.watchlists import WatchlistAction, WatchlistEntry
from marsad.core.models import Sensitivity, TimeStampedModel
from marsad.core.scoping import ScopeSpec

# --- Screening hits ----------------------------------------------------------------------------


class HitStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLEARED = "cleared", _("Cleared (false positive)")
    CONFIRMED = "confirmed", _("Confirmed")


class ScreeningHit(TimeStampedModel):
    """A document (presented at a crossing, or re-screened) scoring at or above the threshold
    against a watchlist entry. ``entry_fingerprint`` is the entry's fingerprint when the hit
    was raised; a cleared hit for (document, entry, fingerprint) keeps the same hit from being
    raised again until the entry's matching content changes. ``action`` is copied from the
    entry so an officer who may not read the entry still sees what to do."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="border_hits",
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.RESTRICTED,
    )
    crossing = models.ForeignKey(
        Crossing,
        verbose_name=_("crossing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hits",
    )
    document = models.ForeignKey(
        TravelDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="hits",
    )
    entry = models.ForeignKey(
        WatchlistEntry,
        verbose_name=_("watchlist entry"),
        on_delete=models.PROTECT,
        related_name="hits",
    )
    entry_fingerprint = models.CharField(_("entry fingerprint"), max_length=64)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    action = models.CharField(_("action on a hit"), max_length=12, choices=WatchlistAction.choices)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    algorithm = models.CharField(_("algorithm"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=HitStatus.choices, default=HitStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="border_hit_decisions",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        sensitivity="sensitivity",
        narrow=posted(lambda points: Q(crossing__point__in=points)),
    )

    class Meta:
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["document", "entry", "entry_fingerprint", "status"],
                name="border_hit_memory",
            ),
            models.Index(fields=["status", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["crossing", "entry"],
                condition=Q(crossing__isnull=False),
                name="screening_hit_once_per_crossing",
                violation_error_message=_("This crossing already has a hit on this entry."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="screening_hit_score_range",
            ),
            models.CheckConstraint(
                condition=Q(status=HitStatus.OPEN, decided_at__isnull=True)
                | Q(status__in=[HitStatus.CLEARED, HitStatus.CONFIRMED], decided_at__isnull=False),
                name="screening_hit_decided_when_closed",
                violation_error_message=_("A cleared or confirmed hit needs its decision time."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} ~ {self.entry_id} ({self.score})"

    @property
    def entry_changed(self) -> bool:
        """The entry's matching content changed since this hit was raised."""
        return self.entry.fingerprint != self.entry_fingerprint
