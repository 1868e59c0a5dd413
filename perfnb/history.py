"""The engine's rows over time, for charts and the variance table: recent periods of each
measure, and every period of the report's financial year."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from perfnb.engine import performance
from perfnb.loader import Dataset
from perfnb.period_rows import PeriodRows
from perfnb.periods import Period, parse_period

__all__ = [
    "TREND_QUARTERS",
    "TREND_YEARS",
    "recent_periods",
    "trend_history",
    "trend_periods",
    "variance_periods",
    "year_periods",
    "year_to_date_history",
]


TREND_QUARTERS = 8  # report periods a trend chart shows (quarters, or months)
TREND_YEARS = 5  # financial years an annual measure's trend chart shows


def recent_periods(period: Period, count: int) -> list[Period]:
    """The ``count`` periods of ``period``'s kind ending with it, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


def year_periods(period: Period) -> list[Period]:
    """Every period of ``period``'s kind in its financial year: Q1 to Q4, or April to March."""
    last = {"quarter": 4, "month": 12, "year": 1}[period.kind]
    return [Period(period.kind, period.fy, i) for i in range(1, last + 1)]


def variance_periods(period: Period) -> list[Period]:
    """The periods seed 000's variance table shows for a report: each quarter of the financial
    year ended by ``period``, then a monthly report's own month when it does not end a quarter
    (October 2012: Q1, Q2 and October). A year is itself."""
    if period.kind == "year":
        return [period]
    shown = [Period("quarter", period.fy, q) for q in range(1, 5) if 3 * q <= period.last_fy_month]
    if period.kind == "month" and period.last_fy_month % 3:
        shown.append(period)
    return shown


def trend_periods(
    period: Period, quarters: int = TREND_QUARTERS, years: int = TREND_YEARS
) -> list[Period]:
    """Every period ``trend_history`` may ask the engine for: ``quarters`` report periods
    ending with ``period``, then ``years`` financial years ending with its year."""
    return [*recent_periods(period, quarters), *recent_periods(period.year, years)]


def trend_history(
    data: Dataset,
    period: Period,
    services: Sequence[str] | None = None,
    *,
    quarters: int = TREND_QUARTERS,
    years: int = TREND_YEARS,
    rows: PeriodRows | None = None,
) -> pd.DataFrame:
    """The engine's rows for each measure over its recent periods, ending with ``period``:
    ``quarters`` report periods of ``period``'s kind (quarters or months) for quarterly and
    monthly measures, ``years`` financial years for annual ones. Each figure appears once:
    where a quarterly measure has no figure for a month, or an annual one shows an earlier
    year, the repeated rows are dropped, and so are periods before a measure's first figure.
    A year with no figure between two years that have one stays, blank (note ``No figure for
    2015/16``), so a survey taken every other year shows its gaps.
    Rows are in measure (catalogue) then period order. ``rows``: the engine's rows of
    ``trend_periods`` for ``services``, worked out already."""
    frames = []
    catalogue = (
        data.measures
        if services is None
        else data.measures[data.measures["service"].isin(list(services))]
    )
    annual = set(catalogue.loc[catalogue["frequency"] == "annual", "measure_id"])
    kinds = [(recent_periods(period, quarters), False)]
    if annual:
        kinds.append((recent_periods(period.year, years), True))
    for periods, for_annual in kinds:
        some = (
            performance(data, periods, services) if rows is None else rows.take(periods, services)
        )
        frames.append(some[some["measure_id"].isin(annual) == for_annual])
    found = pd.concat(frames, ignore_index=True)
    order = {m: i for i, m in enumerate(catalogue["measure_id"])}
    found = found.assign(_m=found["measure_id"].map(order), _p=found["period"].map(_sort_key))
    found = found.sort_values(["_m", "_p"], kind="stable")
    # the same figure reached from two report periods (a quarter's figure in each of its
    # months, last year's survey while this year's is due) is shown at its first report only
    shown = found["value_period"].where(found["value"].notna(), found["period"])
    repeated = found.assign(_shown=shown).duplicated(["measure_id", "_shown"])
    # but a year with no figure between two that have one (a survey every other year) keeps
    # its place on the axis, blank, so the chart does not close the gap
    later = found["value"].notna()[::-1].groupby(found["measure_id"][::-1]).cummax()[::-1]
    later = later.groupby(found["measure_id"]).shift(-1, fill_value=False).astype(bool)
    gap = repeated & found["measure_id"].isin(annual) & later
    if gap.any():
        found = found.copy()
        for column in ("value", "ytd_value", "period_value", "forecast", "numerator"):
            found.loc[gap, column] = np.nan
        found.loc[gap, "value_period"] = found.loc[gap, "period"]
        found.loc[gap, "rag"] = "N/A"
        found.loc[gap, "pending"] = False
        found.loc[gap, "note"] = "No figure for " + found.loc[gap, "period"]
    found = found[~repeated | gap]
    # periods before a measure's first figure are left off (a new measure starts its chart
    # where its data starts); the report's own period always stays
    started = found["value"].notna().groupby(found["measure_id"], sort=False).cummax()
    latest = found["period"] == found.groupby("measure_id")["period"].transform("last")
    found = found[started | latest]
    return found.drop(columns=["_m", "_p"]).reset_index(drop=True)


def year_to_date_history(
    data: Dataset,
    period: Period,
    services: Sequence[str] | None = None,
    *,
    rows: PeriodRows | None = None,
) -> pd.DataFrame:
    """The engine's rows for every period of ``period``'s financial year (Q1 to Q4, or each
    month), with figures after ``period`` blanked: the profiled target runs to the year end,
    the actuals stop at the report's period. ``rows``: the engine's rows of those periods for
    ``services``, worked out already."""
    periods = year_periods(period)
    found = performance(data, periods, services) if rows is None else rows.take(periods, services)
    later = found["period"].map(lambda p: parse_period(p).end > period.end).astype(bool)
    for column in ("value", "ytd_value", "period_value", "forecast"):
        found[column] = found[column].where(~later, np.nan)
    return found.reset_index(drop=True)


def _sort_key(label: str) -> tuple[int, int]:
    """Periods in time order: by end date, then shorter first."""
    period = parse_period(label)
    return (period.end.toordinal(), -period.start.toordinal())
