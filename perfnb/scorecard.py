"""The scorecard: one row per measure for a reporting period, built from a ``Dataset``.

Each row carries the measure's catalogue entry, the figure recorded for the period, and the
year-end target of the period's financial year, as seed 004's scorecard prints them. Annual
measures (surveys, academic years) show their latest figure: the row for the period's own year
when there is one (possibly pending, "Due May-18"), otherwise the most recent earlier year.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from perfnb.loader import Dataset
from perfnb.periods import Period, parse_period

__all__ = ["SCORECARD_COLUMNS", "build_scorecard", "has_figure", "services_with_figures"]

SCORECARD_COLUMNS = [
    "measure_id",
    "name",
    "service",
    "theme",
    "priority",
    "framework",
    "period",
    "value",
    "target",
    "band_low",
    "band_high",
    "unit",
    "rate_per",
    "polarity",
    "aggregation",
    "frequency",
    "decimals",
    "value_period",
    "numerator",
    "denominator",
    "note",
    "status",
    "pending",
    "target_note",
]


def _figures_for(values: pd.DataFrame, measures: pd.DataFrame, period: Period) -> pd.DataFrame:
    """The values row each measure reports for ``period`` (see the module docstring)."""
    annual_ids = set(measures.loc[measures["frequency"] == "annual", "measure_id"])
    exact = values[values["period"] == period.label]
    annual = values[
        values["measure_id"].isin(annual_ids)
        & (values["period_kind"] == "year")
        & (values["fy"] <= period.fy)
        & ~values["measure_id"].isin(exact["measure_id"])
    ]
    # the period's own year if present (even pending), else the latest year that has a figure
    own_year = annual[annual["fy"] == period.fy]
    earlier = annual[(annual["fy"] < period.fy) & annual["value"].notna()]
    earlier = earlier[~earlier["measure_id"].isin(own_year["measure_id"])]
    earlier = earlier.sort_values("fy").groupby("measure_id", sort=False).tail(1)
    return pd.concat([exact, own_year, earlier], ignore_index=True)


def build_scorecard(
    data: Dataset, period: Period | str, services: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per measure of ``services`` (all when None) for ``period``, in catalogue order.

    ``value`` is in the measure's unit (per cent for percent measures, per ``rate_per`` for
    rates); ``target`` is the year-end target of the period's financial year; a band target is in
    ``band_low``/``band_high``. A measure with no figure is ``pending`` with a note saying so.
    """
    period = parse_period(period)
    measures = data.measures
    if services is not None:
        measures = measures[measures["service"].isin(list(services))]
    figures = _figures_for(data.values, measures, period)
    figures = figures[
        ["measure_id", "period", "value", "numerator", "denominator", "note", "status"]
    ].rename(columns={"period": "value_period"})
    targets = data.targets.loc[data.targets["fy"] == period.fy].copy()
    targets["target_note"] = targets.get("note", "")
    targets = targets[["measure_id", "target", "band_low", "band_high", "target_note"]]
    card = measures.merge(figures, on="measure_id", how="left").merge(
        targets, on="measure_id", how="left"
    )
    card["period"] = period.label
    missing = card["value_period"].isna()
    card["note"] = card["note"].fillna("").where(~missing, f"No figure for {period.label}")
    card["status"] = card["status"].fillna("")
    card["target_note"] = card["target_note"].fillna("")
    card["value_period"] = card["value_period"].fillna("")
    card["pending"] = card["value"].isna()
    floats = ("value", "numerator", "denominator", "target", "band_low", "band_high", "rate_per")
    for column in floats:
        card[column] = card[column].astype(float)
    return card[SCORECARD_COLUMNS].reset_index(drop=True)


def has_figure(card: pd.DataFrame) -> pd.Series:
    """True for rows whose figure is for the card's own period (not pending, not an older year)."""
    return card["value"].notna() & (card["value_period"] == card["period"])


def services_with_figures(card: pd.DataFrame) -> list[str]:
    """The services with at least one figure for the period, in catalogue order."""
    return list(pd.unique(card.loc[has_figure(card), "service"]))
