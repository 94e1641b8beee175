"""Record linkage over the registry: the trained models (saved and versioned), each run, the
candidate pairs it scored, and reviewers' decisions on them.

A pair's decision (same / different / unsure) is a label: later runs keep it and never put a
decided pair back in the queue; training reads the labels too.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.core.models import TimeStampedModel
from marsad.core.scoping import ScopeSpec


class ModelVersion(TimeStampedModel):
    """A trained Splink model (its settings JSON with the learnt m and u probabilities) and the
    two thresholds: pairs at or above ``auto_link_threshold`` are linked without review, pairs
    between the thresholds go to clerical review, pairs below are non-matches."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    model = models.JSONField(_("trained model"))
    auto_link_threshold = models.FloatField(
        _("auto-link threshold"),
        help_text=_("Match probability at or above which records are linked without review."),
    )
    review_threshold = models.FloatField(
        _("review threshold"),
        help_text=_("Match probability at or above which a pair goes to clerical review."),
    )
    records = models.PositiveIntegerField(_("records trained on"), default=0)
    labels = models.PositiveIntegerField(_("reviewed pairs used"), default=0)
    notes = models.TextField(_("training notes"), blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(
        _("in use"), default=False, help_text=_("The model new registrations are matched with.")
    )

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE)

    class Meta:
        verbose_name = _("linkage model")
        verbose_name_plural = _("linkage models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_linkage_model_in_use",
            ),
            models.CheckConstraint(
                condition=models.Q(review_threshold__lte=models.F("auto_link_threshold")),
                name="review_below_auto_link",
                violation_error_message=_(
                    "The review threshold must not be above the auto-link threshold."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class RunKind(models.TextChoices):
    FULL = "full", _("Whole registry (trains a new model)")
    INCREMENTAL = "incremental", _("New registrations against the registry")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class LinkageRun(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=16, choices=RunKind.choices)
    model = models.ForeignKey(
        ModelVersion,
        verbose_name=_("model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    task = models.ForeignKey(
        "core.TaskRun",
        verbose_name=_("background task"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    records = models.PositiveIntegerField(_("records compared"), default=0)
    pairs_scored = models.PositiveIntegerField(_("pairs scored"), default=0)
    auto_linked = models.PositiveIntegerField(_("pairs linked automatically"), default=0)
    to_review = models.PositiveIntegerField(_("pairs sent to review"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE)

    class Meta:
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class PairStatus(models.TextChoices):
    REVIEW = "review", _("Waiting for review")
    AUTO_LINKED = "auto_linked", _("Linked automatically")
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different people")
    UNSURE = "unsure", _("Unsure")


DECIDED = (PairStatus.SAME, PairStatus.DIFFERENT)


class CandidatePair(TimeStampedModel):
    """Two registry records the model scored as possibly one person (``left.pk < right.pk``)."""

    left = models.ForeignKey(
        "registry.Person", verbose_name=_("record"), on_delete=models.PROTECT, related_name="+"
    )
    right = models.ForeignKey(
        "registry.Person",
        verbose_name=_("other record"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    match_probability = models.FloatField(_("match probability"))
    match_weight = models.FloatField(_("match weight"))
    evidence = models.JSONField(
        _("evidence"),
        default=list,
        help_text=_("For each compared field: its verdict, its label and its weight."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PairStatus.choices, default=PairStatus.REVIEW
    )
    run = models.ForeignKey(
        LinkageRun,
        verbose_name=_("last scored by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pairs",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    merge = models.ForeignKey(
        "registry.PersonMerge",
        verbose_name=_("merge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="left__household__organisation",
        programme="left__household__programme",
        area="left__household__area",
        sensitivity="left__household__sensitivity",
    )

    class Meta:
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        ordering = ["-match_probability", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="pair_once"),
            models.CheckConstraint(
                condition=models.Q(left__lt=models.F("right")), name="pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"])]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id} ({self.match_probability:.3f})"


class PendingMatch(models.Model):
    """A newly registered person waiting for the next incremental run.

    Registrations announce their persons one household at a time (an imported source list sends
    thousands of announcements at once); each announcement adds its persons here and queues an
    incremental run only when none is already waiting, and that run takes every person waiting.
    So a list of ten thousand households is matched in one run, not ten thousand."""

    person = models.OneToOneField(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="person__household__organisation",
        programme="person__household__programme",
        area="person__household__area",
        sensitivity="person__household__sensitivity",
    )

    class Meta:
        verbose_name = _("person waiting to be matched")
        verbose_name_plural = _("persons waiting to be matched")

    def __str__(self) -> str:
        return str(self.person_id)
