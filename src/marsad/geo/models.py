"""Administrative areas: country > governorate > district > sub-district > location, by P-code."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.core.localise import active_language
from marsad.core.models import LocalisedNameMixin
from marsad.core.roles import Capability
from marsad.core.scoping import ScopeSpec
from marsad.geo.normalise import search_text

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


def parse_level(value: Any) -> AreaLevel | None:
    """The level named (``district``) or numbered (``2``) by ``value``; None when unknown."""
    text = str(value if value is not None else "").strip().lower()
    if text in LEVEL_BY_NAME:
        return LEVEL_BY_NAME[text]
    if text.isdigit() and int(text) in AreaLevel.values:
        return AreaLevel(int(text))
    return None


class AdminArea(LocalisedNameMixin):
    pcode = models.CharField(_("P-code"), max_length=32, unique=True, validators=[pcode_validator])
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
        _("boundary"),
        null=True,
        blank=True,
        help_text=_("GeoJSON geometry (Polygon or MultiPolygon)."),
    )
    search_text = models.TextField(
        _("search text"),
        blank=True,
        default="",
        editable=False,
        help_text=_("The three names folded for search (see geo.normalise); kept by save()."),
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
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
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
        self.refresh_derived()
        super().save(*args, **kwargs)

    def refresh_derived(self) -> None:
        """Recompute the stored derived columns (path and search text) from the others."""
        self.path = self.compute_path()
        self.search_text = search_text(self.name_en, self.name_ar, self.name_ku)

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pcode}/"

    def clean_fields(self, exclude: Any = None) -> None:
        # The derived columns are not typed in by anyone; fill them before they are validated.
        self.refresh_derived()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.boundary is not None:
            from marsad.geo.loaders import boundary_error  # the parser imports this module

            error = boundary_error(self.boundary)
            if error:
                raise ValidationError({"boundary": error[0].upper() + error[1:] + "."})
        parent = self.parent if self.parent_id else None
        if parent is None:
            return
        if parent.pk is not None and parent.pk == self.pk:
            raise ValidationError({"parent": _("An area cannot be its own parent.")})
        # Levels strictly increase downwards, which also rules out cycles.
        if self.level is not None and parent.level >= self.level:
            raise ValidationError(
                {
                    "parent": _(
                        "The parent %(parent)s is a %(parent_level)s; the parent of a %(level)s "
                        "must be at a level above it."
                    )
                    % {
                        "parent": parent.pcode,
                        "parent_level": str(AreaLevel(parent.level).label).lower(),
                        "level": str(AreaLevel(self.level).label).lower(),
                    }
                }
            )

    def localised_names(self) -> list[tuple[str, str]]:
        """The names given, as (language code, name): English, Arabic, Kurdish (Sorani)."""
        names = [("en", self.name_en), ("ar", self.name_ar), ("ckb", self.name_ku)]
        return [(code, name) for code, name in names if name]

    def other_names(self) -> list[tuple[str, str]]:
        """The names besides the one ``name`` shows in the active language, as (code, name)."""
        language = active_language()
        shown = self.name
        return [
            (code, name)
            for code, name in self.localised_names()
            if code != language and name != shown
        ]

    def ancestors(self) -> list["AdminArea"]:
        """The areas above this one, country first (one query)."""
        codes = [code for code in self.path.split("/") if code and code != self.pcode]
        by_code = {area.pcode: area for area in AdminArea.objects.filter(pcode__in=codes)}
        return [by_code[code] for code in codes if code in by_code]
