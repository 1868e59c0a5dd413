"""The scorecard: one row per measure for a reporting period, as ``scorecard.csv`` holds it.

Each row carries the measure's catalogue entry and everything the engine works out for the
period (``perfnb.engine``): the period's figure and year to date, the profiled target, variance,
RAG and its reason, direction of travel, forecast and benchmark quartile, then SPC's variation
and assurance beside RAG (``perfnb.measure_spc``: blank, with a note, where a measure has fewer
than 13 figures). Annual measures
(surveys, academic years) show their latest figure: the row for the period's own year when there
is one (possibly pending, "Due May-18"), otherwise the most recent earlier year.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from perfnb.engine import PERFORMANCE_COLUMNS, performance
from perfnb.loader import Dataset
from perfnb.measure_spc import SPC_CARD_COLUMNS, MeasureSPC, measure_spc, spc_history
from perfnb.periods import Period, parse_period

__all__ = [
    "SCORECARD_COLUMNS",
    "build_scorecard",
    "has_figure",
    "services_with_figures",
    "with_spc",
]

SCORECARD_COLUMNS = [*PERFORMANCE_COLUMNS, *SPC_CARD_COLUMNS]


def build_scorecard(
    data: Dataset,
    period: Period | str,
    services: Sequence[str] | None = None,
    *,
    spc: bool = True,
) -> pd.DataFrame:
    """One row per measure of ``services`` (all when None) for ``period``, in catalogue order.

    ``value`` is the reported figure in the measure's unit (per cent for percent measures, per
    ``rate_per`` for rates): the year to date for counts, the latest figure for snapshots, the
    year-end forecast for measures rated on it. ``target`` is the target the period is judged
    against (profiled to the period for counts); ``annual_target`` the year-end one.
    ``spc=False`` leaves the SPC columns blank (quicker, for a card only compared with).
    """
    period = parse_period(period)
    card = performance(data, [period], services).reset_index(drop=True)
    found = measure_spc(spc_history(data, period, services), card) if spc and len(card) else None
    return with_spc(card, found)


def with_spc(card: pd.DataFrame, found: MeasureSPC | None) -> pd.DataFrame:
    """The scorecard's columns, the SPC ones from ``found`` (blank when None)."""
    card = card.drop(columns=[c for c in SPC_CARD_COLUMNS if c in card])
    if found is None:
        card = card.assign(spc_points=0, variation="", assurance="", spc_note="")
    else:
        card = card.merge(found.card, on="measure_id", how="left", validate="many_to_one")
    return card[SCORECARD_COLUMNS].reset_index(drop=True)


def has_figure(card: pd.DataFrame) -> pd.Series:
    """True for rows with a figure for a period ending within the card's own period: the
    period itself, or the quarter that ends in a monthly report's month (not pending, not an
    older year, not a year that ends later)."""
    pairs = card[["period", "value_period"]].drop_duplicates()
    ends_within = {}
    for period, value_period in pairs.itertuples(index=False):
        if not value_period:
            continue
        asked, shown = parse_period(period), parse_period(value_period)
        ends_within[(period, value_period)] = asked.start <= shown.end <= asked.end
    keys = pd.Series(list(zip(card["period"], card["value_period"], strict=True)), index=card.index)
    return card["value"].notna() & keys.map(ends_within).fillna(False).astype(bool)


def services_with_figures(card: pd.DataFrame) -> list[str]:
    """The services with at least one figure for the period, in catalogue order."""
    return list(pd.unique(card.loc[has_figure(card), "service"]))
