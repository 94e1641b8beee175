"""The registration form's duplicate panel with the model in use: the Python scorer gives
Splink's answer, the true duplicate comes first, scope holds, and without a model the registry's
own rules answer."""

import datetime
import random

import duckdb
import pytest

from marsad.linkage import matching
from marsad.linkage.model import PersonLinkage, evidence_columns, prepare
from marsad.linkage.runs import snapshot
from marsad.linkage.runs.incremental import tf_columns
from marsad.registry import selectors
from marsad.registry.models import Person
from tests.factories import member
from tests.linkage.synthetic import generate
from tests.linkage.test_runs import copies, default_model, origin_areas, register_records
from tests.registry.factories import head, register


@pytest.fixture(autouse=True)
def linkage_cache(settings, tmp_path):
    settings.MARSAD_LINKAGE_CACHE_DIR = str(tmp_path / "linkage")
    settings.MARSAD_DUPLICATE_FINDER = "marsad.linkage.matching.find_duplicates"
    matching._scorer_cache.clear()


# --- the Python scorer is Splink's model -----------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "transpositions", "expected"),
    [
        ("hassan", "hassan", False, True),
        ("hassan", "hasan", False, True),
        ("hasan", "hassan", False, True),
        ("hassan", "husain", False, False),
        ("ahmed", "ahmde", False, False),
        ("ahmed", "ahmde", True, True),
        ("ahmed", "hamed", True, True),
        ("ahmed", "hmaed", True, False),
        ("7701234567", "7701234568", False, True),
        ("7701234567", "770123456", False, True),
        ("7701234567", "77012345", False, False),
        # DuckDB up to 2.0.0 counts UTF-8 bytes: an inserted Arabic letter is two edits ...
        ("محمد", "محمود", False, "bytes"),
        ("محمد", "محمود", True, "bytes"),
        # ... and two letters that share their first byte are one, as in characters
        ("حسن", "خسن", False, True),
    ],
)
def test_one_edit_apart_as_duckdb_counts_it(left, right, transpositions, expected):
    if expected == "bytes":  # one edit in characters, two in bytes
        expected = not matching.duckdb_counts_bytes()
    assert matching.within_one_edit(left, right, transpositions=transpositions) is expected
    distance = "damerau_levenshtein" if transpositions else "levenshtein"
    query = f"SELECT {distance}($1, $2) <= 1"
    [(duckdb_says,)] = duckdb.connect().execute(query, [left, right]).fetchall()
    assert duckdb_says is expected


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model trained on synthetic records, its predictions and the records, prepared."""
    records, _truth = generate(seed=5, clans=24)
    prepared = prepare(records)
    linkage = PersonLinkage(prepared)
    linkage.train()
    model = linkage.model()
    return linkage, model, prepared


def frequencies_of(table, model, directory, settings):
    settings.MARSAD_LINKAGE_CACHE_DIR = str(directory)
    snapshot.write_term_frequencies(table, tf_columns(model))
    return matching.TermFrequencies(*snapshot.read_term_frequencies())


def test_python_scores_equal_splinks_on_every_blocked_pair(trained, tmp_path, settings):
    linkage, model, prepared = trained
    scorer = matching.ModelScorer(model, frequencies_of(prepared.table, model, tmp_path, settings))
    rows = {row["record_id"]: row for row in prepared.table.to_pylist()}
    described = evidence_columns(model)
    gammas = ", ".join(f"gamma_{name}" for name, _g, _tf in described)
    predictions = linkage.predict()
    found = linkage.execute(
        f"SELECT record_id_l, record_id_r, match_probability, match_weight, {gammas} "  # noqa: S608
        f"FROM {predictions.physical_name}"
    )
    assert len(found) > 300
    for left, right, probability, weight, *levels in found:
        score = scorer.score(rows[left], rows[right])
        expected = [dict(g)[gamma] for (_n, g, _tf), gamma in zip(described, levels, strict=True)]
        assert [item.label for item in score.evidence] == expected, (left, right)
        assert score.weight == pytest.approx(weight, abs=1e-6)
        assert score.probability == pytest.approx(probability, abs=1e-9)


def test_python_scores_equal_splinks_on_unblocked_pairs(trained, tmp_path, settings):
    linkage, model, prepared = trained
    scorer = matching.ModelScorer(model, frequencies_of(prepared.table, model, tmp_path, settings))
    rows = prepared.table.to_pylist()
    sample = random.Random(3).sample(rows, 40)
    left, right = sample[:20], sample[20:]
    scored = linkage.linker.inference.score_pairs(left, right)
    found = linkage.execute(
        f"SELECT record_id_l, record_id_r, match_weight FROM {scored.physical_name}"  # noqa: S608
    )
    assert len(found) == 400
    by_id = {row["record_id"]: row for row in rows}
    for record_left, record_right, weight in found:
        score = scorer.score(by_id[record_left], by_id[record_right])
        assert score.weight == pytest.approx(weight, abs=1e-6)


def test_a_model_with_a_level_python_does_not_know_is_refused(trained):
    _linkage, model, _prepared = trained
    changed = {**model, "comparisons": [dict(c) for c in model["comparisons"]]}
    levels = [dict(level) for level in changed["comparisons"][0]["comparison_levels"]]
    levels[1]["label_for_charts"] = "agrees: same soundex"
    changed["comparisons"][0]["comparison_levels"] = levels
    with pytest.raises(matching.UnsupportedModel):
        matching.ModelScorer(changed)


# --- the panel -------------------------------------------------------------------------------


@pytest.fixture
def registered(ngo, areas):
    """The ministry's records of ~140 persons; the later lists' records are the queries."""
    records, truth = generate(seed=7, clans=14)
    origins = origin_areas(areas["country"])
    ministry = [record for record in records if record["source"] == "modm"]
    persons = register_records(ministry, ngo, areas["karkh"], origins)
    owner = {pk: truth[record_id] for record_id, pk in persons.items()}
    queries = [
        (record, truth[record["record_id"]]) for record in records if record["source"] != "modm"
    ]
    return owner, queries


def form_data(record: dict) -> dict:
    """A record as the registration form sends it (no mother's name, no origin)."""
    return {
        "given_name": record["given_name"],
        "father_name": record["father_name"],
        "grandfather_name": record["grandfather_name"],
        "family_name": record["family_name"],
        "sex": {"m": "male", "f": "female"}.get(record["sex"].casefold(), ""),
        "birth_date": record["birth_date"],
        "document_number": record["national_id"],
        "phone": record["phone"],
    }


def test_without_a_model_in_use_the_registry_rules_answer(registered, ngo):
    user = member("case_worker", ngo)
    record, _person = registered[1][0]
    assert matching.find_duplicates(user, form_data(record), limit=5) is None
    # the registry's own key rules answer instead: scores on their own scale
    assert selectors.possible_duplicates(user, form_data(record)) is not None


def test_the_true_duplicate_comes_first(registered, ngo):
    owner, queries = registered
    default_model()
    user = member("case_worker", ngo)
    first, wrong, answers = 0, [], []
    for record, person in queries:
        candidates = selectors.possible_duplicates(user, form_data(record), limit=5)
        answers.append(candidates)
        if candidates and owner[candidates[0].person.pk] == person:
            first += 1
        elif candidates:
            wrong.append(record["record_id"])
    assert wrong == []
    assert first >= 0.95 * len(queries)  # the rest: a misspelt given name and no shared key
    best = next(candidates for candidates in answers if candidates)[0]
    assert isinstance(best, selectors.Candidate)
    assert 0 < best.score <= 100
    fields = [name for name, _verdict in best.evidence]
    assert fields[:4] == ["given_name", "father_name", "grandfather_name", "family_name"]
    assert {verdict for _name, verdict in best.evidence} <= {
        "agrees",
        "close",
        "disagrees",
        "missing",
    }
    assert "mother_name" not in fields
    assert "origin_pcode" not in fields


def test_only_persons_in_the_users_scope_appear(ngo, other_ngo, areas):
    default_model()
    mine = register_records(copies(1), ngo, areas["karkh"], {})["C0"]
    theirs = register_records(copies(1, record_id="T"), other_ngo, areas["karkh"], {})["T0"]
    query = form_data(copies(1)[0])
    user = member("case_worker", ngo)
    found = matching.find_duplicates(user, query, limit=5)
    assert [candidate.person.pk for candidate in found] == [mine]
    assert found[0].score == 100
    other = matching.find_duplicates(member("case_worker", other_ngo), query, limit=5)
    assert [candidate.person.pk for candidate in other] == [theirs]
    assert Person.objects.count() == 2


def test_the_panel_finds_by_document_or_phone_alone_and_keeps_to_few_queries(
    ngo, areas, django_assert_max_num_queries
):
    default_model()
    person = register_records(copies(1), ngo, areas["karkh"], {})["C0"]
    user = member("case_worker", ngo)
    matching.find_duplicates(user, {"given_name": "x"}, limit=5)  # loads the model once
    by_phone = {"given_name": "Haidar", "phone": "+964 771 234 5678"}
    with django_assert_max_num_queries(12):
        found = matching.find_duplicates(user, by_phone, limit=5)
    assert [candidate.person.pk for candidate in found] == [person]
    by_document = {"given_name": "Haidar", "document_number": "197903141234"}
    assert [c.person.pk for c in matching.find_duplicates(user, by_document, limit=5)] == [person]
    assert matching.find_duplicates(user, {"given_name": "Haidar"}, limit=5) == []


def test_a_large_name_block_is_narrowed_by_birth_year(ngo, areas, monkeypatch):
    """A common given + father's name: only those born near the typed year are scored."""
    default_model()
    born = dict.fromkeys((1950, 1960, 1978, 1979, 1980, 1981, 1983, 1995))
    for year in born:
        household = register(
            ngo,
            areas["karkh"],
            [head(given_name="Ali", father_name="Hussein", birth_date=datetime.date(year, 7, 1))],
        )
        born[year] = household.head.pk
    user = member("case_worker", ngo)
    query = {"given_name": "علي", "father_name": "حسين", "birth_date": datetime.date(1980, 7, 1)}
    query_record = prepare([matching._query_record(query)]).table.to_pylist()[0]

    def candidates(data: dict, record: dict) -> set[int]:
        return set(matching._candidate_ids(user, data, record))

    assert candidates(query, query_record) == set(born.values())
    monkeypatch.setattr(matching, "NARROW_ABOVE", 5)
    assert candidates(query, query_record) == {born[y] for y in (1978, 1979, 1980, 1981, 1983)}
    monkeypatch.setattr(matching, "NARROW_ABOVE", 3)
    assert candidates(query, query_record) == {born[y] for y in (1979, 1980, 1981)}
    # Past the cap, the nearest in birth year are kept (ties: the earlier registered).
    monkeypatch.setattr(matching, "NARROW_ABOVE", 5)
    monkeypatch.setattr(matching, "MAX_CANDIDATES", 2)
    assert candidates(query, query_record) == {born[1980], born[1979]}
    monkeypatch.setattr(matching, "MAX_CANDIDATES", 400)
    without_year = {key: value for key, value in query.items() if key != "birth_date"}
    unknown = prepare([matching._query_record(without_year)]).table.to_pylist()[0]
    assert candidates(without_year, unknown) == set(born.values())
