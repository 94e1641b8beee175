"""Record linkage at registry scale: bulk load, full run, incremental run, the duplicates panel.

Generates a registry of BENCH_PERSONS person records (default 1,000,000) with known truth
(``marsad.registry.generator``: Arabic ministry registrations, about one person in eight
registered again from Latin-script distribution and partner lists, siblings, cousins and twins
as hard negatives), loads it with COPY (``bulk_load``: benchmark data only, no audit log), and
prints each figure beside its target (issue 4):

- load time (target: minutes, not hours);
- the blocking of Marsad's model: pairs per record, reduction ratio, pair completeness;
- the full run (``marsad.linkage.runs.run_full``: training and prediction): wall time, peak
  memory (target <= 8 GB), pairs per record, cluster-pairwise precision (target >= 0.98),
  recall and F1 (target >= 0.95) of the auto-linked pairs;
- a plain Splink configuration on the same records in the same process (``reference``): its
  time and quality, and the ratio of Marsad's time to it (target < 1);
- an incremental run of a new batch of BENCH_BATCH records (default 10,000; target well under
  60 s), beside the plain model's ``predict_between`` on the same batch;
- ``marsad.linkage.matching.find_duplicates`` latency p50/p95/p99 over 200 typed records
  (target < 200 ms) and how often the true person is among the candidates, beside the
  registry's key-based panel.

Parts whose code is not there yet (``marsad.linkage.runs``, ``matching``) print "not
available yet"; meanwhile the model is measured through ``marsad linkage dedupe`` on the same
file (BENCH_DEDUPE=1 forces that, 0 skips it). BENCH_SKIP leaves steps out, e.g.
BENCH_SKIP=full,incremental (steps: blocking, full, dedupe, plain, plain_same_blocking,
incremental, panel, febrl). ``febrl.py`` runs the FEBRL3/FEBRL4 step on its own.

Uses a PostgreSQL database it empties: BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/marsad_bench_linkage (a sqlite:/// URL works for small
sizes). BENCH_PERSONS=20000 is the quick look (about two minutes). Its files (the records as a
black-box CSV, DuckDB's spill) go to a temporary folder removed at the end (BENCH_KEEP_FILES=1
keeps it); BENCH_DUCKDB_MEMORY caps the references' DuckDB (default 6GB). BENCH_PROGRESS=1
prints each step of the runs with the seconds since the start.

BENCH_REUSE=1 keeps the registry an earlier run of the same BENCH_PERSONS loaded (and the model
it put in use): nothing is emptied or loaded, the truth is read back from its table and the
generator is replayed to the same state, so BENCH_REUSE=1 with every step but ``panel`` in
BENCH_SKIP measures the panel again in minutes instead of an hour (the steps that read the
records' black-box CSV — blocking, dedupe, plain — need a fresh load).

The incremental step can be measured again the same way (BENCH_REUSE=1, every step but
``incremental`` skipped): on PostgreSQL it first keeps a copy of the database as it was before
the batch (the database ``<name>_before_batch``, made from it as a template, and a copy of the
linkage run files beside theirs), and a later BENCH_REUSE=1 run puts that copy back before
loading the same batch again, so each measurement starts from the full run's state.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

PERSONS = int(os.environ.get("BENCH_PERSONS", "1000000"))
BATCH = int(os.environ.get("BENCH_BATCH", "10000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "200"))
DEDUPE = os.environ.get("BENCH_DEDUPE", "auto")
SKIP = os.environ.get("BENCH_SKIP", "")  # e.g. "full,incremental": steps left out
SEED = 2008

os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/marsad_bench_linkage"
)
os.environ.setdefault("MARSAD_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsad.settings")

import django  # noqa: E402

django.setup()

import csv  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import importlib.util  # noqa: E402
import traceback  # noqa: E402
from array import array  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

from bulk_load import SEX, TRUTH_TABLE, Truth, create_truth_table, load  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from reference import (  # noqa: E402
    PlainRun,
    model_blocking,
    plain_incremental,
    plain_on_marsad_columns,
    plain_splink,
)
from scoring import (  # noqa: E402
    PeakMemory,
    cluster_scores,
    clusters_from_links,
    links_of,
    percentile,
    read_clusters,
)

from marsad.accounts.models import Membership, User  # noqa: E402
from marsad.linkage.model import INPUT_COLUMNS  # noqa: E402
from marsad.partners.models import Organisation, OrganisationKind  # noqa: E402
from marsad.registry.generator import Registry, Row  # noqa: E402

NOT_YET = "not available yet"


def available(module: str, *names: str) -> Any:
    """The module if its code is there with ``names``, else None (parts of issue 4 still
    being written)."""
    if importlib.util.find_spec(module) is None:
        return None
    found = importlib.import_module(module)
    return found if all(hasattr(found, name) for name in names) else None


REUSE = os.environ.get("BENCH_REUSE") == "1"


def reused() -> tuple[Organisation, User] | None:
    """The organisation and registrar of an earlier load of as many persons, or None."""
    from django.db.utils import ProgrammingError

    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TRUTH_TABLE} WHERE part = 'base'")
            loaded = cursor.fetchone()[0]
    except ProgrammingError:
        return None
    organisation = Organisation.objects.filter(code="MODM").first()
    registrar = User.objects.filter(username="bench-registrar").first()
    # The generator finishes the last household, so a load holds a few more than PERSONS.
    if not PERSONS <= loaded < PERSONS + 1000 or organisation is None or registrar is None:
        return None
    return organisation, registrar


def prepare() -> tuple[Organisation, User]:
    if REUSE:
        earlier = reused()
        if earlier is None:  # never empty a database the caller asked to keep
            sys.exit(
                f"BENCH_REUSE=1, but this database holds no earlier load of {PERSONS:,} persons;"
                " run without BENCH_REUSE to load one."
            )
        return earlier
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # a database it may empty
    with open(os.devnull, "w") as quiet:
        call_command("geo", "load-reference", stdout=quiet)
    organisation = Organisation.objects.create(
        code="MODM", kind=OrganisationKind.GOVERNMENT_MINISTRY, name_en="Ministry of Displacement"
    )
    registrar = User.objects.create(username="bench-registrar")
    Membership.objects.create(user=registrar, organisation=organisation, role="case_worker")
    create_truth_table()
    return organisation, registrar


_PROGRESS_STARTED = time.perf_counter()


def _progress(*args: Any, **kwargs: Any) -> None:
    """Progress of a run: shown with the seconds since the bench began when BENCH_PROGRESS=1
    (where the time of a step goes); otherwise the bench prints only its own figures."""
    if os.environ.get("BENCH_PROGRESS") == "1":
        message = " ".join(str(arg) for arg in args if isinstance(arg, str)) or kwargs
        print(f"    [{time.perf_counter() - _PROGRESS_STARTED:7.1f} s] {message}", flush=True)


def _csv_writer(path: Path) -> tuple[Any, Any]:
    handle = path.open("w", encoding="utf-8", newline="")
    writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    return handle, writer


def _ratio(ours: float, reference: float) -> str:
    return f"{ours / reference:.2f}" if reference else "n/a"


def _gb(meter: PeakMemory) -> str:
    return f"{meter.gigabytes:.2f} GB"


SWEEP = (0.8, 0.9, 0.95, 0.98, 0.99, 0.995)


def threshold_sweep(run: Any, truth: Any, true_pairs: int) -> list[tuple[float, str]]:
    """Cluster-pairwise scores of the run's written pairs at each threshold of ``SWEEP``."""
    from marsad.linkage.models import CandidatePair

    scored = list(
        CandidatePair.objects.filter(run=run).values_list(
            "left_id", "right_id", "match_probability"
        )
    )
    lines = []
    for threshold in SWEEP:
        links = [(left, right) for left, right, p in scored if p >= threshold]
        lines.append(
            (
                threshold,
                cluster_scores(clusters_from_links(links), truth, true_pairs=true_pairs).line(),
            )
        )
    return lines


