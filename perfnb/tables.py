"""Report tables built from the scorecard frame: formatting only, no arithmetic of their own."""

from __future__ import annotations

import math

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = [
    "AIM_LABELS",
    "DIRECTION_LABELS",
    "format_target",
    "format_value",
    "rag_reasons_table",
    "scorecard_table",
]

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


# Words with an arrow, so direction never rests on colour or a symbol alone.
DIRECTION_LABELS = {
    "improving": "\u25b2 Improving",
    "declining": "\u25bc Declining",
    "stable": "\u25ba Stable",
    "up": "\u25b2 Up",
    "down": "\u25bc Down",
    "same": "\u25ba Same",
    "": "",
}


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


def _variance(row: pd.Series) -> str:
    """Percentage points for a percentage, per cent of target otherwise."""
    if row["unit"] == "percent" and pd.notna(row["variance_pp"]):
        text = f"{row['variance_pp']:+.{int(row['decimals'])}f} pts"
    elif pd.notna(row["variance_pct"]):
        text = f"{row['variance_pct']:+.1f}%"
    else:
        return ""
    # on target (or inside a band) is 0, not +0 or -0
    return text.lstrip("+-") if float(text.split()[0].rstrip("%")) == 0 else text


def _compared(row: pd.Series) -> str:
    basis = "last_year_value" if row["dot_basis"] == "last_year" else "previous_value"
    figure = format_value(row[basis], row["unit"], row["decimals"], row.get("rate_per"))
    return f"{figure} ({row['compared_with']})" if figure else ""


def _forecast(row: pd.Series) -> str:
    if row["forecast_method"] not in ("officer forecast", "run rate"):
        return ""
    figure = format_value(row["forecast"], row["unit"], row["decimals"], row.get("rate_per"))
    return f"{figure} ({row['forecast_method']})"


def _quartile(row: pd.Series) -> str:
    if pd.isna(row["quartile"]):
        return ""
    text = f"Q{int(row['quartile'])}"
    if pd.notna(row["rank"]):
        text += f" ({int(row['rank'])} of {int(row['n_compared'])}, {row['benchmark_year']})"
    return text


def scorecard_table(card: pd.DataFrame) -> Styler:
    """The scorecard as seed 004 lays it out, grouped by theme: measure, aim, RAG, direction,
    year-end target, this period, variance, the figure compared with, forecast and quartile.

    One header row; the theme is printed on the first row of its group only.
    """
    theme = card["theme"].replace("", "Other measures")
    table = pd.DataFrame(
        {
            "Theme": theme.where(theme != theme.shift(), ""),
            "Measure": card["measure_id"],
            "Description": card["name"],
            "Aim": card["polarity"].map(AIM_LABELS),
            "RAG": card["rag"],
            "Direction": card["direction"].map(DIRECTION_LABELS).fillna(""),
            "Year-end target": card.apply(format_target, axis=1),
            "This period": card.apply(_this_period, axis=1),
            "Variance": card.apply(_variance, axis=1),
            "Compared with": card.apply(_compared, axis=1),
            "Forecast": card.apply(_forecast, axis=1),
            "Quartile": card.apply(_quartile, axis=1),
        }
    ).reset_index(drop=True)
    text_columns = ["Theme", "Measure", "Description", "Aim", "RAG", "Direction"]
    figure_columns = [
        "Year-end target",
        "This period",
        "Variance",
        "Compared with",
        "Forecast",
        "Quartile",
    ]
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
        .set_properties(subset=["Measure", "RAG", "Direction"], **{"white-space": "nowrap"})
        .set_table_styles(
            [
                {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
                {"selector": "td", "props": "vertical-align: top;"},
                {"selector": "caption", "props": "text-align: left; font-weight: bold;"},
                *header,
            ]
        )
    )


def rag_reasons_table(card: pd.DataFrame) -> Styler:
    """How each rating was reached: measure, RAG and the engine's reason, one row each."""
    table = pd.DataFrame(
        {
            "Measure": card["measure_id"],
            "Description": card["name"],
            "RAG": card["rag"],
            "How it was rated": card["rag_reason"],
        }
    ).reset_index(drop=True)
    return (
        table.style.hide(axis="index")
        .set_caption(f"How each rating was reached, {card['period'].iloc[0]}" if len(card) else "")
        .set_table_attributes('class="perfnb-reasons"')
        .set_properties(**{"text-align": "left", "vertical-align": "top"})
        .set_properties(subset=["Measure", "RAG"], **{"white-space": "nowrap"})
        .set_table_styles(
            [
                {"selector": "th", "props": "text-align: left; vertical-align: bottom;"},
                {"selector": "caption", "props": "text-align: left; font-weight: bold;"},
            ]
        )
    )
