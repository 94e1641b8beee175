"""update_rows: each row its own values, one statement a batch, on both databases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marsad.core.bulk import update_rows
from marsad.core.models import TaskRun
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


def test_values_that_need_quoting_and_json_arrive_as_written(ngo, areas):
    """On PostgreSQL the values travel as arrays: quotes, backslashes, commas, braces, empty
    strings, the word NULL, a null, addresses and JSON must each arrive as they were."""
    people = [register(ngo, areas["karkh"], [head(given_name=f"P{n}")]).head for n in range(4)]
    names = ['Abd "Allah", {al} \\ Jubouri', "", "NULL", "عبد الله"]
    for person, name in zip(people, names, strict=True):
        person.given_name = name
        person.mother_name = name[::-1]
    update_rows(people, ["given_name", "mother_name"])
    for person, name in zip(people, names, strict=True):
        stored = Person.objects.get(pk=person.pk)
        assert (stored.given_name, stored.mother_name) == (name, person.mother_name)

    # a UUID key, JSON, a number and a time that may be null
    tasks = [TaskRun.objects.create(kind="test", label=f"task {n}") for n in range(3)]
    results = [{"name": ['a "b"', "c\\d"], "n": 1}, [], {"ar": "زهراء", "none": None}]
    totals = [10, None, 0]
    started = [None, timezone.now(), None]
    for task, result, total, when in zip(tasks, results, totals, started, strict=True):
        task.result, task.progress_total, task.started_at = result, total, when
    assert update_rows(tasks, ["result", "progress_total", "started_at"]) == 3
    for task, result, total, when in zip(tasks, results, totals, started, strict=True):
        task.refresh_from_db()
        assert (task.result, task.progress_total, task.started_at) == (result, total, when)


def test_nothing_to_write():
    assert update_rows([], ["given_name"]) == 0
