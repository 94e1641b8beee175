"""The columns of a completed distribution list (one row per receipt) and how each cell is read:
the assistance by its stored value or its label in any of the site's languages, quantities,
dates and yes/no flags. Each reader returns the value or raises ``CellError`` with the problem
in plain words. No database access."""

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from marsad.assistance.models import AssistanceType
from marsad.registry.importers.columns import CellError, column_key, flag

__all__ = [
    "ALIASES",
    "COLUMNS",
    "FLAG_COLUMNS",
    "REQUIRED_COLUMNS",
    "CellError",
    "assistance_type",
    "column_key",
    "flag",
    "quantity",
    "received_on",
]

ROW_KEY = "row_key"
PLAN = "plan"
REGISTRATION_NUMBER = "registration_number"
PERSON = "person"
ASSISTANCE = "assistance"
QUANTITY = "quantity"
RECEIVED_ON = "received_on"
FLAG_COLUMNS = ("id_checked", "signed", "thumbprint")
RECORDER = "recorder"
OVERRIDE_REASON = "override_reason"
COLUMNS = (
    ROW_KEY,
    PLAN,
    REGISTRATION_NUMBER,
    PERSON,
    ASSISTANCE,
    QUANTITY,
    RECEIVED_ON,
    *FLAG_COLUMNS,
    RECORDER,
    OVERRIDE_REASON,
)
REQUIRED_COLUMNS = (REGISTRATION_NUMBER, RECEIVED_ON)
# Other headers a distribution list is often written with, by the column they mean.
ALIASES = {
    "source_key": ROW_KEY,
    "receipt_id": ROW_KEY,
    "plan_code": PLAN,
    "household": REGISTRATION_NUMBER,
    "household_registration_number": REGISTRATION_NUMBER,
    "item": ASSISTANCE,
    "assistance_type": ASSISTANCE,
    "date_received": RECEIVED_ON,
    "received": RECEIVED_ON,
    "signature": "signed",
    "id_check": "id_checked",
    "recorded_by": RECORDER,
    "override": OVERRIDE_REASON,
}

KEY_MAX_LENGTH = 64  # Receipt.source_key
TEXT_MAX_LENGTH = 200
QUANTITY_MAX = Decimal("9999999999.99")  # Receipt.quantity: 12 digits, 2 decimals
_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def header_key(text: str) -> str:
    """A header as the column it names: "Date received" → "received_on"."""
    key = column_key(text)
    return ALIASES.get(key, key)


@functools.cache
def _assistance_lookup() -> dict[str, str]:
    """Each assistance type by its stored value and by its label in every site language."""
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in AssistanceType.choices:
                lookup.setdefault(column_key(value), value)
                lookup.setdefault(column_key(str(label)), value)
    return lookup


def assistance_type(text: str) -> str:
    value = _assistance_lookup().get(column_key(text))
    if value is None:
        raise CellError(
            _("%(value)s is not a kind of assistance; write one of %(choices)s")
            % {"value": text, "choices": ", ".join(AssistanceType.values)}
        )
    return value


def quantity(text: str) -> Decimal | None:
    """A positive number with at most two decimals; None when the cell is empty (the plan's
    quantity per household is then recorded)."""
    if not text:
        return None
    cleaned = text.strip()
    if cleaned.startswith("-") and _NUMBER.match(cleaned[1:]):
        raise CellError(
            _("%(value)s is below zero; give the quantity received, above zero") % {"value": text}
        )
    if not _NUMBER.match(cleaned):
        raise CellError(_("%(value)s is not a number") % {"value": text})
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise CellError(_("%(value)s is not a number") % {"value": text}) from error
    if value <= 0:
        raise CellError(
            _("%(value)s is not above zero; give the quantity received") % {"value": text}
        )
    if value != value.quantize(Decimal("0.01")):
        raise CellError(_("%(value)s has more than two decimals") % {"value": text})
    if value > QUANTITY_MAX:
        raise CellError(_("%(value)s is too large a quantity") % {"value": text})
    return value


def received_on(text: str) -> datetime.date:
    """``YYYY-MM-DD`` (what a spreadsheet's date cell reads as) or ``DD/MM/YYYY``."""
    if not text:
        raise CellError(_("empty; give the date the assistance was received"))
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise CellError(_("%(value)s is not a date; write 2026-02-01 or 01/02/2026") % {"value": text})
