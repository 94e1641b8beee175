"""What the border models share: code validators, sex and date precision, and the derived
name forms (normalised, romanised, phonetic) kept beside names written in any script."""

from collections.abc import Iterable
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marsad.linkage import normalise

point_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,31}$",
    _("Use capital letters, digits and hyphens only (2 to 32), e.g. SAFWAN or BGW."),
)
country_code_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Use the ISO 3166-1 alpha-3 code in capitals, e.g. IRN or KWT.")
)
# ICAO codes are ISO alpha-3 plus a few others (D for Germany, UNO, XXA ...).
state_code_validator = RegexValidator(
    r"^[A-Z]{1,3}$", _("Use the ICAO code of the state in capitals, e.g. IRQ, D or UNO.")
)


# --- Shared choices and derived name forms ----------------------------------------------------


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNSPECIFIED = "unspecified", _("Unspecified (X)")
    UNKNOWN = "", _("Not recorded")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Exact date")
    YEAR = "year", _("Year only")


YEAR_ONLY_HELP = _("A birth year alone is stored as 1 July of that year.")


def name_forms(names: Iterable[str]) -> dict[str, str]:
    """The normalised, romanised and phonetic forms of ``names`` (any script), and the
    space-delimited ``search_text`` holding all of them, as registry persons keep them."""
    names = [name for name in names if name and name.strip()]
    normal = [normalise.normalise(name) for name in names]
    latin = [normalise.romanise(name) for name in names]
    keys = [normalise.name_key(name) for name in names]
    words: list[str] = []
    for forms in (normal, latin, keys):
        for form in forms:
            words.extend(form.split())
    return {
        "names_normalised": " | ".join(normal)[:500],
        "names_latin": " | ".join(latin)[:500],
        "name_key": " | ".join(keys)[:500],
        "search_text": " " + " ".join(dict.fromkeys(word for word in words if word)) + " ",
    }


class NamedMixin(models.Model):
    """Derived name forms, refreshed by ``refresh_names`` from the names as written."""

    names_normalised = models.CharField(max_length=500, blank=True, editable=False)
    names_latin = models.CharField(max_length=500, blank=True, editable=False)
    name_key = models.CharField(max_length=500, blank=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_derived()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude: Any = None) -> None:
        self.refresh_derived()
        super().clean_fields(exclude=exclude)

    def names_as_written(self) -> list[str]:
        raise NotImplementedError

    def refresh_names(self) -> None:
        for name, value in name_forms(self.names_as_written()).items():
            setattr(self, name, value)

    def refresh_derived(self) -> None:
        self.refresh_names()
