"""The registry generator: deterministic, and its truth has the shape linkage is scored on."""

import csv
import io
from collections import Counter, defaultdict
from importlib import resources

import pytest

from marsad.linkage import normalise
from marsad.registry.generator import (
    COLUMNS,
    MINISTRY,
    PARTNER,
    Registry,
    black_box,
    clan,
    districts,
    names,
    to_csv,
)


@pytest.fixture(scope="module")
def rows():
    return list(Registry(seed=11).rows(6000))


def test_the_same_seed_gives_the_same_rows_and_another_seed_others():
    first = [row.cells for row in Registry(seed=5).rows(800)]
    assert first == [row.cells for row in Registry(seed=5).rows(800)]
    assert first != [row.cells for row in Registry(seed=6).rows(800)]


def test_a_clan_rebuilt_on_its_own_is_the_clan_of_the_stream():
    registry = Registry(seed=11)
    streamed = list(registry.rows(500))
    numbers = {row.household_id // 4 for row in streamed}
    rebuilt = [row for number in sorted(numbers) for row in registry.clan_rows(number)]
    assert [row.cells for row in rebuilt] == [row.cells for row in streamed]
    assert clan(11, 3) == clan(11, 3)


def test_every_person_is_registered_once_by_the_ministry_in_arabic(rows):
    ministry = [row for row in rows if row.source == MINISTRY]
    per_person = Counter(row.person_id for row in ministry)
    assert set(per_person.values()) == {1}
    assert {row.person_id for row in rows} == set(per_person)
    assert all(normalise.script(row.cells["given_name"]) == "arabic" for row in ministry)


def test_one_person_in_eight_or_so_is_registered_again_mostly_in_latin(rows):
    per_person = Counter(row.person_id for row in rows)
    repeated = sum(1 for count in per_person.values() if count > 1)
    assert 0.09 <= repeated / len(per_person) <= 0.16
    later = [row for row in rows if row.source != MINISTRY]
    latin = sum(1 for row in later if normalise.script(row.cells["given_name"]) == "latin")
    assert latin / len(later) > 0.55


def test_record_ids_are_unique_and_rows_have_the_source_list_columns(rows):
    assert len({row.record_id for row in rows}) == len(rows)
    assert all(tuple(row.cells) == COLUMNS for row in rows)
    header = to_csv(rows[:2]).decode().splitlines()[0]
    assert header == ",".join(COLUMNS)


def test_households_have_one_head_and_one_to_twelve_members(rows):
    households = defaultdict(list)
    for row in rows:
        if row.source == MINISTRY:
            households[row.household_id].append(row.cells)
    sizes = Counter(len(members) for members in households.values())
    assert min(sizes) == 1
    assert max(sizes) == 12
    assert 4.5 <= sum(k * v for k, v in sizes.items()) / sum(sizes.values()) <= 7
    for members in households.values():
        assert [m["relationship"] for m in members].count("head") == 1
        assert members[0]["household_size"] == str(len(members))


def test_places_are_district_p_codes_of_the_geo_reference(rows):
    known = {code for codes in districts().values() for code in codes}
    ministry = [row.cells for row in rows if row.source == MINISTRY and row.cells["location_pcode"]]
    assert {cells["location_pcode"] for cells in ministry} <= known
    assert {cells["origin_pcode"] for cells in ministry} <= known
    assert all(cells["location_pcode"] != cells["origin_pcode"] for cells in ministry)


def test_birth_years_alone_phones_and_national_ids_for_some(rows):
    ministry = [row.cells for row in rows if row.source == MINISTRY]
    years_only = sum(1 for cells in ministry if len(cells["birth_date"]) == 4)
    assert 0.2 <= years_only / len(ministry) <= 0.6
    phones = [cells["phone"] for cells in ministry if cells["phone"]]
    assert all(normalise.normalise_phone(phone).startswith("7") for phone in phones)
    assert all(len(normalise.normalise_phone(phone)) == 10 for phone in phones)
    with_id = sum(1 for cells in ministry if cells["national_id"])
    assert 0.1 <= with_id / len(ministry) <= 0.4


def test_siblings_share_father_grandfather_and_tribe_and_are_different_people(rows):
    children = defaultdict(list)
    for row in rows:
        cells = row.cells
        if row.source == MINISTRY and cells["relationship"] in ("son", "daughter"):
            children[row.household_id].append(row)
    families = [members for members in children.values() if len(members) > 1]
    assert len(families) > 100
    for members in families[:50]:
        fathers = {normalise.name_key(m.cells["father_name"]) for m in members}
        assert len(fathers) == 1
        assert len({m.person_id for m in members}) == len(members)


def test_hard_negatives_twins_and_cousins_named_after_their_grandfather(rows):
    ministry = [row for row in rows if row.source == MINISTRY]
    births = Counter(
        (row.household_id, row.cells["birth_date"])
        for row in ministry
        if row.cells["relationship"] in ("son", "daughter") and len(row.cells["birth_date"]) == 10
    )
    assert any(count > 1 for count in births.values())  # twins
    named_after = [
        row
        for row in ministry
        if row.cells["relationship"] == "son"
        and normalise.name_key(row.cells["given_name"])
        == normalise.name_key(row.cells["grandfather_name"])
    ]
    assert len(named_after) > 20


def test_a_batch_is_new_households_and_people_of_the_first_registered_again():
    registry = Registry(seed=11)
    base = list(registry.rows(3000))
    base_persons = {row.person_id for row in base}
    batch = list(registry.batch(600, base_clans=registry.clans_used))
    assert len(batch) >= 600
    again = [row for row in batch if row.person_id in base_persons]
    assert 0.2 <= len(again) / len(batch) <= 0.4
    assert all(row.source != MINISTRY for row in again)
    assert not {row.record_id for row in batch} & {row.record_id for row in base}
    assert len({row.record_id for row in batch}) == len(batch)
    partner = [row for row in again if row.source == PARTNER]
    assert all(row.cells["household_id"] == "" for row in partner)


def test_black_box_rows_have_the_dedupe_columns(rows):
    record = black_box(rows[0])
    assert list(record) == [
        "record_id",
        "source",
        "given_name",
        "father_name",
        "grandfather_name",
        "family_name",
        "mother_name",
        "sex",
        "birth_date",
        "phone",
        "national_id",
        "origin_pcode",
    ]


def test_every_spelling_in_the_names_table_shares_its_name_key():
    """Drift the generator writes is matchable: the spellings of a name share one key."""
    for spellings in names().values():
        keys = {normalise.name_key(text) for text in spellings.arabic + spellings.latin}
        assert len(keys) == 1, (spellings.group, keys)


def test_the_names_table_keeps_the_linkage_tests_variants():
    text = resources.files("marsad.registry").joinpath("data/names.csv").read_text("utf-8")
    assert "mohammed,male,30," in text
    kinds = Counter(spellings.kind for spellings in names().values())
    assert kinds["male"] > 100
    assert kinds["female"] > 40
    assert kinds["family"] > 40
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert next(csv.reader(io.StringIO(lines[0]))) == ["group", "kind", "weight", "arabic", "latin"]
