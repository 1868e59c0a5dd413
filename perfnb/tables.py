"""Report tables built from the scorecard frame: formatting only, no arithmetic of their own."""

from __future__ import annotations

import math

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = ["AIM_LABELS", "format_target", "format_value", "scorecard_table"]

AIM_LABELS = {
    "high": "Higher is better",
    "low": "Lower is better",
    "band": "Within band",
    "none": "No aim",
}


def format_value(
    value: float | None, unit: str, decimals: int = 0, rate_per: float | None = None
) -> str:
    """A figure as a report prints it: ``12.4%``, ``38,000``, ``140.4 per 100,000``, ``£1,200``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = f"{value:,.{int(decimals)}f}"
    if unit == "percent":
        return f"{number}%"
    if unit == "currency":
        return f"-£{number[1:]}" if number.startswith("-") else f"£{number}"
    if unit == "rate" and rate_per:
        return f"{number} per {rate_per:,.0f}"
    if unit == "days":
        return f"{number} days"
    return number


def format_target(row: pd.Series) -> str:
    """The year-end target of a scorecard row: a single figure, a band, or ``None set``."""
    unit, decimals, rate_per = row["unit"], row["decimals"], row.get("rate_per")
    if pd.notna(row.get("band_low")) and pd.notna(row.get("band_high")):
        low = format_value(row["band_low"], "count", decimals)
        high = format_value(row["band_high"], unit, decimals, rate_per)
        return f"{low} to {high}"
    if pd.notna(row.get("target")):
        return format_value(row["target"], unit, decimals, rate_per)
    return "None set"


def _this_period(row: pd.Series) -> str:
    if row["pending"]:
        return row["note"] or "Pending"
    text = format_value(row["value"], row["unit"], row["decimals"], row.get("rate_per"))
    if row["value_period"] and row["value_period"] != row["period"]:
        text += f" ({row['value_period']})"
    if row["note"]:
        text += f" - {row['note']}"
    return text


def scorecard_table(card: pd.DataFrame) -> Styler:
    """The scorecard as seed 004 lays it out, grouped by theme: id, description, aim, figures."""
    table = pd.DataFrame(
        {
            "Theme": card["theme"].replace("", "Other measures"),
            "Measure": card["measure_id"],
            "Description": card["name"],
            "Framework": card["framework"],
            "Aim": card["polarity"].map(AIM_LABELS),
            "Year-end target": card.apply(format_target, axis=1),
            "This period": card.apply(_this_period, axis=1),
        }
    ).set_index(["Theme", "Measure"])
    text_columns = ["Description", "Framework", "Aim"]
    figure_columns = ["Year-end target", "This period"]
    return (
        table.style.set_caption(f"Scorecard, {card['period'].iloc[0]}" if len(card) else "")
        .set_table_attributes('class="perfnb-scorecard"')
        .set_properties(subset=text_columns, **{"text-align": "left"})
        .set_properties(subset=figure_columns, **{"text-align": "right"})
        .set_table_styles(
            [
                {"selector": "th", "props": "text-align: left; vertical-align: top;"},
                {"selector": "td", "props": "vertical-align: top;"},
                {"selector": "caption", "props": "text-align: left; font-weight: bold;"},
            ]
        )
    )
