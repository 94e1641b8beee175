"""Cost of the one scoping function on list pages.

Builds 200,000 focal-point records across 60 organisations, 18 governorates and their districts,
then times a page of 50 plus the total count, through ``scope`` for each kind of membership, and
the same rows fetched with a hand-written filter (the reference). Prints median and p95 of each,
and the ratio scoped / hand-written.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RECORDS = int(os.environ.get("BENCH_RECORDS", "200000"))
ORGANISATIONS = 60
REPEAT = 30

database_url = os.environ.get("BENCH_DATABASE_URL")
if not database_url:
    database_url = f"sqlite:///{Path(tempfile.gettempdir()) / 'marsad-bench-scoping.sqlite3'}"
    Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
os.environ["DATABASE_URL"] = database_url
os.environ.setdefault("MARSAD_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsad.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from marsad.accounts.models import Membership, User  # noqa: E402
from marsad.core.scoping import forget_scopes, membership_scopes, scope  # noqa: E402
from marsad.geo.models import AdminArea, AreaLevel  # noqa: E402
from marsad.partners.models import Contact, Organisation, OrganisationKind, Programme  # noqa: E402


def build() -> dict:
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)  # a database it may empty
    call_command("geo", "load-reference", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    districts = list(AdminArea.objects.filter(level=AreaLevel.DISTRICT))
    mission = Organisation.objects.create(
        code="IOM-IDP", kind=OrganisationKind.MISSION_UNIT, name_en="IDP unit"
    )
    organisations = [
        Organisation.objects.create(
            code=f"NGO{n}", kind=OrganisationKind.NATIONAL_NGO, name_en=f"NGO {n}"
        )
        for n in range(ORGANISATIONS)
    ]
    programmes = [
        Programme.objects.create(code=f"P{n}", name_en=f"Programme {n}", lead_unit=mission)
        for n in range(8)
    ]
    sensitivities = ["normal"] * 8 + ["restricted", "confidential"]
    batch = []
    for n in range(RECORDS):
        batch.append(
            Contact(
                organisation=organisations[n % ORGANISATIONS],
                programme=programmes[n % 8] if n % 5 else None,
                area=districts[n % len(districts)],
                sensitivity=sensitivities[n % 10],
                full_name=f"Person {n}",
            )
        )
        if len(batch) == 10000:
            Contact.objects.bulk_create(batch)
            batch = []
    Contact.objects.bulk_create(batch)
    basrah = AdminArea.objects.get(pcode="IQG02")

    def user(name, role, organisation, programmes=(), areas=()):
        account = User.objects.create(username=name)
        membership = Membership.objects.create(user=account, organisation=organisation, role=role)
        membership.programmes.set(programmes)
        membership.areas.set(areas)
        return account

    return {
        "partner reporter (own organisation)": (
            user("reporter", "partner_reporter", organisations[3]),
            lambda: Contact.objects.filter(organisation=organisations[3], sensitivity="normal"),
        ),
        "field monitor (own organisation, one governorate)": (
            user("monitor", "field_monitor", organisations[3], areas=[basrah]),
            lambda: Contact.objects.filter(
                organisation=organisations[3],
                sensitivity="normal",
                area__path__startswith=basrah.path,
            ),
        ),
        "mission manager (all partners, two programmes)": (
            user("manager", "programme_manager", mission, programmes=programmes[:2]),
            lambda: Contact.objects.filter(
                programme__in=programmes[:2], sensitivity__in=["normal", "restricted"]
            ),
        ),
    }


def timed(make_queryset) -> list[float]:
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        queryset = make_queryset().order_by("pk")
        list(queryset[:50])
        queryset.count()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * (len(samples) - 1))]


def main() -> int:
    started = time.perf_counter()
    cases = build()
    print(
        f"database: {connection.vendor}; {RECORDS:,} records built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print("page of 50 + count, milliseconds, median / p95 over", REPEAT, "runs")
    print(
        f"{'membership':<50} {'scoped':>15} {'hand-written':>15} {'ratio':>6}"
        f" {'+ memberships read':>19}"
    )
    for label, (user, reference) in cases.items():

        def scoped(user=user):
            return scope(Contact.objects.all(), user)

        assert scoped().count() == reference().count(), label
        scoped_samples, reference_samples = timed(scoped), timed(reference)
        lookups = []
        for _ in range(REPEAT):
            forget_scopes(user)
            start = time.perf_counter()
            membership_scopes(user)
            lookups.append((time.perf_counter() - start) * 1000)
        ratio = statistics.median(scoped_samples) / statistics.median(reference_samples)
        print(
            f"{label:<50} {statistics.median(scoped_samples):>6.2f} / {p95(scoped_samples):<6.2f}"
            f" {statistics.median(reference_samples):>6.2f} / {p95(reference_samples):<6.2f}"
            f" {ratio:>6.2f} {statistics.median(lookups):>10.2f} / {p95(lookups):<6.2f}"
        )
    print("ratio = scoped / hand-written (same rows); the memberships are read once per request.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
