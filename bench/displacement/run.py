"""Displacement tracking at scale: master-list import, re-import and dashboard aggregates.

Generates 3,000 locations and 40 rounds of master lists (bench data only, from
``marsad.displacement.generator``) and measures, printing each figure beside its target:
- import throughput (rows/s) per round, beside a plain PostgreSQL COPY of the same rows into a
  table of the same columns (ratio; target >= 0.25);
- re-import of the same file: rows changed (target 0) and time (the median of several
  re-imports) as a share of the first import of that file, and of the median first import of
  rounds 2 onwards (round 1 also creates every location), which is steadier than one sample
  (target <= 20 %);
- dashboard aggregate reads with all rounds loaded (target <= 300 ms each, on PostgreSQL), in a
  process settled as the web server's is (``marsad.core.process``), as an IM officer reads them
  and then as the public does (everything published; small cells and
  the cells that would give them away hidden over each round's area hierarchy);
- the floor under any importer of these rows: the last round's own assessments and population
  groups COPYed straight into their tables (their indexes, checks and foreign keys, nothing
  validated, nothing audited; rolled back), as a ratio to the plain COPY too. The plain COPY
  fills one flat table without indexes or constraints; the floor says how much of the gap is
  the destination schema's and how much the importer's.

Use a PostgreSQL database it may empty: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/marsad_bench
(without it, a throwaway SQLite file; COPY is then not measured). BENCH_ROUNDS and
BENCH_LOCATIONS scale it down for a quick look.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
LOCATIONS = int(os.environ.get("BENCH_LOCATIONS", "3000"))
REPEAT = 5

database_url = os.environ.get("BENCH_DATABASE_URL")
if not database_url:
    database_url = f"sqlite:///{Path(tempfile.gettempdir()) / 'marsad-bench-displacement.sqlite3'}"
    Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
os.environ["DATABASE_URL"] = database_url
os.environ.setdefault("MARSAD_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsad.settings")

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402
import importlib  # noqa: E402

from django.apps import apps as django_apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from marsad.accounts.models import Membership, User  # noqa: E402
from marsad.core.process import settle  # noqa: E402
from marsad.displacement import aggregates, services  # noqa: E402
from marsad.displacement.generator import (  # noqa: E402
    District,
    make_locations,
    masterlist_rows,
    to_csv,
)
from marsad.displacement.models import (  # noqa: E402
    AssessmentRound,
    AssessmentStatus,
    LocationAssessment,
    PopulationGroup,
    RoundStatus,
)
from marsad.displacement.views_dashboard import dashboard_payload  # noqa: E402
from marsad.geo.models import AdminArea, AreaLevel  # noqa: E402
from marsad.partners.models import Organisation, OrganisationKind  # noqa: E402


def prepare() -> tuple[Organisation, list]:
    call_command("migrate", interactive=False, verbosity=0)
    if connection.vendor != "sqlite":
        call_command("flush", interactive=False, verbosity=0)  # a database it may empty
        # flush also empties reference rows that migrations wrote: put the periods back.
        periods = importlib.import_module(
            "marsad.displacement.migrations.0002_standard_displacement_periods"
        )
        periods.add_periods(django_apps, None)
    with open(os.devnull, "w") as quiet:
        call_command("geo", "load-reference", stdout=quiet)
    organisation = Organisation.objects.create(
        code="IOM-IDP", kind=OrganisationKind.MISSION_UNIT, name_en="IDP unit"
    )
    districts = [
        District(area.pcode, float(area.latitude), float(area.longitude))
        for area in AdminArea.objects.filter(level=AreaLevel.DISTRICT).order_by("pcode")
    ]
    return organisation, make_locations(districts, LOCATIONS)


def copy_rows_per_second(content: bytes) -> float | None:
    """A plain COPY of the same CSV into a table with the master list's columns."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS bench_masterlist (location_id text,"
            " location_name text, location_name_ar text, parent_pcode text,"
            " latitude numeric, longitude numeric,"
            " population_type text, origin_pcode text, displacement_period text,"
            " shelter_category text, families integer, individuals integer)"
        )
        cursor.execute("TRUNCATE bench_masterlist")
        start = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_masterlist FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(content)
        elapsed = time.perf_counter() - start
    rows = content.count(b"\n") - 1
    return rows / elapsed


