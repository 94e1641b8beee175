"""Reviewers' decisions as training evidence.

Splink's ``estimate_m_from_pairwise_labels`` would replace the learnt m probabilities with the
proportions seen in the labelled pairs; here the labels are added to what expectation
maximisation learnt instead, as if EM's estimate had come from :data:`PRIOR_PAIRS` labelled pairs
(a Beta/Dirichlet update). The labelled pairs are the ones the model was unsure about (they came
through the review queue), not a sample of all matches, so they should correct the model where
it hesitates, not outvote it. Each pair's stored evidence already says which level each field
fell in when it was reviewed, so no record is compared again.

Only "same" decisions say anything about m (how fields of one person's records agree).
"Different" decisions are not a sample of random non-matches, which u describes; they are kept
as constraints instead: a run never links two records a reviewer has kept apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from marsad.linkage.model import clamp_m, repair_model
from marsad.linkage.model.notes import Note
from marsad.linkage.models import CandidatePair, PairStatus

#: How many labelled pairs EM's estimate counts as.
PRIOR_PAIRS = 200


def same_pair_evidence() -> list[list[dict[str, Any]]]:
    return [
        evidence
        for evidence in CandidatePair.objects.filter(status=PairStatus.SAME).values_list(
            "evidence", flat=True
        )
        if evidence
    ]


def apply_labels(model: dict[str, Any], evidence: list[list[dict[str, Any]]]) -> list[Note]:
    """Update the m probabilities of ``model`` in place from the levels the "same" pairs fell
    in. Returns the notes of any repair the updated levels needed (see ``repair_model``)."""
    if not evidence:
        return []
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for pair in evidence:
        for item in pair:
            if item.get("label") and item["label"] != "missing":
                seen[item.get("field", "")][item["label"]] += 1
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        counts = seen.get(name)
        if not counts:
            continue
        levels = [
            level for level in comparison["comparison_levels"] if not level.get("is_null_level")
        ]
        free = [level for level in levels if not level.get("fix_m_probability")]
        total = sum(counts.get(level.get("label_for_charts"), 0) for level in free)
        if not total:
            continue
        fixed_mass = sum(level["m_probability"] for level in levels if level not in free)
        for level in free:
            learnt = level["m_probability"]
            labelled = counts.get(level["label_for_charts"], 0) / total * (1 - fixed_mass)
            level["m_probability"] = (PRIOR_PAIRS * learnt + total * labelled) / (
                PRIOR_PAIRS + total
            )
    clamp_m(model)
    return repair_model(model)
