"""Scored pairs out of a run's DuckDB database and into ``CandidatePair`` rows.

A pair decided same or different is a label: a run never writes to it. An unsure pair keeps its
status and takes the new scores; so does one waiting for review. A new pair waits for review;
the auto-link step (``autolink``) then takes those at or above the auto-link threshold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from marsad.linkage.model import evidence_columns, households
from marsad.linkage.models import DECIDED, CandidatePair, LinkageRun, PairStatus

#: Rows per INSERT … ON CONFLICT statement.
WRITE_BATCH = 1000
#: Primary keys per ``IN`` list (under SQLite's limit on query parameters).
READ_BATCH = 500


@dataclass(frozen=True)
class ScoredPair:
    left: int
    right: int
    probability: float
    weight: float
    evidence: list[dict[str, Any]]


def pairs_query(
    model: Mapping[str, Any], table: str, *, minimum: float, households: bool = False
) -> str:
    """SQL over a Splink predictions table: the pair, its scores and, per comparison, the
    level it fell in (gamma) and its match weight with the term-frequency adjustment; with
    ``households``, over a table of ``households.supported_query``, the household evidence
    last (the support, or NULL for records without a household, and the weight it gave)."""
    selected = ["record_id_l", "record_id_r", "match_probability", "match_weight"]
    for name, _gammas, has_tf in evidence_columns(model):
        weight = f"mw_{name}" + (f" + coalesce(mw_tf_adj_{name}, 0)" if has_tf else "")
        selected += [f"gamma_{name}", f"coalesce({weight}, 0)"]
    if households:
        selected += [
            "CASE WHEN household_l IS NULL OR household_r IS NULL THEN NULL"
            " ELSE household_support END",
            "mw_household",
        ]
    # table names are Splink's own and the threshold a float: nothing here comes from input
    return (
        f"SELECT {', '.join(selected)} FROM {table} "  # noqa: S608
        f"WHERE match_probability >= {float(minimum)!r} AND record_id_l <> record_id_r"
    )


def read_pairs(model: Mapping[str, Any], rows: Iterable[tuple[Any, ...]]) -> list[ScoredPair]:
    """Rows of :func:`pairs_query` as pairs (left < right, each pair once) with their evidence:
    ``{"field", "label", "weight"}`` per comparison, labelled as the model labels its levels."""
    described = [(name, dict(gammas)) for name, gammas, _has_tf in evidence_columns(model)]
    household_column = 4 + 2 * len(described)
    pairs: dict[tuple[int, int], ScoredPair] = {}
    for row in rows:
        first, second = int(row[0]), int(row[1])
        left, right = min(first, second), max(first, second)
        if (left, right) in pairs:
            continue  # a pair of two new records comes from both sides
        evidence = []
        for position, (name, labels) in enumerate(described):
            gamma, weight = row[4 + 2 * position], row[5 + 2 * position]
            evidence.append(
                {
                    "field": name,
                    "label": labels.get(gamma, "missing"),
                    "weight": round(float(weight or 0.0), 3),
                }
            )
        if len(row) > household_column:
            household = households.evidence(row[household_column], row[household_column + 1])
            if household is not None:
                evidence.append(household)
        pairs[(left, right)] = ScoredPair(
            left=left,
            right=right,
            probability=float(row[2]),
            weight=float(row[3]),
            evidence=evidence,
        )
    return list(pairs.values())


def _decided(keys: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of these pairs carry a same/different decision."""
    lefts = sorted({left for left, _right in keys})
    wanted = set(keys)
    decided = set()
    for start in range(0, len(lefts), READ_BATCH):
        rows = CandidatePair.objects.filter(
            left_id__in=lefts[start : start + READ_BATCH], status__in=DECIDED
        ).values_list("left_id", "right_id")
        decided.update(key for key in rows if key in wanted)
    return decided


@dataclass
class WriteResult:
    written: int = 0
    kept_decided: int = 0
    withdrawn: int = 0


def write_pairs(
    *,
    run: LinkageRun,
    pairs: list[ScoredPair],
    withdraw_before: datetime | None = None,
) -> WriteResult:
    """Create or refresh the run's pairs in one transaction, leaving decided pairs alone.

    The write is an upsert that sets the scores, evidence and run but never the status, so a
    decision a reviewer makes meanwhile is not overwritten. ``withdraw_before`` (full runs):
    pairs still waiting for review that this run did not score again and that were last
    written before that moment leave the queue — the new model no longer puts them there."""
    result = WriteResult()
    decided = _decided([(pair.left, pair.right) for pair in pairs])
    now = timezone.now()
    rows = [
        CandidatePair(
            left_id=pair.left,
            right_id=pair.right,
            match_probability=pair.probability,
            match_weight=pair.weight,
            evidence=pair.evidence,
            status=PairStatus.REVIEW,
            run=run,
            created_at=now,
            updated_at=now,
        )
        for pair in pairs
        if (pair.left, pair.right) not in decided
    ]
    result.kept_decided = len(pairs) - len(rows)
    with transaction.atomic():
        for start in range(0, len(rows), WRITE_BATCH):
            CandidatePair.objects.bulk_create(
                rows[start : start + WRITE_BATCH],
                update_conflicts=True,
                unique_fields=["left", "right"],
                update_fields=[
                    "match_probability",
                    "match_weight",
                    "evidence",
                    "run",
                    "updated_at",
                ],
            )
        result.written = len(rows)
        if withdraw_before is not None:
            result.withdrawn, _ = (
                CandidatePair.objects.filter(
                    status=PairStatus.REVIEW, updated_at__lt=withdraw_before
                )
                .exclude(run=run)
                .filter(merge__isnull=True, decided_by__isnull=True)
                .delete()
            )
    return result
