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

import numpy as np
import pandas as pd

from perfnb.engine import PERFORMANCE_COLUMNS, performance
from perfnb.exceptions import previous_ratings, rating_changes
from perfnb.loader import Dataset
from perfnb.measure_spc import SPC_CARD_COLUMNS, MeasureSPC, measure_spc, spc_history
from perfnb.period_rows import PeriodRows
from perfnb.periods import Period, parse_period
from perfnb.polarity import RATINGS

__all__ = [
    "PREVIOUS_WHY",
    "SCORECARD_COLUMNS",
    "build_scorecard",
    "has_figure",
    "services_with_figures",
    "with_previous",
    "with_spc",
]

SCORECARD_COLUMNS = [*PERFORMANCE_COLUMNS, *SPC_CARD_COLUMNS]


def build_scorecard(
    data: Dataset,
    period: Period | str,
    services: Sequence[str] | None = None,
    *,
    spc: bool = True,
    rows: PeriodRows | None = None,
) -> pd.DataFrame:
    """One row per measure of ``services`` (all when None) for ``period``, in catalogue order.

    ``value`` is the reported figure in the measure's unit (per cent for percent measures, per
    ``rate_per`` for rates): the year to date for counts, the latest figure for snapshots, the
    year-end forecast for measures rated on it. ``target`` is the target the period is judged
    against (profiled to the period for counts); ``annual_target`` the year-end one.
    ``spc=False`` leaves the SPC columns blank (quicker, for a card only compared with).
    ``rows``: the engine's rows of ``period`` for ``services``, worked out already.
    """
    period = parse_period(period)
    found = performance(data, [period], services) if rows is None else rows.take([period], services)
    card = found.reset_index(drop=True)
    return with_spc(card, _spc_card(data, period, card) if spc and len(card) else None)


_SPC_MEASURES = 1000  # measures whose series are read and charted at once


def _spc_card(data: Dataset, period: Period, card: pd.DataFrame) -> MeasureSPC:
    """The SPC columns of ``card``'s measures, a batch of measures at a time: a data set's
    every series at once would need gigabytes (20,000 measures of 400 quarters)."""
    found = []
    for start in range(0, len(card), _SPC_MEASURES):
        part = card.iloc[start : start + _SPC_MEASURES]
        history = spc_history(data, period, measures=part["measure_id"].astype(str).tolist())
        found.append(measure_spc(history, part, charts=False).card)
    return MeasureSPC(pd.concat(found, ignore_index=True), {}, {})


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


# why a measure was not rated in the period before ('' when it was rated Red, Amber or Green)
PREVIOUS_WHY = ("", "no target", "no aim", "overridden", "no figure", "not reported")


def with_previous(card: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """``card`` (index reset) with each measure's rating in ``previous`` (the engine's rows of
    the period before): ``previous_rag``, ``previous_period`` and ``change`` as
    ``perfnb.exceptions`` gives them, and ``previous_why``, one of ``PREVIOUS_WHY``: why it was
    not rated then, by the rating rules of ``perfnb.rag`` (no aim: polarity ``none``; no target:
    no target, or no band for a band measure; no figure: Pending) or an officer's override, or
    that the measure was not reported then at all (its period is then ``previous``' own);
    ``previous_note`` is the figure's note of a Pending measure then (``Due May-17``)."""
    card = card.reset_index(drop=True)
    before = previous_ratings(card, previous)
    out = card.assign(
        previous_rag=before["previous_rag"],
        previous_period=before["previous_period"],
        change=rating_changes(card["rag"], before["previous_rag"]),
        previous_why="",
        previous_note="",
    )
    if previous is None or not len(previous):
        return out
    earlier = previous.drop_duplicates("measure_id").set_index("measure_id")
    rows = earlier.reindex(card["measure_id"]).reset_index(drop=True)
    missing = ~card["measure_id"].isin(earlier.index).to_numpy()
    rag = rows["rag"].fillna("").to_numpy(dtype=object)
    polarity = rows["polarity"].to_numpy(dtype=object)
    no_band = rows["band_low"].isna().to_numpy() | rows["band_high"].isna().to_numpy()
    no_target = np.where(polarity == "band", no_band, rows["target"].isna().to_numpy())
    overridden = rows.get("overridden", pd.Series(False, index=rows.index))
    why = np.select(
        [
            missing,
            np.isin(rag, RATINGS),
            overridden.fillna(False).astype(bool).to_numpy(),
            polarity == "none",
            no_target,
            rag == "Pending",
        ],
        ["not reported", "", "overridden", "no aim", "no target", "no figure"],
        "",
    )
    note = rows["note"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    return out.assign(
        previous_why=why.astype(object),
        previous_note=np.where(why == "no figure", note, "").astype(object),
        previous_period=np.where(
            missing, str(previous["period"].iloc[0]), out["previous_period"]
        ).astype(object),
    )
