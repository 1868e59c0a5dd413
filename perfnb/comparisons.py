"""Each figure set beside others: an earlier figure of its own (direction of travel, like with
like), the latest figure after its period (the latest position) and comparable areas' figures
(benchmark quartiles), as columns the engine joins to its rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from perfnb.benchmarking import benchmark_positions
from perfnb.direction import direction_of_travel, direction_reasons
from perfnb.period_codes import period_labels
from perfnb.tolerances import DEFAULT_DOT_STABLE, with_default
from perfnb.variance import variance

__all__ = ["benchmark_columns", "direction_columns", "latest_position"]

# aggregations whose reported figure is a year to date (a running total, or a rate over the year
# so far): against the period before, their own figures are compared, never two points of a
# year. A mean's average to date is compared as it is, as seed 004 compares a quarter's delayed
# transfers with last year's average quarter.
_RUNNING = ("sum", "ytd", "ratio")


def direction_columns(
    card: pd.DataFrame,
    here: pd.DataFrame,
    before: pd.DataFrame,
    year_ago: pd.DataFrame,
    prev: tuple[np.ndarray, np.ndarray, np.ndarray],
    last_year: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[str, np.ndarray | pd.Series]:
    """Direction of travel, comparing like with like: against the same period last year, the
    figure as reported with last year's at the same point of the year; against the previous
    period, a year-to-date (or average-to-date) figure's own period figures (this quarter's
    with last quarter's), any other figure as reported.

    Returns ``direction``, ``compared_with`` (the earlier period), ``compared_on`` (what the
    figures compared are: the value's basis, or ``period`` for the periods' own figures),
    ``dot_value`` and ``compared_value`` (the two figures), ``compared_status`` and
    ``direction_reason``."""
    on_last_year = (card["dot_basis"] == "last_year").to_numpy()
    running = (
        np.isin(card["aggregation"].to_numpy(dtype=object), _RUNNING)
        & (card["rag_on"] != "forecast").to_numpy()
    )
    own = running & ~on_last_year
    value = card["value"].to_numpy(dtype=float)
    now = np.where(own, here["period_value"].to_numpy(dtype=float), value)
    then = np.where(
        on_last_year,
        year_ago["value"].to_numpy(dtype=float),
        np.where(own, before["period_value"], before["value"]).astype(float),
    )
    band = (card["polarity"] == "band").to_numpy()
    # a period's own figure has no band of its own: a band measure compared so has no direction
    no_band = own & band
    edges = [
        np.where(no_band, np.nan, card[edge].to_numpy(dtype=float))
        for edge in ("band_low", "band_high")
    ]
    earlier_edges = [
        np.where(no_band, np.nan, np.where(on_last_year, year_ago[edge], before[edge]))
        for edge in ("band_low", "band_high")
    ]
    stable = with_default(card["dot_stable"], card["unit"], DEFAULT_DOT_STABLE)
    index = card.index
    direction = direction_of_travel(
        pd.Series(now, index=index),
        pd.Series(then, index=index),
        card["polarity"],
        stable,
        pd.Series(edges[0], index=index),
        pd.Series(edges[1], index=index),
        pd.Series(earlier_edges[0].astype(float), index=index),
        pd.Series(earlier_edges[1].astype(float), index=index),
    )
    compared_with = np.where(on_last_year, period_labels(*last_year), period_labels(*prev))
    compared_on = np.where(own, "period", card["value_basis"].to_numpy(dtype=object))
    now_status = np.where(
        own, here["period_status"].to_numpy(dtype=object), card["status"].to_numpy(dtype=object)
    )
    then_status = np.where(
        on_last_year, year_ago["status"], np.where(own, before["period_status"], before["status"])
    ).astype(object)
    return {
        "direction": direction,
        "compared_with": compared_with,
        "compared_on": compared_on,
        "dot_value": np.round(now, 9),
        "compared_value": np.round(then, 9),
        "compared_status": then_status,
        "direction_reason": direction_reasons(
            direction.to_numpy(dtype=object),
            card,
            now,
            then,
            compared_with,
            compared_on,
            now_status,
            then_status,
        ),
    }


def latest_position(card: pd.DataFrame, later: list[pd.DataFrame]) -> dict[str, np.ndarray]:
    """The latest figure after R within the months ``later`` covers (month then quarter for
    each month after R, in order): its period, value, target, variance and status; blank where
    there is none."""
    n = len(card)
    out = {
        "latest_period": np.full(n, "", dtype=object),
        "latest_value": np.full(n, np.nan),
        "latest_target": np.full(n, np.nan),
        "latest_band_low": np.full(n, np.nan),
        "latest_band_high": np.full(n, np.nan),
        "latest_status": np.full(n, "", dtype=object),
    }
    value_period = card["value_period"].to_numpy(dtype=object)
    for frame in later:  # later windows overwrite earlier ones: the last one with a figure wins
        label = period_labels(
            frame["_kind"].to_numpy(), frame["_fy"].to_numpy(), frame["_index"].to_numpy()
        )
        value = frame["value"].to_numpy(dtype=float)
        found = ~np.isnan(value) & (label != value_period)
        out["latest_period"] = np.where(found, label, out["latest_period"])
        for name, column in (
            ("latest_value", "value"),
            ("latest_target", "target"),
            ("latest_band_low", "band_low"),
            ("latest_band_high", "band_high"),
            ("latest_status", "status"),
        ):
            out[name] = np.where(found, frame[column].to_numpy(), out[name])
    gap = variance(
        pd.Series(out["latest_value"]),
        pd.Series(out["latest_target"]),
        pd.Series(out["latest_band_low"]),
        pd.Series(out["latest_band_high"]),
        card["polarity"].reset_index(drop=True),
        card["unit"].reset_index(drop=True),
    )
    return {
        "latest_period": out["latest_period"],
        "latest_value": out["latest_value"],
        "latest_target": out["latest_target"],
        "latest_variance": gap["variance"].to_numpy(),
        "latest_variance_pct": gap["variance_pct"].to_numpy(),
        "latest_variance_pp": gap["variance_pp"].to_numpy(),
        "latest_status": out["latest_status"],
    }


def benchmark_columns(
    benchmarks: pd.DataFrame, area: str, card: pd.DataFrame, fy: np.ndarray
) -> pd.DataFrame:
    """Where each row's measure ranks among comparable areas in ``benchmarks`` (the latest
    benchmark year up to ``fy``, the report period's financial year): ``BENCHMARK_COLUMNS``,
    one row per row of ``card``."""
    return benchmark_positions(
        benchmarks,
        pd.DataFrame(
            {
                "measure_id": card["measure_id"].to_numpy(),
                "fy": fy,
                "polarity": card["polarity"].to_numpy(),
                "decimals": card["decimals"].to_numpy(),
            }
        ),
        area,
    )
