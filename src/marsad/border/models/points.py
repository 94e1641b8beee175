"""Crossing points (reference data) and the officers posted at them, with the narrowing that
limits a border officer's view to the points of their active posts."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marsad.border.models.common import country_code_validator, point_code_validator
from marsad.core.models import LocalisedNameMixin, TimeStampedModel
from marsad.core.roles import Capability, Role
from marsad.core.scoping import ScopeSpec
from marsad.geo.models import AreaLevel

# --- Posting officers at crossing points, and how that narrows what they see -------------------

#: The roles whose view of border records is narrowed to the points they are posted at.
POSTED_ROLES = frozenset({Role.BORDER_OFFICER, Role.BORDER_SUPERVISOR})


def assigned_point_ids(user: Any) -> list[int] | None:
    """The crossing points ``user`` is actively posted at; None when one of their assignments
    covers every point. An empty list: posted nowhere."""
    if not getattr(user, "is_authenticated", False):
        return []
    points = list(
        PostAssignment.objects.filter(officer_id=user.pk, is_active=True).values_list(
            "point_id", flat=True
        )
    )
    return None if None in points else points


def posted(condition: Callable[[list[int]], Q]) -> Callable[[Any, Any], Q | None]:
    """A ``ScopeSpec.narrow``: border officers' and supervisors' memberships see only
    ``condition(points)``."""

    def narrow(user: Any, membership: Any) -> Q | None:
        if membership.role not in POSTED_ROLES:
            return None
        points = assigned_point_ids(user)
        return None if points is None else condition(points)

    return narrow


# --- Reference data: crossing points ----------------------------------------------------------


class PointKind(models.TextChoices):
    LAND = "land", _("Land border crossing")
    AIR = "air", _("Airport")
    SEA = "sea", _("Seaport")


class BorderCrossingPoint(LocalisedNameMixin, TimeStampedModel):
    """An official border crossing point: a land crossing, an international airport or a port."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[point_code_validator],
        help_text=_("Short and stable, e.g. SAFWAN; airports use their IATA code, e.g. BGW."),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=PointKind.choices)
    governorate = models.ForeignKey(
        "geo.AdminArea",
        verbose_name=_("governorate"),
        on_delete=models.PROTECT,
        limit_choices_to={"level": AreaLevel.GOVERNORATE},
        related_name="border_points",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    neighbouring_country = models.CharField(
        _("neighbouring country"),
        max_length=3,
        blank=True,
        validators=[country_code_validator],
        help_text=_("ISO 3166-1 alpha-3 code of the country across a land border, e.g. IRN."),
    )
    authority = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="border_points",
        help_text=_("The authority operating the point; its crossings belong to it by default."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.CHANGE_REFERENCE)

    class Meta:
        verbose_name = _("border crossing point")
        verbose_name_plural = _("border crossing points")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[choice.value for choice in PointKind]),
                name="border_point_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="border_point_coordinates_valid",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
            models.CheckConstraint(
                condition=~Q(kind=PointKind.LAND) | ~Q(neighbouring_country=""),
                name="border_point_land_has_neighbour",
                violation_error_message=_("A land border crossing needs the neighbouring country."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})
        if self.governorate_id and self.governorate.level != AreaLevel.GOVERNORATE:
            raise ValidationError(
                {
                    "governorate": _("%(area)s is not a governorate.")
                    % {"area": self.governorate.pcode}
                }
            )


class PostAssignment(TimeStampedModel):
    """A border officer posted at a crossing point, or at every point when ``point`` is empty
    (headquarters, DAFEC). Border officers see crossings only at their active posts."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="border_posts",
    )
    point = models.ForeignKey(
        BorderCrossingPoint,
        verbose_name=_("crossing point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        help_text=_("Leave empty for every crossing point (headquarters, DAFEC)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.MANAGE_USERS)

    class Meta:
        verbose_name = _("post assignment")
        verbose_name_plural = _("post assignments")
        ordering = ["officer__username", "point__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "point"],
                name="post_assignment_once",
                violation_error_message=_("This officer is already posted at this point."),
            ),
            models.UniqueConstraint(
                fields=["officer"],
                condition=Q(point__isnull=True),
                name="post_assignment_all_points_once",
                violation_error_message=_("This officer is already posted at every point."),
            ),
        ]

    def __str__(self) -> str:
        where = self.point.code if self.point_id else _("every point")
        return f"{self.officer} @ {where}"
