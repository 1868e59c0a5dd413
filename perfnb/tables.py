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


def _target_decimals(value: float, decimals: int) -> int:
    """Targets are usually round: 80 prints as 80%, not 80.0%; 630.6 keeps its decimals."""
    return 0 if float(value).is_integer() else decimals


def format_target(row: pd.Series) -> str:
    """The year-end target of a scorecard row: a figure, a band, its note (TBC), or None set."""
    unit, decimals, rate_per = row["unit"], row["decimals"], row.get("rate_per")
    low, high = row.get("annual_band_low"), row.get("annual_band_high")
    if pd.notna(low) and pd.notna(high):
        places = max(_target_decimals(low, decimals), _target_decimals(high, decimals))
        return (
            f"{format_value(low, 'count', places)} to {format_value(high, unit, places, rate_per)}"
        )
    if pd.notna(row.get("annual_target")):
        target = row["annual_target"]
        return format_value(target, unit, _target_decimals(target, decimals), rate_per)
    return str(row.get("target_note") or "") or "None set"


def _this_period(row: pd.Series) -> str:
    if row["pending"]:
        return row["note"] or "Pending"
    text = format_value(row["value"], row["unit"], row["decimals"], row.get("rate_per"))
    if row.get("value_basis") == "full year forecast":
        text += " (full year forecast)"
    if row["value_period"] and row["value_period"] != row["period"]:
        text += f" ({row['value_period']})"
    if row["note"]:
        text += f" - {row['note']}"
    return text


def scorecard_table(card: pd.DataFrame) -> Styler:
    """The scorecard as seed 004 lays it out, grouped by theme: id, description, aim, figures.

    One header row; the theme is printed on the first row of its group only.
    """
    theme = card["theme"].replace("", "Other measures")
    table = pd.DataFrame(
        {
            "Theme": theme.where(theme != theme.shift(), ""),
            "Measure": card["measure_id"],
            "Description": card["name"],
            "Framework": card["framework"],
            "Aim": card["polarity"].map(AIM_LABELS),
            "Year-end target": card.apply(format_target, axis=1),
            "This period": card.apply(_this_period, axis=1),
        }
    ).reset_index(drop=True)
    text_columns = ["Theme", "Measure", "Description", "Framework", "Aim"]
    figure_columns = ["Year-end target", "This period"]
    header = [
        {"selector": f"th.col_heading.col{i}", "props": "text-align: right;"}
        for i, name in enumerate(table.columns)
        if name in figure_columns
    ]
    return (
        table.style.hide(axis="index")
        .set_caption(f"Scorecard, {card['period'].iloc[0]}" if len(card) else "")
        .set_table_attributes('class="perfnb-scorecard"')
        .set_properties(subset=text_columns, **{"text-align": "left"})
        .set_properties(subset=figure_columns, **{"text-align": "right"})
        .set_properties(subset=["Theme"], **{"font-weight": "bold"})
        .set_properties(subset=["Measure"], **{"white-space": "nowrap"})
        .set_table_styles(
            [
                {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
                {"selector": "td", "props": "vertical-align: top;"},
                {"selector": "caption", "props": "text-align: left; font-weight: bold;"},
                *header,
            ]
        )
    )
