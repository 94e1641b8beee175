"""State and organisation codes of the MRZ: ISO 3166-1 alpha-3 plus the Doc 9303 Part 3 codes."""

from dataclasses import dataclass

import pycountry
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

STATE = "state"
FORMER_STATE = "former_state"
STATELESS = "stateless"
REFUGEE = "refugee"
UNSPECIFIED = "unspecified"
ORGANISATION = "organisation"
BRITISH = "british_nationality"
SPECIMEN = "specimen"
UNKNOWN = "unknown"

# Codes that are not ISO 3166-1 alpha-3, or that the MRZ writes differently ("D" for Germany).
SPECIAL_CODES: dict[str, tuple[str, Promise]] = {
    "D": (STATE, gettext_lazy("Germany")),
    "XXA": (STATELESS, gettext_lazy("Stateless person (1954 Convention)")),
    "XXB": (REFUGEE, gettext_lazy("Refugee under the 1951 Convention and its 1967 Protocol")),
    "XXC": (REFUGEE, gettext_lazy("Refugee other than under the 1951 Convention")),
    "XXX": (UNSPECIFIED, gettext_lazy("Person of unspecified nationality")),
    "UNO": (ORGANISATION, gettext_lazy("United Nations Organization or one of its officials")),
    "UNA": (
        ORGANISATION,
        gettext_lazy("Specialized agency of the United Nations or one of its officials"),
    ),
    "UNK": (
        ORGANISATION,
        gettext_lazy("Resident of Kosovo with a travel document issued by UNMIK"),
    ),
    "EUE": (ORGANISATION, gettext_lazy("European Union")),
    "XBA": (ORGANISATION, gettext_lazy("African Development Bank")),
    "XIM": (ORGANISATION, gettext_lazy("African Export-Import Bank")),
    "XCC": (ORGANISATION, gettext_lazy("Caribbean Community or one of its emissaries")),
    "XCE": (ORGANISATION, gettext_lazy("Council of Europe")),
    "XCO": (ORGANISATION, gettext_lazy("Common Market for Eastern and Southern Africa")),
    "XEC": (ORGANISATION, gettext_lazy("Economic Community of West African States")),
    "XPO": (ORGANISATION, gettext_lazy("International Criminal Police Organization")),
    "XES": (ORGANISATION, gettext_lazy("Organisation of Eastern Caribbean States")),
    "XMP": (ORGANISATION, gettext_lazy("Parliamentary Assembly of the Mediterranean")),
    "XOM": (
        ORGANISATION,
        gettext_lazy("Sovereign Military Order of Malta or one of its emissaries"),
    ),
    "XDC": (ORGANISATION, gettext_lazy("Southern African Development Community")),
    "GBD": (BRITISH, gettext_lazy("British Overseas Territories Citizen")),
    "GBN": (BRITISH, gettext_lazy("British National (Overseas)")),
    "GBO": (BRITISH, gettext_lazy("British Overseas Citizen")),
    "GBP": (BRITISH, gettext_lazy("British Protected Person")),
    "GBS": (BRITISH, gettext_lazy("British Subject")),
    "UTO": (SPECIMEN, gettext_lazy("Utopia (the fictitious state of the ICAO specimens)")),
}


@dataclass(frozen=True)
class CodeInfo:
    """What a state code in the MRZ stands for. ``kind`` is one of the constants above."""

    code: str
    kind: str
    name: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "kind": self.kind, "name": self.name}


def describe_code(code: str) -> CodeInfo:
    """The meaning of a state code as the MRZ writes it ("D<<" or "D" for Germany)."""
    code = code.rstrip("<")
    if code in SPECIAL_CODES:
        kind, name = SPECIAL_CODES[code]
        return CodeInfo(code, kind, str(name))
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
        if country is not None:
            return CodeInfo(code, STATE, getattr(country, "common_name", country.name))
        former = pycountry.historic_countries.get(alpha_3=code)
        if former is not None:
            return CodeInfo(code, FORMER_STATE, former.name)
    return CodeInfo(code, UNKNOWN, "")


def same_state(mrz_code: str, typed: str) -> bool:
    """Whether a typed state (alpha-3, alpha-2 or a name) means the MRZ's code ("D" = "DEU")."""
    mrz_code = mrz_code.rstrip("<")
    typed = typed.strip().upper()
    candidates = {typed}
    try:
        country = pycountry.countries.lookup(typed)
    except LookupError:
        country = None
    if country is not None:
        candidates.add(country.alpha_3)
    if "DEU" in candidates:
        candidates.add("D")
    return mrz_code in candidates
