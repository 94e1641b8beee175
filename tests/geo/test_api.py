"""GET /api/v1/areas/: fields, filters, search in three scripts, detail, query counts."""

import pytest

from marsad.accounts.models import User
from marsad.geo.models import AreaLevel
from tests.factories import AdminAreaFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/areas/"


@pytest.fixture
def client(api_client, monitor):
    api_client.force_authenticate(monitor)
    return api_client


def pcodes(response):
    assert response.status_code == 200, response.content
    return [row["pcode"] for row in response.json()["results"]]


def test_list_gives_every_field(client, areas):
    response = client.get(URL, {"level": "district"})
    assert response.json()["count"] == 2
    assert response.json()["results"][0] == {
        "pcode": "IQG02Q04",
        "level": "district",
        "name_en": "Al-Zubair",
        "name_ar": "الزبير",
        "name_ku": "زوبەیر",
        "name": "Al-Zubair",
        "parent_pcode": "IQG02",
        "iso_code": "",
        "latitude": None,
        "longitude": None,
        "has_boundary": False,
    }


def test_name_follows_the_active_language(client, areas):
    rows = client.get(URL, {"iso_code": "iq-ba"}, HTTP_ACCEPT_LANGUAGE="ar").json()["results"]
    assert [row["name"] for row in rows] == ["البصرة"]
    rows = client.get(URL, {"iso_code": "IQ-BA"}, HTTP_ACCEPT_LANGUAGE="ckb").json()["results"]
    assert [row["name"] for row in rows] == ["بەسرە"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "governorate"}, ["IQG02", "IQG08"]),
        ({"level": "1"}, ["IQG02", "IQG08"]),
        ({"level": "country"}, ["IQ"]),
        ({"parent": "IQG08"}, ["IQG08Q03"]),
        ({"parent": "IQ"}, ["IQG02", "IQG08"]),
        ({"iso_code": "IQ-BG"}, ["IQG08"]),
        ({"q": "iqg02"}, ["IQG02", "IQG02Q04"]),
        ({"q": "zubair"}, ["IQG02Q04"]),
        ({"q": "البصره"}, ["IQG02"]),  # teh marbuta typed as heh
        ({"q": "الزبیر"}, ["IQG02Q04"]),  # Kurdish yeh in an Arabic name
        ({"q": "بەسرە"}, ["IQG02"]),  # Kurdish
        ({"q": "كەرخ"}, ["IQG08Q03"]),  # Arabic kaf in a Kurdish name
        ({"q": "nowhere"}, []),
    ],
)
def test_filters_and_search(client, areas, params, expected):
    assert pcodes(client.get(URL, params)) == expected


def test_unknown_level_is_a_clear_400(client, areas):
    response = client.get(URL, {"level": "province"})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "field": "level",
                "code": "invalid_choice",
                "message": "'province' is not a level; use one of country, governorate, "
                "district, subdistrict, location or 0 to 4.",
            }
        ]
    }


def test_detail_by_pcode_with_ancestors_and_boundary(client, areas):
    square = {"type": "Polygon", "coordinates": [[[44, 33], [45, 33], [45, 34], [44, 33]]]}
    karkh = areas["karkh"]
    karkh.boundary = square
    karkh.latitude, karkh.longitude = 33.3, 44.3
    karkh.save()
    body = client.get(f"{URL}IQG08Q03/").json()
    assert body["ancestors"] == [
        {"pcode": "IQ", "name": "Iraq", "level": "country"},
        {"pcode": "IQG08", "name": "Baghdad", "level": "governorate"},
    ]
    assert body["boundary"] == square
    assert body["has_boundary"] is True
    assert (body["latitude"], body["longitude"]) == (33.3, 44.3)
    assert body["parent_pcode"] == "IQG08"


def test_detail_of_the_country_has_no_parent(client, areas):
    body = client.get(f"{URL}IQ/").json()
    assert (body["parent_pcode"], body["ancestors"], body["boundary"]) == (None, [], None)


def test_unknown_pcode_is_404(client, areas):
    assert client.get(f"{URL}NOPE/").status_code == 404


def test_read_only(client, areas):
    assert client.post(URL, {"pcode": "X1"}).status_code == 405
    assert client.delete(f"{URL}IQ/").status_code == 405


def test_anonymous_is_refused(api_client, areas):
    assert api_client.get(URL).status_code in (401, 403)


def test_a_user_without_membership_sees_no_areas(api_client, areas):
    api_client.force_authenticate(UserFactory())
    assert pcodes(api_client.get(URL)) == []


@pytest.mark.parametrize("size", [2, 20])
def test_query_count_does_not_grow_with_page_size(
    api_client, monitor, areas, size, django_assert_num_queries
):
    for number in range(20):
        AdminAreaFactory(
            pcode=f"IQG08Q03L{number:02d}", level=AreaLevel.LOCATION, parent=areas["karkh"]
        )
    # A fresh user object, as in a real request: its memberships are read once (with their
    # programmes and areas), then the count and the page.
    api_client.force_authenticate(User.objects.get(pk=monitor.pk))
    with django_assert_num_queries(5):
        assert len(pcodes(api_client.get(URL, {"page_size": size}))) == size


def test_detail_query_count(api_client, monitor, areas, django_assert_num_queries):
    api_client.force_authenticate(User.objects.get(pk=monitor.pk))
    # Memberships (3), the area with its parent, its ancestors.
    with django_assert_num_queries(5):
        assert api_client.get(f"{URL}IQG08Q03/").status_code == 200