def run_links(run: Any) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(auto-linked pairs, pairs sent to review) of a linkage run."""
    from marsad.linkage.models import CandidatePair, PairStatus

    pairs = CandidatePair.objects.filter(run=run).values_list("left_id", "right_id", "status")
    links = [(left, right) for left, right, status in pairs if status == PairStatus.AUTO_LINKED]
    review = [(left, right) for left, right, status in pairs if status == PairStatus.REVIEW]
    return links, review


def typed_record(row: Row) -> dict[str, Any]:
    """A row as an officer types it into the registration form."""
    cells = row.cells
    birth = cells["birth_date"]
    if len(birth) == 4:
        birth_date, precision = datetime.date(int(birth), 7, 1), "year"
    else:
        birth_date = datetime.date.fromisoformat(birth) if birth else None
        precision = "day"
    return {
        "given_name": cells["given_name"],
        "father_name": cells["father_name"],
        "grandfather_name": cells["grandfather_name"],
        "family_name": cells["family_name"],
        "mother_name": cells["mother_name"],
        "sex": SEX.get(cells["sex"], ""),
        "birth_date": birth_date,
        "birth_date_precision": precision,
        "document_number": cells["national_id"],
        "phone": cells["phone"],
    }


def panel_latency(
    label: str, finder: Any, user: User, queries: list[Row], records_of: dict[int, set[int]]
) -> None:
    """Time ``finder(user, data, limit=10)`` on each typed record; say how often a record of
    the true person (when registered) is the first candidate or among the ten."""
    # The bench holds the generator's and the truth's millions of objects, which a web worker
    # does not: frozen, the garbage collector stops walking them in the middle of a query.
    gc.collect()
    gc.freeze()
    begin = time.perf_counter()
    finder(user, typed_record(queries[0]), limit=10)  # warm-up: loads the model and caches
    warm_up = (time.perf_counter() - begin) * 1000
    samples, first, among, known, unanswered = [], 0, 0, 0, 0
    for row in queries:
        data = typed_record(row)
        begin = time.perf_counter()
        candidates = finder(user, data, limit=10)
        samples.append((time.perf_counter() - begin) * 1000)
        if candidates is None:  # the finder cannot answer (no model in use)
            unanswered += 1
            candidates = []
        expected = records_of.get(row.person_id)
        if expected:
            known += 1
            found = [getattr(c, "person", c) for c in candidates]
            pks = [getattr(p, "pk", p) for p in found]
            first += bool(pks) and pks[0] in expected
            among += any(pk in expected for pk in pks)
    print(
        f"  {label}: p50 {percentile(samples, 0.5):.1f} ms, p95 {percentile(samples, 0.95):.1f}"
        f" ms, p99 {percentile(samples, 0.99):.1f} ms over {len(samples)} records"
        f" (target < 200 ms; first call {warm_up:.0f} ms); true person first {first}/{known},"
        f" among 10 {among}/{known}"
        + (f"; {unanswered} not answered (no model in use?)" if unanswered else "")
    )


@dataclass
class Bench:
    """What the steps share: the registry loaded so far, its truth and the runs' results."""

    organisation: Organisation
    registrar: User
    workdir: Path
    registry: Registry = field(default_factory=lambda: Registry(seed=SEED))
    truth: Truth = field(default_factory=Truth)
    base_csv: Path = Path()
    base_records: int = 0
    base_persons: Counter = field(default_factory=Counter)
    true_pairs: int = 0
    full_links: list[tuple[int, int]] = field(default_factory=list)
    ours_seconds: float | None = None
    plain: PlainRun | None = None
    skipped: set[str] = field(default_factory=set)


