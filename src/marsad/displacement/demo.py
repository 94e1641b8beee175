"""Demo assessment rounds: four rounds of 2008 across Iraq's districts, imported through the real
master-list importer, with needs and intentions, the older rounds validated and published."""

import datetime
import random
from typing import Any

from django.db import transaction
from django.db.models import Sum

from marsad.displacement import services
from marsad.displacement.generator import District, make_locations, masterlist_rows, to_csv
from marsad.displacement.models import (
    AssessmentRound,
    AssessmentStatus,
    LocationAssessment,
    RoundKind,
    RoundStatus,
)
from marsad.geo.models import AdminArea, AreaLevel
from marsad.partners.models import Organisation, Programme

DEMO_ROUNDS = [
    # number, kind, start, end
    (1, RoundKind.BASELINE, datetime.date(2008, 1, 1), datetime.date(2008, 2, 29)),
    (2, RoundKind.LOCATION_ASSESSMENT, datetime.date(2008, 4, 1), datetime.date(2008, 5, 31)),
    (3, RoundKind.LOCATION_ASSESSMENT, datetime.date(2008, 7, 1), datetime.date(2008, 8, 31)),
    (4, RoundKind.LOCATION_ASSESSMENT, datetime.date(2008, 10, 1), datetime.date(2008, 11, 30)),
]
NEEDS = {
    "food": 24,
    "nfi": 14,
    "health": 16,
    "water": 12,
    "shelter": 14,
    "documentation": 6,
    "livelihoods": 8,
    "legal_property": 4,
    "education": 2,
}
INTENTIONS = {"return": 0.35, "integrate": 0.4, "settle_elsewhere": 0.07, "undecided": 0.18}
DEMO_LOCATIONS = 200


def load_demo_rounds(*, stdout: Any = None, locations: int = DEMO_LOCATIONS) -> list[str]:
    """Create the demo rounds that do not exist yet; returns one line of report per round."""
    organisation = Organisation.objects.filter(code="IOM-IDP").first()
    if organisation is None:
        return ["skipped: organisation IOM-IDP is not loaded"]
    districts = [
        District(area.pcode, float(area.latitude), float(area.longitude))
        for area in AdminArea.objects.filter(
            level=AreaLevel.DISTRICT, latitude__isnull=False
        ).order_by("pcode")
    ]
    places = make_locations(districts, locations)
    lines = []
    for number, kind, start, end in DEMO_ROUNDS:
        if AssessmentRound.objects.filter(number=number).exists():
            lines.append(f"round {number}: exists")
            continue
        lines.append(_load_round(number, kind, start, end, organisation, places))
        if stdout is not None:
            stdout.write(f"  {lines[-1]}")
    return lines


@transaction.atomic
def _load_round(number, kind, start, end, organisation, places) -> str:
    round_ = services.round_create(
        actor=None, number=number, kind=kind, period_start=start, period_end=end
    )
    report = services.masterlist_import(
        actor=None,
        round=round_,
        organisation=organisation,
        content=to_csv(masterlist_rows(places, number)),
        filename=f"demo-round-{number}.csv",
        programme=Programme.objects.filter(code="IDP").first(),
    )
    if not report.ok:
        raise RuntimeError(f"demo round {number} did not import: {report.errors[:3]}")
    last = number == DEMO_ROUNDS[-1][0]
    assessments = LocationAssessment.objects.filter(round=round_).order_by("area__pcode")
    for assessment in assessments:
        rng = random.Random(f"{number}:{assessment.area.pcode}")
        for priority, sector in enumerate(_sample(rng, NEEDS, 3), start=1):
            services.need_save(
                actor=None,
                assessment=assessment,
                data={"sector": sector, "priority": priority, "severity": rng.randint(2, 5)},
            )
        idp_families = (
            assessment.population_groups.filter(population_type="idp").aggregate(
                total=Sum("families")
            )["total"]
            or 0
        )
        for intention, share in INTENTIONS.items():
            families = int(idp_families * share * rng.uniform(0.8, 1.2))
            if families:
                services.intention_save(
                    actor=None,
                    assessment=assessment,
                    data={"population_type": "idp", "intention": intention, "families": families},
                )
        services.assessment_submit(actor=None, instance=assessment)
        if not last:
            services.assessment_validate(actor=None, instance=assessment)
            services.assessment_publish(actor=None, instance=assessment)
    if not last:
        services.round_set_status(actor=None, instance=round_, status=RoundStatus.CLOSED)
        services.round_set_status(actor=None, instance=round_, status=RoundStatus.PUBLISHED)
    published = assessments.filter(status=AssessmentStatus.PUBLISHED).count()
    return (
        f"round {number}: {report.locations_created} locations added, "
        f"{report.created} population rows, {assessments.count()} assessments "
        f"({published} published)"
    )


def _sample(rng: random.Random, weights: dict[str, int], count: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < count:
        pick = rng.choices(list(weights), weights=list(weights.values()))[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen
