"""Words a reviewer reads for the model's evidence: each compared field and each comparison
level's label (the model writes them in English; these translate them)."""

from django.utils.translation import gettext_lazy as _

FIELDS = {
    "given_name": _("Given name"),
    "father_name": _("Father's name"),
    "grandfather_name": _("Grandfather's name"),
    "family_name": _("Family or tribe name"),
    "mother_name": _("Mother's name"),
    "birth_date": _("Birth date"),
    "sex": _("Sex"),
    "phone": _("Phone"),
    "national_id": _("Document number"),
    "origin_pcode": _("Area of origin"),
    "household": _("Household"),
}

LEVELS = {
    "agrees": _("agrees"),
    "agrees: same spelling": _("agrees: same spelling"),
    "agrees: same name": _("agrees: same name in another spelling or script"),
    "agrees: same date": _("agrees: same date"),
    "agrees: same year": _("agrees: same year"),
    "close: one letter off": _("close: one letter off"),
    "close: one letter off, same birth year": _("close: one letter off, same birth year"),
    "close: one letter off, born within a year": _("close: one letter off, born within a year"),
    "close: one letter off, birth unknown": _("close: one letter off, birth date unknown"),
    "disagrees: one letter off, born years apart": _("disagrees: one letter off, born years apart"),
    "close: one character off": _("close: one character off"),
    "close: one digit off": _("close: one digit off"),
    "close: same governorate": _("close: same governorate"),
    "close: same year, other day": _("close: same year, another day"),
    "close: within a year": _("close: within a year"),
    "close: within three years": _("close: within three years"),
    "disagrees": _("disagrees"),
    "missing": _("missing on one side"),
    "agrees: another member of both households matches": _(
        "agrees: another member of both households matches"
    ),
    "no other member of both households matches": _("no other member of both households matches"),
}

VERDICTS = ("agrees", "close", "disagrees", "missing")


def verdict_of(label: str) -> str:
    """ "agrees", "close", "disagrees" or "missing", read from a level's label."""
    head = (label or "").split(":", 1)[0].strip()
    return head if head in VERDICTS else "missing"


def field_label(name: str) -> str:
    return str(FIELDS.get(name, name))


def level_label(label: str) -> str:
    return str(LEVELS.get(label, label))