def step_reload(bench: Bench) -> None:
    """Replay the generator and read the truth of an earlier load back (BENCH_REUSE=1)."""
    begin = time.perf_counter()
    for _row in bench.registry.rows(PERSONS):  # the generator's state: clans used, numbers
        pass
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT person_id, true_person FROM {TRUTH_TABLE} WHERE part = 'base'"
            " ORDER BY person_id"
        )
        found = cursor.fetchall()
    bench.truth.add(found[0][0], array("q", (person for _pk, person in found)))
    bench.base_records = len(found)
    bench.base_persons = Counter(person for _pk, person in found)
    bench.true_pairs = true_pair_count_delta(Counter(), bench.base_persons)
    print(
        f"reused the registry loaded earlier: {len(found):,} persons, {bench.true_pairs:,} true"
        f" pairs (generator replayed in {time.perf_counter() - begin:.0f} s)"
    )


def step_load(bench: Bench) -> None:
    bench.base_csv = bench.workdir / "registry.csv"
    handle, writer = _csv_writer(bench.base_csv)
    with PeakMemory() as meter:
        report = load(
            bench.registry.rows(PERSONS),
            organisation=bench.organisation,
            truth=bench.truth,
            part="base",
            black_box_csv=writer,
        )
    handle.close()
    print(
        f"load: {report.persons:,} persons, {report.households:,} households, "
        f"{report.phones:,} phones, {report.documents:,} documents in {report.seconds:.1f} s "
        f"({report.persons / report.seconds:,.0f} persons/s; peak {_gb(meter)}) "
        f"(target: minutes, not hours)"
    )
    bench.base_records = report.persons
    bench.base_persons = Counter(person for _pk, person in bench.truth.items())
    bench.true_pairs = true_pair_count_delta(Counter(), bench.base_persons)
    duplicated = sum(1 for n in bench.base_persons.values() if n > 1)
    print(
        f"truth: {len(bench.base_persons):,} people, {duplicated:,} registered more than "
        f"once, {bench.true_pairs:,} true pairs"
    )


