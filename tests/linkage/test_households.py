"""Household evidence: a pair whose given names agree gains weight when another member of the
same two households matches too (``marsad.linkage.model.households``), on DuckDB alone and
through the runs over the registry."""

import datetime

import duckdb
import pyarrow as pa
import pytest

from marsad.linkage import runs, services
from marsad.linkage.model import evidence_columns, households
from marsad.linkage.model import settings as model_settings
from marsad.linkage.models import CandidatePair, ModelVersion, PairStatus, RunStatus
from marsad.registry import services as registry
from marsad.registry.models import Person

MODEL = model_settings()
GIVEN_AGREES = households.agreeing_given_levels(MODEL)


def test_the_given_names_agreeing_levels_are_read_from_the_model():
    labels = dict(
        next(gammas for name, gammas, _tf in evidence_columns(MODEL) if name == "given_name")
    )
    assert GIVEN_AGREES
    assert all(labels[gamma].startswith("agrees") for gamma in GIVEN_AGREES)
    assert [g for g, label in labels.items() if label.startswith("agrees")] == GIVEN_AGREES


def test_floor_keeps_every_pair_the_bonus_can_lift_and_every_supporting_pair():
    assert households.probability(households.weight(0.8)) == pytest.approx(0.8)
    floor = households.floor(0.8)
    # a pair just above the floor reaches the review threshold with the bonus
    lifted = households.weight(floor) + households.HOUSEHOLD_WEIGHT
    assert households.probability(lifted) == pytest.approx(0.8)
    assert floor < 0.8
    # a high review threshold still keeps the pairs that support others
    assert households.floor(0.9999999) == households.SUPPORT_PROBABILITY


def _predictions(rows: list[tuple[str, str, float, int]]) -> pa.Table:
    """A Splink-like predictions table: (left, right, match weight, given-name gamma); every
    other comparison at level 0 with no weight."""
    columns: dict[str, list] = {
        "record_id_l": [r[0] for r in rows],
        "record_id_r": [r[1] for r in rows],
        "match_weight": [r[2] for r in rows],
        "match_probability": [households.probability(r[2]) for r in rows],
    }
    for name, _gammas, has_tf in evidence_columns(MODEL):
        columns[f"gamma_{name}"] = [r[3] if name == "given_name" else 0 for r in rows]
        columns[f"mw_{name}"] = [0.0 for _ in rows]
        if has_tf:
            columns[f"mw_tf_adj_{name}"] = [0.0 for _ in rows]
    return pa.table(columns)


def _supported(rows, members: dict[str, str | None], minimum: float = 0.0) -> dict:
    connection = duckdb.connect()
    connection.register("predictions", _predictions(rows))
    connection.register(
        "records",
        pa.table(
            {"record_id": list(members), "household": list(members.values())},
            schema=pa.schema([("record_id", pa.string()), ("household", pa.string())]),
        ),
    )
    query = households.supported_query(MODEL, "predictions", "records", minimum=minimum)
    result = connection.execute(query).fetchall()
    names = [column[0] for column in connection.description]
    return {(row[0], row[1]): dict(zip(names, row, strict=True)) for row in result}


AGREES = GIVEN_AGREES[0]
DISAGREES = 0


def test_another_matching_member_of_both_households_lifts_a_pair():
    members = {
        "head1": "H1",
        "wife1": "H1",
        "son1": "H1",
        "head2": "H2",
        "wife2": "H2",
        "wife3": "H3",  # a namesake in an unrelated household
        "alone": None,  # a partner's list: no household
    }
    pairs = _supported(
        [
            ("head1", "head2", 20.0, AGREES),  # the heads: phone and document agree
            ("wife1", "wife2", 2.0, AGREES),
            ("wife3", "wife2", 2.0, AGREES),
            ("son1", "wife2", -3.0, DISAGREES),  # same two households, another given name
            ("wife1", "alone", 2.0, AGREES),
            ("wife1", "son1", 1.0, AGREES),  # one household
        ],
        members,
    )
    wives = pairs[("wife1", "wife2")]
    assert wives["household_support"] == 1  # the heads' pair (the son's is below 0.5)
    assert wives["mw_household"] == households.HOUSEHOLD_WEIGHT
    assert wives["match_weight"] == pytest.approx(2.0 + households.HOUSEHOLD_WEIGHT)
    assert wives["match_probability"] == pytest.approx(
        households.probability(2.0 + households.HOUSEHOLD_WEIGHT)
    )
    # the namesake's household has no other member matching
    assert pairs[("wife3", "wife2")]["household_support"] == 0
    assert pairs[("wife3", "wife2")]["match_weight"] == pytest.approx(2.0)
    # another given name keeps its veto, support or not
    son = pairs[("son1", "wife2")]
    assert son["household_support"] >= 1
    assert son["mw_household"] == 0
    # no household on one side, or both in one household: nothing to say
    assert pairs[("wife1", "alone")]["mw_household"] == 0
    assert pairs[("wife1", "son1")]["mw_household"] == 0
    # support goes both ways: the wives' pair (0.8) supports the heads'
    assert pairs[("head1", "head2")]["household_support"] == 1


