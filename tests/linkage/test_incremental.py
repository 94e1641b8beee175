"""Incremental runs over the kept registry: the snapshot's parts (a base written once, a small
delta and the base rows it replaces), what they make of edits, merges and deactivations, and
the scoring of new records against them, which must find what scoring against the whole
registry finds."""

import datetime

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from django.db import connection

from marsad.linkage import runs
from marsad.linkage.model import PersonLinkage, PreparedRecords
from marsad.linkage.models import CandidatePair, RunStatus
from marsad.linkage.runs import incremental, snapshot
from marsad.registry import services as registry
from marsad.registry.models import Person
from tests.linkage.synthetic import generate
from tests.linkage.test_runs import (  # noqa: F401 (synthetic: a fixture)
    copies,
    default_model,
    origin_areas,
    register_records,
    synthetic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def linkage_cache(settings, tmp_path, monkeypatch):
    """Each test keeps its prepared registry in its own directory; a change is looked for
    from the moment the last snapshot was read (no margin: the tests' clocks agree)."""
    settings.MARSAD_LINKAGE_CACHE_DIR = str(tmp_path / "linkage")
    settings.MARSAD_LINKAGE_AUTO_LINK = 0.99
    settings.MARSAD_LINKAGE_REVIEW = 0.8
    monkeypatch.setattr(snapshot, "REFRESH_MARGIN", datetime.timedelta(0))
    monkeypatch.setattr(snapshot, "CLOCK_MARGIN", datetime.timedelta(0))


def rows_of(table) -> dict[str, dict]:
    return {row["record_id"]: row for row in table.to_pylist()}


def pairs_of(run) -> set[tuple[int, int]]:
    return set(CandidatePair.objects.filter(run=run).values_list("left_id", "right_id"))


def given_name_label(pair: CandidatePair) -> str:
    return next(item["label"] for item in pair.evidence if item["field"] == "given_name")


# --- the kept registry -----------------------------------------------------------------------


def test_a_refresh_writes_the_changes_beside_the_base_and_leaves_the_base_alone(ngo, areas):
    people = register_records(copies(3), ngo, areas["karkh"], {})
    first = snapshot.registry_snapshot()
    base = first.path("base")
    written = base.stat().st_mtime_ns
    person = Person.objects.get(pk=people["C1"])
    registry.person_update(actor=None, instance=person, data={"given_name": "Haidar"})
    (new,) = register_records(copies(1, record_id="N"), ngo, areas["karkh"], {}).values()
    later = snapshot.registry_snapshot(refresh_ids=[new])
    assert (later.rebuilt, later.prepared, later.record_count) == (False, 2, 4)
    assert later.parts["base"] == first.parts["base"]
    assert base.stat().st_mtime_ns == written
    assert set(rows_of(pq.read_table(later.path("delta")))) == {str(people["C1"]), str(new)}
    assert set(rows_of(pq.read_table(later.path("dropped")))) == {str(people["C1"])}
    rows = rows_of(later.table)
    assert set(rows) == {*(str(pk) for pk in people.values()), str(new)}
    assert rows[str(people["C1"])]["given_norm"] == "haidar"
    # the last manifest's parts only: the first delta and dropped rows are gone
    assert sorted(path.name for path in later.directory.glob("*.parquet")) == sorted(
        later.parts.values()
    )


def test_rows_seen_in_the_margin_are_prepared_again_only_when_they_changed(ngo, areas, monkeypatch):
    """A row stamped within the margin before a snapshot may commit after it: the next
    refresh looks at it again, and prepares its person unless the row is as that snapshot saw
    it."""
    monkeypatch.setattr(snapshot, "REFRESH_MARGIN", datetime.timedelta(hours=1))
    monkeypatch.setattr(snapshot, "CLOCK_MARGIN", datetime.timedelta(hours=1))
    people = register_records(copies(3), ngo, areas["karkh"], {})
    first = snapshot.registry_snapshot()
    assert first.rebuilt
    again = snapshot.registry_snapshot()  # everything is in the margin, as it was seen
    assert (again.rebuilt, again.prepared) == (False, 0)
    # written after the snapshot, stamped before it (a transaction that committed late)
    Person.objects.filter(pk=people["C1"]).update(
        given_name="Haidar", updated_at=again.taken_at - datetime.timedelta(seconds=1)
    )
    later = snapshot.registry_snapshot()
    assert later.prepared == 1
    assert rows_of(later.table)[str(people["C1"])]["given_norm"] == "haidar"
    assert snapshot.registry_snapshot().prepared == 0


def test_merged_and_deactivated_persons_leave_the_kept_registry(ngo, areas):
    people = register_records(copies(4), ngo, areas["karkh"], {})
    snapshot.registry_snapshot()
    survivor, merged = Person.objects.get(pk=people["C0"]), Person.objects.get(pk=people["C1"])
    registry.person_merge(actor=None, survivor=survivor, merged=merged)
    # changed without a time stamp (a bulk update, a deletion): found by comparing the ids
    Person.objects.filter(pk=people["C2"]).update(is_active=False)
    later = snapshot.registry_snapshot()
    assert set(rows_of(later.table)) == {str(people["C0"]), str(people["C3"])}
    assert later.record_count == 2
    Person.objects.filter(pk=people["C2"]).update(is_active=True)
    again = snapshot.registry_snapshot()
    assert (again.prepared, again.record_count) == (1, 3)
    assert set(rows_of(again.table)) == {str(people["C0"]), str(people["C2"]), str(people["C3"])}


def test_the_changes_are_folded_into_a_new_base_when_they_grow(ngo, areas, monkeypatch):
    people = register_records(copies(4), ngo, areas["karkh"], {})
    first = snapshot.registry_snapshot()
    monkeypatch.setattr(snapshot, "COMPACT_MIN_ROWS", 0)
    monkeypatch.setattr(snapshot, "COMPACT_SHARE", 0.6)  # more than 2.4 rows of changes
    person = Person.objects.get(pk=people["C1"])
    registry.person_update(actor=None, instance=person, data={"given_name": "Haidar"})
    small = snapshot.registry_snapshot()  # a delta row and a dropped one: kept beside the base
    assert small.parts["base"] == first.parts["base"]
    person = Person.objects.get(pk=people["C2"])
    registry.person_update(actor=None, instance=person, data={"given_name": "Ali"})
    folded = snapshot.registry_snapshot()  # two delta and two dropped rows: a new base
    assert folded.parts["base"] != first.parts["base"]
    assert (pq.read_table(folded.path("delta")).num_rows, folded.record_count) == (0, 4)
    assert not first.path("base").exists()
    rows = rows_of(pq.read_table(folded.path("base")))
    assert (rows[str(people["C1"])]["given_norm"], rows[str(people["C2"])]["given_norm"]) == (
        "haidar",
        "ali",
    )
    assert rows_of(folded.table).keys() == rows.keys()


def kept_and_rebuilt() -> tuple[list[dict], list[dict]]:
    """The kept registry brought up to date, and read again from the database, row by row."""
    kept = snapshot.registry_snapshot()
    assert not kept.rebuilt
    kept_rows = sorted(kept.table.to_pylist(), key=lambda row: row["record_id"])
    kept_counts = kept.frequencies(snapshot.COUNTED_COLUMNS).to_pylist()
    rebuilt = snapshot.registry_snapshot(rebuild=True)
    assert kept_counts == rebuilt.frequencies(snapshot.COUNTED_COLUMNS).to_pylist()
    return kept_rows, sorted(rebuilt.table.to_pylist(), key=lambda row: row["record_id"])


def test_the_kept_registry_is_what_a_rebuild_reads(ngo, areas):
    """Blocking copies and value counts over the base, the dropped rows and the delta are
    those of the whole registry read again: a phone held by one person too many stops making
    a block, in the base's rows too, and makes one again when one of them is merged away."""
    origins = origin_areas(areas["country"])
    shared = "07700000001"
    people = register_records(
        copies(snapshot.BLOCK_VALUE_LIMIT, phone=shared), ngo, areas["karkh"], origins
    )
    first = snapshot.registry_snapshot()
    assert {row["phone_block"] for row in first.table.to_pylist()} == {"7700000001"}
    register_records(copies(1, record_id="N", phone=shared), ngo, areas["karkh"], origins)
    person = Person.objects.get(pk=people["C2"])
    registry.person_update(actor=None, instance=person, data={"given_name": "Haidar"})
    kept, rebuilt = kept_and_rebuilt()
    assert kept == rebuilt
    assert {row["phone_block"] for row in kept} == {None}
    merged = Person.objects.get(pk=people["C1"])
    registry.person_merge(actor=None, survivor=Person.objects.get(pk=people["C0"]), merged=merged)
    kept, rebuilt = kept_and_rebuilt()
    assert kept == rebuilt
    assert {row["phone_block"] for row in kept} == {"7700000001"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL lists transactions")
def test_changes_are_looked_for_from_the_oldest_open_transaction(ngo, areas):
    """A row stamped before the snapshot but committed after it comes from a transaction
    open while the snapshot was read: the next refresh looks from when that one began."""
    config = connection.settings_dict
    other = psycopg.connect(
        dbname=config["NAME"],
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT now()")  # opens the transaction
            (began,) = cursor.fetchone()
        taken_at = began + datetime.timedelta(minutes=5)
        assert snapshot._changes_from(taken_at) <= began
    finally:
        other.rollback()
        other.close()
    taken_at = datetime.datetime.now(datetime.UTC)
    assert snapshot._changes_from(taken_at) == taken_at  # none open: from the snapshot on


# --- incremental runs ------------------------------------------------------------------------


def test_a_person_edited_after_the_snapshot_is_compared_with_their_new_values(ngo, areas):
    origins = origin_areas(areas["country"])
    people = register_records(
        [*copies(1, record_id="A"), *copies(1, record_id="B", given_name="سلمان")],
        ngo,
        areas["karkh"],
        origins,
    )
    default_model()
    first = snapshot.registry_snapshot()
    # A becomes Salman, as the new registration is; B, who was, becomes Karim
    registry.person_update(
        actor=None, instance=Person.objects.get(pk=people["A0"]), data={"given_name": "سلمان"}
    )
    registry.person_update(
        actor=None, instance=Person.objects.get(pk=people["B0"]), data={"given_name": "كريم"}
    )
    (new,) = register_records(
        copies(1, record_id="N", given_name="سلمان"), ngo, areas["karkh"], origins
    ).values()
    run = runs.run_incremental(actor=None, person_ids=[new])
    assert run.status == RunStatus.FINISHED, run.message
    assert pairs_of(run) == {(people["A0"], new)}
    pair = CandidatePair.objects.get(run=run)
    assert given_name_label(pair) == "agrees: same spelling"
    assert snapshot.registry_snapshot().parts["base"] == first.parts["base"]


def test_a_merged_or_deactivated_person_is_not_a_candidate(ngo, areas):
    origins = origin_areas(areas["country"])
    people = register_records(copies(3), ngo, areas["karkh"], origins)
    default_model()
    snapshot.registry_snapshot()
    registry.person_merge(
        actor=None,
        survivor=Person.objects.get(pk=people["C0"]),
        merged=Person.objects.get(pk=people["C1"]),
    )
    Person.objects.filter(pk=people["C2"]).update(is_active=False)  # no time stamp
    (new,) = register_records(copies(1, record_id="N"), ngo, areas["karkh"], origins).values()
    run = runs.run_incremental(actor=None, person_ids=[new])
    assert run.status == RunStatus.FINISHED, run.message
    assert (run.records, run.pairs_scored) == (1, 1)
    assert pairs_of(run) == {(people["C0"], new)}


def with_birth_year_frequencies(model: dict) -> dict:
    """``model`` with a term-frequency adjustment on a column that is not counted."""
    for comparison in model["comparisons"]:
        if comparison["output_column_name"] == "birth_date":
            for level in comparison["comparison_levels"]:
                if level["label_for_charts"] == "agrees: same year":
                    level.update(tf_adjustment_column="birth_year", tf_adjustment_weight=1.0)
    return model


@pytest.mark.parametrize(
    ("tf_on_birth_year", "plain_rules"), [(False, True), (True, True), (False, False)]
)
def test_new_records_are_scored_as_against_the_whole_registry(
    ngo, areas, monkeypatch, tf_on_birth_year, plain_rules
):
    """The candidates, the kept term frequencies and the parts give the pairs, weights and
    term-frequency adjustments of ``predict_between`` against the whole registry with term
    frequencies counted over it; so does the whole kept registry, which is scored against
    when the blocking rules are not plain conditions."""
    if not plain_rules:
        monkeypatch.setattr(incremental, "plain_rules", lambda model: None)
    records, _truth = generate(seed=3, clans=10)
    origins = origin_areas(areas["country"])
    registered = register_records(
        [r for r in records if r["source"] == "modm"], ngo, areas["karkh"], origins
    )
    model = default_model().model
    if tf_on_birth_year:
        model = with_birth_year_frequencies(model)
        assert "birth_year" in incremental.tf_columns(model)
    snapshot.registry_snapshot()
    pks = sorted(registered.values())
    registry.person_merge(
        actor=None, survivor=Person.objects.get(pk=pks[0]), merged=Person.objects.get(pk=pks[1])
    )
    registry.person_update(
        actor=None, instance=Person.objects.get(pk=pks[2]), data={"given_name": "محمد"}
    )
    arriving = [r for r in records if r["source"] != "modm"][:30]
    new = sorted(register_records(arriving, ngo, areas["karkh"], origins).values())
    kept = snapshot.registry_snapshot(refresh_ids=new)
    assert not kept.rebuilt
    ours = incremental.IncrementalLinkage(kept, model, new)
    predictions = ours.predict()
    if plain_rules:
        assert ours.execute("SELECT count(*) FROM candidates")[0][0] < kept.record_count
    else:
        assert ours.input.physical_name == "registry"
    columns = [name for name, *_rest in ours.execute(f"DESCRIBE {predictions.physical_name}")]
    assert "mw_tf_adj_given_name" in columns
    assert ("tf_birth_year_l" in columns) is tf_on_birth_year
    assert "tf_given_norm_r" in columns
    # every column: the pair, the values compared, the levels, term frequencies and weights
    select = f"SELECT {', '.join(columns)} FROM "  # noqa: S608
    found = ours.execute(select + predictions.physical_name)

    table = kept.table
    whole = PersonLinkage(PreparedRecords(table=table, record_count=table.num_rows), model=model)
    for column in incremental.tf_columns(model):
        whole.linker.table_management.compute_tf_table(column)
    arriving_rows = table.filter(
        pc.is_in(table.column("record_id"), value_set=pa.array([str(pk) for pk in new]))
    )
    expected = whole.linker.inference.predict_between(
        whole.db_api.register(arriving_rows, dataset_display_name="new_persons"),
        whole.input,
        warning_mode="never",
    )
    wanted = whole.execute(select + expected.physical_name)
    assert len(found) == len(wanted) > len(new)
    assert sorted(found, key=repr) == sorted(wanted, key=repr)


@pytest.mark.usefixtures("synthetic")
def test_a_full_run_leaves_the_kept_registry_as_its_links_left_it():
    run = runs.run_full(actor=None)
    assert run.status == RunStatus.FINISHED, run.message
    assert Person.objects.filter(is_active=False).exists()  # the run merged some records
    kept = snapshot.registry_snapshot()
    assert (kept.rebuilt, kept.prepared) == (False, 0)
    active = {str(pk) for pk in Person.objects.filter(is_active=True).values_list("pk", flat=True)}
    assert set(rows_of(kept.table)) == active


def test_the_panels_term_frequencies_come_from_the_kept_counts(ngo, areas):
    people = register_records(copies(3), ngo, areas["karkh"], {})
    register_records(copies(2, record_id="K", given_name="كريم"), ngo, areas["karkh"], {})
    snapshot.registry_snapshot()
    registry.person_update(
        actor=None, instance=Person.objects.get(pk=people["C1"]), data={"given_name": "كريم"}
    )
    kept = snapshot.registry_snapshot()
    columns = ["given_norm", "father_key", "phone"]
    snapshot.write_snapshot_frequencies(kept, columns)
    from_counts = snapshot.read_term_frequencies()
    snapshot.write_term_frequencies(kept.table, columns)
    assert from_counts == snapshot.read_term_frequencies()
    counts, totals = from_counts
    assert (counts[("given_norm", "كريم")], totals["given_norm"]) == (3, 5)


def test_plain_rules_are_used_as_join_conditions_and_others_fall_back():
    model = {
        "blocking_rules_to_generate_predictions": [
            "l.a = r.a",
            {"blocking_rule": "l.b = r.b", "sql_dialect": "duckdb"},
        ]
    }
    assert incremental.plain_rules(model) == ["l.a = r.a", "l.b = r.b"]
    model["blocking_rules_to_generate_predictions"].append(
        {"blocking_rule": "l.c = r.c", "salting_partitions": 4}
    )
    assert incremental.plain_rules(model) is None
    assert incremental.plain_rules({"blocking_rules_to_generate_predictions": []}) is None
