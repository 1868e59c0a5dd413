"""What the trend chart draws: each period's own figure (never a year to date that starts again
each April), and whether a measure has a trend to draw at all (:func:`has_trend`).
"""

from __future__ import annotations

import pandas as pd

from perfnb.charts.parts import _collapse_repeats, _number, _one_measure
from perfnb.periods import Period, parse_period

__all__ = ["MIN_TREND_FIGURES", "has_trend", "own_figures", "resets_each_year"]

MIN_TREND_FIGURES = 3  # fewer figures are a comparison, said in words, not a trend

# aggregations whose figure is a year to date that starts again each financial year
_RESETS = ("sum", "ytd")


def resets_each_year(rows: pd.DataFrame) -> bool:
    """True for a measure whose reported figure is a running year to date that starts again
    each April (a ``sum``, or a ``ytd`` figure such as a collection rate)."""
    latest = rows.iloc[-1]
    return str(latest["aggregation"]) in _RESETS and latest.get("value_basis") == "year to date"


def own_figures(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows (one measure's, one per figure, in period order) with each period's own figure
    for a measure whose figure is a year to date that starts again each April: ``value`` and
    ``status`` become the engine's ``period_value`` and ``period_status``, and the year-to-date
    target, band and same period last year become the period's own, the change since the
    period before in the same financial year (a first quarter's or April's is its year to
    date; where the period before is not in the rows, blank). Other measures' rows are
    returned as they are."""
    if rows.empty or not resets_each_year(rows):
        return rows
    periods = [parse_period(p) for p in rows["value_period"]]
    out = rows.copy()
    out["value"] = rows["period_value"].to_numpy()
    if "period_status" in rows:
        out["status"] = rows["period_status"].to_numpy()
    for column in ("target", "band_low", "band_high", "last_year_value"):
        out[column] = _own([_number(v) for v in rows[column]], periods)
    return out


def _own(values: list[float | None], periods: list[Period]) -> list[float | None]:
    """Each year to date less the one before it in the same financial year."""
    out: list[float | None] = []
    for i, (value, period) in enumerate(zip(values, periods, strict=True)):
        if value is None or period.kind == "year" or period.index == 1:
            out.append(value)
            continue
        before = values[i - 1] if i and periods[i - 1] == period.previous() else None
        out.append(None if before is None else value - before)
    return out


def has_trend(history: pd.DataFrame) -> bool:
    """True when one measure's rows over recent periods (``perfnb.performance``'s, as
    :func:`perfnb.charts.trend_chart` takes them) hold at least ``MIN_TREND_FIGURES`` (3)
    figures to draw, each period's own (:func:`own_figures`): two are a comparison the
    scorecard gives in words, one is a number, and a chart of them is near empty. False for no
    rows, or rows without the engine's columns."""
    needed = ("measure_id", "period", "value_period", "value", "aggregation")
    if history.empty or any(c not in history.columns for c in needed):
        return False
    if history["measure_id"].nunique() != 1:
        raise ValueError("has_trend looks at one measure's rows")
    rows, _ = _collapse_repeats(_one_measure(history, needed, "has_trend"))
    figures = own_figures(rows)["value"]
    return int(figures.notna().sum()) >= MIN_TREND_FIGURES


def _lines(values: list[float | None], years: list[int]) -> list[tuple[list[int], list[float]]]:
    """The runs of consecutive values, split at a blank and where the year changes."""
    out: list[tuple[list[int], list[float]]] = []
    for x, value in enumerate(values):
        if value is None:
            continue
        if out and out[-1][0][-1] == x - 1 and years[x] == years[x - 1]:
            out[-1][0].append(x)
            out[-1][1].append(value)
        else:
            out.append(([x], [value]))
    return out


def _runs(xs: list[int]) -> list[list[int]]:
    """Consecutive positions grouped: [0, 1, 3] gives [[0, 1], [3]]."""
    runs: list[list[int]] = []
    for x in xs:
        if runs and runs[-1][-1] == x - 1:
            runs[-1].append(x)
        else:
            runs.append([x])
    return runs


def _steps(xs: list[int], ys: list[float]) -> tuple[list[float], list[float]]:
    """A step line across each period's slot (half a slot either side of its tick)."""
    out_x: list[float] = []
    out_y: list[float] = []
    for x, y in zip(xs, ys, strict=True):
        out_x += [x - 0.5, x + 0.5]
        out_y += [y, y]
    return out_x, out_y
