"""Variance: how far a figure is from its target, in the measure's unit and in per cent.

``variance = value - target`` in the measure's unit: percentage points for a percent measure
(so also given as ``variance_pp``), days for days, and so on. ``variance_pct = variance / target
x 100`` is relative: per cent *of the target* (blank when the target is 0). The sign is the one
reports print: below target is negative whatever the polarity (Help Direct's 8,017 contacts
against 9,500 is -15.6%); whether that is bad comes from the polarity. For a band the variance
is the distance outside it: negative below the band, positive above, 0 inside, and relative to
the edge crossed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.engine_text import coded

__all__ = ["variance", "variance_arrays"]


def variance(
    value: pd.Series,
    target: pd.Series,
    band_low: pd.Series,
    band_high: pd.Series,
    polarity: pd.Series,
    unit: pd.Series,
) -> pd.DataFrame:
    """``variance`` (measure's unit), ``variance_pct`` (per cent of target) and ``variance_pp``
    (percentage points, percent measures only) for each row."""
    return pd.DataFrame(
        variance_arrays(
            value.to_numpy(dtype=float),
            target.to_numpy(dtype=float),
            band_low.to_numpy(dtype=float),
            band_high.to_numpy(dtype=float),
            coded(polarity).equals("band"),
            coded(unit).equals("percent"),
        ),
        index=value.index,
        copy=False,  # fresh arrays: no copy into one block
    )


def variance_arrays(
    now: np.ndarray,
    aim: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    is_band: np.ndarray,
    is_percent: np.ndarray,
) -> dict[str, np.ndarray]:
    """:func:`variance` on arrays (figure, target and band edges in the measure's unit; which
    rows are band measures, which percentages): ``variance`` in the measure's unit,
    ``variance_pct`` in per cent of target, ``variance_pp`` in percentage points."""
    outside = np.where(now < low, now - low, np.where(now > high, now - high, 0.0))
    outside = np.where(np.isnan(now) | np.isnan(low) | np.isnan(high), np.nan, outside)
    edge = np.where(now < low, low, high)
    difference = np.round(np.where(is_band, outside, now - aim), 9)
    reference = np.where(is_band, edge, aim)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        relative = np.where(reference != 0, difference / np.abs(reference) * 100, np.nan)
        relative = np.round(relative, 9)
    return {
        "variance": difference,
        "variance_pct": relative,
        "variance_pp": np.where(is_percent, difference, np.nan),
    }
