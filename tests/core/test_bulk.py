"""update_rows: each row its own values, one statement a batch, on both databases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marsad.core.bulk import update_rows
from marsad.registry.models import Person
from tests.registry.factories import head, register

pytestmark = pytest.mark.django_db


def test_writes_each_rows_values(ngo, areas):
    people = [register(ngo, areas["karkh"], [head(given_name=f"Name{n}")]).head for n in range(5)]
    untouched = register(ngo, areas["karkh"], [head(given_name="Untouched")]).head
    for n, person in enumerate(people):
        person.given_name = f"Renamed {n}"
        person.birth_date = None if n % 2 else datetime.date(1990, 1, n + 1)
        person.disability = bool(n % 2)
        person.merged_into = untouched if n == 4 else None
        person.mother_name = "زهراء"
    with CaptureQueriesContext(connection) as queries:
        count = update_rows(
            people,
            ["given_name", "birth_date", "disability", "merged_into", "mother_name"],
            batch_size=2,
        )
    assert count == 5
    assert len(queries.captured_queries) == 3  # 2 + 2 + 1 rows
    for n, person in enumerate(people):
        stored = Person.objects.get(pk=person.pk)
        assert stored.given_name == f"Renamed {n}"
        assert stored.birth_date == (None if n % 2 else datetime.date(1990, 1, n + 1))
        assert stored.disability is bool(n % 2)
        assert stored.merged_into_id == (untouched.pk if n == 4 else None)
        assert stored.mother_name == "زهراء"
        assert stored.family_name == person.family_name  # not listed: not written
    untouched.refresh_from_db()
    assert untouched.given_name == "Untouched"


def test_nothing_to_write():
    assert update_rows([], ["given_name"]) == 0
