"""Record linkage over the registry: full runs (train, score everything, link), incremental
runs (new registrations against the registry), and their summaries.

``engine`` runs them; ``snapshot`` keeps the prepared registry between runs, as Parquet parts;
``incremental`` scores new records against those parts; ``pairs`` writes candidate pairs
without touching decided ones; ``autolink`` merges clusters above the auto-link threshold;
``labels`` adds reviewers' decisions to training.
"""

from marsad.linkage.runs.engine import (
    check_may_train,
    run_full,
    run_incremental,
    summary,
    thresholds,
)

__all__ = ["check_may_train", "run_full", "run_incremental", "summary", "thresholds"]
