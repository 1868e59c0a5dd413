"""The reported figure of a measure for a period, by its aggregation, for many windows at once.

``values.csv`` holds each period's own figure: months, quarters or years, possibly mixed (Help
Direct has quarters for Q1 and Q2, then October as a month). For each measure and financial year
the rows are laid on a grid of 17 slots (12 months, 4 quarters, the year), and every figure is
read off that grid with array arithmetic: no Python loop over rows.

A *window* is a measure and a reporting period R. For it:

- ``period_value``: R's own figure. A quarter is its own row, else the sum of its three months
  (sum and ratio measures) or their mean (mean measures).
- ``ytd_value``: the year to date to the end of R. ``sum``: the total; ``ratio``: Σnumerator /
  Σdenominator x 100 (percent) or x rate_per (rate); ``mean``: the mean of the year's figures to
  date, each weighted by the months it covers. Not given for ``last``. A year row, where there
  is one, is the year's total. A year to date with a month missing is not given (the figure
  would look worse than it is); the note says how many months it has.
- ``ytd`` measures: every row already holds the year to date (a collection rate, a count
  reported cumulatively), so ``ytd_value`` is R's own row and ``period_value`` the difference
  from the same kind of period before it in the year (Q2's own collections are Q2's year to date
  less Q1's); year-to-date figures are never added together.
- ``figure``: what a report prints: the year to date for sum, ratio, mean and ytd; R's own value
  for ``last`` (snapshots, surveys).
- ``status``: the least final status of the rows the figure rests on (any row of the year to
  date, for a figure built from several): ``''`` (final), then revised, provisional, estimated
  and illustrative.
- the row of R itself (a row of R's kind, else another row ending when R ends: a quarter row is
  its last month's snapshot): its note, status, officer's forecast and, for ``last``, its base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfnb.engine_text import Coded, coded, join_coded, select_coded, texts

__all__ = [
    "SLOTS",
    "STATUS_ORDER",
    "SeriesGrid",
    "figure_notes",
    "series_grid",
    "window_figures",
]

SLOTS = 17  # months 0-11, quarters 12-15, the year 16
_QUARTER0, _YEAR = 12, 16
_DECIMALS = 9  # sums are rounded to 9 places so 1.7 + 1.9 + 1.6 + 1.9 is exactly 7.1
# values.csv statuses, most final first: a figure resting on several rows takes the last of theirs
STATUS_ORDER = ("", "revised", "provisional", "estimated", "illustrative")
# the months of the financial year each slot's period starts and ends in (months, quarters,
# the year)
_SLOT_START = np.array([*range(1, 13), 1, 4, 7, 10, 1])
_SLOT_END = np.array([*range(1, 13), 3, 6, 9, 12, 12])


@dataclass(frozen=True)
class SeriesGrid:
    """The values of a data set on a (measure, financial year) x slot grid of row numbers."""

    measures: pd.Index  # every measure_id with a row
    keys: pd.Index  # measure code x 1024 + (fy - 1900) of each group
    rows: np.ndarray  # (groups + 1, 17) position in ``values``; -1 where there is no row
    values: pd.DataFrame  # the values frame, positionally indexed
    # the values' columns as read once (numbers, text as codes), shared with every part grid
    read: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def part(self, groups: np.ndarray) -> SeriesGrid:
        """The grid of ``groups`` only (positions in ``rows``), in their order."""
        return SeriesGrid(self.measures, self.keys, self.rows[groups], self.values, self.read)

    def numbers(self, name: str) -> np.ndarray:
        """A numeric values column with a NaN at the end (what row -1 reads), read once."""
        if name not in self.read:
            data = self.values[name].to_numpy(dtype=float, na_value=np.nan)
            self.read[name] = np.append(data, np.nan)
        return self.read[name]  # type: ignore[return-value]

    def codes(self, name: str) -> Coded:
        """A text values column as codes, read once."""
        key = f"{name}:codes"
        if key not in self.read:
            self.read[key] = coded(self.values[name])
        return self.read[key]  # type: ignore[return-value]

    def column(self, name: str) -> np.ndarray:
        """A numeric values column on the grid: (groups + 1, 17) floats, NaN where no row."""
        return self.numbers(name)[self.rows]  # row -1 reads the NaN pad

    def text(self, name: str, rows: np.ndarray) -> np.ndarray:
        """A text column at the given row positions; '' where the position is -1."""
        return self.coded_text(name, rows).objects()

    def coded_text(self, name: str, rows: np.ndarray) -> Coded:
        """A text column at the given row positions, as codes; '' where the position is -1."""
        text = self.codes(name)
        return Coded(np.append(text.codes, len(text.words))[rows], np.append(text.words, ""))


def series_grid(values: pd.DataFrame, years: np.ndarray | None = None) -> SeriesGrid:
    """Lays ``values`` (the loader's typed frame) on the grid, only the rows of financial
    ``years`` when given; the last group is an empty one."""
    if years is not None:
        fy = values["fy"].to_numpy()
        if not np.isin(fy, years).all():
            values = values[np.isin(fy, years)]
    values = values.reset_index(drop=True)
    kind = values["period_kind"]
    first = values["fy_month_first"].to_numpy(dtype=int)
    last = values["fy_month_last"].to_numpy(dtype=int)
    slot = np.where(
        (kind == "month").to_numpy(dtype=bool),
        first - 1,
        np.where((kind == "quarter").to_numpy(dtype=bool), _QUARTER0 + last // 3 - 1, _YEAR),
    )
    # factorized as they are stored (Arrow strings): no Python string per row
    measure_codes, measures = pd.factorize(values["measure_id"])
    keys = _group_key(measure_codes, values["fy"].to_numpy(dtype=np.int64))
    codes, uniques = pd.factorize(keys)
    rows = np.full((len(uniques) + 1, SLOTS), -1, dtype=np.int64)
    rows[codes, slot] = np.arange(len(values))
    return SeriesGrid(pd.Index(measures), pd.Index(uniques), rows, values)


def _group_key(measure_code: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """One integer per (measure, financial year): years run 1900 to 2199."""
    return measure_code.astype(np.int64) * 1024 + (fy.astype(np.int64) - 1900)


def _cum(a: np.ndarray) -> np.ndarray:
    """Running totals along axis 1 with a leading zero column: ``out[:, k]`` sums ``a[:, :k]``."""
    out = np.zeros((a.shape[0], a.shape[1] + 1))
    np.cumsum(a, axis=1, out=out[:, 1:])  # in place: no second copy of the grid
    return out


@dataclass(frozen=True)
class _Sums:
    """Year-to-date sums of one grid column, read at windows (g, last month M)."""

    total: np.ndarray
    complete: np.ndarray
    months: np.ndarray  # months of the window the sum covers


def _quarter_sums(grid: np.ndarray, use_quarter: np.ndarray) -> np.ndarray:
    """Each quarter's figure: its own row where ``use_quarter``, else the sum of its months."""
    months = grid[:, :12].reshape(-1, 4, 3).sum(axis=2)  # NaN unless all three months exist
    return np.where(use_quarter, grid[:, _QUARTER0:_YEAR], months)


def _ytd_sums(
    grid: np.ndarray, quarters: np.ndarray, g: np.ndarray, month: np.ndarray, year_ok: bool = True
) -> _Sums:
    """Totals of full quarters plus the months of the current part quarter, to month M."""
    q_ok, m_ok = ~np.isnan(quarters), ~np.isnan(grid[:, :12])
    # months each quarter has figures for: 3 when it is complete, else its months with figures
    quarter_months = np.where(q_ok, 3.0, m_ok.reshape(-1, 4, 3).sum(axis=2))
    cum_q, cum_q_months = _cum(np.where(q_ok, quarters, 0.0)), _cum(quarter_months)
    cum_m, cum_m_ok = _cum(np.where(m_ok, grid[:, :12], 0.0)), _cum(m_ok.astype(float))
    k, r = month // 3, month % 3
    start = 3 * k
    total = cum_q[g, k] + cum_m[g, start + r] - cum_m[g, start]
    months = cum_q_months[g, k] + cum_m_ok[g, start + r] - cum_m_ok[g, start]
    complete = months == month
    if year_ok:  # a year row is the year's total
        year = grid[g, _YEAR]
        use_year = (month == 12) & ~np.isnan(year)
        total, complete = np.where(use_year, year, total), complete | use_year
        months = np.where(use_year, 12, months)
    return _Sums(np.round(total, _DECIMALS), complete, months.astype(int))


def _own_row(grid: SeriesGrid, g: np.ndarray, kind: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Position of R's own row: a row of R's own kind, else another row ending when R ends
    (a quarter row is June's end-of-quarter snapshot; a year row is March's)."""
    rows = grid.rows
    month_end = np.where(kind == "month", index, np.where(kind == "quarter", 3 * index, 12))
    by_month = rows[g, month_end - 1]
    quarter_end = month_end % 3 == 0
    by_quarter = np.where(quarter_end, rows[g, _QUARTER0 + np.maximum(month_end // 3, 1) - 1], -1)
    by_year = np.where(month_end == 12, rows[g, _YEAR], -1)

    def first(*candidates: np.ndarray) -> np.ndarray:
        out = candidates[-1]
        for candidate in reversed(candidates[:-1]):
            out = np.where(candidate >= 0, candidate, out)
        return out

    return np.select(
        [kind == "month", kind == "quarter"],
        [first(by_month, by_quarter, by_year), first(by_quarter, by_month, by_year)],
        first(by_year, by_quarter, by_month),
    )


def _group_of(grid: SeriesGrid, windows: pd.DataFrame, fy: np.ndarray) -> np.ndarray:
    """Grid group of each window; the empty last group where the measure has no rows that year.
    ``windows`` has ``measure_id``, or ``grid_measure`` (each measure's place in
    ``grid.measures``, -1 for none: a million windows of a few thousand measures)."""
    if "grid_measure" in windows:
        code = windows["grid_measure"].to_numpy(dtype=np.int64)
    else:
        code = grid.measures.get_indexer(texts(windows["measure_id"]))
    g = grid.keys.get_indexer(_group_key(code, fy))
    return np.where((code < 0) | (g < 0), len(grid.rows) - 1, g)


def window_figures(grid: SeriesGrid, windows: pd.DataFrame) -> pd.DataFrame:
    """Figures at each window: ``windows`` has measure_id, aggregation, scale (100 for
    percent, rate_per for rates, else 1), kind, fy and index of R.

    Returns, aligned to ``windows``: period_value, ytd_value, figure (in the measure's unit),
    numerator and denominator behind the figure (year-to-date sums for ratio measures), base
    (people or events the figure rests on), row_forecast, note, status, has_row,
    months_expected, months_covered.
    """
    g = _group_of(grid, windows, windows["fy"].to_numpy(dtype=int))
    # only the groups these windows read: a few periods' windows need a few years of the grid
    groups, g = np.unique(g, return_inverse=True)
    grid = grid.part(groups)
    kind = texts(windows["kind"])
    index = windows["index"].to_numpy(dtype=int)
    aggregation = texts(windows["aggregation"])
    scale = windows["scale"].to_numpy(dtype=float)
    month = np.where(kind == "month", index, np.where(kind == "quarter", 3 * index, 12))
    is_month, is_quarter, is_year = kind == "month", kind == "quarter", kind == "year"
    q_slot = np.where(is_quarter, index - 1, 0)

    value = grid.column("value")
    num, den = grid.column("numerator"), grid.column("denominator")
    base_grid = grid.column("base")
    base_grid = np.where(np.isnan(base_grid), den, base_grid)
    own = _own_row(grid, g, kind, index)
    own_value = _row_number(grid, own, "value")

    # sum: totals of the value
    v_quarters = _quarter_sums(value, ~np.isnan(value[:, _QUARTER0:_YEAR]))
    v_sum = _ytd_sums(value, v_quarters, g, month)
    v_year = _ytd_sums(value, v_quarters, g, np.full_like(month, 12))
    sum_period = np.where(
        is_month,
        value[g, np.clip(index - 1, 0, 11)],
        np.where(is_quarter, v_quarters[g, q_slot], v_year.total),
    )
    sum_period = np.where(is_year & ~v_year.complete, np.nan, sum_period)

    # ratio: Σnumerator / Σdenominator, quarters from their own row only when it has both
    pair_q = ~np.isnan(num[:, _QUARTER0:_YEAR]) & ~np.isnan(den[:, _QUARTER0:_YEAR])
    n_q, d_q = _quarter_sums(num, pair_q), _quarter_sums(den, pair_q)
    n_sum, d_sum = _ytd_sums(num, n_q, g, month), _ytd_sums(den, d_q, g, month)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_ytd = np.where(
            n_sum.complete & d_sum.complete & (d_sum.total > 0),
            n_sum.total / d_sum.total * scale,
            np.nan,
        )
        n_p = np.where(is_month, num[g, np.clip(index - 1, 0, 11)], n_q[g, q_slot])
        d_p = np.where(is_month, den[g, np.clip(index - 1, 0, 11)], d_q[g, q_slot])
        ratio_period = np.where(is_year, ratio_ytd, n_p / d_p * scale)
    ratio_period = np.where(np.isfinite(ratio_period), ratio_period, np.nan)

    # mean: of the year's figures to date, weighted by the months each covers (a quarter row
    # stands for its three months, a year row for twelve), so quarters or months give the same
    weighted = value.copy()
    weighted[:, _QUARTER0:_YEAR] *= 3
    weighted[:, _YEAR] *= 12
    w_quarters = _quarter_sums(weighted, ~np.isnan(weighted[:, _QUARTER0:_YEAR]))
    w_sum = _ytd_sums(weighted, w_quarters, g, month)
    mean_ytd = np.where(w_sum.complete, w_sum.total / month, np.nan)
    mean_period = np.where(
        is_month,
        value[g, np.clip(index - 1, 0, 11)],
        np.where(is_quarter, w_quarters[g, q_slot] / 3, mean_ytd),
    )

    # ytd: each row is already the year to date; the period's own figure is the change since
    # the same kind of period before it in the year (the first of the year is its own)
    before = _own_row(grid, g, kind, np.maximum(index - 1, 1))
    before_value = np.where((index > 1) & ~is_year, _row_number(grid, before, "value"), 0.0)
    ytd_period = own_value - before_value

    is_sum, is_ratio = aggregation == "sum", aggregation == "ratio"
    is_mean, is_last = aggregation == "mean", aggregation == "last"
    is_ytd = aggregation == "ytd"
    period_value = np.select(
        [is_sum, is_ratio, is_mean, is_ytd],
        [sum_period, ratio_period, mean_period, ytd_period],
        own_value,
    )
    ytd = np.select(
        [is_sum, is_ratio, is_mean, is_ytd], [v_sum.total, ratio_ytd, mean_ytd, own_value], np.nan
    )
    ytd = np.where(is_sum & ~v_sum.complete, np.nan, ytd)
    figure = np.where(is_last, period_value, ytd)
    single = is_last | is_ytd  # figures read off R's own row
    # a year to date is given when every month of it is covered, whether or not the period's
    # own figure is (a quarter row covers September in a monthly report)

    covered = np.select(
        [is_sum, is_ratio, is_mean],
        [v_sum.months, np.minimum(n_sum.months, d_sum.months), w_sum.months],
        month,
    )
    codes = _row_status_codes(grid)
    status = _status(codes, grid, g, own, month, single)
    # the period's own figure: the rows inside R (for ytd, R's row and the one it is taken from)
    first = np.where(is_month, index, np.where(is_quarter, 3 * index - 2, 1))
    period_status = _status(codes, grid, g, own, month, is_last, first)
    from_rows = np.maximum(status, codes[before])
    period_status = np.where(is_ytd, from_rows, period_status)
    statuses = pd.Index(STATUS_ORDER, dtype=object)
    note = grid.coded_text("note", own).compact()
    base_q = _quarter_sums(base_grid, ~np.isnan(base_grid[:, _QUARTER0:_YEAR]))
    base_sum = _ytd_sums(np.nan_to_num(base_grid, nan=0.0), np.nan_to_num(base_q), g, month)
    any_base = _ytd_sums(
        (~np.isnan(base_grid)).astype(float), (~np.isnan(base_q)).astype(float), g, month
    )
    base = np.where(
        single, _row_base(grid, own), np.where(any_base.total > 0, base_sum.total, np.nan)
    )

    return pd.DataFrame(
        {
            "period_value": np.round(period_value, _DECIMALS),
            "ytd_value": np.round(ytd, _DECIMALS),
            "figure": np.round(figure, _DECIMALS),
            "numerator": np.where(is_ratio, n_sum.total, _row_number(grid, own, "numerator")),
            "denominator": np.where(is_ratio, d_sum.total, _row_number(grid, own, "denominator")),
            "base": base,
            "row_forecast": _row_number(grid, own, "forecast"),
            # text as categories: a million windows hold a few distinct notes and statuses
            "note": pd.Categorical.from_codes(note.codes, pd.Index(note.words, dtype=object)),
            "status": pd.Categorical.from_codes(status, statuses),
            "period_status": pd.Categorical.from_codes(period_status, statuses),
            "has_row": own >= 0,
            "months_expected": np.where(single, 0, month),
            "months_covered": np.where(single, 0, covered),
        },
        index=windows.index,
    )


def _row_status_codes(grid: SeriesGrid) -> np.ndarray:
    """Each values row's status as its place in ``STATUS_ORDER`` (0, final, for anything
    else), with a final 0 for 'no row' (position -1)."""
    key = "status:places"
    if key not in grid.read:
        text = grid.codes("status")
        grid.read[key] = np.append(_status_codes(text.words)[text.codes], 0)
    return grid.read[key]  # type: ignore[return-value]


def _status(
    codes: np.ndarray,
    grid: SeriesGrid,
    g: np.ndarray,
    own: np.ndarray,
    month: np.ndarray,
    single: np.ndarray,
    first: np.ndarray | int = 1,
) -> np.ndarray:
    """The least final status (its place in ``STATUS_ORDER``) of the rows a figure rests on:
    R's own row for a figure read off one row, else any row from month ``first`` of the year
    to month M (a quarter row and its months alike). ``codes`` is
    :func:`_row_status_codes`."""
    if not codes.any():  # every figure final: nothing to look for
        return np.zeros(len(g), dtype=np.int64)
    own_code = codes[own]
    on_grid = codes[grid.rows]  # (groups + 1, 17); no row is final
    inside = (_SLOT_END[None, :] <= np.asarray(month)[:, None]) & (
        _SLOT_START[None, :] >= np.asarray(first)[..., None]
    )
    span_code = np.where(inside, on_grid[g], 0).max(axis=1) if len(g) else np.zeros(0, int)
    return np.where(single, own_code, span_code).astype(np.int64)


def _status_codes(text: np.ndarray) -> np.ndarray:
    """Each status's place in ``STATUS_ORDER`` (0, final, for anything else)."""
    return np.maximum(pd.Categorical(text, categories=STATUS_ORDER).codes, 0).astype(np.int64)


def _row_number(grid: SeriesGrid, rows: np.ndarray, name: str) -> np.ndarray:
    """A numeric values column at row positions; NaN where the position is -1."""
    return grid.numbers(name)[rows]


def _row_base(grid: SeriesGrid, rows: np.ndarray) -> np.ndarray:
    """The base of each row: its ``base`` column, else its denominator."""
    base = _row_number(grid, rows, "base")
    return np.where(np.isnan(base), _row_number(grid, rows, "denominator"), base)


def figure_notes(
    here: pd.DataFrame, value_period: Coded, pending: np.ndarray, on_forecast: np.ndarray
) -> Coded:
    """R's own note; for a missing figure, which one is missing or how incomplete the year is,
    or, for a measure rated on its forecast, why there is no forecast yet."""
    note = coded(here["note"])
    blank = note.equals("")
    no_forecast = pending & on_forecast & ~np.isnan(here["figure"].to_numpy(dtype=float)) & blank
    expected = here["months_expected"].to_numpy(dtype=np.int64)
    covered = here["months_covered"].to_numpy(dtype=np.int64)
    gap = pending & (expected > 0) & (covered > 0) & (covered < expected) & blank
    missing = pending & ~gap & ~no_forecast & blank

    def months(counts: np.ndarray) -> Coded:
        top = int(counts.max()) + 1 if len(counts) else 1
        return Coded(np.maximum(counts, 0), np.array([str(i) for i in range(top)], object))

    return select_coded(
        [gap, no_forecast, missing],
        [
            join_coded(
                "Year to date incomplete: figures for ",
                months(covered),
                " of ",
                months(expected),
                " months",
            ),
            join_coded(
                "No year-end forecast yet: none of the year's target profile is due by ",
                value_period,
            ),
            join_coded("No figure for ", value_period),
        ],
        note,
    )
