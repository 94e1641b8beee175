"""Bulk loading of generated registry rows for the benchmark only: PostgreSQL COPY (plain
INSERTs on SQLite) straight into the registry's tables.

This bypasses ``registry.services`` and therefore the audit log, scope checks and the
``persons_registered`` signal: a million benchmark rows are not registrations anyone made, and
auditing them one by one would take hours. The rows are what the services would write: the same
derived name forms (``registry.services.derive_names`` itself), the same normalised phone and
document numbers, a household per source household and a source record per row with the row as
received. Never use this for real data.
"""

from __future__ import annotations

import datetime
import json
import queue
import sys
import threading
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.utils import timezone

from marsad.geo.models import AdminArea, AreaLevel
from marsad.linkage.normalise import normalise_id, normalise_phone
from marsad.partners.models import Organisation
from marsad.registry.generator import PARTNER, Row, black_box
from marsad.registry.models import (
    DatePrecision,
    DocumentKind,
    Household,
    IdentityDocument,
    Person,
    Phone,
    SourceRecord,
)
from marsad.registry.services import derive_names

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for bench.rows
from bench.rows import Rows, write_rows

SEX = {"ذكر": "male", "أنثى": "female", "M": "male", "F": "female"}
YES = "نعم"
CHUNK = 20_000  # persons buffered before each round of COPY
TRUTH_TABLE = "bench_linkage_truth"


class _Table(Rows):
    """Rows of one model, handed to the ``_Writer`` a chunk at a time."""

    def flush(self, writer: _Writer) -> None:
        if self.buffer:
            writer.write(self.table, self.columns, self.take())


class _Writer:
    """Writes buffered rows: on PostgreSQL with COPY on a thread of its own (its own
    connection), so that the next rows are built while the server stores these; on SQLite
    with plain INSERTs, in place."""

    def __init__(self) -> None:
        self.threaded = connection.vendor == "postgresql"
        self.error: BaseException | None = None
        self.queue: queue.Queue[tuple[str, list[str], list[tuple[Any, ...]]] | None] = queue.Queue(
            maxsize=4
        )
        if self.threaded:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def write(self, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        if self.error is not None:
            raise RuntimeError("the COPY thread failed") from self.error
        if self.threaded:
            self.queue.put((table, columns, rows))
        else:
            write_rows(table, columns, rows)

    def close(self) -> None:
        if self.threaded:
            self.queue.put(None)
            self.thread.join()
        if self.error is not None:
            raise RuntimeError("the COPY thread failed") from self.error

    def _run(self) -> None:
        try:
            with connection.cursor() as cursor:
                # Foreign-key triggers off for this session: ids are assigned in order here.
                cursor.execute("SET session_replication_role = replica")
            while (item := self.queue.get()) is not None:
                write_rows(*item)
        except BaseException as error:  # reported by the loading thread
            self.error = error
            while self.queue.get() is not None:  # let the loader finish putting
                pass
        finally:
            connection.close()


@dataclass
class Truth:
    """Which true person each loaded person record is: person pks are contiguous per load."""

    ranges: list[tuple[int, array]] = field(default_factory=list)

    def add(self, first_pk: int, persons: array) -> None:
        self.ranges.append((first_pk, persons))

    def __getitem__(self, pk: int) -> int:
        for first, persons in self.ranges:
            if first <= pk < first + len(persons):
                return persons[pk - first]
        raise KeyError(pk)

    def items(self) -> Iterator[tuple[int, int]]:
        for first, persons in self.ranges:
            for offset, person in enumerate(persons):
                yield first + offset, person


@dataclass
class LoadReport:
    persons: int
    households: int
    phones: int
    documents: int
    seconds: float
    first_pk: int
    last_pk: int


def _birth(text: str) -> tuple[datetime.date | None, str]:
    if not text:
        return None, DatePrecision.DAY
    if len(text) == 4:
        return datetime.date(int(text), 7, 1), DatePrecision.YEAR
    return datetime.date.fromisoformat(text), DatePrecision.DAY


def _households(rows: Iterable[Row]) -> Iterator[list[Row]]:
    """Rows grouped by the household their source wrote (a partner row is its own)."""
    group: list[Row] = []
    current: tuple[str, str, str] | None = None
    for row in rows:
        key = (row.source, row.list_name, row.cells["household_id"] or row.record_id)
        if key != current and group:
            yield group
            group = []
        current = key
        group.append(row)
    if group:
        yield group


def create_truth_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TRUTH_TABLE}")
        cursor.execute(
            f"CREATE TABLE {TRUTH_TABLE} (person_id bigint PRIMARY KEY, true_person bigint"
            f" NOT NULL, part varchar(16) NOT NULL)"
        )


