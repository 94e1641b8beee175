"""Vulnerability targeting and assistance at registry scale: selecting beneficiaries from half a
million households, and the double-assistance check over a million receipts.

1. Selection. Generates BENCH_HOUSEHOLDS households (default 500,000; about 3.3 registered
   members each, ``generate.households``: COPY, benchmark data only, no audit log), a plan with
   the IOM Household Vulnerability Criteria and a quota of BENCH_QUOTA households (default
   10 % of the households) of at least medium vulnerability, and BENCH_ASSISTED (default 2 %)
   households already given the plan's assistance in its cycle. Prints:

   - scoring alone (``selectors.score_households``: read and score every household);
   - ``selection_run`` (score, rank, decide and store one entry per household): time and peak
     memory (resident set, the process's high-water mark reset just before);
   - the same selection written as one SQL query (the score a SUM of CASE expressions over the
     version's criteria, ranked with ORDER BY … LIMIT quota, assisted households excluded):
     its time, the ratio selection_run / SQL, and whether both select the same households in
     the same order. The SQL query cannot follow linkage's ties between households, so this
     part of the data has none (the selection service handles them; the tests show how).

2. The double-assistance check. Loads receipts (COPY) up to BENCH_RECEIPTS in all (default
   1,000,000: ten earlier cycles of food parcels, each to a fifth of the households) and
   BENCH_LINKS (default 25,000) pairs of households that linkage decided are the same people,
   then records BENCH_CALLS (default 300) receipts with ``receipt_record`` as a partner's
   reporter, in one of those cycles (about one in five is refused as a double assistance,
   naming the earlier receipt). Prints p50/p95/p99 of the whole call (target p95 < 50 ms), of
   the accepted and the refused calls, and of the check alone (``selectors.earlier_receipt``).

Uses a database it empties: BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/marsad_bench_assistance (created when missing). A
sqlite:/// URL works for small sizes; the SQL comparison is then skipped (it is written for
PostgreSQL). BENCH_SKIP=selection or BENCH_SKIP=receipts leaves a part out; BENCH_REUSE=1
measures part 2 again on the database a previous run loaded (migrated to the current code,
no flush, no load). A quick look:
BENCH_HOUSEHOLDS=20000 BENCH_RECEIPTS=40000 .venv/bin/python bench/assistance/run.py
"""