def step_blocking(bench: Bench) -> None:
    with PeakMemory() as meter:
        blocking = model_blocking(
            bench.base_csv, bench.truth.__getitem__, true_pairs=bench.true_pairs
        )
    print(
        f"blocking (marsad.linkage.model rules): {blocking.pairs:,} pairs, "
        f"{blocking.pairs / blocking.records:.1f} per record, reduction ratio "
        f"{blocking.reduction_ratio:.6f}, pair completeness {blocking.pair_completeness:.4f} "
        f"in {blocking.seconds:.1f} s (peak {_gb(meter)})"
    )


def step_full(bench: Bench) -> None:
    runs = available("marsad.linkage.runs", "run_full")
    if runs is None:
        print(f"full run (marsad.linkage.runs.run_full): {NOT_YET}")
        return
    with PeakMemory() as meter:
        begin = time.perf_counter()
        run = runs.run_full(actor=None, progress=_progress)
        bench.ours_seconds = time.perf_counter() - begin
    links, review = run_links(run)
    bench.full_links = links
    truth, true_pairs = bench.truth.__getitem__, bench.true_pairs
    scores = cluster_scores(clusters_from_links(links), truth, true_pairs=true_pairs)
    with_review = cluster_scores(clusters_from_links(links + review), truth, true_pairs=true_pairs)
    print(
        f"full run: {bench.ours_seconds:.1f} s, peak {_gb(meter)} (target <= 8 GB); "
        f"{run.records:,} records, {run.pairs_scored:,} pairs scored "
        f"({run.pairs_scored / max(run.records, 1):.1f} per record), "
        f"{run.auto_linked:,} auto-linked, {run.to_review:,} to review"
    )
    print(f"  auto-linked: {scores.line()} (target precision >= 0.98, F1 >= 0.95)")
    print(f"  auto-linked + review: recall {with_review.recall:.4f}")
    print("  had the auto-link threshold been (pairs written from the review threshold up):")
    for threshold, line in threshold_sweep(run, truth, true_pairs):
        print(f"    {threshold}: {line}")


