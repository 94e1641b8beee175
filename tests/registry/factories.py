"""Registry test data: households registered through the services, as a registration officer
would, so derived name forms and source records are always present."""

import datetime
from typing import Any

from marsad.registry import services
from marsad.registry.models import Household


def head(**overrides: Any) -> dict[str, Any]:
    data = {
        "relationship": "head",
        "given_name": "محمد",
        "father_name": "جاسم",
        "grandfather_name": "علي",
        "family_name": "الجبوري",
        "sex": "male",
        "birth_date": datetime.date(1980, 7, 1),
        "birth_date_precision": "year",
    }
    data.update(overrides)
    return data


def register(
    organisation: Any,
    area: Any,
    members: list[dict[str, Any]] | None = None,
    *,
    actor: Any = None,
    **household: Any,
) -> Household:
    data = {"organisation": organisation, "area": area, "size": 5, **household}
    return services.household_register(actor=actor, data=data, members=members or [head()])
