"""Picking the English, Arabic or Kurdish form of a text for the active language."""

from django.utils.translation import get_language


def active_language() -> str:
    """The active language's base code: "en", "ar" or "ckb"."""
    return (get_language() or "en").split("-")[0]


def localised(text_en: str, text_ar: str = "", text_ku: str = "") -> str:
    """The form for the active language, falling back to English when that form is empty."""
    language = active_language()
    if language == "ar" and text_ar:
        return text_ar
    if language == "ckb" and text_ku:
        return text_ku
    return text_en
