"""What page 1 of a service's report says the numbers show: how the measures moved since the
period before, which turned Red, the biggest shortfalls against target, the forecasts to miss
the year-end target and the top exceptions.

Frames in, a ``Story`` out; the page (``perfnb.pages.story``) only words and lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from perfnb.exceptions import exceptions, previous_ratings, rating_changes
from perfnb.forecast import forecast_verdict
from perfnb.polarity import better_sign
from perfnb.scorecard import with_previous

__all__ = [
    "LATEST_FIGURE",
    "Story",
    "biggest_shortfalls",
    "forecast_misses",
    "story",
    "turned_red",
]

# the forecast method that is only the latest figure carried forward, not a projection
LATEST_FIGURE = "latest figure"


@dataclass(frozen=True)
class Story:
    """The facts page 1 states, worked out from the scorecard and the period before's."""

    previous_period: str  # the period compared with, as labelled ("2016/17 Q4")
    improving: int  # direction of travel: improving, declining, stable (measures)
    declining: int
    stable: int
    rated_better: int  # ratings that moved between Red, Amber and Green since then
    rated_worse: int
    not_rated_before: int  # rated now, not rated (N/A, Pending) or absent the period before
    turned_red: pd.DataFrame  # rows of the card now Red, rated otherwise before
    shortfalls: pd.DataFrame  # rows of the card furthest short of target, worst first
    forecast_misses: pd.DataFrame  # rows whose year-end forecast misses the annual target
    top_exceptions: pd.DataFrame  # perfnb.exceptions.exceptions' first rows

    @property
    def changed_rating(self) -> int:
        """How many measures' ratings moved between Red, Amber and Green."""
        return self.rated_better + self.rated_worse


def turned_red(card: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of ``card`` rated Red now that were rated Amber or Green the period before."""
    card = card.reset_index(drop=True)
    before = previous_ratings(card, previous)["previous_rag"]
    return card[(card["rag"] == "Red") & before.isin(("Amber", "Green"))]


def biggest_shortfalls(card: pd.DataFrame, count: int = 3) -> pd.DataFrame:
    """The ``count`` Red and Amber rows of ``card`` furthest on the wrong side of their target,
    by the shortfall as a share of target (``variance_pct``, per cent, so counts, rates and
    percentages rank together), largest first; a band measure is short when it is outside its
    band. Measures with no variance are left out."""
    rated = card[card["rag"].isin(("Red", "Amber")) & card["variance_pct"].notna()]
    if not len(rated):
        return rated
    sign = better_sign(rated["polarity"])
    size = rated["variance_pct"].to_numpy(dtype=float)
    wrong_side = np.where(np.isnan(sign), size != 0, sign * size < 0)
    short = rated[wrong_side].assign(_size=np.abs(size[wrong_side]))
    return (
        short.sort_values("_size", ascending=False, kind="stable").drop(columns="_size").head(count)
    )


def forecast_misses(card: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``card`` whose year-end forecast (a projection, not the latest figure
    carried forward) misses the annual target, by ``perfnb.forecast.forecast_verdict``."""

    def misses(row: pd.Series) -> bool:
        if str(row.get("forecast_method", "")) == LATEST_FIGURE:
            return False
        verdict = forecast_verdict(
            _number(row.get("forecast")), _number(row.get("annual_target")), str(row["polarity"])
        )
        return verdict is not None and verdict.meets is False

    if not len(card):
        return card
    return card[card.apply(misses, axis=1).astype(bool)]


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else number


def story(
    card: pd.DataFrame,
    previous: pd.DataFrame | None,
    previous_period: str,
    exceptions_shown: int = 5,
) -> Story:
    """Page 1's facts for a service's ``card`` against ``previous`` (the scorecard of
    ``previous_period``), with the first ``exceptions_shown`` exceptions."""
    card = card.reset_index(drop=True)
    if card.empty:  # a service with no measures this period has nothing to tell
        return Story(previous_period, 0, 0, 0, 0, 0, 0, card, card, card, card)
    direction = card["direction"].astype(str)
    before = previous_ratings(card, previous)["previous_rag"]
    change = rating_changes(card["rag"], before)
    rated_now = card["rag"].isin(("Red", "Amber", "Green"))
    return Story(
        previous_period=previous_period,
        improving=int((direction == "improving").sum()),
        declining=int((direction == "declining").sum()),
        stable=int((direction == "stable").sum()),
        rated_better=int((change == "better").sum()),
        rated_worse=int((change == "worse").sum()),
        not_rated_before=int((rated_now & ~before.isin(("Red", "Amber", "Green"))).sum()),
        turned_red=turned_red(card, previous),
        shortfalls=biggest_shortfalls(card),
        forecast_misses=forecast_misses(card),
        top_exceptions=_with_reasons(
            exceptions(card, previous).head(exceptions_shown), card, previous
        ),
    )


def _with_reasons(
    rows: pd.DataFrame, card: pd.DataFrame, previous: pd.DataFrame | None
) -> pd.DataFrame:
    """``rows`` of ``card`` with why each was not rated the period before (``with_previous``)."""
    if not len(rows):
        return rows
    before = with_previous(card, previous).loc[rows.index]
    return rows.assign(
        previous_period=before["previous_period"],
        previous_why=before["previous_why"],
        previous_note=before["previous_note"],
    )