def step_dedupe(bench: Bench) -> None:
    """The model through ``marsad linkage dedupe`` on the same records (no database)."""
    from marsad.linkage.dedupe import run_dedupe

    with PeakMemory() as meter:
        begin = time.perf_counter()
        summary = run_dedupe(bench.base_csv, bench.workdir / "dedupe")
        seconds = time.perf_counter() - begin
    scores = cluster_scores(
        read_clusters(bench.workdir / "dedupe" / "clusters.csv"),
        bench.truth.__getitem__,
        true_pairs=bench.true_pairs,
    )
    print(
        f"model alone (marsad linkage dedupe on the same records): {seconds:.1f} s, "
        f"peak {_gb(meter)}, {summary.pairs_scored:,} pairs scored "
        f"({summary.pairs_scored / summary.records:.1f} per record)"
    )
    print(f"  clusters: {scores.line()} (target precision >= 0.98, F1 >= 0.95)")
    if bench.ours_seconds is None:
        bench.ours_seconds = seconds


def step_plain(bench: Bench) -> None:
    with PeakMemory() as meter:
        bench.plain = plain = plain_splink(bench.base_csv)
    scores = cluster_scores(plain.clusters, bench.truth.__getitem__, true_pairs=bench.true_pairs)
    print(
        f"plain Splink (library comparisons on the names as written): {plain.seconds:.1f} s "
        f"(training {plain.train_seconds:.1f} s), peak {_gb(meter)}, "
        f"{plain.pairs_scored:,} pairs kept at >= 0.5"
    )
    print(f"  clusters at 0.95: {scores.line()}")
    if bench.ours_seconds is not None:
        print(
            f"  Marsad / plain Splink wall time: {_ratio(bench.ours_seconds, plain.seconds)} "
            f"(target < 1)"
        )


def step_plain_same_blocking(bench: Bench) -> None:
    with PeakMemory() as meter:
        same = plain_on_marsad_columns(bench.base_csv)
    scores = cluster_scores(same.clusters, bench.truth.__getitem__, true_pairs=bench.true_pairs)
    print(
        f"plain Splink comparisons on Marsad's normalised columns and blocking: "
        f"{same.seconds:.1f} s (preparing and training {same.train_seconds:.1f} s), "
        f"peak {_gb(meter)}, {same.pairs_scored:,} pairs kept at >= 0.5"
    )
    print(f"  clusters at 0.95: {scores.line()}")
    if bench.ours_seconds is not None:
        print(f"  Marsad / this run's wall time: {_ratio(bench.ours_seconds, same.seconds)}")


BEFORE_BATCH = "_before_batch"


def _maintenance(statements: list[str]) -> None:
    """Run ``statements`` on the server's ``postgres`` database (the bench's own database may
    have no connection open while it is copied or replaced)."""
    import psycopg

    config = connection.settings_dict
    connection.close()
    with psycopg.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    ) as maintenance:
        for statement in statements:
            maintenance.execute(statement)


