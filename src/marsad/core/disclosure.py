"""Small-cell protection of published tables (statistical disclosure control).

Primary suppression hides each cell counting fewer people than a threshold. Alone it protects
nothing where a total is published beside the cells it sums: a governorate's families less its
visible districts is the hidden district. Complementary (secondary) suppression hides more cells
until no published sum ("line": a total and the cells it adds up) has exactly one hidden entry,
so no hidden figure follows by subtraction from one line.

The choice is the usual greedy one: in a line with one hidden entry, hide the smallest visible
positive cell of the line (the least information lost), else a zero cell, else the total. It
is deterministic (ties go to the cell listed first) and runs until no line changes. It does
not solve every attack by several lines at once (that needs linear programming, as τ-ARGUS
does); on a hierarchy, where every cell is summed by one line, one line at a time is enough.
"""

from collections import defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)

#: How a withheld cell reads in a table or a file, beside "<5" for a small one: the figure is
#: not small, it is hidden so that a small one cannot be worked out from a total.
WITHHELD_MARKER = "x"


@dataclass(frozen=True)
class Line(Generic[Key]):
    """A published sum: ``total`` is the sum of ``cells``."""

    total: Key
    cells: Sequence[Key]


@dataclass(frozen=True)
class Protection(Generic[Key]):
    """The cells to hide: ``small`` ones (below the threshold) and their ``complements``."""

    small: frozenset[Key]
    complements: frozenset[Key]

    @property
    def hidden(self) -> frozenset[Key]:
        return self.small | self.complements

    def __contains__(self, key: object) -> bool:
        return key in self.small or key in self.complements


def is_small(value: int | None, threshold: int) -> bool:
    """A cell counting someone, but fewer than ``threshold``."""
    return value is not None and 0 < value < threshold


def protect(
    values: Mapping[Key, int],
    lines: Iterable[Line[Key]],
    threshold: int,
    *,
    fixed: Iterable[Key] = (),
    hidden_elsewhere: Iterable[Key] = (),
    withhold: Iterable[Key] = (),
) -> Protection[Key]:
    """Which of ``values`` to hide so that each cell below ``threshold`` cannot be worked out
    from any one of ``lines``. Lines are looked at in the order given, then as hiding a cell
    opens them again: give a hierarchy's top lines first, so a complement chosen high up can
    protect the line below it too. Cells in ``fixed`` are published elsewhere as they are: never
    chosen as complements. Cells in ``hidden_elsewhere`` (totals another table withholds) count
    as hidden from the start; they are in neither set returned. Cells in ``withhold`` (which a
    wider table withholds) are hidden from the start too, and returned among the complements
    unless they are small."""
    lines = list(lines)
    small = {key for key, value in values.items() if is_small(value, threshold)}
    elsewhere = set(hidden_elsewhere) - small
    hidden = small | elsewhere | set(withhold)
    keep = set(fixed) - hidden
    lines_of: dict[Key, list[int]] = defaultdict(list)
    for index, line in enumerate(lines):
        for key in (line.total, *line.cells):
            lines_of[key].append(index)
    pending = deque(sorted({index for key in hidden for index in lines_of[key]}))
    queued = set(pending)
    while pending:
        index = pending.popleft()
        queued.discard(index)
        line = lines[index]
        if sum(key in hidden for key in (line.total, *line.cells)) != 1:
            continue
        chosen = _complement(line, values, hidden, keep)
        if chosen is None:
            continue  # nothing may be hidden: every other entry is published elsewhere
        hidden.add(chosen)
        for other in lines_of[chosen]:
            if other not in queued:
                queued.add(other)
                pending.append(other)
    return Protection(frozenset(small), frozenset(hidden - small - elsewhere))


def _complement(
    line: Line[Key], values: Mapping[Key, int], hidden: set[Key], keep: set[Key]
) -> Key | None:
    visible = [key for key in line.cells if key not in hidden and key not in keep]
    positive = [key for key in visible if values.get(key, 0) > 0]
    if positive:
        return min(positive, key=lambda key: values[key])  # min keeps the first of equals
    if visible:
        return visible[0]
    if line.total not in hidden and line.total not in keep:
        return line.total
    return None
