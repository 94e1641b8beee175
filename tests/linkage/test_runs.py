"""Linkage runs over the registry: a full run trains and versions a model, writes candidate
pairs and links clusters; decisions are respected by later runs; an incremental run matches new
registrations; registering persons queues one when a model is in use.

The registry is loaded from ``synthetic`` through ``registry.services.household_register``
(one household per record, each row kept as its source record), so the truth is known."""

import copy
import datetime
import re
from collections.abc import Iterable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from marsad.core.models import TaskRun, TaskStatus
from marsad.geo.models import AreaLevel
from marsad.linkage import runs, services, tasks
from marsad.linkage.model import PersonLinkage, households
from marsad.linkage.model import settings as model_settings
from marsad.linkage.model.notes import Note, gettext_noop
from marsad.linkage.models import (
    CandidatePair,
    LinkageRun,
    ModelVersion,
    PairStatus,
    PendingMatch,
    RunKind,
    RunStatus,
)
from marsad.linkage.runs import autolink, engine, snapshot
from marsad.registry import selectors
from marsad.registry import services as registry
from marsad.registry.models import Person
from tests.factories import AdminAreaFactory, member
from tests.linkage.synthetic import ORIGINS, generate

pytestmark = pytest.mark.django_db

SOURCES = {"modm": "ministry", "partner": "partner", "assessment": "assessment"}
SEX = {"m": "male", "f": "female", "ذكر": "male", "انثى": "female"}


@pytest.fixture(autouse=True)
def linkage_cache(settings, tmp_path):
    """Each test keeps its prepared registry in its own directory."""
    settings.MARSAD_LINKAGE_CACHE_DIR = str(tmp_path / "linkage")
    settings.MARSAD_LINKAGE_AUTO_LINK = 0.99
    settings.MARSAD_LINKAGE_REVIEW = 0.8


def origin_areas(country) -> dict:
    """The synthetic records' districts of origin, under ``country``."""
    areas = {}
    for pcode in ORIGINS:
        governorate = AdminAreaFactory(pcode=pcode[:5], level=AreaLevel.GOVERNORATE, parent=country)
        areas[pcode] = AdminAreaFactory(pcode=pcode, level=AreaLevel.DISTRICT, parent=governorate)
    return areas


def member_data(record: dict) -> dict:
    """A synthetic record as a registry member (birth year alone: 1 July, precision year)."""
    birth = record["birth_date"]
    if len(birth) == 4:
        birth_date, precision = datetime.date(int(birth), 7, 1), "year"
    elif birth:
        birth_date, precision = datetime.date.fromisoformat(birth), "day"
    else:
        birth_date, precision = None, "day"
    return {
        "relationship": "head",
        "given_name": record["given_name"],
        "father_name": record["father_name"],
        "grandfather_name": record["grandfather_name"],
        "family_name": record["family_name"],
        "mother_name": record["mother_name"],
        "sex": SEX.get(record["sex"].casefold(), ""),
        "birth_date": birth_date,
        "birth_date_precision": precision,
        "phones": [record["phone"]] if record["phone"] else [],
        "documents": (
            [{"kind": "national_id", "number": record["national_id"]}]
            if record["national_id"]
            else []
        ),
        "source": {
            "kind": SOURCES[record["source"]],
            "source_key": record["record_id"],
            "payload": {"record_id": record["record_id"]},
        },
    }


def register_records(
    records: Iterable[dict], organisation, area, origins: dict, *, actor=None
) -> dict[str, int]:
    """Register each record as a one-person household; record_id → person pk."""
    persons = {}
    for record in records:
        household = registry.household_register(
            actor=actor,
            data={
                "organisation": organisation,
                "area": area,
                "size": 1,
                "origin_area": origins.get(record["origin_pcode"]),
            },
            members=[member_data(record)],
        )
        persons[record["record_id"]] = household.members.get().pk
    return persons


@pytest.fixture
def synthetic(ngo, areas):
    """About 220 records of 140 persons, registered; (record → pk, record → true person)."""
    records, truth = generate(seed=7, clans=14)
    persons = register_records(records, ngo, areas["karkh"], origin_areas(areas["country"]))
    return persons, truth


def true_person(truth: dict, persons: dict) -> dict[int, str]:
    return {pk: truth[record_id] for record_id, pk in persons.items()}