def load(
    rows: Iterable[Row],
    *,
    organisation: Organisation,
    truth: Truth,
    part: str,
    black_box_csv: Any = None,
) -> LoadReport:
    """Write ``rows`` into the registry's tables; add each person's true identity to ``truth``
    (and to the database table ``bench_linkage_truth``, for ad-hoc queries). With
    ``black_box_csv`` (a ``csv.DictWriter`` over the ``marsad linkage dedupe`` columns), also
    write each person there with the person's primary key as ``record_id``."""
    started = time.perf_counter()
    now = timezone.now()
    areas = dict(AdminArea.objects.values_list("pcode", "id"))
    prefixes = {
        area.pcode: (area.iso_code.split("-")[-1] or area.pcode)
        for area in AdminArea.objects.filter(level=AreaLevel.GOVERNORATE)
    }
    households = _Table(Household, now)
    persons = _Table(Person, now)
    phones = _Table(Phone, now)
    documents = _Table(IdentityDocument, now)
    sources = _Table(SourceRecord, now)
    tables = (households, persons, phones, documents, sources)
    first_pk = persons.next_id
    true_persons = array("q")
    truth_rows: list[tuple[int, int, str]] = []
    writer = _Writer()
    try:
        for group in _households(rows):
            _add_household(
                group,
                tables=tables,
                organisation_id=organisation.pk,
                areas=areas,
                prefixes=prefixes,
                true_persons=true_persons,
                truth_rows=truth_rows,
                part=part,
                black_box_csv=black_box_csv,
            )
            if len(persons.buffer) >= CHUNK:
                truth_rows = _flush(tables, truth_rows, writer)
        _flush(tables, truth_rows, writer)
    finally:
        writer.close()
    for table in tables:
        table.reset_sequence()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table.table}")
    truth.add(first_pk, true_persons)
    return LoadReport(
        persons=persons.written,
        households=households.written,
        phones=phones.written,
        documents=documents.written,
        seconds=time.perf_counter() - started,
        first_pk=first_pk,
        last_pk=persons.next_id - 1,
    )


def _flush(
    tables: tuple[_Table, ...], truth_rows: list[tuple[int, int, str]], writer: _Writer
) -> list[tuple[int, int, str]]:
    for table in tables:
        table.flush(writer)
    if truth_rows:
        writer.write(TRUTH_TABLE, ["person_id", "true_person", "part"], truth_rows)
    return []


def _add_household(
    group: list[Row],
    *,
    tables: tuple[_Table, ...],
    organisation_id: int,
    areas: dict[str, int],
    prefixes: dict[str, str],
    true_persons: array,
    truth_rows: list[tuple[int, int, str]],
    part: str,
    black_box_csv: Any,
) -> None:
    households, persons, phones, documents, sources = tables
    first = group[0].cells
    location = first["location_pcode"]
    area_id = areas[location]
    displaced = first["displacement_date"]
    household_id = households.add(
        organisation_id=organisation_id,
        area_id=area_id,
        registration_number=f"{prefixes[location[:5]]}-2008-{households.next_id:07d}",
        address=first["address"],
        origin_area_id=areas.get(first["origin_pcode"]),
        displacement_date=datetime.date.fromisoformat(displaced) if displaced else None,
        size=int(first["household_size"] or len(group)),
        shelter_type=first["shelter_type"],
        status=first["status"] or "displaced",
    )
    for row in group:
        cells = row.cells
        names = SimpleNamespace(
            given_name=cells["given_name"],
            father_name=cells["father_name"],
            grandfather_name=cells["grandfather_name"],
            family_name=cells["family_name"],
            mother_name=cells["mother_name"],
        )
        derive_names(names)  # type: ignore[arg-type] — it reads and sets plain attributes
        birth, precision = _birth(cells["birth_date"])
        relationship = cells["relationship"] or ("head" if row.source == PARTNER else "")
        person_id = persons.add(
            household_id=household_id,
            relationship=relationship,
            sex=SEX.get(cells["sex"], ""),
            birth_date=birth,
            birth_date_precision=precision,
            disability=cells["disability"] == YES,
            chronic_illness=cells["chronic_illness"] == YES,
            pregnant_or_lactating=cells["pregnant_or_lactating"] == YES,
            separated_child=cells["separated_child"] == YES,
            **vars(names),
        )
        if cells["phone"] and (number := normalise_phone(cells["phone"])):
            phones.add(person_id=person_id, number=cells["phone"], number_normalised=number)
        if cells["national_id"] and (number := normalise_id(cells["national_id"])):
            documents.add(
                person_id=person_id,
                kind=DocumentKind.NATIONAL_ID.value,
                number=cells["national_id"],
                number_normalised=number,
            )
        sources.add(
            organisation_id=organisation_id,
            area_id=area_id,
            kind=row.source,
            source_name=row.list_name,
            source_key=row.record_id,
            payload=json.dumps(cells, ensure_ascii=False),
            person_id=person_id,
            household_id=household_id,
        )
        true_persons.append(row.person_id)
        truth_rows.append((person_id, row.person_id, part))
        if black_box_csv is not None:
            black_box_csv.writerow({**black_box(row), "record_id": str(person_id)})
