"""Reading areas: search in three scripts, scope, tree filters."""

import pytest

from marsad.geo import selectors
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def found(query, user=None):
    return sorted(selectors.areas(user=user, query=query).values_list("pcode", flat=True))


def test_search_by_pcode_prefix(areas):
    assert found("iqg08") == ["IQG08", "IQG08Q03"]
    assert found("G08") == []  # a prefix, not anywhere in the code


def test_search_english_name_is_case_insensitive(areas):
    assert found("BASRAH") == ["IQG02"]
    assert found("karkh") == ["IQG08Q03"]


def test_search_arabic_ignores_teh_marbuta_and_alef_forms(areas):
    assert found("البصره") == ["IQG02"]
    assert found("بصرة") == ["IQG02"]
    assert found("الزبیر") == ["IQG02Q04"]  # typed with the Kurdish/Farsi yeh


def test_search_kurdish(areas):
    assert found("بەسرە") == ["IQG02"]
    assert found("بهسره") == ["IQG02"]  # ae typed as heh
    assert found("كهرخ") == ["IQG08Q03"]  # keheh typed as Arabic kaf


def test_a_user_without_membership_sees_no_areas(areas):
    assert found("", UserFactory()) == []


def test_children_count_and_below(areas):
    country = areas["country"]
    children = selectors.area_children(user=None, area=country)
    assert [(a.pcode, a.children_count) for a in children] == [("IQG02", 1), ("IQG08", 1)]
    below = selectors.areas(user=None, below=areas["baghdad"])
    assert list(below.values_list("pcode", flat=True)) == ["IQG08Q03"]
