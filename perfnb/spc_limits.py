"""An XmR chart's centre line and limits, computed as NHSRplotthedots computes them.

Within a rebase group the centre line is the mean (as R computes it); moving ranges are taken
between neighbouring points; moving ranges of ``SCREEN`` times their mean or more are screened
out once and the mean moving range recomputed; process limits are the mean +/- ``LIMIT`` times the
mean moving range, near limits two thirds of that. With ``fix_after``, the mean and moving ranges
come from the group's first points only.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LIMIT", "MIN_FIX", "MIN_POINTS", "NEAR", "SCREEN", "process_limits", "r_mean"]

LIMIT = 2.66  # process limits: mean +/- 2.66 mean moving ranges (3 sigma for XmR)
NEAR = 2 * (LIMIT / 3)  # near limits: two thirds of the way, as NHSRplotthedots writes it
SCREEN = 3.267  # moving ranges this many times their mean or more are screened out
MIN_POINTS = 13  # fewer points in a group: trial limits
MIN_FIX = 12  # limits may be fixed after no fewer points (the MDC tool allows 12 to 20)


def r_mean(values: np.ndarray) -> float:
    """The mean as R computes it (a long-double sum, then one correcting pass), so that points
    lying on a limit are judged as NHSRplotthedots judges them."""
    if len(values) == 0:
        return float("nan")
    x = values.astype(np.longdouble)
    # one by one, as R adds (numpy's sum pairs terms, and can differ in the last place)
    s = np.cumsum(x)[-1] / len(x)
    s += np.cumsum(x - s)[-1] / len(x)
    return float(s)


def process_limits(
    y: np.ndarray, fix_after: int | None, screen_outliers: bool
) -> tuple[float, float, float, float, float]:
    """One rebase group's ``mean``, ``lpl``, ``upl``, ``near_lpl`` and ``near_upl``, from its
    first ``fix_after`` points when given (all of them otherwise), moving ranges of ``SCREEN``
    times their mean or more screened out once when ``screen_outliers``."""
    base = y[:fix_after] if fix_after is not None else y
    mean = r_mean(base)
    ranges = np.abs(np.diff(base))
    amr = r_mean(ranges)
    if screen_outliers and len(ranges):
        amr = r_mean(ranges[ranges < SCREEN * amr])
    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    near_lpl, near_upl = mean - NEAR * amr, mean + NEAR * amr
    return mean, lpl, upl, near_lpl, near_upl
