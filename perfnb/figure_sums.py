"""The sums behind a figure, on the grid of ``perfnb.figures``: each quarter's figure (its own
row, else its three months), running totals through the year and the year to date at month M,
for one aggregation's windows at a time.

Every array here is slot-major: (17, groups), a row per slot (months 0-11, quarters 12-15, the
year 16), so that a slot of every group is one contiguous array and a year's running total is
a column-wise ``cumsum``. Sums are added in a fixed order (a quarter's months left to right, the
year's running total month by month) and rounded to 9 decimal places, so a figure does not
depend on how many windows are worked out at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["mean_figures", "ratio_figures", "sum_figures", "summed_base"]

SLOTS = 17  # months 0-11, quarters 12-15, the year 16
QUARTER0, YEAR = 12, 16
DECIMALS = 9  # sums are rounded to 9 places so 1.7 + 1.9 + 1.6 + 1.9 is exactly 7.1


def _cum(a: np.ndarray) -> np.ndarray:
    """Running totals down axis 0 with a leading zero row: ``out[k]`` sums ``a[:k]``."""
    out = np.zeros((a.shape[0] + 1, a.shape[1]))
    np.cumsum(a, axis=0, out=out[1:])  # in place: no second copy of the grid
    return out


@dataclass(frozen=True)
class _Sums:
    """Year-to-date sums of one grid column, read at windows (g, last month M)."""

    total: np.ndarray
    complete: np.ndarray
    months: np.ndarray  # months of the window the sum covers


def _quarter_sums(grid: np.ndarray, use_quarter: np.ndarray, months: bool = True) -> np.ndarray:
    """Each quarter's figure (4, groups): its own row where ``use_quarter``, else the sum of
    its months (NaN unless all three have figures; NaN for all where the grid has no month
    rows, ``months`` false)."""
    if not months:
        return np.where(use_quarter, grid[QUARTER0:YEAR], np.nan)
    months = grid[0:12:3] + grid[1:12:3] + grid[2:12:3]
    return np.where(use_quarter, grid[QUARTER0:YEAR], months)


@dataclass(frozen=True)
class _Running:
    """Running totals of one grid column through the year: of whole quarters (a quarter's row,
    else its months) and of months, with the months each covers."""

    quarters: np.ndarray  # (5, groups): row k sums quarters before the k-th
    quarter_months: np.ndarray
    # (13, groups): row k sums months before the k-th; None where there are no month rows
    months: np.ndarray | None
    month_counts: np.ndarray | None
    year: np.ndarray  # the year row


def _running(grid: np.ndarray, quarters: np.ndarray, months: bool = True) -> _Running:
    """:class:`_Running` of ``grid`` (17, groups) whose quarters' figures are ``quarters``;
    with ``months`` false the grid has no month rows (a quarterly data set), whose running
    sums would all be 0 and are not worked out."""
    q_ok = ~np.isnan(quarters)
    if not months:
        q_sums = _cum(np.where(q_ok, quarters, 0.0))
        return _Running(q_sums, _cum(np.where(q_ok, 3.0, 0.0)), None, None, grid[YEAR])
    m_ok = ~np.isnan(grid[:12])
    counted = m_ok.astype(float)
    # months each quarter has figures for: 3 when it is complete, else its months with figures
    quarter_months = np.where(q_ok, 3.0, counted[0:12:3] + counted[1:12:3] + counted[2:12:3])
    return _Running(
        _cum(np.where(q_ok, quarters, 0.0)),
        _cum(quarter_months),
        _cum(np.where(m_ok, grid[:12], 0.0)),
        _cum(counted),
        grid[YEAR],
    )


def _ytd_sums(run: _Running, g: np.ndarray, month: np.ndarray | int, year_ok: bool = True) -> _Sums:
    """Totals of full quarters plus the months of the current part quarter, to month M."""
    k, r = np.divmod(month, 3)
    start = 3 * k
    if run.months is None or run.month_counts is None:  # no month rows: their sums are 0
        total = run.quarters[k, g] + 0.0  # as adding them would (-0.0 becomes 0.0)
        months = run.quarter_months[k, g]
    else:
        total = run.quarters[k, g] + run.months[start + r, g] - run.months[start, g]
        months = (
            run.quarter_months[k, g] + run.month_counts[start + r, g] - run.month_counts[start, g]
        )
    complete = months == month
    if year_ok:  # a year row is the year's total
        year = run.year[g]
        use_year = (month == 12) & ~np.isnan(year)
        total, complete = np.where(use_year, year, total), complete | use_year
        months = np.where(use_year, 12, months)
    return _Sums(np.round(total, DECIMALS), complete, np.asarray(months).astype(int))


def _period_slot(kind: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's month slot (0-11) and quarter (0-3), clipped to the grid for other kinds."""
    return np.clip(index - 1, 0, 11), np.where(kind == 1, index - 1, 0)


