"""Household support: what the other members of two households say about a pair.

Fellegi–Sunter scores a pair of persons on their own fields. In a registry of displaced
households that leaves the commonest case of a duplicate weakest: a wife or a son registered
again by a distribution list with the head, spelt in Latin letters, with a year instead of a
date, no phone and no document. Their names agree, but so do the names of some other
"Zainab daughter of Ali al-Jubouri" born the same year somewhere among a million persons; the
model cannot tell them apart and rightly keeps its probability under the auto-link threshold.

Their households can. If another member of the same two households also matches (the head,
found by phone or document, or a brother), the two households are one family registered twice,
and within one family two persons with the same given name and father are one person: a chance
namesake in an unrelated household has no household member of the other side to match too. So a
pair whose given names agree and whose two households share another match above
:data:`SUPPORT_PROBABILITY` gains :data:`HOUSEHOLD_WEIGHT` bits of match weight. Measured on the
benchmark's registry of a million persons (``bench/linkage``): among the scored pairs whose given
names agree, 77 % of the true pairs have that support and 0.03 % of the others, a Bayes factor
of about 2^11; the weight is set a little below it. Only the given name's "agrees" levels
qualify: twins and siblings share the household and differ only in their given names, which
keeps their veto.

The records carry their household in the ``household`` column (the registry's household, or a
black-box file's optional ``household_id``); records without one get no support. The functions
here write SQL that runs on DuckDB and on Spark alike.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from marsad.linkage.model.linkage import evidence_columns

#: Bits of match weight a pair gains when another member of both households matches.
HOUSEHOLD_WEIGHT = 10.0
#: A pair supports the other pairs of its two households from this match probability up.
SUPPORT_PROBABILITY = 0.5
#: The evidence entry's field name and labels (``marsad.linkage.labels`` translates them).
FIELD = "household"
SUPPORTED = "agrees: another member of both households matches"
UNSUPPORTED = "no other member of both households matches"


def probability(weight: float) -> float:
    """Match probability of a match weight (log2 Bayes factor including the prior)."""
    return 1.0 / (1.0 + 2.0 ** (-weight))


def weight(probability_: float) -> float:
    """Match weight of a probability strictly between 0 and 1."""
    return math.log2(probability_ / (1.0 - probability_))


def floor(threshold: float, *, bonus: float = HOUSEHOLD_WEIGHT) -> float:
    """The lowest probability Splink must keep for a pair to reach ``threshold`` with the bonus
    (and for every pair that could support another: never above :data:`SUPPORT_PROBABILITY`)."""
    return min(probability(weight(threshold) - bonus), SUPPORT_PROBABILITY)


def agreeing_given_levels(model: Mapping[str, Any]) -> list[int]:
    """The gamma values of the given name's "agrees" levels in ``model``."""
    for name, gammas, _has_tf in evidence_columns(model):
        if name == "given_name":
            return [gamma for gamma, label in gammas if label.startswith("agrees")]
    return []


def supported_query(
    model: Mapping[str, Any],
    predictions: str,
    records: str,
    *,
    minimum: float,
    bonus: float = HOUSEHOLD_WEIGHT,
    support_probability: float = SUPPORT_PROBABILITY,
) -> str:
    """SQL: the pairs of ``predictions`` (a Splink predictions table) with the household
    evidence added, from ``minimum`` (match probability, after the bonus) up. ``records`` is a
    table with ``record_id`` and ``household``; a record missing from it has no household.

    The result keeps the columns the pair writers read — ``record_id_l``, ``record_id_r``,
    ``match_weight``, ``match_probability`` (both with the bonus), and per comparison its
    ``gamma_`` and ``mw_`` (and ``mw_tf_adj_``) columns — and adds ``household_support`` (how
    many other pairs of the same two households match) and ``mw_household`` (the bonus given).
    """
    described = evidence_columns(model)
    kept = [f"gamma_{name}" for name, _gammas, _tf in described]
    kept += [f"mw_{name}" for name, _gammas, _tf in described]
    kept += [f"mw_tf_adj_{name}" for name, _gammas, has_tf in described if has_tf]
    agrees = agreeing_given_levels(model) or [-99]
    given = ", ".join(str(gamma) for gamma in agrees)
    columns = ", ".join(f"p.{column}" for column in kept)
    # every name below is Splink's or this module's, every number a float: nothing from input
    return f"""
WITH scored AS (
    SELECT p.record_id_l, p.record_id_r, p.match_weight, p.match_probability, {columns},
           hl.household AS household_l, hr.household AS household_r
    FROM {predictions} p
    LEFT JOIN {records} hl ON hl.record_id = p.record_id_l
    LEFT JOIN {records} hr ON hr.record_id = p.record_id_r
    WHERE p.record_id_l <> p.record_id_r
),
households AS (
    SELECT record_id_l, record_id_r, match_probability,
           least(household_l, household_r) AS first_household,
           greatest(household_l, household_r) AS second_household
    FROM scored
    WHERE household_l IS NOT NULL AND household_r IS NOT NULL AND household_l <> household_r
),
support AS (
    SELECT a.record_id_l, a.record_id_r, count(*) AS household_support
    FROM households a
    JOIN households b
      ON b.first_household = a.first_household AND b.second_household = a.second_household
     AND b.record_id_l <> a.record_id_l AND b.record_id_l <> a.record_id_r
     AND b.record_id_r <> a.record_id_l AND b.record_id_r <> a.record_id_r
    WHERE b.match_probability >= {float(support_probability)!r}
    GROUP BY a.record_id_l, a.record_id_r
),
adjusted AS (
    SELECT scored.*,
           coalesce(support.household_support, 0) AS household_support,
           CASE WHEN support.household_support > 0 AND scored.gamma_given_name IN ({given})
                THEN {float(bonus)!r} ELSE 0.0 END AS mw_household
    FROM scored
    LEFT JOIN support
      ON support.record_id_l = scored.record_id_l AND support.record_id_r = scored.record_id_r
)
SELECT record_id_l, record_id_r,
       match_weight + mw_household AS match_weight,
       1.0 / (1.0 + power(2.0, -(match_weight + mw_household))) AS match_probability,
       {", ".join(kept)}, household_l, household_r, household_support, mw_household
FROM adjusted
WHERE 1.0 / (1.0 + power(2.0, -(match_weight + mw_household))) >= {float(minimum)!r}
"""  # noqa: S608


def evidence(support: int | None, bonus: float | None) -> dict[str, Any] | None:
    """The household's entry in a pair's evidence, or None for records without households."""
    if support is None:
        return None
    label = SUPPORTED if support and bonus else UNSUPPORTED
    return {"field": FIELD, "label": label, "weight": round(float(bonus or 0.0), 3)}


def evidence_label_sql() -> str:
    """:func:`evidence`'s label as SQL over a :func:`supported_query` table ("missing" for
    records without a household), for outputs written by the database itself."""
    return (
        "CASE WHEN household_l IS NULL OR household_r IS NULL THEN 'missing'"
        f" WHEN household_support > 0 AND mw_household > 0 THEN '{SUPPORTED}'"
        f" ELSE '{UNSUPPORTED}' END"
    )