def _before_batch(bench: Bench) -> bool:
    """Keep the registry as it is before the batch (after a full run in this process, or the
    first time), or put back the copy kept earlier (BENCH_REUSE=1 without the full run).
    False, said why, when Marsad's incremental run cannot be measured from the full run's
    state."""
    from marsad.linkage.models import CandidatePair, ModelVersion, PairStatus
    from marsad.linkage.runs.snapshot import cache_dir

    if "full" in bench.skipped and not ModelVersion.objects.filter(is_active=True).exists():
        print("incremental run: skipped (it needs the model of the full run)")
        return False
    if connection.vendor != "postgresql":
        if "full" in bench.skipped:
            print("incremental run: skipped (measured again on PostgreSQL only)")
        return "full" not in bench.skipped
    name = connection.settings_dict["NAME"]
    copy = f"{name}{BEFORE_BATCH}"
    files = cache_dir()
    kept_files = files.with_name(files.name + BEFORE_BATCH)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [copy])
        kept = cursor.fetchone() is not None
        cursor.execute(f"SELECT count(*) FROM {TRUTH_TABLE} WHERE part = 'batch'")
        batch_loaded = cursor.fetchone()[0] > 0
    if "full" in bench.skipped and REUSE and kept:
        begin = time.perf_counter()
        _maintenance(
            [
                f'DROP DATABASE "{name}"',
                f'CREATE DATABASE "{name}" TEMPLATE "{copy}" STRATEGY FILE_COPY',
            ]
        )
        shutil.rmtree(files, ignore_errors=True)
        if kept_files.exists():
            shutil.copytree(kept_files, files)
        print(
            f"registry put back as it was before the batch ({copy}) in "
            f"{time.perf_counter() - begin:.0f} s"
        )
    elif batch_loaded:
        print("incremental run: skipped (a batch is loaded and no copy from before it is kept)")
        return False
    else:
        begin = time.perf_counter()
        _maintenance(
            [
                f'DROP DATABASE IF EXISTS "{copy}"',
                f'CREATE DATABASE "{copy}" TEMPLATE "{name}" STRATEGY FILE_COPY',
            ]
        )
        shutil.rmtree(kept_files, ignore_errors=True)
        if files.exists():
            shutil.copytree(files, kept_files)
        print(
            f"registry kept as it is before the batch ({copy}, for BENCH_REUSE=1) in "
            f"{time.perf_counter() - begin:.0f} s"
        )
    if "full" in bench.skipped:
        bench.full_links = list(
            CandidatePair.objects.filter(status=PairStatus.AUTO_LINKED).values_list(
                "left_id", "right_id"
            )
        )
    return True


def step_incremental(bench: Bench) -> None:
    runs = available("marsad.linkage.runs", "run_incremental")
    measured = runs is not None and _before_batch(bench)
    batch_csv = bench.workdir / "batch.csv"
    handle, writer = _csv_writer(batch_csv)
    report = load(
        bench.registry.batch(BATCH, base_clans=bench.registry.clans_used),
        organisation=bench.organisation,
        truth=bench.truth,
        part="batch",
        black_box_csv=writer,
    )
    handle.close()
    batch_ids = range(report.first_pk, report.last_pk + 1)
    after = bench.base_persons.copy()
    after.update(bench.truth[pk] for pk in batch_ids)
    true_pairs = true_pair_count_delta(bench.base_persons, after)
    new = set(batch_ids)
    truth = bench.truth.__getitem__
    print(
        f"batch: {report.persons:,} records loaded in {report.seconds:.1f} s; "
        f"{true_pairs:,} true pairs involve them (scored: pairs with a new record in the "
        f"clusters of all auto-links so far)"
    )
    seconds = None
    if runs is None:
        print(f"incremental run (marsad.linkage.runs.run_incremental): {NOT_YET}")
    elif measured:
        with PeakMemory() as meter:
            begin = time.perf_counter()
            run = runs.run_incremental(actor=None, person_ids=list(batch_ids), progress=_progress)
            seconds = time.perf_counter() - begin
        links, _review = run_links(run)
        clusters = clusters_from_links(bench.full_links + links)
        scores = cluster_scores(clusters, truth, true_pairs=true_pairs, new=new)
        print(
            f"incremental run: {seconds:.1f} s for {len(batch_ids):,} records against "
            f"{bench.base_records:,} (target well under 60 s), peak {_gb(meter)}; "
            f"{run.pairs_scored:,} pairs scored, {run.auto_linked:,} auto-linked"
        )
        print(f"  new records: {scores.line()}")
    if bench.plain is None:
        return
    plain_seconds, plain_links = plain_incremental(bench.plain.model, bench.base_csv, batch_csv)
    clusters = clusters_from_links(links_of(bench.plain.clusters) + plain_links)
    scores = cluster_scores(clusters, truth, true_pairs=true_pairs, new=new)
    print(
        f"plain Splink predict_between + predict_within on the batch: {plain_seconds:.1f} s; "
        f"{scores.line()}"
    )
    if seconds is not None:
        print(f"  Marsad / plain Splink incremental time: {_ratio(seconds, plain_seconds)}")