def test_a_pair_never_supports_itself_nor_a_pair_sharing_one_of_its_records():
    members = {"a1": "H1", "b1": "H1", "a2": "H2", "b2": "H2"}
    pairs = _supported(
        [
            ("a1", "a2", 3.0, AGREES),
            ("a1", "b2", 3.0, AGREES),  # shares a1 with the first pair
        ],
        members,
    )
    assert pairs[("a1", "a2")]["household_support"] == 0
    assert pairs[("a1", "b2")]["household_support"] == 0
    pairs = _supported([("a1", "a2", 3.0, AGREES), ("b1", "b2", 3.0, AGREES)], members)
    assert pairs[("a1", "a2")]["household_support"] == 1
    assert pairs[("b1", "b2")]["household_support"] == 1


def test_only_pairs_from_the_minimum_up_are_returned():
    members = {"a1": "H1", "b1": "H1", "a2": "H2", "b2": "H2", "c": "H3"}
    rows = [
        ("a1", "a2", 10.0, AGREES),
        ("b1", "b2", -5.0, AGREES),  # lifted above 0 by the heads' pair
        ("c", "b2", -5.0, AGREES),  # not lifted
    ]
    pairs = _supported(rows, members, minimum=households.probability(0.0))
    assert set(pairs) == {("a1", "a2"), ("b1", "b2")}


def test_evidence_entry():
    assert households.evidence(None, None) is None
    assert households.evidence(0, 0.0) == {
        "field": "household",
        "label": households.UNSUPPORTED,
        "weight": 0.0,
    }
    assert households.evidence(2, 8.0) == {
        "field": "household",
        "label": households.SUPPORTED,
        "weight": 8.0,
    }


# --- through the runs over the registry ------------------------------------------------------


@pytest.fixture(autouse=True)
def linkage_cache(settings, tmp_path):
    settings.MARSAD_LINKAGE_CACHE_DIR = str(tmp_path / "linkage")


def _register(organisation, area, members: list[dict], kind: str, key: str) -> list[int]:
    household = registry.household_register(
        actor=None,
        data={"organisation": organisation, "area": area, "size": len(members)},
        members=[
            {**data, "source": {"kind": kind, "source_key": f"{key}-{n}", "payload": {"row": n}}}
            for n, data in enumerate(members)
        ],
    )
    return list(household.members.order_by("pk").values_list("pk", flat=True))


HEAD = {
    "relationship": "head",
    "given_name": "أحمد",
    "father_name": "جاسم",
    "grandfather_name": "محمد",
    "family_name": "الجبوري",
    "sex": "male",
    "birth_date": datetime.date(1970, 5, 3),
    "birth_date_precision": "day",
    "phones": ["07701234567"],
    "documents": [{"kind": "national_id", "number": "199012345678"}],
}
WIFE = {
    "relationship": "spouse",
    "given_name": "زينب",
    "father_name": "حسين",
    "family_name": "الجبوري",
    "sex": "female",
    "birth_date": datetime.date(1975, 7, 1),
    "birth_date_precision": "year",
}
HEAD_LATIN = {
    **HEAD,
    "given_name": "Ahmad",
    "father_name": "Jassim",
    "grandfather_name": "Muhammad",
    "family_name": "Jubouri",
}
WIFE_LATIN = {**WIFE, "given_name": "Zaynab", "father_name": "Husain", "family_name": "Jubouri"}
#: Other people of the registry, so that the wife's names are common enough not to link alone.
NAMESAKES = [
    {**WIFE, "relationship": "head", "father_name": father, "birth_date": datetime.date(year, 7, 1)}
    for father in ("علي", "حسين", "كاظم")
    for year in (1975, 1976, 1980)
]


def _model(prior: float) -> ModelVersion:
    return services.model_activate(
        actor=None,
        model=ModelVersion.objects.create(
            version=1,
            model=model_settings(prior=prior),
            auto_link_threshold=0.99,
            review_threshold=0.001,
        ),
    )


def _wives_pair(ngo, area, *, with_head: bool) -> CandidatePair:
    for number, namesake in enumerate(NAMESAKES):
        _register(ngo, area, [namesake], "ministry", f"N{number}")
    _head, wife = _register(ngo, area, [HEAD, WIFE], "ministry", "M")
    # in a registry of a dozen persons, most of them Zainab al-Jubouri, the names' frequencies
    # weigh against every pair: a high prior puts the wives' pair in the review band
    _model(prior=0.3)
    arriving = _register(
        ngo,
        area,
        [HEAD_LATIN, WIFE_LATIN] if with_head else [{**WIFE_LATIN, "relationship": "head"}],
        "distribution",
        "D",
    )
    run = runs.run_incremental(actor=None, person_ids=arriving)
    assert run.status == RunStatus.FINISHED, run.message
    return CandidatePair.objects.get(left_id=wife, right_id=arriving[-1])