import os
import sys

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "500000"))
RECEIPTS = int(os.environ.get("BENCH_RECEIPTS", "1000000"))
QUOTA = int(os.environ.get("BENCH_QUOTA", str(max(HOUSEHOLDS // 10, 1))))
ASSISTED = float(os.environ.get("BENCH_ASSISTED", "0.02"))
LINKS = int(os.environ.get("BENCH_LINKS", str(HOUSEHOLDS // 20)))
CALLS = int(os.environ.get("BENCH_CALLS", "300"))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
REUSE = os.environ.get("BENCH_REUSE") == "1"
SEED = 2026
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marsad_bench_assistance"
)

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("MARSAD_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsad.settings")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` when it does not exist."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    server = psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    with server:
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{config["NAME"]}"')


ensure_database(DATABASE_URL)

import django  # noqa: E402

django.setup()

import datetime  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import generate  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from marsad.accounts.models import Membership  # noqa: E402
from marsad.assistance import scoring, selectors, services  # noqa: E402
from marsad.assistance.models import (  # noqa: E402
    AssistancePlan,
    CriteriaSetVersion,
    Receipt,
    SelectionEntry,
)
from marsad.geo.models import AdminArea, AreaLevel  # noqa: E402
from marsad.linkage.models import CandidatePair  # noqa: E402
from marsad.partners.models import Organisation, OrganisationKind, Programme  # noqa: E402
from marsad.registry.models import Household, Person  # noqa: E402

AS_OF = datetime.date(2026, 10, 1)
CYCLE = "2026-R1"
STATUSES = ["displaced", "returned"]
MINIMUM = "medium"
# The mission's IOM Household Vulnerability Criteria (as tests/assistance/factories.py).
IOM_ROWS = [
    {"kind": "female_head", "weight": 3},
    {"kind": "elderly_head", "weight": 2, "parameter": 60},
    {"kind": "child_head", "weight": 3, "parameter": 18},
    {"kind": "member_disability", "weight": 3},
    {"kind": "member_chronic_illness", "weight": 2},
    {"kind": "pregnant_or_lactating", "weight": 1},
    {"kind": "separated_child", "weight": 3},
    {"kind": "widowed_head", "weight": 2},
    {"kind": "large_household", "weight": 1, "parameter": 6},
    {"kind": "no_income", "weight": 2},
    {"kind": "critical_shelter", "weight": 2},
    {"kind": "missing_documents", "weight": 1},
    {"kind": "recent_displacement", "weight": 1, "parameter": 6},
]
FOOD = {"assistance_type": "food_parcel", "quantity": 1, "unit_value_usd": "45.00"}


# --- Measuring ---------------------------------------------------------------------------------


def reset_peak_memory() -> None:
    """Reset the process's resident-set high-water mark (Linux), so the next peak is the
    measured step's own."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def memory_mb() -> tuple[float, float]:
    """(current, peak) resident set in MB."""
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


LAST_CPU = [0.0]  # this process's CPU seconds in the last ``timed`` step


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds and result of ``step``; its CPU seconds in this process (the database
    server's work excluded) are left in ``LAST_CPU``, a figure that a busy machine disturbs
    less than the wall time."""
    started, cpu = time.perf_counter(), time.process_time()
    result = step()
    LAST_CPU[0] = time.process_time() - cpu
    return time.perf_counter() - started, result


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "—"
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return f"p50 {at(0.5):7.1f}  p95 {at(0.95):7.1f}  p99 {at(0.99):7.1f}  (n={len(samples)})"


# --- Setting up ---------------------------------------------------------------------------------


def prepare() -> dict[str, Any]:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # a database it may empty
    country = AdminArea.objects.create(pcode="IQ", level=AreaLevel.COUNTRY, name_en="Iraq")
    basrah = AdminArea.objects.create(
        pcode="IQG02",
        level=AreaLevel.GOVERNORATE,
        parent=country,
        name_en="Al-Basrah",
        iso_code="IQ-BA",
    )
    districts = [
        AdminArea.objects.create(
            pcode=f"IQG02Q{number:02d}",
            level=AreaLevel.DISTRICT,
            parent=basrah,
            name_en=f"District {number}",
        )
        for number in range(1, 8)
    ]
    mission = Organisation.objects.create(
        code="IOM-IDP", kind=OrganisationKind.MISSION_UNIT, name_en="Mission IDP unit"
    )
    ngo = Organisation.objects.create(
        code="NGO-A", kind=OrganisationKind.NATIONAL_NGO, name_en="Partner NGO A"
    )
    programme = Programme.objects.create(
        code="PHSS",
        name_en="Programme for Human Security and Stabilization",
        lead_unit=mission,
        start_date=datetime.date(2007, 7, 1),
    )
    criteria = services.criteria_set_create(
        actor=None, organisation=mission, name="IOM Household Vulnerability Criteria"
    )
    version = services.criteria_version_publish(
        actor=None, criteria_set=criteria, criteria=IOM_ROWS, high_min=7, medium_min=4
    )
    from django.contrib.auth import get_user_model

    reporter = get_user_model().objects.create(username="bench-reporter")
    Membership.objects.create(user=reporter, organisation=ngo, role="partner_reporter")
    return {
        "basrah": basrah,
        "districts": districts,
        "ngo": ngo,
        "programme": programme,
        "version": version,
        "reporter": reporter,
    }


def reuse() -> tuple[dict[str, Any], generate.Registry]:
    """The world and registry a previous run loaded (BENCH_REUSE=1: part 2 again)."""
    from array import array

    from django.contrib.auth import get_user_model

    world = {
        "basrah": AdminArea.objects.get(pcode="IQG02"),
        "ngo": Organisation.objects.get(code="NGO-A"),
        "programme": Programme.objects.get(code="PHSS"),
        "version": CriteriaSetVersion.objects.order_by("-pk").first(),
        "reporter": get_user_model().objects.get(username="bench-reporter"),
    }
    households = array("q", Household.objects.order_by("pk").values_list("pk", flat=True))
    heads = array(
        "q",
        Person.objects.filter(relationship="head")
        .order_by("household_id", "pk")
        .values_list("pk", flat=True),
    )
    return world, generate.Registry(households, heads, Person.objects.count())


def new_plan(world: dict[str, Any], code: str, cycle: str, start: datetime.date) -> AssistancePlan:
    plan = services.plan_create(
        actor=None,
        data={
            "organisation": world["ngo"],
            "programme": world["programme"],
            "code": code,
            "title": f"Food parcels {cycle}",
            "location": world["basrah"],
            "start_date": start,
            "end_date": start + datetime.timedelta(days=60),
            "cycle": cycle,
            "criteria_version": world["version"],
        },
        items=[FOOD],
    )
    return services.plan_approve(actor=None, plan=plan)


# --- 1. Selection ------------------------------------------------------------------------------


def selection_sql(
    version: CriteriaSetVersion, plan: AssistancePlan, *, as_of: datetime.date, quota: int
) -> tuple[str, list[Any]]:
    """The plan's selection as one PostgreSQL query: each household's score a SUM of CASE
    expressions over the version's criteria (the same rules as ``scoring``), the assisted
    excluded, ranked by the stated tie-breaks, at most ``quota`` households."""
    spec = selectors.version_spec(version)
    alive = "hd.birth_date IS NOT NULL AND hd.birth_date <= %(as_of)s"
    conditions = {
        scoring.RuleKind.FEMALE_HEAD: lambda n: "hd.sex = 'female'",
        scoring.RuleKind.ELDERLY_HEAD: lambda n: (
            f"{alive} AND hd.birth_date <= (%(as_of)s::date - interval '{n} years')::date"
        ),
        scoring.RuleKind.CHILD_HEAD: lambda n: (
            f"{alive} AND hd.birth_date > (%(as_of)s::date - interval '{n} years')::date"
        ),
        scoring.RuleKind.MEMBER_DISABILITY: lambda n: "fl.disability",
        scoring.RuleKind.MEMBER_CHRONIC_ILLNESS: lambda n: "fl.chronic_illness",
        scoring.RuleKind.PREGNANT_OR_LACTATING: lambda n: "fl.pregnant_or_lactating",
        scoring.RuleKind.SEPARATED_CHILD: lambda n: "fl.separated_child",
        scoring.RuleKind.WIDOWED_HEAD: lambda n: "hd.marital_status = 'widowed'",
        scoring.RuleKind.LARGE_HOUSEHOLD: lambda n: f"h.size > {int(n)}",
        scoring.RuleKind.NO_INCOME: lambda n: "h.has_income = false",
        scoring.RuleKind.CRITICAL_SHELTER: lambda n: "h.shelter_type IN ({})".format(
            ", ".join(f"'{value}'" for value in sorted(scoring.CRITICAL_SHELTER))
        ),
        scoring.RuleKind.MISSING_DOCUMENTS: lambda n: "h.documentation_status IN ({})".format(
            ", ".join(f"'{value}'" for value in sorted(scoring.DOCUMENTS_MISSING))
        ),
        scoring.RuleKind.RECENT_DISPLACEMENT: lambda n: (
            "h.displacement_date IS NOT NULL AND h.displacement_date <= %(as_of)s AND "
            f"h.displacement_date >= (%(as_of)s::date - interval '{int(n)} months')::date"
        ),
    }
    score = "\n      + ".join(
        f"CASE WHEN {conditions[criterion.kind](criterion.parameter)} "
        f"THEN {int(criterion.weight)} ELSE 0 END"
        for criterion in spec.criteria
    )
    sql = f"""
WITH head AS (
  SELECT DISTINCT ON (p.household_id) p.household_id, p.sex, p.birth_date, p.marital_status
  FROM registry_person p
  WHERE p.is_active AND p.relationship = 'head'
  ORDER BY p.household_id, p.id
), flags AS (
  SELECT p.household_id,
         bool_or(p.disability) AS disability,
         bool_or(p.chronic_illness) AS chronic_illness,
         bool_or(p.pregnant_or_lactating) AS pregnant_or_lactating,
         bool_or(p.separated_child) AS separated_child
  FROM registry_person p
  WHERE p.is_active
  GROUP BY p.household_id
), scored AS (
  SELECT h.id, h.registration_number, h.size, h.displacement_date,
      {score} AS score
  FROM registry_household h
  JOIN geo_adminarea a ON a.id = h.area_id
  LEFT JOIN head hd ON hd.household_id = h.id
  LEFT JOIN flags fl ON fl.household_id = h.id
  WHERE a.path LIKE %(path)s
    AND h.status = ANY(%(statuses)s)
    AND NOT EXISTS (
      SELECT 1 FROM assistance_receipt r
      WHERE r.household_id = h.id AND r.programme_id = %(programme)s
        AND r.cycle = %(cycle)s AND r.assistance_type = ANY(%(types)s)
    )
)
SELECT id FROM scored
WHERE score >= %(minimum)s
ORDER BY score DESC, size DESC, displacement_date ASC NULLS LAST,
         registration_number COLLATE "C", id
LIMIT %(quota)s
"""
    params = {
        "as_of": as_of,
        "path": plan.location.path + "%",
        "statuses": STATUSES,
        "programme": plan.programme_id,
        "cycle": plan.cycle,
        "types": list(plan.items.values_list("assistance_type", flat=True)),
        "minimum": version.medium_min,
        "quota": quota,
    }
    return sql, params


def bench_selection(world: dict[str, Any], registry: generate.Registry) -> None:
    print(f"\n1. Selection from {HOUSEHOLDS:,} households")
    plan = new_plan(world, "BENCH-2026-R1", CYCLE, datetime.date(2026, 9, 1))
    earlier = new_plan(world, "BENCH-2026-R1-EARLIER", CYCLE, datetime.date(2026, 8, 1))
    rng = random.Random(SEED)
    assisted = sorted(
        rng.sample(list(registry.household_ids), int(len(registry.household_ids) * ASSISTED))
    )
    generate.receipts(earlier, assisted, seed=SEED)
    print(f"   {len(assisted):,} households already given food parcels in cycle {CYCLE}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    version = world["version"]
    reset_peak_memory()
    spec = selectors.version_spec(version)
    seconds, scored = timed(
        lambda: sum(
            1
            for snapshot in selectors.household_snapshots(None, scoped=False)
            if scoring.score(snapshot, spec, as_of=AS_OF)
        )
    )
    _, peak = memory_mb()
    print(
        f"   scoring alone (read + score):   {seconds:8.1f} s (CPU {LAST_CPU[0]:.1f} s)  "
        f"{scored / seconds:10,.0f} households/s   peak RSS {peak:7.0f} MB"
    )

    before, _ = memory_mb()
    reset_peak_memory()
    selection_seconds, selection = timed(
        lambda: services.selection_run(
            actor=None,
            plan=plan,
            statuses=STATUSES,
            quota=QUOTA,
            minimum_category=MINIMUM,
            as_of=AS_OF,
        )
    )
    _, peak = memory_mb()
    print(
        f"   selection_run (score, rank, store {selection.considered_count:,} entries): "
        f"{selection_seconds:8.1f} s (CPU {LAST_CPU[0]:.1f} s)   peak RSS {peak:7.0f} MB "
        f"(+{peak - before:.0f} MB over the {before:.0f} MB before)"
    )
    chosen = list(
        SelectionEntry.objects.filter(selection=selection, included=True)
        .order_by("rank")
        .values_list("household_id", flat=True)
    )
    print(f"   included {len(chosen):,} of quota {QUOTA:,}")

    if connection.vendor != "postgresql":
        print("   one SQL query: skipped (written for PostgreSQL)")
        return
    sql, params = selection_sql(version, plan, as_of=AS_OF, quota=QUOTA)
    samples = []
    rows: list[int] = []
    for _ in range(3):
        with connection.cursor() as cursor:
            seconds, rows = timed(lambda: (cursor.execute(sql, params), cursor.fetchall())[1])
        samples.append(seconds)
    sql_seconds = statistics.median(samples)
    sql_ids = [row[0] for row in rows]
    print(
        f"   one SQL query (SUM of CASE, ORDER BY … LIMIT {QUOTA:,}): {sql_seconds:8.2f} s "
        f"(median of 3: {', '.join(f'{s:.2f}' for s in samples)})"
    )
    print(f"   ratio selection_run / SQL:       {selection_seconds / sql_seconds:8.1f}")
    same_set = set(sql_ids) == set(chosen)
    same_order = sql_ids == chosen
    print(f"   same households: {same_set}; same order: {same_order}")
    if not same_set:
        print(
            f"   differ: {len(set(chosen) - set(sql_ids)):,} only in selection_run, "
            f"{len(set(sql_ids) - set(chosen)):,} only in SQL"
        )


# --- 2. Double-assistance check -------------------------------------------------------------


def load_receipts(
    world: dict[str, Any], registry: generate.Registry, existing: int, rng: random.Random
) -> list[AssistancePlan]:
    """Receipts up to RECEIPTS in all, each earlier cycle's plan giving food parcels to a
    fifth of the households, and LINKS pairs of linked households."""
    wanted = max(RECEIPTS - existing, 0)
    per_plan = max(len(registry.household_ids) // 5, 1)
    cycles = max((wanted + per_plan - 1) // per_plan, 1)
    print(
        f"\n2. Double-assistance check with {RECEIPTS:,} receipts "
        f"({cycles} earlier cycles) and {LINKS:,} linked household pairs"
    )
    started = time.perf_counter()
    plans = []
    left = wanted
    for number in range(1, cycles + 1):
        start = datetime.date(2024, 1, 1) + datetime.timedelta(days=60 * (number - 1))
        plan = new_plan(world, f"BENCH-C{number:02d}", f"C{number:02d}", start)
        plans.append(plan)
        take = min(per_plan, left)
        left -= take
        households = sorted(rng.sample(list(registry.household_ids), take))
        generate.receipts(plan, households, seed=SEED + number)
    generate.links(registry.heads, LINKS, seed=SEED + 2)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    total = Receipt.objects.count()
    print(f"   loaded in {time.perf_counter() - started:.1f} s; {total:,} receipts stored")
    return plans


def bench_receipts(world: dict[str, Any], registry: generate.Registry) -> None:

    existing = Receipt.objects.count()
    earlier_plans = list(AssistancePlan.objects.filter(code__startswith="BENCH-C").order_by("code"))
    rng = random.Random(SEED + 1)
    if REUSE and earlier_plans and existing >= RECEIPTS:
        print(
            f"\n2. Double-assistance check with the {existing:,} receipts and "
            f"{CandidatePair.objects.count():,} linked household pairs already loaded"
        )
        plans = earlier_plans
    else:
        plans = load_receipts(world, registry, existing, rng)
    print(f"   load average now: {', '.join(f'{value:.1f}' for value in os.getloadavg())}")

    cycle = plans[len(plans) // 2].cycle
    runs = AssistancePlan.objects.filter(code__startswith="BENCH-TIMED").count()
    timed_plan = new_plan(world, f"BENCH-TIMED-{runs}", cycle, datetime.date(2026, 1, 1))
    rng = random.Random(SEED + 100 + runs)  # other households than a previous run's
    item = timed_plan.items.get()
    reporter = world["reporter"]
    households = {
        household.pk: household
        for household in Household.objects.filter(
            pk__in=rng.sample(list(registry.household_ids), CALLS * 2)
        )
    }
    order = list(households)
    check_only: list[float] = []
    for household_id in order[CALLS:]:
        seconds, _found = timed(
            lambda household_id=household_id: selectors.earlier_receipt(
                household_id, item.assistance_type, cycle, programme=timed_plan.programme_id
            )
        )
        check_only.append(seconds * 1000)
    accepted: list[float] = []
    refused: list[float] = []
    cpu: list[float] = []
    for household_id in order[:CALLS]:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            services.receipt_record(
                actor=reporter,
                plan=timed_plan,
                item=item,
                household=households[household_id],
                received_on=datetime.date(2026, 1, 15),
                id_checked=True,
            )
        except services.AlreadyAssisted:
            refused.append((time.perf_counter() - started) * 1000)
        else:
            accepted.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    print(f"   receipt_record, whole call (ms):  {percentiles(accepted + refused)}")
    print(f"     of it this process's CPU (ms):  {percentiles(cpu)}")
    print(f"     recorded (ms):                  {percentiles(accepted)}")
    print(f"     refused as double assistance:   {percentiles(refused)}")
    print(f"   the check alone, earlier_receipt: {percentiles(check_only)}")
    calls = sorted(accepted + refused)
    p95 = calls[min(len(calls) - 1, round(0.95 * (len(calls) - 1)))] if calls else 0.0
    print(f"   target p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'} ({p95:.1f} ms)")
    print_query_costs(timed_plan, item, reporter, order[CALLS:])


def print_query_costs(plan: AssistancePlan, item: Any, reporter: Any, household_ids: list) -> None:
    """What a call costs whatever the machine's load: its queries, and the database's own
    time for them; beside it the round trip of ``SELECT 1`` now (the floor per query)."""
    from django.test.utils import CaptureQueriesContext

    round_trips = []
    with connection.cursor() as cursor:
        for _ in range(100):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            round_trips.append((time.perf_counter() - started) * 1000)
    print(f"   round trip of SELECT 1 now (ms):  {percentiles(round_trips)}")
    outcomes: dict[str, list[int]] = {"recorded": [], "refused": []}
    for household in Household.objects.filter(pk__in=household_ids[:40]):
        with CaptureQueriesContext(connection) as captured:
            try:
                services.receipt_record(
                    actor=reporter,
                    plan=plan,
                    item=item,
                    household=household,
                    received_on=datetime.date(2026, 1, 16),
                )
            except services.AlreadyAssisted:
                outcomes["refused"].append(len(captured.captured_queries))
            else:
                outcomes["recorded"].append(len(captured.captured_queries))
    for outcome, counts in outcomes.items():
        if counts:
            print(
                f"   queries per {outcome} call: {statistics.median(counts):.0f} "
                f"(min {min(counts)}, max {max(counts)}; savepoints and BEGIN/COMMIT included)"
            )


def main() -> int:
    print(
        f"load average: {', '.join(f'{value:.1f}' for value in os.getloadavg())} on "
        f"{os.cpu_count()} CPUs (figures are wall time; a busy machine inflates them)"
    )
    print(
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
        f"households {HOUSEHOLDS:,}, receipts {RECEIPTS:,}, quota {QUOTA:,}, calls {CALLS}"
    )
    if REUSE and Household.objects.exists():
        call_command("migrate", interactive=False, verbosity=0)  # the code may have moved on
        world, registry = reuse()
        print(f"reusing the {len(registry.household_ids):,} households loaded before")
        if "receipts" not in SKIP:
            bench_receipts(world, registry)
        return 0
    world = prepare()
    area_ids = [district.pk for district in world["districts"]]
    seconds, registry = timed(
        lambda: generate.households(
            HOUSEHOLDS,
            organisation_id=world["ngo"].pk,
            area_ids=area_ids,
            seed=SEED,
            as_of=AS_OF,
        )
    )
    print(
        f"generated {len(registry.household_ids):,} households and {registry.persons:,} "
        f"members in {seconds:.1f} s"
    )
    if "selection" not in SKIP:
        bench_selection(world, registry)
    if "receipts" not in SKIP:
        bench_receipts(world, registry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
