"""Finding people: by name in either script, by document and by phone, within scope; and the
possible duplicates of someone being registered."""

import datetime

import pytest

from marsad.registry import selectors
from tests.factories import member
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(areas, ngo, other_ngo):
    arabic = register(
        ngo,
        areas["karkh"],
        [
            head(
                documents=[{"kind": "national_id", "number": "199012345678"}],
                phones=["07701234567"],
            )
        ],
    ).head
    latin = register(
        ngo,
        areas["zubair"],
        [head(given_name="Mohamed", father_name="Jassim", grandfather_name="Ali", family_name="")],
    ).head
    cousin = register(
        ngo,
        areas["karkh"],
        [head(given_name="Hussein", father_name="Jasim", birth_date=datetime.date(1992, 7, 1))],
    ).head
    elsewhere = register(other_ngo, areas["karkh"], [head(given_name="محمد")]).head
    return {"arabic": arabic, "latin": latin, "cousin": cousin, "elsewhere": elsewhere}


@pytest.fixture
def officer(ngo):
    return member("case_worker", ngo)


def names(queryset):
    return sorted(person.given_name for person in queryset)


def test_arabic_query_finds_latin_names_and_the_reverse(people, officer):
    assert names(selectors.search_persons(officer, "محمد جاسم")) == ["Mohamed", "محمد"]
    assert names(selectors.search_persons(officer, "Muhammad Jasim")) == ["Mohamed", "محمد"]


def test_a_family_name_meets_its_other_script(areas, ngo, officer):
    # a nisba of a listed name: the spelling rules alone read the و of الأنوري as a vowel
    register(ngo, areas["karkh"], [head(given_name="Amer", family_name="Al-Anwari")])
    register(ngo, areas["karkh"], [head(given_name="سعد", family_name="الكاظمي")])
    assert names(selectors.search_persons(officer, "الأنوري")) == ["Amer"]
    assert names(selectors.search_persons(officer, "Kazimi")) == ["سعد"]
    # a family name whose own al follows the article: Al-Alusi was searched as "usi"
    register(ngo, areas["karkh"], [head(given_name="Omar", family_name="Al-Alusi")])
    register(ngo, areas["karkh"], [head(given_name="قاسم", family_name="العلواني")])
    assert names(selectors.search_persons(officer, "الآلوسي")) == ["Omar"]
    assert names(selectors.search_persons(officer, "Al-Alwani")) == ["قاسم"]


def test_every_word_must_match(people, officer):
    assert names(selectors.search_persons(officer, "Hussein Jasim")) == ["Hussein"]
    assert names(selectors.search_persons(officer, "Hussein Khalid")) == []


def test_search_by_document_and_phone(people, officer):
    assert names(selectors.search_persons(officer, "١٩٩٠١٢٣٤٥٦٧٨")) == ["محمد"]
    assert names(selectors.search_persons(officer, "+964 770 123 4567")) == ["محمد"]


def test_search_is_scoped(people, ngo):
    narrowed = member("case_worker", ngo, areas=[people["latin"].household.area])
    assert names(selectors.search_persons(narrowed, "محمد")) == ["Mohamed"]
    assert names(selectors.search_persons(member("aggregate_viewer", ngo), "محمد")) == []


def test_empty_query_finds_nobody(people, officer):
    assert not selectors.search_persons(officer, "  ").exists()


def test_possible_duplicates_rank_the_same_person_first(people, officer):
    found = selectors.possible_duplicates(
        officer,
        {
            "given_name": "Muhammad",
            "father_name": "Jasim",
            "grandfather_name": "Ali",
            "family_name": "Al-Jubouri",
            "sex": "male",
            "birth_date": datetime.date(1980, 7, 1),
        },
    )
    assert [c.person.pk for c in found][:1] == [people["arabic"].pk]
    assert people["cousin"].pk not in [c.person.pk for c in found]
    assert people["elsewhere"].pk not in [c.person.pk for c in found]
    evidence = dict(found[0].evidence)
    assert evidence["given_name"] in ("agrees", "close")
    assert evidence["sex"] == "agrees"


def test_possible_duplicates_by_document_alone(people, officer):
    found = selectors.possible_duplicates(
        officer, {"given_name": "Someone", "document_number": "1990-1234-5678"}
    )
    assert [c.person.pk for c in found] == [people["arabic"].pk]
    assert ("document", "agrees") in found[0].evidence


def test_no_candidates_without_enough_to_go_on(people, officer):
    assert selectors.possible_duplicates(officer, {"given_name": "محمد"}) == []
