"""Forms of the areas pages: the list's filters and the file upload."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from marsad.core.forms import check_upload
from marsad.geo.models import LEVEL_NAMES, AreaLevel, parse_level

UPLOAD_SUFFIXES = (".csv", ".geojson", ".json")


def level_choices(empty_label: Any) -> list[tuple[str, Any]]:
    return [("", empty_label)] + [(LEVEL_NAMES[level], level.label) for level in AreaLevel]


class AreaSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("P-code, or a name in English, Arabic or Kurdish"),
        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}),
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=())
    parent = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(_("Any level"))

    def clean_level(self) -> int | None:
        value = self.cleaned_data.get("level")
        return None if not value else int(parse_level(value))


class AreaExportForm(forms.Form):
    level = forms.ChoiceField(required=False, choices=())
    parent = forms.CharField(required=False, max_length=32)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices("")

    def clean_level(self) -> int | None:
        value = self.cleaned_data.get("level")
        return None if not value else int(parse_level(value))


class AreaLoadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV with Marsad's columns (pcode, level, name_en, name_ar, name_ku, parent_pcode, "
            "iso_code, latitude, longitude), an OCHA COD-AB table (ADM0_PCODE, ADM1_PCODE, ...) "
            "or a GeoJSON FeatureCollection. UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_SUFFIXES)}),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: only check the file and report what would change"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(
            upload,
            UPLOAD_SUFFIXES,
            too_large=_("The file is larger than %(max)d MB; split it by governorate."),
        )
        return upload
