"""The scorecard table: one row a measure, grouped by theme and corporate priority, as seed
004 lays it out.

Every cell is worded by ``perfnb.wording``; this module only chooses the columns. A column of
the benchmarks (``Benchmark``, ``Rank``, ``Quartile``, ``Comparator median``) or the latest
position is left out when no measure of the report has anything to put in it.
"""

from __future__ import annotations

import pandas as pd

from perfnb.scorecard import with_previous
from perfnb.tables.table import Table, _cells
from perfnb.tables.values import (
    aim_words,
    compared_values,
    figure_values,
    last_year_values,
    latest_values,
    numbers,
    previous_values,
    target_values,
    texts,
    variance_values,
    year_end_target_values,
)
from perfnb.wording import (
    AIM_LABELS,
    DIRECTION_LABELS,
    assurance_text,
    benchmark_text,
    compared_text,
    forecast_text,
    format_target,
    last_year_text,
    median_text,
    previously_text,
    quartile_text,
    rank_text,
    target_to_date,
    this_period_text,
    variance_text,
    variation_text,
)
from perfnb.wording_latest import latest_heading, latest_text

__all__ = ["BENCHMARK_HEADINGS", "SCORECARD_FIGURES", "scorecard_table", "scorecard_values"]

SCORECARD_FIGURES = (
    "Year-end target",
    "Target to date",
    "This period",
    "Variance",
    "Same period last year",
    "Compared with",
    "Forecast",
    "Benchmark",
    "Rank",
    "Quartile",
    "Comparator median",
)
# the benchmark columns, each shown only when some measure of the report has it
BENCHMARK_HEADINGS = ("Benchmark", "Rank", "Quartile", "Comparator median")


def scorecard_table(card: pd.DataFrame, previous: pd.DataFrame | None = None) -> Table:
    """The scorecard as seed 004 lays it out: one table per theme and priority, each row a
    measure with its aim, RAG, its rating in the period before when ``previous`` (the engine's
    rows of that period) is given, direction, year-end target, this period's figure (with the
    count behind a percentage), variance (points for percentages, per cent of target
    otherwise), the same period last year, the figure the direction compares with, the
    forecast with its method; where benchmarks.csv ranks a measure, the figure ranked with its
    year and averages, its rank, quartile (or the publisher's note, ``TBC``) and the other
    areas' median; and, when the data has figures after the period, each measure's latest
    position beside its variance (``Latest (Oct 2012)``). A figure that is not final carries
    its marker. Its CSV has the same rows as data (``scorecard_values``)."""
    card = card.reset_index(drop=True)
    latest = _latest_column(card)
    before = (
        {"Previously": _cells(with_previous(card, previous), previously_text)}
        if previous is not None
        else {}
    )
    table = pd.DataFrame(
        {
            "Theme": card["theme"].replace("", "Other measures").astype(object),
            "Priority": card["priority"].fillna("").astype(object),
            "Measure": card["measure_id"].astype(object),
            "Description": card["name"].astype(object),
            "Aim": card["polarity"].map(AIM_LABELS).astype(object),
            "RAG": card["rag"].astype(object),
            **before,
            "Direction": card["direction"].map(DIRECTION_LABELS).fillna("").astype(object),
            "Year-end target": _cells(card, format_target),
            "Target to date": _cells(card, target_to_date),
            "This period": _cells(card, this_period_text),
            "Variance": _cells(card, variance_text),
            **latest,
            "Same period last year": _cells(card, last_year_text),
            "Compared with": _cells(card, compared_text),
            "Forecast": _cells(card, forecast_text),
            **_benchmark_columns(card),
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
        values=scorecard_values(
            card, previous, latest=bool(latest), benchmarks=bool(_benchmark_columns(card))
        ),
        # the name wide enough to read in two or three lines; figures take what they need
        widths={"Description": "15%"},
    )


def scorecard_values(
    card: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    latest: bool = False,
    benchmarks: bool = False,
) -> pd.DataFrame:
    """The scorecard's rows as data (``perfnb.tables.values``): the rating in the period before
    when ``previous`` is given, the latest position when ``latest``, the benchmark's columns
    when ``benchmarks``, as the printed table has them."""
    card = card.reset_index(drop=True)
    columns = {
        "theme": texts(card, "theme"),
        "priority": texts(card, "priority"),
        "measure_id": texts(card, "measure_id"),
        "name": texts(card, "name"),
        "aim": aim_words(card),
        "unit": texts(card, "unit"),
        "rate_per": numbers(card, "rate_per"),
        "period": texts(card, "period"),
        "rag": texts(card, "rag"),
        **(previous_values(with_previous(card, previous)) if previous is not None else {}),
        "direction": texts(card, "direction"),
        **year_end_target_values(card),
        **target_values(card),
        **figure_values(card),
        **variance_values(card),
        **(latest_values(card) if latest else {}),
        **last_year_values(card),
        **compared_values(card),
        "forecast": numbers(card, "forecast"),
        "forecast_method": texts(card, "forecast_method").where(
            numbers(card, "forecast").notna(), ""
        ),
    }
    if benchmarks:
        columns |= {
            "benchmark_value": numbers(card, "benchmark_value"),
            "benchmark_year": texts(card, "benchmark_year"),
            "benchmark_averages": texts(card, "benchmark_averages"),
            "benchmark_note": texts(card, "benchmark_note"),
            "rank": numbers(card, "rank"),
            "n_compared": numbers(card, "n_compared"),
            "quartile": numbers(card, "quartile"),
            "comparator_median": numbers(card, "comparator_median"),
        }
    columns["variation"] = card.apply(variation_text, axis=1) if len(card) else texts(card, "x")
    columns["assurance"] = card.apply(assurance_text, axis=1) if len(card) else texts(card, "x")
    return pd.DataFrame(columns, index=card.index)


def _benchmark_columns(card: pd.DataFrame) -> dict[str, pd.Series]:
    """The benchmark columns with something in them: none when no measure has a benchmark."""
    columns = {
        "Benchmark": _cells(card, benchmark_text),
        "Rank": _cells(card, rank_text),
        "Quartile": _cells(card, quartile_text),
        "Comparator median": _cells(card, median_text),
    }
    return {name: cells for name, cells in columns.items() if cells.ne("").any()}


def _latest_column(card: pd.DataFrame) -> dict[str, pd.Series]:
    """The scorecard's latest position column, headed by its period, or none when no measure
    has a figure after the report's period."""
    heading = latest_heading(card)
    if not heading:
        return {}
    named = heading == "Latest"
    return {heading: _cells(card, lambda row: latest_text(row, named=named))}