@pytest.mark.django_db
def test_a_wife_registered_again_with_her_household_is_linked(ngo, areas):
    pair = _wives_pair(ngo, areas["karkh"], with_head=True)
    household = pair.evidence[-1]
    assert household == {
        "field": "household",
        "label": households.SUPPORTED,
        "weight": households.HOUSEHOLD_WEIGHT,
    }
    assert pair.status == PairStatus.AUTO_LINKED
    assert Person.objects.filter(is_active=False).count() == 2  # the head and the wife


@pytest.mark.django_db
def test_the_same_wife_registered_alone_goes_to_review(ngo, areas):
    pair = _wives_pair(ngo, areas["karkh"], with_head=False)
    assert pair.evidence[-1] == {
        "field": "household",
        "label": households.UNSUPPORTED,
        "weight": 0.0,
    }
    assert pair.status == PairStatus.REVIEW
    assert 0.001 < pair.match_probability < 0.99
    assert pair.match_probability >= households.probability(
        households.weight(0.99) - households.HOUSEHOLD_WEIGHT
    )  # the same pair with the household's weight would have been linked


# --- the black-box command, with the optional household_id column ----------------------------

BLACK_BOX = [
    # record_id, household_id, given, father, grandfather, family, sex, birth, phone, id
    ("M1", "MOD-1", "أحمد", "جاسم", "محمد", "الجبوري", "ذكر", "1970-05-03", "07701234567", "1990"),
    ("M2", "MOD-1", "زينب", "حسين", "", "الجبوري", "انثى", "1975", "", ""),
    ("D1", "WFP-7", "Ahmad", "Jassim", "Muhammad", "Jubouri", "M", "1970", "07701234567", "1990"),
    ("D2", "WFP-7", "Zaynab", "Husain", "", "Jubouri", "F", "1975", "", ""),
    *(
        (f"N{n}", f"MOD-{n + 10}", "زينب", father, "", "الجبوري", "انثى", str(year), "", "")
        for n, (father, year) in enumerate(
            (f, y) for f in ("علي", "حسين", "كاظم") for y in (1975, 1976, 1980)
        )
    ),
]


def _black_box_file(path, *, with_households: bool):
    import csv

    columns = ["record_id", "household_id", "given_name", "father_name", "grandfather_name"]
    columns += ["family_name", "sex", "birth_date", "phone", "national_id"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns if with_households else [c for c in columns if c != "household_id"])
        for row in BLACK_BOX:
            writer.writerow(row if with_households else row[:1] + row[2:])
    return path


@pytest.mark.parametrize("with_households", [True, False])
def test_dedupe_reads_the_optional_household_column(tmp_path, with_households):
    import csv
    import json

    from marsad.linkage.dedupe import read_clusters, run_dedupe

    model = tmp_path / "model.json"
    model.write_text(json.dumps(model_settings(prior=0.3)), encoding="utf-8")
    source = _black_box_file(tmp_path / "in.csv", with_households=with_households)
    summary = run_dedupe(source, tmp_path / "out", model_path=model, threshold=0.99)
    assert summary.ignored_columns == []
    with (tmp_path / "out" / "pairs.csv").open(encoding="utf-8") as handle:
        pairs = {(row["record_id_l"], row["record_id_r"]): row for row in csv.DictReader(handle)}
    wives = pairs.get(("M2", "D2")) or pairs.get(("D2", "M2"))
    clusters = read_clusters(tmp_path / "out" / "clusters.csv")
    if with_households:
        assert wives["household_evidence"] == households.SUPPORTED
        assert float(wives["household_weight"]) == households.HOUSEHOLD_WEIGHT
        assert wives["decision"] == "link"
        assert clusters["M2"] == clusters["D2"]
        assert all(row["household_evidence"] for row in pairs.values())
    else:
        # the same file without households: the columns of before, and the wives only
        # for review
        assert "household_evidence" not in next(iter(pairs.values()))
        assert wives is None or wives["decision"] == "review"
        assert clusters["M2"] != clusters["D2"]
    assert clusters["M1"] == clusters["D1"]


def test_every_level_of_the_model_has_words_a_reviewer_reads():
    from marsad.linkage import labels

    levels = {
        level["label_for_charts"]
        for comparison in MODEL["comparisons"]
        for level in comparison["comparison_levels"]
    }
    assert levels | {households.SUPPORTED, households.UNSUPPORTED} <= set(labels.LEVELS)
    assert households.FIELD in labels.FIELDS
