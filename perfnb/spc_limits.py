"""An XmR chart's centre line and limits, computed as NHSRplotthedots computes them.

Within a rebase group the centre line is the mean (as R computes it); moving ranges are taken
between neighbouring points; moving ranges of ``SCREEN`` times their mean or more are screened
out once and the mean moving range recomputed; process limits are the mean +/- ``LIMIT`` times the
mean moving range, near limits two thirds of that. With ``fix_after``, the mean and moving ranges
come from the group's first points only. ``segment_limits`` works them out for many groups at
once, to the same bits. ``SPCWarning`` and its texts say what a chart's reader should know.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from perfnb.periods import Period

__all__ = [
    "LIMIT",
    "MIN_FIX",
    "MIN_POINTS",
    "NEAR",
    "SCREEN",
    "SPCWarning",
    "gap_text",
    "missing_text",
    "process_limits",
    "r_mean",
    "segment_limits",
    "segment_r_means",
    "trial_text",
]

LIMIT = 2.66  # process limits: mean +/- 2.66 mean moving ranges (3 sigma for XmR)
NEAR = 2 * (LIMIT / 3)  # near limits: two thirds of the way, as NHSRplotthedots writes it
SCREEN = 3.267  # moving ranges this many times their mean or more are screened out
MIN_POINTS = 13  # fewer points in a group: trial limits
MIN_FIX = 12  # limits may be fixed after no fewer points (the MDC tool allows 12 to 20)


class SPCWarning(UserWarning):
    """Something about a series the reader of its chart should know: missing values, gaps in
    its periods, or too few points for firm limits."""


def missing_text(labels: Sequence[str]) -> str:
    """The warning about missing values, named by their periods (or positions)."""
    return (
        f"{len(labels)} missing value(s) left out ({', '.join(labels)}): moving ranges and runs "
        "are read across them"
    )


def gap_text(periods: Sequence[Period]) -> str | None:
    """The warning about the periods a series skips (``None`` when it skips none)."""
    missing = []
    for earlier, later in pairwise(periods):
        first, last = earlier.next(), later.previous()
        if last != earlier:
            missing.append(first.label if first == last else f"{first.label} to {last.label}")
    if not missing:
        return None
    return f"the series skips {', '.join(missing)}: moving ranges and runs are read across the gap"


def trial_text(which: str, points: int) -> str:
    """The warning about a group of fewer than ``MIN_POINTS`` points."""
    return f"{which} has {points} points: its limits are trial limits until it has {MIN_POINTS}"


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


def _sequential_sums(x: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each segment's sum (``lengths[i]`` values from ``starts[i]``, end to end; none empty),
    added one by one in order as ``np.cumsum`` adds: segments of alike length side by side in a
    2-D array, each row summed along (what follows a segment's end is read, never added)."""
    sums = np.zeros(len(starts), dtype=x.dtype)
    bucket = np.frexp(lengths)[1]  # by the power of 2 above the length
    for size in np.unique(bucket):
        which = np.flatnonzero(bucket == size)
        width = int(lengths[which].max())
        if (lengths[which] == width).all() and which[-1] - which[0] + 1 == len(which):
            first = int(starts[which[0]])  # all as long, one after another: a view
            block = x[first : first + width * len(which)].reshape(len(which), width)
            if len(which) < width:
                sums[which] = np.cumsum(block, axis=1)[:, -1]
                continue
            total = block[:, 0].copy()
            for column in range(1, width):  # many short segments: column by column
                total += block[:, column]
            sums[which] = total
            continue
        index = np.minimum(starts[which, None] + np.arange(width), len(x) - 1)
        running = np.cumsum(x[index], axis=1)
        sums[which] = running[np.arange(len(which)), lengths[which] - 1]
    return sums


def segment_r_means(values: np.ndarray, segments: np.ndarray, count: int) -> np.ndarray:
    """:func:`r_mean` of each of ``count`` segments at once, to the same bits: ``values`` in
    segment order, ``segments`` each value's segment (0 to ``count - 1``, ascending); NaN for a
    segment with no values."""
    x = values.astype(np.longdouble)
    lengths = np.bincount(segments, minlength=count)
    starts = np.cumsum(lengths) - lengths
    filled = np.flatnonzero(lengths)
    n = lengths[filled]
    means = np.full(count, np.nan)
    if len(filled) == 0:
        return means
    s = _sequential_sums(x, starts[filled], n) / n
    s += _sequential_sums(x - np.repeat(s, n), starts[filled], n) / n
    means[filled] = s
    return means


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


def segment_limits(
    y: np.ndarray, segments: np.ndarray, first: np.ndarray, count: int, fix_after, screen: bool
) -> dict[str, np.ndarray]:
    """:func:`process_limits` of ``count`` segments at once, to the same bits: ``y`` their
    values end to end, ``segments`` each value's segment, ``first`` True at a segment's first
    value. ``mean``, ``lpl``, ``upl``, ``near_lpl`` and ``near_upl``, one for each segment."""
    base = np.ones(len(y), dtype=bool)
    if fix_after is not None:
        where = np.arange(len(y))
        base = where - np.maximum.accumulate(np.where(first, where, 0)) < fix_after
    mean = segment_r_means(y[base], segments[base], count)
    ranged = base[1:] & ~first[1:]  # between two base values of one segment
    ranges = np.abs(y[1:] - y[:-1])[ranged]
    of = segments[1:][ranged]
    amr = segment_r_means(ranges, of, count)
    if screen:
        kept = ranges < SCREEN * amr[of]
        amr = segment_r_means(ranges[kept], of[kept], count)
    return {
        "mean": mean,
        "lpl": mean - LIMIT * amr,
        "upl": mean + LIMIT * amr,
        "near_lpl": mean - NEAR * amr,
        "near_upl": mean + NEAR * amr,
    }
