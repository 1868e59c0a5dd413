"""The latest position in words: a measure's latest figure after the report's period, with its
target and variance, as the scorecard, the variance table and a measure's facts print it.

A sibling of ``perfnb.wording`` (whose figures, rounding and variance it uses), kept apart so
that each stays short. ``perfnb.tables`` re-exports ``latest_heading`` and ``latest_text``.
"""

from __future__ import annotations

import pandas as pd

from perfnb.palette import with_marker
from perfnb.periods import parse_period
from perfnb.wording import _figure, _target_decimals, format_value, variance_text

__all__ = [
    "latest_actual_text",
    "latest_heading",
    "latest_period_of",
    "latest_row",
    "latest_target_text",
    "latest_text",
]


def latest_period_of(row: pd.Series) -> str:
    """The period of a row's latest position (``2012-10``), '' when it has none (no column, a
    blank period or no figure)."""
    period = row.get("latest_period")
    if period is None or pd.isna(period) or not str(period).strip():
        return ""
    value = row.get("latest_value")
    return "" if value is None or pd.isna(value) else str(period).strip()


def latest_heading(card: pd.DataFrame) -> str:
    """The heading of the latest position's column: ``Latest (Oct 2012)`` when every measure's
    latest figure is for one period, ``Latest`` when they differ (each cell then names its
    period), '' when no row has a latest position (the column is left out)."""
    if card.empty or "latest_period" not in card.columns:
        return ""
    periods = {p for p in (latest_period_of(row) for _, row in card.iterrows()) if p}
    if not periods:
        return ""
    if len(periods) == 1:
        return f"Latest ({parse_period(periods.pop()).short_label})"
    return "Latest"


def latest_row(row: pd.Series) -> pd.Series:
    """The row with its latest position in place of the period's figure, target, variance and
    status, so the period's formatting prints it."""
    latest = {
        "value": row.get("latest_value"),
        "target": row.get("latest_target"),
        "variance": row.get("latest_variance"),
        "variance_pct": row.get("latest_variance_pct"),
        "variance_pp": row.get("latest_variance_pp"),
        "status": row.get("latest_status", ""),
    }
    return pd.concat([row.drop(list(latest), errors="ignore"), pd.Series(latest, dtype=object)])


def _on_forecast(row: pd.Series) -> bool:
    """True for a measure rated on its year-end forecast, whose figures (the latest position's
    too) are forecasts."""
    return row.get("rag_on") == "forecast" or row.get("value_basis") == "full year forecast"


def latest_text(row: pd.Series, named: bool = False, places: int = 1) -> str:
    """A measure's latest position as the scorecard prints it: the figure with its marker and
    its variance (``20,715 (-6.5%)``, points for a percentage), the period first when ``named``
    (``Oct 2012: 20,715 (-6.5%)``); a measure rated on its forecast gives the forecast made
    then, and says so (``1,236 full year forecast (+3.0%)``); '' when it has none."""
    period = latest_period_of(row)
    if not period:
        return ""
    latest = latest_row(row)
    text = with_marker(_figure(latest, "value"), latest["status"])
    if _on_forecast(row):
        text += " full year forecast"
    variance = variance_text(latest, places=places)
    text = f"{text} ({variance})" if variance else text
    return f"{parse_period(period).short_label}: {text}" if named else text


def latest_target_text(row: pd.Series) -> str:
    """The target of a latest position (its ``target`` is the latest one: ``latest_row``)."""
    if not latest_period_of(row) or pd.isna(row.get("target")):
        return ""
    target = row["target"]
    return format_value(
        target, row["unit"], _target_decimals(target, row["decimals"]), row.get("rate_per")
    )


def latest_actual_text(row: pd.Series, named: bool) -> str:
    """A latest position's figure with its marker, what it is when it is a forecast and its
    period when the column's heading does not name it (``20,715 (Oct 2012)``, ``1,236 (full
    year forecast, Oct 2022)``)."""
    period = latest_period_of(row)
    if not period:
        return ""
    text = with_marker(_figure(row, "value"), row["status"])
    said = ["full year forecast"] if _on_forecast(row) else []
    if named:
        said.append(parse_period(period).short_label)
    return f"{text} ({', '.join(said)})" if said else text