def floor_seconds(round_) -> float | None:
    """COPY the round's assessments and groups again, as a new round, into the real tables."""
    if connection.vendor != "postgresql":
        return None
    assessments = LocationAssessment.objects.filter(round=round_)
    groups = PopulationGroup.objects.filter(assessment__round=round_)
    a_columns = [f.column for f in LocationAssessment._meta.concrete_fields]
    g_columns = [f.column for f in PopulationGroup._meta.concrete_fields]
    a_rows = list(
        assessments.order_by("pk").values_list(
            *[f.attname for f in LocationAssessment._meta.concrete_fields]
        )
    )
    g_rows = list(
        groups.order_by("pk").values_list(
            *[f.attname for f in PopulationGroup._meta.concrete_fields]
        )
    )
    a_pk, g_pk = a_columns.index("id"), g_columns.index("id")
    a_round, g_assessment = a_columns.index("round_id"), g_columns.index("assessment_id")
    elapsed = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        copy = AssessmentRound.objects.create(
            number=10_000 + round_.number,
            kind=round_.kind,
            period_start=round_.period_start,
            period_end=round_.period_end,
        )
        cursor.execute("SELECT max(id) FROM displacement_locationassessment")
        a_base = cursor.fetchone()[0] + 1
        cursor.execute("SELECT max(id) FROM displacement_populationgroup")
        g_base = cursor.fetchone()[0] + 1
        new_id = {}
        a_out = []
        for offset, row in enumerate(a_rows):
            row = list(row)
            new_id[row[a_pk]] = row[a_pk] = a_base + offset
            row[a_round] = copy.pk
            a_out.append(row)
        g_out = []
        for offset, row in enumerate(g_rows):
            row = list(row)
            row[g_pk] = g_base + offset
            row[g_assessment] = new_id[row[g_assessment]]
            g_out.append(row)
        for rows, model, columns in (
            (a_out, LocationAssessment, a_columns),
            (g_out, PopulationGroup, g_columns),
        ):
            quoted = ", ".join(f'"{column}"' for column in columns)
            statement = f'COPY "{model._meta.db_table}" ({quoted}) FROM STDIN'
            start = time.perf_counter()
            with cursor.cursor.copy(statement) as writer:
                for row in rows:
                    writer.write_row(row)
            elapsed += time.perf_counter() - start
        start = time.perf_counter()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks
        elapsed += time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def main() -> int:
    started = time.perf_counter()
    organisation, places = prepare()
    print(f"database: {connection.vendor}; {LOCATIONS:,} locations, {ROUNDS} rounds")
    print(
        f"{'round':>5} {'rows':>7} {'import s':>9} {'rows/s':>9} {'COPY rows/s':>12} {'ratio':>6}"
    )
    ratios, rates, last_content, last_round, last_seconds = [], [], b"", None, 0.0
    later_seconds = []  # first imports of rounds 2 onwards
    for number in range(1, ROUNDS + 1):
        start_date = datetime.date(2008, 1, 1) + datetime.timedelta(days=45 * (number - 1))
        round_ = services.round_create(
            actor=None,
            number=number,
            kind="location_assessment",
            period_start=start_date,
            period_end=start_date + datetime.timedelta(days=40),
        )
        content = to_csv(masterlist_rows(places, number))
        rows = content.count(b"\n") - 1
        begin = time.perf_counter()
        report = services.masterlist_import(
            actor=None, round=round_, organisation=organisation, content=content, filename="ml.csv"
        )
        seconds = time.perf_counter() - begin
        assert report.ok, report.errors[:3]
        if number > 1:
            later_seconds.append(seconds)
        copy_rate = copy_rows_per_second(content)
        rate = rows / seconds
        rates.append(rate)
        ratio = rate / copy_rate if copy_rate else None
        if ratio:
            ratios.append(ratio)
        if number in (1, 2, ROUNDS) or number % 10 == 0:
            print(
                f"{number:>5} {rows:>7} {seconds:>9.2f} {rate:>9.0f} "
                f"{copy_rate or float('nan'):>12.0f} {ratio or float('nan'):>6.3f}"
            )
        last_content, last_round, last_seconds = content, round_, seconds
    print(
        f"import: median {statistics.median(rates):,.0f} rows/s"
        + (
            f"; median ratio to COPY {statistics.median(ratios):.3f} (target >= 0.25)"
            if ratios
            else ""
        )
    )

    again_seconds = []
    for _ in range(REPEAT):
        begin = time.perf_counter()
        again = services.masterlist_import(
            actor=None,
            round=last_round,
            organisation=organisation,
            content=last_content,
            filename="ml.csv",
        )
        again_seconds.append(time.perf_counter() - begin)
        assert (again.created, again.updated) == (0, 0), again.summary
    seconds = statistics.median(again_seconds)
    typical = statistics.median(later_seconds) if later_seconds else last_seconds
    print(
        f"re-import of round {ROUNDS} (median of {REPEAT}): {again.created} created, "
        f"{again.updated} updated, {again.unchanged} unchanged in {seconds:.2f} s = "
        f"{100 * seconds / last_seconds:.0f} % of its first import ({last_seconds:.2f} s), "
        f"{100 * seconds / typical:.0f} % of the median first import ({typical:.2f} s) "
        "(target 0 changed, <= 20 %)"
    )
    floors = [floor_seconds(last_round) for _ in range(REPEAT)]
    if floors[0] is not None:
        floor = statistics.median(floors)
        rows = last_content.count(b"\n") - 1
        copy_rate = statistics.median(copy_rows_per_second(last_content) for _ in range(REPEAT))
        print(
            f"floor for round {ROUNDS} (median of {REPEAT}): its assessments and groups COPYed "
            f"into their own tables, constraints checked, no validation or audit: {floor:.2f} s "
            f"= {rows / floor:,.0f} rows/s, ratio to plain COPY {rows / floor / copy_rate:.3f}; "
            f"the importer reaches {floor / typical:.2f} of the floor's speed"
        )
    # The reads run as in a web server's process, which settles once its code is loaded
    # (marsad.wsgi: the garbage collector no longer walks what lives as long as the process).
    settle()
    manager = User.objects.create(username="bench-im")
    Membership.objects.create(user=manager, organisation=organisation, role="im_officer")
    reads = {
        "totals": lambda: aggregates.totals(user=manager, round=last_round),
        "by governorate": lambda: aggregates.by_area(
            user=manager, round=last_round, level="governorate"
        ),
        "by district": lambda: aggregates.by_area(user=manager, round=last_round, level="district"),
        "trend (all rounds)": lambda: aggregates.trend(user=manager),
        "flows": lambda: aggregates.flows(user=manager, round=last_round),
        "shelter": lambda: aggregates.shelter(user=manager, round=last_round),
        "needs by governorate": lambda: aggregates.needs_by_governorate(
            user=manager, round=last_round
        ),
        "intentions": lambda: aggregates.intentions(user=manager, round=last_round),
    }
    print(
        f"dashboard reads with {ROUNDS} rounds loaded, ms "
        f"(median / max of {REPEAT}; target <= 300):"
    )
    _time_reads(reads)

    # The public's reads: every round and assessment published (bench data only), small cells
    # suppressed and their complements withheld over each round's whole area hierarchy.
    LocationAssessment.objects.update(status=AssessmentStatus.PUBLISHED)
    AssessmentRound.objects.update(status=RoundStatus.PUBLISHED)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after such an update
    last_round.refresh_from_db()
    viewer = User.objects.create(username="bench-viewer")
    Membership.objects.create(user=viewer, organisation=organisation, role="aggregate_viewer")
    governorate = AdminArea.objects.get(
        pcode=PopulationGroup.objects.filter(assessment__round=last_round)
        .values_list("assessment__area__path", flat=True)
        .first()
        .split("/")[1]
    )
    public_reads = {
        "totals": lambda: aggregates.totals(user=viewer, round=last_round),
        "by district": lambda: aggregates.by_area(user=viewer, round=last_round, level="district"),
        "by location": lambda: aggregates.by_area(user=viewer, round=last_round, level="location"),
        "trend (all rounds)": lambda: aggregates.trend(user=viewer),
        "trend of a governorate": lambda: aggregates.trend(user=viewer, area=governorate),
        "flows": lambda: aggregates.flows(user=viewer, round=last_round),
        "shelter": lambda: aggregates.shelter(user=viewer, round=last_round),
        "master list": lambda: aggregates.master_list(user=viewer, round=last_round),
        # One visibility for the page, as a request has: each round's protection worked once.
        "whole dashboard page": lambda: dashboard_payload(
            visibility=aggregates.visibility(viewer),
            round=last_round,
            area=governorate,
            population_type=None,
        ),
    }
    print(
        "the public's reads (small cells and their complements hidden), ms "
        f"(median / max of {REPEAT}; target <= 300):"
    )
    _time_reads(public_reads)
    print(f"total bench time {time.perf_counter() - started:.0f} s")
    return 0


def _time_reads(reads: dict) -> None:
    for label, read in reads.items():
        samples = []
        for _ in range(REPEAT):
            begin = time.perf_counter()
            read()
            samples.append((time.perf_counter() - begin) * 1000)
        print(f"  {label:<24} {statistics.median(samples):>8.1f} / {max(samples):.1f}")


if __name__ == "__main__":
    sys.exit(main())
