"""The year-to-date sums of ``perfnb.figure_sums`` on a grid without month rows (a quarterly data
set): the shortcut that skips the months gives exactly what the full sums give."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from perfnb.figure_sums import (
    QUARTER0,
    SLOTS,
    mean_figures,
    ratio_figures,
    sum_figures,
    summed_base,
)

GROUPS = 6
CELL = st.one_of(
    st.just(np.nan),
    st.just(-0.0),
    st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False),
)


def _quarterly(draw_grid: np.ndarray) -> np.ndarray:
    """The grid with its month rows blank (no rows), as a quarterly data set's is."""
    grid = draw_grid.copy()
    grid[:QUARTER0] = np.nan
    return grid


windows = st.integers(1, 30).flatmap(
    lambda n: st.tuples(
        arrays(np.int64, n, elements=st.integers(0, GROUPS - 1)),
        arrays(np.int64, n, elements=st.integers(1, 2)),  # a quarter or the year
        arrays(np.int64, n, elements=st.integers(1, 4)),
    )
)


def _asked(kind: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each window's index (1 for a year) and month M of the year it ends in."""
    index = np.where(kind == 2, 1, index)
    return index, np.where(kind == 1, 3 * index, 12)


def _same(
    found: tuple[np.ndarray, ...] | np.ndarray, expected: tuple[np.ndarray, ...] | np.ndarray
) -> None:
    """Equal, NaN for NaN, and the same sign of zero."""
    for a, b in zip(np.atleast_2d(found), np.atleast_2d(expected), strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


grids = arrays(np.float64, (SLOTS, GROUPS), elements=CELL)


@settings(deadline=None, max_examples=150)
@given(grids, grids, grids, windows)
def test_skipping_the_months_of_a_quarterly_grid_changes_no_figure(
    first: np.ndarray, second: np.ndarray, third: np.ndarray, asked: tuple
) -> None:
    """sum, mean, ratio and the summed base: the same figures, months covered and bases
    whether the month rows (all blank) are summed or skipped."""
    value, num, den = _quarterly(first), _quarterly(second), _quarterly(np.abs(third))
    g, kind, index = asked
    index, month = _asked(kind, index)
    scale = np.full(len(g), 100.0)
    for figures in (sum_figures, mean_figures):
        _same(
            figures(value, g, kind, index, month, months=False),
            figures(value, g, kind, index, month),
        )
    _same(
        ratio_figures(num, den, g, kind, index, month, scale, months=False),
        ratio_figures(num, den, g, kind, index, month, scale),
    )
    _same(summed_base(value, den, g, month, months=False), summed_base(value, den, g, month))


def test_a_ratio_too_big_for_a_float_is_blank_as_one_over_zero() -> None:
    """Q1 of 1,000,000 over 1e-306 (x 100 is 1e314, past the largest float, ~1.8e308) is
    blank, period and year to date, with no overflow warning; 3 over 4 beside it is 75.0."""
    num = np.full((SLOTS, 2), np.nan)
    den = np.full((SLOTS, 2), np.nan)
    num[QUARTER0], den[QUARTER0] = [1e6, 3.0], [1e-306, 4.0]
    g, kind, index, month = (np.array(a) for a in ([0, 1], [1, 1], [1, 1], [3, 3]))
    period, ytd, covered, *_ = ratio_figures(
        num, den, g, kind, index, month, np.full(2, 100.0), months=False
    )
    np.testing.assert_array_equal(period, [np.nan, 75.0])
    np.testing.assert_array_equal(ytd, [np.nan, 75.0])
    np.testing.assert_array_equal(covered, [3, 3])
