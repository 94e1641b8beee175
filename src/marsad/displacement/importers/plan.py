"""What a master-list import will write, as plain values: built by ``apply`` while it checks
the rows, written by ``write_orm`` or ``write_pg``."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from marsad.displacement.importers.masterlist import MasterRow
from marsad.partners.models import Programme

BATCH_SIZE = 500
SOURCE = "masterlist"
COMPARED_FIELDS = ("families", "individuals", "individuals_estimated")

ProgressCallback = Callable[[int, int, str], None]
GroupKey = tuple[int, str, int | None, int | None, str]


@dataclass(slots=True)
class Area:
    """What the checks need of an area; ``pk`` is None for a location this file adds."""

    pk: int | None
    pcode: str
    level: int
    path: str


@dataclass(slots=True)
class Assessment:
    """A stored assessment of the round, as the checks need it."""

    pk: int
    area_id: int
    organisation_id: int
    status: str


@dataclass(slots=True)
class Group:
    """A stored population group: its id and compared figures (the new ones once planned)."""

    pk: int
    assessment_id: int
    population_type: str
    families: int
    individuals: int
    individuals_estimated: bool


@dataclass(slots=True)
class NewGroup:
    """A population group to create; ``assessment_id`` is None when its assessment is new."""

    row: MasterRow
    individuals: int
    individuals_estimated: bool
    assessment_id: int | None


class Plan:
    """What the import will write, built while checking."""

    def __init__(self, programme: Programme | None = None) -> None:
        # New assessments belong to this programme (so programme-narrowed staff see them).
        self.programme = programme
        self.areas: dict[str, Area] = {}
        self.periods: dict[str, int] = {}
        # New locations by P-code: the first row that names one, and its parent.
        self.new_locations: dict[str, tuple[MasterRow, Area]] = {}
        # Locations (by P-code) whose assessment in the round is new, in file order.
        self.new_assessments: list[str] = []
        self.create: list[NewGroup] = []
        self.update: list[tuple[MasterRow, Group, dict[str, list[Any]]]] = []