def default_model(prior: float = 1e-3) -> ModelVersion:
    """A model in use without training: the settings' default m and u probabilities."""
    return services.model_activate(
        actor=None,
        model=ModelVersion.objects.create(
            version=(ModelVersion.objects.count() + 1),
            model=model_settings(prior=prior),
            auto_link_threshold=0.99,
            review_threshold=0.8,
        ),
    )


# --- the registry as linkage reads it --------------------------------------------------------


def test_linkage_records_are_the_black_box_columns(ngo, areas):
    origins = origin_areas(areas["country"])
    household = registry.household_register(
        actor=None,
        data={
            "organisation": ngo,
            "area": areas["karkh"],
            "size": 2,
            "origin_area": origins["IQG01Q03"],
        },
        members=[
            {
                "relationship": "head",
                "given_name": "محمد",
                "father_name": "جاسم",
                "sex": "male",
                "birth_date": datetime.date(1980, 7, 1),
                "birth_date_precision": "estimated",
                "phones": ["0770 123 4567", "07801112222"],
                "documents": [
                    {"kind": "passport", "number": "A1234567"},
                    {"kind": "national_id", "number": "199012345678"},
                ],
                "source": {"kind": "partner", "source_key": "P-1", "payload": {"row": 1}},
            },
            {
                "relationship": "daughter",
                "given_name": "Fatima",
                "birth_date": datetime.date(2010, 3, 14),
                "source": {"kind": "ministry", "source_key": "M-1", "payload": {"row": 1}},
            },
        ],
    )
    head, daughter = household.members.order_by("pk")
    registry.source_record_receive(
        actor=None,
        organisation=ngo,
        kind="ministry",
        source_key="M-2",
        payload={"row": 2},
        household=household,
        person=head,
    )
    rows = list(selectors.linkage_records(Person.objects.filter(household=household)))
    assert rows == [
        {
            "record_id": str(head.pk),
            "source": "ministry",  # the most trusted of partner and ministry
            "given_name": "محمد",
            "father_name": "جاسم",
            "grandfather_name": "",
            "family_name": "",
            "mother_name": "",
            "sex": "male",
            "birth_date": "1980",
            "phone": "7701234567",
            "national_id": "199012345678",  # the national ID before the passport
            "origin_pcode": "IQG01Q03",
            "household_id": str(household.pk),
        },
        {
            "record_id": str(daughter.pk),
            "source": "ministry",
            "given_name": "Fatima",
            "father_name": "",
            "grandfather_name": "",
            "family_name": "",
            "mother_name": "",
            "sex": "",
            "birth_date": "2010-03-14",
            "phone": "",
            "national_id": "",
            "origin_pcode": "IQG01Q03",
            "household_id": str(household.pk),
        },
    ]


# --- full runs -------------------------------------------------------------------------------


def test_full_run_trains_a_model_writes_pairs_and_links_clusters(synthetic):
    persons, truth = synthetic
    said: list[str] = []
    run = runs.run_full(actor=None, progress=lambda done, total, message="": said.append(message))
    assert run.status == RunStatus.FINISHED, run.message
    assert run.kind == RunKind.FULL
    # the task page hears each step, and how far linking has come
    assert "reading and preparing every active person" in said
    assert any(re.fullmatch(r"0 of \d+ clusters linked", message) for message in said)
    version = ModelVersion.objects.get()
    assert (version.version, version.is_active, version.records) == (1, True, len(persons))
    assert (version.auto_link_threshold, version.review_threshold) == (0.99, 0.8)
    assert version.labels == 0
    assert "expectation maximisation" in version.notes
    assert run.model == version
    assert run.records == len(persons)
    assert run.pairs_scored > run.auto_linked > 0
    # every pair from the review threshold up, each with the evidence of every field
    pairs = CandidatePair.objects.filter(run=run)
    assert pairs.count() == run.auto_linked + run.to_review
    assert all(pair.match_probability >= 0.8 for pair in pairs)
    labels = {
        level["label_for_charts"]
        for comparison in version.model["comparisons"]
        for level in comparison["comparison_levels"]
    }
    pair = pairs.first()
    assert [item["field"] for item in pair.evidence] == [
        *(comparison["output_column_name"] for comparison in version.model["comparisons"]),
        "household",  # registered persons have one (``model.households``)
    ]
    *fields, household = pair.evidence
    assert {item["label"] for item in fields} <= labels
    assert household["label"] in {households.SUPPORTED, households.UNSUPPORTED}
    # auto-linked pairs are merged, each into a record of the same true person
    owner = true_person(truth, persons)
    merged = Person.objects.filter(is_active=False)
    assert merged.count() > 10
    for person in merged:
        survivor = Person.objects.get(pk=person.merged_into_id)
        assert survivor.is_active
        assert owner[person.pk] == owner[survivor.pk]
    linked = pairs.filter(status=PairStatus.AUTO_LINKED)
    assert linked.count() == run.auto_linked
    assert all(pair.match_probability >= 0.99 and pair.merge_id for pair in linked)
    # the survivorship rules keep the ministry's record when the cluster has one
    for pair in linked.select_related("merge__survivor", "merge__merged"):
        kinds = {
            person: set(person.source_records.values_list("kind", flat=True))
            for person in (pair.merge.survivor, pair.merge.merged)
        }
        if "ministry" in kinds[pair.merge.merged]:
            assert "ministry" in kinds[pair.merge.survivor]
    assert "linked automatically" in runs.summary(run)
    assert not PendingMatch.objects.exists()


