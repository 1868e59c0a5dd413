"""RAG ratings: Red, Amber or Green from how far a figure falls short of its target, and why.

The *shortfall* is how far the figure is on the adverse side of the target, in the measure's unit
(0 when it meets the target or does better); for a band, how far it lies outside the band. Green
when the shortfall is within ``green_within``, Amber within ``amber_within``, else Red; a figure
exactly on a boundary gets the better rating. Where the base the figure rests on is below
``min_base``, Red is capped at Amber (small numbers). A measure with no target or no polarity is
``N/A``; a figure not yet available is ``Pending``. An officer's override from ``overrides.csv``
replaces the rating, and ``rag_computed`` keeps the computed one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from perfnb.column_set import numbers
from perfnb.engine_text import (
    Coded,
    arrow_text,
    coded,
    join_arrow,
    join_text,
    replace_text,
    take_text,
    texts,
)
from perfnb.figure_text import figures_arrow, figures_text
from perfnb.polarity import (
    RAG_LABELS,
    RAG_ORDER,
    RATINGS,
    better_sign,
    normalise_rag,
    outside_band,
)
from perfnb.rag_reasons import (
    RAG_CODES,
    improving_is_amber,
    reasons,
    resting_on,
)
from perfnb.tolerances import (
    DEFAULT_AMBER_WITHIN,
    DEFAULT_GREEN_WITHIN,
    tolerance_limit,
    with_default,
    within,
)
from perfnb.variance import variance

__all__ = [
    "RAG_LABELS",
    "RAG_ORDER",
    "RATINGS",
    "apply_overrides",
    "figures_arrow",
    "figures_text",
    "normalise_rag",
    "rate",
    "rate_against_target",
    "shortfall",
]


def shortfall(
    value: np.ndarray,
    target: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    polarity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """How far each figure is on the adverse side of its target, in the measure's unit, and the
    target or band edge that a relative tolerance is a share of."""
    band_edge = np.where(value < low, low, high)
    # the target's adverse side by the polarity's sign (+ 0.0: never a negative zero); no aim: NaN
    beyond_target = np.maximum(better_sign(polarity) * (target - value), 0.0) + 0.0
    gap = np.where(polarity == "band", outside_band(value, low, high), beyond_target)
    reference = np.where(polarity == "band", band_edge, target)
    return gap, reference


_NA, _PENDING_RAG, _GREEN_RAG, _AMBER_RAG, _RED_RAG = range(5)  # places in RAG_CODES


def rate(card: pd.DataFrame) -> pd.DataFrame:
    """The computed RAG of each row of ``card`` and the reason for it.

    ``card`` has value, target, band_low, band_high, polarity, unit, decimals, green_within and
    amber_within (tolerance texts, defaults filled in), min_base, base, rag_on, variance,
    variance_pct, pending, note, target_year and target_note. Returns ``rag_computed``,
    ``rag_reason`` and ``shortfall`` (in the measure's unit) aligned to ``card``.
    """
    rag, reason, gap = rate_columns(card)
    return pd.DataFrame(
        {
            "rag_computed": rag.objects(),
            "rag_reason": pd.array(arrow_text(reason), dtype="str"),
            "shortfall": gap,
        },
        index=card.index,
    )


def rate_columns(card: pd.DataFrame) -> tuple[Coded, Coded | pa.Array, np.ndarray]:
    """:func:`rate`'s three columns as the engine keeps them: the rating as codes
    (``RAG_CODES``), the reason (coded: a million rows have a few thousand; Arrow strings
    should a part of it ever be) and the shortfall (measure's unit)."""
    value = numbers(card["value"])
    target = numbers(card["target"])
    low, high = numbers(card["band_low"]), numbers(card["band_high"])
    polarity = coded(card["polarity"])
    is_band = polarity.equals("band")
    gap, reference = _shortfall(value, target, low, high, polarity)
    green_limit, green_relative = tolerance_limit(card["green_within"], reference)
    amber_limit, amber_relative = tolerance_limit(card["amber_within"], reference)

    no_target = np.where(is_band, np.isnan(low) | np.isnan(high), np.isnan(target))
    not_rated = polarity.equals("none") | no_target
    pending = np.isnan(value) & ~not_rated
    green = within(gap, green_limit, value, reference)
    amber = ~green & within(gap, amber_limit, value, reference)
    red = ~green & ~amber
    base = numbers(card["base"])
    min_base = numbers(card["min_base"])
    small = red & (base < min_base)
    rag_code = np.select(
        [not_rated, pending, green, amber | small, red],
        [_NA, _PENDING_RAG, _GREEN_RAG, _AMBER_RAG, _RED_RAG],
        _NA,
    )

    categories = [
        polarity.equals("none"),
        not_rated,
        pending,
        green & (gap == 0),
        green,
        small,
        amber,
    ]
    category = np.select(categories, np.arange(len(categories)), len(categories))
    reason = reasons(card, category, gap, reference, green_relative, amber_relative, polarity)
    rag_code, reason = improving_is_amber(
        card, rag_code, reason, red & ~small & ~not_rated & ~pending
    )
    rag = Coded(rag_code.astype(np.int64), RAG_CODES)
    reason = join_text(rag, ": ", reason, resting_on(card, rag_code))
    return rag, reason, np.round(gap, 9)


def _shortfall(
    value: np.ndarray, target: np.ndarray, low: np.ndarray, high: np.ndarray, polarity: Coded
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`shortfall` with the polarity as codes."""
    is_band = polarity.equals("band")
    band_edge = np.where(value < low, low, high)
    sign = better_sign(polarity.words)[polarity.codes] if len(polarity) else np.zeros(0)
    beyond_target = np.maximum(sign * (target - value), 0.0) + 0.0
    gap = np.where(is_band, outside_band(value, low, high), beyond_target)
    reference = np.where(is_band, band_edge, target)
    return gap, reference


def rate_against_target(card: pd.DataFrame) -> pd.DataFrame:
    """Variance, tolerances (defaults filled in) and the computed RAG of each row, the steps the
    engine takes once figures and targets are known.

    ``card`` has the columns ``rate`` needs except the variances; returns variance,
    variance_pct, variance_pp, green_within, amber_within, rag_computed, rag_reason and
    shortfall aligned to ``card``.
    """
    out = variance(
        card["value"],
        card["target"],
        card["band_low"],
        card["band_high"],
        card["polarity"],
        card["unit"],
    )
    out["green_within"] = with_default(card["green_within"], card["unit"], DEFAULT_GREEN_WITHIN)
    out["amber_within"] = with_default(card["amber_within"], card["unit"], DEFAULT_AMBER_WITHIN)
    rated = card.drop(columns=["green_within", "amber_within"]).join(out)
    return out.join(rate(rated))


def apply_overrides(card: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """``rag`` from ``overrides.csv`` where an officer has set one for the row's measure and
    period, else ``rag_computed``; the reason names who overrode it, why, and what was computed.

    ``card`` has measure_id, period, rag_computed and rag_reason; ``overrides`` has measure_id,
    period, rag (already normalised), reason and by. Returns rag, rag_reason and overridden.
    """
    rag, reason, overridden = override_columns(
        card, coded(card["rag_computed"]), arrow_text(texts(card["rag_reason"])), overrides
    )
    return pd.DataFrame(
        {
            "rag": rag.objects(),
            "rag_reason": pd.array(arrow_text(reason), dtype="str"),
            "overridden": overridden,
        },
        index=card.index,
    )


def override_columns(
    card: pd.DataFrame, computed: Coded, reason: Coded | pa.Array, overrides: pd.DataFrame
) -> tuple[Coded, Coded | pa.Array, np.ndarray]:
    """:func:`apply_overrides` on the engine's codes: the rating (coded), its reason (coded or
    Arrow, as given) and whether an officer overrode it; ``card`` has measure_id and period."""
    n = len(card)
    keyed = overrides.drop_duplicates(["measure_id", "period"], keep="last")
    if keyed.empty or n == 0:
        return computed, reason, np.zeros(n, dtype=bool)
    measure, period = coded(card["measure_id"]).compact(), coded(card["period"]).compact()
    width = len(period.words) + 1
    m_at = pd.Index(measure.words).get_indexer(
        keyed["measure_id"].astype(str).to_numpy(dtype=object)
    )
    p_at = pd.Index(period.words).get_indexer(keyed["period"].astype(str).to_numpy(dtype=object))
    valid = (m_at >= 0) & (p_at >= 0)
    wanted = pd.Index((m_at * width + p_at)[valid])
    position = wanted.get_indexer(measure.codes * width + period.codes)
    rows = np.flatnonzero(position >= 0)
    if not len(rows):
        return computed, reason, np.zeros(n, dtype=bool)
    chosen = keyed[valid].iloc[position[rows]]
    by = chosen["by"].fillna("").astype(str).to_numpy(dtype=object)
    who = np.where(by != "", " by " + by, "").astype(object)
    new_rag = chosen["rag"].fillna("").astype(str).to_numpy(dtype=object)
    text = join_arrow(
        new_rag,
        ": overridden",
        who,
        ": ",
        chosen["reason"].fillna("").astype(str).to_numpy(dtype=object),
        " (computed ",
        take_text(reason, rows),
        ")",
    )
    codes = computed.codes.copy()
    codes[rows] = len(computed.words) + np.arange(len(rows))
    overridden = np.zeros(n, dtype=bool)
    overridden[rows] = True
    return (
        Coded(codes, np.concatenate([computed.words, new_rag]).astype(object)),
        replace_text(reason, rows, text),
        overridden,
    )
