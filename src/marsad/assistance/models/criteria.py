"""Household vulnerability criteria: criteria sets owned by an organisation, their published
versions and each version's criteria (a rule of the catalogue, its parameter and weight).

A version is immutable from the moment it is published: editing a set publishes a new version,
so every selection that names a version can be scored and explained again exactly. The rules
themselves live in ``assistance.scoring`` (pure); this module only stores which rules, with what
parameters and weights, and the category cut-offs.

A set is owned by its organisation; the mission's published sets in use are shared, to read,
with everyone who sees records (``mission_criteria``), so partners select with them.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.assistance.explanations import RULE_NAMES, criterion_label
from marsad.assistance.scoring import (
    RULE_PARAMETERS,
    WEIGHT_MAX,
    WEIGHT_MIN,
    RuleKind,
)
from marsad.core.models import TimeStampedModel
from marsad.core.roles import Capability
from marsad.core.scoping import MembershipScope, ScopeSpec
from marsad.partners.models import MISSION_KINDS

CRITERION_KINDS = [(kind.value, RULE_NAMES[kind]) for kind in RuleKind]


def mission_criteria(to_set: str = "") -> Callable[[Any, MembershipScope], models.Q]:
    """A ``ScopeSpec.shared``: the mission's criteria, read by everyone who sees records — a
    partner selects its beneficiaries with the mission's IOM Household Vulnerability Criteria.
    Shared are the sets of an active mission unit that are in use and published (a version at
    least), with their versions and criteria; a membership narrowed to programmes shares those
    of its programmes and the mission-wide ones (no programme). Only to view: changing a set
    stays with its own organisation's programme managers. ``to_set`` is the lookup from the
    model to its criteria set (``"criteria_set__"`` from a version)."""

    def shared(user: Any, membership: MembershipScope) -> models.Q:
        condition = models.Q(
            **{
                f"{to_set}organisation__kind__in": sorted(MISSION_KINDS),
                f"{to_set}organisation__is_active": True,
                f"{to_set}is_active": True,
                f"{to_set}pk__in": CriteriaSetVersion.objects.values("criteria_set_id"),
            }
        )
        if membership.programme_ids:
            condition &= models.Q(**{f"{to_set}programme__isnull": True}) | models.Q(
                **{f"{to_set}programme__in": sorted(membership.programme_ids)}
            )
        return condition

    return shared


class CriteriaSet(TimeStampedModel):
    """A named set of household vulnerability criteria, e.g. "IOM Household Vulnerability
    Criteria", owned by an organisation and optionally tied to one programme."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="criteria_sets",
    )
    programme = models.ForeignKey(
        "partners.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria_sets",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("in use"),
        default=True,
        help_text=_("Retired sets keep their versions but are no longer offered for selection."),
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="organisation",
        programme="programme",
        change_capability=Capability.CHANGE_PROGRAMMES,
        shared=mission_criteria(),
    )

    class Meta:
        verbose_name = _("vulnerability criteria set")
        verbose_name_plural = _("vulnerability criteria sets")
        ordering = ["organisation__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="criteria_set_name_once_per_organisation",
                violation_error_message=_(
                    "This organisation already has a criteria set with this name."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def latest_version(self) -> "CriteriaSetVersion | None":
        return self.versions.order_by("-number").first()


class _ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError(self.model.immutable_changed)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError(self.model.immutable_deleted)


class _Immutable(models.Model):
    """Written once, when its version is published; never updated or deleted."""

    immutable_changed = "A published criteria version is never changed; publish a new one."
    immutable_deleted = "A published criteria version is never deleted."

    objects = _ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError(self.immutable_changed)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(self.immutable_deleted)


class CriteriaSetVersion(_Immutable):
    """One published state of a criteria set: its criteria and category cut-offs. A household
    scores the sum of the weights of the criteria that fire; it is high from ``high_min``,
    medium from ``medium_min``, low below."""

    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    high_min = models.PositiveIntegerField(
        _("high from score"), help_text=_("A score at or above this is high vulnerability.")
    )
    medium_min = models.PositiveIntegerField(
        _("medium from score"),
        validators=[MinValueValidator(1)],
        help_text=_("A score at or above this (and below the high cut-off) is medium; below, low."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("What changed and why."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published"), auto_now_add=True)

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="criteria_set__organisation",
        programme="criteria_set__programme",
        change_capability=Capability.CHANGE_PROGRAMMES,
        shared=mission_criteria("criteria_set__"),
    )

    class Meta:
        verbose_name = _("criteria version")
        verbose_name_plural = _("criteria versions")
        ordering = ["criteria_set", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["criteria_set", "number"],
                name="criteria_version_number_once",
                violation_error_message=_("This criteria set already has this version."),
            ),
            models.CheckConstraint(
                condition=models.Q(medium_min__gte=1),
                name="criteria_version_medium_positive",
                violation_error_message=_("The medium cut-off must be at least 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(high_min__gt=models.F("medium_min")),
                name="criteria_version_cutoffs_ordered",
                violation_error_message=_("The high cut-off must be above the medium cut-off."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(set)s, version %(number)d") % {
            "set": self.criteria_set.name,
            "number": self.number,
        }


class Criterion(_Immutable):
    """A rule of the catalogue in one version, with its parameter and weight. The parameter is
    always stored (the rule's usual value is filled in on publishing), so a later change of a
    default never changes an old version."""

    version = models.ForeignKey(
        CriteriaSetVersion,
        verbose_name=_("criteria version"),
        on_delete=models.PROTECT,
        related_name="criteria",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("rule"), max_length=32, choices=CRITERION_KINDS)
    parameter = models.PositiveSmallIntegerField(
        _("number"),
        null=True,
        blank=True,
        help_text=_(
            "The rule's number: the age for an elderly or child head, N for a household of "
            "more than N people, N for displaced within the last N months. Empty for other rules."
        ),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        validators=[MinValueValidator(WEIGHT_MIN), MaxValueValidator(WEIGHT_MAX)],
        help_text=_("Points a household gets when the rule fires."),
    )
    label = models.CharField(
        _("label"),
        max_length=200,
        blank=True,
        help_text=_(
            "Shown instead of the standard wording; leave empty to use the standard "
            "wording in every language."
        ),
    )

    scope_spec = ScopeSpec(
        kind=ScopeSpec.OWNED,
        organisation="version__criteria_set__organisation",
        programme="version__criteria_set__programme",
        change_capability=Capability.CHANGE_PROGRAMMES,
        shared=mission_criteria("version__criteria_set__"),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"],
                name="criterion_position_once",
                violation_error_message=_("Two criteria of this version have the same position."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in RuleKind]),
                name="criterion_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=WEIGHT_MIN, weight__lte=WEIGHT_MAX),
                name="criterion_weight_in_range",
                violation_error_message=_("The weight must be from 1 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        return criterion_label(self.kind, self.parameter, self.label)

    def clean(self) -> None:
        super().clean()
        if self.kind not in RULE_PARAMETERS:
            return
        parameter = RULE_PARAMETERS[RuleKind(self.kind)]
        if parameter is None and self.parameter is not None:
            raise ValidationError({"parameter": _("This rule takes no number; leave it empty.")})
        if parameter is not None and self.parameter is None:
            raise ValidationError({"parameter": _("This rule needs its number.")})
        if parameter is not None and not (parameter.minimum <= self.parameter <= parameter.maximum):
            raise ValidationError(
                {
                    "parameter": _("The number must be from %(minimum)d to %(maximum)d.")
                    % {"minimum": parameter.minimum, "maximum": parameter.maximum}
                }
            )