def test_a_run_started_in_arabic_says_what_it_did_in_arabic(synthetic):
    with translation.override("ar"):
        run = runs.run_full(actor=None)
    assert run.status == RunStatus.FINISHED, run.message
    merged = Person.objects.filter(is_active=False).count()
    survivors = Person.objects.filter(
        pk__in=Person.objects.filter(is_active=False).values("merged_into")
    ).count()
    assert f"دُمج {merged} سجلًا في {survivors} سجلًا باقيًا" in run.message
    assert "merged into" not in run.message
    assert run.model.notes.startswith("احتمالات u بالمعاينة العشوائية")  # training notes too


def test_a_training_note_is_english_text_that_the_run_translates():
    note = Note(gettext_noop("EM on %(rule)s failed: %(error)s"), rule="l.sex = r.sex", error="x")
    assert note == "EM on l.sex = r.sex failed: x"  # what ``dedupe`` prints
    assert copy.deepcopy(note).template == note.template
    with translation.override("ar"):
        assert engine.translated(note) == "فشلت خوارزمية EM على l.sex = r.sex: x"
        assert engine.translated("as it is") == "as it is"


def test_a_second_run_leaves_decided_pairs_alone(ngo, areas, settings):
    records, _truth = generate(seed=7, clans=8)  # too few to train on: default m and u
    register_records(records, ngo, areas["karkh"], origin_areas(areas["country"]))
    settings.MARSAD_LINKAGE_AUTO_LINK = 1.0  # everything to review: the clerk decides
    settings.MARSAD_LINKAGE_TRAINING_SAMPLE = 60
    first = runs.run_full(actor=None)
    assert first.records == len(records)
    assert first.model.records == 60
    assert (
        f"trained on a random sample of 60 of the {len(records)} active persons"
        in first.model.notes
    )
    waiting = CandidatePair.objects.filter(status=PairStatus.REVIEW)
    assert first.to_review == waiting.count() >= 3
    # three pairs of six records still active (a record the run merged is scored no more)
    queue, seen = [], set()
    for pair in waiting.filter(left__is_active=True, right__is_active=True).order_by(
        "-match_probability", "pk"
    ):
        if not {pair.left_id, pair.right_id} & seen:
            queue.append(pair)
            seen |= {pair.left_id, pair.right_id}
    assert len(queue) >= 3
    same = services.pair_decide(actor=None, pair=queue[0], decision="same")
    different = services.pair_decide(actor=None, pair=queue[1], decision="different")
    unsure = services.pair_decide(actor=None, pair=queue[2], decision="unsure")
    different_before = CandidatePair.objects.get(pk=different.pk)

    second = runs.run_full(actor=None)

    assert second.status == RunStatus.FINISHED, second.message
    assert list(ModelVersion.objects.values_list("version", "is_active")) == [
        (2, True),
        (1, False),
    ]
    assert ModelVersion.objects.get(version=2).labels == 1  # the "same" decision
    kept = CandidatePair.objects.get(pk=different.pk)
    assert (kept.status, kept.run_id, kept.updated_at, kept.match_probability) == (
        PairStatus.DIFFERENT,
        first.pk,
        different_before.updated_at,
        different_before.match_probability,
    )
    assert not Person.objects.filter(pk__in=[kept.left_id, kept.right_id], is_active=False)
    unsure.refresh_from_db()
    assert (unsure.status, unsure.run_id) == (PairStatus.UNSURE, second.pk)
    same.refresh_from_db()
    assert (same.status, same.run_id) == (PairStatus.SAME, first.pk)
    assert same.merge.undone_at is None
    assert set(
        CandidatePair.objects.filter(status=PairStatus.REVIEW).values_list("run", flat=True)
    ) == {second.pk}


