"""Forms of the user's own page."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


class LanguagePreferenceForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Marsad opens in this language when you sign in, on any device."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].choices = [
            ("", _("The browser's language")),
            *[(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES],
        ]
