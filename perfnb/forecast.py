"""Year-end forecasts: where will the measure be at the end of the financial year?

An officer's forecast (the ``forecast`` column of ``values.csv``) is used as given. Otherwise a
sum measure (a count) is projected at its run rate: the year to date divided by the share of the
year's profile that has elapsed (Help Direct's 17,135 contacts at Q2 of a linear profile: 17,135
/ 0.5 = 34,270). Any other measure's forecast is its latest figure. :func:`forecast_verdict` says
whether a forecast meets the annual target.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from perfnb.polarity import better_sign

__all__ = [
    "FORECAST_METHODS",
    "METHOD_WORDS",
    "ForecastVerdict",
    "forecast_arrays",
    "forecast_verdict",
    "year_end_forecast",
]

FORECAST_METHODS = ("officer forecast", "run rate", "outturn", "latest figure")


def year_end_forecast(
    aggregation: pd.Series,
    ytd_value: pd.Series,
    share_elapsed: pd.Series,
    figure: pd.Series,
    officer_forecast: pd.Series,
    year_end: pd.Series | None = None,
    *,
    cumulative: pd.Series | None = None,
) -> pd.DataFrame:
    """``forecast`` (in the measure's unit) and ``forecast_method`` (a categorical of
    ``FORECAST_METHODS`` and ``''`` for none) for each row.

    ``share_elapsed`` is the share of the year's target due so far (0-1: the profile's, or the
    period target over the year's); ``year_end`` marks rows whose period ends the financial
    year, where a running total's forecast is its outturn. ``cumulative`` marks the running
    totals projected at their run rate (default: the sum measures; a ytd measure of counts or
    money is one too). With none of the profile due yet there is no run rate: the forecast is
    blank.
    """
    is_sum = (
        (aggregation == "sum").to_numpy() if cumulative is None else cumulative.to_numpy(dtype=bool)
    )
    forecast, method = forecast_arrays(
        ytd_value.to_numpy(dtype=float),
        share_elapsed.to_numpy(dtype=float),
        figure.to_numpy(dtype=float),
        officer_forecast.to_numpy(dtype=float),
        None if year_end is None else year_end.to_numpy(dtype=bool),
        is_sum,
    )
    return pd.DataFrame(
        {
            "forecast": forecast,
            "forecast_method": pd.Categorical.from_codes(
                method, pd.Index(METHOD_WORDS, dtype=object), validate=False
            ),
        },
        index=aggregation.index,
        copy=False,  # fresh arrays: no copy into one block
    )


# the forecast methods' codes index these words: '' (no forecast), then FORECAST_METHODS
METHOD_WORDS = np.array(["", *FORECAST_METHODS], dtype=object)


def forecast_arrays(
    ytd: np.ndarray,
    share: np.ndarray,
    latest: np.ndarray,
    officer: np.ndarray,
    at_end: np.ndarray | None,
    is_sum: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`year_end_forecast` on arrays: each row's forecast (in the measure's unit) and
    its method as codes into ``METHOD_WORDS`` (int8); ``is_sum`` marks the running totals."""
    with np.errstate(divide="ignore", invalid="ignore"):
        run_rate = np.where(share > 0, ytd / share, np.nan)
    has_officer = ~np.isnan(officer)
    computed = np.where(is_sum, run_rate, latest)
    computed = np.where(np.isnan(latest), np.nan, computed)
    forecast = np.where(has_officer, officer, np.round(computed, 9))
    if at_end is None:
        at_end = np.zeros(len(share), bool)
    # the method as a code of ("", *FORECAST_METHODS): a million rows, five texts
    method = np.select(
        [has_officer, np.isnan(forecast), is_sum & at_end, is_sum], [1, 0, 3, 2], 4
    ).astype(np.int8)
    return forecast, method


class ForecastVerdict(NamedTuple):
    """How a year-end forecast stands against the annual target."""

    gap: float  # forecast minus the annual target, in the measure's unit (negative: below it)
    meets: bool | None  # meets or beats the target; None when no polarity says which way is better


def forecast_verdict(
    forecast: float | None, annual_target: float | None, polarity: str
) -> ForecastVerdict | None:
    """Whether the year-end forecast meets the annual target (both in the measure's unit)."""
    if forecast is None or annual_target is None:
        return None
    gap = forecast - annual_target
    if math.isnan(gap):  # a blank (NaN) forecast or target
        return None
    # on the target meets it (as a rating does: "meets or beats target"); band and none: no verdict
    sign = better_sign(polarity)[0]
    return ForecastVerdict(gap, None if math.isnan(sign) else bool(sign * gap >= 0))
