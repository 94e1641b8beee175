"""Document examination cases (DAFEC): a suspected fraudulent document, the security features
examined, the findings, the outcome and any referral."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marsad.border.models.crossings import Crossing
from marsad.border.models.points import posted
from marsad.border.models.travellers import TravelDocument
from marsad.core.models import Sensitivity, TimeStampedModel
from marsad.core.scoping import ScopeSpec

# --- Document examination (DAFEC) --------------------------------------------------------------


class Suspicion(models.TextChoices):
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    FORGED = "forged", _("Forged (altered)")
    FRAUDULENTLY_OBTAINED = "fraudulently_obtained", _("Fraudulently obtained")
    IMPOSTOR = "impostor", _("Impostor (look-alike)")
    STOLEN_BLANK = "stolen_blank", _("Stolen blank")


class ExaminationOutcome(models.TextChoices):
    PENDING = "", _("Not yet decided")
    GENUINE = "genuine", _("Genuine")
    COUNTERFEIT = "counterfeit", _("Counterfeit")
    FORGED = "forged", _("Forged (altered)")
    FRAUDULENTLY_OBTAINED = "fraudulently_obtained", _("Fraudulently obtained")
    IMPOSTOR = "impostor", _("Impostor (look-alike)")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


#: The security features an examiner works through, in the order of the checklist.
EXAMINATION_FEATURES = {
    "uv_response": _("Ultraviolet response (paper, inks, fibres)"),
    "microprinting": _("Microprinting"),
    "intaglio": _("Intaglio printing (raised, tactile)"),
    "guilloche": _("Guilloche and background patterns"),
    "watermark": _("Watermark"),
    "laminate": _("Laminate and optically variable features"),
    "biodata_page": _("Biodata page substitution"),
    "photo": _("Photograph substitution or alteration"),
    "page_numbering": _("Page numbering, binding and stitching"),
    "perforation": _("Laser-perforated number"),
    "mrz_consistency": _("MRZ consistent with the data page"),
    "chip": _("Chip readable and its data consistent"),
    "stamps": _("Entry and exit stamps"),
}


class FeatureFinding(models.TextChoices):
    NOT_EXAMINED = "not_examined", _("Not examined")
    CONSISTENT = "consistent", _("Consistent with a genuine document")
    ANOMALY = "anomaly", _("Anomaly found")


class DocumentExaminationCase(TimeStampedModel):
    """A suspected fraudulent document sent for forensic examination (DAFEC)."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="border_examinations",
    )
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=16,
        choices=Sensitivity.choices,
        default=Sensitivity.RESTRICTED,
    )
    number = models.CharField(_("case number"), max_length=32, unique=True)
    document = models.ForeignKey(
        TravelDocument,
        verbose_name=_("document"),
        on_delete=models.PROTECT,
        related_name="examinations",
    )
    crossing = models.ForeignKey(
        Crossing,
        verbose_name=_("crossing"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="examinations",
    )
    suspicion = models.CharField(_("suspicion"), max_length=24, choices=Suspicion.choices)
    features_examined = models.JSONField(
        _("features examined"),
        default=dict,
        blank=True,
        help_text=_('Each feature\'s finding, e.g. {"uv_response": {"finding": "anomaly"}}.'),
    )
    findings = models.TextField(_("findings"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=24, choices=ExaminationOutcome.choices, blank=True
    )
    referred_to = models.CharField(
        _("referred to"),
        max_length=200,
        blank=True,
        help_text=_("Who the case was referred to, e.g. the investigating judge or an embassy."),
    )
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examiner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="border_examinations",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        sensitivity="sensitivity",
        narrow=posted(lambda points: Q(crossing__point__in=points)),
    )

    class Meta:
        verbose_name = _("document examination case")
        verbose_name_plural = _("document examination cases")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CaseStatus.OPEN, closed_at__isnull=True)
                | (Q(status=CaseStatus.CLOSED, closed_at__isnull=False) & ~Q(outcome="")),
                name="examination_closed_with_outcome",
                violation_error_message=_("A closed case needs its outcome and closing time."),
            ),
            models.CheckConstraint(
                condition=Q(referred_at__isnull=True) | ~Q(referred_to=""),
                name="examination_referral_has_recipient",
                violation_error_message=_("Say who the case was referred to."),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        features = self.features_examined
        if not isinstance(features, dict):
            raise ValidationError({"features_examined": _("Give the checklist as an object.")})
        unknown = sorted(set(features) - set(EXAMINATION_FEATURES))
        if unknown:
            raise ValidationError(
                {
                    "features_examined": _("Unknown features: %(features)s.")
                    % {"features": ", ".join(unknown)}
                }
            )
        for feature, value in features.items():
            finding = value.get("finding") if isinstance(value, dict) else None
            if finding not in FeatureFinding.values:
                raise ValidationError(
                    {
                        "features_examined": _(
                            "%(feature)s: the finding must be one of %(findings)s."
                        )
                        % {"feature": feature, "findings": ", ".join(FeatureFinding.values)}
                    }
                )
        if self.crossing_id and self.crossing.document_id != self.document_id:
            raise ValidationError(
                {"crossing": _("The crossing was made on another document than this case's.")}
            )
