"""Border test data, made through the services as an officer would make it, so derived names,
fingerprints, warnings and audit rows are always present."""

import datetime
from typing import Any

from django.utils import timezone

from marsad.border import services
from marsad.border.models import (
    BorderCrossingPoint,
    Crossing,
    Direction,
    PointKind,
    Watchlist,
    WatchlistEntry,
)
from marsad.border.mrz import TD3, compose
from marsad.geo.models import AdminArea
from marsad.partners.models import Organisation
from tests.factories import member

TODAY = datetime.date(2026, 3, 2)


def point(
    code: str,
    governorate: AdminArea,
    *,
    authority: Organisation | None = None,
    kind: str = PointKind.LAND,
    neighbouring_country: str = "KWT",
    **extra: Any,
) -> BorderCrossingPoint:
    data = {
        "code": code,
        "name_en": code.title(),
        "kind": kind,
        "governorate": governorate,
        "neighbouring_country": "" if kind != PointKind.LAND else neighbouring_country,
        "authority": authority,
        **extra,
    }
    return services.point_create(actor=None, data=data)


def officer(
    organisation: Organisation,
    *points: BorderCrossingPoint | None,
    username: str | None = None,
    role: str = "border_officer",
) -> Any:
    """A border officer (or supervisor) of ``organisation`` posted at ``points`` (None: every
    point)."""
    user = member(role, organisation, username=username)
    for where in points:
        services.post_assign(actor=None, officer=user, point=where)
    return user


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware time on ``day``, in the project's (Baghdad) time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def passport(number: str = "A1234567", **overrides: Any) -> dict[str, Any]:
    """The fields an officer types from a passport's data page."""
    data = {
        "document_type": "passport",
        "issuing_state": "IRQ",
        "number": number,
        "surname": "AL-TIKRITI",
        "given_names": "AHMED SALMAN",
        "nationality": "IRQ",
        "birth_date": datetime.date(1985, 3, 14),
        "sex": "male",
        "expiry_date": datetime.date(2030, 5, 1),
    }
    data.update(overrides)
    return data


def mrz_lines(
    *,
    number: str = "A1234567",
    surname: str = "AL TIKRITI",
    given_names: str = "AHMED SALMAN",
    state: str = "IRQ",
    nationality: str = "IRQ",
    birth: datetime.date = datetime.date(1985, 3, 14),
    sex: str = "M",
    expiry: datetime.date = datetime.date(2030, 5, 1),
) -> str:
    return "\n".join(
        compose(
            TD3,
            document_code="P",
            issuing_state=state,
            surname=surname,
            given_names=given_names,
            document_number=number,
            nationality=nationality,
            birth_date=birth,
            sex=sex,
            expiry_date=expiry,
        )
    )


def cross(
    where: BorderCrossingPoint,
    *,
    direction: str = Direction.ENTRY,
    when: datetime.datetime | None = None,
    actor: Any = None,
    number: str = "A1234567",
    document: dict[str, Any] | None = None,
    **extra: Any,
) -> Crossing:
    """A crossing at ``where`` on the passport ``number`` (the same number: the same person)."""
    return services.crossing_record(
        actor=actor,
        point=where,
        direction=direction,
        document=document if document is not None else passport(number),
        crossed_at=when or at(TODAY),
        **extra,
    )


def watchlist(organisation: Organisation, **extra: Any) -> Watchlist:
    return services.watchlist_create(
        actor=None, data={"organisation": organisation, "name": "Wanted persons", **extra}
    )


def entry(listed_on: Watchlist, **data: Any) -> WatchlistEntry:
    values = {
        "names": ["Ahmed Salman al-Tikriti", "أحمد سلمان التكريتي"],
        "birth_date": datetime.date(1985, 7, 1),
        "birth_date_precision": "year",
        "nationality": "IRQ",
        "document_numbers": ["A7654321"],
        "reason": "Wanted for questioning in a smuggling investigation.",
        "action": "refer",
    }
    values.update(data)
    return services.watchlist_entry_create(actor=None, watchlist=listed_on, data=values)


class World:
    """Two authorities, three crossing points and a user for each way of seeing them.

    BPC runs Safwan and Shalamcheh (Basrah) and Baghdad airport; KRG runs none here. Officers:
    ``safwan`` posted at Safwan, ``airport`` at BGW, ``hq`` at every point, ``unposted``
    nowhere, ``krg_officer`` (KRG) at every point; ``supervisor``, a border supervisor cleared
    for confidential lists, posted at Safwan. ``im`` and ``admin`` are in the mission's
    border unit; ``donor`` only sees aggregates; ``registrar`` (case worker, BPC) may read
    confidential records."""

    def __init__(self, areas: dict[str, AdminArea]) -> None:
        from marsad.partners.models import OrganisationKind
        from tests.factories import OrganisationFactory

        self.areas = areas
        self.bpc = OrganisationFactory(code="BPC", kind=OrganisationKind.GOVERNMENT_MINISTRY)
        self.krg = OrganisationFactory(code="KRG-MOI", kind=OrganisationKind.GOVERNMENT_MINISTRY)
        self.mission = OrganisationFactory(code="IOM-IBM", kind=OrganisationKind.MISSION_UNIT)
        self.donor_org = OrganisationFactory(code="AUS", kind=OrganisationKind.DONOR)
        self.safwan_point = point("SAFWAN", areas["basrah"], authority=self.bpc)
        self.shalamcheh = point(
            "SHALAMCHEH", areas["basrah"], authority=self.bpc, neighbouring_country="IRN"
        )
        self.bgw = point("BGW", areas["baghdad"], authority=self.bpc, kind=PointKind.AIR)
        self.safwan = officer(self.bpc, self.safwan_point, username="safwan")
        self.airport = officer(self.bpc, self.bgw, username="airport")
        self.hq = officer(self.bpc, None, username="hq")
        self.unposted = officer(self.bpc, username="unposted")
        self.krg_officer = officer(self.krg, None, username="krg")
        self.supervisor = officer(
            self.bpc, self.safwan_point, username="supervisor", role="border_supervisor"
        )
        self.im = member("im_officer", self.mission, username="im")
        self.admin = member("system_admin", self.mission, username="admin")
        self.donor = member("aggregate_viewer", self.donor_org, username="donor")
        self.registrar = member("case_worker", self.bpc, username="registrar")


def quick_crossings(
    where: BorderCrossingPoint,
    per_day: dict[datetime.date, int],
    *,
    direction: str = Direction.ENTRY,
    nationality: str = "IRN",
    purpose: str = "pilgrimage",
    number: str = "Q1",
    hour: int = 12,
    minute: int = 0,
) -> None:
    """Many crossings at once for the statistics (one traveller and document per call),
    ``per_day[day]`` of them on each day, at ``hour``:``minute`` local time."""
    from marsad.border.models import Decision, TravelDocument, Traveller

    organisation = where.authority
    traveller = Traveller.objects.create(
        organisation=organisation, surname=f"Traveller {number}", nationality=nationality
    )
    document = TravelDocument.objects.create(
        traveller=traveller,
        document_type="passport",
        issuing_state=nationality,
        number=number,
        nationality=nationality,
    )
    Crossing.objects.bulk_create(
        Crossing(
            organisation=organisation,
            area=where.governorate,
            point=where,
            direction=direction,
            crossed_at=at(day, hour, minute),
            traveller=traveller,
            document=document,
            nationality=nationality,
            purpose=purpose,
            decision=Decision.ADMITTED,
        )
        for day, count in per_day.items()
        for _ in range(count)
    )