def sum_figures(
    value: np.ndarray,
    g: np.ndarray,
    kind: np.ndarray,
    index: np.ndarray,
    month: np.ndarray,
    months: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sum: the period's total, the year to date (NaN unless every month is covered) and the
    months it covers, from ``value`` on the grid (17, groups) read at groups ``g``; ``months``
    false where the grid has no month rows."""
    quarters = _quarter_sums(value, ~np.isnan(value[QUARTER0:YEAR]), months)
    run = _running(value, quarters, months)
    to_date, year = _ytd_sums(run, g, month), _ytd_sums(run, g, 12)
    m_slot, q_slot = _period_slot(kind, index)
    period = np.where(
        kind == 0, value[m_slot, g], np.where(kind == 1, quarters[q_slot, g], year.total)
    )
    period = np.where((kind == 2) & ~year.complete, np.nan, period)
    return period, np.where(to_date.complete, to_date.total, np.nan), to_date.months


def ratio_figures(
    num: np.ndarray,
    den: np.ndarray,
    g: np.ndarray,
    kind: np.ndarray,
    index: np.ndarray,
    month: np.ndarray,
    scale: np.ndarray,
    months: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ratio: Σnumerator / Σdenominator x scale, quarters from their own row only when it has
    both, blank where the denominator is 0 or the quotient overflows; ``months`` false where the
    grid has no month rows."""
    pair_q = ~np.isnan(num[QUARTER0:YEAR]) & ~np.isnan(den[QUARTER0:YEAR])
    n_q, d_q = _quarter_sums(num, pair_q, months), _quarter_sums(den, pair_q, months)
    n_sum = _ytd_sums(_running(num, n_q, months), g, month)
    d_sum = _ytd_sums(_running(den, d_q, months), g, month)
    m_slot, q_slot = _period_slot(kind, index)
    # a quotient too big for a float (a denominator next to zero) is left blank, as one over zero
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio_ytd = np.where(
            n_sum.complete & d_sum.complete & (d_sum.total > 0),
            n_sum.total / d_sum.total * scale,
            np.nan,
        )
        n_p = np.where(kind == 0, num[m_slot, g], n_q[q_slot, g])
        d_p = np.where(kind == 0, den[m_slot, g], d_q[q_slot, g])
        period = np.where(kind == 2, ratio_ytd, n_p / d_p * scale)
    ratio_ytd = np.where(np.isfinite(ratio_ytd), ratio_ytd, np.nan)
    period = np.where(np.isfinite(period), period, np.nan)
    covered = np.minimum(n_sum.months, d_sum.months)
    return period, ratio_ytd, covered, n_sum.total, d_sum.total


def mean_figures(
    value: np.ndarray,
    g: np.ndarray,
    kind: np.ndarray,
    index: np.ndarray,
    month: np.ndarray,
    months: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """mean: of the year's figures to date, weighted by the months each covers (a quarter row
    stands for its three months, a year row for twelve), so quarters or months give the same;
    ``months`` false where the grid has no month rows."""
    weighted = value.copy()
    weighted[QUARTER0:YEAR] *= 3
    weighted[YEAR] *= 12
    quarters = _quarter_sums(weighted, ~np.isnan(weighted[QUARTER0:YEAR]), months)
    w_sum = _ytd_sums(_running(weighted, quarters, months), g, month)
    mean_ytd = np.where(w_sum.complete, w_sum.total / month, np.nan)
    m_slot, q_slot = _period_slot(kind, index)
    period = np.where(
        kind == 0, value[m_slot, g], np.where(kind == 1, quarters[q_slot, g] / 3, mean_ytd)
    )
    return period, mean_ytd, w_sum.months


def summed_base(
    base: np.ndarray, den: np.ndarray, g: np.ndarray, month: np.ndarray, months: bool = True
) -> np.ndarray:
    """The base of a figure built from several rows: their bases (else denominators) summed
    to month M; NaN where none has one. ``months`` false where the grid has no month rows."""
    base = np.where(np.isnan(base), den, base)
    quarters = _quarter_sums(base, ~np.isnan(base[QUARTER0:YEAR]), months)
    no_year = np.isnan(base[YEAR])
    # months and quarters without a base count as none; the year's total is a year row's only
    # where there is one (else the year's base is its quarters' and months', as at Q1 to Q3)
    summed = np.nan_to_num(base, nan=0.0)
    summed[YEAR] = base[YEAR]
    has = (~np.isnan(base)).astype(float)
    has[YEAR] = np.where(no_year, np.nan, 1.0)
    # (without month rows, the months' sums are 0: only the totals are read here)
    total = _ytd_sums(_running(summed, np.nan_to_num(quarters), months), g, month)
    any_base = _ytd_sums(_running(has, (~np.isnan(quarters)).astype(float), months), g, month)
    return np.where(any_base.total > 0, total.total, np.nan)
