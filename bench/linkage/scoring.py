"""Scoring a linkage against the generator's truth, and measuring peak memory.

Cluster-pairwise precision and recall: every two records put in one cluster is a predicted
pair, every two records of one true person a true pair (the issue's F1 target is on these).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Scores:
    predicted: int
    true: int
    hits: int

    @property
    def precision(self) -> float:
        return self.hits / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"precision {self.precision:.4f} recall {self.recall:.4f} F1 {self.f1:.4f} "
            f"({self.hits:,} of {self.predicted:,} predicted pairs true; "
            f"{self.true:,} true pairs)"
        )


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def clusters_from_links(links: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Connected components of the links (union-find): record → its cluster's root.
    Records without a link are singletons and are left out."""
    parent: dict[int, int] = {}

    def find(node: int) -> int:
        parent.setdefault(node, node)
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for left, right in links:
        a, b = find(left), find(right)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {node: find(node) for node in parent}


def cluster_scores(
    assignment: Mapping[int, int],
    truth: Callable[[int], int],
    *,
    true_pairs: int,
    new: Container[int] | None = None,
) -> Scores:
    """Pairwise scores of clusters (record → cluster) against the truth. With ``new`` (the
    records of an incremental batch), only pairs with at least one new record count."""
    members: dict[int, list[int]] = {}
    for record, cluster in assignment.items():
        members.setdefault(cluster, []).append(record)
    predicted = hits = 0
    for records in members.values():
        if len(records) < 2:
            continue
        predicted += _pairs(len(records))
        hits += sum(_pairs(n) for n in Counter(truth(r) for r in records).values())
        if new is not None:  # take away the pairs among records that were there before
            old = [record for record in records if record not in new]
            predicted -= _pairs(len(old))
            hits -= sum(_pairs(n) for n in Counter(truth(r) for r in old).values())
    return Scores(predicted=predicted, true=true_pairs, hits=hits)


def links_of(assignment: Mapping[int, int]) -> list[tuple[int, int]]:
    """Clusters (record → cluster) as links that connect each cluster's records."""
    first: dict[int, int] = {}
    links = []
    for record, cluster in assignment.items():
        if cluster in first:
            links.append((first[cluster], record))
        else:
            first[cluster] = record
    return links


def read_clusters(path: Path) -> dict[int, int]:
    """clusters.csv (record_id, cluster_id) → record → cluster, as integers."""
    clusters: dict[int, int] = {}
    names: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            record, cluster = line.rstrip("\n").split(",")
            clusters[int(record)] = names.setdefault(cluster, len(names))
    return clusters


class PeakMemory:
    """The largest resident memory of this process (and its children) while the block runs,
    sampled from /proc every 0.1 s."""

    def __init__(self) -> None:
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def current() -> int:
        try:
            with open("/proc/self/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self.current())
            time.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self.peak_bytes = self.current()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self.current())

    @property
    def gigabytes(self) -> float:
        return self.peak_bytes / 2**30


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]