def test_full_run_refused_to_users_who_may_not_choose_the_model(ngo):
    with pytest.raises(PermissionDenied):
        runs.run_full(actor=member("case_worker", ngo))
    assert not LinkageRun.objects.exists()


def test_a_failing_run_is_marked_failed_with_a_plain_message(ngo, areas, monkeypatch):
    register_records(copies(3), ngo, areas["karkh"], {})

    def fail(self, **kwargs):
        raise RuntimeError("DuckDB ran out of memory\ndetails follow")

    monkeypatch.setattr(PersonLinkage, "train", fail)
    run = runs.run_full(actor=None)
    assert run.status == RunStatus.FAILED
    assert run.message == "The run failed: DuckDB ran out of memory"
    assert run.seconds is not None
    assert not ModelVersion.objects.exists()
    assert not CandidatePair.objects.exists()


# --- auto-linking and labels -----------------------------------------------------------------


def copies(count: int, **changes) -> list[dict]:
    """``count`` records of one person, each from the ministry."""
    record = {
        "record_id": "",
        "source": "modm",
        "given_name": "حيدر",
        "father_name": "كاظم",
        "grandfather_name": "جواد",
        "family_name": "الساعدي",
        "mother_name": "زينب",
        "sex": "m",
        "birth_date": "1979-03-14",
        "phone": "07712345678",
        "national_id": "197903141234",
        "origin_pcode": ORIGINS[0],
    }
    prefix = changes.pop("record_id", "C")
    return [{**record, **changes, "record_id": f"{prefix}{index}"} for index in range(count)]


def test_a_different_decision_in_a_cluster_sends_it_to_review(ngo, areas):
    origins = origin_areas(areas["country"])
    first, third = register_records(copies(2), ngo, areas["karkh"], origins).values()
    CandidatePair.objects.create(
        left_id=first,
        right_id=third,
        match_probability=0.5,
        match_weight=0,
        status=PairStatus.DIFFERENT,
    )
    default_model()
    (second,) = register_records(copies(1, record_id="X"), ngo, areas["karkh"], origins).values()
    run = runs.run_incremental(actor=None, person_ids=[second])
    assert run.status == RunStatus.FINISHED, run.message
    assert run.auto_linked == 0
    assert set(
        CandidatePair.objects.filter(run=run).values_list("left_id", "right_id", "status")
    ) == {(first, second, PairStatus.REVIEW), (third, second, PairStatus.REVIEW)}
    assert all(pair.match_probability >= 0.99 for pair in CandidatePair.objects.filter(run=run))
    assert Person.objects.filter(is_active=True).count() == 3
    assert "sent to review" in run.message


def test_auto_link_merges_a_whole_cluster_into_one_survivor(ngo, areas):
    origins = origin_areas(areas["country"])
    kept, other = register_records(
        [*copies(1), *copies(1, source="partner", record_id="P")], ngo, areas["karkh"], origins
    ).values()
    default_model()
    (new,) = register_records(
        copies(1, source="assessment", given_name="Haidar"), ngo, areas["karkh"], origins
    ).values()
    run = runs.run_incremental(actor=None, person_ids=[new, other])
    assert run.status == RunStatus.FINISHED, run.message
    # the ministry's record survives; the partner's and the assessment's fold into it
    assert set(Person.objects.filter(is_active=True).values_list("pk", flat=True)) == {kept}
    assert set(Person.objects.filter(is_active=False).values_list("merged_into", flat=True)) == {
        kept
    }
    linked = CandidatePair.objects.filter(run=run, status=PairStatus.AUTO_LINKED)
    assert linked.count() == run.auto_linked == 3
    assert all(pair.merge and pair.merge.survivor_id == kept for pair in linked)
    merge = linked.first().merge
    assert (merge.linkage_run, merge.reason) == (run.pk, "")
    assert merge.reason_text == f"Linked automatically by linkage run {run.pk}"


