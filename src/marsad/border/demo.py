"""Border data for ``marsad demo``: Iraq's main crossing points, the demo border officer and
border supervisor posted at Basra International Airport, and a small watchlist of the Border
Ports Commission so the counter screen has something to find (the ICAO Doc 9303 specimen names
among them). Running it again adds nothing."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from marsad.border import services
from marsad.border.models import BorderCrossingPoint, PostAssignment, Watchlist, WatchlistEntry
from marsad.partners.models import Organisation

DEMO_OFFICER = "border.basrah"
DEMO_SUPERVISOR = "supervisor.basrah"
DEMO_POINT = "BSR"
DEMO_AUTHORITY = "BPC"
DEMO_WATCHLIST = "Demo watchlist"
#: (reference, names in any script, birth date, precision, nationality, documents, reason, action)
DEMO_ENTRIES = [
    (
        "DEMO-1",
        ["Anna Maria Eriksson"],
        datetime.date(1974, 8, 12),
        "day",
        "UTO",
        ["L898902C3"],
        "Demonstration entry: the ICAO Doc 9303 passport specimen.",
        "refer",
    ),
    (
        "DEMO-2",
        ["Ahmed Salman al-Tikriti", "أحمد سلمان التكريتي"],
        datetime.date(1985, 7, 1),
        "year",
        "IRQ",
        ["A7654321"],
        "Demonstration entry: wanted for questioning in a smuggling investigation.",
        "refer",
    ),
    (
        "DEMO-3",
        ["Kareem Jabbar Hassan", "كريم جبار حسن"],
        datetime.date(1979, 3, 2),
        "day",
        "IRQ",
        [],
        "Demonstration entry: reported stolen passport blank series.",
        "alert",
    ),
]


def load_demo_border() -> list[str]:
    """Load the demo border data; returns one line per thing done."""
    lines = []
    report = services.points_load_reference(actor=None)
    lines.append(
        f"{BorderCrossingPoint.objects.count()} crossing points"
        + (f" ({'; '.join(report.problems)})" if report.problems else "")
    )
    point = BorderCrossingPoint.objects.filter(code=DEMO_POINT).first()
    for username in (DEMO_OFFICER, DEMO_SUPERVISOR):
        officer = get_user_model().objects.filter(username=username).first()
        if officer is not None and point is not None and services.is_border_officer(officer):
            if not PostAssignment.objects.filter(officer=officer, point=point).exists():
                services.post_assign(actor=None, officer=officer, point=point)
            lines.append(f"{username} posted at {point.name_en}")
    authority = Organisation.objects.filter(code=DEMO_AUTHORITY).first()
    if authority is None:
        return lines
    watchlist = Watchlist.objects.filter(organisation=authority, name=DEMO_WATCHLIST).first()
    if watchlist is None:
        watchlist = services.watchlist_create(
            actor=None, data={"organisation": authority, "name": DEMO_WATCHLIST}
        )
    added = 0
    for reference, names, born, precision, nationality, documents, reason, action in DEMO_ENTRIES:
        if WatchlistEntry.objects.filter(watchlist=watchlist, reference=reference).exists():
            continue
        services.watchlist_entry_create(
            actor=None,
            watchlist=watchlist,
            data={
                "reference": reference,
                "names": names,
                "birth_date": born,
                "birth_date_precision": precision,
                "nationality": nationality,
                "document_numbers": documents,
                "reason": reason,
                "action": action,
            },
        )
        added += 1
    lines.append(f"{DEMO_WATCHLIST}: {added} entries added")
    return lines
