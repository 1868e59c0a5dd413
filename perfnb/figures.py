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
  its last month's snapshot): its note, status, officer's forecast and, for ``last`` and
  ``ytd``, its base.
- ``base``: for a figure built from several rows, their bases (else denominators) to date; at
  the year's end a year row's, where there is one (``perfnb.figure_sums.summed_base``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from perfnb.column_set import Columns, numbers
from perfnb.engine_text import Coded, coded, join_coded, select_coded, texts
from perfnb.figure_sums import (
    DECIMALS,
    QUARTER0,
    SLOTS,
    YEAR,
    mean_figures,
    ratio_figures,
    sum_figures,
    summed_base,
)
from perfnb.integer_keys import sorted_unique

__all__ = [
    "SLOTS",
    "STATUS_ORDER",
    "SeriesGrid",
    "figure_notes",
    "series_grid",
    "window_figures",
]

# values.csv statuses, most final first: a figure resting on several rows takes the last of theirs
STATUS_ORDER = ("", "revised", "provisional", "estimated", "illustrative")
# the months of the financial year each slot's period starts and ends in (months, quarters,
# the year)
_SLOT_START = np.array([*range(1, 13), 1, 4, 7, 10, 1])
_SLOT_END = np.array([*range(1, 13), 3, 6, 9, 12, 12])


@dataclass(frozen=True)
class SeriesGrid:
    """The values of a data set on a slot x (measure, financial year) grid of row numbers:
    slot-major, so that each slot of every group is one contiguous array."""

    measures: pd.Index  # every measure_id with a row
    keys: pd.Index  # measure code x 1024 + (fy - 1900) of each group
    rows: np.ndarray  # (17, groups + 1) position in ``values``; -1 where there is no row
    values: pd.DataFrame  # the values frame, positionally indexed
    # the values' columns as read once (numbers, text as codes), shared with every part grid
    read: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def part(self, groups: np.ndarray) -> SeriesGrid:
        """The grid of ``groups`` only (positions along ``rows``' second axis), in their order."""
        return SeriesGrid(self.measures, self.keys, self.rows[:, groups], self.values, self.read)

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
        """A numeric values column on the grid: (17, groups) floats, NaN where no row."""
        return self.numbers(name)[self.rows]  # row -1 reads the NaN pad

    def text(self, name: str, rows: np.ndarray) -> np.ndarray:
        """A text column at the given row positions; '' where the position is -1."""
        return self.coded_text(name, rows).objects()

    def coded_text(self, name: str, rows: np.ndarray) -> Coded:
        """A text column at the given row positions, as codes; '' where the position is -1."""
        key = f"{name}:padded"
        if key not in self.read:  # the codes with one for '' at the end, made once
            text = self.codes(name)
            self.read[key] = Coded(
                np.append(text.codes, len(text.words)), np.append(text.words, "")
            )
        padded: Coded = self.read[key]  # type: ignore[assignment]
        return padded.take(rows)


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
        np.where((kind == "quarter").to_numpy(dtype=bool), QUARTER0 + last // 3 - 1, YEAR),
    )
    measure_codes, measures = _measure_codes(values["measure_id"])
    fy = values["fy"].to_numpy(dtype=np.int64)
    # (measure, year) groups numbered on a grid of the measures by the years: not hashed
    low = int(fy.min()) if len(fy) else 0
    span = int(fy.max()) - low + 1 if len(fy) else 1
    groups, codes = sorted_unique(measure_codes * span + (fy - low), len(measures) * span)
    keys = _group_key(groups // span, groups % span + low)
    # row numbers in 32 bits while they fit (half the memory to lay out and to gather from)
    kind_of_row = np.int32 if len(values) < 2**31 - 1 else np.int64
    rows = np.full((SLOTS, len(groups) + 1), -1, dtype=kind_of_row)
    rows[slot, codes] = np.arange(len(values), dtype=kind_of_row)
    return SeriesGrid(measures, pd.Index(keys), rows, values)


def _measure_codes(measure_id: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's measure as a code into the measures the rows have: a categorical's own
    codes and categories (the loader's: no row hashed again), those no row has left out (a
    service's rows of a national data set), else factorized as stored."""
    if isinstance(measure_id.dtype, pd.CategoricalDtype):
        codes = measure_id.cat.codes.to_numpy().astype(np.int64)
        if not len(codes) or codes.min() >= 0:
            categories = measure_id.cat.categories
            used = np.bincount(codes, minlength=len(categories)) > 0
            if used.all():
                return codes, pd.Index(categories)
            return (np.cumsum(used) - 1)[codes], pd.Index(categories[used])
    codes, uniques = pd.factorize(measure_id)
    return codes, pd.Index(uniques)


def _group_key(measure_code: np.ndarray, fy: np.ndarray) -> np.ndarray:
    """One integer per (measure, financial year): years run 1900 to 2199."""
    return measure_code.astype(np.int64) * 1024 + (fy.astype(np.int64) - 1900)


def _own_row(grid: SeriesGrid, g: np.ndarray, kind: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Position of R's own row: a row of R's own kind, else another row ending when R ends
    (a quarter row is June's end-of-quarter snapshot; a year row is March's). ``kind`` is 0
    for a month, 1 for a quarter, 2 for the year."""
    rows = grid.rows
    month_end = np.where(kind == 0, index, np.where(kind == 1, 3 * index, 12))
    by_month = rows[month_end - 1, g]
    quarter_end = month_end % 3 == 0
    by_quarter = np.where(quarter_end, rows[QUARTER0 + np.maximum(month_end // 3, 1) - 1, g], -1)
    by_year = np.where(month_end == 12, rows[YEAR, g], -1)

    def first(*candidates: np.ndarray) -> np.ndarray:
        out = candidates[-1]
        for candidate in reversed(candidates[:-1]):
            out = np.where(candidate >= 0, candidate, out)
        return out

    return np.select(
        [kind == 0, kind == 1],
        [first(by_month, by_quarter, by_year), first(by_quarter, by_month, by_year)],
        first(by_year, by_quarter, by_month),
    )


def _group_of(grid: SeriesGrid, windows: pd.DataFrame, fy: np.ndarray) -> np.ndarray:
    """Grid group of each window; the empty last group where the measure has no rows that year.
    ``windows`` has ``measure_id``, or ``grid_measure`` (each measure's place in
    ``grid.measures``, -1 for none: a million windows of a few thousand measures)."""
    if "grid_measure" in windows:
        code = numbers(windows["grid_measure"], np.int64)
    else:
        code = grid.measures.get_indexer(texts(windows["measure_id"]))
    table, first_year = _groups_by_year(grid)
    year = np.asarray(fy, dtype=np.int64) - first_year
    found = (code >= 0) & (year >= 0) & (year < table.shape[1])
    g = np.full(len(code), grid.rows.shape[1] - 1, dtype=np.int64)  # the empty last group
    g[found] = table[code[found], year[found]]
    return np.where(g < 0, grid.rows.shape[1] - 1, g)


def _groups_by_year(grid: SeriesGrid) -> tuple[np.ndarray, int]:
    """Each (measure, financial year)'s group, on a grid of the measures by the years the
    values cover (-1 for none), and its first year: read by position, not hashed, made once."""
    key = "groups:by-year"
    if key not in grid.read:
        keys = grid.keys.to_numpy(dtype=np.int64)
        measure, year = keys // 1024, keys % 1024 + 1900
        first = int(year.min()) if len(keys) else 1900
        span = int(year.max()) - first + 1 if len(keys) else 0
        table = np.full((len(grid.measures), span), -1, dtype=np.int64)
        table[measure, year - first] = np.arange(len(keys))
        grid.read[key] = (table, first)
    return grid.read[key]  # type: ignore[return-value]


def _narrowed(grid: SeriesGrid, g: np.ndarray) -> tuple[SeriesGrid, np.ndarray]:
    """The grid of the groups ``g`` reads only (in grid order), and ``g`` on it."""
    groups, inverse = sorted_unique(g, grid.rows.shape[1])
    return grid.part(groups), inverse


@dataclass
class _Windows:
    """The windows' figures, filled in aggregation by aggregation."""

    period_value: np.ndarray
    ytd: np.ndarray
    covered: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray


def window_figures(grid: SeriesGrid, windows: pd.DataFrame | Columns) -> Columns:
    """Figures at each window: ``windows`` has measure_id, aggregation, scale (100 for
    percent, rate_per for rates, else 1), kind, fy and index of R.

    Returns columns aligned to ``windows`` (text coded): period_value, ytd_value, figure (in
    the measure's unit), numerator and denominator behind the figure (year-to-date sums for
    ratio measures), base (people or events the figure rests on), row_forecast, note, status,
    has_row, months_expected, months_covered. Each aggregation's figures are worked out on its own
    windows and the groups they read only. With a ``wants_base`` column, the base only where
    it is true (NaN elsewhere: a window only compared with needs none).
    """
    g = _group_of(grid, windows, numbers(windows["fy"], np.int64))
    # only the groups these windows read: a few periods' windows need a few years of the grid
    grid, g = _narrowed(grid, g)
    kind = _kind_codes(windows["kind"])
    index = numbers(windows["index"], np.int64)
    aggregation = coded(windows["aggregation"])
    scale = numbers(windows["scale"])
    month = np.where(kind == 0, index, np.where(kind == 1, 3 * index, 12))
    is_last, is_ytd = aggregation.equals("last"), aggregation.equals("ytd")
    single = is_last | is_ytd  # figures read off R's own row

    own = _own_row(grid, g, kind, index)
    own_value = _row_number(grid, own, "value")
    n = len(g)
    out = _Windows(
        own_value.copy(),  # last: R's own figure
        np.full(n, np.nan),
        month.copy(),
        _row_number(grid, own, "numerator"),
        _row_number(grid, own, "denominator"),
    )
    for name in ("sum", "ratio", "mean"):
        at = np.flatnonzero(aggregation.equals(name))
        if not len(at):
            continue
        part, g_at = _narrowed(grid, g[at])
        args = (g_at, kind[at], index[at], month[at])
        months = _has_months(part)
        if name == "sum":
            out.period_value[at], out.ytd[at], out.covered[at] = sum_figures(
                part.column("value"), *args, months=months
            )
        elif name == "mean":
            out.period_value[at], out.ytd[at], out.covered[at] = mean_figures(
                part.column("value"), *args, months=months
            )
        else:
            (
                out.period_value[at],
                out.ytd[at],
                out.covered[at],
                out.numerator[at],
                out.denominator[at],
            ) = ratio_figures(
                part.column("numerator"), part.column("denominator"), *args, scale[at], months
            )
    # ytd: each row is already the year to date; the period's own figure is the change since
    # the same kind of period before it in the year (the first of the year is its own)
    before = np.full(n, -1, dtype=np.int64)
    at = np.flatnonzero(is_ytd)
    before[at] = _own_row(grid, g[at], kind[at], np.maximum(index[at] - 1, 1))
    before_value = np.where(
        (index[at] > 1) & (kind[at] != 2), grid.numbers("value")[before[at]], 0.0
    )
    out.period_value[at] = own_value[at] - before_value
    out.ytd[at] = own_value[at]
    figure = np.where(is_last, out.period_value, out.ytd)

    codes = _row_status_codes(grid)
    status = _status(codes, grid, g, own, month, single)
    # the period's own figure: the rows inside R (for ytd, R's row and the one it is taken from)
    first = np.where(kind == 0, index, np.where(kind == 1, 3 * index - 2, 1))
    period_status = _status(codes, grid, g, own, month, is_last, first)
    period_status = np.where(is_ytd, np.maximum(status, codes[before]), period_status)
    statuses = np.array(STATUS_ORDER, dtype=object)
    note = grid.coded_text("note", own).compact()
    base = _row_base(grid, own)
    wanted = numbers(windows["wants_base"], bool) if "wants_base" in windows else True
    base = np.where(wanted, base, np.nan)
    # only groups with a base or denominator somewhere have a summed base (NaN elsewhere)
    at = np.flatnonzero(~single & wanted & _has_base(grid)[g])
    if len(at):
        part, g_at = _narrowed(grid, g[at])
        base[at] = summed_base(
            part.column("base"), part.column("denominator"), g_at, month[at], _has_months(part)
        )

    return Columns(
        {
            "period_value": np.round(out.period_value, DECIMALS),
            "ytd_value": np.round(out.ytd, DECIMALS),
            "figure": np.round(figure, DECIMALS),
            "numerator": out.numerator,
            "denominator": out.denominator,
            "base": base,
            "row_forecast": _row_number(grid, own, "forecast"),
            # text coded: a million windows hold a few distinct notes and statuses
            "note": note,
            "status": Coded(status.astype(np.int64), statuses),
            "period_status": Coded(period_status.astype(np.int64), statuses),
            "has_row": own >= 0,
            "months_expected": np.where(single, 0, month),
            "months_covered": np.where(single, 0, out.covered),
        },
        n,
    )


def _kind_codes(kind: pd.Series) -> np.ndarray:
    """Each window's kind as 0 (month), 1 (quarter) or 2 (year)."""
    text = coded(kind)
    return np.select([text.equals("month"), text.equals("quarter")], [0, 1], 2).astype(np.int64)


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
    span = np.zeros(len(g), dtype=np.int64)
    for slot in range(SLOTS):  # slot by slot: no windows x 17 array
        inside = (_SLOT_END[slot] <= month) & (_SLOT_START[slot] >= first)
        span = np.maximum(span, np.where(inside, codes[grid.rows[slot, g]], 0))
    return np.where(single, codes[own], span).astype(np.int64)


def _status_codes(text: np.ndarray) -> np.ndarray:
    """Each status's place in ``STATUS_ORDER`` (0, final, for anything else)."""
    return np.maximum(pd.Categorical(text, categories=STATUS_ORDER).codes, 0).astype(np.int64)


def _has_base(grid: SeriesGrid) -> np.ndarray:
    """Whether each group of ``grid`` has a row with a base or a denominator."""
    key = "base:any"
    if key not in grid.read:
        grid.read[key] = ~np.isnan(grid.numbers("base")) | ~np.isnan(grid.numbers("denominator"))
    return grid.read[key][grid.rows].any(axis=0)  # type: ignore[index]


def _has_months(grid: SeriesGrid) -> bool:
    """Whether any group of ``grid`` has a month row (a quarterly data set has none: the
    sums skip its months)."""
    return bool((grid.rows[:12] >= 0).any())


def _row_number(grid: SeriesGrid, rows: np.ndarray, name: str) -> np.ndarray:
    """A numeric values column at row positions; NaN where the position is -1."""
    return grid.numbers(name)[rows]


def _row_base(grid: SeriesGrid, rows: np.ndarray) -> np.ndarray:
    """The base of each row: its ``base`` column, else its denominator."""
    base = _row_number(grid, rows, "base")
    return np.where(np.isnan(base), _row_number(grid, rows, "denominator"), base)


def figure_notes(
    here: pd.DataFrame | Columns, value_period: Coded, pending: np.ndarray, on_forecast: np.ndarray
) -> Coded:
    """R's own note; for a missing figure, which one is missing or how incomplete the year is,
    or, for a measure rated on its forecast, why there is no forecast yet."""
    note = coded(here["note"])
    blank = note.equals("")
    no_forecast = pending & on_forecast & ~np.isnan(numbers(here["figure"])) & blank
    expected = numbers(here["months_expected"], np.int64)
    covered = numbers(here["months_covered"], np.int64)
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