def test_a_refused_cluster_is_named_and_sent_to_review_in_the_users_language(
    ngo, areas, monkeypatch
):
    origins = origin_areas(areas["country"])
    (kept,) = register_records(copies(1), ngo, areas["karkh"], origins).values()
    default_model()
    (new,) = register_records(copies(1, record_id="N"), ngo, areas["karkh"], origins).values()
    merge_clusters = autolink._merge_clusters

    def refusing(clusters, *, run):
        if any(new in cluster for cluster in clusters):
            raise ValidationError("مرفوض في الاختبار.")
        return merge_clusters(clusters, run=run)

    monkeypatch.setattr(autolink, "_merge_clusters", refusing)
    with translation.override("ar"):
        run = runs.run_incremental(actor=None, person_ids=[new])
    assert run.status == RunStatus.FINISHED, run.message
    assert (run.auto_linked, run.to_review) == (0, 1)
    assert Person.objects.filter(is_active=True).count() == 2
    assert f"لم تُدمج السجلات {kept}, {new}: مرفوض في الاختبار." in run.message
    assert "were not merged" not in run.message


def test_an_undone_automatic_merge_is_not_linked_again(ngo, areas):
    origins = origin_areas(areas["country"])
    register_records(copies(1), ngo, areas["karkh"], origins)
    default_model()
    (new,) = register_records(copies(1, record_id="N"), ngo, areas["karkh"], origins).values()
    runs.run_incremental(actor=None, person_ids=[new])
    pair = CandidatePair.objects.get()
    assert pair.status == PairStatus.AUTO_LINKED
    registry.merge_undo(actor=None, merge=pair.merge)  # from the household page
    again = runs.run_incremental(actor=None, person_ids=[new])
    pair.refresh_from_db()
    assert (pair.run_id, pair.status, again.auto_linked) == (again.pk, PairStatus.REVIEW, 0)
    assert Person.objects.filter(is_active=True).count() == 2
    assert again.to_review == 1


# --- incremental runs ------------------------------------------------------------------------


def test_an_incremental_run_finds_new_duplicates_of_registered_persons(ngo, areas):
    records, truth = generate(seed=3, clans=10)
    origins = origin_areas(areas["country"])
    registered = register_records(
        [r for r in records if r["source"] == "modm"], ngo, areas["karkh"], origins
    )
    default_model()
    arriving = [r for r in records if r["source"] == "partner"][:12]
    new = register_records(arriving, ngo, areas["karkh"], origins)
    run = runs.run_incremental(actor=None, person_ids=new.values())
    assert run.status == RunStatus.FINISHED, run.message
    assert (run.kind, run.records, run.model.version) == (RunKind.INCREMENTAL, 12, 1)
    owner = {pk: truth[record] for record, pk in {**registered, **new}.items()}
    pairs = CandidatePair.objects.filter(run=run)
    new_ids = set(new.values())
    assert all(pair.left_id in new_ids or pair.right_id in new_ids for pair in pairs)
    found = {
        pair.right_id if pair.right_id in new_ids else pair.left_id
        for pair in pairs
        if owner[pair.left_id] == owner[pair.right_id]
    }
    assert len(found) >= 10  # of the 12 Latin-script copies
    wrong = [pair for pair in pairs if owner[pair.left_id] != owner[pair.right_id]]
    assert all(pair.status == PairStatus.REVIEW for pair in wrong)


def test_an_incremental_run_needs_a_model_in_use(ngo, areas):
    person = register_records(copies(1), ngo, areas["karkh"], {})["C0"]
    assert runs.run_incremental(actor=None, person_ids=[person]) is None
    assert not LinkageRun.objects.exists()


