"""The Splink settings: comparisons with labelled levels and default m/u, and blocking rules.

The settings are written here rather than assembled from Splink's comparison library because every
level needs a label a reviewer can read ("agrees: same name", "close: within a year") and default
m/u probabilities to fall back on when a small file gives the training too little to learn from.

One choice needs saying. Fathers, grandfathers, family names, mothers, phones and origins are
shared by brothers and sisters, so on those fields a sibling looks exactly like a duplicate and
the evidence adds up (Fellegi–Sunter treats the fields as independent; within a household they
are not). Only the given name and the birth date tell siblings apart. So the given name's
"disagrees" level has a fixed, vanishing m (a veto: twins share everything else), and so has a
near-miss given name when the birth year differs too. Cousins share the grandfather and family
name as well, and often a given name (both named after the grandfather) and a birth year; the
father's name tells them apart, so its "disagrees" level keeps its default m whatever training
learns. A false merge denies someone aid; a missed duplicate goes to review.
"""

from __future__ import annotations

from typing import Any

from marsad.linkage.model.records import NAME_COLUMNS

DEFAULT_PRIOR = 1e-4


def _level(
    sql: str, label: str, m: float, u: float, *, tf: str | None = None, fix_m: bool = False
) -> dict[str, Any]:
    level: dict[str, Any] = {
        "sql_condition": sql,
        "label_for_charts": label,
        "m_probability": m,
        "u_probability": u,
    }
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    if fix_m:
        level["fix_m_probability"] = True
    return level