def step_panel(bench: Bench) -> None:
    """The registration form's duplicates panel, over records typed in either script."""
    from marsad.registry import selectors

    records_of: dict[int, set[int]] = {}
    for pk, person in bench.truth.items():
        records_of.setdefault(person, set()).add(pk)
    registry = bench.registry
    queries = list(
        registry.batch(QUERIES, base_clans=registry.clans_used, repeat_share=0.5, number=1)
    )[:QUERIES]
    print(f"duplicates panel over {len(queries)} typed records:")
    matching = available("marsad.linkage.matching", "find_duplicates")
    if matching is None:
        print(f"  marsad.linkage.matching.find_duplicates: {NOT_YET}")
    else:
        panel_latency(
            "find_duplicates", matching.find_duplicates, bench.registrar, queries, records_of
        )
    with override_settings(MARSAD_DUPLICATE_FINDER=""):
        panel_latency(
            "registry key rules (reference)",
            selectors.possible_duplicates,
            bench.registrar,
            queries,
            records_of,
        )


def step_febrl(bench: Bench) -> None:
    """The FEBRL3 and FEBRL4 test sets (``febrl.py``): F1 >= 0.995, beside plain Splink."""
    import febrl

    for result in (febrl.run_febrl3(), febrl.run_febrl4()):
        print(febrl.report(result))


STEPS = {
    "blocking": step_blocking,
    "full": step_full,
    "dedupe": step_dedupe,
    "plain": step_plain,
    "plain_same_blocking": step_plain_same_blocking,
    "incremental": step_incremental,
    "panel": step_panel,
    "febrl": step_febrl,
}


def main() -> int:
    started = time.perf_counter()
    organisation, registrar = prepare()
    workdir = Path(tempfile.mkdtemp(prefix="marsad-bench-linkage-"))
    skipped = {name.strip() for name in SKIP.split(",") if name.strip()}
    if DEDUPE == "0" or (DEDUPE == "auto" and available("marsad.linkage.runs", "run_full")):
        skipped.add("dedupe")
    print(
        f"database: {connection.vendor}; {PERSONS:,} person records, batch {BATCH:,}; "
        f"files in {workdir}" + (f"; skipped: {', '.join(sorted(skipped))}" if skipped else "")
    )
    os.environ["BENCH_DUCKDB_TEMP"] = str(workdir / "duckdb")  # where DuckDB spills
    bench = Bench(organisation=organisation, registrar=registrar, workdir=workdir, skipped=skipped)
    try:
        if REUSE:
            step_reload(bench)
        else:
            step_load(bench)
        for name, step in STEPS.items():
            if name in skipped:
                continue
            try:
                step(bench)
            except Exception:
                traceback.print_exc()
                print(f"{name}: FAILED (see above)")
    finally:
        if os.environ.get("BENCH_KEEP_FILES") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0


def true_pair_count_delta(before: Counter, after: Counter) -> int:
    """True pairs that the records added between ``before`` and ``after`` take part in."""
    return sum(
        n * (n - 1) // 2 - before.get(person, 0) * (before.get(person, 0) - 1) // 2
        for person, n in after.items()
        if n > 1 and n != before.get(person, 0)
    )


if __name__ == "__main__":
    sys.exit(main())