def test_the_prepared_registry_is_kept_and_brought_up_to_date(ngo, areas, monkeypatch):
    monkeypatch.setattr(snapshot, "REFRESH_MARGIN", datetime.timedelta(0))
    monkeypatch.setattr(snapshot, "CLOCK_MARGIN", datetime.timedelta(0))
    people = register_records(copies(3), ngo, areas["karkh"], {})
    first = snapshot.registry_snapshot()
    assert (first.rebuilt, first.prepared, first.record_count) == (True, 3, 3)
    again = snapshot.registry_snapshot()
    assert (again.rebuilt, again.prepared, again.record_count) == (False, 0, 3)
    person = Person.objects.get(pk=people["C1"])
    registry.person_update(actor=None, instance=person, data={"given_name": "Haidar"})
    survivor, merged = Person.objects.get(pk=people["C0"]), Person.objects.get(pk=people["C2"])
    registry.person_merge(actor=None, survivor=survivor, merged=merged)
    later = snapshot.registry_snapshot()
    assert (later.rebuilt, later.prepared) == (False, 2)  # the renamed one and the survivor
    rows = {row["record_id"]: row for row in later.table.to_pylist()}
    assert set(rows) == {str(people["C0"]), str(people["C1"])}
    assert rows[str(people["C1"])]["given_norm"] == "haidar"


# --- registration announces persons ----------------------------------------------------------


def test_registering_queues_an_incremental_run_when_a_model_is_in_use(
    ngo, areas, django_capture_on_commit_callbacks
):
    origins = origin_areas(areas["country"])
    (existing,) = register_records(copies(1), ngo, areas["karkh"], origins).values()
    default_model()
    officer = member("case_worker", ngo, username="registrar")
    with django_capture_on_commit_callbacks(execute=True):
        (new,) = register_records(
            copies(1, record_id="N", source="partner"), ngo, areas["karkh"], origins, actor=officer
        ).values()
    task = TaskRun.objects.get(kind=tasks.incremental_task.name)
    assert (task.status, task.created_by) == (TaskStatus.SUCCEEDED, officer)
    run = LinkageRun.objects.get()
    assert (run.kind, run.records, run.started_by, run.task_id) == (
        RunKind.INCREMENTAL,
        1,
        officer,
        task.pk,
    )
    assert task.result["run"] == run.pk
    pair = CandidatePair.objects.get()
    assert (pair.left_id, pair.right_id, pair.status) == (existing, new, PairStatus.AUTO_LINKED)
    assert not PendingMatch.objects.exists()


def test_registering_without_a_model_in_use_queues_nothing(
    ngo, areas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register_records(copies(2), ngo, areas["karkh"], {})
    assert not TaskRun.objects.exists()
    assert not PendingMatch.objects.exists()
    assert not LinkageRun.objects.exists()


def test_registrations_wait_for_the_task_already_queued(
    ngo, areas, django_capture_on_commit_callbacks
):
    default_model()
    waiting = TaskRun.objects.create(kind=tasks.incremental_task.name, label="queued")
    with django_capture_on_commit_callbacks(execute=True):
        people = register_records(copies(3), ngo, areas["karkh"], {})
    assert TaskRun.objects.count() == 1
    assert set(PendingMatch.objects.values_list("person_id", flat=True)) == set(people.values())
    result = tasks.incremental_task.call(run_id=str(waiting.pk), actor_id=None)
    run = LinkageRun.objects.get()
    assert (result["run"], run.records, run.task_id) == (run.pk, 3, waiting.pk)
    assert not PendingMatch.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == TaskStatus.SUCCEEDED


def test_a_full_run_in_the_background(ngo, mission, django_capture_on_commit_callbacks):
    register_records(copies(3), ngo, None, {})
    officer = member("im_officer", mission)
    with django_capture_on_commit_callbacks(execute=True):
        task = tasks.full_run_start(actor=officer)
    task.refresh_from_db()
    assert task.status == TaskStatus.SUCCEEDED, task.error
    run = LinkageRun.objects.get()
    assert (run.kind, run.started_by, run.task_id, run.status) == (
        RunKind.FULL,
        officer,
        task.pk,
        RunStatus.FINISHED,
    )
    assert task.result["model"] == 1
    assert task.message.startswith("Whole registry")
    with pytest.raises(PermissionDenied):
        tasks.full_run_start(actor=member("case_worker", ngo))


def test_each_database_keeps_its_files_apart(settings, tmp_path, monkeypatch):
    """Two installations sharing a disk (a test database, a bench) never overwrite each
    other's prepared registry."""
    settings.MARSAD_LINKAGE_CACHE_DIR = str(tmp_path)
    monkeypatch.setattr(snapshot, "_database", lambda: "db-one")
    first = snapshot.cache_dir()
    monkeypatch.setattr(snapshot, "_database", lambda: "db-two")
    second = snapshot.cache_dir()
    assert first != second
    assert first.parent == second.parent == tmp_path
    assert first.is_dir()
    assert second.is_dir()
