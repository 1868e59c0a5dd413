"""Direction of travel: is the figure better or worse than the one it is compared with?

The comparison is with the previous period (``dot_basis = previous``, the default) or the same
period last year (``last_year``, for seasonal measures such as library visits). A change within
``dot_stable`` (``0.5`` points for a percentage, ``1%`` of the earlier figure otherwise) is
``stable``. Otherwise a higher figure is ``improving`` when higher is better, a lower one when
lower is better; for a band, coming nearer the band (or into it) is improving. A measure with no
polarity goes ``up``, ``down`` or stays the ``same``. With no earlier figure the direction is
blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfnb.palette import STATUS_WORDS
from perfnb.periods import figure_label
from perfnb.polarity import better_sign, outside_band
from perfnb.tolerances import tolerance_limit, within

__all__ = ["DIRECTIONS", "direction_of_travel", "direction_reasons"]

DIRECTIONS = ("improving", "stable", "declining", "up", "same", "down")


def direction_of_travel(
    value: pd.Series,
    earlier: pd.Series,
    polarity: pd.Series,
    dot_stable: pd.Series,
    band_low: pd.Series,
    band_high: pd.Series,
    earlier_low: pd.Series | None = None,
    earlier_high: pd.Series | None = None,
) -> pd.Series:
    """``improving``, ``stable`` or ``declining`` (``up``, ``same``, ``down`` with no polarity)
    for each figure against the ``earlier`` one; '' where either is missing, or for a band
    measure without a band. ``dot_stable`` holds tolerance texts with the defaults filled in.
    Each figure is judged against its own period's band (``earlier_low``/``earlier_high`` for the
    earlier one; the current band when it has none)."""
    now = value.to_numpy(dtype=float)
    then = earlier.to_numpy(dtype=float)
    pol = polarity.to_numpy(dtype=object)
    low, high = band_low.to_numpy(dtype=float), band_high.to_numpy(dtype=float)
    then_low = low if earlier_low is None else earlier_low.to_numpy(dtype=float)
    then_high = high if earlier_high is None else earlier_high.to_numpy(dtype=float)
    # an earlier period with no band of its own (last year's targets not loaded) is judged
    # against the current band
    no_earlier = np.isnan(then_low) | np.isnan(then_high)
    then_low, then_high = np.where(no_earlier, low, then_low), np.where(no_earlier, high, then_high)
    change = np.round(now - then, 9)
    limit, _ = tolerance_limit(dot_stable, then)
    stable = within(np.abs(change), limit, now, then)

    band_change = np.round(
        outside_band(now, low, high) - outside_band(then, then_low, then_high), 9
    )
    # the polarity's sign: a rise is better for high, a fall for low; nearer the band for band
    sign = better_sign(pol)
    with np.errstate(invalid="ignore"):
        better = np.where(pol == "band", band_change < 0, sign * change > 0)
        worse = np.where(pol == "band", band_change > 0, sign * change < 0)
    rated = np.select(
        [stable, better, worse],
        ["stable", "improving", "declining"],
        "stable",  # a band figure that moved but is no nearer or further from the band
    )
    unrated = np.select([stable, change > 0], ["same", "up"], "down")
    out = np.where(pol == "none", unrated, rated)
    no_band = (pol == "band") & np.isnan(band_change)
    out = np.where(np.isnan(now) | np.isnan(then) | no_band, "", out)
    return pd.Series(out, index=value.index, dtype=object)


def direction_reasons(
    direction: np.ndarray,
    card: pd.DataFrame,
    now: np.ndarray,
    then: np.ndarray,
    compared_with: np.ndarray,
    compared_on: np.ndarray,
    now_status: np.ndarray,
    then_status: np.ndarray,
) -> np.ndarray:
    """How each direction was reached: ``Improving: 6,010,000 (2017/18 Q1 year to date) against
    5,900,000 (2016/17 Q1 year to date)``, saying when either figure is not final; ''
    where there is no figure, or why there is no direction."""
    from perfnb.rag import figures_text  # rag imports tolerances, as this module does

    n = len(direction)
    out = np.full(n, "", dtype=object)
    decimals = card["decimals"].to_numpy(dtype=int)
    unit = card["unit"].to_numpy(dtype=object)
    suffix = np.select([unit == "percent", unit == "days"], ["%", " days"], "")
    period = card["value_period"].astype(str).to_numpy(dtype=object)
    now_label = _figure_labels(period, compared_on)
    then_label = _figure_labels(np.asarray(compared_with, dtype=object), compared_on)
    moved = direction != ""
    if moved.any():
        words = (
            pd.Series(direction[moved])
            .map({d: d.capitalize() for d in DIRECTIONS})
            .to_numpy(dtype=object)
        )
        out[moved] = _joined(
            words,
            ": ",
            figures_text(now[moved], decimals[moved]),
            suffix[moved],
            " (",
            now_label[moved],
            ") against ",
            figures_text(then[moved], decimals[moved]),
            suffix[moved],
            " (",
            then_label[moved],
            ")",
        )
    missing = ~moved & ~np.isnan(now) & np.isnan(then) & (compared_with != "")
    out[missing] = "No direction: no figure for " + then_label[missing] + " to compare with"
    unbanded = ~moved & ~np.isnan(now) & ~np.isnan(then) & (card["polarity"] == "band").to_numpy()
    out[unbanded] = np.where(
        compared_on[unbanded] == "period",
        "No direction: a period's own figure has no band to be judged against",
        "No direction: no band to judge the figures against",
    )
    for word, words in STATUS_WORDS.items():
        for status, label in ((now_status, now_label), (then_status, then_label)):
            hit = moved & (status == word)
            out[hit] = out[hit] + "; the figure for " + label[hit] + " is " + words
    return out


def _figure_labels(periods: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """``figure_label`` of each (period, basis), each distinct pair worked out once."""
    p_codes, p_uniques = pd.factorize(np.asarray(periods, dtype=object))
    b_codes, b_uniques = pd.factorize(np.asarray(basis, dtype=object))
    codes, pairs = pd.factorize(p_codes * (len(b_uniques) + 1) + b_codes)
    words = []
    for pair in pairs:
        label, how = p_uniques[pair // (len(b_uniques) + 1)], b_uniques[pair % (len(b_uniques) + 1)]
        words.append(figure_label(label, how) if label else "")
    return np.array(words, dtype=object)[codes]


def _joined(*parts: np.ndarray | str) -> np.ndarray:
    """Texts joined row by row in one pass (pyarrow's string kernel), not one concatenation of
    Python objects per part."""
    arrays = [p if isinstance(p, str) else pa.array(p, pa.string()) for p in parts]
    joined = pc.binary_join_element_wise(*arrays, "")
    return joined.to_numpy(zero_copy_only=False).astype(object)
