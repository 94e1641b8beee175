"""Administrative areas: country > governorate > district > sub-district > location, by P-code."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.core.roles import Capability
from marsad.core.scoping import ScopeSpec
from marsad.core.models import LocalisedNameMixin

pcode_validator = RegexValidator(
    r"^[A-Za-z0-9_-]{2,32}$",
    _("A P-code has 2 to 32 letters, digits, hyphens or underscores, e.g. IQG08 or IQD0801."),
)


class AreaLevel(models.IntegerChoices):
    COUNTRY = 0, _("Country")
    GOVERNORATE = 1, _("Governorate")
    DISTRICT = 2, _("District")
    SUBDISTRICT = 3, _("Sub-district")
    LOCATION = 4, _("Location")


LEVEL_BY_NAME = {
    "country": AreaLevel.COUNTRY,
    "governorate": AreaLevel.GOVERNORATE,
    "district": AreaLevel.DISTRICT,
    "subdistrict": AreaLevel.SUBDISTRICT,
    "sub-district": AreaLevel.SUBDISTRICT,
    "location": AreaLevel.LOCATION,
}
LEVEL_NAMES = {
    AreaLevel.COUNTRY: "country",
    AreaLevel.GOVERNORATE: "governorate",
    AreaLevel.DISTRICT: "district",
    AreaLevel.SUBDISTRICT: "subdistrict",
    AreaLevel.LOCATION: "location",
}


class AdminArea(LocalisedNameMixin):
    pcode = models.CharField(
        _("P-code"), max_length=32, unique=True, validators=[pcode_validator]
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(
        _("path"),
        max_length=200,
        db_index=True,
        editable=False,
        help_text=_("P-codes from the country down to this area, each followed by '/'."),
    )
    iso_code = models.CharField(
        _("ISO 3166 code"), max_length=8, blank=True, help_text=_("e.g. IQ-BG for Baghdad.")
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
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True, help_text=_("GeoJSON geometry (Polygon or MultiPolygon).")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_spec = ScopeSpec(kind=ScopeSpec.REFERENCE, change_capability=Capability.CHANGE_REFERENCE)

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["level", "pcode"]
        indexes = [models.Index(fields=["level", "name_en"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=0, level__lte=4), name="adminarea_level_known"
            ),
            models.CheckConstraint(
                condition=models.Q(level=0, parent__isnull=True)
                | models.Q(level__gt=0, parent__isnull=False),
                name="adminarea_parent_unless_country",
                violation_error_message=_("Every area below the country needs a parent."),
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="adminarea_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pcode})"

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[AreaLevel(self.level)]

    def save(self, *args, **kwargs) -> None:
        # The path is derived from the parent's; keeping it here means no door can store a
        # stale one. Moving an area re-paths its descendants in geo.services.
        self.path = self.compute_path()
        super().save(*args, **kwargs)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pcode}/"

    def ancestors(self) -> list["AdminArea"]:
        """The areas above this one, country first (one query)."""
        codes = [code for code in self.path.split("/") if code and code != self.pcode]
        by_code = {area.pcode: area for area in AdminArea.objects.filter(pcode__in=codes)}
        return [by_code[code] for code in codes if code in by_code]
