"""The scorecard table: one row a measure, grouped by theme and corporate priority, as seed
004 lays it out.

Every cell is worded by ``perfnb.wording``; this module only chooses the columns.
"""

from __future__ import annotations

import pandas as pd

from perfnb.tables.table import Table, _cells
from perfnb.wording import (
    AIM_LABELS,
    DIRECTION_LABELS,
    assurance_text,
    compared_text,
    forecast_text,
    format_target,
    last_year_text,
    latest_heading,
    latest_text,
    quartile_text,
    target_to_date,
    this_period_text,
    variance_text,
    variation_text,
)

__all__ = ["SCORECARD_FIGURES", "scorecard_table"]

SCORECARD_FIGURES = (
    "Year-end target",
    "Target to date",
    "This period",
    "Variance",
    "Same period last year",
    "Compared with",
    "Forecast",
    "Quartile",
)


def scorecard_table(card: pd.DataFrame) -> Table:
    """The scorecard as seed 004 lays it out: one table per theme and priority, each row a
    measure with its aim, RAG, direction, year-end target, this period's figure (with the count
    behind a percentage), variance (points for percentages, per cent of target otherwise), the
    same period last year, the figure the direction compares with, forecast and quartile; and,
    when the data has figures after the period, each measure's latest position beside its
    variance (``Latest (Oct 2012)``). A figure that is not final carries its marker."""
    card = card.reset_index(drop=True)
    latest = _latest_column(card)
    table = pd.DataFrame(
        {
            "Theme": card["theme"].replace("", "Other measures").astype(object),
            "Priority": card["priority"].fillna("").astype(object),
            "Measure": card["measure_id"].astype(object),
            "Description": card["name"].astype(object),
            "Aim": card["polarity"].map(AIM_LABELS).astype(object),
            "RAG": card["rag"].astype(object),
            "Direction": card["direction"].map(DIRECTION_LABELS).fillna("").astype(object),
            "Year-end target": _cells(card, format_target),
            "Target to date": _cells(card, target_to_date),
            "This period": _cells(card, this_period_text),
            "Variance": _cells(card, variance_text),
            **latest,
            "Same period last year": _cells(card, last_year_text),
            "Compared with": _cells(card, compared_text),
            "Forecast": _cells(card, forecast_text),
            "Quartile": _cells(card, quartile_text),
            "Variation": _cells(card, variation_text),
            "Assurance": _cells(card, assurance_text),
        }
    )
    period = card["period"].iloc[0] if len(card) else ""
    return Table(
        "scorecard",
        f"Scorecard, {period}",
        table,
        group_by=("Theme", "Priority"),
        rag=("RAG",),
        numeric=(*SCORECARD_FIGURES, *latest),
        empty_text="No measures.",
        wide=True,
        icons=("Variation", "Assurance"),
    )


def _latest_column(card: pd.DataFrame) -> dict[str, pd.Series]:
    """The scorecard's latest position column, headed by its period, or none when no measure
    has a figure after the report's period."""
    heading = latest_heading(card)
    if not heading:
        return {}
    named = heading == "Latest"
    return {heading: _cells(card, lambda row: latest_text(row, named=named))}