def _null(sql: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": "missing", "is_null_level": True}


def _name_comparison(column: str, prefix: str) -> dict[str, Any]:
    norm, key, listed = (f"{prefix}_{part}" for part in ("norm", "key", "listed"))
    # A typo, not another name: one edit apart in the spelling (same script) or in the key
    # (across scripts), on words of four letters or more, and not two different names that are
    # both listed in names.tsv. (Not on the romanisation: an Arabic word romanised without its
    # short vowels is one edit away from too many other names.)
    close = (
        f"((least(length({norm}_l), length({norm}_r)) >= 4"
        f" AND damerau_levenshtein({norm}_l, {norm}_r) <= 1)"
        f" OR (least(length({key}_l), length({key}_r)) >= 4"
        f" AND levenshtein({key}_l, {key}_r) <= 1))"
        f" AND NOT coalesce({listed}_l <> {listed}_r, false)"
    )
    levels = [
        _null(f"{key}_l IS NULL OR {key}_r IS NULL"),
        _level(f"{norm}_l = {norm}_r", "agrees: same spelling", 0.55, 0.02, tf=norm),
        _level(f"{key}_l = {key}_r", "agrees: same name", 0.35, 0.01, tf=key),
    ]
    if column != "given_name":
        return {
            "output_column_name": column,
            "comparison_description": f"{column}: spelling, key across scripts, typo",
            "comparison_levels": [
                *levels,
                _level(close, "close: one letter off", 0.07, 0.03),
                # A person's father's name (the nasab) rarely changes between registers, and
                # it is what tells cousins apart (same grandfather, family, origin, often the
                # same given name and year): fixed, because EM on a clan-heavy file counts
                # cousins as matches and learns that fathers often disagree.
                _level(
                    "ELSE",
                    "disagrees",
                    0.005 if column == "father_name" else 0.03,
                    0.94,
                    fix_m=column == "father_name",
                ),
            ],
        }
    # See the module docstring: a given name that differs keeps siblings (twins too) apart,
    # and so does a near-miss given name (عمار, عماد) when the birth years are apart as well.
    return {
        "output_column_name": column,
        "comparison_description": "given name: spelling, key across scripts, typo, veto",
        "comparison_levels": [
            *levels,
            _level(
                f"{close} AND abs(birth_year_l - birth_year_r) <= 1",
                "close: one letter off, born within a year",
                0.05,
                0.01,
            ),
            _level(
                f"{close} AND (birth_year_l IS NULL OR birth_year_r IS NULL)",
                "close: one letter off, birth unknown",
                0.01,
                0.01,
            ),
            _level(close, "disagrees: one letter off, born years apart", 1e-12, 0.01, fix_m=True),
            _level("ELSE", "disagrees", 1e-12, 0.94, fix_m=True),
        ],
    }


def comparisons() -> list[dict[str, Any]]:
    """Splink comparison definitions, each level with a label and default m/u probabilities."""
    names = [_name_comparison(column, prefix) for column, prefix in NAME_COLUMNS.items()]
    return [
        *names,
        {
            "output_column_name": "birth_date",
            "comparison_description": "birth date, compared as a year when either side is a year",
            "comparison_levels": [
                _null("birth_year_l IS NULL OR birth_year_r IS NULL"),
                _level("birth_day_l = birth_day_r", "agrees: same date", 0.45, 0.0005),
                _level(
                    "birth_year_l = birth_year_r AND (birth_day_l IS NULL OR birth_day_r IS NULL)",
                    "agrees: same year",
                    0.3,
                    0.02,
                ),
                _level("birth_year_l = birth_year_r", "close: same year, other day", 0.08, 0.02),
                _level("abs(birth_year_l - birth_year_r) <= 1", "close: within a year", 0.1, 0.04),
                _level(
                    "abs(birth_year_l - birth_year_r) <= 3", "close: within three years", 0.05, 0.08
                ),
                _level("ELSE", "disagrees", 0.02, 0.84),
            ],
        },
        {
            "output_column_name": "sex",
            "comparison_description": "sex",
            "comparison_levels": [
                _null("sex_l IS NULL OR sex_r IS NULL"),
                _level("sex_l = sex_r", "agrees", 0.98, 0.5),
                _level("ELSE", "disagrees", 0.02, 0.5),
            ],
        },
        {
            "output_column_name": "phone",
            "comparison_description": "phone, as the national number",
            "comparison_levels": [
                _null("phone_l IS NULL OR phone_r IS NULL"),
                _level("phone_l = phone_r", "agrees", 0.6, 0.0001, tf="phone"),
                _level("levenshtein(phone_l, phone_r) <= 1", "close: one digit off", 0.05, 0.0005),
                _level("ELSE", "disagrees", 0.35, 0.9994),
            ],
        },
        {
            "output_column_name": "national_id",
            "comparison_description": "identity document number",
            "comparison_levels": [
                _null("national_id_l IS NULL OR national_id_r IS NULL"),
                _level("national_id_l = national_id_r", "agrees", 0.9, 0.00001),
                _level(
                    "levenshtein(national_id_l, national_id_r) <= 1",
                    "close: one character off",
                    0.06,
                    0.0001,
                ),
                _level("ELSE", "disagrees", 0.04, 0.99989),
            ],
        },
        {
            "output_column_name": "origin_pcode",
            "comparison_description": "area of origin (P-code)",
            "comparison_levels": [
                _null("origin_pcode_l IS NULL OR origin_pcode_r IS NULL"),
                _level("origin_pcode_l = origin_pcode_r", "agrees", 0.85, 0.05),
                _level("origin_gov_l = origin_gov_r", "close: same governorate", 0.1, 0.1),
                _level("ELSE", "disagrees", 0.05, 0.85),
            ],
        },
    ]


def _rule(*columns: str) -> dict[str, str]:
    return {"blocking_rule": " AND ".join(f"l.{column} = r.{column}" for column in columns)}


#: Pairs are scored only if they agree on one of these (a few dozen candidates per record).
PREDICTION_BLOCKS = [
    _rule("given_key", "father_key", "grandfather_key"),
    _rule("given_key", "father_key", "birth_year"),
    _rule("given_key", "father_key", "family_key"),
    _rule("given_key", "father_key", "mother_key"),
    _rule("given_key", "grandfather_key", "family_key"),
    _rule("given_key", "mother_key", "birth_year"),
    _rule("given_key", "grandfather_key", "family_key", "birth_year"),
    _rule("father_key", "grandfather_key", "birth_year", "sex"),
    _rule("phone_block"),
    _rule("id_block"),
]
#: Expectation maximisation runs once per rule; each rule leaves other fields free to learn.
TRAINING_BLOCKS = [
    _rule("given_key", "father_key"),
    _rule("father_key", "grandfather_key", "family_key"),  # siblings and duplicates: given name
    _rule("given_key", "birth_year"),
]
#: Rules whose pairs are nearly all matches, to estimate how often two records match.
DETERMINISTIC_RULES = [
    _rule("id_block"),
    _rule("given_key", "father_key", "grandfather_key", "birth_year"),
]


def settings(*, prior: float = DEFAULT_PRIOR) -> dict[str, Any]:
    """A complete, untrained Splink settings dictionary for deduplicating persons."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "record_id",
        "probability_two_random_records_match": prior,
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": PREDICTION_BLOCKS,
        "retain_matching_columns": True,  # the gamma (level) columns come only with these
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "em_convergence": 0.0001,
        "max_iterations": 25,
    }
