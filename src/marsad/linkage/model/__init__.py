"""The person-linkage model: Splink 5 on embedded DuckDB over names, birth, sex, phone, ID, origin.

Records arrive as plain dictionaries (the black-box CSV columns). :func:`prepare` derives the
columns the comparisons read (``records``); :func:`settings` holds the comparisons, each level
labelled and with default m/u probabilities, and the blocking rules (``settings``, which also
says why a differing given name vetoes a link); :class:`PersonLinkage` trains, predicts and
clusters, falling back to the defaults where a file is too small to learn from (``linkage``).
"""

from marsad.linkage.model.linkage import (
    MIN_M_PROBABILITY,
    MIN_RECORDS_FOR_EM,
    PersonLinkage,
    TrainingReport,
    clamp_m,
    evidence_columns,
    repair_model,
)
from marsad.linkage.model.records import (
    BLOCK_VALUE_LIMIT,
    ESTIMATED_DAYS,
    INPUT_COLUMNS,
    NAME_COLUMNS,
    OPTIONAL_COLUMNS,
    SCHEMA,
    BirthDate,
    PreparedRecords,
    parse_birth_date,
    prepare,
)
from marsad.linkage.model.settings import (
    DEFAULT_PRIOR,
    DETERMINISTIC_RULES,
    PREDICTION_BLOCKS,
    TRAINING_BLOCKS,
    comparisons,
    settings,
)

__all__ = [
    "BLOCK_VALUE_LIMIT",
    "DEFAULT_PRIOR",
    "DETERMINISTIC_RULES",
    "ESTIMATED_DAYS",
    "INPUT_COLUMNS",
    "MIN_M_PROBABILITY",
    "MIN_RECORDS_FOR_EM",
    "NAME_COLUMNS",
    "OPTIONAL_COLUMNS",
    "PREDICTION_BLOCKS",
    "SCHEMA",
    "TRAINING_BLOCKS",
    "BirthDate",
    "PersonLinkage",
    "PreparedRecords",
    "TrainingReport",
    "clamp_m",
    "comparisons",
    "evidence_columns",
    "parse_birth_date",
    "prepare",
    "repair_model",
    "settings",
]
